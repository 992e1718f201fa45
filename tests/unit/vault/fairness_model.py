"""A pure-Python reference model of what each vault holder is owed (issue 14).

The model knows nothing of the contract's accumulator (`reward_per_share`, checkpoints, scaled
units): it is fed the sequence of every balance change (mint, transfer, with its timestamp) and
every epoch's figures (reported delivered, gross, BTC/USD, funded or not, defaulted), and it
integrates balances over time in exact fractions (`fractions.Fraction`). The rule it implements is
the documented one (docs/vault.md, "Reward accounting" and "Bond and default"):

- An amount handed to the stream at time t (an epoch's net when the epoch is funded, a default's
  slash) streams linearly until t + EPOCH, together with whatever had not streamed yet (each
  notification restarts the stream over a fresh EPOCH at rate remaining / EPOCH). At every instant
  the streamed sats go to holders pro rata to their balances at that instant.
- What streams while nobody holds a share is kept aside and streamed again, over a fresh EPOCH,
  from the first mint that makes the supply non-zero.
- An epoch's own supply is the supply at the end of the epoch. Shares minted after an epoch ended
  take no part in the stream of that epoch's net (nor of its default slash): "minting new supply
  into it is not" a market choice (issue 14, defect 4). Shares are tracked by mint time
  ("vintage"); a transfer moves every vintage of the sender in proportion, so transfers neither
  create nor destroy eligibility. If no share of a stream component is eligible (its epoch ended
  with no supply), the component goes to all holders.
- The operator's fees: the epoch's split is `fee_split(delivered, gross, params, btc_usd)` at
  report time (the simulator's formula, not the contract's storage).
- A default of epoch e slashes min(bond, expected(e)), expected(e) being the hashprice net of the
  epoch's own supply S_e: gross = S_e * 1e12 * 86_400 * sats_per_block // (1e18 * difficulty *
  2**32), the holders' net of that gross for `delivered = S_e` at the latest reported BTC/USD
  (only the performance fee before any report), minus the net the epoch already paid if funded.
- Uptime posted for an epoch = delivered * 10_000 // S_e (0 when S_e = 0).

`entitled(h)` is what holder h has earned so far (an exact fraction of a sat); the contract must
pay it as claimable + already claimed, within 1 sat per claim made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from hashtrust.hashrate.economics import FeeParams, fee_split

EPOCH = 86_400
TH = 10**18
MAX_BPS = 10_000


@dataclass
class _Component:
    remaining: Fraction
    cutoff: int | None  # shares minted at or after `cutoff` are not eligible; None: every share
    rate: Fraction = Fraction(0)


@dataclass
class EpochFigures:
    delivered: int = 0
    gross: int = 0
    btc_usd: int = 0
    net: int = 0
    fee: int = 0
    perf: int = 0
    reported: bool = False
    funded: bool = False
    defaulted: bool = False


@dataclass
class FairnessModel:
    term_start: int
    params: FeeParams
    difficulty: int = 0
    sats_per_block: int = 0
    eligibility: bool = True  # False: every share earns from every stream (the plain pro-rata rule)
    # vintages[holder][mint_time] = share units of that vintage (fractions after transfers)
    vintages: dict[str, dict[int, Fraction]] = field(default_factory=dict)
    mints: list[tuple[int, int]] = field(default_factory=list)  # (time, shares)
    supply: int = 0
    components: list[_Component] = field(default_factory=list)
    unallocated: Fraction = Fraction(0)
    finish: int = 0
    last: int = 0
    earned: dict[str, Fraction] = field(default_factory=dict)
    epochs: dict[int, EpochFigures] = field(default_factory=dict)
    last_btc_usd: int = 0
    bond: int = 0
    notified: Fraction = Fraction(0)

    # ---------------------------------------------------------------- time
    def epoch_end(self, e: int) -> int:
        return self.term_start + (e + 1) * EPOCH

    def supply_at(self, t: int) -> int:
        """Shares minted strictly before t (no share is ever burned)."""
        return sum(s for m, s in self.mints if m < t)

    def epoch_supply(self, e: int) -> int:
        return self.supply_at(self.epoch_end(e))

    def _eligible(self, holder: str, cutoff: int | None) -> Fraction:
        v = self.vintages.get(holder, {})
        if cutoff is None or not self.eligibility:
            return sum(v.values(), Fraction(0))
        return sum((a for m, a in v.items() if m < cutoff), Fraction(0))

    def advance(self, now: int) -> None:
        """Streams everything due between the last event and `now` (rates are constant in between)."""
        t = min(now, self.finish)
        if t > self.last:
            dt = t - self.last
            for c in self.components:
                amount = c.rate * dt
                c.remaining -= amount
                if self.supply == 0:
                    self.unallocated += amount
                    continue
                cutoff = c.cutoff if self.eligibility else None
                elig_supply = sum((self._eligible(h, cutoff) for h in self.vintages), Fraction(0))
                if elig_supply == 0:
                    cutoff, elig_supply = None, Fraction(self.supply)
                for h in self.vintages:
                    share = self._eligible(h, cutoff)
                    if share:
                        self.earned[h] = self.earned.get(h, Fraction(0)) + amount * share / elig_supply
            self.components = [c for c in self.components if c.remaining > 0]
            self.last = t

    def _notify(self, amount: int, cutoff: int | None, now: int) -> None:
        self.advance(now)
        if self.unallocated:
            self.components.append(_Component(self.unallocated, None))
            self.unallocated = Fraction(0)
        if amount:
            self.components.append(_Component(Fraction(amount), cutoff))
        for c in self.components:
            c.rate = c.remaining / EPOCH
        self.last = now
        self.finish = now + EPOCH
        self.notified += amount

    # ---------------------------------------------------------------- balances
    def mint(self, holder: str, shares: int, now: int) -> None:
        self.advance(now)
        was_zero = self.supply == 0
        v = self.vintages.setdefault(holder, {})
        v[now] = v.get(now, Fraction(0)) + shares
        self.mints.append((now, shares))
        self.supply += shares
        if was_zero and shares and self.unallocated:
            self._notify(0, None, now)

    def transfer(self, src: str, dst: str, amount: int, now: int) -> None:
        self.advance(now)
        if src == dst or amount == 0:
            return
        sv = self.vintages.setdefault(src, {})
        total = sum(sv.values(), Fraction(0))
        assert amount <= total, "model: transfer above balance"
        dv = self.vintages.setdefault(dst, {})
        for m in list(sv):
            part = sv[m] * amount / total
            sv[m] -= part
            dv[m] = dv.get(m, Fraction(0)) + part
            if sv[m] == 0:
                del sv[m]

    def balance(self, holder: str) -> Fraction:
        return sum(self.vintages.get(holder, {}).values(), Fraction(0))

    def entitled(self, holder: str, now: int) -> Fraction:
        """Sats `holder` has earned up to `now` (claimed or not), exactly."""
        self.advance(now)
        return self.earned.get(holder, Fraction(0))

    # ---------------------------------------------------------------- epochs
    def report(self, e: int, delivered: int, gross: int, btc_usd: int) -> EpochFigures:
        fee, perf, net = fee_split(delivered, gross, self.params, btc_usd)
        self.epochs[e] = EpochFigures(delivered, gross, btc_usd, net, fee, perf, reported=True)
        self.last_btc_usd = btc_usd
        return self.epochs[e]

    def fund(self, e: int, now: int) -> int:
        ep = self.epochs[e]
        ep.funded = True
        self._notify(ep.net, self.epoch_end(e), now)
        return ep.net

    def expected(self, e: int) -> int:
        """The net holders are owed for epoch e if it defaults, at the epoch's own supply."""
        if self.difficulty == 0:
            return 0
        supply = self.epoch_supply(e)
        gross = supply * 10**12 * EPOCH * self.sats_per_block // (TH * self.difficulty * 2**32)
        if self.last_btc_usd:
            _, _, net = fee_split(supply, gross, self.params, self.last_btc_usd)
        else:
            net = gross - gross * self.params.perf_bps // MAX_BPS
        ep = self.epochs.get(e)
        if ep is not None and ep.funded:
            return net - min(net, ep.net)
        return net

    def post_bond(self, amount: int) -> None:
        self.bond += amount

    def default(self, e: int, now: int, slashed: int | None = None) -> int:
        """Defaults epoch e; the model slashes min(bond, expected). `slashed` overrides the amount
        that enters the stream (used by the attribution twin that follows the contract's figures)."""
        amount = min(self.bond, self.expected(e)) if slashed is None else slashed
        self.bond -= min(self.bond, amount)
        ep = self.epochs.setdefault(e, EpochFigures())
        ep.defaulted = True
        self._notify(amount, self.epoch_end(e), now)
        return amount

    def uptime_bps(self, e: int) -> int:
        supply = self.epoch_supply(e)
        return self.epochs[e].delivered * MAX_BPS // supply if supply else 0
