"""Proofs the relay and the index take, built from header files, coinbase files or a node.

* `RetargetProof`: what `BitcoinRelay.retarget` takes: a linked run of headers around a boundary
  and the coinbase and branch of the first of them (its BIP34 height pins every header's height),
  checked in Python first (`check`: heights, links, work, the retarget rule, the future-time rule).
* `RewardProof`: a block's header and its confirmations, its coinbase without witness and the
  coinbase's merkle branch in internal byte order (what `verify_reward` / `submit` take), checked
  in Python first (`check`) so a bad proof fails with a clear sentence before any gas is spent.
"""

from __future__ import annotations

from dataclasses import dataclass

from hashtrust.bitcoin.consensus import HEADER_BYTES, RETARGET_INTERVAL, ConsensusError, Header, next_bits, sha256d, work
from hashtrust.bitcoin.files import CoinbaseFile
from hashtrust.bitcoin.tx import MAX_BRANCH, MAX_COINBASE_BYTES, fold, parse_coinbase, strip_witness
from hashtrust.errors import InputError

MAX_CHAIN_HEADERS = 64  # contracts/modules/bitcoin.vy
MAX_PROOF_HEADERS = 800  # contracts/BitcoinRelay.vy: most headers in a retarget proof
MAX_FUTURE_SECONDS = 7_200  # Bitcoin's future-block rule, as the contracts apply it
MAX_PIN_COINBASE_BYTES = 4_096  # contracts/BitcoinRelay.vy: the coinbase that pins a retarget proof


def _check_headers(headers: bytes, most: int, what: str) -> int:
    """The number of whole 80-byte headers in ``headers``; `InputError` past ``most``."""
    if len(headers) % HEADER_BYTES or not headers:
        raise InputError("headers", "must be whole 80-byte headers")
    count = len(headers) // HEADER_BYTES
    if count > most:
        raise InputError("headers", f"{count} headers; {what} takes at most {most}")
    return count


def _check_coinbase(coinbase: bytes, branch: list[bytes], most: int, hint: str):
    """The parsed coinbase, after the size checks of the coinbase (``most`` bytes) and its branch."""
    if len(coinbase) > most:
        raise InputError("coinbase", f"{len(coinbase):,} bytes; at most {most:,} {hint}")
    if len(branch) > MAX_BRANCH:
        raise InputError("branch", f"{len(branch)} levels; at most {MAX_BRANCH}")
    try:
        return parse_coinbase(coinbase)
    except ConsensusError as exc:
        raise InputError("coinbase", str(exc)) from None


@dataclass(frozen=True)
class RewardProof:
    """One block-reward proof."""

    height: int
    headers: bytes
    coinbase: bytes
    branch: list[bytes]

    @property
    def confirmations(self) -> int:
        return len(self.headers) // HEADER_BYTES - 1

    @property
    def block_hash(self) -> bytes:
        return sha256d(self.headers[:HEADER_BYTES])

    def check(self, confirmations: int = 0) -> int:
        """Raise `InputError` for what the contract would refuse; return what the block paid."""
        _check_headers(self.headers, MAX_CHAIN_HEADERS, "a reward proof (the block and 63 confirmations)")
        if self.confirmations < confirmations:
            raise InputError("headers", f"{self.confirmations} confirmations; the relay needs {confirmations}")
        cb = _check_coinbase(self.coinbase, self.branch, MAX_COINBASE_BYTES, "can be proven")
        if cb.height != self.height:
            raise InputError("coinbase", f"BIP34 height {cb.height:,} is not the block's height {self.height:,}")
        if fold(cb.txid, self.branch) != Header.parse(self.headers[:HEADER_BYTES]).merkle_root:
            raise InputError("branch", "does not fold to the block's merkle root")
        for i in range(1, len(self.headers) // HEADER_BYTES):
            if self.headers[i * HEADER_BYTES + 4: i * HEADER_BYTES + 36] != sha256d(self.headers[(i - 1) * HEADER_BYTES: i * HEADER_BYTES]):
                raise InputError("headers", f"header {i} does not link to the one before it")
        return cb.paid

    def args(self) -> tuple[bytes, bytes, list[bytes]]:
        """The contract call's arguments."""
        return self.headers, self.coinbase, list(self.branch)


def reward_proof_from_file(cf: CoinbaseFile) -> RewardProof:
    """The proof a coinbase file holds (its coinbase stripped of witness)."""
    try:
        stripped = strip_witness(cf.coinbase)
    except ConsensusError as exc:
        raise InputError(f"{cf.path}.coinbase_tx", str(exc)) from None
    return RewardProof(height=cf.height, headers=b"".join(cf.headers), coinbase=stripped, branch=list(cf.branch))


@dataclass(frozen=True)
class RetargetOutcome:
    """What a retarget proof records if the relay accepts it."""

    epoch: int
    new_bits: int
    start_time: int
    work: int
    pre: int
    post: int


@dataclass(frozen=True)
class RetargetProof:
    """A retarget proof: ``headers`` (oldest first) and the coinbase (witness stripped) and merkle
    branch of the first of them, whose BIP34 height pins every header's height."""

    headers: bytes
    coinbase: bytes
    branch: list[bytes]

    @property
    def count(self) -> int:
        return len(self.headers) // HEADER_BYTES

    def header(self, i: int) -> Header:
        return Header.parse(self.headers[i * HEADER_BYTES:(i + 1) * HEADER_BYTES])

    def args(self) -> tuple[bytes, bytes, list[bytes]]:
        return self.headers, self.coinbase, list(self.branch)

    def check(self, epoch: int, bits: int, start_time: int, *, p: int, pow_limit: int, retargeting: bool, now: int | None = None) -> RetargetOutcome:
        """Raise `InputError` for what `BitcoinRelay.retarget` would refuse when extending
        ``epoch`` (nBits ``bits``, first block at ``start_time``); return what it would record
        (``work``: the work from the boundary on, the relay's fork-choice weight)."""
        _check_headers(self.headers, MAX_PROOF_HEADERS, "a retarget proof")
        cb = _check_coinbase(self.coinbase, self.branch, MAX_PIN_COINBASE_BYTES, "can pin a retarget proof (start the proof at another block)")
        boundary = (epoch + 1) * RETARGET_INTERVAL
        first = cb.height
        if not first < boundary < first + self.count:
            raise InputError("coinbase", f"BIP34 height {cb.height:,} puts the proof at {first:,}..{first + self.count - 1:,}, not around the boundary {boundary:,}")
        pre, post = boundary - first, first + self.count - boundary
        if pre < p:
            raise InputError("headers", f"{pre} headers before the boundary; the relay needs P = {p}")
        if post < p:
            raise InputError("headers", f"{post} headers after the boundary; the relay needs P = {p}")
        hs = [self.header(i) for i in range(self.count)]
        if fold(cb.txid, self.branch) != hs[0].merkle_root:
            raise InputError("branch", "does not fold to the first header's merkle root")
        new = next_bits(bits, start_time, hs[pre - 1].time, pow_limit) if retargeting else bits
        for i, h in enumerate(hs):
            want = bits if i < pre else new
            if h.bits != want:
                what = "the retarget rule" if i == pre else ("the epoch" if i < pre else "the new epoch (a second retarget?)")
                raise InputError("headers", f"header {first + i:,} carries nBits {h.bits:#010x}; {what} gives {want:#010x}")
            if h.target > pow_limit:
                raise InputError("headers", f"header {first + i:,}: nBits above the pow limit")
            if not h.meets_target():
                raise InputError("headers", f"header {first + i:,} does not meet its target")
            if i and h.prev != hs[i - 1].hash:
                raise InputError("headers", f"header {first + i:,} does not link to the one before it")
        if now is not None:
            for i in (pre - 1, pre):
                if hs[i].time > now + MAX_FUTURE_SECONDS:
                    raise InputError("headers", f"header {first + i:,} is stamped more than 2 hours ahead of the chain's clock")
        w_old, w_new = work(hs[0].target), work(hs[pre].target)
        if post * w_new < p * w_old:
            raise InputError("headers", f"{post} headers after the boundary carry less work than P = {p} headers at the old target; add headers")
        return RetargetOutcome(epoch=epoch + 1, new_bits=new, start_time=hs[pre].time, work=post * w_new, pre=pre, post=post)
