"""Client of the Bitcoin light relay (`contracts/BitcoinRelay.vy`), and its sync.

`BitcoinRelayClient` reads the relayed epochs, anchors, proves retargets and reward proofs; each
input is checked in Python first (`InputError`: heights, links, work, the retarget rule), so a bad
proof never costs gas. `sync` brings a relay up to date from a header source (a header file or a
Bitcoin Core node): it anchors a fresh relay when asked, then proves every retarget the source
covers that the relay does not have yet, in order, and watches a pending one: when the relay's
pending epoch is not the source's, it sends the heaviest proof the source has to replace it (the
relay's fork choice counts the work after the boundary). A watcher reruns it within every
challenge window. Rerun, it sends nothing new (idempotent, resumable after any interruption).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol  # noqa: F401

from web3 import Web3

from hashtrust.bitcoin.consensus import (
    MAINNET_POW_LIMIT,
    REGTEST_POW_LIMIT,
    RETARGET_INTERVAL,
    ConsensusError,
    Header,
    difficulty,
    target_from_bits,
    work,
)
from hashtrust.bitcoin.proofs import MAX_PIN_COINBASE_BYTES, MAX_PROOF_HEADERS, RetargetOutcome, RetargetProof, RewardProof
from hashtrust.bitcoin.tx import parse_coinbase, strip_witness
from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook, Entry
from hashtrust.chain.client import ContractClient
from hashtrust.chain.tx import TxSender
from hashtrust.errors import HashtrustError, InputError

# network -> (pow limit, retargeting). Not supported: testnet3/4 (minimum-difficulty blocks break
# the epoch model) and signet (a signet block is valid by the challenge's signature, which the
# relay does not check: its header work, ~5 million hashes, proves nothing)
NETWORKS = {
    "mainnet": (MAINNET_POW_LIMIT, True),
    "regtest": (REGTEST_POW_LIMIT, False),
}
UNSUPPORTED = {
    "signet": "signet is not supported: a signet block is valid by the signet challenge's signature, which the relay does not check, so its header work (about 5 million hashes) proves nothing",
    "testnet": "testnet3/4 are not supported: their minimum-difficulty blocks break the epoch model",
    "testnet3": "testnet3/4 are not supported: their minimum-difficulty blocks break the epoch model",
    "testnet4": "testnet3/4 are not supported: their minimum-difficulty blocks break the epoch model",
}
# the contract's floors (any network) and the SDK's for mainnet, where real value settles
FLOORS = {"confirmations": 2, "proof_length": 2, "challenge_window": 3_600}
MAINNET_FLOORS = {"confirmations": 6, "proof_length": 20, "challenge_window": 86_400}
DEFAULT_CHALLENGE_WINDOW = 86_400


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
    def coinbase(self, height: int) -> tuple[bytes, list[bytes]] | None: ...


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
            "challenge_window": self._view("CHALLENGE_WINDOW"),
            "deployer": self._view("DEPLOYER"),
        }

    def pending(self) -> dict | None:
        """The retarget waiting for its challenge window: epoch, nBits, start time, work, final_at."""
        r = self._view("pending")
        if int(r[0]) == 0:
            return None
        return dict(zip(("epoch", "bits", "start_time", "work", "final_at"), map(int, r)))

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
        self._check_relayed(proof.height, proof.height + proof.confirmations)
        r = self._view("verify_reward", *proof.args())
        return RewardInfo(block_hash=bytes(r[0])[::-1].hex(), height=r[1], time=r[2], paid=r[3], subsidy=r[4], fees=r[5], confirmations=r[6])

    def validate_chain(self, headers: bytes, first_height: int) -> dict:
        """Ask the relay whether ``headers`` (1 to 64, oldest first) form a valid chain at
        ``first_height``: linked, each meeting its epoch's target, a boundary into an epoch the
        relay has not made final checked against Bitcoin's retarget rule. Heights are the
        caller's claim. Returns the chain's hashes (display order), length, times and work;
        `RevertError` names the rule broken."""
        if not headers or len(headers) % 80 or len(headers) > 64 * 80:
            raise InputError("headers", f"must be 1 to 64 headers of 80 bytes ({len(headers):,} bytes given)")
        r = self._view("validate_chain", headers, first_height)
        return {"first_hash": bytes(r[0])[::-1].hex(), "last_hash": bytes(r[1])[::-1].hex(), "headers": int(r[2]),
                "first_time": int(r[3]), "last_time": int(r[4]), "work": int(r[5])}

    def _check_relayed(self, first_height: int, last_height: int) -> None:
        """`InputError` naming the epoch when a chain of headers falls in one the relay does not hold
        (before its anchor, beyond its latest epoch, or a retarget still in its challenge window)."""
        for epoch in sorted({first_height // RETARGET_INTERVAL, last_height // RETARGET_INTERVAL}):
            if self.epoch(epoch) is not None:
                continue
            if not self.anchored():
                held = "holds no epoch yet (anchor it first: `hashtrust relay sync --anchor`)"
            else:
                first, last = int(self._view("first_epoch")), self.latest_epoch()
                held = f"holds epochs {first:,} to {last:,}" if first != last else f"holds epoch {first:,} only"
                pending = self.pending()
                if pending is not None and pending["epoch"] == epoch:
                    held += f"; epoch {epoch:,}'s retarget is pending until its challenge window ends"
            raise InputError("headers", f"block {first_height:,} and its confirmations reach epoch {epoch:,} "
                             f"(heights {epoch * RETARGET_INTERVAL:,} to {(epoch + 1) * RETARGET_INTERVAL - 1:,}), which this relay does not hold: it {held}")

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

    def check_retarget(self, proof: RetargetProof) -> RetargetOutcome:
        """Check a retarget proof in Python against the epoch it would extend (the newest final
        one, or the one before a pending retarget): `InputError` for anything the relay refuses."""
        params = self.params()
        pend = self.pending()
        base = self.latest_epoch()
        ep = self.epoch(base)
        if ep is None:
            raise InputError("relay", "is not anchored")
        out = proof.check(base, ep.bits, ep.start_time, p=int(params["proof_length"]), pow_limit=int(params["pow_limit"]),
                          retargeting=bool(params["retargeting"]), now=int(self.w3.eth.get_block("latest")["timestamp"]))
        if pend is not None and out.work <= pend["work"]:
            raise InputError("headers", f"the proof's work ({out.work:,}) does not exceed the pending retarget's ({pend['work']:,}); add headers")
        return out

    def retarget(self, proof: RetargetProof) -> dict:
        """Check the proof (`check_retarget`), then send it; returns the `Retarget` event."""
        self.check_retarget(proof)
        return self._send_event(self._fn("retarget", *proof.args()), "Retarget")


def _header(raw: bytes, field: str) -> Header:
    try:
        return Header.parse(raw)
    except ValueError as exc:
        raise InputError(field, str(exc)) from None


def check_parameters(network: str, confirmations: int, proof_length: int, challenge_window: int, *, devnet: bool = False) -> None:
    """`InputError` for parameters the contract refuses, or that are unsafe on mainnet. On a local
    devnet (`hashtrust.chain.devnet.not_a_devnet`: nothing of value settles there, e.g. the tests
    replaying the real mainnet fixtures with P = 2) the mainnet floors do not apply; the contract's do."""
    if not FLOORS["confirmations"] <= confirmations <= 63:
        raise InputError("confirmations", "must be 2 to 63 (k = 0 or 1 lets a stale block count)")
    if not FLOORS["proof_length"] <= proof_length <= 100:
        raise InputError("proof_length", "must be 2 to 100 (P = 1 makes a retarget almost free)")
    if not FLOORS["challenge_window"] <= challenge_window < 2**32:
        raise InputError("challenge_window", "must be 3,600 seconds to 2**32 seconds")
    if network == "mainnet" and not devnet:
        for key, floor in MAINNET_FLOORS.items():
            value = {"confirmations": confirmations, "proof_length": proof_length, "challenge_window": challenge_window}[key]
            if value < floor:
                raise InputError(key, f"{value:,} is unsafe on mainnet: at least {floor:,} (docs/bitcoin.md, security)")


def utc(t: int) -> str:
    """A Unix time as the CLI prints it: ``2026-12-04 20:53:32 UTC``."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def check_proven_relay(w3: Web3, relay: str, *, devnet: bool) -> str:
    """``relay`` checksummed; `InputError` (field ``relay``) unless it holds hashtrust's
    `BitcoinRelay` and, off a local devnet, Bitcoin mainnet's parameters at the mainnet floors (a
    regtest relay's headers cost about two hashes: whatever it proves could be forged)."""
    from hashtrust.chain.addressbook import check_code
    from hashtrust.chain.checks import check_address
    from hashtrust.errors import AddressBookError

    relay = check_address(relay, "relay")
    try:
        check_code(w3, relay, "BitcoinRelay")
    except AddressBookError:
        raise InputError("relay", f"{relay} is not hashtrust's BitcoinRelay") from None
    if devnet:
        return relay
    p = BitcoinRelayClient(w3, relay, None).params()
    if (int(p["pow_limit"]), bool(p["retargeting"])) != NETWORKS["mainnet"]:
        raise InputError("relay", f"{relay} does not follow Bitcoin mainnet (its pow limit or retargeting differ): its headers cost nothing to forge")
    try:
        check_parameters("mainnet", int(p["confirmations"]), int(p["proof_length"]), int(p["challenge_window"]))
    except InputError as exc:
        raise InputError("relay", f"{relay} is below the mainnet floors ({exc})") from None
    return relay


def deploy_relay(w3: Web3, sender: TxSender, book: AddressBook, *, network: str = "mainnet", confirmations: int = 6, proof_length: int = 20,
                 challenge_window: int = DEFAULT_CHALLENGE_WINDOW, name: str = "BitcoinRelay") -> tuple[BitcoinRelayClient, bool]:
    """The relay recorded under ``name`` if its code is on chain with these parameters, else a new
    one (recorded at once). Returns (client, deployed)."""
    if network in UNSUPPORTED:
        raise InputError("network", UNSUPPORTED[network])
    if network not in NETWORKS:
        raise InputError("network", f"{network!r} is not one of {', '.join(NETWORKS)}")
    from hashtrust.chain.devnet import not_a_devnet

    devnet = not_a_devnet(w3) is None
    if network == "regtest" and not devnet:
        raise InputError("network", "regtest is for a local devnet only: its headers take about two hashes to mine, so a regtest relay here would prove nothing")
    check_parameters(network, confirmations, proof_length, challenge_window, devnet=devnet)
    with book.locked():  # refused input above never waits for (or touches) the book
        return _deploy_relay(w3, sender, book, network, confirmations, proof_length, challenge_window, name)


def _deploy_relay(w3: Web3, sender: TxSender, book: AddressBook, network: str, confirmations: int, proof_length: int,
                  challenge_window: int, name: str) -> tuple[BitcoinRelayClient, bool]:
    pow_limit, retargeting = NETWORKS[network]
    entry = book.get(name)
    if entry is not None and bytes(w3.eth.get_code(Web3.to_checksum_address(entry.address))):
        client = BitcoinRelayClient(w3, entry.address, sender)
        have = client.params()
        want = {"pow_limit": pow_limit, "retargeting": retargeting, "confirmations": confirmations, "proof_length": proof_length, "challenge_window": challenge_window}
        if {k: have[k] for k in want} != want:
            raise HashtrustError(f"{name} at {entry.address} has other parameters ({ {k: have[k] for k in want} }); pass another --name")
        return client, False
    art = artifacts.load("BitcoinRelay")
    receipt = sender.deploy(art.abi, art.bytecode, pow_limit, retargeting, confirmations, proof_length, challenge_window, action=f"deploy {name}")
    addr = Web3.to_checksum_address(receipt["contractAddress"])
    code = bytes(w3.eth.get_code(addr))
    book.record(Entry(name=name, address=addr, contract_type="BitcoinRelay", block=int(receipt["blockNumber"]), deployer=sender.address,
                      tx=Web3.to_hex(receipt["transactionHash"]), code_hash="0x" + Web3.keccak(code).hex().removeprefix("0x")))
    return BitcoinRelayClient(w3, addr, sender), True


@dataclass
class SyncResult:
    anchored: int | None = None  # epoch anchored in this run
    proven: list[int] = None  # epochs proven (proposed) in this run
    skipped: list[int] = None  # epochs the relay already had
    challenged: list[int] = None  # pending epochs replaced by the source's heavier proof
    pending: dict | None = None  # the retarget waiting for its window after the run
    latest_epoch: int | None = None

    def __post_init__(self):
        self.proven = self.proven or []
        self.skipped = self.skipped or []
        self.challenged = self.challenged or []


def build_retarget(source: HeaderSource, boundary: int, *, p: int, old_bits: int, heaviest: bool = False) -> RetargetProof:
    """A retarget proof of ``boundary`` from ``source``. After the boundary: the fewest headers
    whose work reaches P headers at the old target (``heaviest``: as many as the source has, up
    to the relay's 800 less P, for the most work after the boundary: the fork-choice weight).
    Before it: P headers, or more, back to the first block whose coinbase the source has and the
    relay can parse (the proof starts there: its BIP34 height pins the proof). `InputError` when
    the source lacks what it needs."""
    w_old = work(target_from_bits(old_bits))
    first_new = Header.parse(source.run(boundary, 1))
    least = max(p, -(-p * w_old // work(first_new.target)))
    if least + p > MAX_PROOF_HEADERS:
        raise InputError("headers", f"{least} headers after the boundary needed for P = {p} headers' worth of work; more than a proof holds")
    post = _available(source, boundary, least, MAX_PROOF_HEADERS - p, forward=True) if heaviest else least
    source.run(boundary, post)  # the source must have them (InputError naming the height otherwise)
    problems = []
    for pre in range(p, MAX_PROOF_HEADERS - post + 1):
        h = boundary - pre
        try:
            got = source.coinbase(h)
        except HashtrustError as exc:  # e.g. a pruned node: try the block before
            problems.append(f"{h:,}: {exc}")
            got = None
        if got is None:
            try:
                source.run(h - 1, 1)
            except HashtrustError:
                break  # the source has no earlier header to start at
            continue
        try:
            coinbase = strip_witness(got[0])
            if len(coinbase) > MAX_PIN_COINBASE_BYTES:
                raise ConsensusError(f"a {len(coinbase):,}-byte coinbase (a retarget proof's first block has at most {MAX_PIN_COINBASE_BYTES:,})")
            if parse_coinbase(coinbase).height != h:
                raise ConsensusError("its BIP34 height is not the block's")
        except ConsensusError as exc:
            problems.append(f"{h:,}: {exc}")
            continue
        return RetargetProof(headers=source.run(h, pre + post), coinbase=coinbase, branch=list(got[1]))
    why = f" ({'; '.join(problems[:3])})" if problems else ""
    raise InputError("headers", f"the source has no provable coinbase at heights {boundary - p:,} and before to start the proof at (its BIP34 height pins the boundary){why}")


def _available(source: HeaderSource, boundary: int, least: int, most: int, *, forward: bool) -> int:
    """How many consecutive headers (``least``..``most``) the source has after (or before) ``boundary``."""
    n = least
    while n < most:
        try:
            source.run(boundary + n if forward else boundary - n - 1, 1)
        except InputError:
            break
        n += 1
    return n


def sync(relay: BitcoinRelayClient, source: HeaderSource, *, anchor: bool = False, log: Callable[[str], Any] = lambda s: None) -> SyncResult:
    """Anchor (when asked and not yet anchored) and prove every retarget ``source`` covers that
    the relay lacks, oldest first; stop at a pending retarget (replacing it first when the source's
    chain records another epoch there). A boundary the source cannot prove is reported, not sent."""
    out = SyncResult()
    if not relay.anchored():
        if not anchor:
            raise HashtrustError("the relay is not anchored: pass --anchor to anchor it at the source's epoch_start")
        start = source.epoch_start
        if start is None:
            raise InputError("headers", "has no epoch_start to anchor at")
        if hasattr(source, "check_epoch_start"):
            source.check_epoch_start()
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
        old = relay.epoch(latest)
        pend = relay.pending()
        try:
            proof = build_retarget(source, boundary, p=p, old_bits=old.bits)
            if pend is not None:
                ours = proof.check(latest, old.bits, old.start_time, p=p, pow_limit=int(relay._view("POW_LIMIT")), retargeting=bool(relay._view("RETARGETING")))
                if (ours.new_bits, ours.start_time) == (pend["bits"], pend["start_time"]):
                    log(f"epoch {epoch:,}: pending, as the source has it; final at {utc(pend['final_at'])}")
                    break
                proof = build_retarget(source, boundary, p=p, old_bits=old.bits, heaviest=True)
                ours = proof.check(latest, old.bits, old.start_time, p=p, pow_limit=int(relay._view("POW_LIMIT")), retargeting=bool(relay._view("RETARGETING")))
                if ours.work <= pend["work"]:
                    raise HashtrustError(
                        f"epoch {epoch:,}: the pending retarget (nBits {pend['bits']:#010x}, start {pend['start_time']:,}) is not the source's chain "
                        f"(nBits {ours.new_bits:#010x}, start {ours.start_time:,}), and the source's heaviest proof ({ours.post} headers after the boundary, "
                        f"work {ours.work:,}) does not exceed its work ({pend['work']:,}) yet: rerun as the chain grows, before {utc(pend['final_at'])}")
        except InputError as exc:
            log(f"epoch {epoch:,}: not proven, {exc} (P = {p})")
            break
        ev = relay.retarget(proof)
        (out.challenged if pend is not None else out.proven).append(epoch)
        verb = "replaced the pending retarget" if pend is not None else "proven"
        log(f"epoch {epoch:,}: {verb}, nBits {ev['old_bits']:#010x} -> {ev['new_bits']:#010x}; final at {utc(ev['final_at'])} unless a heavier proof comes")
        break  # the next retarget waits for this one's challenge window
    out.pending = relay.pending()
    out.latest_epoch = relay.latest_epoch()
    return out
