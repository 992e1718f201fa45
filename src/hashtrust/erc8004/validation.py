"""ERC-8004 Validation: the request-file model and the `ValidationRegistry` client.

A validation request commits to a *request file*: a small JSON document that says which agent
asks which validator to check what (``payload``) and what the answer should be based on. The
file is serialised canonically (sorted keys, no spaces, UTF-8), its keccak256 is the on-chain
``requestHash``, and it travels as a ``data:application/json;base64,...`` URI (or any URI the
validator's resolver fetches: ``https://``, ``ipfs://``, ``http://`` to loopback hosts; see
`hashtrust.chain.fetch`). A validator fetches the file, checks that its
keccak equals the hash, evaluates it, and answers 0..100.

    client = ValidationClient.from_book(w3, book, sender)
    req = RequestFile.build(chain_id, identity_address, agent_id, validator, payload={...})
    h, receipt = client.request_file(validator, agent_id, req)
    client.attestation(agent_id, h)            # Attestation(status=PENDING, ...)

Records live per (agentId, requestHash) in the contract; see docs/validation.md.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_utils import keccak
from web3 import Web3

from hashtrust.chain import jsonsafe
from hashtrust.chain.checks import ZERO32, check_address, check_bytes32, check_text
from hashtrust.chain.client import ContractClient
from hashtrust.errors import HashtrustError, InputError

# Published limits (the contract's constants).
MAX_URI = 4_096
MAX_TAG = 31
MAX_FILTER = 32
MAX_PAGE = 1_024
MAX_RESPONSE = 100

REQUEST_TYPE = "hashtrust/validation-request-v1"
RESPONSE_TYPE = "hashtrust/validation-response-v1"


class Status(IntEnum):
    """A request's state (`getRequestState` / `getAttestation`). An answer outranks a cancel: a
    request its owner cancelled and its validator answered afterwards reads ANSWERED or
    FINALIZED (`ValidationClient.is_cancelled` still tells it was withdrawn)."""

    NONE = 0
    PENDING = 1
    ANSWERED = 2  # progressive: may still change
    FINALIZED = 3
    CANCELLED = 4  # withdrawn and not answered (its validator may still answer it)


# ---------------------------------------------------------------------------- request files
def canonical_json(obj: Any) -> bytes:
    """The canonical serialisation whose keccak256 is a request/response hash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def data_uri(content: bytes, mime: str = "application/json") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode()


def payload_hash(payload: Any) -> str:
    """keccak256 of the canonical payload, 0x-hex: what the default check recomputes."""
    return "0x" + keccak(canonical_json(payload)).hex()


@dataclass(frozen=True)
class RequestFile:
    """The document a validation request commits to; ``hash`` is the on-chain requestHash.

    ``payload`` is whatever the validator must re-check (e.g. a job's inputs and claimed
    output); ``payloadHash`` is the requester's claim about it, which the default check recomputes.
    """

    agentRegistry: str  # "eip155:{chainId}:{identityRegistry}"
    agentId: int
    validator: str
    payload: Any
    payloadHash: str
    createdAt: str
    type: str = REQUEST_TYPE
    extra: dict = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        chain_id: int,
        identity_registry: str,
        agent_id: int,
        validator: str,
        payload: Any,
        *,
        claimed_hash: str | None = None,
        created_at: str | None = None,
        extra: dict | None = None,
    ) -> RequestFile:
        """A request file for ``payload``; ``claimed_hash`` defaults to the payload's true hash."""
        return cls(
            agentRegistry=f"eip155:{int(chain_id)}:{Web3.to_checksum_address(identity_registry)}",
            agentId=int(agent_id),
            validator=Web3.to_checksum_address(validator),
            payload=payload,
            payloadHash=claimed_hash or payload_hash(payload),
            createdAt=created_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            extra=dict(extra or {}),
        )

    def to_json(self) -> dict:
        d = {
            "type": self.type,
            "agentRegistry": self.agentRegistry,
            "agentId": self.agentId,
            "validator": self.validator,
            "payload": self.payload,
            "payloadHash": self.payloadHash,
            "createdAt": self.createdAt,
        }
        d.update(self.extra)
        return d

    def content(self) -> bytes:
        return canonical_json(self.to_json())

    @property
    def hash(self) -> bytes:
        """The requestHash: keccak256 of the canonical file."""
        return keccak(self.content())

    def uri(self) -> str:
        return data_uri(self.content())

    @classmethod
    def parse(cls, content: bytes) -> RequestFile:
        """Read a request file; raises `HashtrustError` naming what is wrong."""
        try:
            d = jsonsafe.loads(content.decode())
        except (UnicodeDecodeError, ValueError) as exc:
            raise HashtrustError(f"request file is not JSON: {exc}") from None
        if not isinstance(d, dict):
            raise HashtrustError("request file is not a JSON object")
        if d.get("type") != REQUEST_TYPE:
            raise HashtrustError(f"request file type is {d.get('type')!r}, expected {REQUEST_TYPE!r}")
        try:
            known = {"type", "agentRegistry", "agentId", "validator", "payload", "payloadHash", "createdAt"}
            return cls(
                agentRegistry=str(d["agentRegistry"]),
                agentId=int(d["agentId"]),
                validator=str(d["validator"]),
                payload=d["payload"],
                payloadHash=str(d["payloadHash"]),
                createdAt=str(d["createdAt"]),
                extra={k: v for k, v in d.items() if k not in known},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise HashtrustError(f"request file lacks or mangles a field: {exc!r}") from None


# ---------------------------------------------------------------------------- views
@dataclass(frozen=True)
class ValidationStatus:
    """`getValidationStatus` (spec shape)."""

    validator: str
    agent_id: int
    response: int
    response_hash: bytes
    tag: str
    last_update: int


@dataclass(frozen=True)
class RequestState:
    """`getRequestState(hash)`: the hash's primary record."""

    status: Status
    agent_id: int
    validator: str
    response: int
    finalized: bool


@dataclass(frozen=True)
class Attestation:
    """`getAttestation(agentId, hash)`: the squat-proof per-agent record."""

    status: Status
    validator: str
    response: int
    finalized: bool
    last_update: int


def _response(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_RESPONSE:
        raise InputError("response", f"must be an integer 0..{MAX_RESPONSE}, got {value!r}")
    return value


def _page(offset: int, limit: int) -> None:
    if offset < 0:
        raise InputError("offset", "must be >= 0")
    if not 0 <= limit <= MAX_PAGE:
        raise InputError("limit", f"must be 0..{MAX_PAGE}")


# ---------------------------------------------------------------------------- client
class ValidationClient(ContractClient):
    """Client of `ValidationRegistry`: request, respond, finalise, cancel, status, summary, lists."""

    CONTRACT = "ValidationRegistry"
    BOOK_NAME = "ValidationRegistry"
    BOUND_TO = ("IdentityRegistry", "getIdentityRegistry")  # from_book refuses one bound to another registry

    # ------------------------------------------------------------------ writes
    def request(self, validator: str, agent_id: int, request_uri: str, request_hash: bytes | str) -> Any:
        """`validationRequest` (as the agent's owner/operator); returns the receipt."""
        return self._send(
            "validationRequest",
            check_address(validator, "validator"),
            int(agent_id),
            check_text(request_uri, "request_uri", MAX_URI),
            check_bytes32(request_hash, "request_hash", nonzero=True),
        )

    def request_file(self, validator: str, agent_id: int, req: RequestFile, uri: str | None = None) -> tuple[bytes, Any]:
        """Request validation of ``req`` (sent as a data: URI unless ``uri`` is given); returns (hash, receipt)."""
        if req.agentId != int(agent_id):
            raise InputError("agent_id", f"request file names agent {req.agentId}, not {agent_id}")
        if Web3.to_checksum_address(req.validator) != check_address(validator, "validator"):
            raise InputError("validator", f"request file names validator {req.validator}")
        return req.hash, self.request(validator, agent_id, uri if uri is not None else req.uri(), req.hash)

    def respond(
        self,
        request_hash: bytes | str,
        response: int,
        *,
        response_uri: str = "",
        response_hash: bytes | str = ZERO32,
        tag: str = "",
        agent_id: int | None = None,
        finalize: bool = False,
    ) -> Any:
        """Answer a request (as its validator). Without ``agent_id`` and ``finalize`` this is the
        spec's `validationResponse`, which answers the one record of the hash that names this
        validator (it reverts "ambiguous" when another agent used the same hash naming the same
        validator: pass ``agent_id`` then); otherwise `validationResponseFor`, with ``agent_id``
        defaulting to that same record's agent (`getRequestAgent`), never to the hash's first
        requester, which may be a front-running squatter."""
        h = check_bytes32(request_hash, "request_hash")
        args = (
            _response(response),
            check_text(response_uri, "response_uri", MAX_URI),
            check_bytes32(response_hash, "response_hash"),
            check_text(tag, "tag", MAX_TAG),
        )
        if agent_id is None and not finalize:
            return self._send("validationResponse", h, *args)
        if agent_id is None:
            agent_id = self.request_agent(h, self._require_sender().address)
        return self._send("validationResponseFor", int(agent_id), h, *args, bool(finalize))

    def finalize(self, agent_id: int, request_hash: bytes | str) -> Any:
        """`finalizeValidation`: the validator's current answer becomes permanent."""
        return self._send("finalizeValidation", int(agent_id), check_bytes32(request_hash, "request_hash"))

    def cancel(self, agent_id: int, request_hash: bytes | str) -> Any:
        """`cancelValidation`: withdraw a request that has no answer yet (as the agent's
        owner/operator). It tells the validator it need not work on the request; it erases and
        blocks nothing: the validator may still answer (and finalise), and that answer counts."""
        return self._send("cancelValidation", int(agent_id), check_bytes32(request_hash, "request_hash"))

    # ------------------------------------------------------------------ reads
    def identity_registry(self) -> str:
        return self._view("getIdentityRegistry")

    def status(self, request_hash: bytes | str) -> ValidationStatus:
        """`getValidationStatus` (primary record; reverts for an unknown hash)."""
        return ValidationStatus(*self._view("getValidationStatus", check_bytes32(request_hash, "request_hash")))

    def status_for(self, agent_id: int, request_hash: bytes | str) -> ValidationStatus:
        return ValidationStatus(*self._view("getValidationStatusFor", int(agent_id), check_bytes32(request_hash, "request_hash")))

    def state(self, request_hash: bytes | str) -> RequestState:
        s, a, v, r, f = self._view("getRequestState", check_bytes32(request_hash, "request_hash"))
        return RequestState(Status(s), a, v, r, f)

    def request_agent(self, request_hash: bytes | str, validator: str) -> int:
        """`getRequestAgent`: the agent whose record of the hash names ``validator`` (the record
        the validator's hash-only answer reaches). Reverts (a `RevertError`) for an unknown
        hash, a validator no record names, or several agents' records naming it ("ambiguous")."""
        return int(self._view("getRequestAgent", check_bytes32(request_hash, "request_hash"), check_address(validator, "validator")))

    def attestation(self, agent_id: int, request_hash: bytes | str, block: Any = "latest") -> Attestation:
        s, v, r, f, t = self._view("getAttestation", int(agent_id), check_bytes32(request_hash, "request_hash"), block=block)
        return Attestation(Status(s), v, r, f, t)

    def is_cancelled(self, agent_id: int, request_hash: bytes | str) -> bool:
        """`isCancelled`: whether the request was withdrawn (answered afterwards or not)."""
        return bool(self._view("isCancelled", int(agent_id), check_bytes32(request_hash, "request_hash")))

    def summary(self, agent_id: int, validators: list[str] | tuple = (), tag: str = "") -> tuple[int, int]:
        """(count, floor average) over answered requests, any history length (pages through
        `getSummaryRange` when the agent has more than 1,024 requests)."""
        vs = [check_address(v, f"validators[{i}]") for i, v in enumerate(validators)]
        if len(vs) > MAX_FILTER:
            raise InputError("validators", f"{len(vs)} given, at most {MAX_FILTER}")
        check_text(tag, "tag", MAX_TAG)
        count = total_sum = offset = 0
        while True:
            c, s, total = self._view("getSummaryRange", int(agent_id), vs, tag, offset, MAX_PAGE)
            count += c
            total_sum += s
            offset += MAX_PAGE
            if offset >= total:
                break
        return count, (total_sum // count if count else 0)

    def summary_spec(self, agent_id: int, validators: list[str] | tuple = (), tag: str = "") -> tuple[int, int]:
        """The spec's `getSummary` as is (reverts beyond 1,024 requests)."""
        return tuple(self._view("getSummary", int(agent_id), [check_address(v, "validators") for v in validators], check_text(tag, "tag", MAX_TAG)))

    def agent_validations(self, agent_id: int) -> list[bytes]:
        """Every request hash of the agent, oldest first (paged reads)."""
        out: list[bytes] = []
        offset = 0
        while True:
            items, total = self.agent_validations_page(agent_id, offset, MAX_PAGE)
            out.extend(items)
            offset += MAX_PAGE
            if offset >= total:
                return out

    def agent_validations_page(self, agent_id: int, offset: int, limit: int) -> tuple[list[bytes], int]:
        _page(offset, limit)
        items, total = self._view("getAgentValidationsPaged", int(agent_id), offset, limit)
        return [bytes(h) for h in items], total

    def validator_requests(self, validator: str, offset: int = 0) -> list[tuple[bytes, int]]:
        """(requestHash, agentId) of every request addressed to ``validator`` from ``offset`` on."""
        out: list[tuple[bytes, int]] = []
        while True:
            hashes, agents, total = self.validator_requests_page(validator, offset, MAX_PAGE)
            out.extend(zip(hashes, agents))
            offset += MAX_PAGE
            if offset >= total:
                return out

    def validator_requests_page(self, validator: str, offset: int, limit: int) -> tuple[list[bytes], list[int], int]:
        _page(offset, limit)
        hashes, agents, total = self._view("getValidatorRequestsPaged", Web3.to_checksum_address(validator), offset, limit)
        return [bytes(h) for h in hashes], list(agents), total

    def request_uris(self, validator: str, from_block: int = 0) -> dict[tuple[int, bytes], str]:
        """(agentId, requestHash) -> requestURI from the `ValidationRequest` logs addressed to ``validator``
        (the URI is emitted, not stored). URIs are `hashtrust.chain.decode.ChainText`: one that is
        not UTF-8 is kept (``.valid`` is False) for the validator to quarantine, never fatal to the others."""
        topic = "0x" + "00" * 12 + Web3.to_checksum_address(validator)[2:].lower()
        return {
            (int(ev["args"]["agentId"]), bytes(ev["args"]["requestHash"])): ev["args"]["requestURI"]
            for ev in self.logs("ValidationRequest", [topic], from_block=from_block)
        }
