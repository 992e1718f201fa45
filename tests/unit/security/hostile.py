"""What the hostile-input tests share: the nastiest strings an attacker can put on chain, and a
way to put them there (the SDK's clients refuse to send them; the contracts store any bytes)."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_utils import function_abi_to_4byte_selector
from eth_utils.abi import collapse_if_tuple

# Strings the contracts accept (``String[N]`` is bytes to them) that are not what a reader expects.
NASTY: dict[str, bytes] = {
    "invalid-utf8": b"\xff\xfe\xfd",
    "lone-continuation": b"ok\x80ok",
    "overlong-slash": b"\xc0\xaf",
    "utf16-surrogate": b"\xed\xa0\x80",
    "cut-multibyte": b"tag\xe2\x82",
    "nul-bytes": b"a\x00b\x00\x00",
    "ansi-escape": b"\x1b[31mRED\x1b[0m\x07",
    "bidi-override": "\u202egnp.exe".encode(),
}


def at_limit(limit: int, fill: bytes = b"\xff") -> bytes:
    """``limit`` bytes of invalid UTF-8 (the most a contract field takes)."""
    return (fill * limit)[:limit]


def hostile_call(client: Any, name: str, *args: Any, types: tuple[str, ...] | None = None) -> Any:
    """Send ``client``'s function ``name`` with raw ``bytes`` where the ABI says ``string``
    (same encoding on the wire), through the client's sender; returns the receipt.

    ``types`` picks an overload by its input types (e.g. ``("string",)`` for ``register(string)``)."""
    candidates = [e for e in client.contract.abi if e.get("type") == "function" and e["name"] == name]
    if types is not None:
        candidates = [e for e in candidates if tuple(collapse_if_tuple(i) for i in e["inputs"]) == tuple(types)]
    (fn_abi,) = [e for e in candidates if len(e["inputs"]) == len(args)]
    wire = [collapse_if_tuple(i).replace("string", "bytes") for i in fn_abi["inputs"]]
    data = function_abi_to_4byte_selector(fn_abi) + encode(wire, list(args))
    return client.sender.transact({"to": client.address, "data": "0x" + data.hex()}, action=f"hostile {name}")
