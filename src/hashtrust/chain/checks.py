"""The input checks every contract client shares: text within a byte limit, a 32-byte hash, an
address. Each returns the value as the contract takes it, or raises `InputError` naming the field,
so a bad input never costs gas. The limits themselves live with each client (its contract's)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from hashtrust.errors import InputError

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO32 = b"\x00" * 32


def check_text(value: Any, field: str, limit: int) -> str:
    """A string of at most ``limit`` UTF-8 bytes."""
    if not isinstance(value, str):
        raise InputError(field, f"must be a string, not {type(value).__name__}")
    n = len(value.encode())
    if n > limit:
        raise InputError(field, f"is {n:,} bytes; at most {limit:,} are accepted")
    return value


def check_bytes32(value: Any, field: str, *, nonzero: bool = False) -> bytes:
    """32 bytes, given as bytes or hex (``0x`` optional); ``None`` is the zero hash unless ``nonzero``."""
    if value is None:
        value = ZERO32
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value.removeprefix("0x"))
        except ValueError:
            raise InputError(field, f"{value!r} is not hex") from None
    if not isinstance(value, (bytes, bytearray)):
        raise InputError(field, f"must be 32 bytes or their hex, not {type(value).__name__}")
    if len(value) != 32:
        raise InputError(field, f"must be 32 bytes, got {len(value)}")
    if nonzero and not any(value):
        raise InputError(field, "must not be zero")
    return bytes(value)


def checksum_problem(text: str) -> str | None:
    """Why ``text`` (a 20-byte hex address) must be refused, or None: mixed-case hex is an EIP-55
    checksum, and one that does not match is a typo (web3 accepts it and "corrects" it, which
    sends value to the typo). All-lowercase or all-uppercase hex carries no checksum."""
    digits = text[2:]
    if digits.lower() == digits or digits.upper() == digits:
        return None
    if Web3.to_checksum_address(text) != text:
        return f"{text!r} has a bad EIP-55 checksum (mixed case that does not match): check it for a typo"
    return None


def check_address(value: Any, field: str, *, allow_zero: bool = False) -> str:
    """A 20-byte hex address, checksummed; not the zero address unless ``allow_zero``; mixed-case
    input must carry a valid EIP-55 checksum (`checksum_problem`)."""
    if not isinstance(value, str) or not Web3.is_address(value):
        raise InputError(field, f"must be a 20-byte hex address, got {value!r}")
    if (why := checksum_problem(value.strip())) is not None:
        raise InputError(field, why)
    out = Web3.to_checksum_address(value)
    if not allow_zero and out == ZERO_ADDRESS:
        raise InputError(field, "must not be the zero address")
    return out
