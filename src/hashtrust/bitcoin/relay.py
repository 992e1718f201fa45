"""Client of the Bitcoin light relay (`contracts/BitcoinRelay.vy`), and its sync.

`BitcoinRelayClient` reads the relayed epochs, anchors, proves retargets and reward proofs; each
input is checked in Python first (`InputError`), so a bad header never costs gas. `sync` brings a
relay up to date from a header source (a header file or a Bitcoin Core node): it anchors a fresh
relay when asked, then proves every retarget the source covers that the relay does not have yet,
in order; rerun, it sends nothing new (idempotent, resumable after any interruption).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol  # noqa: F401

from web3 import Web3

from hashtrust.bitcoin.consensus import (
    HEADER_BYTES,
    MAINNET_POW_LIMIT,
    REGTEST_POW_LIMIT,
    RETARGET_INTERVAL,
    Header,
    difficulty,
    target_from_bits,
)
from hashtrust.bitcoin.proofs import RewardProof
from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook, Entry
from hashtrust.chain.client import ContractClient
from hashtrust.chain.tx import TxSender
from hashtrust.errors import HashtrustError, InputError

# network -> (pow limit, retargeting); testnet3/4 are not supported (minimum-difficulty blocks)
NETWORKS = {
    "mainnet": (MAINNET_POW_LIMIT, True),
    "signet": (int("00000377ae" + "0" * 54, 16), True),
    "regtest": (REGTEST_POW_LIMIT, False),
}


@dataclass(frozen=True)
class EpochInfo:
    """One relayed epoch: its number, nBits, target, integer difficulty and start time."""

    number: int
    bits: int
    target: int
    difficulty: int
    start_time: int

    def to_json(self) -> dict:
        d = asdict(self)
        d["bits"] = f"{self.bits:#010x}"
        d["target"] = f"{self.target:#066x}"
        return d


@dataclass(frozen=True)
class RewardInfo:
    """What a reward proof established."""

    block_hash: str  # display order
    height: int
    time: int
    paid: int
    subsidy: int
    fees: int
    confirmations: int


class HeaderSource(Protocol):
    """Where `sync` reads headers: a header file (`files.HeaderFile`) or a node (`rpc.NodeSource`)."""

    epoch_start: tuple[int, bytes] | None

    def boundaries(self) -> list[int]: ...
    def run(self, first: int, count: int) -> bytes: ...


class BitcoinRelayClient(ContractClient):
    """Typed access to one deployed `BitcoinRelay`."""

    CONTRACT = "BitcoinRelay"
    BOOK_NAME = "BitcoinRelay"

    # ------------------------------------------------------------------ reads
    def params(self) -> dict:
        return {
            "pow_limit": self._view("POW_LIMIT"),
            "retargeting": self._view("RETARGETING"),
            "confirmations": self._view("CONFIRMATIONS"),
            "proof_length": self._view("PROOF_LENGTH"),
            "deployer": self._view("DEPLOYER"),
        }

    def anchored(self) -> bool:
        return bool(self._view("anchored"))

    def latest_epoch(self) -> int:
        return int(self._view("latest_epoch"))

    def epoch(self, number: int) -> EpochInfo | None:
        record = int(self._view("epoch_record", number))
        if record == 0:
            return None
        bits = record & 0xFFFFFFFF
        target = target_from_bits(bits)
        return EpochInfo(number=number, bits=bits, target=target, difficulty=difficulty(target), start_time=record >> 32)

    def epochs(self) -> list[EpochInfo]:
        """Every relayed epoch, oldest first (empty before the anchor)."""
        if not self.anchored():
            return []
        first, last = int(self._view("first_epoch")), self.latest_epoch()
        return [e for e in (self.epoch(n) for n in range(first, last + 1)) if e is not None]

    def verify_reward(self, proof: RewardProof) -> RewardInfo:
        """Check a reward proof in Python, then ask the relay; `RevertError` names the rule broken."""
        proof.check(int(self._view("CONFIRMATIONS")))
        r = self._view("verify_reward", *proof.args())
        return RewardInfo(block_hash=bytes(r[0])[::-1].hex(), height=r[1], time=r[2], paid=r[3], subsidy=r[4], fees=r[5], confirmations=r[6])

    # ------------------------------------------------------------------ writes
    def anchor(self, header: bytes, height: int) -> dict:
        h = _header(header, "header")
        if height % RETARGET_INTERVAL:
            raise InputError("height", f"{height:,} is not an epoch's first block (a multiple of 2,016)")
        if not h.meets_target():
            raise InputError("header", "does not meet its own target")
        return self._send_event(self._fn("anchor", header, height), "Anchored")

    def anchor_epoch(self, number: int, bits: int, start_time: int) -> dict:
        """Anchor by epoch number, nBits and start time (all trusted: the deployer's checkpoint)."""
        try:
            target_from_bits(bits)
        except ValueError as exc:
            raise InputError("bits", str(exc)) from None
        if not 0 <= start_time < 2**32:
            raise InputError("start_time", "must be a uint32 timestamp")
        return self._send_event(self._fn("anchor_epoch", number, bits, start_time), "Anchored")

    def retarget(self, proof: bytes) -> dict:
        p = int(self._view("PROOF_LENGTH"))
        if len(proof) != 2 * p * HEADER_BYTES:
            raise InputError("headers", f"a retarget proof is {2 * p} headers ({p} each side), got {len(proof) / HEADER_BYTES:g}")
        return self._send_event(self._fn("retarget", proof), "Retarget")


def _header(raw: bytes, field: str) -> Header:
    try:
        return Header.parse(raw)
    except ValueError as exc:
        raise InputError(field, str(exc)) from None


def deploy_relay(w3: Web3, sender: TxSender, book: AddressBook, *, network: str = "mainnet", confirmations: int = 6, proof_length: int = 20,
                 name: str = "BitcoinRelay") -> tuple[BitcoinRelayClient, bool]:
    """The relay recorded under ``name`` if its code is on chain with these parameters, else a new
    one (recorded at once). Returns (client, deployed)."""
    if network not in NETWORKS:
        raise InputError("network", f"{network!r} is not one of {', '.join(NETWORKS)} (testnet3/4 are not supported)")
    if not 0 <= confirmations <= 63:
        raise InputError("confirmations", "must be 0 to 63")
    if not 1 <= proof_length <= 100:
        raise InputError("proof_length", "must be 1 to 100")
    pow_limit, retargeting = NETWORKS[network]
    entry = book.get(name)
    if entry is not None and bytes(w3.eth.get_code(Web3.to_checksum_address(entry.address))):
        client = BitcoinRelayClient(w3, entry.address, sender)
        have = client.params()
        want = {"pow_limit": pow_limit, "retargeting": retargeting, "confirmations": confirmations, "proof_length": proof_length}
        if {k: have[k] for k in want} != want:
            raise HashtrustError(f"{name} at {entry.address} has other parameters ({ {k: have[k] for k in want} }); pass another --name")
        return client, False
    art = artifacts.load("BitcoinRelay")
    receipt = sender.deploy(art.abi, art.bytecode, pow_limit, retargeting, confirmations, proof_length, action=f"deploy {name}")
    addr = Web3.to_checksum_address(receipt["contractAddress"])
    code = bytes(w3.eth.get_code(addr))
    book.record(Entry(name=name, address=addr, contract_type="BitcoinRelay", block=int(receipt["blockNumber"]), deployer=sender.address,
                      tx=Web3.to_hex(receipt["transactionHash"]), code_hash="0x" + Web3.keccak(code).hex().removeprefix("0x")))
    return BitcoinRelayClient(w3, addr, sender), True


@dataclass
class SyncResult:
    anchored: int | None = None  # epoch anchored in this run
    proven: list[int] = None  # epochs proven in this run
    skipped: list[int] = None  # epochs the relay already had
    latest_epoch: int | None = None

    def __post_init__(self):
        self.proven = self.proven or []
        self.skipped = self.skipped or []


def sync(relay: BitcoinRelayClient, source: HeaderSource, *, anchor: bool = False, log: Callable[[str], Any] = lambda s: None) -> SyncResult:
    """Anchor (when asked and not yet anchored) and prove every retarget ``source`` covers that
    the relay lacks, oldest first. A boundary without P headers each side is reported, not sent."""
    out = SyncResult()
    if not relay.anchored():
        if not anchor:
            raise HashtrustError("the relay is not anchored: pass --anchor to anchor it at the source's epoch_start")
        start = source.epoch_start
        if start is None:
            raise InputError("headers", "has no epoch_start to anchor at")
        relay.anchor(start[1], start[0])
        out.anchored = start[0] // RETARGET_INTERVAL
        log(f"anchored at epoch {out.anchored:,} (block {start[0]:,})")
    elif anchor:
        start = source.epoch_start
        first = int(relay._view("first_epoch"))
        if start is not None and start[0] // RETARGET_INTERVAL != first:
            raise HashtrustError(f"the relay is already anchored at epoch {first:,}, not the source's epoch {start[0] // RETARGET_INTERVAL:,}")
        log(f"already anchored at epoch {first:,}")
    p = int(relay._view("PROOF_LENGTH"))
    for boundary in source.boundaries():
        epoch = boundary // RETARGET_INTERVAL
        if relay.epoch(epoch) is not None:
            out.skipped.append(epoch)
            log(f"epoch {epoch:,}: already relayed")
            continue
        latest = relay.latest_epoch()
        if epoch != latest + 1:
            log(f"epoch {epoch:,}: skipped, the relay is at epoch {latest:,} (the epochs between are missing)")
            continue
        try:
            proof = source.run(boundary - p, 2 * p)
        except InputError as exc:
            log(f"epoch {epoch:,}: not proven, {exc} (P = {p} headers each side)")
            continue
        ev = relay.retarget(proof)
        out.proven.append(epoch)
        log(f"epoch {epoch:,}: proven, nBits {ev['old_bits']:#010x} -> {ev['new_bits']:#010x}")
    out.latest_epoch = relay.latest_epoch()
    return out
