"""Clients of the hashprice indexes: `HashpriceIndex` (proven on chain) and `DevHashpriceIndex`
(owner-published on a devnet). Both answer the consumer interface ``hashprice(day)`` /
``latest()``; `show` gathers what `hashtrust index show` prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from web3 import Web3

from hashtrust.bitcoin.hashprice import sample_heights
from hashtrust.bitcoin.proofs import RewardProof
from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook, Entry, holding_book
from hashtrust.chain.client import ContractClient
from hashtrust.chain.tx import TxSender
from hashtrust.errors import HashtrustError, InputError

DAY_S = 86_400
DEFAULT_PROOF_WINDOW = 3 * DAY_S  # a period missing a sample waits three days (more than a period and k blocks take)


@dataclass(frozen=True)
class DayValue:
    day: int
    value: int  # msat per TH/s per day
    final: bool


class _IndexReads(ContractClient):
    def hashprice(self, day: int) -> DayValue:
        if not isinstance(day, int) or day < 0:
            raise InputError("day", "must be a non-negative integer (unix_time // 86,400)")
        v, final = self._view("hashprice", day)
        return DayValue(day, int(v), bool(final))

    def latest(self) -> tuple[int, int]:
        d, v = self._view("latest")
        return int(d), int(v)


class HashpriceIndexClient(_IndexReads):
    """Typed access to one deployed `HashpriceIndex`."""

    CONTRACT = "HashpriceIndex"
    BOOK_NAME = "HashpriceIndex"

    def params(self) -> dict:
        return {"relay": self._view("RELAY"), "first_period": self._view("FIRST_PERIOD"), "samples": self._view("SAMPLES"), "confirmations": self._view("CONFIRMATIONS"),
                "proof_window": self._view("PROOF_WINDOW"), "min_samples": self._view("MIN_SAMPLES")}

    def status(self) -> dict:
        s = self._view("status")
        return dict(zip(("next_period", "first_day", "final_until", "pending_from", "last_close", "last_value"), map(int, s)))

    def period(self, number: int) -> dict:
        r = self._view("period", number)
        out = dict(zip(("reward_sum", "blocks", "samples", "proven_mask", "close_time", "published", "value", "void", "window_end"), r))
        out["period"] = number
        out["missing"] = [h for j, h in enumerate(sample_heights(number, out["samples"])) if not (out["proven_mask"] >> j) & 1]
        return out

    def submit(self, proof: RewardProof) -> dict:
        proof.check(int(self._view("CONFIRMATIONS")))
        return self._send_event(self._fn("submit", *proof.args()), "BlockCounted")

    def publish(self, period: int) -> dict:
        """Publish the next period: its `PeriodPublished` event, or `PeriodVoid` (with ``void``
        True) when its proof window passed with fewer than MIN_SAMPLES counted. `InputError`,
        before any transaction, for a next period missing samples whose window has not passed."""
        rec = self.period(period)
        if rec["blocks"] != rec["samples"] and period == self.status()["next_period"]:
            end = int(rec["window_end"])
            now = int(self.w3.eth.get_block("latest")["timestamp"])
            if end == 0:
                raise InputError("period", f"period {period:,} misses sample blocks {rec['missing'][:6]}; its proof window opens when a block of a later period is counted")
            if now < end:
                raise InputError("period", f"period {period:,} misses sample blocks {rec['missing'][:6]}; its proof window ends at {end:,} ({end - now:,} s from now)")
        if rec["blocks"] < int(self._view("MIN_SAMPLES")) and rec["blocks"] != rec["samples"]:
            ev = self._send_event(self._fn("publish", period), "PeriodVoid")
            return {**ev, "void": True}
        return self._send_event(self._fn("publish", period), "PeriodPublished")

    def fill_days(self) -> dict:
        return self._send_event(self._fn("fill_days"), "DaysFinal")


class DevHashpriceIndexClient(_IndexReads):
    """Typed access to one deployed `DevHashpriceIndex` (devnets only)."""

    CONTRACT = "DevHashpriceIndex"
    BOOK_NAME = "DevHashpriceIndex"

    def publish(self, day: int, target: int, reward_sum: int, blocks: int) -> dict:
        if self.hashprice(day).final:
            raise InputError("day", f"day {day:,} is already published (values are final)")
        latest, _ = self.latest()
        if self.hashprice(latest).final and day != latest + 1:
            raise InputError("day", f"days are published in order, without gaps: the next is {latest + 1:,}")
        return self._send_event(self._fn("publish", day, target, reward_sum, blocks), "DayPublished")


@holding_book
def deploy_index(w3: Web3, sender: TxSender, book: AddressBook, relay: str, first_period: int, samples: int, *, proof_window: int = DEFAULT_PROOF_WINDOW,
                 name: str = "HashpriceIndex") -> tuple[HashpriceIndexClient, bool]:
    """The index recorded under ``name`` if on chain with these parameters, else a new one."""
    if not 3_600 <= proof_window < 2**32:
        raise InputError("proof_window", "must be 3,600 seconds to 2**32 seconds")
    from hashtrust.bitcoin.relay import BitcoinRelayClient

    from hashtrust.bitcoin.relay import check_proven_relay
    from hashtrust.chain.devnet import not_a_devnet

    relay = check_proven_relay(w3, relay, devnet=not_a_devnet(w3) is None)
    if not 1 <= samples <= 144 or 144 % samples:
        raise InputError("samples", f"must divide 144 (1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 36, 48, 72 or 144; {samples} given)")
    if not 0 <= first_period < 2**32:
        raise InputError("first_period", "must be 0..2**32-1")
    rc = BitcoinRelayClient(w3, relay, None)
    if not rc.anchored():
        raise InputError("relay", f"{relay} is not anchored: an index needs the epochs it will be proven against")
    first_epoch = int(rc._view("first_epoch"))
    if first_period * 144 // 2016 < first_epoch:
        raise InputError("first_period", f"{first_period:,} is in epoch {first_period * 144 // 2016:,}, before the relay's first epoch {first_epoch:,} (it could never be proven)")
    entry = book.get(name)
    if entry is not None and bytes(w3.eth.get_code(Web3.to_checksum_address(entry.address))):
        client = HashpriceIndexClient(w3, entry.address, sender)
        have = client.params()
        if (Web3.to_checksum_address(have["relay"]), have["first_period"], have["samples"], have["proof_window"]) != (Web3.to_checksum_address(relay), first_period, samples, proof_window):
            raise HashtrustError(f"{name} at {entry.address} has other parameters ({have}); pass another --name")
        return client, False
    art = artifacts.load("HashpriceIndex")
    receipt = sender.deploy(art.abi, art.bytecode, Web3.to_checksum_address(relay), first_period, samples, proof_window, action=f"deploy {name}")
    addr = Web3.to_checksum_address(receipt["contractAddress"])
    code = bytes(w3.eth.get_code(addr))
    book.record(Entry(name=name, address=addr, contract_type="HashpriceIndex", block=int(receipt["blockNumber"]), deployer=sender.address,
                      tx=Web3.to_hex(receipt["transactionHash"]), code_hash="0x" + Web3.keccak(code).hex().removeprefix("0x")))
    return HashpriceIndexClient(w3, addr, sender), True


@holding_book
def deploy_dev_index(w3: Web3, sender: TxSender, book: AddressBook, *, name: str = "DevHashpriceIndex") -> tuple[DevHashpriceIndexClient, bool]:
    """The recorded devnet index if its code is on chain, else a new one (the contract itself
    refuses any chain but 31337 and 1337; the SDK refuses anything but a local devnet first)."""
    entry = book.get(name)
    if entry is not None and bytes(w3.eth.get_code(Web3.to_checksum_address(entry.address))):
        return DevHashpriceIndexClient(w3, entry.address, sender), False
    from hashtrust.chain.devnet import require_devnet

    require_devnet(w3, "deploying DevHashpriceIndex (an index anyone may set)")  # the contract also refuses other chain ids
    art = artifacts.load("DevHashpriceIndex")
    receipt = sender.deploy(art.abi, art.bytecode, action=f"deploy {name}")
    addr = Web3.to_checksum_address(receipt["contractAddress"])
    code = bytes(w3.eth.get_code(addr))
    book.record(Entry(name=name, address=addr, contract_type="DevHashpriceIndex", block=int(receipt["blockNumber"]), deployer=sender.address,
                      tx=Web3.to_hex(receipt["transactionHash"]), code_hash="0x" + Web3.keccak(code).hex().removeprefix("0x")))
    return DevHashpriceIndexClient(w3, addr, sender), True


def show(w3: Web3, book: AddressBook, *, days: int = 7) -> dict:
    """The recorded index (HashpriceIndex, else DevHashpriceIndex): its latest final day and the
    ``days`` days up to it, plus the real index's status."""
    if "HashpriceIndex" in book:
        client: _IndexReads = HashpriceIndexClient.from_book(w3, book)
        kind = "HashpriceIndex"
    elif "DevHashpriceIndex" in book:
        client = DevHashpriceIndexClient.from_book(w3, book)
        kind = "DevHashpriceIndex"
    else:
        raise HashtrustError("no HashpriceIndex or DevHashpriceIndex in the address book of this chain")
    latest_day, latest_value = client.latest()
    out: dict = {"contract": kind, "address": client.address, "latest": None, "days": []}
    if kind == "HashpriceIndex":
        out["status"] = client.status()  # type: ignore[attr-defined]
        out["params"] = client.params()  # type: ignore[attr-defined]
        nxt = out["status"]["next_period"]
        out["next_period"] = client.period(nxt)  # type: ignore[attr-defined]
    if latest_day or latest_value:
        out["latest"] = {"day": latest_day, "value": latest_value}
        rows = []
        for d in range(latest_day, max(-1, latest_day - days), -1):  # final days are contiguous up to the latest
            v = client.hashprice(d)
            if not v.final:
                break  # before the index's first day (user16 U16-10: listed as "0 (not final)")
            rows.append(asdict(v))
        out["days"] = rows[::-1]
    return out
