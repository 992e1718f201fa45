"""Stateful fuzzing of the vault (hypothesis over titanoboa): buy, transfer, transferFrom, report,
fund, time warp, claim, claim_for, pause, donation, settle_due -- with the nine invariants of
`shared/spec/hashrate-vault.md` asserted after every step. The vault runs with its VaultTrust
(docs/design/vault-trust-split.md): epochs left unreported or unattested are settled at their
record time by the first balance change, claim or `settle_due`, and their credit (one
`reward_per_share` step, read from `EpochSettled`) enters the mirror before the call's own effect.

A Python mirror of the accumulator (`hashtrust.economics.RewardLedger`) follows every
transaction, so the state machine also checks each holder's claim against the simulator to the
sat, and against the ideal (exact-fraction) pro-rata share for invariant 9.
Step counts come from the active hypothesis profile ("ci" bounded, "deep" >= 1,000 steps).
"""

from fractions import Fraction

import boa
from boa_vault import DAY, PRICE_PER_TH, deploy, round_at, settle_all
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
    ACC,
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
        self.credits = 0
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

    def _credit(self, contract=None):
        """The settlements of the last call (`EpochSettled`), each one reward_per_share step, into
        the mirror and the ideal shares (the mirror is synced to now before the call)."""
        lg = self.ledger
        for x in (contract or self.v).get_logs(strict=False):
            if type(x).__name__ != "EpochSettled":
                continue
            event("epoch settled")
            self.credits += 1
            if x.credited and lg.supply:
                lg.rps += x.credited * ACC // lg.supply
                lg.total_notified += x.credited
                for a in self.h:
                    self.ideal[a] += Fraction(x.credited) * lg.balances[a] / lg.supply

    def _keeper(self):
        """Anyone settles every due epoch (a balance change refuses a backlog of more than 4)."""
        self._sync()
        while True:
            before = self.v.cursors()
            self.v.settle_due(64)
            self._credit()
            if self.v.cursors() == before:
                return

    def _try_move(self, fn):
        """Runs a balance change; on the overdue refusal, the keeper settles and it runs again."""
        self._sync()
        try:
            fn()
        except boa.BoaError as exc:
            assert "epochs overdue" in str(exc), exc
            event("transfer refused: epochs overdue")
            self._keeper()
            fn()
        self._credit()

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
        event("transfer while rewards stream" if amount and self.v.reward_per_share() else "transfer, no rewards yet")
        if use_from:
            spender = self.h[(src + 1) % N_HOLDERS]
            with boa.env.prank(a):
                self.v.approve(spender, amount)

            def go():
                with boa.env.prank(spender):
                    assert self.v.transferFrom(a, b, amount)
        else:

            def go():
                with boa.env.prank(a):
                    assert self.v.transfer(b, amount)

        self._try_move(go)
        if use_from:
            assert self.v.allowance(a, spender) == 0
        # what both sides had earned once the due epochs were credited (the mirror, before the move)
        before = (self.ledger.claimable(a, self.now()), self.ledger.claimable(b, self.now()))
        self.ledger.transfer(a, b, amount, self.now())
        # invariant 4: a transfer changes neither side's earned rewards
        assert (self.v.claimable(a), self.v.claimable(b)) == before
        self.checkpoints += 2

    @rule(delivered_pct=st.integers(0, 100), gross=st.integers(0, 10**8), price_k=st.integers(1, 500))
    def report(self, delivered_pct, gross, price_k):
        e = self.next_report
        n = self.v.N_EPOCHS()
        rid = round_at(self.env, self.v.epoch_end(min(e, n - 1)))
        if self.v.paused():  # invariant 8's other half: pause stops reports
            with boa.reverts("vault: paused"):
                with boa.env.prank(self.env.operator):
                    self.v.report_epoch(e, 0, gross, b"\x01" * 32, "ipfs://r", rid)
            return
        if e >= n or self.now() <= self.v.epoch_end(e):
            with boa.reverts():
                with boa.env.prank(self.env.operator):
                    self.v.report_epoch(e, 0, gross, b"\x01" * 32, "ipfs://r", rid)
            return
        if self.now() > self.v.report_deadline(e):
            with boa.reverts("vault: epoch deadline passed"):
                with boa.env.prank(self.env.operator):
                    self.v.report_epoch(e, 0, gross, b"\x01" * 32, "ipfs://r", rid)
            self.next_report += 1
            return
        end = self.v.epoch_end(e)
        _, answer, _, updated, _ = self.env.feed.getRoundData(rid)
        btc = 0 if end - updated > self.v.MAX_PRICE_AGE() else answer
        delivered = self.v.totalSupply() * delivered_pct // 100
        with boa.env.prank(self.env.operator):
            self.v.report_epoch(e, delivered, gross, b"\x01" * 32, "ipfs://r", rid)
        ep = self.v.epochs(e)
        # invariant 5: the split adds up, fee <= gross, and equals the simulator's (no fee on a stale round)
        assert ep.gross == ep.fee + ep.perf + ep.net and ep.fee <= ep.gross
        want = fee_split(delivered, gross, self.params, btc) if btc else (0, gross * self.params.perf_bps // 10_000, gross - gross * self.params.perf_bps // 10_000)
        assert (ep.fee, ep.perf, ep.net) == want and ep.btc_usd == btc
        self.reported.append(e)
        self.next_report += 1

    @rule(offset=st.integers(0, 3 * DAY), delivered_pct=st.integers(0, 100), gross=st.integers(0, 10**8))
    def run_epoch(self, offset, delivered_pct, gross):
        """Warp to the end of the next epoch (plus up to its grace), then report and fund it."""
        e = self.next_report
        if e >= self.v.N_EPOCHS():
            return
        end = self.v.epoch_end(e)
        if self.now() < end - 60:  # publish the day's price just before the end (the round in force there)
            self._wait(end - 60 - self.now())
            self.env.feed.set_price(100_000 * 10**8)
        target = end + max(offset, 1)
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
            with boa.reverts("vault: paused"):
                with boa.env.prank(self.env.operator):
                    self.v.fund_epoch(e)
            return
        if self.now() > self.v.report_deadline(e):
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
        self._credit()  # a claim settles due epochs first (best effort)
        assert got == self.ledger.claim(a, self.now()) and got >= expected
        assert self.env.wbtc.balanceOf(a) == bal + got  # paid to the holder, never the caller
        # invariant 3: no double claim
        with boa.env.prank(a):
            assert self.v.claim() == 0
        self.checkpoints += 1

    @rule(on=st.booleans())
    def pause(self, on):
        if on and not self.v.paused() and len(self.v.pause_intervals()) >= self.v.MAX_PAUSES():
            with boa.env.prank(self.env.guardian), boa.reverts("vault: pause budget used"):
                self.v.pause()
        elif on and not self.v.paused():
            with boa.env.prank(self.env.guardian):
                self.v.pause()
            assert self.v.max_buy(self.h[0]) == 0
            with boa.reverts("vault: paused"):
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
        self._credit()
        assert got == self.ledger.claim(a, self.now())

        def go():
            with boa.env.prank(a):
                self.v.transfer(self.h[0], 0)

        self._try_move(go)
        self.ledger.transfer(a, self.h[0], 0, self.now())

    @rule()
    def settle_due(self):
        """Anyone settles the due epochs (never paused)."""
        self._keeper()

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
        # (the operator's bond is held by the trust; what it paid the vault is in total_notified)
        assert bal >= sum(claimables) + streaming + v.fees_payable()
        assert bal == owed + v.fees_payable() + self.donated
        # 2. conservation: notified == claimed + claimable + streaming + dust, dust bounded by checkpoints
        dust = owed - sum(claimables) - streaming
        assert 0 <= dust <= self.checkpoints + 2 * N_HOLDERS + len(self.funded) + self.credits + 1

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
