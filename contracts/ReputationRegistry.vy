# pragma version ~=0.4.3
"""
@title ERC-8004 Reputation Registry with summaries that scale
@custom:contract-name ReputationRegistry
@license MIT
@notice Clients give signed fixed-point feedback (value, valueDecimals, two short tags) to
        agents of an ERC-8004 Identity registry; anyone may append responses. Selectors and
        event topics are those of ERC-8004 (Jan-25 2026 revision).
        Better than the reference implementation (erc-8004/erc-8004-contracts 2.0.0):
        - running aggregates per (agent, client) and per agent, updated on give and revoke,
          so `getSummary` costs O(number of clients asked about), not O(feedback);
          the agent's whole client list (as returned by `getClients`) is recognised with a
          rolling hash and answered from per-agent aggregates in O(1) storage reads;
        - checked math: an average that does not fit int128 saturates to the int128 bound of
          the right sign instead of wrapping;
        - paged reads (`readAllFeedbackPaged`, `getClientsPaged`) and bounded inputs;
        - feedback from the agent's own agentWallet is refused, like the owner's.
        Short tags (<= 32 bytes) are packed: both tags of a feedback share one storage slot
        when their lengths add up to <= 32 bytes.
"""

from .interfaces import IIdentityRegistry


# EVENTS #


# @dev Emitted when `clientAddress` gives its `feedbackIndex`-th feedback to `agentId`.
event NewFeedback:
    agentId: indexed(uint256)
    clientAddress: indexed(address)
    feedbackIndex: uint64
    value: int128
    valueDecimals: uint8
    indexedTag1: indexed(String[32])
    tag1: String[32]
    tag2: String[32]
    endpoint: String[512]
    feedbackURI: String[1024]
    feedbackHash: bytes32


# @dev Emitted when a client revokes its own feedback.
event FeedbackRevoked:
    agentId: indexed(uint256)
    clientAddress: indexed(address)
    feedbackIndex: indexed(uint64)


# @dev Emitted when `responder` appends a response to a feedback.
event ResponseAppended:
    agentId: indexed(uint256)
    clientAddress: indexed(address)
    feedbackIndex: uint64
    responder: indexed(address)
    responseURI: String[1024]
    responseHash: bytes32


# CONSTANTS #


# @dev Published input limits (bytes / entries).
MAX_TAG: public(constant(uint256)) = 32
MAX_ENDPOINT: public(constant(uint256)) = 512
MAX_URI: public(constant(uint256)) = 1024
# @dev Longest client list accepted by `getSummary` / `readAllFeedback`, and the most
#      clients `getClients` returns (use `getClientsPaged` beyond that).
MAX_CLIENTS: public(constant(uint256)) = 256
# @dev Longest responder list accepted by `getResponseCount`.
MAX_RESPONDERS: public(constant(uint256)) = 64
# @dev Most feedback entries `readAllFeedback` returns, and the largest page size.
MAX_READ: public(constant(uint256)) = 128
# @dev Feedback a single client may give a single agent (per-client counters are 15 bits).
MAX_FEEDBACK_PER_CLIENT: public(constant(uint256)) = 32_767
# @dev Same bound on |value| as the reference (so normalised sums never approach int256).
MAX_ABS_VALUE: public(constant(int128)) = 10**38
# @dev Loop bound when walking every client of an agent (2**32 - 1).
_MAX_AGENT_CLIENTS: constant(uint256) = 4_294_967_295

# @dev Packed feedback word: value (two's complement, bits 0..127), decimals (128..135),
#      tag1 length (136..143), tag2 length (144..151), revoked flag (bit 152).
_M128: constant(uint256) = 2**128 - 1
_M64: constant(uint256) = 2**64 - 1
_REVOKED_BIT: constant(uint256) = 2**152

# @dev Per-(agent, client) word, one slot for what a summary needs in the common case:
#      WAD sum (203-bit two's complement, bits 0..202; |sum| <= 32,767 * 1e56 < 2**202),
#      lastIndex (203..217), active count in the client's primary decimals (218..232),
#      primary decimals = those of its first feedback (233..237), active count in any other
#      decimals (238..252). Other decimals are counted in `_client_counts` (16-bit lanes for
#      0..14, and at bits 240..255 the count with 15..18 decimals) and `_client_counts_hi`
#      (lanes for 15..18), which a client that keeps one precision never writes.
_M203: constant(uint256) = 2**203 - 1
_M15: constant(uint256) = 2**15 - 1
_M16: constant(uint256) = 2**16 - 1
_LAST_SHIFT: constant(uint256) = 203
_PCOUNT_SHIFT: constant(uint256) = 218
_PDEC_SHIFT: constant(uint256) = 233
_OTHER_SHIFT: constant(uint256) = 238
# @dev 16-bit lanes 0, 2, ..., 14 (even lanes) and 0, 2, ..., 12 of a counts word; adding
#      masked words accumulates up to 2**16 words without carrying into the next lane used.
_EVEN_LANES: constant(uint256) = 1766820105243087041267848467410591083712559083657179364930612997358944255
_ODD_LANES: constant(uint256) = 411369862324345633682759587515748823925982947381487899676573695
_M32: constant(uint256) = 2**32 - 1

# @dev Per-agent word 0: client count (bits 0..31), count of active feedback with >= 6
#      decimals (32..63), counts for decimals 0..5 (32 bits each from bit 64).
#      Word 1: counts for decimals 6..13; word 2: decimals 14..18.

_WAD_DECIMALS: constant(uint8) = 18


# STORAGE #


# @dev The Identity registry whose agents receive feedback.
_IDENTITY: immutable(IIdentityRegistry)

### FEEDBACK ###

# @dev agentId => client => feedbackIndex => packed value/decimals/tag lengths/revoked.
_feedback: HashMap[uint256, HashMap[address, HashMap[uint64, uint256]]]
# @dev agentId => client => feedbackIndex => tag bytes (tag1 then tag2, left aligned, when
#      they fit together in 32 bytes; otherwise tag1 only).
_tags: HashMap[uint256, HashMap[address, HashMap[uint64, uint256]]]
# @dev tag2 when it did not fit beside tag1.
_tags2: HashMap[uint256, HashMap[address, HashMap[uint64, uint256]]]

### AGGREGATES ###

# @dev agentId => client => WAD sum | lastIndex | high-decimals count (see layout above).
_client_word: HashMap[uint256, HashMap[address, uint256]]
# @dev agentId => client => active non-primary counts for decimals 0..14, and 15..18 total.
_client_counts: HashMap[uint256, HashMap[address, uint256]]
# @dev agentId => client => active non-primary counts for decimals 15..18 (16 bits each).
_client_counts_hi: HashMap[uint256, HashMap[address, uint256]]
# @dev agentId => WAD sum of every active feedback (checked int256).
_agent_sum: HashMap[uint256, int256]
# @dev agentId => client count and per-decimals counts (three words, see layout above).
_agent_words: HashMap[uint256, uint256[3]]

### CLIENTS ###

# @dev agentId => position => client, in order of first feedback.
_clients: HashMap[uint256, HashMap[uint256, address]]
# @dev agentId => keccak chain over the client list: h' = keccak256(h ++ client).
_clients_hash: HashMap[uint256, bytes32]

### RESPONSES ###

# @dev agentId => client => feedbackIndex => number of responses.
_responses: HashMap[uint256, HashMap[address, HashMap[uint64, uint64]]]
# @dev agentId => client => feedbackIndex => responder => number of responses.
_responses_by: HashMap[uint256, HashMap[address, HashMap[uint64, HashMap[address, uint64]]]]


# CONSTRUCTOR #


@deploy
def __init__(identity_registry: address):
    """
    @dev The registry is immutable: no proxy, no admin key.
    @param identity_registry The ERC-8004 Identity registry.
    """
    assert identity_registry != empty(address), "reputation: zero identity registry"
    _IDENTITY = IIdentityRegistry(identity_registry)


# INTERNAL: PACKING #


@internal
@pure
def _to_word(s: String[32]) -> uint256:
    """
    @dev The bytes of `s`, left aligned in a word (zero padded).
    """
    if len(s) == 0:
        return 0
    return convert(convert(convert(s, Bytes[32]), bytes32), uint256)


@internal
@pure
def _from_word(w: uint256, n: uint256) -> String[32]:
    """
    @dev The first `n` bytes of the left-aligned word `w` as a string.
    """
    if n == 0:
        return ""
    return convert(slice(convert(w, bytes32), 0, n), String[32])


@internal
@pure
def _signed(u: uint256, bits: uint256) -> int256:
    """
    @dev Reads a two's complement number of `bits` bits.
    """
    # move the sign bit to bit 255, reinterpret, shift back arithmetically
    return convert(convert(u << (256 - bits), bytes32), int256) >> (256 - bits)


@internal
@pure
def _unsigned(v: int256, bits: uint256) -> uint256:
    """
    @dev Writes `v` as a two's complement number of `bits` bits (caller checks the range).
    """
    if v < 0:
        return convert(v + convert(1 << bits, int256), uint256)
    return convert(v, uint256)


@internal
@pure
def _lane(w: uint256, i: uint256, width: uint256) -> uint256:
    """
    @dev Lane `i` of `width` bits of the packed word `w`.
    """
    return (w >> (i * width)) & ((1 << width) - 1)


@internal
@pure
def _wad(v: int128, decimals: uint8) -> int256:
    """
    @dev `v / 10**decimals` in 18 decimals (exact: |v| <= 1e38, so |result| <= 1e56).
    """
    return convert(v, int256) * convert(10 ** convert(_WAD_DECIMALS - decimals, uint256), int256)


@internal
@view
def _last_index(agent_id: uint256, client: address) -> uint64:
    """
    @dev The number of feedbacks `client` gave `agent_id` (from its aggregate word).
    """
    return convert((self._client_word[agent_id][client] >> _LAST_SHIFT) & _M15, uint64)


@internal
@view
def _check_index(agent_id: uint256, client: address, index: uint64):
    """
    @dev Reverts unless `index` names an existing feedback of `client` to `agent_id`.
    """
    assert index > 0, "reputation: index must be > 0"
    assert index <= self._last_index(agent_id, client), "reputation: index out of bounds"


@internal
@view
def _read_tags(agent_id: uint256, client: address, index: uint64, word: uint256) -> (String[32], String[32]):
    """
    @dev The two tags of a feedback whose packed word is `word`.
    """
    n1: uint256 = (word >> 136) & 255
    n2: uint256 = (word >> 144) & 255
    if n1 + n2 == 0:
        return "", ""
    t: uint256 = self._tags[agent_id][client][index]
    if n1 + n2 <= 32:
        return self._from_word(t, n1), self._from_word(t << (8 * n1), n2)
    return self._from_word(t, n1), self._from_word(self._tags2[agent_id][client][index], n2)


@internal
@view
def _matches(agent_id: uint256, client: address, index: uint64, word: uint256, n1: uint256, w1: uint256, n2: uint256, w2: uint256) -> bool:
    """
    @dev True when the feedback's tags equal the filters (an empty filter matches anything).
         Lengths are compared first from the already loaded word; the tag slot is read once.
    """
    s1: uint256 = (word >> 136) & 255
    s2: uint256 = (word >> 144) & 255
    if n1 != 0 and s1 != n1:
        return False
    if n2 != 0 and s2 != n2:
        return False
    t: uint256 = self._tags[agent_id][client][index]
    if n1 != 0 and (t >> (256 - 8 * n1)) != (w1 >> (256 - 8 * n1)):
        return False
    if n2 != 0:
        t2: uint256 = 0
        if s1 + s2 <= 32:
            t2 = t << (8 * s1)
        else:
            t2 = self._tags2[agent_id][client][index]
        if (t2 >> (256 - 8 * n2)) != (w2 >> (256 - 8 * n2)):
            return False
    return True


# INTERNAL: AGGREGATES #


@internal
def _count_client(agent_id: uint256, client: address, word: uint256, decimals: uint256, up: bool) -> uint256:
    """
    @dev Adds (or removes) one feedback of `decimals` decimals to the client's counts;
         returns the client word with its counts updated (the caller stores it).
    """
    w: uint256 = word
    if decimals == (w >> _PDEC_SHIFT) & 31:
        if up:
            return w + (1 << _PCOUNT_SHIFT)
        return w - (1 << _PCOUNT_SHIFT)
    if up:
        w += 1 << _OTHER_SHIFT
    else:
        w -= 1 << _OTHER_SHIFT
    c: uint256 = self._client_counts[agent_id][client]
    if decimals < 15:
        if up:
            c += 1 << (16 * decimals)
        else:
            c -= 1 << (16 * decimals)
    else:
        h: uint256 = self._client_counts_hi[agent_id][client]
        if up:
            c += 1 << 240
            h += 1 << (16 * (decimals - 15))
        else:
            c -= 1 << 240
            h -= 1 << (16 * (decimals - 15))
        self._client_counts_hi[agent_id][client] = h
    self._client_counts[agent_id][client] = c
    return w


@internal
def _count_agent(agent_id: uint256, decimals: uint256, up: bool, new_client: bool):
    """
    @dev Adds (or removes) one feedback of `decimals` decimals to the agent's counts.
         Counts are 32 bits; the agent-wide count of one precision cannot pass 2**32 - 1.
    """
    w0: uint256 = self._agent_words[agent_id][0]
    if new_client:
        assert w0 & _M32 < _M32, "reputation: too many clients"
        w0 += 1
    if decimals < 6:
        if up:
            assert self._lane(w0, 2 + decimals, 32) < _M32, "reputation: agent counter full"
            w0 += 1 << (64 + 32 * decimals)
        else:
            w0 -= 1 << (64 + 32 * decimals)
    else:
        word_i: uint256 = 1
        lane: uint256 = decimals - 6
        if decimals >= 14:
            word_i = 2
            lane = decimals - 14
        wi: uint256 = self._agent_words[agent_id][word_i]
        if up:
            assert self._lane(wi, lane, 32) < _M32, "reputation: agent counter full"
            assert (w0 >> 32) & _M32 < _M32, "reputation: agent counter full"
            wi += 1 << (32 * lane)
            w0 += 1 << 32
        else:
            wi -= 1 << (32 * lane)
            w0 -= 1 << 32
        self._agent_words[agent_id][word_i] = wi
    self._agent_words[agent_id][0] = w0


@internal
@pure
def _mode(counts: uint256[19]) -> uint8:
    """
    @dev The most frequent number of decimals; ties go to the lower one.
    """
    best: uint256 = 0
    mode: uint256 = 0
    for d: uint256 in range(19):
        if counts[d] > best:
            best = counts[d]
            mode = d
    return convert(mode, uint8)


@internal
@pure
def _finish(total: int256, count: uint256, counts: uint256[19]) -> (uint64, int128, uint8):
    """
    @dev Average in 18 decimals (truncated toward zero), expressed in the mode's decimals
         (truncated toward zero) and saturated to the int128 range instead of wrapping.
    """
    if count == 0:
        return 0, 0, 0
    mode: uint8 = self._mode(counts)
    avg: int256 = total // convert(count, int256)
    scaled: int256 = avg // convert(10 ** convert(_WAD_DECIMALS - mode, uint256), int256)
    if scaled > convert(max_value(int128), int256):
        scaled = convert(max_value(int128), int256)
    elif scaled < convert(min_value(int128), int256):
        scaled = convert(min_value(int128), int256)
    return convert(count, uint64), convert(scaled, int128), mode


@internal
@view
def _is_all_clients(agent_id: uint256, clients: DynArray[address, MAX_CLIENTS], n_clients: uint256) -> bool:
    """
    @dev True when `clients` is exactly the agent's client list, in `getClients` order.
    """
    if len(clients) != n_clients:
        return False
    h: bytes32 = empty(bytes32)
    for c: address in clients:
        h = keccak256(concat(h, convert(c, bytes32)))
    return h == self._clients_hash[agent_id]


# INTERNAL: READS #


@internal
@view
def _client_at(agent_id: uint256, clients: DynArray[address, MAX_CLIENTS], all_clients: bool, i: uint256) -> address:
    """
    @dev The `i`-th client of the given list, or of the agent's client list for [].
    """
    if all_clients:
        return self._clients[agent_id][i]
    return clients[i]


@internal
@view
def _scan(
    agent_id: uint256,
    clients: DynArray[address, MAX_CLIENTS],
    tag1: String[32],
    tag2: String[32],
    include_revoked: bool,
    offset: uint256,
    limit: uint256,
    strict: bool,
) -> (DynArray[uint256, MAX_READ], uint256):
    """
    @dev Walks the feedback positions (client by client, index ascending) in
         [offset, offset + limit) and returns the entries that pass the filters, each packed
         as `client << 96 | index`, plus the total number of positions. With `strict`, more
         than MAX_READ matches revert. Returning packed pairs (not the seven result arrays)
         keeps the memory a read touches, and so its gas, small.
    """
    out: DynArray[uint256, MAX_READ] = []
    all_clients: bool = len(clients) == 0
    n_clients: uint256 = len(clients)
    if all_clients:
        n_clients = self._agent_words[agent_id][0] & _M32
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)
    w1: uint256 = self._to_word(tag1)
    w2: uint256 = self._to_word(tag2)
    pos: uint256 = 0
    end: uint256 = offset + limit
    for ci: uint256 in range(n_clients, bound=_MAX_AGENT_CLIENTS):
        client: address = self._client_at(agent_id, clients, all_clients, ci)
        last: uint256 = convert(self._last_index(agent_id, client), uint256)
        if pos + last <= offset or pos >= end:
            pos += last
            continue
        start: uint256 = 1
        if offset > pos:
            start = offset - pos + 1
        stop: uint256 = last
        if end < pos + last:
            stop = end - pos
        for j: uint256 in range(start, stop + 1, bound=MAX_FEEDBACK_PER_CLIENT):
            idx: uint64 = convert(j, uint64)
            word: uint256 = self._feedback[agent_id][client][idx]
            if word & _REVOKED_BIT != 0 and not include_revoked:
                continue
            if (n1 != 0 or n2 != 0) and not self._matches(agent_id, client, idx, word, n1, w1, n2, w2):
                continue
            assert len(out) < MAX_READ or not strict, "reputation: too many results, use readAllFeedbackPaged"
            out.append((convert(client, uint256) << 96) | j)
        pos += last
    return out, pos


# EXTERNAL: WRITES #


@external
def giveFeedback(
    agentId: uint256,
    feedbackValue: int128,
    valueDecimals: uint8,
    tag1: String[32],
    tag2: String[32],
    endpoint: String[512],
    feedbackURI: String[1024],
    feedbackHash: bytes32,
):
    """
    @notice Gives feedback `feedbackValue / 10**valueDecimals` to agent `agentId`.
    @dev Refused for the agent's owner, its approved operators and its agentWallet, and for
         an agent that does not exist (the Identity registry reverts). `endpoint`,
         `feedbackURI` and `feedbackHash` are only emitted.
    @param agentId The agent.
    @param feedbackValue Signed fixed-point value (the spec's `value`; `value` is reserved in Vyper), |value| <= 1e38.
    @param valueDecimals Decimals of `value`, 0..18.
    @param tag1 First tag (<= 32 bytes; "" for none).
    @param tag2 Second tag (<= 32 bytes; "" for none).
    @param endpoint The agent endpoint the feedback is about (<= 512 bytes).
    @param feedbackURI Off-chain feedback file (<= 1024 bytes).
    @param feedbackHash keccak256 of the feedback file (or zero).
    """
    assert valueDecimals <= _WAD_DECIMALS, "reputation: too many decimals"
    assert feedbackValue <= MAX_ABS_VALUE and feedbackValue >= -MAX_ABS_VALUE, "reputation: value too large"
    assert not staticcall _IDENTITY.isAuthorizedOrOwner(msg.sender, agentId), "reputation: self-feedback not allowed"
    assert staticcall _IDENTITY.getAgentWallet(agentId) != msg.sender, "reputation: self-feedback from agent wallet"

    cw: uint256 = self._client_word[agentId][msg.sender]
    last: uint256 = (cw >> _LAST_SHIFT) & _M15
    assert last < MAX_FEEDBACK_PER_CLIENT, "reputation: feedback limit per client reached"
    new_client: bool = last == 0
    if new_client:
        cw = convert(valueDecimals, uint256) << _PDEC_SHIFT
        n: uint256 = self._agent_words[agentId][0] & _M32
        self._clients[agentId][n] = msg.sender
        self._clients_hash[agentId] = keccak256(concat(self._clients_hash[agentId], convert(msg.sender, bytes32)))
    index: uint64 = convert(last + 1, uint64)

    # aggregates
    wad: int256 = self._wad(feedbackValue, valueDecimals)
    client_sum: int256 = self._signed(cw & _M203, 203) + wad  # |sum| <= 32,767 * 1e56 < 2**202
    cw = self._count_client(agentId, msg.sender, cw, convert(valueDecimals, uint256), True)
    cw = (cw & ~(_M203 | (_M15 << _LAST_SHIFT))) | self._unsigned(client_sum, 203) | ((last + 1) << _LAST_SHIFT)
    self._client_word[agentId][msg.sender] = cw
    self._agent_sum[agentId] += wad
    self._count_agent(agentId, convert(valueDecimals, uint256), True, new_client)

    # the feedback itself
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)
    word: uint256 = self._unsigned(convert(feedbackValue, int256), 128) | (convert(valueDecimals, uint256) << 128) | (n1 << 136) | (n2 << 144)
    self._feedback[agentId][msg.sender][index] = word
    if n1 + n2 > 0:
        w1: uint256 = self._to_word(tag1)
        w2: uint256 = self._to_word(tag2)
        if n1 + n2 <= 32:
            self._tags[agentId][msg.sender][index] = w1 | (w2 >> (8 * n1))
        else:
            self._tags[agentId][msg.sender][index] = w1
            self._tags2[agentId][msg.sender][index] = w2

    log NewFeedback(
        agentId=agentId,
        clientAddress=msg.sender,
        feedbackIndex=index,
        value=feedbackValue,
        valueDecimals=valueDecimals,
        indexedTag1=tag1,
        tag1=tag1,
        tag2=tag2,
        endpoint=endpoint,
        feedbackURI=feedbackURI,
        feedbackHash=feedbackHash,
    )


@external
def revokeFeedback(agentId: uint256, feedbackIndex: uint64):
    """
    @notice Revokes the caller's own feedback `feedbackIndex` to agent `agentId`.
    @dev Revoked feedback stays readable but never counts in a summary.
    @param agentId The agent.
    @param feedbackIndex The caller's 1-based feedback index.
    """
    self._check_index(agentId, msg.sender, feedbackIndex)
    word: uint256 = self._feedback[agentId][msg.sender][feedbackIndex]
    assert word & _REVOKED_BIT == 0, "reputation: already revoked"
    self._feedback[agentId][msg.sender][feedbackIndex] = word | _REVOKED_BIT

    decimals: uint8 = convert((word >> 128) & 255, uint8)
    wad: int256 = self._wad(convert(self._signed(word & _M128, 128), int128), decimals)
    cw: uint256 = self._client_word[agentId][msg.sender]
    client_sum: int256 = self._signed(cw & _M203, 203) - wad
    cw = self._count_client(agentId, msg.sender, cw, convert(decimals, uint256), False)
    self._client_word[agentId][msg.sender] = (cw & ~_M203) | self._unsigned(client_sum, 203)
    self._agent_sum[agentId] -= wad
    self._count_agent(agentId, convert(decimals, uint256), False, False)
    log FeedbackRevoked(agentId=agentId, clientAddress=msg.sender, feedbackIndex=feedbackIndex)


@external
def appendResponse(
    agentId: uint256,
    clientAddress: address,
    feedbackIndex: uint64,
    responseURI: String[1024],
    responseHash: bytes32,
):
    """
    @notice Appends a response (e.g. the agent's rebuttal, a refund proof) to a feedback.
    @dev Anyone may respond, any number of times, also to revoked feedback.
    @param agentId The agent.
    @param clientAddress The client who gave the feedback.
    @param feedbackIndex The client's 1-based feedback index.
    @param responseURI The response (non-empty, <= 1024 bytes).
    @param responseHash keccak256 of the response content (or zero).
    """
    assert len(responseURI) > 0, "reputation: empty response URI"
    self._check_index(agentId, clientAddress, feedbackIndex)
    self._responses[agentId][clientAddress][feedbackIndex] += 1
    self._responses_by[agentId][clientAddress][feedbackIndex][msg.sender] += 1
    log ResponseAppended(
        agentId=agentId,
        clientAddress=clientAddress,
        feedbackIndex=feedbackIndex,
        responder=msg.sender,
        responseURI=responseURI,
        responseHash=responseHash,
    )


# EXTERNAL: READS #


@external
@view
def getIdentityRegistry() -> address:
    """
    @notice The Identity registry this registry reads agents from.
    @return The Identity registry's address.
    """
    return _IDENTITY.address


@external
@view
def getLastIndex(agentId: uint256, clientAddress: address) -> uint64:
    """
    @notice The number of feedbacks `clientAddress` gave `agentId` (its last 1-based index).
    @param agentId The agent.
    @param clientAddress The client.
    @return The last index (0 when none).
    """
    return self._last_index(agentId, clientAddress)


@external
@view
def readFeedback(agentId: uint256, clientAddress: address, feedbackIndex: uint64) -> (int128, uint8, String[32], String[32], bool):
    """
    @notice One feedback.
    @param agentId The agent.
    @param clientAddress The client who gave it.
    @param feedbackIndex Its 1-based index.
    @return value, valueDecimals, tag1, tag2, isRevoked.
    """
    self._check_index(agentId, clientAddress, feedbackIndex)
    word: uint256 = self._feedback[agentId][clientAddress][feedbackIndex]
    t1: String[32] = ""
    t2: String[32] = ""
    t1, t2 = self._read_tags(agentId, clientAddress, feedbackIndex, word)
    return (
        convert(self._signed(word & _M128, 128), int128),
        convert((word >> 128) & 255, uint8),
        t1,
        t2,
        word & _REVOKED_BIT != 0,
    )


@external
@view
def getSummary(
    agentId: uint256, clientAddresses: DynArray[address, MAX_CLIENTS], tag1: String[32], tag2: String[32]
) -> (uint64, int128, uint8):
    """
    @notice Count and average of the active feedback the listed clients gave `agentId`.
    @dev Without tag filters the cost is O(len(clientAddresses)) storage reads, and O(1)
         when the list is exactly `getClients(agentId)`. With a tag filter each listed
         client's feedback is scanned (one or two slots per feedback). A client listed twice
         counts twice (as in the reference). The average is truncated toward zero, returned in
         the most frequent decimals (ties to the lower) and saturated to the int128 range.
    @param agentId The agent.
    @param clientAddresses Whose feedback counts (non-empty, <= 1024).
    @param tag1 Exact tag1 to match, "" for any.
    @param tag2 Exact tag2 to match, "" for any.
    @return count, summaryValue, summaryValueDecimals.
    """
    assert len(clientAddresses) > 0, "reputation: clientAddresses required"
    counts: uint256[19] = empty(uint256[19])
    total: int256 = 0
    count: uint256 = 0
    n1: uint256 = len(tag1)
    n2: uint256 = len(tag2)

    if n1 == 0 and n2 == 0:
        w0: uint256 = self._agent_words[agentId][0]
        if len(clientAddresses) > 1 and self._is_all_clients(agentId, clientAddresses, w0 & _M32):
            # the agent-wide aggregate answers for the whole client list
            for d: uint256 in range(6):
                counts[d] = self._lane(w0, 2 + d, 32)
                count += counts[d]
            if (w0 >> 32) & _M32 != 0:
                w1: uint256 = self._agent_words[agentId][1]
                w2: uint256 = self._agent_words[agentId][2]
                for d: uint256 in range(8):
                    counts[6 + d] = self._lane(w1, d, 32)
                    count += counts[6 + d]
                for d: uint256 in range(5):
                    counts[14 + d] = self._lane(w2, d, 32)
                    count += counts[14 + d]
            return self._finish(self._agent_sum[agentId], count, counts)
        acc_even: uint256 = 0
        acc_odd: uint256 = 0
        for client: address in clientAddresses:
            cw: uint256 = self._client_word[agentId][client]
            if cw == 0:
                continue
            total += convert(convert(cw << 53, bytes32), int256) >> 53  # sign-extend the 203-bit sum
            pc: uint256 = (cw >> _PCOUNT_SHIFT) & _M15
            counts[(cw >> _PDEC_SHIFT) & 31] += pc
            count += pc
            if (cw >> _OTHER_SHIFT) & _M15 != 0:
                cc: uint256 = self._client_counts[agentId][client]
                acc_even += cc & _EVEN_LANES
                acc_odd += (cc >> 16) & _ODD_LANES
                if cc >> 240 != 0:
                    ch: uint256 = self._client_counts_hi[agentId][client]
                    for d: uint256 in range(4):
                        c: uint256 = (ch >> (16 * d)) & _M16
                        counts[15 + d] += c
                        count += c
        if acc_even | acc_odd != 0:
            for d: uint256 in range(8):
                c: uint256 = (acc_even >> (32 * d)) & _M32
                counts[2 * d] += c
                count += c
            for d: uint256 in range(7):
                c: uint256 = (acc_odd >> (32 * d)) & _M32
                counts[2 * d + 1] += c
                count += c
        return self._finish(total, count, counts)

    w1: uint256 = self._to_word(tag1)
    w2: uint256 = self._to_word(tag2)
    for client: address in clientAddresses:
        last: uint256 = convert(self._last_index(agentId, client), uint256)
        for j: uint256 in range(1, last + 1, bound=MAX_FEEDBACK_PER_CLIENT):
            idx: uint64 = convert(j, uint64)
            word: uint256 = self._feedback[agentId][client][idx]
            if word & _REVOKED_BIT != 0:
                continue
            if not self._matches(agentId, client, idx, word, n1, w1, n2, w2):
                continue
            d: uint256 = (word >> 128) & 255
            total += self._wad(convert(self._signed(word & _M128, 128), int128), convert(d, uint8))
            counts[d] += 1
            count += 1
    return self._finish(total, count, counts)


@external
@view
def readAllFeedback(
    agentId: uint256,
    clientAddresses: DynArray[address, MAX_CLIENTS],
    tag1: String[32],
    tag2: String[32],
    includeRevoked: bool,
) -> (
    DynArray[address, MAX_READ],
    DynArray[uint64, MAX_READ],
    DynArray[int128, MAX_READ],
    DynArray[uint8, MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[bool, MAX_READ],
):
    """
    @notice Every feedback of the listed clients (all clients for []) that matches the tags.
    @dev Reverts when more than MAX_READ entries match: use `readAllFeedbackPaged`.
    @param agentId The agent.
    @param clientAddresses The clients, [] for all.
    @param tag1 Exact tag1 to match, "" for any.
    @param tag2 Exact tag2 to match, "" for any.
    @param includeRevoked Whether revoked feedback is returned.
    @return clients, feedbackIndexes, values, valueDecimals, tag1s, tag2s, revokedStatuses.
    """
    pairs: DynArray[uint256, MAX_READ] = []
    total: uint256 = 0
    pairs, total = self._scan(agentId, clientAddresses, tag1, tag2, includeRevoked, 0, max_value(uint256) // 2, True)
    c_: DynArray[address, MAX_READ] = []
    i_: DynArray[uint64, MAX_READ] = []
    v_: DynArray[int128, MAX_READ] = []
    d_: DynArray[uint8, MAX_READ] = []
    t1_: DynArray[String[32], MAX_READ] = []
    t2_: DynArray[String[32], MAX_READ] = []
    r_: DynArray[bool, MAX_READ] = []
    for p: uint256 in pairs:
        client: address = convert(p >> 96, address)
        idx: uint64 = convert(p & _M64, uint64)
        word: uint256 = self._feedback[agentId][client][idx]
        a: String[32] = ""
        b: String[32] = ""
        a, b = self._read_tags(agentId, client, idx, word)
        c_.append(client)
        i_.append(idx)
        v_.append(convert(self._signed(word & _M128, 128), int128))
        d_.append(convert((word >> 128) & 255, uint8))
        t1_.append(a)
        t2_.append(b)
        r_.append(word & _REVOKED_BIT != 0)
    return c_, i_, v_, d_, t1_, t2_, r_


@external
@view
def readAllFeedbackPaged(
    agentId: uint256,
    clientAddresses: DynArray[address, MAX_CLIENTS],
    tag1: String[32],
    tag2: String[32],
    includeRevoked: bool,
    offset: uint256,
    limit: uint256,
) -> (
    DynArray[address, MAX_READ],
    DynArray[uint64, MAX_READ],
    DynArray[int128, MAX_READ],
    DynArray[uint8, MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[String[32], MAX_READ],
    DynArray[bool, MAX_READ],
    uint256,
):
    """
    @notice One page of `readAllFeedback`.
    @dev Positions are the listed clients' feedback in order (client by client, index
         ascending), filtered or not; the page covers positions [offset, offset + limit) and
         returns those that pass the filters, so a page never costs more than `limit`
         feedback reads. `limit` is capped at MAX_READ.
    @param agentId The agent.
    @param clientAddresses The clients, [] for all.
    @param tag1 Exact tag1 to match, "" for any.
    @param tag2 Exact tag2 to match, "" for any.
    @param includeRevoked Whether revoked feedback is returned.
    @param offset First position.
    @param limit Number of positions (<= MAX_READ).
    @return clients, feedbackIndexes, values, valueDecimals, tag1s, tag2s, revokedStatuses,
            and the total number of positions.
    """
    pairs: DynArray[uint256, MAX_READ] = []
    total: uint256 = 0
    pairs, total = self._scan(agentId, clientAddresses, tag1, tag2, includeRevoked, offset, min(limit, MAX_READ), False)
    c_: DynArray[address, MAX_READ] = []
    i_: DynArray[uint64, MAX_READ] = []
    v_: DynArray[int128, MAX_READ] = []
    d_: DynArray[uint8, MAX_READ] = []
    t1_: DynArray[String[32], MAX_READ] = []
    t2_: DynArray[String[32], MAX_READ] = []
    r_: DynArray[bool, MAX_READ] = []
    for p: uint256 in pairs:
        client: address = convert(p >> 96, address)
        idx: uint64 = convert(p & _M64, uint64)
        word: uint256 = self._feedback[agentId][client][idx]
        a: String[32] = ""
        b: String[32] = ""
        a, b = self._read_tags(agentId, client, idx, word)
        c_.append(client)
        i_.append(idx)
        v_.append(convert(self._signed(word & _M128, 128), int128))
        d_.append(convert((word >> 128) & 255, uint8))
        t1_.append(a)
        t2_.append(b)
        r_.append(word & _REVOKED_BIT != 0)
    return c_, i_, v_, d_, t1_, t2_, r_, total


@external
@view
def getClients(agentId: uint256) -> DynArray[address, MAX_CLIENTS]:
    """
    @notice Every client that gave `agentId` feedback, in order of first feedback.
    @dev Reverts beyond MAX_CLIENTS clients: use `getClientsPaged`.
    @param agentId The agent.
    @return The clients.
    """
    n: uint256 = self._agent_words[agentId][0] & _M32
    assert n <= MAX_CLIENTS, "reputation: too many clients, use getClientsPaged"
    out: DynArray[address, MAX_CLIENTS] = []
    for i: uint256 in range(n, bound=MAX_CLIENTS):
        out.append(self._clients[agentId][i])
    return out


@external
@view
def getClientsPaged(agentId: uint256, offset: uint256, limit: uint256) -> (DynArray[address, MAX_READ], uint256):
    """
    @notice Clients `offset` .. `offset + limit - 1` of `agentId`, and how many there are.
    @param agentId The agent.
    @param offset First position (0-based).
    @param limit Page size (capped at MAX_READ).
    @return The page of clients and the total number of clients.
    """
    n: uint256 = self._agent_words[agentId][0] & _M32
    out: DynArray[address, MAX_READ] = []
    if offset >= n:
        return out, n
    stop: uint256 = min(n, offset + min(limit, MAX_READ))
    for i: uint256 in range(offset, stop, bound=MAX_READ):
        out.append(self._clients[agentId][i])
    return out, n


@external
@view
def getResponseCount(
    agentId: uint256, clientAddress: address, feedbackIndex: uint64, responders: DynArray[address, MAX_RESPONDERS]
) -> uint64:
    """
    @notice How many responses were appended.
    @dev `clientAddress` 0 means every client, `feedbackIndex` 0 every feedback of each
         client (otherwise that index for each client that has it), `responders` [] every
         responder. Wildcards walk the matching feedback (O(feedback)).
    @param agentId The agent.
    @param clientAddress The client, or 0 for all.
    @param feedbackIndex The 1-based index, or 0 for all.
    @param responders Whose responses count, [] for everyone's (<= 64).
    @return The number of responses.
    """
    count: uint64 = 0
    all_clients: bool = clientAddress == empty(address)
    n_clients: uint256 = 1
    if all_clients:
        n_clients = self._agent_words[agentId][0] & _M32
    for ci: uint256 in range(n_clients, bound=_MAX_AGENT_CLIENTS):
        client: address = clientAddress
        if all_clients:
            client = self._clients[agentId][ci]
        last: uint64 = self._last_index(agentId, client)
        first: uint64 = 1
        if feedbackIndex != 0:
            if feedbackIndex > last:
                continue
            first = feedbackIndex
            last = feedbackIndex
        for j: uint64 in range(first, last + 1, bound=65_535):
            if len(responders) == 0:
                count += self._responses[agentId][client][j]
            else:
                for r: address in responders:
                    count += self._responses_by[agentId][client][j][r]
    return count
