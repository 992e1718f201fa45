"""Mining economics and a day-by-day simulator of the hashrate vault.

Two layers:

* **Bitcoin mining economics** (floats where Bitcoin itself is not integer): block subsidy,
  network hashrate from difficulty, expected sats per TH/s per day, hashprice in USD per PH/s per
  day, and the 2,016-block difficulty retarget (clamped to 1/4..4 as `src/pow.cpp`).
* **The vault's integer arithmetic, mirrored exactly**: the primary-sale price (`preview_buy`),
  the fee split (`fee_split`, same operation order and rounding as `HashrateVault._split`), and
  the reward accumulator (`RewardLedger`, same scale, same rounding, same streaming as
  `_update_global` / `_checkpoint` / `_notify_reward`). `simulate_epochs` runs a whole term day
  by day (difficulty and price paths, uptime, pool fee, electricity, maintenance, performance
  fee) and returns the sats every holder gets; the differential test checks that the contract
  pays the very same sats.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

# ------------------------------------------------------------------ Bitcoin
SATS_PER_BTC = 100_000_000
HALVING_INTERVAL = 210_000
BLOCK_TIME_S = 600
RETARGET_BLOCKS = 2_016
RETARGET_TIMESPAN_S = RETARGET_BLOCKS * BLOCK_TIME_S  # 1,209,600 s = two weeks
DAY_S = 86_400


def block_subsidy_sats(height: int) -> int:
    """The block subsidy at ``height`` in sats: ``50 BTC >> (height // 210_000)`` (GetBlockSubsidy)."""
    if height < 0:
        raise ValueError("height must be >= 0")
    halvings = height // HALVING_INTERVAL
    if halvings >= 64:
        return 0
    return (50 * SATS_PER_BTC) >> halvings


def network_hashrate_ths(difficulty: float) -> float:
    """Network hashrate in TH/s implied by ``difficulty`` at 600 s blocks: ``D * 2**32 / 600 / 1e12``."""
    if difficulty <= 0:
        raise ValueError("difficulty must be > 0")
    return difficulty * 2**32 / BLOCK_TIME_S / 1e12


def sats_per_th_day(difficulty: float, subsidy_sats: float, avg_fees_sats: float) -> float:
    """Expected sats earned by 1 TH/s in a day: ``1e12 * 86_400 * (subsidy + fees) / (D * 2**32)``."""
    if difficulty <= 0:
        raise ValueError("difficulty must be > 0")
    return 1e12 * DAY_S * (subsidy_sats + avg_fees_sats) / (difficulty * 2**32)


def hashprice_usd_per_ph_day(difficulty: float, btc_usd: float, avg_fees_btc: float, height: int) -> float:
    """Hashprice: USD earned by 1 PH/s in a day at ``btc_usd``, with the subsidy of ``height``."""
    sats = sats_per_th_day(difficulty, block_subsidy_sats(height), avg_fees_btc * SATS_PER_BTC)
    return sats * 1_000 / SATS_PER_BTC * btc_usd


def retarget(difficulty, actual_timespan_s):
    """The next difficulty after a 2,016-block period that took ``actual_timespan_s`` seconds.

    The timespan is clamped to [two weeks / 4, two weeks * 4] first (Bitcoin's `pow.cpp`), so the
    difficulty moves by a factor in [1/4, 4]. Integer difficulty in, integer (floor) out.
    """
    if actual_timespan_s <= 0:
        raise ValueError("timespan must be > 0")
    span = min(max(actual_timespan_s, RETARGET_TIMESPAN_S // 4), RETARGET_TIMESPAN_S * 4)
    if isinstance(difficulty, int) and isinstance(span, int):
        return difficulty * RETARGET_TIMESPAN_S // span
    return difficulty * RETARGET_TIMESPAN_S / span


# ------------------------------------------------------------------ vault integer math
TH = 10**18  # share units per TH/s
ACC = 10**36  # accumulator scale
STREAM = 10**18  # streamed amounts are sats * 1e18
MAX_BPS = 10_000
EPOCH_S = DAY_S


@dataclass(frozen=True)
class FeeParams:
    """The vault's fee parameters, as fixed-point integers (the contract's `Params`)."""

    mj_per_th: int = 17_500  # milli-joule per TH: 17.5 J/TH
    micro_usd_per_kwh: int = 50_000  # $0.05 / kWh
    micro_usd_per_th_day: int = 10_000  # $0.01 / TH/s / day
    perf_bps: int = 1_000  # 10 %

    @staticmethod
    def from_usd(j_per_th: float, usd_per_kwh: float, usd_per_th_day: float, perf_pct: float) -> FeeParams:
        """Convert human units (J/TH, $/kWh, $/TH/day, %) to the contract's integers."""
        return FeeParams(round(j_per_th * 1_000), round(usd_per_kwh * 1e6), round(usd_per_th_day * 1e6), round(perf_pct * 100))


def preview_buy(shares: int, price_per_th: int) -> int:
    """What buying ``shares`` costs (rounded up), as `HashrateVault.preview_buy`."""
    return (shares * price_per_th + TH - 1) // TH


def fee_split(delivered: int, gross: int, p: FeeParams, btc_usd: int, feed_unit: int = 10**8) -> tuple[int, int, int]:
    """(fee, perf, net) in sats for ``delivered`` share units, exactly as `HashrateVault._split`.

    ``btc_usd`` is the feed answer in ``feed_unit`` fixed point (Chainlink BTC/USD: 8 decimals);
    0 is the vault's "no usable price" (the round in force at the epoch end was stale): no
    electricity or maintenance is charged, the performance fee still is (`split_of(e, d, g, 0)`).
    """
    if btc_usd < 0:
        raise ValueError("btc_usd must be >= 0 (0: no price, no electricity/maintenance fee)")
    per_th = p.mj_per_th * 24 * p.micro_usd_per_kwh + p.micro_usd_per_th_day * 10**6
    cost = 0 if btc_usd == 0 else delivered * per_th * 100 * feed_unit // (10**24 * btc_usd)
    fee = min(gross, cost)
    perf = (gross - fee) * p.perf_bps // MAX_BPS
    return fee, perf, gross - fee - perf


class RewardLedger:
    """The vault's reward accumulator, in Python, with the contract's integer rounding.

    Every method takes the block time ``now``; the sequence of calls must match the sequence of
    transactions sent to the contract for the results to agree to the sat.
    """

    def __init__(self) -> None:
        self.balances: dict[str, int] = defaultdict(int)
        self.supply = 0
        self.rps = 0
        self.paid: dict[str, int] = defaultdict(int)
        self.accrued: dict[str, int] = defaultdict(int)  # sats * ACC (scaled, as the vault's accrued_scaled)
        self.rate = 0
        self.period_finish = 0
        self.last_update = 0
        self.unstreamed = 0
        self.unallocated = 0
        self.total_notified = 0
        self.total_claimed = 0
        self.claimed: dict[str, int] = defaultdict(int)

    # mirrors _update_global
    def update_global(self, now: int) -> None:
        t = min(now, self.period_finish)
        if t > self.last_update:
            streamed = (t - self.last_update) * self.rate
            if self.supply > 0:
                self.rps += streamed * STREAM // self.supply
            else:
                self.unallocated += streamed
            self.unstreamed -= streamed
            self.last_update = t

    def _checkpoint(self, a: str) -> None:
        if self.rps != self.paid[a]:
            if self.balances[a]:
                self.accrued[a] += self.balances[a] * (self.rps - self.paid[a])
            self.paid[a] = self.rps

    def notify(self, amount: int, now: int) -> None:
        self.update_global(now)
        total = amount * STREAM + self.unstreamed + self.unallocated
        self.unallocated = 0
        self.unstreamed = total
        self.rate = total // EPOCH_S
        self.last_update = now
        self.period_finish = now + EPOCH_S
        self.total_notified += amount

    def buy(self, receiver: str, shares: int, now: int) -> None:
        """A primary-sale mint (the vault sells only before the term, when no reward exists yet)."""
        self.update_global(now)
        self._checkpoint(receiver)
        self.balances[receiver] += shares
        self.supply += shares

    def transfer(self, sender: str, to: str, amount: int, now: int) -> None:
        self.update_global(now)
        self._checkpoint(sender)
        self._checkpoint(to)
        if self.balances[sender] < amount:
            raise ValueError("transfer amount exceeds balance")
        self.balances[sender] -= amount
        self.balances[to] += amount

    def checkpoint(self, a: str, now: int) -> None:
        self.update_global(now)
        self._checkpoint(a)

    def claim(self, a: str, now: int) -> int:
        self.update_global(now)
        self._checkpoint(a)
        amount = self.accrued[a] // ACC  # whole sats, once, at claim; the remainder stays accrued
        self.accrued[a] -= amount * ACC
        self.total_claimed += amount
        self.claimed[a] += amount
        return amount

    def claimable(self, a: str, now: int) -> int:
        rps = self.rps
        t = min(now, self.period_finish)
        if t > self.last_update and self.supply > 0:
            rps += (t - self.last_update) * self.rate * STREAM // self.supply
        return (self.accrued[a] + self.balances[a] * (rps - self.paid[a])) // ACC


# ------------------------------------------------------------------ day-by-day simulator
@dataclass(frozen=True)
class Day:
    """The market and the farm on one epoch (day)."""

    difficulty: float
    btc_usd: float
    uptime: float = 1.0  # fraction of the sold hashrate delivered
    pool_fee: float = 0.02  # FPPS pool fee
    avg_fees_btc: float = 0.02  # average transaction fees per block
    height: int = 880_000


@dataclass
class EpochResult:
    epoch: int
    delivered: int  # share units
    gross: int  # sats
    fee: int
    perf: int
    net: int
    btc_usd: int  # feed answer (8 decimals)


@dataclass
class SimResult:
    epochs: list[EpochResult]
    sats_by_holder: dict[str, int]  # claimed + claimable at the end
    fees_sats: int
    ledger: RewardLedger = field(repr=False)

    @property
    def gross_sats(self) -> int:
        return sum(e.gross for e in self.epochs)

    @property
    def net_sats(self) -> int:
        return sum(e.net for e in self.epochs)


def delivered_units(sold: int, uptime: float) -> int:
    """Delivered share units for an uptime fraction (rounded down to whole basis points)."""
    return sold * round(uptime * MAX_BPS) // MAX_BPS


def gross_sats(delivered: int, day: Day) -> int:
    """Gross FPPS reward of ``delivered`` share units on ``day``, in whole sats (rounded down)."""
    spd = sats_per_th_day(day.difficulty, block_subsidy_sats(day.height), day.avg_fees_btc * SATS_PER_BTC)
    return int(delivered * spd * (1 - day.pool_fee) // TH)


# ------------------------------------------------------------------ the hashprice index
# The on-chain index's integer formula (`contracts/modules/hashprice_math.vy`, defined once in
# `hashtrust.bitcoin.hashprice`): msat per TH/s per day from a target, a reward sum and a block
# count. `index_inputs` turns a simulated day into those inputs (what `DevHashpriceIndex.publish`
# takes), so the simulator and the devnet index agree to the msat.
from hashtrust.bitcoin.hashprice import hashprice_msat, target_for_difficulty  # noqa: E402


def index_inputs(day: Day, blocks: int = 144) -> tuple[int, int, int]:
    """(target, reward_sum, blocks) of a simulated day: ``blocks`` blocks each paying the subsidy
    at ``day.height`` plus ``day.avg_fees_btc`` (rounded to the sat), at ``day.difficulty``."""
    per_block = block_subsidy_sats(day.height) + round(day.avg_fees_btc * SATS_PER_BTC)
    return target_for_difficulty(int(day.difficulty)), blocks * per_block, blocks


def index_msat_per_th_day(day: Day, blocks: int = 144) -> int:
    """The index value of a simulated day, msat per TH/s per day (the contract's integer)."""
    return hashprice_msat(*index_inputs(day, blocks))


# ------------------------------------------------------------------ the trust's pricing at the index
# `VaultTrust` (docs/design/vault-reads-the-index.md) prices every epoch from the index of its UTC
# day(s), time-weighted; a day not final takes the latest final value before it, floored at the
# binding value. These mirror `_value`, `_priced`, `_gross_w` and the gross check to the sat.
MSAT = 1_000


def binding_value(difficulty: int, sats_per_block: int) -> int:
    """`VaultTrust.HP_BINDING`: the index formula at the binding inputs, msat per TH/s per day."""
    return 10**15 * DAY_S * int(sats_per_block) // (int(difficulty) * 2**32)


def index_day_value(day: int, index: dict[int, int], binding: int) -> tuple[int, bool]:
    """`VaultTrust._value`: ``index`` maps the final days to their values (contiguous, as the
    index publishes them); a day not in it takes max(latest final before it, ``binding``)."""
    if day in index:
        return index[day], True
    latest = index[max(index)] if index and max(index) < day else 0  # none before `day`: 0
    return max(latest, binding), False


def epoch_index_weight(term_start: int, epoch: int, index: dict[int, int], binding: int, epoch_s: int = EPOCH_S) -> tuple[int, int, int, bool, int]:
    """`VaultTrust._priced`: (first UTC day, its value, the next day's or 0, both final,
    sum of seconds * value over the epoch's days)."""
    assert epoch_s <= DAY_S, "an epoch meets at most two UTC days"
    start = term_start + epoch * epoch_s
    d0 = start // DAY_S
    a = min(DAY_S * (d0 + 1) - start, epoch_s)
    v0, f0 = index_day_value(d0, index, binding)
    v1, f1 = (0, True)
    if a < epoch_s:
        v1, f1 = index_day_value(d0 + 1, index, binding)
    return d0, v0, v1, f0 and f1, a * v0 + (epoch_s - a) * v1


def index_gross(shares: int, weight: int) -> int:
    """`VaultTrust._gross_w`: the hashprice gross of ``shares`` over the epoch's weighted index."""
    return shares * weight // (TH * DAY_S * MSAT)


def expected_unreported_at_index(shares: int, weight: int, perf_bps: int) -> int:
    """`VaultTrust.expected_unreported`: Nu = G - perf (no electricity)."""
    g = index_gross(shares, weight)
    return g - g * perf_bps // MAX_BPS


def fpps_expected_gross(delivered: int, weight: int, pool_fee_bps: int) -> int:
    """The gross check's F: what an FPPS pool pays for ``delivered`` at the index, less its fee
    (the trust runs the check only when the epoch's index days are final at its settlement)."""
    g = index_gross(delivered, weight)
    return g - g * pool_fee_bps // MAX_BPS


def required_bond_at_index(capacity: int, bond_epochs: int, binding: int, latest_value: int = 0, epoch_s: int = EPOCH_S) -> int:
    """`VaultTrust.required_bond`: BOND_EPOCHS * G(1e6 TH/s) * CAPACITY / 1e6 TH/s, rounded up, at
    max(binding value, the index's latest value)."""
    ref = 10**6 * TH
    per_ref = bond_epochs * index_gross(ref, epoch_s * max(binding, latest_value))
    return (per_ref * capacity + ref - 1) // ref


def feed_answer(btc_usd: float) -> int:
    """The 8-decimal feed answer for a USD price."""
    return round(btc_usd * 10**8)


def random_days(n: int, seed: int = 0, *, difficulty: float = 150e12, btc_usd: float = 95_000.0) -> list[Day]:
    """A random but plausible path: difficulty drifting up with retarget noise, a GBM-ish price,
    uptime mostly 93-100 % with rare outages, pool fee 2 %."""
    rng = random.Random(seed)
    days = []
    height = 880_000
    for i in range(n):
        if i and i % 14 == 0:  # about one retarget every two weeks
            difficulty = retarget(difficulty, RETARGET_TIMESPAN_S * rng.uniform(0.9, 1.05))
        btc_usd = max(1_000.0, btc_usd * (1 + rng.gauss(0, 0.03)))
        uptime = 0.0 if rng.random() < 0.02 else rng.uniform(0.93, 1.0)
        days.append(Day(difficulty, btc_usd, uptime, 0.02, rng.uniform(0.005, 0.05), height))
        height += 144
    return days


def simulate_epochs(
    days: Sequence[Day],
    holdings: dict[str, int],
    params: FeeParams = FeeParams(),
    *,
    term_start: int = 0,
    fund_delay_s: int = 3_600,
    feed_unit: int = 10**8,
) -> SimResult:
    """Run a term day by day: holders buy ``holdings`` (share units) before ``term_start``; each
    epoch is reported and funded ``fund_delay_s`` after it ends; the result gives each holder's
    sats once the last stream has finished. Mirrors the contract to the sat."""
    ledger = RewardLedger()
    for who, shares in holdings.items():
        ledger.buy(who, shares, term_start - 1)
    sold = ledger.supply
    out: list[EpochResult] = []
    fees = 0
    now = term_start
    for e, day in enumerate(days):
        now = term_start + (e + 1) * EPOCH_S + fund_delay_s
        delivered = delivered_units(sold, day.uptime)
        gross = gross_sats(delivered, day)
        price = feed_answer(day.btc_usd)
        fee, perf, net = fee_split(delivered, gross, params, price, feed_unit)
        ledger.notify(net, now)
        fees += fee + perf
        out.append(EpochResult(e, delivered, gross, fee, perf, net, price))
    end = now + EPOCH_S
    sats = {who: ledger.claimed[who] + ledger.claimable(who, end) for who in holdings}
    return SimResult(out, sats, fees, ledger)
