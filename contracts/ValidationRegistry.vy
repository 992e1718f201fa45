# pragma version ~=0.4.3
"""
@title ERC-8004 Validation Registry (hardened)
@custom:contract-name ValidationRegistry
@license MIT
@notice An agent's owner or operator asks a named validator to check
        some work (`validationRequest`); the validator answers with a
        score 0..100 (`validationResponse`), progressively if it likes.
        Every function, event, selector and topic of the ERC-8004
        Validation section is kept exactly, so ERC-8004 clients and
        indexers work unchanged. Written from the ERC-8004 text (no
        code copied from any implementation). Where the reference is
        weak, this registry is stricter:

        1. Pending vs failed: `getRequestState` / `getAttestation` tell a
           request that has no answer yet (PENDING) from one answered 0.
        2. Finality: a validator can finalise its answer
           (`finalizeValidation`, or `validationResponseFor(..., True)`);
           afterwards the answer can never change. Before that,
           progressive answers work as in the reference.
        3. No hash squatting: request records live in a per-agent
           namespace, (agentId, requestHash). Another agent's owner who
           front-runs the same requestHash gets a record under *its own*
           agent id and cannot block, overwrite or answer for the victim:
           the victim's request under its own agent id always succeeds.
           The spec's hash-only answer `validationResponse(requestHash)`
           answers the one record of that hash that names the caller as
           its validator (`getRequestAgent(requestHash, validator)`), so
           a squatter who names another validator changes nothing, and a
           squatter who names the *same* validator makes the hash-only
           answer revert ("ambiguous") instead of crediting the squatter:
           the validator then answers with `validationResponseFor(agentId,
           ...)`. The hash-only views (`getValidationStatus`,
           `getRequestState`) show the hash's *primary* record (the first
           agent that used it), exactly like the reference when there is
           no collision; they return the agentId, so consumers must check
           it. Consumers that care (e.g. the hashrate vault) read
           `getAttestation(agentId, requestHash)`, which a squatter
           cannot influence.
        4. Cancel without erasing: the agent's owner or operator can
           cancel (withdraw) a request while it has no answer, telling the
           validator it need not work on it. Cancelling never stops or
           removes an answer: the named validator may still answer a
           cancelled request (and finalise), and that answer is stored,
           read and counted like any other. So an owner who sees an
           unfavourable answer coming (e.g. in the mempool) gains nothing
           by racing it with a cancel: the answer lands either way, and
           no action of the agent's owner or operators can prevent,
           change or remove a validator's answer to a request once made.
        5. No self-validation: when a request is made, the validator may
           not be the agent's owner, an approved operator or its
           agentWallet (Reputation bans self-feedback; the same rule
           holds here). It is an address-level guard against mistakes
           and trivial self-dealing, not a proof of independence (an
           owner can always use a fresh key): consumers that need
           independent validators keep their own allowlist (the vault
           does). It is not re-checked on each answer: that would cost
           about 10,800 gas per answer and add nothing a fresh key could
           not bypass.
        6. Bounded: tags of at most 31 bytes (stored in one slot), URIs
           of at most 4,096 bytes (emitted only), at most 32 validators
           in a summary filter, pages of at most 1,024 items; the
           unpaged list views and `getSummary` serve up to 1,024 items
           and revert beyond (use the paged / range variants).
@dev Storage per request: one slot packs the validator (160 bits), the
     response (8), status flags (8), the last update time (40) and the
     agent id (40: ids above 2**40 - 1 are refused); the response hash
     and the packed tag take one slot each, written only when answered.
     The first agent's record of a hash lives in `_primary[hash]` (so the
     hash-only spec views need no extra index); later agents' records of
     the same hash live in `_secondary[agentId][hash]`, and the primary
     record then carries a "shared" flag and `_shared[hash][validator]`
     counts them per validator, so a hash-only answer costs nothing extra
     unless the hash was used twice.
"""

from .interfaces import IIdentityRegistry


# @dev The Identity registry whose agents request validations.
IDENTITY: immutable(IIdentityRegistry)


# EVENTS #

# @dev ERC-8004: an agent asked `validatorAddress` to validate the work
# described at `requestURI`, committed to by `requestHash`.
event ValidationRequest:
    validatorAddress: indexed(address)
    agentId: indexed(uint256)
    requestURI: String[MAX_URI]
    requestHash: indexed(bytes32)


# @dev ERC-8004: `validatorAddress` answered (or re-answered) a request.
event ValidationResponse:
    validatorAddress: indexed(address)
    agentId: indexed(uint256)
    requestHash: indexed(bytes32)
    response: uint8
    responseURI: String[MAX_URI]
    responseHash: bytes32
    tag: String[MAX_TAG]


# @dev Extension: the validator made its answer final; it can never change.
event ValidationFinalized:
    validatorAddress: indexed(address)
    agentId: indexed(uint256)
    requestHash: indexed(bytes32)
    response: uint8


# @dev Extension: the agent's owner or operator withdrew a request that had no
# answer yet (the validator may still answer it; its answer then counts).
event ValidationCancelled:
    validatorAddress: indexed(address)
    agentId: indexed(uint256)
    requestHash: indexed(bytes32)
    cancelledBy: address


# CONSTANTS #

# @dev Longest requestURI / responseURI accepted (bytes); URIs are only emitted.
MAX_URI: constant(uint256) = 4_096
# @dev Longest tag (bytes): a tag and its length are packed into one slot.
MAX_TAG: constant(uint256) = 31
# @dev Most validators in a `getSummary` filter.
MAX_FILTER: constant(uint256) = 32
# @dev Most items one list view returns (paged views: most items per page;
# `getSummary`: most requests it scans).
MAX_PAGE: constant(uint256) = 1_024
# @dev Highest response score.
MAX_RESPONSE: constant(uint8) = 100

# @dev Request states returned by `getRequestState` / `getAttestation`.
STATUS_NONE: constant(uint8) = 0
STATUS_PENDING: constant(uint8) = 1
STATUS_ANSWERED: constant(uint8) = 2
STATUS_FINALIZED: constant(uint8) = 3
STATUS_CANCELLED: constant(uint8) = 4

# @dev Flags packed into a request record.
_EXISTS: constant(uint256) = 1
_ANSWERED: constant(uint256) = 2
_FINAL: constant(uint256) = 4
_CANCELLED: constant(uint256) = 8
# @dev Set on a primary record once another agent used the same hash.
_SHARED: constant(uint256) = 16

_ADDR_MASK: constant(uint256) = (1 << 160) - 1
_TS_MASK: constant(uint256) = (1 << 40) - 1
_ID_MASK: constant(uint256) = (1 << 40) - 1
# @dev Largest agent id a record can hold (40 bits: ids are sequential).
MAX_AGENT_ID: constant(uint256) = (1 << 40) - 1


# STORAGE #

### REQUESTS ###

# @dev requestHash => packed record of the *primary* request (the first
# agent to use the hash): validator | response << 160 | flags << 168 |
# lastUpdate << 176 | agentId << 216. The agent id inside makes the
# separate "who owns this hash" slot unnecessary.
_primary: HashMap[bytes32, uint256]
# @dev agentId => requestHash => packed record (same layout) of a request
# whose hash another agent used first. Together with `_primary` this is a
# per-agent namespace: another agent can never touch an agent's record.
_secondary: HashMap[uint256, HashMap[bytes32, uint256]]
# @dev requestHash => validator => the non-primary records of `requestHash`
# that name `validator`: their number (bits 40..) and the agent id of the
# latest (bits 0..39). Written only on a collision; read only by a hash-only
# answer (or `getRequestAgent`) of a shared hash.
_shared: HashMap[bytes32, HashMap[address, uint256]]
# @dev agentId => requestHash => the validator's latest responseHash.
_response_hashes: HashMap[uint256, HashMap[bytes32, bytes32]]
# @dev agentId => requestHash => the latest tag, left-aligned, length in the low byte.
_tags: HashMap[uint256, HashMap[bytes32, uint256]]

### LISTS ###

# @dev agentId => index => requestHash, and the count (append-only).
_agent_requests: HashMap[uint256, HashMap[uint256, bytes32]]
_agent_count: HashMap[uint256, uint256]
# @dev validator => index => requestHash, and the count (append-only).
_validator_requests: HashMap[address, HashMap[uint256, bytes32]]
_validator_count: HashMap[address, uint256]
# @dev validator => index => 1 + agentId, written only when the entry is
# not the hash's primary record (a collision), else 0.
_validator_agents: HashMap[address, HashMap[uint256, uint256]]


@deploy
def __init__(identity_registry: address):
    """
    @dev Not upgradeable; bound to one Identity registry for life.
    @param identity_registry The ERC-8004 Identity registry.
    """
    assert identity_registry != empty(address), "validation: zero identity registry"
    IDENTITY = IIdentityRegistry(identity_registry)


# INTERNAL #


@internal
@pure
def _pack(validator: address, response: uint8, flags: uint256, ts: uint256, agent_id: uint256) -> uint256:
    return (
        convert(validator, uint256)
        | (convert(response, uint256) << 160)
        | (flags << 168)
        | ((ts & _TS_MASK) << 176)
        | (agent_id << 216)
    )


@internal
@pure
def _agent(rec: uint256) -> uint256:
    return rec >> 216


@internal
@view
def _load(agent_id: uint256, request_hash: bytes32) -> uint256:
    """
    @dev Agent `agent_id`'s record of `request_hash` (0: none).
    """
    p: uint256 = self._primary[request_hash]
    if p != 0 and self._agent(p) == agent_id:
        return p
    return self._secondary[agent_id][request_hash]


@internal
def _store(agent_id: uint256, request_hash: bytes32, rec: uint256):
    """
    @dev Write agent `agent_id`'s record: the primary slot when the hash is
         new or already this agent's, its own namespace otherwise.
    """
    p: uint256 = self._primary[request_hash]
    if p == 0 or self._agent(p) == agent_id:
        self._primary[request_hash] = rec
    else:
        self._secondary[agent_id][request_hash] = rec


@internal
@pure
def _validator(rec: uint256) -> address:
    return convert(rec & _ADDR_MASK, address)


@internal
@pure
def _response(rec: uint256) -> uint8:
    return convert((rec >> 160) & 255, uint8)


@internal
@pure
def _flags(rec: uint256) -> uint256:
    return (rec >> 168) & 255


@internal
@pure
def _updated(rec: uint256) -> uint256:
    return (rec >> 176) & _TS_MASK


@internal
@pure
def _status(rec: uint256) -> uint8:
    f: uint256 = self._flags(rec)
    if f & _EXISTS == 0:
        return STATUS_NONE
    # An answer outranks a cancellation: a cancelled request the validator
    # answered afterwards reads ANSWERED / FINALIZED (`isCancelled` still
    # tells it was withdrawn).
    if f & _FINAL != 0:
        return STATUS_FINALIZED
    if f & _ANSWERED != 0:
        return STATUS_ANSWERED
    if f & _CANCELLED != 0:
        return STATUS_CANCELLED
    return STATUS_PENDING


@internal
@pure
def _pack_tag(tag: String[MAX_TAG]) -> uint256:
    b: Bytes[MAX_TAG] = convert(tag, Bytes[MAX_TAG])
    return convert(convert(b, bytes32), uint256) | len(b)


@internal
@pure
def _unpack_tag(packed: uint256) -> String[32]:
    n: uint256 = packed & 255
    w: bytes32 = convert(packed & ~convert(255, uint256), bytes32)
    return convert(slice(w, 0, n), String[32])


@internal
@view
def _check_independent(validator: address, agent_id: uint256):
    """
    @dev Reverts when `validator` controls agent `agent_id` (owner,
         operator) or is its agentWallet. Reverts too (inside the
         Identity registry) when the agent does not exist.
    """
    assert not staticcall IDENTITY.isAuthorizedOrOwner(validator, agent_id), "validation: self-validation"
    assert staticcall IDENTITY.getAgentWallet(agent_id) != validator, "validation: self-validation"


@internal
def _respond(
    agent_id: uint256,
    request_hash: bytes32,
    rec: uint256,
    response: uint8,
    response_uri: String[MAX_URI],
    response_hash: bytes32,
    tag: String[MAX_TAG],
    finalize: bool,
):
    """
    @dev Answers agent `agent_id`'s record `rec` of `request_hash` (as
         loaded by the caller; 0 when none).
    """
    flags: uint256 = self._flags(rec)
    assert flags & _EXISTS != 0, "validation: unknown request"
    validator: address = self._validator(rec)
    assert msg.sender == validator, "validation: not validator"
    # A cancelled request still takes its validator's answer: a cancel can
    # never race an answer away (see the contract notice, item 4).
    assert flags & _FINAL == 0, "validation: finalized"
    assert response <= MAX_RESPONSE, "validation: response > 100"

    flags |= _ANSWERED
    if finalize:
        flags |= _FINAL
    self._store(agent_id, request_hash, self._pack(validator, response, flags, block.timestamp, agent_id))
    self._response_hashes[agent_id][request_hash] = response_hash
    self._tags[agent_id][request_hash] = self._pack_tag(tag)
    log ValidationResponse(
        validatorAddress=validator,
        agentId=agent_id,
        requestHash=request_hash,
        response=response,
        responseURI=response_uri,
        responseHash=response_hash,
        tag=tag,
    )
    if finalize:
        log ValidationFinalized(
            validatorAddress=validator, agentId=agent_id, requestHash=request_hash, response=response
        )


@internal
@view
def _primary_agent(request_hash: bytes32) -> uint256:
    p: uint256 = self._primary[request_hash]
    assert p != 0, "validation: unknown request"
    return self._agent(p)


@internal
@view
def _resolve(request_hash: bytes32, validator: address) -> (uint256, uint256):
    """
    @dev The agent whose record of `request_hash` names `validator`, when
         exactly one record does, and that record. Reverts "unknown
         request" for an unused hash, "not validator" when no record names
         `validator`, and "ambiguous" when several do (a squatter named the
         same validator): never the first requester by default, which would
         let a front-run request take the answer meant for the victim.
    """
    p: uint256 = self._primary[request_hash]
    assert p != 0, "validation: unknown request"
    primary_match: bool = self._validator(p) == validator
    if self._flags(p) & _SHARED == 0:
        assert primary_match, "validation: not validator"
        return self._agent(p), p
    s: uint256 = self._shared[request_hash][validator]
    n: uint256 = s >> 40
    if primary_match:
        n += 1
    assert n != 0, "validation: not validator"
    assert n == 1, "validation: ambiguous request, use validationResponseFor"
    if primary_match:
        return self._agent(p), p
    agent_id: uint256 = s & _ID_MASK
    return agent_id, self._secondary[agent_id][request_hash]


@internal
@pure
def _page_bounds(total: uint256, offset: uint256, limit: uint256) -> (uint256, uint256):
    """
    @dev The index range [start, start + n) of a page; n <= MAX_PAGE.
    """
    assert limit <= MAX_PAGE, "validation: page too large"
    if offset >= total:
        return offset, 0
    return offset, min(limit, total - offset)


@internal
@view
def _summary(
    agent_id: uint256,
    validators: DynArray[address, MAX_FILTER],
    tag: String[MAX_TAG],
    start: uint256,
    n: uint256,
) -> (uint256, uint256):
    """
    @dev (count, sum of responses) over answered requests of `agent_id`
         at list indexes [start, start + n), filtered by validators and tag.
    """
    want_tag: uint256 = self._pack_tag(tag)
    count: uint256 = 0
    total: uint256 = 0
    for i: uint256 in range(start, start + n, bound=MAX_PAGE):
        h: bytes32 = self._agent_requests[agent_id][i]
        rec: uint256 = self._load(agent_id, h)
        if self._flags(rec) & _ANSWERED == 0:
            continue
        if len(validators) > 0 and self._validator(rec) not in validators:
            continue
        if want_tag != 0 and self._tags[agent_id][h] != want_tag:
            continue
        count += 1
        total += convert(self._response(rec), uint256)
    return count, total


# EXTERNAL: REQUESTS AND ANSWERS #


@external
def validationRequest(
    validatorAddress: address, agentId: uint256, requestURI: String[MAX_URI], requestHash: bytes32
):
    """
    @notice Ask `validatorAddress` to validate the work of agent `agentId`
            described at `requestURI` (whose keccak256 should be `requestHash`).
    @dev Caller: the agent's owner or an approved operator. The validator
         must be independent of the agent (not its owner, an operator or
         its agentWallet). `requestHash` is unique per agent: the same
         hash used by another agent lives in that agent's namespace and
         neither record can affect the other (no squatting). The first
         agent to use a hash becomes its primary record for the
         hash-only spec views.
    @param validatorAddress The validator that may answer.
    @param agentId The agent whose work is validated.
    @param requestURI Where the request file lives (emitted, not stored).
    @param requestHash The commitment to the request (not zero).
    """
    assert staticcall IDENTITY.isAuthorizedOrOwner(msg.sender, agentId), "validation: not authorized"
    assert validatorAddress != empty(address), "validation: bad validator"
    assert requestHash != empty(bytes32), "validation: empty hash"
    assert agentId <= MAX_AGENT_ID, "validation: agentId too large"
    self._check_independent(validatorAddress, agentId)

    rec: uint256 = self._pack(validatorAddress, 0, _EXISTS, block.timestamp, agentId)
    p: uint256 = self._primary[requestHash]
    primary: bool = p == 0
    if primary:
        self._primary[requestHash] = rec
    else:
        assert self._agent(p) != agentId, "validation: request exists"
        assert self._secondary[agentId][requestHash] == 0, "validation: request exists"
        self._secondary[agentId][requestHash] = rec
        if self._flags(p) & _SHARED == 0:
            self._primary[requestHash] = p | (_SHARED << 168)
        s: uint256 = self._shared[requestHash][validatorAddress]
        self._shared[requestHash][validatorAddress] = (((s >> 40) + 1) << 40) | agentId

    i: uint256 = self._agent_count[agentId]
    self._agent_requests[agentId][i] = requestHash
    self._agent_count[agentId] = i + 1

    j: uint256 = self._validator_count[validatorAddress]
    self._validator_requests[validatorAddress][j] = requestHash
    self._validator_count[validatorAddress] = j + 1
    if not primary:
        self._validator_agents[validatorAddress][j] = agentId + 1

    log ValidationRequest(
        validatorAddress=validatorAddress, agentId=agentId, requestURI=requestURI, requestHash=requestHash
    )


@external
def validationResponse(
    requestHash: bytes32,
    response: uint8,
    responseURI: String[MAX_URI],
    responseHash: bytes32,
    tag: String[MAX_TAG],
):
    """
    @notice Answer (or re-answer) the request `requestHash` with a score
            0..100; only the named validator may.
    @dev Answers the one record of `requestHash` that names the caller as
         its validator (`getRequestAgent(requestHash, msg.sender)`): with
         no collision, the reference's behaviour. When another agent used
         the same hash naming the same validator the call reverts
         "validation: ambiguous request, use validationResponseFor" rather
         than guess (the first requester may be a front-running squatter).
         Progressive answers overwrite until the answer is finalised; a
         finalised request reverts. A cancelled request is answered as any
         other: the answer stands and counts.
    @param requestHash The request.
    @param response The score, 0..100.
    @param responseURI Evidence for the answer (emitted, not stored).
    @param responseHash Commitment to the evidence (stored).
    @param tag A short label (at most 31 bytes, stored).
    """
    agent_id: uint256 = 0
    rec: uint256 = 0
    agent_id, rec = self._resolve(requestHash, msg.sender)
    self._respond(agent_id, requestHash, rec, response, responseURI, responseHash, tag, False)


@external
def validationResponseFor(
    agentId: uint256,
    requestHash: bytes32,
    response: uint8,
    responseURI: String[MAX_URI],
    responseHash: bytes32,
    tag: String[MAX_TAG],
    finalize: bool,
):
    """
    @notice Answer agent `agentId`'s request `requestHash`; with
            `finalize` the answer becomes final in the same transaction.
    @dev Same rules and event as `validationResponse` (a cancelled request
         is answered too), addressing the record by (agentId, requestHash);
         emits `ValidationFinalized` too when `finalize` is set.
    @param agentId The agent that made the request.
    @param requestHash The request.
    @param response The score, 0..100.
    @param responseURI Evidence for the answer (emitted, not stored).
    @param responseHash Commitment to the evidence (stored).
    @param tag A short label (at most 31 bytes, stored).
    @param finalize Whether this answer is final.
    """
    rec: uint256 = self._load(agentId, requestHash)
    self._respond(agentId, requestHash, rec, response, responseURI, responseHash, tag, finalize)


@external
def finalizeValidation(agentId: uint256, requestHash: bytes32):
    """
    @notice Make the validator's current answer to agent `agentId`'s
            request `requestHash` final: it can never change afterwards.
    @dev Only the named validator, only once answered, only once (also for
         a request that was cancelled before the answer).
    @param agentId The agent that made the request.
    @param requestHash The request.
    """
    rec: uint256 = self._load(agentId, requestHash)
    flags: uint256 = self._flags(rec)
    assert flags & _EXISTS != 0, "validation: unknown request"
    validator: address = self._validator(rec)
    assert msg.sender == validator, "validation: not validator"
    assert flags & _FINAL == 0, "validation: finalized"
    assert flags & _ANSWERED != 0, "validation: no response"
    response: uint8 = self._response(rec)
    self._store(agentId, requestHash, self._pack(validator, response, flags | _FINAL, block.timestamp, agentId))
    log ValidationFinalized(validatorAddress=validator, agentId=agentId, requestHash=requestHash, response=response)


@external
def cancelValidation(agentId: uint256, requestHash: bytes32):
    """
    @notice Withdraw agent `agentId`'s request `requestHash` while it has no
            answer: the validator need not work on it. The request stays
            listed and cannot be reopened (request with a new hash).
    @dev Caller: the agent's owner or an approved operator (now). A cancel
         erases nothing and stops nothing: the named validator may still
         answer (and finalise) the cancelled request, and that answer is
         stored and counted like any other, so a cancel sent to race an
         unfavourable answer (e.g. one seen in the mempool) changes
         nothing. An answered request cannot be cancelled.
    @param agentId The agent that made the request.
    @param requestHash The request.
    """
    assert staticcall IDENTITY.isAuthorizedOrOwner(msg.sender, agentId), "validation: not authorized"
    rec: uint256 = self._load(agentId, requestHash)
    flags: uint256 = self._flags(rec)
    assert flags & _EXISTS != 0, "validation: unknown request"
    assert flags & _ANSWERED == 0, "validation: not pending"
    assert flags & _CANCELLED == 0, "validation: cancelled"
    validator: address = self._validator(rec)
    self._store(agentId, requestHash, self._pack(validator, 0, flags | _CANCELLED, block.timestamp, agentId))
    log ValidationCancelled(validatorAddress=validator, agentId=agentId, requestHash=requestHash, cancelledBy=msg.sender)


# EXTERNAL: SPEC VIEWS #


@external
@view
def getIdentityRegistry() -> address:
    """
    @notice The Identity registry this registry reads.
    @return address The Identity registry.
    """
    return IDENTITY.address


@external
@view
def getValidationStatus(
    requestHash: bytes32,
) -> (address, uint256, uint8, bytes32, String[32], uint256):
    """
    @notice The primary record of `requestHash` (the first agent that used it).
    @dev As in the reference, a pending request reads response 0; use
         `getRequestState` / `getAttestation` to tell pending from failed,
         and check the returned agentId. Reverts for an unknown hash.
    @param requestHash The request.
    @return address validatorAddress
    @return uint256 agentId
    @return uint8 response (0..100; 0 also while pending)
    @return bytes32 responseHash
    @return String tag
    @return uint256 lastUpdate (timestamp of the request or the latest change)
    """
    agent_id: uint256 = self._primary_agent(requestHash)
    rec: uint256 = self._primary[requestHash]
    return (
        self._validator(rec),
        agent_id,
        self._response(rec),
        self._response_hashes[agent_id][requestHash],
        self._unpack_tag(self._tags[agent_id][requestHash]),
        self._updated(rec),
    )


@external
@view
def getSummary(
    agentId: uint256, validatorAddresses: DynArray[address, MAX_FILTER], tag: String[MAX_TAG]
) -> (uint64, uint8):
    """
    @notice Count and floor-average of the answered requests of `agentId`,
            optionally only those of `validatorAddresses` and with `tag`.
    @dev Empty filter list / empty tag: no filter. Pending and cancelled
         requests never count. Scans at most 1,024 requests and reverts
         beyond; use `getSummaryRange` to aggregate larger histories.
    @param agentId The agent.
    @param validatorAddresses Validators to include (empty: all), at most 32.
    @param tag Tag to match exactly (empty: any).
    @return uint64 count
    @return uint8 averageResponse (0 when count is 0)
    """
    total: uint256 = self._agent_count[agentId]
    assert total <= MAX_PAGE, "validation: too many requests, use getSummaryRange"
    count: uint256 = 0
    s: uint256 = 0
    count, s = self._summary(agentId, validatorAddresses, tag, 0, total)
    if count == 0:
        return 0, 0
    return convert(count, uint64), convert(s // count, uint8)


@external
@view
def getAgentValidations(agentId: uint256) -> DynArray[bytes32, MAX_PAGE]:
    """
    @notice Every request hash of agent `agentId`, oldest first.
    @dev Reverts beyond 1,024 entries; use `getAgentValidationsPaged`.
    @param agentId The agent.
    @return DynArray The request hashes.
    """
    total: uint256 = self._agent_count[agentId]
    assert total <= MAX_PAGE, "validation: list too long, use the paged view"
    out: DynArray[bytes32, MAX_PAGE] = []
    for i: uint256 in range(total, bound=MAX_PAGE):
        out.append(self._agent_requests[agentId][i])
    return out


@external
@view
def getValidatorRequests(validatorAddress: address) -> DynArray[bytes32, MAX_PAGE]:
    """
    @notice Every request hash addressed to `validatorAddress`, oldest first.
    @dev Reverts beyond 1,024 entries; use `getValidatorRequestsPaged`.
    @param validatorAddress The validator.
    @return DynArray The request hashes.
    """
    total: uint256 = self._validator_count[validatorAddress]
    assert total <= MAX_PAGE, "validation: list too long, use the paged view"
    out: DynArray[bytes32, MAX_PAGE] = []
    for i: uint256 in range(total, bound=MAX_PAGE):
        out.append(self._validator_requests[validatorAddress][i])
    return out


# EXTERNAL: EXTENSION VIEWS #


@external
@view
def getRequestState(requestHash: bytes32) -> (uint8, uint256, address, uint8, bool):
    """
    @notice The state of the primary record of `requestHash`: tells a
            pending request from one answered 0.
    @dev Status 0 NONE (unknown hash: no revert), 1 PENDING, 2 ANSWERED
         (progressive, may change), 3 FINALIZED, 4 CANCELLED (withdrawn
         and not answered; an answer given after the cancel reads 2 or 3,
         see `isCancelled`).
    @param requestHash The request.
    @return uint8 status
    @return uint256 agentId (the primary agent; 0 when NONE)
    @return address validatorAddress
    @return uint8 response
    @return bool finalized
    """
    rec: uint256 = self._primary[requestHash]
    return self._status(rec), self._agent(rec), self._validator(rec), self._response(rec), self._flags(rec) & _FINAL != 0


@external
@view
def getRequestAgent(requestHash: bytes32, validatorAddress: address) -> uint256:
    """
    @notice The agent whose request `requestHash` names `validatorAddress`:
            the record the hash-only `validationResponse` of that validator
            answers.
    @dev Reverts "validation: unknown request" for an unused hash,
         "validation: not validator" when no record of the hash names the
         validator, and "validation: ambiguous request, use
         validationResponseFor" when several agents' records of the hash
         name it (then read `getValidatorRequestsPaged` for the agents).
    @param requestHash The request.
    @param validatorAddress The validator.
    @return uint256 The agent id.
    """
    agent_id: uint256 = 0
    rec: uint256 = 0
    agent_id, rec = self._resolve(requestHash, validatorAddress)
    return agent_id


@external
@view
def getAttestation(agentId: uint256, requestHash: bytes32) -> (uint8, address, uint8, bool, uint256):
    """
    @notice Agent `agentId`'s request `requestHash` in one call: what a
            consumer (e.g. the hashrate vault) needs to trust an answer.
    @dev Squat-proof: reads the (agentId, requestHash) record, which only
         the agent's owner/operator creates and only its named validator
         answers. Status as in `getRequestState` (an answer outranks a
         cancel); never reverts.
    @param agentId The agent.
    @param requestHash The request.
    @return uint8 status
    @return address validatorAddress (zero when NONE)
    @return uint8 response
    @return bool finalized
    @return uint256 lastUpdate
    """
    rec: uint256 = self._load(agentId, requestHash)
    return self._status(rec), self._validator(rec), self._response(rec), self._flags(rec) & _FINAL != 0, self._updated(rec)


@external
@view
def isCancelled(agentId: uint256, requestHash: bytes32) -> bool:
    """
    @notice Whether agent `agentId`'s request `requestHash` was withdrawn
            with `cancelValidation` (whether or not it was answered later).
    @dev False for an unknown record. A cancelled request keeps any answer
         its validator gives; the status (`getAttestation`) tells whether
         one was given.
    @param agentId The agent.
    @param requestHash The request.
    @return bool True when cancelled.
    """
    return self._flags(self._load(agentId, requestHash)) & _CANCELLED != 0


@external
@view
def getValidationStatusFor(
    agentId: uint256, requestHash: bytes32
) -> (address, uint256, uint8, bytes32, String[32], uint256):
    """
    @notice `getValidationStatus` for agent `agentId`'s record of
            `requestHash` (whether or not it is the primary one).
    @dev Reverts for a record that does not exist.
    @param agentId The agent.
    @param requestHash The request.
    @return address validatorAddress
    @return uint256 agentId
    @return uint8 response
    @return bytes32 responseHash
    @return String tag
    @return uint256 lastUpdate
    """
    rec: uint256 = self._load(agentId, requestHash)
    assert rec != 0, "validation: unknown request"
    return (
        self._validator(rec),
        agentId,
        self._response(rec),
        self._response_hashes[agentId][requestHash],
        self._unpack_tag(self._tags[agentId][requestHash]),
        self._updated(rec),
    )


@external
@view
def getSummaryRange(
    agentId: uint256,
    validatorAddresses: DynArray[address, MAX_FILTER],
    tag: String[MAX_TAG],
    offset: uint256,
    limit: uint256,
) -> (uint64, uint256, uint256):
    """
    @notice `getSummary` over the agent's requests at list indexes
            [offset, offset + limit), returning the exact sum so pages
            combine: average = sum of sums // sum of counts.
    @param agentId The agent.
    @param validatorAddresses Validators to include (empty: all), at most 32.
    @param tag Tag to match exactly (empty: any).
    @param offset First list index.
    @param limit Most requests to scan, at most 1,024.
    @return uint64 count
    @return uint256 responseSum
    @return uint256 total (the agent's number of requests)
    """
    total: uint256 = self._agent_count[agentId]
    start: uint256 = 0
    n: uint256 = 0
    start, n = self._page_bounds(total, offset, limit)
    count: uint256 = 0
    s: uint256 = 0
    count, s = self._summary(agentId, validatorAddresses, tag, start, n)
    return convert(count, uint64), s, total


@external
@view
def getAgentValidationsPaged(
    agentId: uint256, offset: uint256, limit: uint256
) -> (DynArray[bytes32, MAX_PAGE], uint256):
    """
    @notice A page of agent `agentId`'s request hashes, oldest first.
    @param agentId The agent.
    @param offset First index.
    @param limit Most items, at most 1,024.
    @return DynArray The request hashes in [offset, offset + limit).
    @return uint256 total
    """
    total: uint256 = self._agent_count[agentId]
    start: uint256 = 0
    n: uint256 = 0
    start, n = self._page_bounds(total, offset, limit)
    out: DynArray[bytes32, MAX_PAGE] = []
    for i: uint256 in range(start, start + n, bound=MAX_PAGE):
        out.append(self._agent_requests[agentId][i])
    return out, total


@external
@view
def getValidatorRequestsPaged(
    validatorAddress: address, offset: uint256, limit: uint256
) -> (DynArray[bytes32, MAX_PAGE], DynArray[uint256, MAX_PAGE], uint256):
    """
    @notice A page of the requests addressed to `validatorAddress`, with
            the agent of each (needed to answer a non-primary record).
    @param validatorAddress The validator.
    @param offset First index.
    @param limit Most items, at most 1,024.
    @return DynArray The request hashes in [offset, offset + limit).
    @return DynArray The agentId of each.
    @return uint256 total
    """
    total: uint256 = self._validator_count[validatorAddress]
    start: uint256 = 0
    n: uint256 = 0
    start, n = self._page_bounds(total, offset, limit)
    hashes: DynArray[bytes32, MAX_PAGE] = []
    agents: DynArray[uint256, MAX_PAGE] = []
    for i: uint256 in range(start, start + n, bound=MAX_PAGE):
        h: bytes32 = self._validator_requests[validatorAddress][i]
        hashes.append(h)
        a: uint256 = self._validator_agents[validatorAddress][i]
        if a == 0:
            agents.append(self._agent(self._primary[h]))
        else:
            agents.append(a - 1)
    return hashes, agents, total
