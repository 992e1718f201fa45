"""Reading event logs in block ranges the node accepts.

One ``eth_getLogs`` over a contract's whole history is what hosted RPC providers refuse: they
cap the block range (from a handful of blocks on free tiers to 10,000) or the number of results,
and answer with a JSON-RPC error instead. So every log scan of the SDK goes through `get_logs`,
which reads the range in consecutive pieces:

* the first piece spans `DEFAULT_SPAN` blocks; after each accepted piece the span doubles, up to
  `MAX_SPAN` (a node without caps, such as Anvil or a self-hosted geth, is read in few requests);
* errors are told apart first (`hashtrust.chain.failures`; second review, finding 3):
  - **transient** -- the connection failing, an HTTP 429 / 5xx, an error reply saying rate limit,
    busy, timed out or try again: the same piece is read again after a pause that doubles, at
    most `ATTEMPTS` times in all (`failures.read_retrying`), then one `NodeError` names the node's
    last answer and the blocks (a lost connection is raised as it is, for `explain` to word);
    such an error says nothing about the range, so the span is not touched;
  - **anything else** (a block-range or result cap -- "query returned more than 10000 results",
    "block range too wide" -- or an error the SDK does not recognise): the piece is split in
    half and read again; from then on that connection's span no longer grows (the ceiling is the
    smallest span it refused, and never more than `MAX_SPAN`), so later scans start at the span
    it accepted and are not refused again;
* a single block the node still refuses raises `NodeError` naming the node's message (then the
  error has nothing to do with the range).

The end of the range (``latest``) is fixed when the scan starts, so the pieces add up to one
consistent view.
"""

from __future__ import annotations

from typing import Any

from hashtrust.chain.failures import http_status, is_transient_error, is_transport_error, node_message, read_retrying
from hashtrust.errors import NodeError

DEFAULT_SPAN = 2_000  # blocks per eth_getLogs to start with (below most providers' caps)
MAX_SPAN = 100_000  # the span never grows beyond this, even on a node without caps
ATTEMPTS = 5  # tries of one piece that fails transiently (a rate limit, a 502), then one NodeError
RETRY_PAUSE = 0.25  # seconds before the second try; doubles before each next one

try:
    from web3.exceptions import Web3RPCError as _RpcError
except ImportError:  # pragma: no cover
    _RpcError = ValueError  # type: ignore[misc,assignment]

# An error reply to eth_getLogs: web3's (an HTTP node), or a ValueError (the in-process chain).
_REPLY_ERRORS: tuple[type[BaseException], ...] = (_RpcError, ValueError)


class _Spans:
    """What one connection taught: the span to start with and the smallest span it refused."""

    def __init__(self) -> None:
        self.span = DEFAULT_SPAN
        self.ceiling: int | None = None  # the smallest span the node refused (then the span stops growing)


def _spans(w3: Any) -> _Spans:
    got = getattr(w3, "_hashtrust_log_spans", None)
    if isinstance(got, _Spans):
        return got
    got = _Spans()
    try:
        w3._hashtrust_log_spans = got
    except Exception:  # noqa: BLE001 - an object without attributes: learn per scan only
        pass
    return got


def _block_number(w3: Any, tag: Any) -> int:
    if isinstance(tag, int):
        return tag
    if tag in (None, "latest", "pending"):
        return int(w3.eth.block_number)
    if tag == "earliest":
        return 0
    if isinstance(tag, str) and tag.startswith("0x"):
        return int(tag, 16)
    return int(w3.eth.get_block(tag)["number"])  # "safe", "finalized"


def get_logs(w3: Any, flt: dict) -> list[Any]:
    """The raw logs of filter ``flt`` (``address``, ``topics``, ``fromBlock``, ``toBlock``), in
    chain order, read in block ranges the node accepts (see the module docstring)."""
    if "blockHash" in flt:
        try:
            return list(w3.eth.get_logs(flt))
        except _REPLY_ERRORS as exc:
            raise NodeError(f"the node refused eth_getLogs for block {flt['blockHash']}: {node_message(exc)}", method="eth_getLogs") from None
    start = _block_number(w3, flt.get("fromBlock") if flt.get("fromBlock") is not None else "earliest")
    end = _block_number(w3, flt.get("toBlock", "latest"))
    learned = _spans(w3)
    span = learned.span
    out: list[Any] = []
    lo = start
    while lo <= end:
        hi = min(end, lo + span - 1)
        piece = {**flt, "fromBlock": lo, "toBlock": hi}
        try:
            got = read_retrying(lambda piece=piece: w3.eth.get_logs(piece), attempts=ATTEMPTS, pause=RETRY_PAUSE, retry_if=is_transient_error)
        except Exception as exc:  # noqa: BLE001 - sorted below
            if is_transient_error(exc):
                if is_transport_error(exc):
                    raise  # a lost connection: `explain` says so, and that the command is resumable
                what = f"HTTP {http_status(exc)}" if http_status(exc) is not None else node_message(exc)
                raise NodeError(
                    f"the node kept failing eth_getLogs for blocks {lo}-{hi} ({ATTEMPTS} tries over about "
                    f"{RETRY_PAUSE * (2 ** (ATTEMPTS - 1) - 1):g} s): {what}; every command is resumable: run it again later (or with another --rpc)",
                    method="eth_getLogs",
                ) from None
            if not isinstance(exc, _REPLY_ERRORS):
                raise
            width = hi - lo + 1
            if width <= 1:
                raise NodeError(f"the node refused eth_getLogs for block {lo}: {node_message(exc)}", method="eth_getLogs") from None
            learned.ceiling = width if learned.ceiling is None else min(learned.ceiling, width)
            span = max(1, width // 2)
            learned.span = span
            continue
        out.extend(got)
        lo = hi + 1
        learned.span = span  # accepted: where the next scan of this connection starts
        if learned.ceiling is None and span * 2 <= MAX_SPAN:
            span *= 2
    return out
