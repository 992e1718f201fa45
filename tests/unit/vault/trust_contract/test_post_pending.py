"""VaultTrust.post_pending (G3): records settled without a post whose feedback is pending (a default
settled by a claim or a transfer, a finalised epoch whose uptime was refused) are queued in settlement order and posted oldest first, bounded by `max_n`,
MAX_POST and the gas left (never a revert for gas); `post_record` stays the per-epoch retry."""

import boa
from trust_kit import (
    FB_PENDING,
    FB_POSTED,
    FEEDBACK_FLOOR,
    FINALIZED,
    UNREPORTED,
    events,
)


def _queue_events(c):
    """`FeedbackQueue` (head, tail) of `c`'s last call (the mock vault's `do_settle`, or the trust)."""
    return [(e.head, e.tail) for e in events(c, "FeedbackQueue")]


def test_settlement_without_post_is_queued(kit):
    t = kit.open()
    assert t.pending_feedback() == (0, 0)
    kit.vault.do_settle(3, False)
    assert _queue_events(kit.vault) == [(0, 1)]
    kit.vault.do_settle(1, False)
    assert _queue_events(kit.vault) == [(0, 2)]
    kit.vault.do_settle(2, True)  # posted at once: not queued
    assert _queue_events(kit.vault) == []
    assert [f.epoch for f in events(kit.vault, "FeedbackPosted")] == [2]
    assert t.pending_feedback() == (0, 2)
    assert [t.record(e).feedback for e in (1, 2, 3)] == [FB_PENDING, FB_POSTED, FB_PENDING]


def test_post_pending_posts_oldest_settlement_first(kit):
    t = kit.open()
    for e in (3, 1, 0):  # settlement (record-time) order, not index order
        kit.vault.do_settle(e, False)
    with boa.env.prank(kit.stranger):
        assert t.post_pending(2) == 2
    assert [(f.epoch, f.value, f.posted) for f in events(t, "FeedbackPosted")] == [(3, 0, True), (1, 0, True)]
    assert _queue_events(t) == [(2, 3)]
    assert t.pending_feedback() == (2, 3)
    assert (t.record(3).feedback, t.record(1).feedback, t.record(0).feedback) == (FB_POSTED, FB_POSTED, FB_PENDING)
    assert t.post_pending(64) == 1
    assert [f.epoch for f in events(t, "FeedbackPosted")] == [0]
    assert t.pending_feedback() == (3, 3)
    assert kit.summary(t) == (3, 0, 2)
    # an empty queue: nothing to do, no event, no revert
    assert t.post_pending(64) == 0
    assert _queue_events(t) == []


def test_post_pending_zero_is_a_no_op(kit):
    t = kit.open()
    kit.vault.do_settle(0, False)
    assert t.post_pending(0) == 0
    assert not events(t, "FeedbackQueue") and not events(t, "FeedbackPosted")
    assert t.record(0).feedback == FB_PENDING


def test_record_posted_by_post_record_is_dropped_without_a_second_post(kit):
    t = kit.open()
    kit.vault.do_settle(0, False)
    kit.vault.do_settle(1, False)
    assert t.post_record(0) is True
    assert t.post_pending(64) == 2
    assert [f.epoch for f in events(t, "FeedbackPosted")] == [1]
    assert kit.summary(t) == (2, 0, 2)


def test_refused_post_is_dropped_and_stays_pending_for_post_record(kit):
    """F1: the agent authorised the trust, the registry refuses: the queue moves on (a refusing registry
    cannot block later posts), the record stays pending and `post_record` retries it after the revoke."""
    t = kit.open()
    kit.vault.do_settle(0, False)
    with boa.env.prank(kit.operator):
        kit.identity.approve(t.address, kit.agent_id)
    assert t.post_pending(64) == 1
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.epoch, fb.posted) == (0, False)
    assert t.record(0).feedback == FB_PENDING
    assert t.pending_feedback() == (1, 1)
    with boa.env.prank(kit.operator):
        kit.identity.approve("0x0000000000000000000000000000000000000000", kit.agent_id)
    assert t.post_record(0) is True
    assert t.record(0).feedback == FB_POSTED


def test_refused_post_at_settlement_is_not_queued(kit):
    """A post tried by the settlement itself and refused is not queued (no second try in the same
    `settle_due`); it stays pending for `post_record`."""
    t = kit.open(reputation=kit.wbtc.address)  # a "registry" that refuses every post
    kit.vault.do_settle(0, True)
    assert not events(kit.vault, "FeedbackQueue")
    (fb,) = events(kit.vault, "FeedbackPosted")
    assert (fb.epoch, fb.posted) == (0, False)
    assert t.record(0).feedback == FB_PENDING
    assert t.pending_feedback() == (0, 0)


def test_finalised_epoch_with_refused_uptime_is_queued_at_settlement(kit):
    t = kit.open(reputation=kit.wbtc.address)
    kit.funded_attested(t, 0)
    t.finalize_epoch(0)
    kit.vault.do_settle(0, False)
    r = t.record(0)
    assert (r.kind, r.feedback) == (FINALIZED, FB_PENDING)
    assert t.pending_feedback() == (0, 1)
    assert t.post_pending(1) == 1
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 10_000, False)


def test_post_pending_stops_at_the_gas_floor_without_reverting(kit):
    t = kit.open()
    for e in range(3):
        kit.vault.do_settle(e, False)
    # below the floor: takes nothing, no revert
    assert t.post_pending(64, gas=FEEDBACK_FLOOR) == 0
    assert t.pending_feedback() == (0, 3)
    # enough for one post only (each needs the floor left before it)
    assert t.post_pending(64, gas=FEEDBACK_FLOOR + 40_000) == 1
    assert t.pending_feedback() == (1, 3)
    assert t.record(0).feedback == FB_POSTED and t.record(1).feedback == FB_PENDING


def test_queue_crosses_a_word(kit):
    """Eight epoch indices per storage word: the ninth queued record is read from the next word."""
    t = kit.open()
    order = [9, 0, 8, 1, 7, 2, 6, 3, 5, 4]
    for e in order:
        kit.vault.do_settle(e, False)
    assert t.pending_feedback() == (0, 10)
    assert t.post_pending(64) == 10
    assert [f.epoch for f in events(t, "FeedbackPosted")] == order
    assert all(t.record(e).kind == UNREPORTED and t.record(e).feedback == FB_POSTED for e in order)
