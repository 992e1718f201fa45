"""Reputation of the operator agent, posted by the trust (design §4 F1/F2/F3): a finalised epoch
posts its uptime, a default posts 0 (tags "uptime", "epoch-<n>"), a refused post stays PENDING
and `post_record` retries it, anyone, until it lands; `FeedbackPosted(epoch, value, posted)`."""

import boa
from scenario import TH, attest, events, fund, report, settle_until, trust_vault

ZERO = "0x0000000000000000000000000000000000000000"
NONE, PENDING, POSTED = 0, 1, 2


def test_default_posts_zero_uptime_at_settlement():
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    settle_until(env, 1)
    fbs = [(x.epoch, x.value, x.posted) for x in events(env.vault, "FeedbackPosted")]
    assert fbs == [(0, 0, True), (1, 0, True)]
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[:2] == (2, 0)
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "epoch-1")[:2] == (1, 0)
    with boa.reverts("trust: no feedback pending"):
        tr.post_record(0)


def test_refused_post_pending_then_retried_by_anyone():
    env, t = trust_vault(holdings=(100,))
    tr, anyone = t.trust, env.holders[3]
    with boa.env.prank(env.operator):
        t.identity.approve(tr.address, t.agent_id)  # the registry refuses the trust's posts
    settle_until(env, 0)
    # H1: not tried under the capture, queued (the keeper's post_pending waits too)
    assert not events(env.vault, "FeedbackPosted")
    assert tr.record(0).feedback == PENDING
    assert tr.pending_feedback() == (0, 1)
    with boa.env.prank(anyone):
        assert tr.post_record(0) is False
    assert tr.record(0).feedback == PENDING
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)
    with boa.env.prank(anyone):
        assert tr.post_record(0) is True
    (fb,) = events(tr, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 0, True)
    assert tr.record(0).feedback == POSTED
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[:2] == (1, 0)
    with boa.reverts("trust: no feedback pending"):
        tr.post_record(0)


def test_no_record_no_retry():
    env, t = trust_vault(holdings=(100,))
    assert t.trust.record(0).feedback == NONE
    with boa.reverts("trust: no feedback pending"):
        t.trust.post_record(0)


def test_transfer_settles_without_posting_and_post_record_posts():
    """A balance change settles due epochs with `post=False`: the feedback is left PENDING."""
    env, t = trust_vault(holdings=(100,))
    tr, v, h = t.trust, env.vault, env.holders[0]
    from scenario import warp

    warp(v.record_time(0) + 1)
    with boa.env.prank(h):
        v.transfer(env.holders[1], TH)
    r = tr.record(0)
    assert (r.settled, r.feedback) == (True, PENDING)
    assert tr.post_record(0) is True and tr.record(0).feedback == POSTED


def test_finalised_uptime_posted_once():
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    tr = t.trust
    report(env, 0, 80 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    tr.finalize_epoch(0)
    settle_until(env, 0)
    count, value, dec = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    assert (count, value, dec) == (1, 8_000, 2)


def test_captured_defaults_wait_in_the_queue_and_post_at_the_next_settle_due():
    """audit6 H1 through the vault: under the capture the keeper's `settle_due` settles two defaults
    without trying their posts (queued; the queue untouched by its `post_pending`); after the revoke
    the next `settle_due` posts them, oldest first, with the new default."""
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    with boa.env.prank(env.operator):
        t.identity.approve(tr.address, t.agent_id)
    assert settle_until(env, 1) == 2
    assert not events(env.vault, "FeedbackPosted")
    assert [(q.head, q.tail) for q in events(env.vault, "FeedbackQueue")] == [(0, 1), (0, 2)]
    assert [tr.record(e).feedback for e in (0, 1)] == [PENDING, PENDING]
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)
    assert settle_until(env, 2) == 1
    assert [(f.epoch, f.value, f.posted) for f in events(env.vault, "FeedbackPosted")] == [(2, 0, True), (0, 0, True), (1, 0, True)]
    assert [(q.head, q.tail) for q in events(env.vault, "FeedbackQueue")] == [(2, 2)]
    assert [tr.record(e).feedback for e in (0, 1, 2)] == [POSTED, POSTED, POSTED]
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[:2] == (3, 0)
