"""Issue 14, defect 9 (design): an operator could keep bad epochs out of its reputation.

On the unfixed vault: (a) the operator approving the vault on its agent made `finalize_epoch`
revert (the ReputationRegistry refuses feedback from an approved address), so the epoch could
never be finalised and left no uptime record; (b) an epoch funded with at least the expected
net and never attested was defaulted with a slash of 0 and left no uptime feedback, and the
vault logged no per-epoch record beyond the slash. Fixed: every settled epoch logs
`EpochClosed(epoch, delivered, supply, attestations, defaulted, slashed, feedback_posted)`; the
feedback post cannot revert finalisation (its outcome is the event's `feedback_posted`); anyone
closes an unattested epoch as a default after its deadline, whatever the slash.
"""

import boa
from scenario import TH, attest, events, fund, report, trust_vault, warp


def test_d9_operator_approving_the_vault_cannot_block_finalisation():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    with boa.env.prank(env.operator):
        t.identity.approve(v.address, t.agent_id)
    report(env, 0, 90 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    assert v.finalize_epoch(0) == 2
    (closed,) = events(v, "EpochClosed")
    assert v.epochs(0).status == 4 and v.settled_epochs() == 1  # FINALIZED
    assert (closed.epoch, closed.delivered, closed.supply, closed.attestations) == (0, 90 * TH, 100 * TH, 2)
    assert (closed.defaulted, closed.slashed, closed.feedback_posted) == (False, 0, False)
    assert t.reputation.getSummary(t.agent_id, [v.address], "uptime", "")[0] == 0


def test_d9_funded_unattested_epoch_closes_as_a_default_with_zero_slash():
    env, t = trust_vault(holdings=(100,))
    v, mallory = env.vault, env.holders[2]
    report(env, 0, 100 * TH, 100_000)  # net far above the expected reward: the slash is 0
    fund(env, 0)
    assert v.expected_reward(0) == 0
    warp(v.epoch_deadline(0) + v.REPORT_GRACE())
    with boa.env.prank(mallory), boa.reverts("vault: default too early"):
        v.declare_default(0)
    warp(v.epoch_deadline(0) + v.REPORT_GRACE() + 1)
    with boa.env.prank(mallory):
        assert v.declare_default(0) == 0
    (closed,) = events(v, "EpochClosed")
    assert (closed.epoch, closed.delivered, closed.supply, closed.attestations) == (0, 100 * TH, 100 * TH, 0)
    assert (closed.defaulted, closed.slashed, closed.feedback_posted) == (True, 0, False)
    (d,) = events(v, "EpochDefaulted")
    assert (d.epoch, d.expected, d.slashed) == (0, 0, 0)
    assert v.epochs(0).status == 8 and v.settled_epochs() == 1  # DEFAULTED
    with boa.reverts("vault: epoch already settled"):
        v.declare_default(0)


def test_d9_unreported_epoch_closes_with_the_term_supply():
    env, _ = trust_vault(holdings=(60, 40))
    v = env.vault
    warp(v.epoch_deadline(0) + 1)
    slashed = v.declare_default(0)
    assert slashed == 3_802
    (closed,) = events(v, "EpochClosed")
    assert (closed.delivered, closed.supply, closed.attestations, closed.defaulted, closed.slashed) == (0, 100 * TH, 0, True, slashed)


def test_d9_finalised_epoch_posts_feedback_and_logs_it():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    v.finalize_epoch(0)
    (closed,) = events(v, "EpochClosed")
    assert (closed.defaulted, closed.slashed, closed.feedback_posted, closed.attestations) == (False, 0, True, 2)
    assert t.reputation.getSummary(t.agent_id, [v.address], "uptime", "epoch-0")[0] == 1
