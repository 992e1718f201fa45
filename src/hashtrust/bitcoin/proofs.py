"""Proofs the relay and the index take, built from header files, coinbase files or a node.

* `retarget_proof(headers, boundary, p)`: the last ``p`` headers before an epoch boundary and the
  first ``p`` after it, concatenated (what `BitcoinRelay.retarget` takes).
* `RewardProof`: a block's header and its confirmations, its coinbase without witness and the
  coinbase's merkle branch in internal byte order (what `verify_reward` / `submit` take), checked
  in Python first (`check`) so a bad proof fails with a clear sentence before any gas is spent.
"""

from __future__ import annotations

from dataclasses import dataclass

from hashtrust.bitcoin.consensus import HEADER_BYTES, RETARGET_INTERVAL, ConsensusError, Header, sha256d
from hashtrust.bitcoin.files import CoinbaseFile, HeaderFile
from hashtrust.bitcoin.tx import MAX_BRANCH, MAX_COINBASE_BYTES, fold, parse_coinbase, strip_witness
from hashtrust.errors import InputError

MAX_CHAIN_HEADERS = 64  # contracts/modules/bitcoin.vy


def retarget_proof(headers: HeaderFile, boundary: int, p: int) -> bytes:
    """2 * ``p`` headers around ``boundary`` (a multiple of 2,016) from ``headers``."""
    if boundary % RETARGET_INTERVAL:
        raise InputError("boundary", f"{boundary:,} is not an epoch boundary")
    return headers.run(boundary - p, 2 * p)


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
        if len(self.headers) % HEADER_BYTES or not self.headers:
            raise InputError("headers", "must be whole 80-byte headers")
        if len(self.headers) // HEADER_BYTES > MAX_CHAIN_HEADERS:
            raise InputError("headers", f"at most {MAX_CHAIN_HEADERS} headers (the block and 63 confirmations)")
        if self.confirmations < confirmations:
            raise InputError("headers", f"{self.confirmations} confirmations; the relay needs {confirmations}")
        if len(self.coinbase) > MAX_COINBASE_BYTES:
            raise InputError("coinbase", f"{len(self.coinbase):,} bytes; at most {MAX_COINBASE_BYTES:,} can be proven")
        if len(self.branch) > MAX_BRANCH:
            raise InputError("branch", f"{len(self.branch)} levels; at most {MAX_BRANCH}")
        try:
            cb = parse_coinbase(self.coinbase)
        except ConsensusError as exc:
            raise InputError("coinbase", str(exc)) from None
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
