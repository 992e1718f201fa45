"""Client of the tokenized-hashrate vault (`contracts/HashrateVault.vy`).

Buy TH/s shares, report and fund epochs (operator), claim rewards, read the vault's state, plus
the time helpers scripts and tests need (which epoch is open, when it ends, its deadline).
Inputs are checked in Python first (`InputError`), so a bad call never costs gas; anything the
contract refuses surfaces as `RevertError` with the contract's reason.

Units: shares have 18 decimals (``10**18`` = 1 TH/s); rewards are sats of the 8-decimal reward
token; the sale price is in payment-token units (a 6-decimal USD stablecoin on devnets).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from web3 import Web3

from hashtrust import artifacts
from hashtrust.client import ContractClient
from hashtrust.errors import InputError
from hashtrust.tx import call_view

TH = 10**18
EPOCH_S = 86_400
MAX_UINT = 2**256 - 1
STATUS_NAMES = {0: "none", 1: "reported", 2: "funded", 4: "finalized", 8: "defaulted"}


def ths_to_shares(ths: float | int | str | Decimal) -> int:
    """TH/s (may be fractional) to share units, exactly for decimal input (``"0.5"`` -> 5e17)."""
    value = Decimal(str(ths)) * TH
    if value < 0 or value != value.to_integral_value():
        raise InputError("ths", f"{ths} TH/s is negative or finer than 1e-18")
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
        return tuple(self._view("preview_split", delivered, gross, btc_usd))

    def epoch(self, epoch: int) -> EpochInfo:
        s, delivered, gross, fee, perf, net, price, h = self._view("epochs", epoch)
        return EpochInfo(epoch, STATUS_NAMES.get(s, str(s)), delivered, gross, fee, perf, net, price, bytes(h), self.epoch_end(epoch), self.epoch_deadline(epoch))

    def status(self) -> VaultStatus:
        v = self._view
        now = self.now()
        p = v("params")
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
            reward_liabilities=v("reward_liabilities"),
            period_finish=v("period_finish"),
            operator=v("operator"),
            guardian=v("guardian"),
            admin=v("owner"),
        )

    # ------------------------------------------------------------------ holders
    def buy(self, shares: int, *, receiver: str | None = None, max_payment: int | None = None, approve: bool = True) -> dict:
        """Buy ``shares`` for ``receiver`` (default: the sender), paying at most ``max_payment``
        (default: today's exact preview). Approves the payment token first if needed.
        Returns the `Bought` event."""
        sender = self._require_sender()
        if not isinstance(shares, int) or shares <= 0:
            raise InputError("shares", "must be a positive integer number of share units (1e18 = 1 TH/s)")
        receiver = Web3.to_checksum_address(receiver or sender.address)
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
        receipt = self._send("buy", shares, max_payment, receiver)
        return self.events(receipt, "Bought")[0]

    def claim(self, receiver: str | None = None) -> int:
        """Claim the sender's rewards (to ``receiver`` or the default receiver); returns sats paid."""
        to = Web3.to_checksum_address(receiver) if receiver else "0x" + "00" * 20
        receipt = self._send("claim", to, signature="claim(address)")
        return self.events(receipt, "Claimed")[0]["amount"]

    def claim_for(self, account: str) -> int:
        """Claim ``account``'s rewards on its behalf (paid to it); returns sats paid."""
        receipt = self._send("claim_for", Web3.to_checksum_address(account))
        return self.events(receipt, "Claimed")[0]["amount"]

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
        if len(report_hash) != 32:
            raise InputError("report_hash", "must be 32 bytes")
        if len(uri.encode()) > 256:
            raise InputError("uri", "longer than 256 bytes")
        receipt = self._send("report_epoch", epoch, delivered, gross, report_hash, uri)
        return self.events(receipt, "EpochReported")[0]

    def fund(self, epoch: int, *, approve: bool = True) -> dict:
        """Pay a reported epoch's gross (operator); approves the reward token if needed.
        Returns the `EpochFunded` event."""
        info = self.epoch(epoch)
        if info.status != "reported":
            raise InputError("epoch", f"epoch {epoch} is {info.status}, not reported")
        if approve and info.gross:
            self._ensure_allowance(self.reward_token, info.gross)
        receipt = self._send("fund_epoch", epoch)
        return self.events(receipt, "EpochFunded")[0]

    def withdraw_fees(self) -> int:
        receipt = self._send("withdraw_fees")
        return self.events(receipt, "FeesWithdrawn")[0]["amount"]

    def withdraw_proceeds(self) -> int:
        receipt = self._send("withdraw_proceeds")
        return self.events(receipt, "ProceedsWithdrawn")[0]["amount"]

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
