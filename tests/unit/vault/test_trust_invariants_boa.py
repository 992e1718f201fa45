"""The vault's nine invariants, again, with the trust extension switched on (hypothesis over
titanoboa): the machine of `test_invariants_boa.py` runs on a vault bound to an ERC-8004 operator
agent with three listed validators (quorum 2, min score 80), plus rules to post bond, attest and
finalise epochs, and declare defaults (slashing the bond into the reward stream) at any time,
paused or not. Extra invariants: finalised epochs keep their snapshot; settled epochs are counted
once; a default pays exactly min(bond, expected).
"""

import boa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from boa_vault import bind_trust
from test_invariants_boa import VaultMachine

FUNDED, FINALIZED, DEFAULTED = 2, 4, 8


class TrustMachine(VaultMachine):
    @initialize(perf=st.integers(0, 5_000), kwh=st.integers(0, 500_000), seed_holder=st.booleans())
    def setup(self, perf, kwh, seed_holder):
        VaultMachine.setup(self, perf, kwh, seed_holder)
        self.t = bind_trust(self.env)
        self.bond = 0
        self.defaults = 0
        self.snap: dict[int, int] = {}
        self.settled: set[int] = set()
        self.requested: set[tuple[int, int]] = set()

    @rule(amount=st.integers(1, 10**7))
    def post_bond(self, amount):
        self.env.wbtc.mint(self.env.operator, amount)
        with boa.env.prank(self.env.operator):
            self.v.post_bond(amount)
        self.bond += amount
        assert self.v.bond() == self.bond

    @rule(pick=st.integers(0, 39), scores=st.lists(st.integers(0, 100), min_size=3, max_size=3), final=st.booleans())
    def attest(self, pick, scores, final):
        e = pick
        v, t = self.v, self.t
        for i, who in enumerate(t.validators):
            h = v.request_hash(e, who)
            if (e, i) in self.requested or v.epochs(e).status != FUNDED:
                continue
            with boa.env.prank(self.env.operator):
                t.validation.validationRequest(who, t.agent_id, "", h)
            with boa.env.prank(who):
                t.validation.validationResponseFor(t.agent_id, h, scores[i], "", b"\x00" * 32, "", final)
            self.requested.add((e, i))
        status = v.epochs(e).status
        if status != FUNDED:
            with boa.reverts("vault: epoch not funded"):
                v.finalize_epoch(e)
            return
        if self.now() > v.epoch_deadline(e) + v.REPORT_GRACE():
            with boa.reverts("vault: attest deadline passed"):
                v.finalize_epoch(e)
            return
        count = 0
        for who in t.validators:
            st_, validator, response, finalized, _ = t.validation.getAttestation(t.agent_id, v.request_hash(e, who))
            count += int(finalized and validator == who and response >= 80)
        if count < 2:
            with boa.reverts("vault: no quorum"):
                v.finalize_epoch(e)
            return
        assert v.finalize_epoch(e) == count
        self.snap[e] = count
        self.settled.add(e)

    @rule(pick=st.integers(0, 39))
    def declare_default(self, pick):
        e = pick
        v = self.v
        status = v.epochs(e).status
        if status in (FINALIZED, DEFAULTED):
            with boa.reverts("vault: epoch already settled"):
                v.declare_default(e)
            return
        deadline = v.epoch_deadline(e) + (v.REPORT_GRACE() if status == FUNDED else 0)
        if self.now() <= deadline:
            with boa.reverts("vault: default too early"):
                v.declare_default(e)
            return
        expected = v.expected_reward(e)
        slashed = min(self.bond, expected)
        self._sync()
        assert v.declare_default(e) == slashed  # works paused or not
        self.ledger.notify(slashed, self.now())
        self.bond -= slashed
        self.defaults += 1
        self.settled.add(e)
        self.funded.add(e)  # never fundable again
        assert v.epochs(e).status == DEFAULTED and v.bond() == self.bond

    @invariant()
    def snapshots_hold(self):
        v = self.v
        for e, count in self.snap.items():
            assert v.epochs(e).status == FINALIZED and v.attestations(e) == count
        assert v.settled_epochs() == len(self.settled)


TrustMachine.TestCase.settings = settings(settings.default)
TestTrustMachine = TrustMachine.TestCase
