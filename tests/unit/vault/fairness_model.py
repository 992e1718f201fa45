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
- The operator's fees: the epoch's split is `fee_split(delivered, gross, params_of(e), btc_usd)`
  with the fee parameter version in force at the epoch's end (`params_of`) and the BTC/USD of
  the feed round in force at the end (a round older than `max_price_age` there: no
  electricity/maintenance fee, perf only). A funded epoch's net streams as above.
- Settlement (docs/design/vault-trust-split.md §4-§6): every epoch e is credited at its record
  time R(e) (D(e) = end + grace unfunded, A(e) = end + 2 grace funded, both in unpaused seconds)
  to the holders **at R(e)**, pro rata, at once (no stream): paid = min(bond, owed(e)) with
  owed = Nu(e) unreported, max(net, Nu(e)) reported-unfunded (audit5 G1), Nu(e) - min(Nu(e), net)
  funded-unattested, Nr(e) * (S - delivered) / S + the gross check's shortfall finalised;
  Nu = G - G * perf(e) / 1e4, G = S * 86,400 * HP_BINDING // (1e18 * 86,400 * 1,000) (the
  machines' index has no final day: every epoch at the binding value `HP_BINDING` =
  floor(1e15 * 86,400 * sats_per_block / (difficulty * 2**32)) msat/TH/s/day, issue 16), Nr = the
  split of full delivery at G with the epoch's own price and params; shortfall = max(0, net(F) -
  net) with F = G(min(delivered, S)) less the pool fee (docs/design/vault-reads-the-index.md §5),
  owed only at final index days (audit11 M1: never in the machines, whose index has none). The model settles in the order of
  the design's two cursors (unfunded past D, then funded past A) with the contract's `max_n`
  per call, and `credit` asserts that no balance changed between R(e) and the crediting.
- Uptime posted for an epoch = delivered * 10_000 // S_e (0 when S_e = 0).

`entitled(h)` is what holder h has earned so far (an exact fraction of a sat); the contract must
pay it as claimable + already claimed, within 1 sat per claim made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from hashtrust.hashrate.economics import FeeParams, binding_value, fee_split, index_gross

EPOCH = 86_400
TH = 10**18
MAX_BPS = 10_000
MAX_PAUSE = 7 * EPOCH


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
    finalized: bool = False
    settled: bool = False
    owed: int = 0
    paid: int = 0


@dataclass
class FairnessModel:
    term_start: int
    params: FeeParams
    difficulty: int = 0
    sats_per_block: int = 0
    pool_fee_bps: int = 0  # the gross check's FPPS pool fee
    index_final: bool = False  # the machines' index has no final day: no gross check runs (audit11 M1)
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
    bond: int = 0
    notified: Fraction = Fraction(0)
    grace: int = 3 * EPOCH
    n_epochs: int = 0
    max_price_age: int = 2 * EPOCH
    versions: list[tuple[int, FeeParams]] = field(default_factory=list)  # (from_time, params) applied
    pauses: list[list] = field(default_factory=list)  # [start, end or None]
    prices: list[tuple[int, int]] = field(default_factory=list)  # (updatedAt, answer) of every round
    u: int = 0  # the unfunded cursor
    a: int = 0  # the attest cursor
    last_move: int = 0  # time of the last balance change

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
        self.last_move = now
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
        self.last_move = now
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

    # ---------------------------------------------------------------- epochs (the trust split)
    def _params_of(self, e: int) -> FeeParams:
        end = self.epoch_end(e)
        p = self.params
        for t, q in self.versions:
            if t <= end:
                p = q
        return p

    def apply_params(self, p: FeeParams, now: int) -> None:
        self.versions.append((now, p))

    def pause(self, now: int) -> None:
        if self.pauses and self.pauses[-1][1] is None:  # an expired pause without unpause ends at its limit
            self.pauses[-1][1] = self.pauses[-1][0] + MAX_PAUSE
        self.pauses.append([now, None])

    def unpause(self, now: int) -> None:
        self.pauses[-1][1] = min(now, self.pauses[-1][0] + MAX_PAUSE)

    def paused(self, now: int) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None and now < self.pauses[-1][0] + MAX_PAUSE

    def deadline(self, e: int, span: int) -> int:
        end = self.epoch_end(e)
        d = end + span
        for s_, u in self.pauses:
            if s_ >= d:
                break
            u = s_ + MAX_PAUSE if u is None else u
            if u > end:
                d += u - max(s_, end)
        return d

    def record_time(self, e: int) -> int:
        ep = self.epochs.get(e)
        return self.deadline(e, 2 * self.grace if ep is not None and ep.funded else self.grace)

    def publish(self, answer: int, now: int) -> None:
        self.prices.append((now, answer))

    def price_at(self, e: int) -> int:
        """BTC/USD of the round in force at the epoch's end; 0 when it was older than max_price_age."""
        end = self.epoch_end(e)
        ts, answer = [x for x in self.prices if x[0] <= end][-1]
        return 0 if end - ts > self.max_price_age else answer

    def split(self, e: int, delivered: int, gross: int, btc_usd: int) -> tuple[int, int, int]:
        p = self._params_of(e)
        if btc_usd == 0:
            perf = gross * p.perf_bps // MAX_BPS
            return 0, perf, gross - perf
        return fee_split(delivered, gross, p, btc_usd)

    def report(self, e: int, delivered: int, gross: int) -> EpochFigures:
        btc = self.price_at(e)
        fee, perf, net = self.split(e, delivered, gross, btc)
        self.epochs[e] = EpochFigures(delivered, gross, btc, net, fee, perf, reported=True)
        return self.epochs[e]

    def fund(self, e: int, now: int) -> int:
        ep = self.epochs[e]
        ep.funded = True
        self._notify(ep.net, None, now)
        return ep.net

    def finalize(self, e: int) -> None:
        self.epochs[e].finalized = True

    def _gross(self, shares: int) -> int:
        return index_gross(shares, EPOCH * binding_value(self.difficulty, self.sats_per_block))

    def nu(self, e: int) -> int:
        g = self._gross(self.supply)
        return g - g * self._params_of(e).perf_bps // MAX_BPS

    def nr(self, e: int) -> int:
        ep = self.epochs.get(e)
        return self.split(e, self.supply, self._gross(self.supply), ep.btc_usd if ep else 0)[2]

    def owed(self, e: int) -> int:
        ep = self.epochs.get(e)
        if ep is None or not ep.reported:
            return self.nu(e)
        if ep.finalized:
            dv = min(ep.delivered, self.supply)
            under = self.nr(e) * (self.supply - dv) // self.supply if self.supply else 0
            if not self.index_final:
                return under
            f = self._gross(dv)
            f_net = self.split(e, dv, f - f * self.pool_fee_bps // MAX_BPS, ep.btc_usd)[2]
            return under + f_net - min(f_net, ep.net)
        if not ep.funded:  # G1 (audit5): an unfunded report proves no electricity: never less than Nu
            return max(ep.net, self.nu(e))
        nu = self.nu(e)
        return nu - min(nu, ep.net)

    def expected(self, e: int) -> int:
        return self.owed(e)

    def post_bond(self, amount: int) -> None:
        self.bond += amount

    def credit(self, e: int, now: int) -> int:
        """Settles epoch e now: pays min(bond, owed) to the holders of now, who must be those of R(e)."""
        rt = self.record_time(e)
        assert self.last_move <= rt, f"model: a balance changed at {self.last_move}, after epoch {e}'s record time {rt}, before its credit"
        self.advance(now)
        owed = self.owed(e)
        paid = min(self.bond, owed)
        self.bond -= paid
        ep = self.epochs.setdefault(e, EpochFigures())
        ep.settled, ep.owed, ep.paid = True, owed, paid
        if paid and self.supply:
            for h in self.vintages:
                b = self.balance(h)
                if b:
                    self.earned[h] = self.earned.get(h, Fraction(0)) + Fraction(paid) * b / self.supply
        self.notified += paid
        return paid

    def settle_due(self, now: int, max_n: int) -> tuple[list[int], bool]:
        """The two cursors of the design's §6: each step moves the cursor whose record time comes
        first (ties: the unfunded one), so a late batch settles in record-time order as on-time
        calls would; at most `max_n` settlements; returns the epochs settled and whether one is
        still due. (It moved the unfunded cursor first whenever it was due: the deep profile found
        a late batch where a funded epoch's attest deadline came before the next unfunded one's.)"""
        done: list[int] = []
        due = False
        for _ in range(2 * max_n + 3):
            du = self.deadline(self.u, self.grace) if self.u < self.n_epochs else float("inf")
            da = self.deadline(self.a, 2 * self.grace) if self.a < self.n_epochs else float("inf")
            if now > du and du <= da:
                c, on_u = self.u, True
                ep = self.epochs.get(c)
                settle = not (ep is not None and ep.funded)
            elif now > da:
                c, on_u = self.a, False
                ep = self.epochs.get(c)
                settle = ep is not None and ep.funded
            else:
                due = False
                break
            due = True
            if settle:
                if len(done) == max_n:
                    break
                self.credit(c, now)
                done.append(c)
            if on_u:
                self.u += 1
            else:
                self.a += 1
        return done, due

    def overdue(self, now: int) -> bool:
        """The vault's (and the trust's) question: is a cursor past its record time (audit9 K1:
        the trust scanned 64 epochs from the lower cursor instead)."""
        return (self.u < self.n_epochs and now > self.deadline(self.u, self.grace)) or (
            self.a < self.n_epochs and now > self.deadline(self.a, 2 * self.grace))

    def uptime_bps(self, e: int) -> int:
        return min(self.epochs[e].delivered * MAX_BPS // self.supply, MAX_BPS) if self.supply else 0
