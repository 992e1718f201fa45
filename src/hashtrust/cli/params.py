"""Option and argument types shared by the ``hashtrust`` command line and the ape scripts.

Every value a user types is checked here, before anything connects or sends: numbers are
finite (``nan`` and ``inf`` are refused), within the range the command can use, integers are
whole, addresses are 20-byte hex, hashes 32 bytes. A bad value ends the command with click's
one line ``Error: Invalid value for '--ths': ...`` and exit code 2.
"""

from __future__ import annotations

import difflib
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import click
from web3 import Web3

from hashtrust.chain.checks import checksum_problem

MAX_UINT256 = 2**256 - 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


# A number as a user types it: sign, whole part (plain, or grouped in thousands by one of ',' and
# '_'), fraction, exponent; ASCII digits only (Python's Decimal also reads Arabic-Indic digits).
_NUMBER_TEXT = re.compile(
    r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:_[0-9]{3})+|[0-9]*)((?:(?<=[0-9])|(?=\.[0-9]))(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)",
    re.ASCII,
)
_NOT_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan|snan)", re.IGNORECASE)


class Number(click.ParamType):
    """A finite number of ``kind`` (int, float or Decimal) within [``lo``, ``hi``].

    ``lo_open`` makes the lower bound exclusive (``--poll`` must be > 0). ASCII digits only; the
    whole part may be grouped in thousands with ``,`` or ``_`` (one of them, every group of three:
    ``250,000``, ``1,234.5``, ``10_000``), and nowhere else (new-user review: every comma was
    dropped, so ``1,5`` was 15 and ``1,2,3`` was 123); ``1e3`` is accepted for an int only when it
    is whole.
    """

    def __init__(self, kind: type = int, lo: float | int | None = None, hi: float | int | None = None, *, lo_open: bool = False, what: str = "",
                 places: int | None = None):
        self.kind = kind
        self.places = places  # a Decimal's most decimals (a feedback VALUE: 18)
        self.lo, self.hi, self.lo_open = lo, hi, lo_open
        self.what = what
        self.name = {int: "integer", float: "number", Decimal: "decimal"}[kind]

    def _range(self) -> str:
        lo = "" if self.lo is None else f"{'>' if self.lo_open else '>='} {self.lo:,}"
        hi = "" if self.hi is None else f"<= {self.hi:,}"
        return " and ".join(p for p in (lo, hi) if p)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            raw = value
        else:
            text = str(value).strip()
            m = _NUMBER_TEXT.fullmatch(text)
            if m is None and _NOT_FINITE.fullmatch(text):
                self.fail(f"{value!r} is not a finite number", param, ctx)
            if m is None:
                hint = " (',' and '_' only group thousands: 250,000 or 1,234.5)" if any(c in text for c in ",_") else ""
                self.fail(f"{value!r} is not a{'n' if self.name[0] in 'aeiou' else ''} {self.name}{hint}", param, ctx)
            try:
                raw = Decimal(m.group(1) + m.group(2).replace(",", "").replace("_", "") + m.group(3))
            except (InvalidOperation, ValueError):
                self.fail(f"{value!r} is not a{'n' if self.name[0] in 'aeiou' else ''} {self.name}", param, ctx)
        d = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
        if not d.is_finite():
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.kind is int:
            if d != d.to_integral_value():
                self.fail(f"{value!r} is not a whole number", param, ctx)
            out: Any = int(d)
        elif self.kind is float:
            out = float(d)
            if not math.isfinite(out):
                self.fail(f"{value!r} is too large", param, ctx)
        else:
            out = d
            exp = d.as_tuple().exponent
            if self.places is not None and isinstance(exp, int) and -exp > self.places:
                self.fail(f"{value} has {-exp} decimals (at most {self.places})", param, ctx)
        if self.lo is not None and (out < self.lo or (self.lo_open and out == self.lo)):
            self.fail(f"{value} is not {self._range()}" + (f" ({self.what})" if self.what else ""), param, ctx)
        if self.hi is not None and out > self.hi:
            self.fail(f"{value} is not {self._range()}" + (f" ({self.what})" if self.what else ""), param, ctx)
        return out

    def __repr__(self) -> str:
        return f"Number({self.kind.__name__}, {self.lo}, {self.hi})"


class Address(click.ParamType):
    """A 20-byte hex address, returned checksummed; the zero address only with ``allow_zero``."""

    name = "address"

    def __init__(self, *, allow_zero: bool = False):
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not Web3.is_address(text):
            self.fail(f"{value!r} is not a 20-byte hex address (0x followed by 40 hex digits)", param, ctx)
        if (why := checksum_problem(text)) is not None:
            self.fail(why, param, ctx)
        out = Web3.to_checksum_address(text)
        if out == ZERO_ADDRESS and not self.allow_zero:
            self.fail("the zero address is not accepted here", param, ctx)
        return out


class Hex32(click.ParamType):
    """32 bytes as hex (``0x`` optional), returned as bytes."""

    name = "hash"

    def __init__(self, *, nonzero: bool = False):
        self.nonzero = nonzero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> bytes:
        if isinstance(value, bytes):
            raw = value
        else:
            try:
                raw = bytes.fromhex(str(value).strip().removeprefix("0x"))
            except ValueError:
                self.fail(f"{value!r} is not hex", param, ctx)
        if len(raw) != 32:
            self.fail(f"must be 32 bytes (64 hex digits), got {len(raw)}", param, ctx)
        if self.nonzero and not any(raw):
            self.fail("must not be zero", param, ctx)
        return raw


class HexBytes(click.ParamType):
    """Bytes as 0x-hex (a signature, a metadata value given in hex)."""

    name = "hex"

    def __init__(self, max_len: int | None = None):
        self.max_len = max_len

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> bytes:
        if isinstance(value, bytes):
            raw = value
        else:
            text = str(value).strip()
            if not text.startswith("0x"):
                self.fail(f"{value!r} must be 0x-prefixed hex", param, ctx)
            try:
                raw = bytes.fromhex(text[2:])
            except ValueError:
                self.fail(f"{value!r} is not hex", param, ctx)
        if not raw:
            self.fail("must not be empty", param, ctx)
        if self.max_len is not None and len(raw) > self.max_len:
            self.fail(f"is {len(raw):,} bytes; at most {self.max_len:,}", param, ctx)
        return raw


class Text(click.ParamType):
    """A string of at most ``limit`` UTF-8 bytes (the contract's limit), optionally non-empty."""

    name = "text"

    def __init__(self, limit: int, *, nonempty: bool = False):
        self.limit = limit
        self.nonempty = nonempty

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        n = len(text.encode())
        if n > self.limit:
            self.fail(f"is {n:,} bytes; at most {self.limit:,} are accepted", param, ctx)
        if self.nonempty and not text:
            self.fail("must not be empty", param, ctx)
        return text


class AgentKey(click.ParamType):
    """An agent's ``hashtrust.key``: 1..64 characters of A-Z a-z 0-9 . _ - (``--key ''`` is refused,
    not taken as "no key": new-user review user15, V1)."""

    name = "key"
    _PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")  # = hashtrust.erc8004.agents._KEY

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text:
            self.fail("must not be empty (1..64 characters of A-Z a-z 0-9 . _ -)", param, ctx)
        if not self._PATTERN.fullmatch(text):
            self.fail(f"{text!r} is not 1..64 characters of A-Z a-z 0-9 . _ -", param, ctx)
        return text


class IndexList(click.ParamType):
    """Rating-client indexes: ``"0-19,25"`` -> [0, 1, ..., 19, 25], at most ``limit`` of them.

    The one syntax of ``--trusted-clients`` in the command line and in ``ape run rank_agents``:
    a single number is that one client (``20`` is client 20), a range ``0-19`` is both ends
    included. The limit is checked before any key is derived.
    """

    name = "indexes"

    def __init__(self, limit: int, hi: int = 2**31 - 1 - 1_000):
        self.limit = limit
        self.hi = hi

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[int]:
        if isinstance(value, list):
            return value
        text = str(value).strip()
        out: list[int] = []
        count = 0
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            lo_s, sep, hi_s = part.partition("-")
            if not lo_s.strip().isdigit() or (sep and not hi_s.strip().isdigit()):
                self.fail(f'must be client indexes like "0-19,25", not {text!r}', param, ctx)
            lo = int(lo_s)
            hi = int(hi_s) if sep else lo
            if lo > hi:
                self.fail(f"range {part!r} runs backwards", param, ctx)
            if hi > self.hi:
                self.fail(f"client index {hi:,} is beyond the last one ({self.hi:,})", param, ctx)
            count += hi - lo + 1
            if count > self.limit:
                self.fail(f"names more than {self.limit} clients (a summary reads at most {self.limit})", param, ctx)
            out.extend(range(lo, hi + 1))
        if not out:
            self.fail('must name at least one client index, like "0-19"', param, ctx)
        return list(dict.fromkeys(out))


class Ths(click.ParamType):
    """A decimal number of TH/s (``0.5``, ``25``, ``1e3``): >= 0, at most 18 decimals (a share
    unit), ASCII decimal notation only; returned as the text typed, for the SDK to read exactly.
    Checked here, before anything connects (user7 U9: it was checked after connecting)."""

    name = "ths"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from hashtrust.errors import InputError
        from hashtrust.hashrate.vault import ths_to_shares

        try:
            ths_to_shares(value)
        except InputError as exc:
            self.fail(exc.problem, param, ctx)
        return value if isinstance(value, (int, Decimal)) else str(value).strip()


# The shared instances
AGENT_ID = Number(int, 1, 2**128 - 1, what="agent ids start at 1")
FEEDBACK_INDEX = Number(int, 1, 2**64 - 1, what="feedback indexes start at 1")
ACCOUNT_INDEX = Number(int, 0, 2**31 - 1, what="a BIP-44 account index")
WINDOW = Number(int, 1, 1_024, what="transactions in flight")
ADDRESS = Address()
THS = Ths()


_NEGATIVE_NUMBER = re.compile(r"-\.?[0-9]")


class _OnlyKnownOptions:
    """A command that takes negative numbers as values (click's ``ignore_unknown_options``) but
    refuses any other word that looks like an option and is not one of its own, with click's
    "No such option" before anything runs (new-user review: `agents set-metadata 1 --name x`
    stored the metadata key "--name"; `respond ... --response-uri` stored that URI). A word after
    ``--`` is a value, whatever it looks like; so is the value of an option that takes one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for p in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(p, click.Option):
                for name in (*p.opts, *p.secondary_opts):
                    takes_value[name] = not p.is_flag and not p.count
        i = 0
        while i < len(args):
            word = args[i]
            if word == "--":
                break
            if word.startswith("-") and word != "-" and not _NEGATIVE_NUMBER.match(word):
                name = word.split("=", 1)[0] if word.startswith("--") else word
                if name not in takes_value:
                    raise click.NoSuchOption(name, possibilities=difflib.get_close_matches(name, takes_value), ctx=ctx)
                if takes_value[name] and "=" not in word:
                    i += 1  # its value, whatever it looks like
            i += 1
        return super().parse_args(ctx, args)  # type: ignore[misc]


def only_known_options(cls: type) -> type:
    """``cls`` (a click command class) refusing unknown option-like words (`_OnlyKnownOptions`)."""
    return type(cls.__name__, (_OnlyKnownOptions, cls), {})
