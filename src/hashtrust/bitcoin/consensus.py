"""Bitcoin's consensus arithmetic in Python, integer for integer as `contracts/modules/bitcoin.vy`.

Headers (80 bytes, fields little-endian), double-SHA-256 hashes, compact nBits (Bitcoin Core's
``SetCompact`` / ``GetCompact``), the retarget rule (``CalculateNextWorkRequired``: the span from
the epoch's first block to its last, clamped to [T/4, 4T], capped at the pow limit), difficulty,
work and the subsidy. Hashes are ``bytes`` in internal byte order (what SHA-256 returns and what
headers embed); `display` gives the reversed hex block explorers print.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

HEADER_BYTES = 80
RETARGET_INTERVAL = 2_016
TARGET_TIMESPAN = 1_209_600  # two weeks
HALVING_INTERVAL = 210_000
INITIAL_SUBSIDY = 50 * 100_000_000
MAX_MONEY = 21_000_000 * 100_000_000
DIFF1_TARGET = 0xFFFF << 208
MAINNET_POW_LIMIT = (1 << 224) - 1
# regtest's powLimit (0x7fff...); regtest never retargets (fPowNoRetargeting)
REGTEST_POW_LIMIT = 0x7FFFFF << 232


class ConsensusError(ValueError):
    """Data that breaks one of Bitcoin's rules (the message names the rule)."""


def sha256d(data: bytes) -> bytes:
    """Double SHA-256, the hash of headers, transactions and merkle nodes."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def display(h: bytes) -> str:
    """A hash in internal byte order as block explorers print it (reversed hex)."""
    return h[::-1].hex()


def from_display(s: str) -> bytes:
    """The internal-order bytes of a hash printed the explorers' way."""
    return bytes.fromhex(s.removeprefix("0x"))[::-1]


# ------------------------------------------------------------------ compact targets
def target_from_bits(bits: int) -> int:
    """Decode compact nBits as ``SetCompact``; refuse what ``CheckProofOfWork`` refuses."""
    if not 0 <= bits < 1 << 32:
        raise ConsensusError(f"nBits {bits:#x} is not a uint32")
    size = bits >> 24
    word = bits & 0x007FFFFF
    if word and bits & 0x00800000:
        raise ConsensusError(f"nBits {bits:#010x} encode a negative target")
    if word and (size > 34 or (word > 0xFF and size > 33) or (word > 0xFFFF and size > 32)):
        raise ConsensusError(f"nBits {bits:#010x} overflow 256 bits")
    target = word >> (8 * (3 - size)) if size <= 3 else word << (8 * (size - 3))
    if target == 0:
        raise ConsensusError(f"nBits {bits:#010x} encode a zero target")
    return target


def bits_from_target(target: int) -> int:
    """Encode a positive target in compact form exactly as ``GetCompact``."""
    if target <= 0 or target >= 1 << 256:
        raise ConsensusError("target must be in 1 .. 2**256 - 1")
    size = (target.bit_length() + 7) // 8
    word = target << (8 * (3 - size)) if size <= 3 else target >> (8 * (size - 3))
    if word & 0x00800000:
        word >>= 8
        size += 1
    return word | (size << 24)


def next_bits(bits: int, first_time: int, last_time: int, pow_limit: int = MAINNET_POW_LIMIT) -> int:
    """nBits of the next epoch: the old target times the clamped span over two weeks (floor),
    capped at ``pow_limit``. ``first_time``/``last_time`` are the epoch's first and last blocks'
    timestamps (2,015 intervals: Bitcoin's off-by-one)."""
    span = min(max(last_time - first_time, TARGET_TIMESPAN // 4), TARGET_TIMESPAN * 4)
    target = target_from_bits(bits) * span // TARGET_TIMESPAN
    return bits_from_target(min(target, pow_limit))


def difficulty(target: int) -> int:
    """Bitcoin's difficulty as an integer: floor(0xffff * 2**208 / target)."""
    return DIFF1_TARGET // target


def work(target: int) -> int:
    """Expected hashes to meet ``target`` (``GetBlockProof``)."""
    return (1 << 256) // (target + 1)


def subsidy(height: int) -> int:
    """The block subsidy at ``height`` in sats: 50 BTC >> (height // 210,000)."""
    if height < 0:
        raise ValueError("height must be >= 0")
    halvings = height // HALVING_INTERVAL
    return 0 if halvings >= 64 else INITIAL_SUBSIDY >> halvings


def epoch_of(height: int) -> int:
    """The difficulty epoch a height belongs to."""
    return height // RETARGET_INTERVAL


# ------------------------------------------------------------------ headers
@dataclass(frozen=True)
class Header:
    """One 80-byte block header, decoded (hashes in internal byte order)."""

    version: int
    prev: bytes
    merkle_root: bytes
    time: int
    bits: int
    nonce: int

    @staticmethod
    def parse(raw: bytes | str) -> Header:
        raw = bytes.fromhex(raw) if isinstance(raw, str) else bytes(raw)
        if len(raw) != HEADER_BYTES:
            raise ConsensusError(f"a header is 80 bytes, got {len(raw)}")
        le = lambda a, b: int.from_bytes(raw[a:b], "little")  # noqa: E731
        return Header(le(0, 4), raw[4:36], raw[36:68], le(68, 72), le(72, 76), le(76, 80))

    def serialize(self) -> bytes:
        return (self.version.to_bytes(4, "little") + self.prev + self.merkle_root + self.time.to_bytes(4, "little")
                + self.bits.to_bytes(4, "little") + self.nonce.to_bytes(4, "little"))

    @property
    def hash(self) -> bytes:
        return sha256d(self.serialize())

    @property
    def target(self) -> int:
        return target_from_bits(self.bits)

    def meets_target(self) -> bool:
        """Whether the header's hash, read as a little-endian number, is at or below its target."""
        return int.from_bytes(self.hash, "little") <= self.target


def header_hash(raw: bytes) -> bytes:
    """The hash of a raw 80-byte header (internal byte order)."""
    return sha256d(raw)


def check_chain(headers: list[bytes], first_height: int, epochs: dict[int, tuple[int, int]]) -> None:
    """Python model of `bitcoin._check_chain`: raises `ConsensusError` naming the first rule a
    chain breaks. ``epochs`` maps epoch number -> (nBits, start time)."""
    if not headers:
        raise ConsensusError("no headers")
    last = first_height + len(headers) - 1
    if epoch_of(last) > epoch_of(first_height) + 1:
        raise ConsensusError("chain spans more than one retarget")
    prev = None
    for i, raw in enumerate(headers):
        h = Header.parse(raw)
        height = first_height + i
        ep = epochs.get(epoch_of(height))
        if ep is None:
            raise ConsensusError(f"epoch {epoch_of(height)} is not relayed")
        if h.bits != ep[0]:
            raise ConsensusError(f"header {height}: nBits {h.bits:#x} disagree with its epoch ({ep[0]:#x})")
        if height % RETARGET_INTERVAL == 0 and h.time != ep[1]:
            raise ConsensusError(f"header {height}: time disagrees with its epoch's start")
        if not h.meets_target():
            raise ConsensusError(f"header {height} does not meet its target")
        if prev is not None and h.prev != prev:
            raise ConsensusError(f"header {height} does not link to the one before it")
        prev = h.hash
