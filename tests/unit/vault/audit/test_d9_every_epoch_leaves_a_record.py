"""Issue 14, defect 9 (design): an operator could keep bad epochs out of its reputation.

On the unfixed vault: (a) the operator approving the vault on its agent made `finalize_epoch`
revert (the ReputationRegistry refuses feedback from an approved address), so the epoch could
never be finalised and left no uptime record; (b) an epoch funded with at least the expected
net and never attested was defaulted with a slash of 0 and left no uptime feedback, and the
vault logged no per-epoch record beyond the slash. Fixed: every settled epoch logs
`EpochClosed(epoch, delivered, supply, attestations, defaulted, slashed, feedback_posted)`; the
feedback post cannot revert finalisation (its outcome is the event's `feedback_posted`); anyone
closes an unattested epoch as a default after its deadline, whatever the slash.

After the trust split (docs/design/vault-trust-split.md): the record is the trust's `record(e)` and `EpochClosed(epoch, kind, delivered, supply, attestations, owed, paid, feedback)`; approving the trust or the vault on the agent makes `finalize_epoch` revert (F1) and the epoch settles as unattested at A(e), its uptime-0 feedback pending until the approval goes (`post_record`).
"""

import boa
from scenario import TH, attest, events, fund, report, settle_until, trust_vault, warp

ZERO = "0x0000000000000000000000000000000000000000"
FINALIZED, DEFAULT_UNREPORTED, DEFAULT_UNATTESTED = 1, 2, 4
PENDING, POSTED = 1, 2


def test_d9_operator_approving_the_vault_cannot_block_finalisation():
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    v, tr = env.vault, t.trust
    report(env, 0, 90 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    with boa.env.prank(env.operator):
        t.identity.approve(v.address, t.agent_id)
    with boa.reverts("trust: agent has authorised the trust contract"):
        tr.finalize_epoch(0)
    with boa.env.prank(env.operator):  # the trust itself approved: the registry refuses its posts
        t.identity.approve(tr.address, t.agent_id)
    with boa.reverts("trust: agent has authorised the trust contract"):
        tr.finalize_epoch(0)
    settle_until(env, 0)  # A(0) passed: closes as an unattested default
    (closed,) = events(v, "EpochClosed")
    assert (closed.epoch, closed.kind, closed.delivered, closed.supply, closed.attestations) == (0, DEFAULT_UNATTESTED, 90 * TH, 100 * TH, 0)
    assert (closed.owed, closed.paid, closed.feedback) == (0, 0, PENDING)  # the registry refused the post
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[0] == 0
    with boa.env.prank(env.holders[-1]):
        assert tr.post_record(0) is False  # still approved: stays pending
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)
    with boa.env.prank(env.holders[-1]):
        assert tr.post_record(0) is True
    (fb,) = events(tr, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 0, True)
    assert tr.record(0).feedback == POSTED
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[:2] == (1, 0)
    with boa.reverts("trust: no feedback pending"):
        tr.post_record(0)


def test_d9_funded_unattested_epoch_closes_as_a_default_with_zero_slash():
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    v, tr, mallory = env.vault, t.trust, env.holders[2]
    report(env, 0, 100 * TH, 100_000)  # net far above the unreported rate: owes 0
    fund(env, 0)
    warp(v.attest_deadline(0))
    assert v.record_time(0) == v.attest_deadline(0)
    with boa.env.prank(mallory):
        assert v.settle_due(1) == 0  # not yet due at A(0)
    warp(v.attest_deadline(0) + 1)
    with boa.env.prank(mallory):
        assert v.settle_due(1) == 1
    (closed,) = events(v, "EpochClosed")
    assert (closed.epoch, closed.kind, closed.delivered, closed.supply, closed.attestations) == (0, DEFAULT_UNATTESTED, 100 * TH, 100 * TH, 0)
    assert (closed.owed, closed.paid, closed.feedback) == (0, 0, POSTED)
    (d,) = events(v, "EpochDefaulted")
    assert (d.epoch, d.kind, d.owed, d.paid) == (0, DEFAULT_UNATTESTED, 0, 0)
    assert tr.record(0).settled and v.settle_cursor() == 1
    with boa.env.prank(mallory):
        assert v.settle_due(1) == 0  # nothing twice


def test_d9_unreported_epoch_closes_with_the_term_supply():
    env, t = trust_vault(holdings=(60, 40))
    v = env.vault
    settle_until(env, 0)
    (closed,) = [c for c in events(v, "EpochClosed") if c.epoch == 0]
    assert (closed.kind, closed.delivered, closed.supply, closed.attestations, closed.owed, closed.paid) == (DEFAULT_UNREPORTED, 0, 100 * TH, 0, 3_802, 3_802)


def test_d9_finalised_epoch_posts_feedback_and_logs_it():
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    tr.finalize_epoch(0)
    assert tr.record(0).feedback == POSTED
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "epoch-0")[0] == 1
    settle_until(env, 0)
    (closed,) = [c for c in events(v, "EpochClosed") if c.epoch == 0]
    assert (closed.kind, closed.owed, closed.paid, closed.feedback, closed.attestations) == (FINALIZED, 0, 0, POSTED, 2)
    (comp,) = events(v, "EpochCompensated")
    assert (comp.epoch, comp.owed, comp.paid) == (0, 0, 0)
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "epoch-0")[0] == 1  # not posted twice
