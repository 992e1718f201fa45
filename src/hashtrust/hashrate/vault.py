"""Client of the tokenized-hashrate vault (`contracts/HashrateVault.vy`).

Buy TH/s shares, report and fund epochs (operator), claim rewards, read the vault's state, plus
the time helpers scripts and tests need (which epoch is open, when it ends, its deadline).
Inputs are checked in Python first (`InputError`), so a bad call never costs gas; anything the
contract refuses surfaces as `RevertError` with the contract's reason.

Units: shares have 18 decimals (``10**18`` = 1 TH/s); rewards are sats of the 8-decimal reward
token; the sale price is in payment-token units (a 6-decimal USD stablecoin on devnets).
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.checks import ZERO_ADDRESS, check_address, check_bytes32, check_text
from hashtrust.chain.decode import display
from hashtrust.chain.client import ContractClient
from hashtrust.chain.tx import call_view
from hashtrust.errors import InputError

TH = 10**18
EPOCH_S = 86_400
MAX_UINT = 2**256 - 1
MAX_REPORT_URI = 256  # bytes (HashrateVault.vy: String[256])
STATUS_NAMES = {0: "none", 1: "reported", 2: "funded", 4: "finalized", 8: "defaulted"}


def ths_to_shares(ths: float | int | str | Decimal, field: str = "ths") -> int:
    """TH/s (may be fractional) to share units, exactly for decimal input (``"0.5"`` -> 5e17).
    Anything but a finite decimal >= 0 with at most 18 decimals raises `InputError` (``field``)."""
    try:
        amount = Decimal(str(ths).strip())
    except (InvalidOperation, ValueError):
        raise InputError(field, f"{display(str(ths), 40)!r} is not a decimal number of TH/s") from None
    if not amount.is_finite():
        raise InputError(field, f"{ths} is not a finite number of TH/s")
    value = amount * TH
    if value < 0 or value != value.to_integral_value():
        raise InputError(field, f"{ths} TH/s is negative or finer than 1e-18")
    return int(value)


def shares_to_ths(shares: int) -> Decimal:
    """Share units to TH/s."""
    return Decimal(shares) / TH


@dataclass(frozen=True)
class EpochInfo:
    """One epoch as the vault records it."""

    epoch: int
    status: str
    delivered: int
    gross: int
    fee: int
    perf: int
    net: int
    btc_usd: int
    report_hash: bytes
    end: int
    deadline: int


@dataclass(frozen=True)
class VaultStatus:
    """A snapshot of the vault's public state."""

    address: str
    now: int
    paused: bool
    total_supply: int
    capacity: int
    price_per_th: int
    sale_end: int
    term_start: int
    term_end: int
    n_epochs: int
    current_epoch: int | None  # None before the term / after it
    params: dict
    fees_payable: int
    total_notified: int
    total_claimed: int
    reward_liabilities: int
    period_finish: int
    operator: str
    guardian: str
    admin: str
    bond: int
    btc_usd: Decimal  # the vault's price feed, its answer in USD
    price_updated: int  # when the feed last published


def request_hash(chain_id: int, vault: str, epoch: int, delivered: int, gross: int, report_hash: bytes, validator: str) -> bytes:
    """The vault's per-epoch, per-validator ValidationRegistry request hash (mirrors
    `HashrateVault.request_hash`): keccak256(abi_encode(chain id, vault, epoch, delivered, gross,
    report hash, validator))."""
    from eth_abi import encode

    return Web3.keccak(
        encode(
            ["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"],
            [chain_id, Web3.to_checksum_address(vault), epoch, delivered, gross, bytes(report_hash), Web3.to_checksum_address(validator)],
        )
    )


def expected_epoch_gross(supply: int, difficulty: int, sats_per_block: int) -> int:
    """Expected gross sats of one epoch for ``supply`` share units, as the vault computes it on a
    default: supply * 1e12 * 86_400 * sats_per_block // (1e18 * difficulty * 2**32)."""
    if difficulty <= 0:
        raise InputError("difficulty", "must be > 0")
    return supply * 10**12 * EPOCH_S * sats_per_block // (TH * difficulty * 2**32)


class HashrateVaultClient(ContractClient):
    """Typed access to one deployed `HashrateVault`."""

    CONTRACT = "HashrateVault"
    BOOK_NAME = "HashrateVault"

    # ------------------------------------------------------------------ tokens
    def _erc20(self, address: str) -> Any:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifacts.abi("DevToken"))

    @property
    def reward_token(self) -> Any:
        return self._erc20(self._view("REWARD_TOKEN"))

    @property
    def payment_token(self) -> Any:
        return self._erc20(self._view("PAYMENT_TOKEN"))

    def _ensure_allowance(self, token: Any, amount: int) -> None:
        sender = self._require_sender()
        have = call_view(token.functions.allowance(sender.address, self.address), action="allowance")
        if have < amount:
            sender.transact(token.functions.approve(self.address, MAX_UINT), action="approve vault")

    # ------------------------------------------------------------------ time helpers
    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def epoch_end(self, epoch: int) -> int:
        return self._view("epoch_end", epoch)

    def epoch_deadline(self, epoch: int) -> int:
        return self._view("epoch_deadline", epoch)

    def epoch_at(self, ts: int) -> int | None:
        """The epoch running at time ``ts`` (None outside the term)."""
        start, end = self._view("TERM_START"), self._view("TERM_END")
        if ts < start or ts >= end:
            return None
        return (ts - start) // EPOCH_S

    def reportable_epochs(self, ts: int | None = None) -> list[int]:
        """Epochs that have ended, are within their deadline and are not reported yet."""
        ts = self.now() if ts is None else ts
        start, n, grace = self._view("TERM_START"), self._view("N_EPOCHS"), self._view("REPORT_GRACE")
        out = []
        for e in range(n):
            end = start + (e + 1) * EPOCH_S
            if end > ts:
                break
            if ts <= end + grace and self._view("epochs", e)[0] == 0:
                out.append(e)
        return out

    # ------------------------------------------------------------------ views
    def balance_of(self, account: str) -> int:
        return self._view("balanceOf", Web3.to_checksum_address(account))

    def claimable(self, account: str) -> int:
        return self._view("claimable", Web3.to_checksum_address(account))

    def preview_buy(self, shares: int) -> int:
        return self._view("preview_buy", shares)

    def max_buy(self, receiver: str) -> int:
        return self._view("max_buy", Web3.to_checksum_address(receiver))

    def preview_split(self, delivered: int, gross: int, btc_usd: int) -> tuple[int, int, int]:
        """The (fee, perf, net) split the vault's current parameters give (the contract's integer
        math, `economics.fee_split`; the vault has no such view, its bytes went to the trust layer)."""
        from hashtrust.hashrate.economics import FeeParams, fee_split

        if btc_usd <= 0:
            raise InputError("btc_usd", "must be > 0")
        p = self._view("params")
        return fee_split(delivered, gross, FeeParams(*p[:4]), btc_usd, self._view("FEED_UNIT"))

    def epoch(self, epoch: int) -> EpochInfo:
        s, delivered, gross, fee, perf, net, price, h, _supply = self._view("epochs", epoch)
        return EpochInfo(epoch, STATUS_NAMES.get(s, str(s)), delivered, gross, fee, perf, net, price, bytes(h), self.epoch_end(epoch), self.epoch_deadline(epoch))

    @property
    def price_feed(self) -> PriceFeedClient:
        """The vault's BTC/USD feed (sending from this client's sender: the devnet feed's owner may set it)."""
        return PriceFeedClient(self.w3, self._view("PRICE_FEED"), self.sender)

    def status(self) -> VaultStatus:
        v = self._view
        now = self.now()
        p = v("params")
        answer, updated = self.price_feed.latest()
        return VaultStatus(
            address=self.address,
            now=now,
            paused=v("paused"),
            total_supply=v("totalSupply"),
            capacity=v("CAPACITY"),
            price_per_th=v("PRICE_PER_TH"),
            sale_end=v("SALE_END"),
            term_start=v("TERM_START"),
            term_end=v("TERM_END"),
            n_epochs=v("N_EPOCHS"),
            current_epoch=self.epoch_at(now),
            params=dict(zip(("mj_per_th", "micro_usd_per_kwh", "micro_usd_per_th_day", "perf_bps", "fee_recipient"), p)),
            fees_payable=v("fees_payable"),
            total_notified=v("total_notified"),
            total_claimed=v("total_claimed"),
            reward_liabilities=v("total_notified") - v("total_claimed") + v("fees_payable"),
            period_finish=v("period_finish"),
            operator=v("operator"),
            guardian=v("guardian"),
            admin=v("owner"),
            bond=v("bond"),
            btc_usd=Decimal(answer) / v("FEED_UNIT"),
            price_updated=updated,
        )

    # ------------------------------------------------------------------ holders
    def buy(self, shares: int, *, receiver: str | None = None, max_payment: int | None = None, approve: bool = True) -> dict:
        """Buy ``shares`` for ``receiver`` (default: the sender), paying at most ``max_payment``
        (default: today's exact preview). Approves the payment token first if needed.
        Returns the `Bought` event."""
        sender = self._require_sender()
        if not isinstance(shares, int) or shares <= 0:
            raise InputError("shares", "must be a positive integer number of share units (1e18 = 1 TH/s)")
        receiver = check_address(receiver, "receiver") if receiver is not None else Web3.to_checksum_address(sender.address)
        room = self.max_buy(receiver)
        if shares > room:
            raise InputError("shares", f"{shares} exceeds what can be bought now ({room}: sale over, paused or capacity)")
        price = self.preview_buy(shares)
        if max_payment is None:
            max_payment = price
        elif max_payment < price:
            raise InputError("max_payment", f"{max_payment} is below the price {price}")
        if approve:
            self._ensure_allowance(self.payment_token, price)
        return self._send_event(self._fn("buy", shares, max_payment, receiver), "Bought")

    def claim(self, receiver: str | None = None) -> int:
        """Claim the sender's rewards (to ``receiver`` or the default receiver); returns sats paid."""
        to = check_address(receiver, "receiver") if receiver else ZERO_ADDRESS
        return self._send_event(self._fn("claim", to, signature="claim(address)"), "Claimed")["amount"]

    def claim_for(self, account: str) -> int:
        """Claim ``account``'s rewards on its behalf (paid to it); returns sats paid."""
        return self._send_event(self._fn("claim_for", check_address(account, "account")), "Claimed")["amount"]

    def set_rewards_receiver(self, receiver: str) -> Any:
        return self._send("set_rewards_receiver", Web3.to_checksum_address(receiver))

    def transfer(self, to: str, shares: int) -> Any:
        if shares < 0:
            raise InputError("shares", "must be >= 0")
        return self._send("transfer", Web3.to_checksum_address(to), shares)

    # ------------------------------------------------------------------ operator
    def report(self, epoch: int, delivered: int, gross: int, report_hash: bytes, uri: str) -> dict:
        """Report an ended epoch (operator); returns the `EpochReported` event."""
        if epoch < 0 or epoch >= self._view("N_EPOCHS"):
            raise InputError("epoch", f"{epoch} is outside the term (0..{self._view('N_EPOCHS') - 1})")
        if delivered < 0 or gross < 0:
            raise InputError("delivered/gross", "must be >= 0")
        if delivered > self._view("totalSupply"):
            raise InputError("delivered", "exceeds the sold hashrate")
        report_hash, uri = check_bytes32(report_hash, "report_hash"), check_text(uri, "uri", MAX_REPORT_URI)
        return self._send_event(self._fn("report_epoch", epoch, delivered, gross, report_hash, uri), "EpochReported")

    def fund(self, epoch: int, *, approve: bool = True) -> dict:
        """Pay a reported epoch's gross (operator); approves the reward token if needed.
        Returns the `EpochFunded` event."""
        info = self.epoch(epoch)
        if info.status != "reported":
            raise InputError("epoch", f"epoch {epoch} is {info.status}, not reported" + (": nobody has reported it yet (report it first)" if info.status == "none" else ""))
        if approve and info.gross:
            self._ensure_allowance(self.reward_token, info.gross)
        return self._send_event(self._fn("fund_epoch", epoch), "EpochFunded")

    def withdraw_fees(self) -> int:
        return self._send_event(self._fn("withdraw_fees"), "FeesWithdrawn")["amount"]

    def withdraw_proceeds(self) -> int:
        return self._send_event(self._fn("withdraw_proceeds"), "ProceedsWithdrawn")["amount"]

    # ------------------------------------------------------------------ trust (agent, validators, bond)
    def bind_agent(
        self, identity: str, validation: str, reputation: str | None, agent_id: int, *, quorum: int, min_score: int, difficulty: int, sats_per_block: int
    ) -> dict:
        """Bind the vault (admin, once, before epoch 0 ends) to the operator agent and the registries.

        Binding cannot be undone, and the vault takes who operates it (the agent's wallet) and
        whether a validator is independent from the identity registry: before anything is sent,
        each address must hold hashtrust's registry (`check_registries`), else `AddressBookError`."""
        check_registries(self.w3, identity, validation, reputation)
        if not 1 <= quorum <= 16:
            raise InputError("quorum", "must be 1..16")
        if not 1 <= min_score <= 100:
            raise InputError("min_score", "must be 1..100")
        if difficulty <= 0 or sats_per_block < 0:
            raise InputError("difficulty/sats_per_block", "difficulty > 0, sats_per_block >= 0")
        call = self._fn(
            "bind_agent",
            Web3.to_checksum_address(identity),
            Web3.to_checksum_address(validation),
            Web3.to_checksum_address(reputation or ZERO_ADDRESS),
            int(agent_id),
            quorum,
            min_score,
            difficulty,
            sats_per_block,
        )
        return self._send_event(call, "AgentBound")

    def add_validator(self, validator: str) -> Any:
        return self._send("add_validator", Web3.to_checksum_address(validator))

    def remove_validator(self, validator: str) -> Any:
        return self._send("remove_validator", Web3.to_checksum_address(validator))

    def validators(self) -> list[str]:
        return list(self._view("validator_list"))

    def agent_id(self) -> int:
        return self._view("agent_id")

    def request_hash(self, epoch: int, validator: str) -> bytes:
        return bytes(self._view("request_hash", epoch, Web3.to_checksum_address(validator)))

    def attest_deadline(self, epoch: int) -> int:
        """Last moment a funded epoch may be finalised: its report deadline plus REPORT_GRACE."""
        return self.epoch_deadline(epoch) + self._view("REPORT_GRACE")

    def expected_reward(self, epoch: int) -> int:
        return self._view("expected_reward", epoch)

    def bond(self) -> int:
        return self._view("bond")

    def finalize(self, epoch: int) -> dict:
        """Finalise a funded epoch once a quorum of listed validators attested it (anyone)."""
        return self._send_event(self._fn("finalize_epoch", epoch), "EpochFinalized")

    def declare_default(self, epoch: int) -> dict:
        """Declare an epoch in default after its deadline (anyone); returns `EpochDefaulted`."""
        return self._send_event(self._fn("declare_default", epoch), "EpochDefaulted")

    def post_bond(self, amount: int, *, approve: bool = True) -> dict:
        if amount <= 0:
            raise InputError("amount", "must be > 0")
        if approve:
            self._ensure_allowance(self.reward_token, amount)
        return self._send_event(self._fn("post_bond", amount), "BondPosted")

    def withdraw_bond(self) -> int:
        return self._send_event(self._fn("withdraw_bond"), "BondReleased")["amount"]

    # ------------------------------------------------------------------ guardian / admin
    def pause(self) -> Any:
        return self._send("pause")

    def unpause(self) -> Any:
        return self._send("unpause")


class PriceFeedClient(ContractClient):
    """The devnet BTC/USD feed (owner-set, Chainlink read surface)."""

    CONTRACT = "PriceFeed"
    BOOK_NAME = "BtcUsdFeed"

    def latest(self) -> tuple[int, int]:
        """(answer, updatedAt)."""
        _, answer, _, updated, _ = self._view("latestRoundData")
        return answer, updated

    def set_price(self, usd: float | int | Decimal) -> Any:
        decimals = self._view("decimals")
        answer = int(Decimal(str(usd)) * 10**decimals)
        if answer <= 0:
            raise InputError("usd", "price must be > 0")
        return self._send("set_price", answer)


# ---------------------------------------------------------------------------- command lines
def _when(ts: int) -> str:
    """A unix time as a UTC date and time (``2026-12-01 10:00 UTC``)."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _epoch_words(s: VaultStatus) -> str:
    if s.current_epoch is not None:
        return f"epoch {s.current_epoch}"
    return "before the term" if s.now < s.term_start else "after the term"


def status_data(s: VaultStatus, *, holder: str | None = None, shares: int = 0, claimable: int = 0, reportable: list[int] | None = None) -> dict:
    """The vault's state as ``vault status --json`` prints it (integers in the contract's units,
    times as unix seconds, TH/s and BTC/USD as decimal strings)."""
    data: dict[str, Any] = {
        "address": s.address, "admin": s.admin, "operator": s.operator, "guardian": s.guardian, "paused": bool(s.paused),
        "sold_ths": str(shares_to_ths(s.total_supply)), "capacity_ths": str(shares_to_ths(s.capacity)),
        "total_supply": s.total_supply, "capacity": s.capacity, "price_per_th": s.price_per_th,
        "sale_end": s.sale_end, "term_start": s.term_start, "term_end": s.term_end, "n_epochs": s.n_epochs,
        "now": s.now, "current_epoch": s.current_epoch,
        "params": {k: (v if isinstance(v, (int, str)) else str(v)) for k, v in s.params.items()},
        "btc_usd": str(s.btc_usd), "price_updated": s.price_updated,
        "total_notified": s.total_notified, "total_claimed": s.total_claimed, "fees_payable": s.fees_payable,
        "reward_liabilities": s.reward_liabilities, "period_finish": s.period_finish, "bond": s.bond,
    }
    if holder is not None:
        data["holder"] = {"address": holder, "shares": shares, "ths": str(shares_to_ths(shares)), "claimable_sats": claimable}
    if reportable is not None:
        data["reportable_epochs"] = list(reportable)
    return data


def format_status(s: VaultStatus, *, holder: str | None = None, shares: int = 0, claimable: int = 0, reportable: list[int] | None = None) -> str:
    """The vault's state as the command lines print it, in words (amounts in TH/s, USD and sats,
    times as UTC dates); with ``holder``'s position (``shares``, ``claimable`` sats) and the
    epochs the operator may report now, when given."""
    p = s.params
    fees = (
        f"energy {Decimal(p.get('mj_per_th', 0)) / 1000} J/TH at {Decimal(p.get('micro_usd_per_kwh', 0)) / 10**6} USD/kWh, "
        f"hosting {Decimal(p.get('micro_usd_per_th_day', 0)) / 10**6} USD per TH/s a day, "
        f"performance fee {Decimal(p.get('perf_bps', 0)) / 100}% to {p.get('fee_recipient', '?')}"
    )
    lines = [
        f"vault {s.address}  admin {s.admin}  operator {s.operator}  paused: {'yes' if s.paused else 'no'}",
        f"sold {shares_to_ths(s.total_supply)} / {shares_to_ths(s.capacity)} TH/s at {s.price_per_th / 1e6:,.2f} USD per TH/s; sale ends {_when(s.sale_end)}",
        f"term {_when(s.term_start)} to {_when(s.term_end)} ({s.n_epochs} epochs); now {_when(s.now)}, {_epoch_words(s)}",
        f"fees: {fees}",
        f"BTC/USD {s.btc_usd:,.2f} (updated {_when(s.price_updated)})",
        f"notified {s.total_notified} sats, claimed {s.total_claimed}, fees payable {s.fees_payable}, liabilities {s.reward_liabilities}, bond {s.bond}",
    ]
    if holder is not None:
        lines.append(f"you ({holder}): {shares_to_ths(shares)} TH/s, claimable {claimable} sats")
    if reportable is not None:
        lines.append(f"reportable epochs: {list(reportable)}")
    return "\n".join(lines)


@contextmanager
def _options(names: dict[str, str]):
    """Re-raise an `InputError` about an SDK field (``shares``) as one about the command-line
    option the user typed (``--ths``), so the message names what they can change."""
    try:
        yield
    except InputError as exc:
        if exc.field in names:
            raise InputError(names[exc.field], exc.problem) from None
        raise


class VaultCommands:
    """The vault verbs of both command lines (``hashtrust vault ...`` and ``ape run vault ...``):
    each does its work through the client and returns the text to print. `report` and `fund` are
    idempotent: an epoch the vault already has is left alone."""

    def __init__(self, vault: HashrateVaultClient):
        self.vault = vault

    def _status_args(self, holder: str | None) -> tuple[VaultStatus, dict]:
        v = self.vault
        holder = check_address(holder, "--holder") if holder is not None else (v.sender.address if v.sender else None)
        position = {"holder": holder, "shares": v.balance_of(holder), "claimable": v.claimable(holder)} if holder else {}
        return v.status(), {"reportable": v.reportable_epochs(), **position}

    def status(self, holder: str | None = None) -> str:
        """`format_status` now, with ``holder``'s position (default: the client's sender)."""
        s, extra = self._status_args(holder)
        return format_status(s, **extra)

    def status_json(self, holder: str | None = None) -> dict:
        """`status_data` now (``vault status --json``), with ``holder``'s position."""
        s, extra = self._status_args(holder)
        return status_data(s, **extra)

    def buy(self, ths: str | Decimal, *, receiver: str | None = None, max_payment: int | None = None) -> str:
        """Buy ``ths`` TH/s for ``receiver``; bad input is refused naming the option typed
        (``--ths``, ``--receiver``, ``--max-payment``) before anything is sent."""
        with _options({"ths": "--ths", "shares": "--ths", "receiver": "--receiver", "max_payment": "--max-payment"}):
            if receiver is not None:
                receiver = check_address(receiver, "receiver")
            ev = self.vault.buy(ths_to_shares(ths), receiver=receiver, max_payment=max_payment)
        return f"bought {shares_to_ths(ev['shares'])} TH/s for {ev['payment']} payment units -> {ev['receiver']}"

    def report(
        self,
        epoch: int,
        delivered_ths: str | Decimal,
        gross_sats: int,
        *,
        report_file: str | Path | None = None,
        report_hash: str | bytes | None = None,
        uri: str = "",
        btc_usd: float | None = None,
    ) -> str:
        """Report an ended epoch. The report hash is the sha256 of ``report_file`` (whose name is
        the default URI) or ``report_hash`` (hex or bytes; default zero). With ``btc_usd``, publish
        that price on the devnet feed first."""
        v = self.vault
        if report_file is not None and report_hash is not None:
            raise InputError("report_hash", "give a report file or a report hash, not both")
        status = v.epoch(epoch).status
        if status != "none":
            return f"epoch {epoch} already {status}"
        if report_file is not None:
            report_hash = hashlib.sha256(Path(report_file).read_bytes()).digest()
            uri = uri or Path(report_file).name
        digest = check_bytes32(report_hash, "report_hash")  # None: zero
        if btc_usd is not None:  # the owner-set devnet feed; a real network's oracle is not ours to move
            from hashtrust.chain.devnet import require_devnet

            require_devnet(v.w3, "publishing a BTC/USD price on the devnet feed (--btc-usd)")
            v.price_feed.set_price(btc_usd)
        ev = v.report(epoch, ths_to_shares(delivered_ths, "delivered_ths"), gross_sats, digest, uri)
        price = Decimal(ev["btc_usd"]) / v._view("FEED_UNIT")
        return f"epoch {epoch}: gross {ev['gross']} = fee {ev['fee']} + perf {ev['perf']} + net {ev['net']} sats (BTC/USD {price:,.2f})"

    def fund(self, epoch: int) -> str:
        """Pay a reported epoch's gross; an epoch already past "reported" is left alone."""
        status = self.vault.epoch(epoch).status
        if status in ("funded", "finalized", "defaulted"):
            return f"epoch {epoch} already {status}"
        with _options({"epoch": "--epoch"}):
            ev = self.vault.fund(epoch)  # an unreported epoch: InputError, naming --epoch
        return f"epoch {epoch} funded: {ev['gross']} sats; {ev['net']} stream to holders over the next day"

    def claim(self, holder: str | None = None, receiver: str | None = None) -> str:
        """Claim the sender's rewards (to ``receiver``), or ``holder``'s on its behalf."""
        v = self.vault
        with _options({"account": "--for", "receiver": "--to"}):
            if holder is not None:
                holder = check_address(holder, "account")
            if receiver is not None:
                receiver = check_address(receiver, "receiver")
        whose = holder or v._require_sender().address
        if v.claimable(whose) == 0:  # nothing to claim: send nothing (a 0-sat claim cost gas and said "claimed 0 sats")
            return f"nothing claimable for {whose}; nothing sent"
        paid = v.claim_for(holder) if holder else v.claim(receiver)
        return f"claimed {paid} sats" + (f" for {holder}" if holder else "")


# ---------------------------------------------------------------------------- opening the term
def check_registries(w3: Any, identity: str, validation: str, reputation: str | None) -> None:
    """Raise `AddressBookError` unless ``identity``, ``validation`` and ``reputation`` (if given)
    hold hashtrust's IdentityRegistry, ValidationRegistry and ReputationRegistry, the latter two
    bound to that IdentityRegistry (review finding 4: ``open-term`` bound a vault, irreversibly,
    to an identity registry an edited address book named)."""
    from hashtrust.chain.addressbook import check_code
    from hashtrust.errors import AddressBookError

    ident = Web3.to_checksum_address(identity)
    check_code(w3, ident, "IdentityRegistry")
    for ctype, address in (("ValidationRegistry", validation), ("ReputationRegistry", reputation)):
        if address is None:
            continue
        addr = Web3.to_checksum_address(address)
        check_code(w3, addr, ctype)
        registry = w3.eth.contract(address=addr, abi=artifacts.abi(ctype))
        bound = Web3.to_checksum_address(call_view(registry.functions.getIdentityRegistry(), action="getIdentityRegistry"))
        if bound != ident:
            raise AddressBookError(f"{ctype} at {addr} is bound to the IdentityRegistry at {bound}, not {ident}; refusing to bind the vault to both")


def open_term(
    vault: HashrateVaultClient,
    *,
    identity: str,
    validation: str,
    reputation: str | None,
    agent_id: int,
    validators: list[str],
    quorum: int,
    min_score: int,
    difficulty: int,
    sats_per_block: int,
) -> dict:
    """Open a deployed vault's term (admin): bind it to the operator agent and the ERC-8004
    registries, then list the validators. Idempotent: a vault already bound to ``agent_id`` is only
    topped up with the validators it does not list yet."""
    if vault._view("agent_bound"):
        if vault.agent_id() != int(agent_id):
            raise InputError("agent_id", f"vault is bound to agent {vault.agent_id()}")
        bound = None
    else:
        bound = vault.bind_agent(
            identity, validation, reputation, agent_id, quorum=quorum, min_score=min_score, difficulty=difficulty, sats_per_block=sats_per_block
        )
    listed = {Web3.to_checksum_address(v) for v in vault.validators()}
    for v in validators:
        if Web3.to_checksum_address(v) not in listed:
            vault.add_validator(v)
    return {"bound": bound, "validators": vault.validators()}
