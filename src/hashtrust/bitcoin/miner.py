"""A synthetic-chain miner for tests: real proof of work at an easy target, Bitcoin's rules.

`SyntheticChain` grows a chain block by block: each block has a BIP34 coinbase paying a chosen
reward (subsidy + fees), a few filler transactions (so the coinbase has a real merkle branch),
a timestamp chosen by the caller (or 600 s after the previous), and the nBits Bitcoin's retarget
rule gives at every 2,016th block (or unchanged when retargeting is off). Headers are mined
(nonce searched) until their double SHA-256 meets the target; at the default easy pow limit that
takes about two hashes a header.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from hashtrust.bitcoin.consensus import (
    REGTEST_POW_LIMIT,
    RETARGET_INTERVAL,
    Header,
    bits_from_target,
    next_bits,
    sha256d,
    subsidy,
    target_from_bits,
)
from hashtrust.bitcoin.tx import coinbase_branch, make_coinbase, merkle_root

# regtest's pow limit: about half of all hashes meet it (the relay retargets it exactly)
EASY_POW_LIMIT = REGTEST_POW_LIMIT
EASY_BITS = bits_from_target(EASY_POW_LIMIT)
P2WPKH = bytes.fromhex("0014") + bytes(20)


@dataclass
class Block:
    """One mined block: its height, raw header, coinbase (no witness) and the coinbase's branch."""

    height: int
    header: bytes
    coinbase: bytes
    branch: list[bytes]
    paid: int
    txids: list[bytes] = field(default_factory=list)  # every transaction's id, the coinbase first

    @property
    def hash(self) -> bytes:
        return sha256d(self.header)

    @property
    def parsed(self) -> Header:
        return Header.parse(self.header)


def mine_header(version: int, prev: bytes, root: bytes, time: int, bits: int, *, nonce_start: int = 0) -> bytes:
    """Search nonces (then bump the version's low bits) until the header meets ``bits``."""
    target = target_from_bits(bits)
    base = version.to_bytes(4, "little") + prev + root + time.to_bytes(4, "little") + bits.to_bytes(4, "little")
    nonce = nonce_start
    while True:
        raw = base + (nonce & 0xFFFFFFFF).to_bytes(4, "little")
        if int.from_bytes(hashlib.sha256(hashlib.sha256(raw).digest()).digest(), "little") <= target:
            return raw
        nonce += 1
        if nonce > 0xFFFFFFFF:  # never at easy targets; kept for completeness
            version += 1
            base = version.to_bytes(4, "little") + base[4:]
            nonce = 0


@dataclass
class SyntheticChain:
    """A chain starting at ``start_height`` (an epoch's first block unless ``start_height`` is 0)."""

    start_height: int = 0
    start_time: int = 1_700_000_000
    bits: int = EASY_BITS
    pow_limit: int = EASY_POW_LIMIT
    retargeting: bool = True
    seed: int = 0
    blocks: list[Block] = field(default_factory=list)
    epoch_start_time: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # ------------------------------------------------------------------ growing
    @property
    def tip(self) -> Block | None:
        return self.blocks[-1] if self.blocks else None

    @property
    def next_height(self) -> int:
        return self.start_height + len(self.blocks)

    def block(self, height: int) -> Block:
        return self.blocks[height - self.start_height]

    def next_block_bits(self) -> int:
        """The nBits the next block must carry (Bitcoin's rule at an epoch boundary)."""
        h = self.next_height
        if not self.blocks:
            return self.bits
        tip = self.tip.parsed
        if h % RETARGET_INTERVAL != 0 or not self.retargeting:
            return tip.bits
        first = self.epoch_start_time.get(h // RETARGET_INTERVAL - 1)
        if first is None:
            raise ValueError(f"the chain does not hold the first block of epoch {h // RETARGET_INTERVAL - 1}")
        return next_bits(tip.bits, first, tip.time, self.pow_limit)

    def mine(self, *, time: int | None = None, fees: int | None = None, paid: int | None = None, bits: int | None = None,
             outputs: list[tuple[int, bytes]] | None = None, txs: int | None = None, prev: bytes | None = None) -> Block:
        """Mine the next block. ``paid`` (or subsidy + ``fees``) is split over the coinbase outputs;
        ``bits`` overrides the rule (to forge), ``prev`` the parent (to fork)."""
        h = self.next_height
        if time is None:
            time = self.tip.parsed.time + 600 if self.blocks else self.start_time
        if paid is None:
            paid = subsidy(h) + (fees if fees is not None else self.rng.randrange(0, 50_000_000))
        if outputs is None:
            first = paid * 9 // 10
            outputs = [(first, P2WPKH), (paid - first, P2WPKH), (0, b"\x6a\x24\xaa\x21\xa9\xed" + bytes(32))]
        cb = make_coinbase(h, outputs, extra=self.rng.randbytes(8))
        n_txs = txs if txs is not None else self.rng.randrange(1, 40)
        txids = [sha256d(cb)] + [self.rng.randbytes(32) for _ in range(n_txs - 1)]
        root = merkle_root(txids)
        if prev is None:
            prev = self.tip.hash if self.blocks else self.rng.randbytes(32)
        header = mine_header(0x20000000, prev, root, time, bits if bits is not None else self.next_block_bits())
        blk = Block(height=h, header=header, coinbase=cb, branch=coinbase_branch(txids), paid=sum(v for v, _ in outputs), txids=txids)
        self.blocks.append(blk)
        if h % RETARGET_INTERVAL == 0:
            self.epoch_start_time.setdefault(h // RETARGET_INTERVAL, time)
        return blk

    def mine_to(self, height: int, *, spacing: int | None = None, jitter: int = 0) -> None:
        """Mine up to and including ``height``, ``spacing`` seconds apart (default 600) +- ``jitter``."""
        while self.next_height <= height:
            t = None
            if self.blocks:
                step = 600 if spacing is None else spacing
                t = self.tip.parsed.time + step + (self.rng.randint(-jitter, jitter) if jitter else 0)
            self.mine(time=t)

    # ------------------------------------------------------------------ views
    def headers(self, first: int, count: int) -> bytes:
        """``count`` concatenated raw headers starting at height ``first``."""
        return b"".join(self.block(first + i).header for i in range(count))

    def epochs(self) -> dict[int, tuple[int, int]]:
        """epoch -> (nBits, start time) for every epoch whose first block the chain holds."""
        return {e: (self.block(e * RETARGET_INTERVAL).parsed.bits, t) for e, t in self.epoch_start_time.items()}
