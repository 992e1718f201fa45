"""Stateful fuzzing of the vault (hypothesis over titanoboa): buy, transfer, transferFrom, report,
fund, time warp, claim, claim_for, pause, donation -- with the nine invariants of
`shared/spec/hashrate-vault.md` asserted after every step.

A Python mirror of the accumulator (`hashtrust.economics.RewardLedger`) follows every
transaction, so the state machine also checks each holder's claim against the simulator to the
sat, and against the ideal (exact-fraction) pro-rata share for invariant 9.
Step counts come from the active hypothesis profile ("ci" bounded, "deep" >= 1,000 steps).
"""

from fractions import Fraction

import boa
from boa_vault import DAY, PRICE_PER_TH, deploy
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from hashtrust.hashrate.economics import (
    STREAM,
    TH,
    FeeParams,
    RewardLedger,
    fee_split,
)

N_HOLDERS = 4
actor = st.integers(min_value=0, max_value=N_HOLDERS - 1)


class VaultMachine(RuleBasedStateMachine):
    @initialize(perf=st.integers(0, 5_000), kwh=st.integers(0, 500_000), seed_holder=st.booleans())
    def setup(self, perf, kwh, seed_holder):
        self.params = FeeParams(17_500, kwh, 10_000, perf)
        # the sale runs 10 days and closes when the term starts; nobody may have bought: zero-supply
        # streams are possible
        self.env = deploy(term_start_in=10 * DAY, sale_days=10, n_epochs=40, capacity_ths=100, params=self.params, n_holders=N_HOLDERS)
        self.v = self.env.vault
        self.h = self.env.holders
        self.ledger = RewardLedger()
        self.ideal = {a: Fraction(0) for a in self.h}
        self.last_rps = 0
        self.bought = 0
        self.donated = 0
        self.next_report = 0
        self.reported: list[int] = []
        self.funded: set[int] = set()
        self.checkpoints = 0
        if seed_holder:  # start with holders half of the time (the other half covers zero-supply streams)
            self.buy(0, 10_000, False)
            self.buy(1, 3_000, False)

    # ------------------------------------------------------------ helpers
    def now(self):
        return boa.env.timestamp

    def _ideal_advance(self):
        """Exact pro-rata share of what streams between the ledger's last update and now."""
        lg = self.ledger
        t = min(self.now(), lg.period_finish)
        if t > lg.last_update and lg.supply > 0:
            streamed = Fraction((t - lg.last_update) * lg.rate, STREAM)
            for a in self.h:
                self.ideal[a] += streamed * lg.balances[a] / lg.supply

    def _sync(self):
        self._ideal_advance()
        self.ledger.update_global(self.now())

    # ------------------------------------------------------------ rules
    @rule(who=actor, th_milli=st.integers(0, 40_000), tiny=st.booleans())
    def buy(self, who, th_milli, tiny):
        a = self.h[who]
        shares = 1 if tiny else th_milli * 10**15
        mx = self.v.max_buy(a)
        if shares == 0 or shares > mx:
            # invariant 8: max_buy is 0 / too small exactly when buy fails on limits
            with boa.reverts():
                with boa.env.prank(a):
                    self.v.buy(shares, 2**256 - 1, a)
            return
        pay = self.v.preview_buy(shares)
        assert pay * TH >= shares * PRICE_PER_TH  # invariant 6: never below the exact price
        with boa.reverts("vault: payment above max"):
            with boa.env.prank(a):
                self.v.buy(shares, pay - 1, a)
        self._sync()
        with boa.env.prank(a):
            assert self.v.buy(shares, pay, a) == pay
        self.ledger.buy(a, shares, self.now())
        self.bought += shares
        self.checkpoints += 1

    def _wait(self, seconds):
        if seconds:
            self._ideal_advance()
            self.ledger.update_global(self.now())
            boa.env.time_travel(seconds=seconds)

    @rule(src=actor, dst=actor, frac=st.integers(0, 100), use_from=st.booleans(), wait=st.integers(0, DAY // 2))
    def transfer(self, src, dst, frac, use_from, wait):
        self._wait(wait)  # let streams progress, so the transfer has rewards to settle
        a, b = self.h[src], self.h[dst]
        amount = self.v.balanceOf(a) * frac // 100
        before = (self.v.claimable(a), self.v.claimable(b))
        event("transfer while rewards stream" if amount and self.v.reward_per_share() else "transfer, no rewards yet")
        self._sync()
        if use_from:
            spender = self.h[(src + 1) % N_HOLDERS]
            with boa.env.prank(a):
                self.v.approve(spender, amount)
            with boa.env.prank(spender):
                assert self.v.transferFrom(a, b, amount)
            assert self.v.allowance(a, spender) == 0
        else:
            with boa.env.prank(a):
                assert self.v.transfer(b, amount)
        self.ledger.transfer(a, b, amount, self.now())
        # invariant 4: a transfer changes neither side's earned rewards
        assert (self.v.claimable(a), self.v.claimable(b)) == before
        self.checkpoints += 2

    @rule(delivered_pct=st.integers(0, 100), gross=st.integers(0, 10**8), price_k=st.integers(1, 500))
    def report(self, delivered_pct, gross, price_k):
        e = self.next_report
        if self.v.paused():  # invariant 8's other half: pause stops reports
            with boa.reverts("pausable: contract is paused"):
                with boa.env.prank(self.env.operator):
                    self.v.report_epoch(e, 0, gross, b"\x01" * 32, "ipfs://r")
            return
        if e >= self.v.N_EPOCHS() or self.now() < self.v.epoch_end(e):
            with boa.reverts():
                with boa.env.prank(self.env.operator):
                    self.v.report_epoch(e, 0, gross, b"\x01" * 32, "ipfs://r")
            return
        self.env.feed.set_price(price_k * 1_000 * 10**8)
        if self.now() > self.v.epoch_deadline(e):
            with boa.reverts("vault: epoch deadline passed"):
                with boa.env.prank(self.env.operator):
                    self.v.report_epoch(e, 0, gross, b"\x01" * 32, "ipfs://r")
            self.next_report += 1
            return
        delivered = self.v.totalSupply() * delivered_pct // 100
        with boa.env.prank(self.env.operator):
            self.v.report_epoch(e, delivered, gross, b"\x01" * 32, "ipfs://r")
        ep = self.v.epochs(e)
        # invariant 5: the split adds up, fee <= gross, and equals the simulator's
        assert ep.gross == ep.fee + ep.perf + ep.net and ep.fee <= ep.gross
        assert (ep.fee, ep.perf, ep.net) == fee_split(delivered, gross, self.params, price_k * 1_000 * 10**8)
        self.reported.append(e)
        self.next_report += 1

    @rule(offset=st.integers(0, 3 * DAY), delivered_pct=st.integers(0, 100), gross=st.integers(0, 10**8))
    def run_epoch(self, offset, delivered_pct, gross):
        """Warp to the end of the next epoch (plus up to its grace), then report and fund it."""
        e = self.next_report
        if e >= self.v.N_EPOCHS():
            return
        target = self.v.epoch_end(e) + offset
        if target > self.now():
            self._ideal_advance()
            self.ledger.update_global(self.now())
            boa.env.time_travel(seconds=target - self.now())
        self.report(delivered_pct, gross, 100)
        if self.reported and self.reported[-1] == e:
            self.fund()

    @rule()
    def fund(self):
        open_ = [e for e in self.reported if e not in self.funded]
        if not open_:
            return
        e = open_[0]
        if self.v.paused():
            with boa.reverts("pausable: contract is paused"):
                with boa.env.prank(self.env.operator):
                    self.v.fund_epoch(e)
            return
        if self.now() > self.v.epoch_deadline(e):
            with boa.reverts("vault: epoch deadline passed"):
                with boa.env.prank(self.env.operator):
                    self.v.fund_epoch(e)
            self.funded.add(e)  # it can never be funded now
            return
        self._sync()
        with boa.env.prank(self.env.operator):
            self.v.fund_epoch(e)
        self.ledger.notify(self.v.epochs(e).net, self.now())
        event("epoch funded")
        self.funded.add(e)
        # invariant 7: funded at most once
        with boa.reverts("vault: epoch already funded"):
            with boa.env.prank(self.env.operator):
                self.v.fund_epoch(e)

    @rule(seconds=st.integers(1, 2 * DAY))
    def warp(self, seconds):
        self._ideal_advance()
        self.ledger.update_global(self.now())
        boa.env.time_travel(seconds=seconds)

    @rule(who=actor, by=actor, for_other=st.booleans(), wait=st.integers(0, DAY // 2))
    def claim(self, who, by, for_other, wait):
        self._wait(wait)
        a = self.h[who]
        expected = self.v.claimable(a)
        bal = self.env.wbtc.balanceOf(a)
        self._sync()
        if for_other:
            with boa.env.prank(self.h[by]):
                got = self.v.claim_for(a)
        else:
            with boa.env.prank(a):
                got = self.v.claim()
        assert got == expected == self.ledger.claim(a, self.now())
        assert self.env.wbtc.balanceOf(a) == bal + got  # paid to the holder, never the caller
        # invariant 3: no double claim
        with boa.env.prank(a):
            assert self.v.claim() == 0
        self.checkpoints += 1

    @rule(on=st.booleans())
    def pause(self, on):
        if on and not self.v.paused():
            with boa.env.prank(self.env.guardian):
                self.v.pause()
            assert self.v.max_buy(self.h[0]) == 0
            with boa.reverts("pausable: contract is paused"):
                with boa.env.prank(self.h[0]):
                    self.v.buy(1, 2**256 - 1, self.h[0])
        elif not on and self.v.paused():
            self.v.unpause()

    @precondition(lambda self: self.v.paused())
    @rule(who=actor)
    def paused_claim_and_transfer_work(self, who):
        a = self.h[who]
        self._sync()
        with boa.env.prank(a):
            got = self.v.claim()
            self.v.transfer(self.h[0], 0)
        assert got == self.ledger.claim(a, self.now())
        self.ledger.transfer(a, self.h[0], 0, self.now())

    @rule(amount=st.integers(1, 10**9))
    def donate(self, amount):
        before = [self.v.claimable(a) for a in self.h]
        self.env.wbtc.mint(self.v.address, amount)
        self.donated += amount
        assert [self.v.claimable(a) for a in self.h] == before  # invariant: donations change nobody's claim

    # ------------------------------------------------------------ invariants
    @invariant()
    def solvency_and_conservation(self):
        v = self.v
        claimables = [v.claimable(a) for a in self.h]
        # what has not reached any holder yet, as of now (stored figures are as of last_update)
        t = min(self.now(), v.period_finish())
        pending_stream = (t - v.last_update()) * v.rate_scaled() if t > v.last_update() and v.totalSupply() > 0 else 0
        streaming = (v.unstreamed_scaled() + v.unallocated_scaled() - pending_stream) // STREAM
        bal = self.env.wbtc.balanceOf(v.address)
        owed = v.total_notified() - v.total_claimed()
        # 1. solvency: the balance covers every claim, what still streams and the fees
        # (the operator bond, if any, is held on top and never counted as owed)
        assert bal >= sum(claimables) + streaming + v.fees_payable() + v.bond()
        assert bal == owed + v.fees_payable() + self.donated + v.bond()
        # 2. conservation: notified == claimed + claimable + streaming + dust, dust bounded by checkpoints
        dust = owed - sum(claimables) - streaming
        assert 0 <= dust <= self.checkpoints + 2 * N_HOLDERS + len(self.funded) + getattr(self, "defaults", 0) + 1

    @invariant()
    def accumulator_monotone_and_mirrored(self):
        v = self.v
        rps = v.reward_per_share()
        assert rps >= self.last_rps  # 3. never decreases
        self.last_rps = rps
        now = self.now()
        for a in self.h:
            assert v.reward_per_share_paid(a) <= rps
            c = v.claimable(a)
            assert c == self.ledger.claimable(a, now)  # the simulator's mirror agrees to the sat
            # 9. nobody earns more than the exact pro-rata stream (+1 sat)
            lg = self.ledger
            t = min(now, lg.period_finish)
            pending = Fraction(0)
            if t > lg.last_update and lg.supply > 0:
                pending = Fraction((t - lg.last_update) * lg.rate, STREAM) * lg.balances[a] / lg.supply
            assert lg.claimed[a] + c <= self.ideal[a] + pending + 1

    @invariant()
    def supply_matches_sales(self):
        # 6. totalSupply == sold <= capacity
        assert self.v.totalSupply() == self.bought == self.ledger.supply <= self.v.CAPACITY()


VaultMachine.TestCase.settings = settings(settings.default)
TestVaultMachine = VaultMachine.TestCase
