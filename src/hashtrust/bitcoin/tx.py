"""Coinbase transactions: witness stripping, BIP34 heights, output sums, merkle branches.

`strip_witness` uses python-bitcoinlib's transaction (de)serialiser (``bitcoin.core``), the one
place a general Bitcoin library fits here; everything the contract checks is modelled by hand in
`parse_coinbase`, rule for rule as `bitcoin._coinbase`, so the tests can compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from hashtrust.bitcoin.consensus import MAX_MONEY, ConsensusError, sha256d

MAX_COINBASE_BYTES = 32_768  # contracts/modules/bitcoin.vy
MAX_BRANCH = 32


def strip_witness(raw: bytes | str) -> bytes:
    """The transaction serialised without witness (what its txid hashes)."""
    from bitcoin.core import CTransaction

    raw = bytes.fromhex(raw) if isinstance(raw, str) else bytes(raw)
    try:
        tx = CTransaction.deserialize(raw)
    except Exception as exc:  # noqa: BLE001 - python-bitcoinlib raises several types
        raise ConsensusError(f"not a transaction: {exc}") from None
    out = CTransaction(tx.vin, tx.vout, tx.nLockTime, tx.nVersion)  # no witness
    return out.serialize()


def txid(raw_no_witness: bytes) -> bytes:
    """The txid in internal byte order."""
    return sha256d(raw_no_witness)


def bip34_script(height: int) -> bytes:
    """The script prefix Bitcoin Core writes for ``height`` (``CScript() << height``)."""
    if height == 0:
        return b"\x00"
    if 1 <= height <= 16:
        return bytes([0x50 + height])
    n = height
    out = bytearray()
    while n:
        out.append(n & 0xFF)
        n >>= 8
    if out[-1] & 0x80:
        out.append(0)
    return bytes([len(out)]) + bytes(out)


def _varint(data: bytes, off: int) -> tuple[int, int]:
    if off >= len(data):
        raise ConsensusError("coinbase truncated")
    first = data[off]
    if first < 0xFD:
        return first, off + 1
    width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    if off + 1 + width > len(data):
        raise ConsensusError("coinbase truncated")
    value = int.from_bytes(data[off + 1: off + 1 + width], "little")
    if value < 0xFD or (width > 2 and value < 1 << 16) or (width > 4 and value < 1 << 32):
        raise ConsensusError("non-canonical CompactSize in coinbase")
    return value, off + 1 + width


def varint(n: int) -> bytes:
    """CompactSize encoding."""
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


@dataclass(frozen=True)
class Coinbase:
    """A parsed coinbase: its txid (internal order), BIP34 height and the sum of its outputs."""

    txid: bytes
    height: int
    paid: int
    outputs: list[int]


def parse_coinbase(raw: bytes) -> Coinbase:
    """Parse a witness-stripped coinbase with the contract's rules (`bitcoin._coinbase`)."""
    raw = bytes(raw)
    n = len(raw)
    # a 64-byte coinbase is valid: an internal merkle node cannot carry the null outpoint (bitcoin.vy)
    if n < 42:
        raise ConsensusError("coinbase truncated")
    if raw[4] == 0 and raw[5] == 1:
        raise ConsensusError("coinbase must be serialised without witness")
    if raw[4] != 1:
        raise ConsensusError("a coinbase has exactly one input")
    if raw[5:37] != b"\x00" * 32 or raw[37:41] != b"\xff" * 4:
        raise ConsensusError("not a coinbase: its input spends an outpoint")
    script_len = raw[41]
    if not 2 <= script_len <= 100:
        raise ConsensusError("coinbase script must be 2 to 100 bytes")
    height = _bip34(raw, 42, script_len)
    off = 42 + script_len + 4
    count, off = _varint(raw, off)
    outputs = []
    for _ in range(count):
        if off + 8 > n:
            raise ConsensusError("coinbase truncated")
        value = int.from_bytes(raw[off: off + 8], "little")
        if value > MAX_MONEY:
            raise ConsensusError("coinbase output exceeds 21 million BTC")
        outputs.append(value)
        if sum(outputs) > MAX_MONEY:
            raise ConsensusError("coinbase outputs exceed 21 million BTC")
        slen, off = _varint(raw, off + 8)
        off += slen
    if off + 4 > n:
        raise ConsensusError("coinbase truncated")
    if off + 4 != n:
        raise ConsensusError("coinbase has bytes after its locktime")
    return Coinbase(txid=sha256d(raw), height=height, paid=sum(outputs), outputs=outputs)


def _bip34(raw: bytes, off: int, script_len: int) -> int:
    if off >= len(raw):
        raise ConsensusError("coinbase truncated")
    op = raw[off]
    if op == 0:
        return 0
    if 0x51 <= op <= 0x60:
        return op - 0x50
    bad = ConsensusError("coinbase script does not start with a BIP34 height")
    if not (1 <= op <= 8 and op < script_len):
        raise bad
    if off + 1 + op > len(raw):
        raise ConsensusError("coinbase truncated")
    num = raw[off + 1: off + 1 + op]
    height = int.from_bytes(num, "little")
    if num[-1] & 0x80 or (num[-1] == 0 and (op == 1 or not num[-2] & 0x80)) or height <= 16:
        raise bad
    return height


def make_coinbase(height: int, outputs: list[tuple[int, bytes]], *, extra: bytes = b"/hashtrust/", sequence: int = 0xFFFFFFFF, locktime: int = 0, version: int = 1) -> bytes:
    """A coinbase (no witness) paying ``outputs`` [(sats, script)] at ``height`` (BIP34 prefix)."""
    script = bip34_script(height) + extra
    if not 2 <= len(script) <= 100:
        raise ValueError("coinbase script must be 2 to 100 bytes")
    body = version.to_bytes(4, "little") + b"\x01" + b"\x00" * 32 + b"\xff" * 4 + varint(len(script)) + script
    body += sequence.to_bytes(4, "little") + varint(len(outputs))
    for value, spk in outputs:
        body += value.to_bytes(8, "little") + varint(len(spk)) + spk
    return body + locktime.to_bytes(4, "little")


# ------------------------------------------------------------------ merkle
def merkle_root(txids: list[bytes]) -> bytes:
    """Bitcoin's merkle root of ``txids`` (internal order; an odd level repeats its last node)."""
    if not txids:
        raise ValueError("no transactions")
    level = list(txids)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def coinbase_branch(txids: list[bytes]) -> list[bytes]:
    """The merkle branch of the first transaction (its right-hand siblings, leaf first)."""
    branch = []
    level = list(txids)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        branch.append(level[1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return branch


def fold(leaf: bytes, branch: list[bytes]) -> bytes:
    """Fold the first transaction's branch up to the root (`bitcoin._fold`)."""
    node = leaf
    for sibling in branch:
        node = sha256d(node + sibling)
    return node
