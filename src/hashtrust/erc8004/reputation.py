"""Client of the ERC-8004 Reputation registry, and the human-number encoding of feedback values.

A feedback value is a signed fixed-point number ``value / 10**valueDecimals`` with
``valueDecimals`` in 0..18 and ``|value| <= 1e38``. `encode_value` turns what a person writes
(``87``, ``"99.77"``, ``Decimal("-3.2")``) into that pair, keeping the decimals the person wrote
(``"99.70"`` is ``(9970, 2)``); `decode_value` turns it back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from web3 import Web3

from hashtrust.chain.checks import (
    ZERO_ADDRESS,
    check_address,
    check_bytes32,
    check_text,
)
from hashtrust.chain.client import ContractClient
from hashtrust.chain.tx import Pending
from hashtrust.errors import InputError

# Published limits of contracts/ReputationRegistry.vy (checked here before anything is sent).
MAX_TAG = 32
MAX_ENDPOINT = 512
MAX_URI = 1024
MAX_CLIENTS = 256
MAX_RESPONDERS = 64
MAX_READ = 128
MAX_FEEDBACK_PER_CLIENT = 32_767
MAX_DECIMALS = 18
MAX_ABS_VALUE = 10**38


def encode_value(x: Any, decimals: int | None = None) -> tuple[int, int]:
    """A human number as ``(value, valueDecimals)``.

    ``decimals`` forces the precision (the number must be exact at that precision).
    Floats are read through their shortest repr (``0.1`` is ``(1, 1)``).
    """
    if isinstance(x, bool):
        raise InputError("value", "expected a number, got a bool")
    try:
        d = Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x).strip())
    except (InvalidOperation, ValueError):
        raise InputError("value", f"{x!r} is not a number") from None
    if not d.is_finite():
        raise InputError("value", f"{x!r} is not a finite number")
    shown = format(d, "f") if isinstance(x, Decimal) else repr(x)  # 1E-19 as 0.0000000000000000001, not Decimal('1E-19')
    if decimals is None:
        exp = d.as_tuple().exponent
        assert isinstance(exp, int)
        decimals = max(0, -exp)
    if not 0 <= decimals <= MAX_DECIMALS:
        raise InputError("value", f"{shown} has {decimals} decimals (at most {MAX_DECIMALS})")
    scaled = d.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise InputError("value", f"{shown} is not exact with {decimals} decimals")
    value = int(scaled)
    if abs(value) > MAX_ABS_VALUE:
        raise InputError("value", f"{shown} is too large: |value| must be <= 1e38 at {decimals} decimals")
    return value, decimals


def decode_value(value: int, decimals: int) -> Decimal:
    """``value / 10**decimals`` as an exact Decimal."""
    return Decimal(int(value)).scaleb(-int(decimals))


@dataclass(frozen=True)
class Feedback:
    """One feedback as stored on chain."""

    client: str
    index: int
    value: int
    decimals: int
    tag1: str
    tag2: str
    revoked: bool

    @property
    def number(self) -> Decimal:
        return decode_value(self.value, self.decimals)


@dataclass(frozen=True)
class Summary:
    """`getSummary`'s answer; ``number`` is the human value."""

    count: int
    value: int
    decimals: int

    @property
    def number(self) -> Decimal:
        return decode_value(self.value, self.decimals)


def _check_addresses(field: str, addrs: Sequence[str], limit: int, *, non_empty: bool = False) -> list[str]:
    out = []
    for i, a in enumerate(addrs):
        out.append(check_address(a, f"{field}[{i}]", allow_zero=True))
    if non_empty and not out:
        raise InputError(field, "at least one client address is required (the reader chooses whose feedback counts)")
    if len(out) > limit:
        raise InputError(field, f"{len(out)} addresses; the limit is {limit}")
    return out


class ReputationClient(ContractClient):
    """Gives, revokes, answers and reads feedback; summaries come back as human numbers."""

    CONTRACT = "ReputationRegistry"
    BOOK_NAME = "ReputationRegistry"
    BOUND_TO = ("IdentityRegistry", "getIdentityRegistry")  # from_book refuses one bound to another registry

    # ------------------------------------------------------------------ writes
    def give_call(
        self,
        agent_id: int,
        value: Any,
        *,
        decimals: int | None = None,
        tag1: str = "",
        tag2: str = "",
        endpoint: str = "",
        feedback_uri: str = "",
        feedback_hash: Any = None,
    ) -> Any:
        """The `giveFeedback` call (for `TxSender.transact_many`), inputs checked."""
        raw, dec = encode_value(value, decimals)
        args = (
            int(agent_id),
            raw,
            dec,
            check_text(tag1, "tag1", MAX_TAG),
            check_text(tag2, "tag2", MAX_TAG),
            check_text(endpoint, "endpoint", MAX_ENDPOINT),
            check_text(feedback_uri, "feedback_uri", MAX_URI),
            check_bytes32(feedback_hash, "feedback_hash"),
        )
        return self._fn("giveFeedback", *args)

    def give(self, agent_id: int, value: Any, **kw: Any) -> int:
        """Give feedback and return its 1-based index."""
        return int(self._send_event(self.give_call(agent_id, value, **kw), "NewFeedback")["feedbackIndex"])

    def submit_give(self, agent_id: int, value: Any, **kw: Any) -> Pending:
        """Send feedback without waiting (pipelining)."""
        return self._require_sender().submit(self.give_call(agent_id, value, **kw), action="giveFeedback")

    def revoke(self, agent_id: int, index: int) -> Any:
        if index < 1:
            raise InputError("index", "feedback indexes start at 1")
        return self._send("revokeFeedback", int(agent_id), int(index))

    def respond(self, agent_id: int, client: str, index: int, response_uri: str, response_hash: Any = None) -> Any:
        if not response_uri:
            raise InputError("response_uri", "must not be empty")
        check_text(response_uri, "response_uri", MAX_URI)
        if index < 1:
            raise InputError("index", "feedback indexes start at 1")
        client = _check_addresses("client", [client], 1)[0]
        return self._send("appendResponse", int(agent_id), client, int(index), response_uri, check_bytes32(response_hash, "response_hash"))

    # ------------------------------------------------------------------ reads
    def read(self, agent_id: int, client: str, index: int) -> Feedback:
        client = Web3.to_checksum_address(client)
        v, d, t1, t2, r = self._view("readFeedback", int(agent_id), client, int(index))
        return Feedback(client, int(index), v, d, t1, t2, r)

    def last_index(self, agent_id: int, client: str) -> int:
        return int(self._view("getLastIndex", int(agent_id), Web3.to_checksum_address(client)))

    def read_page(
        self,
        agent_id: int,
        clients: Sequence[str] = (),
        *,
        tag1: str = "",
        tag2: str = "",
        include_revoked: bool = False,
        offset: int = 0,
        limit: int = MAX_READ,
    ) -> tuple[list[Feedback], int]:
        """One page (positions ``offset .. offset+limit-1``) and the total number of positions.

        With ``clients`` empty the positions are the agent's feedback in the order it was given
        (a page costs the same whatever the number of clients, and positions never move); with
        a list, the listed clients' feedback client by client."""
        cl = _check_addresses("clients", clients, MAX_CLIENTS)
        check_text(tag1, "tag1", MAX_TAG)
        check_text(tag2, "tag2", MAX_TAG)
        res = self._view("readAllFeedbackPaged", int(agent_id), cl, tag1, tag2, include_revoked, int(offset), int(min(limit, MAX_READ)))
        c, i, v, d, t1, t2, r, total = res
        return [Feedback(Web3.to_checksum_address(c[k]), i[k], v[k], d[k], t1[k], t2[k], r[k]) for k in range(len(c))], int(total)

    def read_all(
        self, agent_id: int, clients: Sequence[str] = (), *, tag1: str = "", tag2: str = "", include_revoked: bool = False, page_size: int = MAX_READ
    ) -> Iterator[Feedback]:
        """Every matching feedback, page by page (never one unbounded call), up to the total the
        last page reported. Without ``clients`` (every client) nothing is missed or seen twice
        while feedback arrives: positions are the order feedback was given in, each page reports
        the current total, and the next page starts right after the positions the last one
        covered."""
        if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
            raise InputError("page_size", f"must be an integer >= 1, got {page_size!r}")
        offset, total = 0, None
        while total is None or offset < total:
            items, total = self.read_page(agent_id, clients, tag1=tag1, tag2=tag2, include_revoked=include_revoked, offset=offset, limit=page_size)
            yield from items
            offset += max(0, min(page_size, MAX_READ, total - offset))

    def clients(self, agent_id: int, page_size: int = MAX_READ) -> list[str]:
        """Every client of the agent (paged reads)."""
        out: list[str] = []
        total = None
        while total is None or len(out) < total:
            page, total = self._view("getClientsPaged", int(agent_id), len(out), page_size)
            if not page:
                break
            out.extend(Web3.to_checksum_address(a) for a in page)
        return out

    def summary(self, agent_id: int, clients: Sequence[str], *, tag1: str = "", tag2: str = "") -> Summary:
        """`getSummary` over the chosen clients (required: the reader picks whose feedback counts)."""
        cl = _check_addresses("clients", clients, MAX_CLIENTS, non_empty=True)
        check_text(tag1, "tag1", MAX_TAG)
        check_text(tag2, "tag2", MAX_TAG)
        count, value, dec = self._view("getSummary", int(agent_id), cl, tag1, tag2)
        return Summary(int(count), int(value), int(dec))

    def response_count(self, agent_id: int, client: str = ZERO_ADDRESS, index: int = 0, responders: Sequence[str] = ()) -> int:
        """`getResponseCount`, as the reference: ``client`` zero counts the responses to every
        feedback of every client (``index`` is then ignored); ``index`` 0 every feedback of the
        client; ``responders`` empty everyone's. O(len(responders)) except "every feedback of
        one client", which walks that client's feedback."""
        rs = _check_addresses("responders", responders, MAX_RESPONDERS)
        return int(self._view("getResponseCount", int(agent_id), Web3.to_checksum_address(client), int(index), rs))
