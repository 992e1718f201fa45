"""Clients of the tokenized-hashrate vault (`contracts/HashrateVault.vy`) and its trust layer
(`contracts/VaultTrust.vy`, docs/design/vault-trust-split.md).

The vault sells TH/s shares, takes the operator's epoch reports and funding, streams rewards
and settles every epoch at its record time (`settle_due`); the trust contract holds the
operator's bond, the validators and the record of every epoch (finalised, compensated or
defaulted). `HashrateVaultClient` and `VaultTrustClient` wrap them, plus the time helpers
scripts and tests need (which epoch is open, when it ends, its deadlines and record time).
Inputs are checked in Python first (`InputError`), so a bad call never costs gas; anything a
contract refuses surfaces as `RevertError` with the contract's reason.

Units: shares have 18 decimals (``10**18`` = 1 TH/s); rewards and the bond are sats of the
8-decimal reward token; the sale price is in payment-token units (a 6-decimal USD stablecoin on
devnets).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.checks import ZERO_ADDRESS, check_address, check_bytes32, check_text
from hashtrust.chain.client import ContractClient
from hashtrust.chain.decode import display
from hashtrust.chain.tx import call_view
from hashtrust.errors import HashtrustError, InputError, RevertError

TH = 10**18
POST_PER_CALL = 16  # `post_pending` records per call when the SDK drains the trust's feedback queue (~120k gas each)
SETTLE_DUE_PASSES = 4  # `vault settle-due`: most `settle_due` calls when the earlier ones only moved the cursors
EPOCH_S = 86_400
SATS_PER_BTC = 10**8
MAX_UINT = 2**256 - 1
MAX_REPORT_URI = 256  # bytes (HashrateVault.vy: String[256])
MAX_VALIDATORS = 16  # VaultTrust.vy: DynArray[address, 16]
MIN_SCORE_FLOOR = 98  # VaultTrust.vy: "trust: min score below 98"
MAX_POOL_FEE_BPS = 1_000  # VaultTrust.vy: "trust: pool fee above 10%"
# The vault's epoch status flags (IHashrateVault.EpochStatus); 0 = never reported.
STATUS_FLAGS = ((8, "defaulted"), (4, "finalized"), (2, "funded"), (1, "reported"))
STATUS_NAMES = {0: "none", 1: "reported", 2: "funded", 4: "finalized", 8: "defaulted"}
# What an epoch's status means to a holder (issue 15: "epoch 3 is none" said nothing).
STATUS_WORDS = {
    "none": "not reported yet",
    "reported": "reported, not funded yet",
    "funded": "funded (its net streams to holders)",
    "finalized": "finalised",
    "defaulted": "in default",
}
# VaultTrust Record.kind and Record.feedback.
KIND_NAMES = {0: "open", 1: "finalized", 2: "defaulted: never reported", 3: "defaulted: reported, never funded", 4: "defaulted: funded, never attested"}
FEEDBACK_NAMES = {0: "none", 1: "pending", 2: "posted"}
KIND_FINALIZED = 1
FEEDBACK_PENDING = 1


def status_name(flags: int) -> str:
    """The vault's epoch status (a flag set) as one word: the furthest state reached."""
    flags = int(flags)
    for bit, name in STATUS_FLAGS:
        if flags & bit:
            return name
    return "none"


# A decimal number of TH/s as a person types it: ASCII digits, one optional point, an optional
# exponent (user7 U2: Python's Decimal also read "1_0" as 10 and Arabic-Indic digits).
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NOT_FINITE_TEXT = re.compile(r"[+-]?(?:inf|infinity|nan|snan)", re.IGNORECASE)


def ths_to_shares(ths: float | int | str | Decimal, field: str = "ths") -> int:
    """TH/s (may be fractional) to share units, exactly for decimal input (``"0.5"`` -> 5e17).
    Anything but a finite decimal >= 0 with at most 18 decimals raises `InputError` (``field``);
    text is read as plain ASCII decimal notation only (``1_0`` is refused, ``1e3`` is 1000)."""
    if isinstance(ths, Decimal):
        amount = ths
    elif isinstance(ths, int) and not isinstance(ths, bool):
        amount = Decimal(ths)
    else:
        text = str(ths).strip()
        if _NOT_FINITE_TEXT.fullmatch(text):
            raise InputError(field, f"{ths} is not a finite number of TH/s")
        if not _DECIMAL_TEXT.fullmatch(text):
            raise InputError(field, f"{display(str(ths), 40)!r} is not a decimal number of TH/s")
        amount = Decimal(text)  # the pattern admits only text Decimal reads
    if not amount.is_finite():
        raise InputError(field, f"{ths} is not a finite number of TH/s")
    if amount < 0:
        raise InputError(field, f"{ths} TH/s is negative")
    value = amount * TH
    if value != value.to_integral_value():  # user7 U1: a positive value was called "negative or finer"
        raise InputError(field, f"{ths} TH/s is finer than 1e-18 TH/s (shares have 18 decimals)")
    return int(value)


def shares_to_ths(shares: int) -> Decimal:
    """Share units to TH/s."""
    return Decimal(shares) / TH


def ths_text(shares: int) -> str:
    """Share units as TH/s in plain decimal notation (user7 U3: 1 unit printed as ``1E-18``)."""
    from hashtrust.chain.jsonsafe import plain_decimal

    return plain_decimal(shares_to_ths(shares))


def sats_to_btc(sats: int) -> Decimal:
    """Sats to BTC (8 decimals), exact."""
    return Decimal(int(sats)) / SATS_PER_BTC


def btc_words(sats: int) -> str:
    """``1,234,567 sats`` as ``0.01234567 BTC (1,234,567 sats)``."""
    return f"{sats_to_btc(sats):,.8f} BTC ({int(sats):,} sats)"  # the whole BTC grouped too: 999,999,999,999,999,999,999.99999999


def usd_words(units: int, decimals: int = 6) -> str:
    """Payment-token units as ``375.00 USD``."""
    return f"{Decimal(int(units)) / 10**decimals:,.2f} USD"


@dataclass(frozen=True)
class EpochInfo:
    """One epoch as the vault records it (``deadline`` is the report/fund deadline)."""

    epoch: int
    status: str
    delivered: int
    gross: int
    fee: int
    perf: int
    net: int
    btc_usd: int  # the round in force at the epoch's end; 0 when that round was stale
    report_hash: bytes
    end: int
    deadline: int
    attest_deadline: int = 0
    record_time: int = 0

    @property
    def words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


@dataclass(frozen=True)
class Record:
    """The trust's record of one epoch (`VaultTrust.record`)."""

    epoch: int
    kind: int
    attestations: int
    uptime_bps: int
    owed: int
    paid: int
    feedback: int
    settled: bool

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, str(self.kind))

    @property
    def feedback_name(self) -> str:
        return FEEDBACK_NAMES.get(self.feedback, str(self.feedback))

    @property
    def finalized(self) -> bool:
        return self.kind == KIND_FINALIZED

    @property
    def defaulted(self) -> bool:
        return self.kind >= 2

    def as_dict(self) -> dict:
        return {"epoch": self.epoch, "kind": self.kind_name, "attestations": self.attestations, "uptime_bps": self.uptime_bps,
                "owed_sats": self.owed, "paid_sats": self.paid, "feedback": self.feedback_name, "settled": self.settled}


@dataclass(frozen=True)
class VaultStatus:
    """A snapshot of the vault's public state (and its trust's bond)."""

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
    operator: str  # the trust's operator_wallet() (zero while none or no trust)
    guardian: str
    admin: str
    bond: int
    btc_usd: Decimal  # the vault's price feed, its answer in USD
    price_updated: int  # when the feed last published
    trust: str = ZERO_ADDRESS
    required_bond: int = 0
    coverage_bps: int | None = None  # None without a trust
    settle_cursor: int = 0  # every epoch below it is settled (the trust's records, contiguous from 0)
    settled_after: tuple[int, ...] = ()  # epochs settled beyond it (unfunded ones settle before funded ones wait for attestation)
    pauses: tuple[tuple[int, int], ...] = ()
    payment_decimals: int = 6


def request_hash(chain_id: int, vault: str, epoch: int, delivered: int, gross: int, report_hash: bytes, validator: str) -> bytes:
    """The per-epoch, per-validator ValidationRegistry request hash (mirrors
    `VaultTrust.request_hash`): keccak256(abi_encode(chain id, vault, epoch, delivered, gross,
    report hash, validator))."""
    from eth_abi import encode

    return Web3.keccak(
        encode(
            ["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"],
            [chain_id, Web3.to_checksum_address(vault), epoch, delivered, gross, bytes(report_hash), Web3.to_checksum_address(validator)],
        )
    )


def expected_epoch_gross(supply: int, difficulty: int, sats_per_block: int, value: int = 0) -> int:
    """Expected gross sats of one epoch for ``supply`` share units at the trust's binding value
    (`HP_BINDING` = floor(1e15 * 86,400 * sats_per_block / (difficulty * 2**32)) msat per TH/s per
    day, the index's unit) or at index ``value`` when higher: supply * 86,400 * v // (1e18 *
    86,400 * 1,000) (docs/design/vault-reads-the-index.md)."""
    if difficulty <= 0:
        raise InputError("difficulty", "must be > 0")
    from hashtrust.hashrate.economics import binding_value, index_gross

    return index_gross(supply, EPOCH_S * max(binding_value(difficulty, sats_per_block), int(value)))


def settlement_lag_epochs(report_grace: int, epoch: int = EPOCH_S) -> int:
    """The fewest `bond_epochs` the trust accepts: 1 + ceil(2 * REPORT_GRACE / EPOCH) (epochs
    that can be in flight before the first record time passes)."""
    return 1 + (2 * report_grace + epoch - 1) // epoch


# ---------------------------------------------------------------------------- the price round
@dataclass(frozen=True)
class Round:
    """One round of a Chainlink-style feed (`getRoundData`)."""

    round_id: int
    answer: int
    started_at: int
    updated_at: int
    answered_in_round: int


def _newest_at(get_round: Callable[[int], Round | None], first: Round, last: Round, ts: int) -> Round:
    """The newest round of ``first.round_id..last.round_id`` (one phase, ``first`` published at or
    before ``ts``) published at or before ``ts``: binary search (updatedAt grows with the id)."""
    if last.updated_at != 0 and last.updated_at <= ts:
        return last
    lo, hi, found = first.round_id, last.round_id - 1, first
    while lo < hi:
        mid = (lo + hi + 1) // 2
        r = get_round(mid)
        if r is not None and r.updated_at != 0 and r.updated_at <= ts:
            lo, found = mid, r
        else:
            hi = mid - 1
    return found


def _last_of_phase(get_round: Callable[[int], Round | None], phase: int) -> Round | None:
    """The newest round of ``phase`` (rounds ``phase << 64 | 1..n``, contiguous), or None when it
    has none: exponential probe, then binary search."""
    base = phase << 64
    first = get_round(base | 1)
    if first is None or first.updated_at == 0:
        return None
    lo, last, step = 1, first, 1
    while step < 2**63:
        r = get_round(base | (lo + step))
        if r is None or r.updated_at == 0:
            break
        lo, last, step = lo + step, r, step * 2
    hi = lo + step - 1  # lo exists, lo + step does not
    while lo < hi:
        mid = (lo + hi + 1) // 2
        r = get_round(base | mid)
        if r is not None and r.updated_at != 0:
            lo, last = mid, r
        else:
            hi = mid - 1
    return last


def round_at(get_round: Callable[[int], Round | None], latest: Round, ts: int) -> Round:
    """The round in force at ``ts``, as `HashrateVault.report_epoch` accepts it (design §3): the
    newest round of the latest round's phase published at or before ``ts``; when that phase
    started after ``ts`` (an aggregator upgrade after the epoch's end), the newest round of the
    phase before it published at or before ``ts``. ``get_round(id)`` returns None for a round the
    feed does not have. Binary searches over the round ids (a phase counts its rounds from 1 in
    the low 64 bits; updatedAt grows with the round id).

    Raises `InputError` ("btc_usd round") when neither phase has a round at or before ``ts``, or
    when that round has no valid answer (answer <= 0, or answered in an earlier round)."""
    phase = latest.round_id >> 64
    first_id = (phase << 64) | 1
    first = latest if latest.round_id == first_id else get_round(first_id)
    if first is not None and first.updated_at != 0 and first.updated_at <= ts:
        found = _newest_at(get_round, first, latest, ts)
    else:
        old = _last_of_phase(get_round, phase - 1) if phase > 0 else None
        old_first = get_round(((phase - 1) << 64) | 1) if old is not None else None
        if old is None or old_first is None or old_first.updated_at > ts:
            raise InputError("btc_usd round", f"the price feed has no round at or before the epoch end ({ts}) in its current phase {phase}"
                             + (f" or the one before: the epoch cannot be priced" if phase > 0 else ": the epoch cannot be priced"))
        found = _newest_at(get_round, old_first, old, ts)
    if found.answer <= 0:
        raise InputError("btc_usd round", f"the round in force at the epoch end ({found.round_id}) has no valid answer ({found.answer})")
    if found.answered_in_round < found.round_id:
        raise InputError("btc_usd round", f"the round in force at the epoch end ({found.round_id}) was answered in an earlier round ({found.answered_in_round})")
    return found


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

    def payment_decimals(self) -> int:
        return int(call_view(self.payment_token.functions.decimals(), action="decimals"))

    def _ensure_allowance(self, token: Any, amount: int, spender: str | None = None) -> None:
        sender = self._require_sender()
        spender = spender or self.address
        have = call_view(token.functions.allowance(sender.address, spender), action="allowance")
        if have < amount:
            sender.transact(token.functions.approve(spender, MAX_UINT), action="approve")

    # ------------------------------------------------------------------ the trust layer
    def trust(self) -> str | None:
        """The vault's trust contract (None before `set_trust`)."""
        t = Web3.to_checksum_address(self._view("trust"))
        return None if t == ZERO_ADDRESS else t

    def trust_client(self) -> VaultTrustClient:
        """The client of the vault's own trust contract (the address the vault names, sending
        from this client's sender); `InputError` when the term is not opened yet."""
        t = self.trust()
        if t is None:
            raise InputError("trust", f"vault {self.address} has no trust contract yet: the term is not opened (deploy-trust)")
        return VaultTrustClient(self.w3, t, self.sender)

    def settle_cursor(self) -> int:
        """Every epoch below it is settled (the lower of the vault's two settlement cursors)."""
        return self._view("settle_cursor")

    def cursors(self) -> tuple[int, int]:
        """The vault's settlement cursors ``(unfunded, attest)``."""
        u, a = self._view("cursors")
        return int(u), int(a)

    def cursor_due(self, ts: int | None = None) -> bool:
        """Whether a settlement cursor is past its record time (the unfunded one past D, the
        attest one past A): what `settle_due` moves, and while it is so the trust refuses a bond
        top-up (audit9 K1) and the vault a transfer. True also when a cursor only has a skip to
        make (a funded epoch past D waits for A: the unfunded cursor moves past it)."""
        ts = self.now() if ts is None else ts
        u, a = self.cursors()
        n = self._view("N_EPOCHS")
        return (u < n and ts > self.report_deadline(u)) or (a < n and ts > self.attest_deadline(a))

    def settled_epochs(self) -> tuple[int, tuple[int, ...]]:
        """``(k, later)``: epochs ``0..k-1`` are settled, and so are the epochs in ``later`` (the
        unfunded cursor runs ahead of funded epochs that wait for their attest deadline). Reads
        the trust's records between the two cursors only (a few epochs: the report grace)."""
        low, high = (int(x) for x in self._view("cursors"))
        low, high = min(low, high), max(low, high)
        t = self.trust_client() if high > low else None
        flags = [t.record(e).settled for e in range(low, high)] if t else []
        k = low
        while k - low < len(flags) and flags[k - low]:
            k += 1
        return k, tuple(low + i for i, f in enumerate(flags) if f and low + i > k)

    def term_supply(self) -> int:
        return self._view("term_supply")

    def params_of(self, epoch: int) -> dict:
        """The fee parameters in force at ``epoch``'s end."""
        return dict(zip(("mj_per_th", "micro_usd_per_kwh", "micro_usd_per_th_day", "perf_bps", "fee_recipient"), self._view("params_of", epoch)))

    def pause_intervals(self) -> list[tuple[int, int]]:
        """Every pause of the term as (start, end); end 0 while running."""
        return [(int(p[0]), int(p[1])) for p in self._view("pause_intervals")]

    def settle_due(self, n: int = 16) -> list[dict]:
        """Settle up to ``n`` epochs whose record time has passed (anyone, never paused); returns
        the `EpochSettled` events (epoch, credited, record_time), empty when nothing was due."""
        if not isinstance(n, int) or not 1 <= n <= 2**256 - 1:
            raise InputError("n", "must be a positive integer")
        receipt = self._send("settle_due", n)
        return self.events(receipt, "EpochSettled")

    def due_epochs(self, ts: int | None = None) -> list[int]:
        """Epochs at or after the settle cursor whose record time has passed and that the trust
        has not settled (what `settle_due` would settle now)."""
        ts = self.now() if ts is None else ts
        t = self.trust_client()
        out = []
        for e in range(self.settle_cursor(), self._view("N_EPOCHS")):
            if self.epoch_end(e) > ts:
                break
            if ts > self.record_time(e) and not t.record(e).settled:
                out.append(e)
        return out

    # ------------------------------------------------------------------ time helpers
    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def epoch_end(self, epoch: int) -> int:
        return self._view("epoch_end", epoch)

    def report_deadline(self, epoch: int) -> int:
        """Last moment ``epoch`` may be reported and funded (end + REPORT_GRACE, pushed by pauses)."""
        return self._view("report_deadline", epoch)

    epoch_deadline = report_deadline

    def attest_deadline(self, epoch: int) -> int:
        """Last moment a funded epoch may be finalised (end + 2 * REPORT_GRACE, pushed by pauses)."""
        return self._view("attest_deadline", epoch)

    def record_time(self, epoch: int) -> int:
        """When ``epoch`` is settled and credited to its holders: its report deadline if it is not
        funded by then, else its attest deadline (far in the future during an open pause)."""
        return self._view("record_time", epoch)

    def epoch_at(self, ts: int) -> int | None:
        """The epoch running at time ``ts`` (None outside the term)."""
        start, end = self._view("TERM_START"), self._view("TERM_END")
        if ts < start or ts >= end:
            return None
        return (ts - start) // EPOCH_S

    def _check_epoch(self, epoch: int, field: str = "epoch") -> int:
        n = self._view("N_EPOCHS")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch < n:
            raise InputError(field, f"{epoch} is outside the term (epochs 0..{n - 1})")
        return epoch

    def reportable_epochs(self, ts: int | None = None) -> list[int]:
        """Epochs that have ended, are within their report deadline and are not reported yet."""
        ts = self.now() if ts is None else ts
        out = []
        for e in range(self._view("N_EPOCHS")):
            if self.epoch_end(e) > ts:
                break
            if self._view("epochs", e)[0] == 0 and ts <= self.report_deadline(e):
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

    def split_of(self, epoch: int, delivered: int, gross: int, btc_usd: int) -> tuple[int, int, int]:
        """(fee, perf, net) of ``gross`` for ``delivered`` shares with the parameters in force at
        ``epoch``'s end (the vault's own integer math; ``btc_usd`` 0 = no electricity/hosting)."""
        return tuple(self._view("split_of", epoch, delivered, gross, btc_usd))

    def preview_split(self, delivered: int, gross: int, btc_usd: int) -> tuple[int, int, int]:
        """The (fee, perf, net) split the vault's current parameters give (`economics.fee_split`)."""
        from hashtrust.hashrate.economics import FeeParams, fee_split

        if btc_usd <= 0:
            raise InputError("btc_usd", "must be > 0")
        p = self._view("params")
        return fee_split(delivered, gross, FeeParams(*p[:4]), btc_usd, self._view("FEED_UNIT"))

    def epoch(self, epoch: int) -> EpochInfo:
        s, delivered, gross, fee, perf, net, price, h, _supply = self._view("epochs", epoch)
        return EpochInfo(epoch, status_name(s), delivered, gross, fee, perf, net, price, bytes(h), self.epoch_end(epoch),
                         self.report_deadline(epoch), self.attest_deadline(epoch), self.record_time(epoch))

    @property
    def price_feed(self) -> PriceFeedClient:
        """The vault's BTC/USD feed (sending from this client's sender: the devnet feed's owner may set it)."""
        return PriceFeedClient(self.w3, self._view("PRICE_FEED"), self.sender)

    def status(self) -> VaultStatus:
        v = self._view
        now = self.now()
        p = v("params")
        answer, updated = self.price_feed.latest()
        trust = self.trust()
        t = VaultTrustClient(self.w3, trust) if trust else None
        settled = self.settled_epochs() if trust else (0, ())
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
            operator=t.operator_wallet() if t else ZERO_ADDRESS,
            guardian=v("guardian"),
            admin=v("owner"),
            bond=t.bond() if t else 0,
            btc_usd=Decimal(answer) / v("FEED_UNIT"),
            price_updated=updated,
            trust=trust or ZERO_ADDRESS,
            required_bond=t.required_bond() if t else 0,
            coverage_bps=t.coverage_bps() if t else None,
            settle_cursor=settled[0],
            settled_after=settled[1],
            pauses=tuple(self.pause_intervals()),
            payment_decimals=self.payment_decimals(),
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
        if self.trust() is None:
            raise InputError("shares", "the term is not opened yet (the vault has no trust contract): nothing can be bought")
        if self.now() >= (end := self._view("SALE_END")):  # not "--ths exceeds what can be bought"
            raise InputError("sale", f"it ended {_when(end)}: nothing can be bought")
        room = self.max_buy(receiver)
        if shares > room:
            raise InputError("shares", f"{ths_text(shares)} TH/s exceeds what can be bought now ({ths_text(room)} TH/s: "
                             "sale over, paused, capacity, or what the operator's bond covers)")
        price = self.preview_buy(shares)
        if max_payment is None:
            max_payment = price
        elif max_payment < price:
            dec = self.payment_decimals()  # in USD as `buy` speaks (user7 note: it was payment-token units)
            raise InputError("max_payment", f"{usd_words(max_payment, dec)} ({max_payment:,} payment-token units) is below the price, "
                             f"{usd_words(price, dec)} ({price:,} units)")
        token = self.payment_token
        have = int(call_view(token.functions.balanceOf(sender.address), action="balanceOf"))
        if have < price:
            dec = self.payment_decimals()
            raise InputError("shares", f"buying {ths_text(shares)} TH/s costs {usd_words(price, dec)}; {sender.address} holds {usd_words(have, dec)} of the payment token: nothing sent")
        if approve:
            self._ensure_allowance(token, price)
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
    def price_round(self, epoch: int) -> Round:
        """The BTC/USD round in force at ``epoch``'s end (`round_at` over the vault's feed)."""
        return self.price_feed.round_at(self.epoch_end(epoch))

    def report(self, epoch: int, delivered: int, gross: int, report_hash: bytes, uri: str, *, round_id: int | None = None) -> dict:
        """Report an ended epoch (operator) at the BTC/USD round in force at its end (found on the
        feed unless ``round_id`` is given); returns the `EpochReported` event."""
        self._check_epoch(epoch)
        if delivered < 0 or gross < 0:
            raise InputError("delivered/gross", "must be >= 0")
        if delivered > (sold := self._view("totalSupply")):
            raise InputError("delivered", f"{ths_text(delivered)} TH/s exceeds the sold hashrate, {ths_text(sold)} TH/s")
        report_hash, uri = check_bytes32(report_hash, "report_hash"), check_text(uri, "uri", MAX_REPORT_URI)
        end = self.epoch_end(epoch)
        if self.now() < end:
            raise InputError("epoch", f"epoch {epoch} has not ended yet (it ends {_when(end)})")
        self._check_report_deadline(epoch, "reported")
        self._require_operator("report", epoch)
        if round_id is None:
            round_id = self.price_feed.round_at(end).round_id
        return self._send_event(self._fn("report_epoch", epoch, delivered, gross, report_hash, uri, round_id), "EpochReported")

    def _check_report_deadline(self, epoch: int, what: str) -> None:
        """`InputError` once ``epoch``'s report/fund deadline has passed (the vault's "vault: epoch
        deadline passed", in words with the date: user7 U10)."""
        deadline = self.report_deadline(epoch)
        if self.now() > deadline:
            raise InputError("epoch", f"epoch {epoch}'s report deadline passed at {_when(deadline)}: it can no longer be {what} "
                             "(it settles as a default at its record time: settle-due)")

    def _require_operator(self, what: str, epoch: int) -> Any:
        """The sender, when it is the trust's operator wallet (the vault's `_check_operator`)."""
        sender = self._require_sender()
        wallet = self.trust_client().operator_wallet()
        if Web3.to_checksum_address(sender.address) != wallet:
            raise InputError("sender", f"only the operator's wallet ({wallet}) may {what} epoch {epoch}, not {sender.address}: nothing sent")
        return sender

    def fund(self, epoch: int, *, approve: bool = True) -> dict:
        """Pay a reported epoch's gross (operator); approves the reward token if needed.
        Returns the `EpochFunded` event."""
        info = self.epoch(epoch)
        if info.status != "reported":
            hint = ": nobody has reported it yet (report it first)" if info.status == "none" else ""
            raise InputError("epoch", f"epoch {epoch} is {info.words}, so there is nothing to fund{hint}")
        self._check_report_deadline(epoch, "funded")
        sender = self._require_operator("fund", epoch)  # refused before the approval is sent (it was sent, then the fund reverted)
        token = self.reward_token
        have = int(call_view(token.functions.balanceOf(sender.address), action="balanceOf"))
        if have < info.gross:
            raise InputError("epoch", f"funding epoch {epoch} pays its gross, {btc_words(info.gross)}; {sender.address} holds {btc_words(have)} of the reward token: nothing sent")
        if approve and info.gross:
            self._ensure_allowance(token, info.gross)
        return self._send_event(self._fn("fund_epoch", epoch), "EpochFunded")

    def withdraw_fees(self) -> int:
        return self._send_event(self._fn("withdraw_fees"), "FeesWithdrawn")["amount"]

    def withdraw_proceeds(self) -> int:
        return self._send_event(self._fn("withdraw_proceeds"), "ProceedsWithdrawn")["amount"]

    # ------------------------------------------------------------------ settlement
    def declare_default(self, epoch: int, *, batch: int = 16) -> dict:
        """Settle the term up to ``epoch`` (anyone): `settle_due` until the trust records ``epoch``
        as settled. Nobody declares anything any more: every epoch is settled at its record time,
        credited to the holders at that moment, whoever calls and whenever. Returns ``epoch``'s
        record as a dict (kind, owed_sats, paid_sats, ...) with ``credited`` (sats the vault
        credited to holders for it). `InputError` before its record time."""
        self._check_epoch(epoch)
        t = self.trust_client()
        rec = t.record(epoch)
        credited: int | None = None
        if not rec.settled:
            rt, now = self.record_time(epoch), self.now()
            if now <= rt:
                when = "while the vault is paused (an open pause holds every deadline)" if rt >= 2**255 else f"after {_when(rt)}"
                raise InputError("epoch", f"epoch {epoch} is settled at its record time, {when}; it is {_when(now)} now: nothing to settle yet")
            while not rec.settled:
                evs = self.settle_due(batch)
                if not evs:
                    raise HashtrustError(f"settle_due settled nothing, yet epoch {epoch}'s record time ({_when(rt)}) has passed")
                credited = next((int(ev["credited"]) for ev in evs if int(ev["epoch"]) == epoch), credited)
                rec = t.record(epoch)
        return {**rec.as_dict(), "credited": rec.paid if credited is None else credited}

    # ------------------------------------------------------------------ guardian / admin
    def set_trust(self, trust: str) -> dict:
        """Adopt ``trust`` as the vault's trust layer (admin, once, before any sale)."""
        return self._send_event(self._fn("set_trust", check_address(trust, "trust")), "TrustSet")

    def pause(self) -> Any:
        return self._send("pause")

    def unpause(self) -> Any:
        return self._send("unpause")


class VaultTrustClient(ContractClient):
    """Typed access to one deployed `VaultTrust`: the bond, the validators, finalisation and the
    record of every epoch. Its terms are constructor arguments: nothing here changes them."""

    CONTRACT = "VaultTrust"
    BOOK_NAME = "VaultTrust"

    # ------------------------------------------------------------------ terms
    def vault(self) -> HashrateVaultClient:
        return HashrateVaultClient(self.w3, self._view("VAULT"), self.sender)

    def agent_id(self) -> int:
        return self._view("AGENT_ID")

    def quorum(self) -> int:
        return self._view("QUORUM")

    def min_score(self) -> int:
        return self._view("MIN_SCORE")

    def bond_epochs(self) -> int:
        return self._view("BOND_EPOCHS")

    def validators(self) -> list[str]:
        return [Web3.to_checksum_address(v) for v in self._view("validator_list")]

    def terms(self) -> dict:
        """Every term fixed at construction."""
        v = self._view
        return {
            "vault": Web3.to_checksum_address(v("VAULT")),
            "identity": Web3.to_checksum_address(v("IDENTITY")),
            "validation": Web3.to_checksum_address(v("VALIDATION")),
            "reputation": Web3.to_checksum_address(v("REPUTATION")),
            "agent_id": v("AGENT_ID"),
            "validators": self.validators(),
            "quorum": v("QUORUM"),
            "min_score": v("MIN_SCORE"),
            "difficulty": v("HP_DIFFICULTY"),
            "sats_per_block": v("HP_SATS_PER_BLOCK"),
            "bond_epochs": v("BOND_EPOCHS"),
            "index": Web3.to_checksum_address(v("INDEX")),
            "pool_fee_bps": v("POOL_FEE_BPS"),
        }

    def operator_wallet(self) -> str:
        """The operator agent's live wallet (zero while it authorised the trust or the vault)."""
        return Web3.to_checksum_address(self._view("operator_wallet"))

    # ------------------------------------------------------------------ views
    def bond(self) -> int:
        return self._view("bond")

    def n_settled(self) -> int:
        """Epochs the trust has settled (N_EPOCHS: every one; a top-up is refused from then on)."""
        return self._view("n_settled")

    def required_bond(self) -> int:
        """The bond covering BOND_EPOCHS unreported epochs of the vault's whole capacity."""
        return self._view("required_bond")

    def coverage_bps(self) -> int:
        """The bond over what BOND_EPOCHS unreported epochs of the shares sold owe (10,000 = covered)."""
        return self._view("coverage_bps")

    def coverable_shares(self) -> int:
        return self._view("coverable_shares")

    def record(self, epoch: int) -> Record:
        return Record(epoch, *(int(x) if not isinstance(x, bool) else x for x in self._view("record", epoch)))

    def request_hash(self, epoch: int, validator: str) -> bytes:
        return bytes(self._view("request_hash", epoch, Web3.to_checksum_address(validator)))

    def expected_unreported(self, epoch: int) -> int:
        """What ``epoch`` owes if never reported (Nu(e))."""
        return self._view("expected_unreported", epoch)

    def expected_reported(self, epoch: int) -> int:
        """Nr(e): the net of full delivery at the hashprice, at the epoch's price and params."""
        return self._view("expected_reported", epoch)

    # ------------------------------------------------------------------ anyone
    def finalize(self, epoch: int) -> dict:
        """Finalise a funded epoch once a quorum of listed validators attested it (anyone);
        returns `EpochFinalized`."""
        rec = self.record(epoch)
        if rec.settled or rec.finalized:
            raise InputError("epoch", f"epoch {epoch} is already {rec.kind_name if rec.kind else 'settled'}")
        vault = self.vault()
        if vault.epoch(epoch).status == "funded" and vault.now() <= (until := vault.attest_deadline(epoch)):
            count, quorum = self.attestations(epoch), self.quorum()
            if count < quorum:  # user7 U13: was the trust's revert text, "finalize_epoch reverted: trust: no quorum"
                raise InputError("epoch", f"epoch {epoch} has {count} of the {quorum} attestations its quorum needs (a final answer >= {self.min_score()} "
                                 f"from a listed validator); they may attest by {_when(until)}: nothing sent")
        return self._send_event(self._fn("finalize_epoch", epoch), "EpochFinalized")

    def attestations(self, epoch: int) -> int:
        """How many listed validators hold a final answer >= MIN_SCORE on ``epoch``'s request hash
        (what `finalize_epoch` counts, less its check that each is independent of the agent)."""
        from hashtrust.erc8004.validation import ValidationClient

        registry = ValidationClient(self.w3, self._view("VALIDATION"))
        agent, floor = self.agent_id(), self.min_score()
        count = 0
        for v in self.validators():
            a = registry.attestation(agent, self.request_hash(epoch, v))
            count += int(a.finalized and Web3.to_checksum_address(a.validator) == v and a.response >= floor)
        return count

    def post_record(self, epoch: int) -> dict:
        """Offer a pending feedback to the ReputationRegistry again (anyone); returns
        `FeedbackPosted` (``posted`` False: refused again, still pending)."""
        rec = self.record(epoch)
        if rec.feedback != FEEDBACK_PENDING:
            raise InputError("epoch", f"epoch {epoch} has no feedback pending (feedback {rec.feedback_name})")
        return self._send_event(self._fn("post_record", epoch), "FeedbackPosted")

    def post_bond(self, amount: int, *, approve: bool = True) -> dict:
        """Add ``amount`` sats to the bond (anyone); approves the reward token if needed."""
        if not isinstance(amount, int) or amount <= 0:
            raise InputError("amount", "must be a positive number of sats")
        sender = self._require_sender()
        vault = self.vault()
        if self.n_settled() >= vault._view("N_EPOCHS"):  # user7 U11 (the trust refuses it too: "trust: term over"; audit8 J1: not before; audit10 L1: counted, not the lower cursor)
            raise InputError("amount", f"every epoch of the term is settled (it ended {_when(vault._view('TERM_END'))}): a post now covers no epoch and could only go to the operator "
                             "(bond withdraw); nothing sent")
        if vault.cursor_due():  # the trust would refuse (audit9 K1): a top-up never changes what a due settlement pays
            raise InputError("", "an epoch's record time has passed and the vault has not settled it yet (a top-up now could change what it pays): "
                             "run `vault settle-due` first (anyone may), then post again; nothing sent")
        token = vault.reward_token
        have = int(call_view(token.functions.balanceOf(sender.address), action="balanceOf"))
        if have < amount:
            raise InputError("amount", f"{btc_words(amount)} is more than {sender.address} holds ({btc_words(have)})")
        if approve:
            allowed = call_view(token.functions.allowance(sender.address, self.address), action="allowance")
            if allowed < amount:
                sender.transact(token.functions.approve(self.address, MAX_UINT), action="approve trust")
        return self._send_event(self._fn("post_bond", amount), "BondPosted")

    def withdraw_bond(self) -> int:
        """Take the bond left after the term (the operator's wallet); returns sats paid."""
        sender = self._require_sender()
        wallet = self.operator_wallet()
        if wallet == ZERO_ADDRESS or Web3.to_checksum_address(sender.address) != wallet:
            raise InputError("sender", f"only the operator's wallet ({wallet}) may withdraw the bond, not {sender.address}")
        vault = self.vault()
        now, end = vault.now(), vault._view("TERM_END")
        if now < end:
            raise InputError("bond", f"the term runs until {_when(end)}: the bond stays until then")
        cursor, n = vault.settle_cursor(), vault._view("N_EPOCHS")
        if cursor < n:
            raise InputError("bond", f"{n - cursor} epochs are not settled yet (run settle-due first)")
        if self.bond() == 0:
            raise InputError("bond", "the bond is empty")
        self.drain_feedback()
        return self._send_event(self._fn("withdraw_bond"), "BondReleased")["amount"]

    def pending_feedback(self) -> int:
        """How many settled records wait in the trust's queue for their reputation feedback."""
        head, tail = (int(x) for x in self._view("pending_feedback"))
        return tail - head

    def drain_feedback(self, per_call: int = POST_PER_CALL) -> int:
        """Post the queued feedback (`post_pending`, anyone) until the queue is empty, as
        `withdraw_bond` needs (audit7 I1); returns how many records left the queue. A call that
        takes none off (the registry refuses the head) ends it with an error naming the wait:
        nothing else is sent."""
        queued = left = self.pending_feedback()
        while left:
            self._send("post_pending", per_call)
            now = self.pending_feedback()
            if now >= left:
                raise InputError("bond", f"{now} reputation feedback(s) wait in the trust's queue and the registry refused the next one "
                                 "(run `vault bond withdraw` again later): the bond is released once they are posted")
            left = now
        return queued


class PriceFeedClient(ContractClient):
    """The devnet BTC/USD feed (owner-set, Chainlink read surface)."""

    CONTRACT = "PriceFeed"
    BOOK_NAME = "BtcUsdFeed"

    def latest(self) -> tuple[int, int]:
        """(answer, updatedAt)."""
        _, answer, _, updated, _ = self._view("latestRoundData")
        return answer, updated

    def latest_round(self) -> Round:
        return Round(*(int(x) for x in self._view("latestRoundData")))

    def get_round(self, round_id: int) -> Round | None:
        """Round ``round_id``, or None when the feed does not have it (a revert or an empty round)."""
        try:
            r = Round(*(int(x) for x in self._view("getRoundData", round_id)))
        except RevertError:
            return None
        return None if r.updated_at == 0 else r

    def round_at(self, ts: int) -> Round:
        """The round in force at ``ts`` (`round_at`)."""
        latest = self.latest_round()
        if latest.round_id == 0:
            raise InputError("btc_usd round", "the price feed has published no round yet")
        return round_at(self.get_round, latest, ts)

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

    if ts >= 2**255:
        return "never (held by an open pause)"
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _epoch_words(s: VaultStatus) -> str:
    if s.current_epoch is not None:
        return f"epoch {s.current_epoch}"
    return "before the term" if s.now < s.term_start else "after the term"


def _pause_words(s: VaultStatus) -> str:
    if not s.pauses:
        return "never paused"
    running = [p for p in s.pauses if p[1] == 0]
    lines = f"paused {len(s.pauses)} time(s)"
    if running:
        lines += f", paused since {_when(running[-1][0])} (deadlines wait)"
    return lines


def _cursor_words(s: VaultStatus) -> str:
    later = f" (and {', '.join(map(str, s.settled_after))})" if s.settled_after else ""
    if s.settle_cursor >= s.n_epochs:
        return f"all {s.n_epochs} epochs settled"
    if s.settle_cursor == 0:
        return "no epoch settled yet" if not later else f"epochs {', '.join(map(str, s.settled_after))} settled"
    return f"epochs 0..{s.settle_cursor - 1} settled{later}"


def status_data(s: VaultStatus, *, holder: str | None = None, shares: int = 0, claimable: int = 0, reportable: list[int] | None = None) -> dict:
    """The vault's state as ``vault status --json`` prints it (integers in the contract's units,
    times as unix seconds, TH/s, BTC and BTC/USD as decimal strings)."""
    data: dict[str, Any] = {
        "address": s.address, "admin": s.admin, "operator": s.operator, "guardian": s.guardian, "paused": bool(s.paused),
        "trust": s.trust, "sold_ths": ths_text(s.total_supply), "capacity_ths": ths_text(s.capacity),
        "total_supply": s.total_supply, "capacity": s.capacity, "price_per_th": s.price_per_th,
        "price_per_th_usd": str(Decimal(s.price_per_th) / 10**s.payment_decimals),
        "sale_end": s.sale_end, "term_start": s.term_start, "term_end": s.term_end, "n_epochs": s.n_epochs,
        "now": s.now, "current_epoch": s.current_epoch,
        "params": {k: (v if isinstance(v, (int, str)) else str(v)) for k, v in s.params.items()},
        "btc_usd": str(s.btc_usd), "price_updated": s.price_updated,
        "total_notified": s.total_notified, "total_claimed": s.total_claimed, "fees_payable": s.fees_payable,
        "reward_liabilities": s.reward_liabilities, "period_finish": s.period_finish,
        "bond": s.bond, "bond_btc": str(sats_to_btc(s.bond)), "required_bond": s.required_bond, "coverage_bps": s.coverage_bps,
        "settle_cursor": s.settle_cursor, "settled_after": list(s.settled_after), "pauses": [{"start": a, "end": b} for a, b in s.pauses],
    }
    if holder is not None:
        data["holder"] = {"address": holder, "shares": shares, "ths": ths_text(shares), "claimable_sats": claimable,
                          "claimable_btc": str(sats_to_btc(claimable))}
    if reportable is not None:
        data["reportable_epochs"] = list(reportable)
    return data


def format_status(s: VaultStatus, *, holder: str | None = None, shares: int = 0, claimable: int = 0, reportable: list[int] | None = None) -> str:
    """The vault's state as the command lines print it, in words (TH/s, USD, BTC with sats,
    times as UTC dates): sale, term, fees, rewards, the operator's bond and its coverage, how far
    settlement has got, pauses; with ``holder``'s position (``shares``, ``claimable`` sats) and
    the epochs the operator may report now, when given."""
    p = s.params
    fees = (
        f"energy {Decimal(p.get('mj_per_th', 0)) / 1000} J/TH at {Decimal(p.get('micro_usd_per_kwh', 0)) / 10**6} USD/kWh, "
        f"hosting {Decimal(p.get('micro_usd_per_th_day', 0)) / 10**6} USD per TH/s a day, "
        f"performance fee {Decimal(p.get('perf_bps', 0)) / 100}% to {p.get('fee_recipient', '?')}"
    )
    if s.trust == ZERO_ADDRESS:
        trust = "trust: none yet -- the term is not opened (deploy-trust), nothing can be bought"
        operator = "operator: none until the trust is deployed"
    else:
        cover = "n/a" if s.coverage_bps is None else f"{Decimal(s.coverage_bps) / 100:.2f}%"
        trust = (f"trust {s.trust}: bond {btc_words(s.bond)}, {btc_words(s.required_bond)} covers the whole capacity; "
                 f"covers {cover} of what the sold TH/s would be owed for its missed epochs")
        operator = f"operator {s.operator}" if s.operator != ZERO_ADDRESS else "operator: none (the agent has no wallet, or authorised the trust or the vault)"
    lines = [
        f"vault {s.address}  admin {s.admin}  guardian {s.guardian}  paused: {'yes' if s.paused else 'no'}",
        operator,
        f"sold {ths_text(s.total_supply)} / {ths_text(s.capacity)} TH/s at {usd_words(s.price_per_th, s.payment_decimals)} per TH/s; sale {'ended' if s.now >= s.sale_end else 'ends'} {_when(s.sale_end)}",
        f"term {_when(s.term_start)} to {_when(s.term_end)} ({s.n_epochs} epochs); now {_when(s.now)}, {_epoch_words(s)}",
        f"fees: {fees}",
        f"BTC/USD {s.btc_usd:,.2f} (updated {_when(s.price_updated)})",
        f"rewards: notified {btc_words(s.total_notified)}, claimed {btc_words(s.total_claimed)}, fees payable {btc_words(s.fees_payable)}, "
        f"liabilities {btc_words(s.reward_liabilities)}",
        trust,
        f"settlement: {_cursor_words(s)}; {_pause_words(s)}",
    ]
    if holder is not None:
        lines.append(f"you ({holder}): {ths_text(shares)} TH/s, claimable {btc_words(claimable)}")
    if reportable is not None:
        lines.append(f"reportable epochs: {list(reportable)}")
    return "\n".join(lines)


def record_data(info: EpochInfo, rec: Record | None) -> dict:
    """One epoch, vault side and trust side, as ``vault record --json`` prints it."""
    return {
        "epoch": info.epoch, "status": info.status, "delivered": info.delivered, "delivered_ths": ths_text(info.delivered),
        "gross_sats": info.gross, "fee_sats": info.fee, "perf_sats": info.perf, "net_sats": info.net, "btc_usd": info.btc_usd,
        "report_hash": "0x" + info.report_hash.hex(), "end": info.end, "report_deadline": info.deadline,
        "attest_deadline": info.attest_deadline, "record_time": info.record_time,
        "record": rec.as_dict() if rec is not None else None,
    }


def format_record(info: EpochInfo, rec: Record | None, now: int | None = None) -> str:
    """One epoch in words: what the operator reported, its deadlines, and how it was settled
    (``now``: the chain's time, so an epoch still running "ends" rather than "ended")."""
    ended = "ends" if now is not None and now < info.end else "ended"
    lines = [f"epoch {info.epoch} ({ended} {_when(info.end)}): {info.words}"]
    if info.status != "none":
        lines.append(f"  reported {ths_text(info.delivered)} TH/s delivered, gross {btc_words(info.gross)} = fee {info.fee:,} + perf {info.perf:,} + net {info.net:,} sats"
                     + (" (no price in force at the end: no electricity charged)" if info.btc_usd == 0 else f" at BTC/USD {Decimal(info.btc_usd) / 10**8:,.2f}"))
    settled = rec is not None and rec.settled  # user7 U5: an epoch not settled yet "settles at" its record time
    lines.append(f"  report/fund by {_when(info.deadline)}; attest by {_when(info.attest_deadline)}; "
                 f"{'settled at' if settled else 'record time'} {_when(info.record_time)}")
    if rec is None:
        lines.append("  trust: none (the term is not opened)")
    elif not rec.settled:
        lines.append(f"  trust record: {rec.kind_name}" + (f" by {rec.attestations} validators, uptime {Decimal(rec.uptime_bps) / 100}%" if rec.finalized else "")
                     + "; not settled yet")
    else:
        paid = f"the bond paid {btc_words(rec.paid)} to the holders" + ("" if rec.paid == rec.owed else f" (it owed {btc_words(rec.owed)}; the bond ran short)")
        what = f"{rec.kind_name}" + (f" by {rec.attestations} validators, uptime {Decimal(rec.uptime_bps) / 100}%" if rec.finalized else "")
        lines.append(f"  settled: {what}; {paid if rec.owed else 'nothing owed'}; reputation feedback {rec.feedback_name}")
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
    each does its work through the client and returns the text to print. `report`, `fund`,
    `finalize` and `settle_due` are idempotent: what the chain already has is left alone."""

    def __init__(self, vault: HashrateVaultClient, signer_option: str = ""):
        self.vault = vault
        # the option that chose the signer, named by a refusal of the signer (user7 U7: the
        # hashtrust command line said "--account", an option it has not); "" names none
        self.signer_option = signer_option

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
            shares = ths_to_shares(ths)
            if shares == 0:
                raise InputError("ths", f"must be more than 0 TH/s ({ths} given)")
            ev = self.vault.buy(shares, receiver=receiver, max_payment=max_payment)
        return f"bought {ths_text(ev['shares'])} TH/s for {usd_words(ev['payment'], self.vault.payment_decimals())} -> {ev['receiver']}"

    def report(
        self,
        epoch: int,
        delivered_ths: str | Decimal,
        gross_sats: int,
        *,
        report_file: str | Path | None = None,
        report_hash: str | bytes | None = None,
        uri: str = "",
    ) -> str:
        """Report an ended epoch at the BTC/USD round in force at its end. The report hash is the
        sha256 of ``report_file`` (whose name is the default URI) or ``report_hash`` (hex or
        bytes; default zero). The price is never chosen by the reporter: the vault takes the
        round in force at the epoch's end (a price published after the end cannot change it)."""
        v = self.vault
        if report_file is not None and report_hash is not None:
            raise InputError("--report-hash", "give a report file or a report hash, not both")
        with _options({"epoch": "--epoch"}):
            v._check_epoch(epoch)
        if report_file is not None:
            report_hash = hashlib.sha256(Path(report_file).read_bytes()).digest()
            uri = uri or Path(report_file).name
        with _options({"report_hash": "--report-hash", "delivered_ths": "--delivered-ths", "uri": "--uri"}):  # bad input is refused also once reported
            digest = check_bytes32(report_hash, "report_hash")  # None: zero
            delivered = ths_to_shares(delivered_ths, "delivered_ths")
            uri = check_text(uri, "uri", MAX_REPORT_URI)
        info = v.epoch(epoch)
        if info.status != "none":
            if (info.delivered, info.gross) != (delivered, int(gross_sats)):
                raise InputError("--epoch", f"epoch {epoch} is already {info.words} with {ths_text(info.delivered)} TH/s delivered and a gross of {info.gross:,} sats, "
                                 f"not {ths_text(delivered)} TH/s and {int(gross_sats):,} sats: a report cannot be changed")
            if (report_file is not None or report_hash is not None) and info.report_hash != digest:  # user7 U6: the recorded hash is what validators attest
                raise InputError("--report-hash", f"epoch {epoch} is already {info.words} with report hash 0x{info.report_hash.hex()}, "
                                 f"not 0x{digest.hex()}: a report cannot be changed")
            return f"epoch {epoch} is already {info.words} (same figures: nothing sent)"
        with _options({"epoch": "--epoch", "btc_usd round": "--epoch", "delivered_ths": "--delivered-ths", "delivered": "--delivered-ths", "uri": "--uri", "sender": self.signer_option}):
            ev = v.report(epoch, delivered, gross_sats, digest, uri)
        price = "no price in force at the end (stale feed): no electricity charged" if ev["btc_usd"] == 0 else f"BTC/USD {Decimal(ev['btc_usd']) / v._view('FEED_UNIT'):,.2f}"
        return f"epoch {epoch}: gross {ev['gross']} = fee {ev['fee']} + perf {ev['perf']} + net {ev['net']} sats ({price})"

    def fund(self, epoch: int) -> str:
        """Pay a reported epoch's gross; an epoch already past "reported" is left alone."""
        with _options({"epoch": "--epoch", "sender": self.signer_option}):
            self.vault._check_epoch(epoch)
            info = self.vault.epoch(epoch)
            if info.status in ("funded", "finalized", "defaulted"):
                return f"epoch {epoch} is already {info.words}"
            ev = self.vault.fund(epoch)  # an unreported epoch: InputError, naming --epoch
        return f"epoch {epoch} funded: {ev['gross']} sats; {ev['net']} stream to holders over the next day"

    def claim(self, holder: str | None = None, receiver: str | None = None) -> str:
        """Claim the sender's rewards (to ``receiver``), or ``holder``'s on its behalf."""
        v = self.vault
        with _options({"account": "--for", "receiver": "--to"}):
            if holder is not None and receiver is not None:  # --to was ignored: the holder's rewards are paid to the holder
                raise InputError("receiver", "pays the caller's own rewards; a claim --for a holder is paid to that holder: give --for or --to, not both")
            if holder is not None:
                holder = check_address(holder, "account")
            if receiver is not None:
                receiver = check_address(receiver, "receiver")
            if holder is not None and receiver is not None:
                raise InputError("receiver", "a claim for another holder always pays that holder (or the receiver it set): give --for or --to, not both")
        whose = holder or v._require_sender().address
        if v.claimable(whose) == 0:  # nothing to claim: send nothing (a 0-sat claim cost gas and said "claimed 0 sats")
            return f"nothing claimable for {whose}; nothing sent"
        paid = v.claim_for(holder) if holder else v.claim(receiver)
        return f"claimed {paid} sats" + (f" for {holder}" if holder else "") + (f" -> {receiver}" if receiver else "")  # user7 U12

    # ------------------------------------------------------------------ settlement and the trust
    def settle_due(self, n: int = 16) -> str:
        """Settle up to ``n`` epochs whose record time has passed; says so when none is due."""
        v = self.vault
        with _options({"n": "--n"}):
            if not isinstance(n, int) or n < 1:
                raise InputError("n", "must be a positive integer")
            t = v.trust_client()
            due = v.due_epochs()
            # after the term, every epoch settled but a cursor behind (the attest cursor over
            # defaulted epochs): `bond withdraw` waits for a call that only moves it
            after_term = not due and v.now() >= v._view("TERM_END")
            n_epochs = v._view("N_EPOCHS")
            # a cursor past its record time with nothing to settle (it skips): during the term a
            # bond top-up waits for it (the trust refuses one meanwhile: audit9 K1)
            behind = not due and v.cursor_due()
            if not due and not behind:
                k, later = v.settled_epochs()
                if after_term and k + len(later) >= n_epochs:  # user7 U8: no next record time
                    return f"nothing due: all {n_epochs} epochs of the term are settled; nothing sent"
                return f"nothing due: {k + len(later)} epochs settled, the next record time (epoch {k}) is {_when(v.record_time(k))}; nothing sent"
            evs = v.settle_due(n)
            if behind and after_term:
                return f"every epoch was settled already; the settlement cursors moved to epoch {v.settle_cursor()} of {n_epochs}"
            if behind:
                u, a = v.cursors()
                return f"no epoch was due; the settlement cursors moved past epochs settled or funded (now at epochs {u} and {a} of {n_epochs})"
            # a call may spend its steps moving the cursors past epochs the other cursor settles
            # (funded epochs waiting for their attest deadline), settling none while some are due:
            # each call moves the cursors, so a few more calls reach the due epochs
            for _ in range(SETTLE_DUE_PASSES - 1):
                if evs or not v.due_epochs():
                    break
                evs = v.settle_due(n)
        out = []
        for ev in evs:
            rec = t.record(int(ev["epoch"]))
            out.append(f"epoch {ev['epoch']} settled ({rec.kind_name}): {int(ev['credited']):,} sats credited to the holders at {_when(int(ev['record_time']))}")
        return "\n".join(out) or f"nothing settled: {SETTLE_DUE_PASSES} calls moved the settlement cursors past epochs still waiting for their attest deadline; run it again"

    def record(self, epoch: int) -> str:
        with _options({"epoch": "EPOCH"}):
            info, rec = self._record(epoch)
        return format_record(info, rec, self.vault.now())

    def record_json(self, epoch: int) -> dict:
        with _options({"epoch": "EPOCH"}):
            info, rec = self._record(epoch)
        return record_data(info, rec)

    def _record(self, epoch: int) -> tuple[EpochInfo, Record | None]:
        v = self.vault
        v._check_epoch(epoch)
        try:
            rec: Record | None = v.trust_client().record(epoch)
        except InputError:  # no trust yet: the vault side only
            rec = None
        return v.epoch(epoch), rec

    def finalize(self, epoch: int) -> str:
        """Finalise a funded, attested epoch (anyone); a finalised or settled epoch is left alone."""
        v = self.vault
        with _options({"epoch": "EPOCH"}):
            v._check_epoch(epoch)
            t = v.trust_client()
            rec = t.record(epoch)
            if rec.finalized or rec.settled:
                return f"epoch {epoch} is already {rec.kind_name if rec.kind else 'settled'}"
            info = v.epoch(epoch)
            if info.status != "funded":
                raise InputError("epoch", f"epoch {epoch} is {info.words}: only a funded epoch can be finalised")
            if v.now() > info.attest_deadline:
                raise InputError("epoch", f"epoch {epoch}'s attest deadline passed ({_when(info.attest_deadline)}): it settles as unattested (settle-due)")
            ev = t.finalize(epoch)
        return f"epoch {epoch} finalised by {ev['attestations']} validators, uptime {Decimal(int(ev['uptime_bps'])) / 100}%"

    def bond_data(self) -> dict:
        v = self.vault
        t = v.trust_client()
        return {"trust": t.address, "bond": t.bond(), "bond_btc": str(sats_to_btc(t.bond())), "required_bond": t.required_bond(),
                "coverage_bps": t.coverage_bps(), "coverable_ths": ths_text(min(t.coverable_shares(), v._view("CAPACITY"))),
                "bond_epochs": t.bond_epochs(), "operator": t.operator_wallet()}

    def bond_status(self) -> str:
        d = self.bond_data()
        return (f"bond {btc_words(d['bond'])} in trust {d['trust']}; {btc_words(d['required_bond'])} covers the whole capacity "
                f"for {d['bond_epochs']} missed epochs; it covers {d['coverable_ths']} TH/s, {Decimal(d['coverage_bps']) / 100:.2f}% of what the sold TH/s would be owed")

    def bond_post(self, sats: int, *, up_to: bool = False) -> str:
        """Add ``sats`` to the bond, or (``up_to``) only what brings it to ``sats`` (idempotent)."""
        with _options({"amount": "--sats"}):
            if not isinstance(sats, int) or sats <= 0:
                raise InputError("amount", "must be a positive number of sats")
            t = self.vault.trust_client()
            amount = sats
            if up_to:
                if t.sender is not None:
                    t.sender.settle()  # a crashed run's top-up lands before the shortfall is read
                amount = sats - t.bond()
                if amount <= 0:
                    return f"bond is already {btc_words(t.bond())}; nothing sent"
            ev = t.post_bond(amount)
        return f"posted {btc_words(ev['amount'])}; bond is now {btc_words(ev['bond'])}"

    def bond_withdraw(self) -> str:
        with _options({"sender": self.signer_option, "bond": "bond"}):
            t = self.vault.trust_client()
            queued = t.pending_feedback()
            paid = t.withdraw_bond()  # posts the queued feedback first (the trust waits for it)
        after = f" (after posting {queued} queued reputation feedback{'s' if queued != 1 else ''})" if queued else ""
        return f"withdrew the bond: {btc_words(paid)} to the operator{after}"


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


def required_bond_for(capacity: int, difficulty: int, sats_per_block: int, bond_epochs: int, latest_value: int = 0) -> int:
    """`VaultTrust.required_bond` in Python: BOND_EPOCHS * G(1e6 TH/s) * CAPACITY / 1e6 TH/s,
    rounded up, on the hashprice gross G (performance fee 0, so no later fee change can uncover
    the sale: audit5 G6) at max(binding value, the index's latest value ``latest_value``)."""
    ref = 10**6 * TH
    per_ref = bond_epochs * expected_epoch_gross(ref, difficulty, sats_per_block, latest_value)
    return (per_ref * capacity + ref - 1) // ref


def check_index(w3: Any, index: str, book: Any = None) -> str:
    """The trust's index must be hashtrust's `HashpriceIndex` over hashtrust's `BitcoinRelay`
    (off a local devnet a relay with mainnet parameters: a regtest relay's headers cost nothing to
    mine, so its rewards, and the index's values, could be forged); on a local devnet
    (`hashtrust.chain.devnet.not_a_devnet`: chain id, development node, loopback endpoint)
    `DevHashpriceIndex` too (the trust cannot tell an index from a look-alike; the dev index
    itself refuses any other chain id at construction). Returns the contract type."""
    from hashtrust.chain.addressbook import check_code
    from hashtrust.chain.devnet import not_a_devnet
    from hashtrust.errors import AddressBookError

    index = check_address(index, "index", allow_zero=True)
    if index == ZERO_ADDRESS:
        raise InputError("index", "the trust needs a hashprice index (zero given)")
    devnet = not_a_devnet(w3) is None
    kinds = ("HashpriceIndex", "DevHashpriceIndex") if devnet else ("HashpriceIndex",)
    for kind in kinds:
        try:
            check_code(w3, index, kind)
        except AddressBookError:
            continue
        if kind == "HashpriceIndex":
            if not devnet and book is not None:
                # audit11 M2: a relay's checkpoint is its deployer's word (an easy anchor makes every
                # proof cheap): off a devnet a term reads only the index the user recorded
                ours = book.get("HashpriceIndex")
                if ours is None or Web3.to_checksum_address(ours.address) != index:
                    raise InputError("index", f"{index} is not the HashpriceIndex this address book records ({ours.address if ours else 'none'}): "
                                     "off a devnet a term reads only an index you deployed or recorded (`hashtrust index deploy`), over a relay anchored at a checkpoint you checked")
            _check_index_relay(w3, index, devnet)
        return kind
    raise InputError("index", f"{index} is not hashtrust's {' or '.join(kinds)} (off a local devnet only the Bitcoin-proven HashpriceIndex prices a term)")


def _check_index_relay(w3: Any, index: str, devnet: bool) -> None:
    """`InputError` unless the index reads hashtrust's `BitcoinRelay`, with mainnet parameters off a devnet."""
    from hashtrust.bitcoin.relay import check_proven_relay

    contract = w3.eth.contract(address=index, abi=artifacts.abi("HashpriceIndex"))
    relay = Web3.to_checksum_address(call_view(contract.functions.RELAY(), action="RELAY"))
    try:
        check_proven_relay(w3, relay, devnet=devnet)
    except InputError as exc:
        raise InputError("index", f"the HashpriceIndex at {index} reads a relay that is not fit to price a term: {exc}") from None


def index_latest(w3: Any, index: str) -> tuple[int, int]:
    """(day, value) of the index's newest final day ((0, 0) when none): `IHashpriceIndex.latest`."""
    day, value = call_view(w3.eth.contract(address=Web3.to_checksum_address(index), abi=artifacts.abi("DevHashpriceIndex")).functions.latest(), action="latest")
    return int(day), int(value)


def trust_index(w3: Any, book: Any, sender: Any, *, deploy: bool = True) -> str | None:
    """The index a new trust reads: the book's `HashpriceIndex`; on a local devnet without one, the
    book's `DevHashpriceIndex`, deployed when missing (the simulator feeds it) unless ``deploy`` is
    False (then None: `deploy_trust` deploys it only once every term is checked)."""
    if "HashpriceIndex" in book:
        return Web3.to_checksum_address(book.verified_address(w3, "HashpriceIndex"))
    from hashtrust.chain.devnet import not_a_devnet

    if not_a_devnet(w3) is not None:
        raise InputError("index", "no HashpriceIndex in the address book of this chain: deploy one (hashtrust index deploy) or pass --index")
    if "DevHashpriceIndex" in book:
        return Web3.to_checksum_address(book.verified_address(w3, "DevHashpriceIndex"))
    if not deploy:
        return None
    from hashtrust.bitcoin.index import deploy_dev_index

    client, _ = deploy_dev_index(w3, sender, book)
    return Web3.to_checksum_address(client.address)


def trust_pool_fee(w3: Any, pool_fee_bps: int | None) -> int:
    """The gross check's FPPS pool fee: as given; when None, the devnet's (`VAULT_DEVNET`, 200 bps)
    on a local devnet, and an `InputError` elsewhere (a real term names its pool's fee)."""
    if pool_fee_bps is not None:
        return int(pool_fee_bps)
    from hashtrust.chain.devnet import not_a_devnet

    if not_a_devnet(w3) is not None:
        raise InputError("pool_fee_bps", f"pass the FPPS pool fee of the gross check (basis points, 0..{MAX_POOL_FEE_BPS}; --pool-fee-bps): off a devnet it has no default")
    from hashtrust.deploy import VAULT_DEVNET

    return int(VAULT_DEVNET["pool_fee_bps"])


def check_trust_terms(vault: HashrateVaultClient, terms: dict, book: Any = None) -> list[str]:
    """Every check `VaultTrust`'s constructor and `set_trust` make, in Python (`InputError` naming
    the term); returns the validators checksummed. The registries must hold hashtrust's code."""
    w3 = vault.w3
    check_registries(w3, terms["identity"], terms["validation"], terms["reputation"])
    vals = []
    for v in terms["validators"]:
        v = check_address(v, "validators")
        if v == ZERO_ADDRESS or v in vals:
            raise InputError("validators", f"{v} is zero or listed twice")
        vals.append(v)
    if not 1 <= len(vals) <= MAX_VALIDATORS:
        raise InputError("validators", f"list 1..{MAX_VALIDATORS} validators ({len(vals)} given)")
    if not 1 <= int(terms["quorum"]) <= len(vals):
        raise InputError("quorum", f"must be 1..{len(vals)} (the number of validators)")
    if not MIN_SCORE_FLOOR <= int(terms["min_score"]) <= 100:
        raise InputError("min_score", f"must be {MIN_SCORE_FLOOR}..100 (a validator scores 100 * measured / reported; below 98 lets a 2% over-report pass)")
    difficulty, spb = int(terms["difficulty"]), int(terms["sats_per_block"])
    if not 1 <= difficulty <= 2**160:
        raise InputError("difficulty", f"must be 1..2^160 ({difficulty} given; mainnet is ~1.5e14)")
    if not 1 <= spb <= 2**64:
        raise InputError("sats_per_block", f"must be 1..2^64 sats ({spb} given): a reward of 0 makes the hashprice, the bond and every compensation 0")
    capacity = int(vault._view("CAPACITY"))
    whole = expected_epoch_gross(capacity, difficulty, spb) if capacity <= 2**96 else 0
    if capacity > 2**96 or not 1 <= whole <= 2**64 - 1:
        raise InputError("sats_per_block", f"the hashprice gross of the vault's capacity for one epoch is {whole:,} sats at difficulty {difficulty:,} and {spb:,} sats a block: it must be 1..2^64-1 (capacity at most 2^96 share units)")
    if not 0 <= int(terms["pool_fee_bps"]) <= MAX_POOL_FEE_BPS:
        raise InputError("pool_fee_bps", f"must be 0..{MAX_POOL_FEE_BPS} (the FPPS pool fee of the gross check, at most 10%)")
    if terms["index"] is not None:  # None: the devnet's DevHashpriceIndex, deployed by deploy_trust once all else is checked
        check_index(w3, terms["index"], book)
    lag = settlement_lag_epochs(vault._view("REPORT_GRACE"), vault._view("EPOCH"))
    if int(terms["bond_epochs"]) < lag:
        raise InputError("bond_epochs", f"must be at least {lag} (1 + 2 * report grace / epoch: epochs in flight before the first record time)")
    ident = w3.eth.contract(address=Web3.to_checksum_address(terms["identity"]), abi=artifacts.abi("IdentityRegistry"))
    agent = int(terms["agent_id"])
    wallet = Web3.to_checksum_address(call_view(ident.functions.getAgentWallet(agent), action="getAgentWallet"))
    if wallet == ZERO_ADDRESS:
        raise InputError("agent_id", f"agent {agent} has no wallet (is it registered?)")
    if wallet == vault.address or call_view(ident.functions.isAuthorizedOrOwner(vault.address, agent), action="isAuthorizedOrOwner"):
        raise InputError("agent_id", f"agent {agent} has authorised the vault: no epoch of it could ever be finalised")
    roles = {"the vault's admin": vault._view("owner"), "the vault's guardian": vault._view("guardian"), "the treasury": vault._view("TREASURY"),
             "the fee recipient": vault._view("params")[4], "the agent's wallet": wallet, "the vault": vault.address}
    for v in vals:
        for role, addr in roles.items():
            if Web3.to_checksum_address(addr) == v:
                raise InputError("validators", f"{v} is {role}: a validator must be independent")
        if call_view(ident.functions.isAuthorizedOrOwner(v, agent), action="isAuthorizedOrOwner"):
            raise InputError("validators", f"{v} owns or is authorised on agent {agent}: a validator must be independent")
    return vals


def deploy_trust(
    vault: HashrateVaultClient,
    book: Any,
    *,
    agent_id: int,
    validators: list[str],
    quorum: int,
    min_score: int,
    difficulty: int,
    sats_per_block: int,
    bond_epochs: int,
    index: str | None = None,
    pool_fee_bps: int | None = None,
    identity: str | None = None,
    validation: str | None = None,
    reputation: str | None = None,
    bond_from: Any = None,
    post_bond: bool = True,
    log: Callable[[str], Any] = lambda s: None,
) -> dict:
    """Open a deployed vault's term (its admin): deploy `VaultTrust` with every term, post the
    bond `required_bond()` asks for (from ``bond_from``, default the admin), then `set_trust`,
    and record the trust in the address book (``VaultTrust``).

    Everything is checked before anything is sent (`check_trust_terms`: registries, agent wallet,
    validators' independence, quorum, min score, bond epochs; the vault: no trust, no shares,
    sale open, the sender its admin; the bond poster's balance). Idempotent and resumable: the
    book's trust is reused when it serves this vault with these terms (an interrupted deployment
    is adopted, `deploy_step`), the bond is only topped up to what is required, and `set_trust`
    is sent only while the vault has none. A vault that already has a trust with other terms is
    refused. With ``post_bond`` False no bond is posted (the operator posts it itself, `post_bond`;
    nothing can be bought before it covers the sale). Returns ``{"trust", "deployed", "bond_posted", "set_trust", "required_bond", "bond"}``."""
    from hashtrust.deploy import deploy_step

    w3 = vault.w3
    admin = vault._require_sender()
    terms = {
        "vault": vault.address,
        "identity": Web3.to_checksum_address(identity or book.verified_address(w3, "IdentityRegistry")),
        "validation": Web3.to_checksum_address(validation or book.verified_address(w3, "ValidationRegistry")),
        "reputation": Web3.to_checksum_address(reputation or book.verified_address(w3, "ReputationRegistry")),
        "agent_id": int(agent_id), "validators": list(validators), "quorum": int(quorum), "min_score": int(min_score),
        "difficulty": int(difficulty), "sats_per_block": int(sats_per_block), "bond_epochs": int(bond_epochs),
        "index": check_address(index, "index", allow_zero=True) if index is not None else trust_index(w3, book, admin, deploy=False),
        "pool_fee_bps": trust_pool_fee(w3, pool_fee_bps),
    }
    booked = book.get("HashrateVault")
    if booked is None or Web3.to_checksum_address(booked.address) != vault.address:
        raise InputError("vault", f"the address book {book.path} records {'no vault' if booked is None else 'vault ' + booked.address}, not {vault.address}")
    terms["validators"] = check_trust_terms(vault, terms, book)
    adopted = vault.trust()
    entry = book.get("VaultTrust")
    if adopted is not None:
        t = VaultTrustClient(w3, adopted)
        if t.terms() != terms:
            raise InputError("trust", f"vault {vault.address} already has trust {adopted} with other terms: {t.terms()}")
        if entry is None or Web3.to_checksum_address(entry.address) != adopted:
            raise InputError("trust", f"vault {vault.address} already has trust {adopted}, which the address book does not record")
    else:
        if Web3.to_checksum_address(vault._view("owner")) != Web3.to_checksum_address(admin.address):
            raise InputError("sender", f"only the vault's admin ({vault._view('owner')}) may open its term, not {admin.address}")
        if vault._view("totalSupply") != 0:
            raise InputError("trust", "the vault has sold shares already: its terms can no longer be fixed")
        if vault.now() >= vault._view("SALE_END"):
            raise InputError("trust", f"the sale ended {_when(vault._view('SALE_END'))}: the term can no longer be opened")
        if entry is not None:
            try:
                same = VaultTrustClient(w3, entry.address).terms() == terms
            except HashtrustError:
                same = False
            if not same:
                book.forget("VaultTrust")  # another vault's or other terms: a new trust is deployed
                log(f"forgot the book's VaultTrust {entry.address}: it does not serve this vault with these terms")
    poster = bond_from or admin
    existing = adopted or (book.get("VaultTrust").address if book.get("VaultTrust") is not None else None)
    have_bond = VaultTrustClient(w3, existing).bond() if existing else 0
    latest = index_latest(w3, terms["index"])[1] if terms["index"] is not None else 0
    need = required_bond_for(vault._view("CAPACITY"), terms["difficulty"], terms["sats_per_block"], terms["bond_epochs"], latest)
    short = max(0, need - have_bond) if post_bond else 0
    if short:
        held = int(call_view(vault.reward_token.functions.balanceOf(poster.address), action="balanceOf"))
        if held < short:
            raise InputError("bond", f"the bond needs {btc_words(short)} more; {poster.address} holds {btc_words(held)}")
    if terms["index"] is None:  # every term checked: now the devnet's simulator-fed index
        terms["index"] = trust_index(w3, book, admin)
    out = deploy_step(w3, admin, book, "VaultTrust", terms=terms, log=log)
    trust = VaultTrustClient(w3, out.address, poster)
    if Web3.to_checksum_address(trust._view("VAULT")) != vault.address:
        raise HashtrustError(f"the trust at {trust.address} serves vault {trust._view('VAULT')}, not {vault.address}")
    posted = 0
    short = trust.required_bond() - trust.bond()
    if post_bond and short > 0:
        posted = int(trust.post_bond(short)["amount"])
    set_ev = None
    if vault.trust() is None:
        set_ev = vault.set_trust(trust.address)
    return {"trust": trust.address, "deployed": out.status != "reused", "bond_posted": posted, "set_trust": set_ev is not None,
            "required_bond": trust.required_bond(), "bond": trust.bond()}
