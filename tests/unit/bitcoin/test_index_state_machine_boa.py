"""Hypothesis state machine (titanoboa): sample blocks proven in any order (and re-proven, and
out of the sample), periods published (in and out of order, complete, partial after their proof
window, void), days filled, the clock moved, against the Python model of the index (`IndexModel`)
and of its proof windows (kept here: when each period's window opens and ends).

The chain is mined once: 12 periods whose block spacing varies (fast, normal, slow, one period
spanning ~40 days, one close timestamped before the previous), so every day rule is reached.

Rules include the honest relayer's step (finish the next period, publish it) and its failure (a
sample never proven: publish the period partial or void once its window has passed).

Invariants:
  I1 hashprice(day) and latest() equal the model's (the days around the frontier every step,
     every day the chain touches at the end of a run).
  I2 a final day never changes and never becomes not-final again.
  I3 each period's counted blocks, mask and reward sum equal the proofs accepted; published and
     void as the model says.
  I4 a refused call changes nothing (the status and the periods are compared).
  I5 the next period's window end is the model's: PROOF_WINDOW after the later of when it became
     the next and when a block beyond it was first counted (0 while none is); other periods 0.
"""

import os

import boa
from btc_boa import PROOF_WINDOW, now
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from index_env import FIRST_PERIOD, IndexEnv, mine_periods

from hashtrust.bitcoin.hashprice import min_samples, sample_heights

N = 12
SAMPLES = 4
SPACINGS = [600, 300, 1_200, 600, 24_000, 600, 150, 600, 900, 600, 3_000, 600]
# period 8's last block is timestamped an hour before period 7's close: closes going backwards
_t7 = mine_periods(SPACINGS[:8], seed=7).block((FIRST_PERIOD + 7) * 144 + 143).parsed.time
CHAIN = mine_periods(SPACINGS, seed=7, last_time={8: _t7 - 3_600})
PERIODS = list(range(FIRST_PERIOD, FIRST_PERIOD + N))


class IndexMachine(RuleBasedStateMachine):
    @initialize()
    def deploy(self):
        self.env = IndexEnv(CHAIN, samples=SAMPLES)
        self.final: dict[int, int] = {}
        self.seen = 0  # highest counted period + 1
        self.opened = 0  # when the next period's proof window opened (0 = not yet)

    def counted(self, period: int) -> set[int]:
        return self.env.counted.get(period, set())

    def window_end(self, period: int) -> int:
        """When the proof window of ``period`` ends: only the next period has one, once opened."""
        if period != self.env.model.next_period or not self.opened:
            return 0
        return self.opened + PROOF_WINDOW

    def _frozen(self):
        idx = self.env.index
        return idx.status(), [idx.period(p) for p in PERIODS[:4]]

    @rule(period=st.sampled_from(PERIODS), j=st.integers(0, SAMPLES - 1))
    def submit(self, period, j):
        h = sample_heights(period, SAMPLES)[j]
        published = period < self.env.model.next_period
        if published or h in self.counted(period):
            before = self._frozen()
            with boa.reverts("index: period already published" if published else "index: block already counted"):
                self.env.submit(h)
            assert self._frozen() == before
        else:
            self._count(h)

    def _count(self, h):
        self.env.submit(h)
        period, nxt = h // 144, self.env.model.next_period
        if period + 1 > self.seen:
            if period > nxt and self.seen <= nxt + 1:  # the first block beyond the next period
                self.opened = now()
            self.seen = period + 1

    @rule(period=st.sampled_from(PERIODS), offset=st.integers(0, 142))
    def submit_unsampled(self, period, offset):
        h = period * 144 + offset
        if (offset + 1) % (144 // SAMPLES) == 0:
            return
        before = self._frozen()
        with boa.reverts():
            self.env.submit(h)
        assert self._frozen() == before

    @rule(period=st.sampled_from(PERIODS))
    def publish(self, period):
        m = self.env.model
        st_ = self.env.index.status()
        expected = None
        if period < m.next_period:
            expected = "index: period already published"
        elif period != m.next_period:
            expected = "index: periods are published in order"
        elif st_.pending_from != st_.final_until:
            expected = "index: days are still being written (call fill_days)"
        elif len(self.counted(period)) != SAMPLES and not (self.opened and now() >= self.opened + PROOF_WINDOW):
            expected = "index: period has sample blocks not yet proven"
        if expected:
            before = self._frozen()
            with boa.reverts(expected):
                self.env.index.publish(period)
            assert self._frozen() == before
        else:
            self._publish(period)

    def _publish(self, period):
        n = len(self.counted(period))
        event("publish: " + ("complete" if n == SAMPLES else "partial" if n >= min_samples(SAMPLES) else "void"))
        self.env.publish(period)
        self.opened = now() if self.seen > period + 2 else 0  # the new next's window, if a block beyond it is counted

    @rule(seconds=st.sampled_from([600, PROOF_WINDOW // 2, PROOF_WINDOW]))
    def travel(self, seconds):
        boa.env.time_travel(seconds=seconds)

    @rule()
    def prove_and_publish_next(self):
        """The honest relayer's step: finish the next period and publish it (keeps the run moving)."""
        p = self.env.model.next_period
        if p not in PERIODS:
            return
        st_ = self.env.index.status()
        if st_.pending_from != st_.final_until:
            self.env.index.fill_days()
            return
        for h in sample_heights(p, SAMPLES):
            if h not in self.counted(p):
                self._count(h)
        self._publish(p)

    @rule(keep=st.sets(st.integers(0, SAMPLES - 1), max_size=SAMPLES - 1))
    def give_up_on_the_next(self, keep):
        """A sample of the next period is never proven: count the others in ``keep``, prove a
        block beyond it, wait for its window and publish it partial (or void)."""
        p = self.env.model.next_period
        if p + 1 not in PERIODS:
            return
        st_ = self.env.index.status()
        if st_.pending_from != st_.final_until:
            self.env.index.fill_days()
            return
        hs = sample_heights(p, SAMPLES)
        for j in sorted(keep):
            if hs[j] not in self.counted(p):
                self._count(hs[j])
        nxt = sample_heights(p + 1, SAMPLES)[0]
        if nxt not in self.counted(p + 1):
            self._count(nxt)
        if len(self.counted(p)) == SAMPLES:
            self._publish(p)
            return
        end = self.window_end(p)
        if end > now():  # a second before its window ends: refused, nothing changes
            boa.env.time_travel(seconds=end - now() - 1)
            before = self._frozen()
            with boa.reverts("index: period has sample blocks not yet proven"):
                self.env.index.publish(p)
            assert self._frozen() == before
            boa.env.time_travel(seconds=1)
        self._publish(p)

    @rule()
    def fill_days(self):
        st_ = self.env.index.status()
        if st_.pending_from < st_.final_until:
            self.env.index.fill_days()
        else:
            with boa.reverts("index: no days waiting to be written"):
                self.env.index.fill_days()

    def _check_days(self, days):
        idx, m = self.env.index, self.env.model
        for d in days:
            got = idx.hashprice(d)
            assert got == m.hashprice(d), d
            if d in self.final:
                assert got == (self.final[d], True)
            elif got[1]:
                self.final[d] = got[0]

    @invariant()
    def matches_model(self):
        # every step: the days around the frontier (a view costs ~2 ms in boa); every day at teardown
        end = self.env.index.status().final_until
        self._check_days(range(end - 3, end + 2) if end else [])
        assert self.env.index.latest() == self.env.model.latest()

    def teardown(self):
        if hasattr(self, "env"):
            self._check_days(self.env.days())

    @invariant()
    def periods_hold_the_accepted_proofs(self):
        m = self.env.model
        for p in PERIODS[:6]:
            rec = self.env.index.period(p)
            assert rec.blocks == len(self.counted(p))
            assert rec.reward_sum == sum(CHAIN.block(h).paid for h in self.counted(p))
            assert rec.published == (p < m.next_period)
            assert rec.void == (p in m.void)
            assert rec.void == (rec.published and len(self.counted(p)) < min_samples(SAMPLES))

    @invariant()
    def next_window_as_modelled(self):
        p = self.env.model.next_period
        for q in (p, p + 1):
            assert self.env.index.period(q).window_end == self.window_end(q)


TestIndexMachine = IndexMachine.TestCase
# a step proves blocks (~35 ms each in boa): fewer, longer runs than the global profile; the deep
# profile still runs >= 1,000 rule steps (24 x 60)
_DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
TestIndexMachine.settings = settings(settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")), max_examples=24 if _DEEP else 6, stateful_step_count=60 if _DEEP else 25)
