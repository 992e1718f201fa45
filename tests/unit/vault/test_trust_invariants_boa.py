"""The vault's nine invariants, again, with the trust extension switched on (hypothesis over
titanoboa): the machine of `test_invariants_boa.py` runs on a vault bound to an ERC-8004 operator
agent with three listed validators (quorum 2, min score 80), plus rules to post bond, attest and
finalise epochs, declare defaults (slashing the bond into the reward stream) at any time, paused
or not, and to close the term (every open epoch defaulted, the bond released).

Invariants of the trust extension, checked after every step (besides the nine of the parent):

- T1 `bond_never_negative_and_mirrored`: the vault's bond equals posted - slashed - released,
  never below zero, and is held on top of every holder liability (solvency counts it).
- T2 `defaults_pay_at_most_expected`: each default paid holders exactly min(bond, expected
  reward), so in total the bond paid at most the sum of the defaulted epochs' expected rewards.
- T3 `settled_once`: a finalised or defaulted epoch stays so, with its attestation snapshot;
  `settled_epochs` counts each settled epoch once (a second finalise or default reverts, checked
  in the rules).
- T4 `bond_released_only_after_the_term`: the bond leaves the vault only to the operator agent's
  wallet, from TERM_END, once every epoch is settled (earlier or foreign calls revert).
- Rewards conservation (parent's 1 and 2) with the slashed bond in the stream.

Steps: the active hypothesis profile ("ci" bounded; `make test-deep` runs "deep"); tests/conftest.py
counts the rule steps of every machine and fails a "deep" session below 1,000. What the runs
reached (finalisations, defaults, closed terms, bond releases) is printed at the end of the module.
"""

import boa
import pytest
from boa_vault import bind_trust
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from test_invariants_boa import VaultMachine

FUNDED, FINALIZED, DEFAULTED = 2, 4, 8
# what the runs reached (steps and runs are counted for every machine by tests/conftest.py)
REACHED = {"finalised": 0, "defaulted": 0, "closed": 0, "released": 0}


class TrustMachine(VaultMachine):
    @initialize(perf=st.integers(0, 5_000), kwh=st.integers(0, 500_000), seed_holder=st.booleans())
    def setup(self, perf, kwh, seed_holder):
        VaultMachine.setup(self, perf, kwh, seed_holder)
        self.t = bind_trust(self.env)
        self.bond = 0
        self.posted = 0
        self.slashed = 0
        self.expected_of_defaults = 0
        self.released = 0
        self.defaults = 0
        self.snap: dict[int, int] = {}
        self.settled: dict[int, int] = {}  # epoch -> FINALIZED / DEFAULTED
        self.requested: set[tuple[int, int]] = set()
        self.closed = False

    # ------------------------------------------------------------ helpers
    def _assert_settled_refusals(self, e):
        """No double finalise, no double default (T3)."""
        with boa.reverts("vault: epoch not funded"):
            self.v.finalize_epoch(e)
        with boa.reverts("vault: epoch already settled"):
            self.v.declare_default(e)

    def _default(self, e):
        v = self.v
        expected = v.expected_reward(e)
        slashed = min(self.bond, expected)
        self._sync()
        assert v.declare_default(e) == slashed  # works paused or not
        self.ledger.notify(slashed, self.now())
        self.bond -= slashed
        self.slashed += slashed
        self.expected_of_defaults += expected
        self.defaults += 1
        self.settled[e] = DEFAULTED
        self.funded.add(e)  # never fundable again
        REACHED["defaulted"] += 1
        assert v.epochs(e).status == DEFAULTED and v.bond() == self.bond
        self._assert_settled_refusals(e)

    # ------------------------------------------------------------ rules
    @rule(amount=st.integers(1, 10**7))
    def post_bond(self, amount):
        self.env.wbtc.mint(self.env.operator, amount)
        with boa.env.prank(self.env.operator):
            self.v.post_bond(amount)
        self.bond += amount
        self.posted += amount
        assert self.v.bond() == self.bond

    @rule(
        pick=st.integers(0, 39),
        scores=st.lists(st.one_of(st.sampled_from([100, 90, 80]), st.integers(0, 100)), min_size=3, max_size=3),  # often >= min score
        final=st.sampled_from([True, True, True, False]),  # mostly final answers, sometimes progressive ones
    )
    def attest(self, pick, scores, final):
        v, t = self.v, self.t
        open_ = [e for e in range(v.N_EPOCHS()) if e in self.funded and e not in self.settled and v.epochs(e).status == FUNDED]
        e = open_[pick % len(open_)] if open_ else pick  # mostly a funded epoch, sometimes any
        for i, who in enumerate(t.validators):
            h = v.request_hash(e, who)
            if v.epochs(e).status != FUNDED:
                continue
            if (e, i) not in self.requested:
                with boa.env.prank(self.env.operator):
                    t.validation.validationRequest(who, t.agent_id, "", h)
                self.requested.add((e, i))
            elif t.validation.getAttestation(t.agent_id, h)[3]:
                continue  # a final answer stays
            with boa.env.prank(who):  # first answer, or a progressive one revised
                t.validation.validationResponseFor(t.agent_id, h, scores[i], "", b"\x00" * 32, "", final)
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
        bond = v.bond()
        assert v.finalize_epoch(e) == count
        assert v.bond() == bond  # finalising never touches the bond
        event("epoch finalised")
        REACHED["finalised"] += 1
        self.snap[e] = count
        self.settled[e] = FINALIZED
        self._assert_settled_refusals(e)

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
        event("epoch defaulted")
        self._default(e)

    @rule(stranger=st.booleans())
    def withdraw_bond(self, stranger):
        """Before the term is over and settled, the bond stays; a stranger never gets it (T4)."""
        v = self.v
        if stranger:
            with boa.reverts("vault: caller is not the operator"):
                with boa.env.prank(self.env.holders[0]):
                    v.withdraw_bond()
            return
        if self.now() < v.TERM_END():
            reason = "vault: term not over"
        elif len(self.settled) < v.N_EPOCHS():
            reason = "vault: epochs not settled"
        else:
            reason = None
        if reason:
            with boa.reverts(reason):
                with boa.env.prank(self.env.operator):
                    v.withdraw_bond()
            return
        self._release()

    def _release(self):
        v, op = self.v, self.env.operator
        before = self.env.wbtc.balanceOf(op)
        with boa.env.prank(op):
            assert v.withdraw_bond() == self.bond
        assert self.env.wbtc.balanceOf(op) - before == self.bond
        self.released += self.bond
        if self.bond:
            REACHED["released"] += 1
        self.bond = 0
        with boa.env.prank(op):
            assert v.withdraw_bond() == 0  # nothing twice

    @precondition(lambda self: not self.closed)
    @rule(data=st.data())
    def close_the_term(self, data):
        """Warp past the last attestation deadline, default every open epoch, release the bond."""
        v = self.v
        if data.draw(st.integers(0, 2), label="close now") != 0:  # a third of the picks: most runs stay mid-term
            return
        last = v.N_EPOCHS() - 1
        target = v.epoch_deadline(last) + v.REPORT_GRACE() + 1
        if target > self.now():
            self._wait(target - self.now())
        for e in range(v.N_EPOCHS()):
            if e not in self.settled:
                self._default(e)
        assert v.settled_epochs() == v.N_EPOCHS()
        self._release()
        self.closed = True
        REACHED["closed"] += 1
        event("term closed, bond released")

    # ------------------------------------------------------------ invariants
    @invariant()
    def bond_never_negative_and_mirrored(self):
        assert self.bond >= 0 and self.v.bond() == self.bond == self.posted - self.slashed - self.released

    @invariant()
    def defaults_pay_at_most_expected(self):
        assert self.slashed <= self.expected_of_defaults

    @invariant()
    def settled_once(self):
        v = self.v
        for e, status in self.settled.items():
            assert v.epochs(e).status == status
        for e, count in self.snap.items():
            assert v.attestations(e) == count >= v.quorum()
        assert v.settled_epochs() == len(self.settled)

    @invariant()
    def bond_released_only_after_the_term(self):
        if self.released:
            assert self.now() >= self.v.TERM_END() and len(self.settled) == self.v.N_EPOCHS()


@pytest.fixture(scope="module", autouse=True)
def _report_reached():
    yield
    print(
        f"\ntrust machine reached: {REACHED['finalised']} finalisations, {REACHED['defaulted']} defaults, "
        f"{REACHED['closed']} terms closed, {REACHED['released']} non-zero bond releases"
    )


TrustMachine.TestCase.settings = settings(settings.default)
TestTrustMachine = TrustMachine.TestCase
