"""The vault's nine invariants, again, with the trust layer exercised (hypothesis over titanoboa):
the machine of `test_invariants_boa.py` runs on a vault and its VaultTrust (three validators,
quorum 2, min score 98, the required bond posted), plus rules to post bond, attest and finalise
epochs on the trust, settle due epochs, withdraw the bond, and close the term (every epoch
settled at its record time, the bond released). docs/design/vault-trust-split.md.

Invariants of the trust layer, checked after every step (besides the nine of the parent):

- T1 `bond_never_negative_and_mirrored`: the trust's bond equals posted - paid - released,
  never below zero; the vault never holds it (solvency of the parent counts what it paid).
- T2 `settlements_pay_min_of_bond_and_owed`: each settlement (`EpochClosed`) paid exactly
  min(bond before it, owed), and the vault credited exactly that (`EpochSettled`).
- T3 `settled_once`: a settled epoch stays settled with its kind and its attestation snapshot;
  finalising a settled or finalised epoch reverts (checked in the rules).
- T4 `bond_released_only_after_the_term`: the bond leaves the trust only to the operator agent's
  wallet, from TERM_END, once the vault's settle cursor reached N_EPOCHS (earlier or foreign
  calls revert).

Steps: the active hypothesis profile ("ci" bounded; `make test-deep` runs "deep"); tests/conftest.py
counts the rule steps of every machine and fails a "deep" session below 1,000. What the runs
reached (finalisations, settlements, closed terms, bond releases) is printed at the end of the module.
"""

import boa
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from test_invariants_boa import VaultMachine

FUNDED = 2
FINALIZED = 1
# what the runs reached (steps and runs are counted for every machine by tests/conftest.py)
REACHED = {"finalised": 0, "settled": 0, "closed": 0, "released": 0}


class TrustMachine(VaultMachine):
    @initialize(perf=st.integers(0, 5_000), kwh=st.integers(0, 500_000), seed_holder=st.booleans())
    def setup(self, perf, kwh, seed_holder):
        VaultMachine.setup(self, perf, kwh, seed_holder)
        self.t = self.env.t
        self.tr = self.t.trust
        self.bond = self.posted = self.tr.bond()
        self.paid_out = 0
        self.released = 0
        self.snap: dict[int, int] = {}
        self.finalised: set[int] = set()
        self.kinds: dict[int, int] = {}  # settled epoch -> record kind
        self.requested: set[tuple[int, int]] = set()
        self.closed = False

    # ------------------------------------------------------------ helpers
    def _credit(self, contract=None):
        """Besides the parent's mirror: every `EpochClosed` of the last call pays min(bond, owed) (T2)."""
        logs = (contract or self.v).get_logs(strict=False)
        settled = {x.epoch: x.credited for x in logs if type(x).__name__ == "EpochSettled"}
        for x in logs:
            if type(x).__name__ != "EpochClosed":
                continue
            assert x.epoch not in self.kinds, f"epoch {x.epoch} settled twice"
            assert x.paid == min(self.bond, x.owed), f"epoch {x.epoch}: paid {x.paid}, bond {self.bond}, owed {x.owed}"
            assert settled[x.epoch] == x.paid
            self.bond -= x.paid
            self.paid_out += x.paid
            self.kinds[x.epoch] = x.kind
            REACHED["settled"] += 1
        VaultMachine._credit(self, contract)

    def _assert_settled_refusals(self, e):
        with boa.reverts("trust: epoch already settled"):
            self.tr.finalize_epoch(e)

    # ------------------------------------------------------------ rules
    @rule(amount=st.integers(1, 10**7))
    def post_bond(self, amount):
        self.env.wbtc.mint(self.env.operator, amount)
        if all(self.tr.record(e).settled for e in range(self.v.N_EPOCHS())):  # audit10 L1: every record settled, whatever the cursors
            with boa.env.prank(self.env.operator), boa.reverts("trust: term over"):
                self.tr.post_bond(amount)  # every epoch settled: a top-up would cover nothing
            return
        try:
            with boa.env.prank(self.env.operator):
                self.tr.post_bond(amount)
        except boa.BoaError as exc:
            assert "epochs overdue" in str(exc), exc
            self._keeper()
            with boa.env.prank(self.env.operator):
                self.tr.post_bond(amount)
        (p,) = [x for x in self.tr.get_logs(strict=False) if type(x).__name__ == "BondPosted"]
        self.bond += amount
        self.posted += amount
        assert (p.amount, p.bond) == (amount, self.bond) and self.tr.bond() == self.bond

    @rule(
        pick=st.integers(0, 39),
        scores=st.lists(st.one_of(st.sampled_from([100, 99, 98, 97]), st.integers(0, 100)), min_size=3, max_size=3),  # often >= min score
        final=st.sampled_from([True, True, True, False]),  # mostly final answers, sometimes progressive ones
    )
    def attest(self, pick, scores, final):
        v, t, tr = self.v, self.t, self.tr
        open_ = [e for e in range(v.N_EPOCHS()) if e in self.funded and e not in self.kinds and v.epochs(e).status == FUNDED]
        e = open_[pick % len(open_)] if open_ else pick  # mostly a funded epoch, sometimes any
        funded = v.epochs(e).status == FUNDED
        for i, who in enumerate(t.validators):
            h = tr.request_hash(e, who)
            if not funded:
                continue
            if (e, i) not in self.requested:
                with boa.env.prank(self.env.operator):
                    t.validation.validationRequest(who, t.agent_id, "", h)
                self.requested.add((e, i))
            elif t.validation.getAttestation(t.agent_id, h)[3]:
                continue  # a final answer stays
            with boa.env.prank(who):  # first answer, or a progressive one revised
                t.validation.validationResponseFor(t.agent_id, h, scores[i], "", b"\x00" * 32, "", final)
        if tr.record(e).settled:
            self._assert_settled_refusals(e)
            return
        if e in self.finalised:
            with boa.reverts("trust: epoch already finalised"):
                tr.finalize_epoch(e)
            return
        if not funded:
            with boa.reverts("trust: epoch not funded"):
                tr.finalize_epoch(e)
            return
        if self.now() > v.attest_deadline(e):
            with boa.reverts("trust: attest deadline passed"):
                tr.finalize_epoch(e)
            return
        count = 0
        for who in t.validators:
            st_, validator, response, finalized, _ = t.validation.getAttestation(t.agent_id, tr.request_hash(e, who))
            count += int(finalized and validator == who and response >= tr.MIN_SCORE())
        if count < tr.QUORUM():
            with boa.reverts("trust: no quorum"):
                tr.finalize_epoch(e)
            return
        bond = tr.bond()
        assert tr.finalize_epoch(e) == count
        assert tr.bond() == bond  # finalising never touches the bond
        event("epoch finalised")
        REACHED["finalised"] += 1
        self.snap[e] = count
        self.finalised.add(e)
        with boa.reverts("trust: epoch already finalised"):
            tr.finalize_epoch(e)

    @rule(stranger=st.booleans())
    def withdraw_bond(self, stranger):
        """Before the term is over and settled, the bond stays; a stranger never gets it (T4)."""
        v, tr = self.v, self.tr
        if stranger:
            with boa.reverts("trust: caller is not the operator"):
                with boa.env.prank(self.env.holders[0]):
                    tr.withdraw_bond()
            return
        if self.now() < v.TERM_END():
            reason = "trust: term not over"
        elif v.settle_cursor() < v.N_EPOCHS():
            reason = "trust: epochs not settled"
        elif self.bond == 0:
            reason = "trust: no bond"
        else:
            reason = None
        if reason:
            with boa.reverts(reason):
                with boa.env.prank(self.env.operator):
                    tr.withdraw_bond()
            return
        self._release()

    def _release(self):
        tr, op = self.tr, self.env.operator
        before = self.env.wbtc.balanceOf(op)
        if self.bond == 0:
            with boa.env.prank(op), boa.reverts("trust: no bond"):
                tr.withdraw_bond()
            return
        with boa.env.prank(op):
            assert tr.withdraw_bond() == self.bond
        (r,) = [x for x in tr.get_logs(strict=False) if type(x).__name__ == "BondReleased"]
        assert (r.receiver, r.amount) == (op, self.bond)
        assert self.env.wbtc.balanceOf(op) - before == self.bond
        self.released += self.bond
        REACHED["released"] += 1
        self.bond = 0
        with boa.env.prank(op), boa.reverts("trust: no bond"):
            tr.withdraw_bond()  # nothing twice

    @precondition(lambda self: not self.closed)
    @rule(data=st.data())
    def close_the_term(self, data):
        """Warp past the last attest deadline, settle every epoch, release the bond."""
        v = self.v
        if data.draw(st.integers(0, 2), label="close now") != 0:  # a third of the picks: most runs stay mid-term
            return
        last = v.N_EPOCHS() - 1
        target = v.attest_deadline(last) + 1
        if target > self.now():
            self._wait(target - self.now())
        self._keeper()
        assert v.settle_cursor() == v.N_EPOCHS() and len(self.kinds) == v.N_EPOCHS()
        self._release()
        self.closed = True
        REACHED["closed"] += 1
        event("term closed, bond released")

    # ------------------------------------------------------------ invariants
    @invariant()
    def bond_never_negative_and_mirrored(self):
        assert self.bond >= 0 and self.tr.bond() == self.bond == self.posted - self.paid_out - self.released

    @invariant()
    def settled_once(self):
        tr = self.tr
        for e, kind in self.kinds.items():
            r = tr.record(e)
            assert r.settled and r.kind == kind
            assert (kind == FINALIZED) == (e in self.finalised)
        for e, count in self.snap.items():
            assert tr.record(e).attestations == count >= tr.QUORUM()

    @invariant()
    def bond_released_only_after_the_term(self):
        if self.released:
            assert self.now() >= self.v.TERM_END() and self.v.settle_cursor() == self.v.N_EPOCHS()


@pytest.fixture(scope="module", autouse=True)
def _report_reached():
    yield
    print(
        f"\ntrust machine reached: {REACHED['finalised']} finalisations, {REACHED['settled']} settlements, "
        f"{REACHED['closed']} terms closed, {REACHED['released']} non-zero bond releases"
    )


TrustMachine.TestCase.settings = settings(settings.default)
TestTrustMachine = TrustMachine.TestCase
