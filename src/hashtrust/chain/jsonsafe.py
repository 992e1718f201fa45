"""The one JSON loader for text the SDK did not write: `loads`, with the nesting bounded first.

Registration files, request files, feedback files, address books, agent and rating lists, pool
reports, a Bitcoin node's replies: any of them may be written by someone hostile (a URI on
chain points at it, a book was copied from elsewhere). The standard library's decoder recurses
once per ``[`` or ``{``, and py_ecc (imported by web3's stack, so by every `hashtrust` process)
raises the interpreter's recursion limit to 100,000, so ``json.loads`` of 150 KB of ``[``
overflows the C stack and the process dies of SIGSEGV -- no ``except`` can catch that (review
of the Python side, finding 1).

`loads` first scans the text once, in linear time, for the nesting depth of brackets outside
strings, and refuses anything nested deeper than ``max_depth`` (default `MAX_DEPTH`, 128: the
limit serde_json applies by default; no document the project reads nests deeper than 6) with
the ``json.JSONDecodeError`` (a ``ValueError``) the standard decoder raises for any other
malformed text, so every caller's existing "is not valid JSON" path names it. Only then is the
text parsed, by the standard decoder, with the same result as ``json.loads``.

Every reader of untrusted JSON in ``src/hashtrust`` goes through here; ``json.loads`` remains
only where the text is the project's own (its artifact cache, the devnet's clock file).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 128
"""How deep arrays and objects may nest in text `loads` accepts (serde_json's default limit)."""

# A string (its closing quote optional, so an unterminated string ends the scan at once instead
# of being rescanned from each later quote; "unrolled" so nothing backtracks), and a run of
# anything that is not a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_TOKEN = re.compile(_STRING.pattern + r"|[\[\]{}]", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_OPEN = frozenset("[{")


def nesting_error(text: str, max_depth: int = MAX_DEPTH) -> int | None:
    """The offset of the first bracket nested deeper than ``max_depth`` (outside strings), or
    None. Linear in the text; over-counts only for text that is not JSON anyway (closing
    brackets that match nothing)."""
    if text.count("[") + text.count("{") <= max_depth:
        return None  # cannot nest deeper than it opens (the common, small case)
    # The brackets outside strings, by two C-speed substitutions, then one pass over them.
    depth = 0
    for c in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if c in _OPEN:
            depth += 1
            if depth > max_depth:
                break
        elif depth:
            depth -= 1
    else:
        return None
    depth = 0  # too deep: find where, for the error (stops at the limit, so cheap)
    for m in _TOKEN.finditer(text):
        c = text[m.start()]
        if c in _OPEN:
            depth += 1
            if depth > max_depth:
                return m.start()
        elif c != '"' and depth:
            depth -= 1
    raise AssertionError("unreachable: both scans count the same brackets")


def loads(text: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH, **decoder: Any) -> Any:
    """``json.loads(text, **decoder)`` for untrusted text: raises ``json.JSONDecodeError`` for
    text nested deeper than ``max_depth``, as for any other malformed JSON (``UnicodeDecodeError``,
    also a ``ValueError``, for bytes that are not in a JSON encoding). ``decoder`` takes
    ``json.loads``' hooks (``parse_int``, ``parse_constant``: a node's replies refuse huge numbers)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")  # what json.loads does with bytes
    elif not isinstance(text, str):
        raise TypeError(f"the JSON object must be str, bytes or bytearray, not {type(text).__name__}")
    at = nesting_error(text, max_depth)
    if at is not None:
        raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", text, at)
    return json.loads(text, **decoder)


def plain_decimal(d: Any) -> str:
    """``d`` (a `decimal.Decimal`) as a person writes it: ``str(d)`` unless that has an exponent,
    then the same number in positional notation (new-user review: an empty ETH balance, 0 wei
    scaled to ether, printed as "0E-18" in `devnet faucet --json`; 5 wei as "5E-18")."""
    text = str(d)
    if "E" not in text.upper() or not d.is_finite():
        return text
    return format(d.normalize(), "f")
