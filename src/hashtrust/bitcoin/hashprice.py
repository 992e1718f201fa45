"""The hashprice index's definition in Python: the integer formula, the fixed sample, the
period-to-day rule. `IndexModel` replays publications exactly as `HashpriceIndex` does, so anyone
can recompute the index from a Bitcoin node (docs/bitcoin.md) and the tests can compare.

* Period w = heights 144w .. 144w + 143 (one difficulty: 2,016 = 14 * 144).
* Sample: the last block of each of S equal strides, 144w + (j + 1) * (144 / S) - 1.
* value(w) = floor(10**15 * 86,400 * sum(paid) * target / (S * 0xffff * 2**240)) msat/TH/s/day.
* close(w) = max(time of w's highest counted sample (144w + 143 when complete), close of the
  valued period before); day d takes the value of the last valued period with close <
  (d + 1) * 86,400 (the daily close), final once a valued period closing later is published.
* Liveness: a period missing a sample publishes once its proof window has passed (it opens once
  the period is the next to publish and a block of a later period is counted), over the
  samples counted (a value with at least `min_samples`, void below: it closes no day).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hashtrust.bitcoin.consensus import DIFF1_TARGET, MAX_MONEY

PERIOD_BLOCKS = 144
DAY_S = 86_400
MAX_BLOCKS = 1_024  # contracts/modules/hashprice_math.vy
SAMPLE_SIZES = tuple(s for s in range(1, PERIOD_BLOCKS + 1) if PERIOD_BLOCKS % s == 0)


def hashprice_msat(target: int, reward_sum: int, blocks: int) -> int:
    """Millisatoshi per TH/s per day of ``blocks`` blocks paying ``reward_sum`` sats at ``target``:
    floor(10**15 * 86,400 * reward_sum * target / (blocks * 0xffff * 2**240)) — the contract's
    `hashprice_math._msat_per_th_day`, to the msat."""
    if target <= 0:
        raise ValueError("target must be > 0")
    if not 1 <= blocks <= MAX_BLOCKS:
        raise ValueError(f"blocks must be 1 to {MAX_BLOCKS:,}")
    if not 0 <= reward_sum <= blocks * MAX_MONEY:
        raise ValueError("average reward must be 0 to 21 million BTC")
    return 10**15 * DAY_S * reward_sum * target // (blocks * 0xFFFF * 2**240)


def target_for_difficulty(difficulty: int | float) -> int:
    """The target of a difficulty (floor(0xffff * 2**208 / D)), to feed the formula from a simulator."""
    if difficulty <= 0:
        raise ValueError("difficulty must be > 0")
    if isinstance(difficulty, int):
        return DIFF1_TARGET // difficulty
    from fractions import Fraction

    return int(Fraction(DIFF1_TARGET) / Fraction(difficulty))


def stride(samples: int) -> int:
    if samples not in SAMPLE_SIZES:
        raise ValueError(f"samples must divide 144 ({', '.join(map(str, SAMPLE_SIZES))})")
    return PERIOD_BLOCKS // samples


def sample_heights(period: int, samples: int) -> list[int]:
    """The heights whose rewards make up ``period``'s value."""
    s = stride(samples)
    return [period * PERIOD_BLOCKS + (j + 1) * s - 1 for j in range(samples)]


def period_of(height: int) -> int:
    return height // PERIOD_BLOCKS


def min_samples(samples: int) -> int:
    """Fewest counted samples a period needs for a value once its proof window passed (a majority)."""
    stride(samples)
    return (samples + 1) // 2


@dataclass
class IndexModel:
    """Publications replayed in order, as the contract does; `hashprice(day)` as the contract.

    ``publish(period, value, close)`` publishes a valued period (``value`` over the samples it
    counted, ``close`` the time of its highest counted sample); ``publish_void(period)`` one whose
    proof window passed with fewer than a majority of its samples (it closes no day)."""

    first_period: int
    published: list[tuple[int, int, int]] = field(default_factory=list)  # valued: (period, value, close)
    void: list[int] = field(default_factory=list)
    days: dict[int, int] = field(default_factory=dict)
    first_day: int | None = None
    final_until: int = 0
    next_period: int | None = None

    def __post_init__(self) -> None:
        if self.next_period is None:
            self.next_period = self.first_period

    def _check_next(self, period: int) -> None:
        if period != self.next_period:
            raise ValueError(f"period {period} is not the next one ({self.next_period})")

    def publish_void(self, period: int) -> None:
        self._check_next(period)
        self.void.append(period)
        self.next_period += 1

    def publish(self, period: int, value: int, last_block_time: int) -> list[tuple[int, int, int]]:
        """Publish ``period``; returns the runs of days made final [(first, end, value)]."""
        self._check_next(period)
        runs = []
        if not self.published:
            close = last_block_time
            self.first_day = close // DAY_S
            self.final_until = self.first_day
        else:
            prev_value, prev_close = self.published[-1][1], self.published[-1][2]
            close = max(last_block_time, prev_close)
            end = close // DAY_S
            if end > self.final_until:
                for d in range(self.final_until, end):
                    self.days[d] = prev_value
                runs.append((self.final_until, end, prev_value))
                self.final_until = end
        self.published.append((period, value, close))
        self.next_period += 1
        return runs

    def hashprice(self, day: int) -> tuple[int, bool]:
        if day in self.days:
            return self.days[day], True
        return 0, False

    def latest(self) -> tuple[int, int]:
        if self.first_day is None or self.final_until <= self.first_day:
            return 0, 0
        return self.final_until - 1, self.days[self.final_until - 1]
