"""Decoding what the chain returns, without trusting it.

Everything a contract emits or returns is written by someone: an agent's owner chooses its URI
and metadata, any client chooses feedback tags and URIs, any requester chooses a request URI.
The contracts store ``String[N]`` as bytes and never check that they are UTF-8, so one
non-UTF-8 byte in one string made web3's strict decoder raise ``UnicodeDecodeError`` for the
whole call or log, and with it every read that touched it (issue 22, defect 1).

Here every ``string`` is decoded **leniently** into a `ChainText`: a ``str`` whose text is the
UTF-8 decoding with each invalid byte replaced by U+FFFD, that keeps the exact bytes in
``.raw`` and says whether they were valid in ``.valid``. Code that only shows a string uses it
as a ``str``; code that must act on it (fetch a URI, compare a key) checks ``.valid`` first and
skips or quarantines that one item. `display` makes any text safe to print on a terminal
(control characters escaped, length capped).

`call_view`, `decode_log` and `decode_receipt_events` are the SDK's only decoding paths for
views and events (`hashtrust.chain.tx` and `hashtrust.chain.client` use them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from eth_abi.codec import ABICodec
from eth_abi.decoding import StringDecoder
from eth_abi.exceptions import DecodingError
from eth_utils import event_abi_to_log_topic, to_checksum_address
from eth_utils.abi import get_abi_output_types
from web3._utils.abi import build_strict_registry
from web3._utils.events import get_event_data
from web3.exceptions import LogTopicError, MismatchedABI

from hashtrust.errors import HashtrustError


class ChainText(str):
    """A string read from the chain: the lenient text, with the exact bytes in ``raw``.

    ``valid`` is False when ``raw`` is not UTF-8 (the text then holds U+FFFD for each bad byte).
    Compares and hashes as its text, so it goes wherever a ``str`` goes.
    """

    raw: bytes
    valid: bool

    def __new__(cls, raw: bytes) -> ChainText:
        raw = bytes(raw)
        try:
            text, valid = raw.decode("utf-8"), True
        except UnicodeDecodeError:
            text, valid = raw.decode("utf-8", errors="replace"), False
        out = super().__new__(cls, text)
        out.raw = raw
        out.valid = valid
        return out

    def __reduce__(self):  # pickles (e.g. to a worker) keep the raw bytes
        return (ChainText, (self.raw,))


def raw_bytes(text: str) -> bytes:
    """The exact bytes of a string read from the chain (UTF-8 of any other ``str``)."""
    if isinstance(text, ChainText):
        return text.raw
    try:
        return text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="replace")


def is_valid_text(text: Any) -> bool:
    """False for a `ChainText` whose bytes were not UTF-8."""
    return not isinstance(text, ChainText) or text.valid


class _LenientStringDecoder(StringDecoder):
    """eth-abi's ``string`` decoder, returning `ChainText` instead of raising on bad UTF-8."""

    def decode(self, stream):
        raw = self.read_data_from_stream(stream)
        data, _padding = self.split_data_and_padding(raw)
        return ChainText(data)


def _lenient_codec() -> ABICodec:
    registry = build_strict_registry()
    registry.unregister("string")
    from eth_abi.encoding import TextStringEncoder
    from eth_abi.registry import BaseEquals

    registry.register(BaseEquals("string"), TextStringEncoder, _LenientStringDecoder, label="string")
    return ABICodec(registry)


CODEC = _lenient_codec()
"""The codec every SDK read decodes with (strict about layout, lenient about UTF-8)."""


def _checksummed(types: Sequence[str], values: Sequence[Any]) -> list[Any]:
    return [_norm(t, v) for t, v in zip(types, values)]


def _norm(typ: str, value: Any) -> Any:
    """Addresses checksummed, everything else as decoded (arrays and tuples walked)."""
    if typ == "address":
        return to_checksum_address(value)
    if typ.endswith("]"):
        inner = typ[: typ.rindex("[")]
        return [_norm(inner, v) for v in value]
    if typ.startswith("("):
        return tuple(_norm(t, v) for t, v in zip(_split_tuple(typ), value))
    return value


def _split_tuple(typ: str) -> list[str]:
    """``"(uint256,(address,string)[],bytes)"`` -> its component types."""
    body, out, depth, cur = typ[1:-1], [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        out.append(cur)
    return out


def decode_output(abi: dict, data: bytes) -> Any:
    """A function's return data as web3 gives it (one value, or a list of values), leniently."""
    types = get_abi_output_types(abi)
    try:
        values = CODEC.decode(types, bytes(data))
    except DecodingError as exc:
        name = abi.get("name", "call")
        raise HashtrustError(f"{name}: the contract returned data that does not decode as {', '.join(types) or '()'} ({exc})") from None
    out = _checksummed(types, values)
    return out[0] if len(out) == 1 else out


def decode_log(event_abi: dict, log: Any) -> Any | None:
    """One log as web3's ``EventData`` (``ev["args"]``, ``ev["transactionHash"]``, ...), or None
    when the log is not this event or does not decode (a malformed log is skipped, never fatal
    to its neighbours)."""
    try:
        return get_event_data(CODEC, event_abi, log)
    except (MismatchedABI, LogTopicError, DecodingError, ValueError, TypeError, KeyError, IndexError):
        return None


def event_topic(event_abi: dict) -> bytes:
    return event_abi_to_log_topic(event_abi)


def decode_logs(event_abi: dict, logs: Iterable[Any]) -> list[Any]:
    """Every log of ``logs`` that decodes as ``event_abi``, in order (the others are skipped)."""
    out = []
    for lg in logs:
        ev = decode_log(event_abi, lg)
        if ev is not None:
            out.append(ev)
    return out


# Unicode categories `display` escapes: controls (ANSI escapes, NUL, newlines), format characters
# (bidi marks/overrides/isolates, zero-width spaces and joiners, BOM, soft hyphen: text that looks
# like other text or reorders what is around it) and the line/paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})


def display(text: Any, limit: int = 200) -> str:
    """Text safe to print on a terminal: control and invisible format characters (ANSI escapes,
    NUL, newlines, bidi marks, zero-width spaces, ...; Unicode categories Cc, Cf, Zl, Zp)
    shown as ``\\xNN`` / ``\\uNNNN``, cut to ``limit`` characters with a note of the full size."""
    s = str(text)
    n = len(s)
    if n > limit:
        s = s[:limit]
    out = []
    for ch in s:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0 or (o >= 0xA0 and unicodedata.category(ch) in _HIDDEN):
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
        else:
            out.append(ch)
    shown = "".join(out)
    if n > limit:
        size = len(raw_bytes(text)) if isinstance(text, (str, ChainText)) else n
        shown += f"… ({size:,} bytes)"
    return shown


def display_block(text: Any, limit: int = 4000) -> str:
    """Multi-line text safe to print on a terminal: `display` line by line (newlines kept, every
    other control character escaped), cut to ``limit`` characters in all with a note of the size."""
    s = str(text)
    shown = "\n".join(display(line, limit) for line in s[:limit].split("\n"))
    if len(s) > limit:
        size = len(raw_bytes(text)) if isinstance(text, (str, ChainText)) else len(s)
        shown += f"… ({size:,} bytes)"
    return shown


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as one safe line: the SDK's own sentence for a `HashtrustError`, else
    ``Type: message``; control characters escaped (`display`)."""
    text = str(exc) if isinstance(exc, HashtrustError) else f"{type(exc).__name__}: {exc}"
    return display(" ".join(text.split()), limit)
