"""The header and coinbase files the relay commands read (the format of `examples/bitcoin/`).

Header file: ``{"network", "epoch_start": {"height", "hex"}, "headers": [{"height", "hex"}...],
"orphans": [...], "coinbases": [{"height", "coinbase_tx", "coinbase_merkle_branch",
"branch_byte_order"}...]}`` (``coinbases`` optional: a retarget proof starts at a block whose
coinbase pins its heights, so a file without one at least P headers before a boundary cannot
prove that retarget); coinbase file: ``{"height", "headers": [...], "coinbase_tx": hex (witness
allowed), "coinbase_merkle_branch": [hex in display order...], "position": 0}``. `load_headers`
and `load_coinbase` check every field and raise `InputError` naming the field and the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashtrust.bitcoin.consensus import HEADER_BYTES, RETARGET_INTERVAL, ConsensusError, Header, from_display, sha256d
from hashtrust.chain import jsonsafe
from hashtrust.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "bitcoin"


def _hexbytes(value: Any, where: str, *, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise InputError(where, "must be a hex string")
    try:
        raw = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raise InputError(where, "is not hex") from None
    if size is not None and len(raw) != size:
        raise InputError(where, f"must be {size} bytes, got {len(raw)}")
    return raw


def _height(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(where, "must be a non-negative integer")
    return value


def _read(path: str | Path) -> dict:
    p = Path(path)
    try:
        data = jsonsafe.loads(p.read_text())
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(p), f"is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise InputError(str(p), "must hold a JSON object")
    return data


@dataclass(frozen=True)
class HeaderFile:
    """Headers by height, the epoch's first block to anchor at, and stale blocks (if any)."""

    path: str
    network: str
    epoch_start: tuple[int, bytes] | None
    headers: dict[int, bytes]
    orphans: list[tuple[int, bytes]] = field(default_factory=list)
    coinbases: dict[int, tuple[bytes, list[bytes]]] = field(default_factory=dict)  # height -> (coinbase as given, branch)

    def coinbase(self, height: int) -> tuple[bytes, list[bytes]] | None:
        """The coinbase (as given, witness allowed) and branch (internal order) of a block, if the file has it."""
        return self.coinbases.get(height)

    def check_epoch_start(self) -> None:
        """`InputError` unless ``epoch_start`` agrees with the file's own headers (checked before
        anchoring: a relay is anchored once, for good): the headers start in its epoch, those in
        its epoch carry its nBits, and a header the file holds at its height is it (user16 U16-5)."""
        if self.epoch_start is None or not self.headers:
            return
        h0, raw = self.epoch_start
        epoch, first = h0 // RETARGET_INTERVAL, min(self.headers)
        where = f"{self.path}.epoch_start"
        if h0 in self.headers and self.headers[h0] != raw:
            raise InputError(where, f"is not the file's own header at height {h0:,}")
        if first // RETARGET_INTERVAL != epoch:
            raise InputError(where, f"is height {h0:,} (epoch {epoch:,}), but the file's headers start at {first:,} (epoch {first // RETARGET_INTERVAL:,}): "
                             "the relay would be anchored where none of them can extend it (a relay is anchored once); fix the file")
        bits = Header.parse(raw).bits
        for h in sorted(self.headers):
            if h // RETARGET_INTERVAL != epoch:
                break
            if (b := Header.parse(self.headers[h]).bits) != bits:
                raise InputError(where, f"carries nBits {bits:#010x}, the file's header {h:,} in the same epoch {b:#010x}: the heights disagree")

    def run(self, first: int, count: int) -> bytes:
        """``count`` consecutive headers from ``first``, concatenated (`InputError` if missing)."""
        missing = [h for h in range(first, first + count) if h not in self.headers]
        if missing:
            raise InputError(self.path, f"has no header at height {missing[0]:,}")
        return b"".join(self.headers[h] for h in range(first, first + count))

    def boundaries(self) -> list[int]:
        """Epoch-boundary heights the file has headers on both sides of."""
        hs = self.headers
        return sorted(h for h in hs if h % RETARGET_INTERVAL == 0 and h - 1 in hs)


def parse_headers(data: dict, where: str = "headers") -> HeaderFile:
    """Check and decode a header file already read as JSON."""
    rows = data.get("headers")
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{where}.headers", "must be a non-empty list")
    headers: dict[int, bytes] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(f"{where}.headers[{i}]", "must be an object with height and hex")
        h = _height(row.get("height"), f"{where}.headers[{i}].height")
        if h in headers:
            raise InputError(f"{where}.headers[{i}].height", f"height {h:,} appears twice")
        headers[h] = _hexbytes(row.get("hex"), f"{where}.headers[{i}].hex", size=HEADER_BYTES)
    for h in headers:  # consecutive headers must link: a file mixing chains is refused here
        if h - 1 in headers and headers[h][4:36] != sha256d(headers[h - 1]):
            raise InputError(f"{where}.headers", f"header {h:,} does not link to header {h - 1:,}")
    start = None
    es = data.get("epoch_start")
    if es is not None:
        if not isinstance(es, dict):
            raise InputError(f"{where}.epoch_start", "must be an object with height and hex")
        sh = _height(es.get("height"), f"{where}.epoch_start.height")
        if sh % RETARGET_INTERVAL:
            raise InputError(f"{where}.epoch_start.height", f"{sh:,} is not an epoch's first block (a multiple of 2,016)")
        start = (sh, _hexbytes(es.get("hex"), f"{where}.epoch_start.hex", size=HEADER_BYTES))
    orphans = []
    for i, row in enumerate(data.get("orphans") or []):
        if not isinstance(row, dict):
            raise InputError(f"{where}.orphans[{i}]", "must be an object with height and hex")
        orphans.append((_height(row.get("height"), f"{where}.orphans[{i}].height"), _hexbytes(row.get("hex"), f"{where}.orphans[{i}].hex", size=HEADER_BYTES)))
    coinbases: dict[int, tuple[bytes, list[bytes]]] = {}
    for i, row in enumerate(data.get("coinbases") or []):
        at = f"{where}.coinbases[{i}]"
        if not isinstance(row, dict):
            raise InputError(at, "must be an object with height, coinbase_tx and coinbase_merkle_branch")
        h = _height(row.get("height"), f"{at}.height")
        coinbases[h] = (_hexbytes(row.get("coinbase_tx"), f"{at}.coinbase_tx"), _branch(row, at))
    return HeaderFile(path=where, network=str(data.get("network", "")), epoch_start=start, headers=headers, orphans=orphans, coinbases=coinbases)


def _branch(row: dict, at: str) -> list[bytes]:
    order = str(row.get("branch_byte_order", "display"))
    branch_raw = row.get("coinbase_merkle_branch")
    if not isinstance(branch_raw, list):
        raise InputError(f"{at}.coinbase_merkle_branch", "must be a list of hashes")
    out = []
    for i, s in enumerate(branch_raw):
        b = _hexbytes(s, f"{at}.coinbase_merkle_branch[{i}]", size=32)
        out.append(b if order.startswith("internal") else b[::-1])
    return out


def load_headers(path: str | Path) -> HeaderFile:
    """Read and check a header file."""
    return parse_headers(_read(path), str(path))


@dataclass(frozen=True)
class CoinbaseFile:
    """A block's header and confirmations, its coinbase (as given) and the coinbase's branch."""

    path: str
    height: int
    headers: list[bytes]
    coinbase: bytes
    branch: list[bytes]  # internal byte order, leaf first


def parse_coinbase_file(data: dict, where: str = "coinbase") -> CoinbaseFile:
    """Check and decode a coinbase file already read as JSON."""
    height = _height(data.get("height"), f"{where}.height")
    rows = data.get("headers")
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{where}.headers", "must be a non-empty list")
    headers = []
    for i, row in enumerate(rows):
        hexv = row.get("hex") if isinstance(row, dict) else row
        headers.append(_hexbytes(hexv, f"{where}.headers[{i}]", size=HEADER_BYTES))
        if isinstance(row, dict) and "height" in row and row["height"] != height + i:
            raise InputError(f"{where}.headers[{i}].height", f"must be {height + i:,} (the block's height + {i})")
    if data.get("position", 0) != 0:
        raise InputError(f"{where}.position", "only the coinbase (position 0) can be proven")
    branch = _branch(data, where)
    cb = _hexbytes(data.get("coinbase_tx"), f"{where}.coinbase_tx")
    return CoinbaseFile(path=where, height=height, headers=headers, coinbase=cb, branch=branch)


def load_coinbase(path: str | Path) -> CoinbaseFile:
    """Read and check a coinbase file."""
    return parse_coinbase_file(_read(path), str(path))


def branch_from_display(hashes: list[str]) -> list[bytes]:
    """A branch printed the explorers' way, in internal byte order."""
    try:
        return [from_display(h) for h in hashes]
    except ValueError as exc:
        raise ConsensusError(f"branch hash is not hex: {exc}") from None
