"""VaultTrust.post_pending (G3): records settled without a post whose feedback is pending (a default
settled by a claim or a transfer, a finalised epoch whose uptime was refused) are queued in settlement order and posted oldest first, bounded by `max_n`,
MAX_POST and the gas left (never a revert for gas); `post_record` stays the per-epoch retry.
H1: a refused record is never dropped (moved to the back, one refused try per call), and nothing is
tried while the agent has authorised the trust or the vault."""

import boa
from trust_kit import (
    FB_PENDING,
    FB_POSTED,
    FEEDBACK_FLOOR,
    FINALIZED,
    UNREPORTED,
    ZERO,
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


def test_refused_post_is_not_tried_while_captured_and_posts_after_the_revoke(kit):
    """H1/F1: the agent authorised the trust (the registry would refuse: self-feedback, a refusal
    the operator chooses): nothing is tried, nothing leaves the queue; after the revoke the next
    `post_pending` posts it."""
    t = kit.open()
    kit.vault.do_settle(0, False)
    with boa.env.prank(kit.operator):
        kit.identity.approve(t.address, kit.agent_id)
    assert t.post_pending(64) == 0
    assert not events(t, "FeedbackPosted") and not events(t, "FeedbackQueue")
    assert t.record(0).feedback == FB_PENDING
    assert t.pending_feedback() == (0, 1)
    with boa.env.prank(kit.operator):
        kit.identity.approve(ZERO, kit.agent_id)
    with boa.env.prank(kit.stranger):
        assert t.post_pending(64) == 1
    assert [(f.epoch, f.value, f.posted) for f in events(t, "FeedbackPosted")] == [(0, 0, True)]
    assert _queue_events(t) == [(1, 1)]
    assert t.record(0).feedback == FB_POSTED
    assert kit.summary(t) == (1, 0, 2)


def test_vault_authorised_is_no_refusal_the_queue_posts(kit):
    """I1: the registry refuses only the trust's own authorisation or wallet; an authorised vault
    (the wider `_captured` that stops finalisation) does not stop the queue: its defaults post."""
    t = kit.open()
    kit.vault.do_settle(0, False)
    with boa.env.prank(kit.operator):
        kit.identity.setApprovalForAll(kit.vault.address, True)
    assert t.operator_wallet() == ZERO  # captured for finalisation and reports (F1)
    assert t.post_pending(64) == 1
    assert [(f.epoch, f.value, f.posted) for f in events(t, "FeedbackPosted")] == [(0, 0, True)]
    assert _queue_events(t) == [(1, 1)]
    assert t.pending_feedback() == (1, 1) and t.record(0).feedback == FB_POSTED


def test_settlement_while_captured_queues_without_trying(kit):
    """H1: `settle(post=True)` under a capture does not try (no refused post, no gas floor needed) and
    queues the default; the keeper's next call after the revoke posts it."""
    t = kit.open()
    with boa.env.prank(kit.operator):
        kit.identity.approve(t.address, kit.agent_id)
    kit.vault.do_settle(0, True, gas=300_000)  # below the feedback floor: nothing tried, no revert
    assert not events(kit.vault, "FeedbackPosted")
    assert _queue_events(kit.vault) == [(0, 1)]
    (closed,) = events(kit.vault, "EpochClosed")
    assert (closed.epoch, closed.feedback) == (0, FB_PENDING)
    assert t.pending_feedback() == (0, 1) and t.record(0).feedback == FB_PENDING
    with boa.env.prank(kit.operator):
        kit.identity.approve(ZERO, kit.agent_id)
    assert t.post_pending(64) == 1
    assert [(f.epoch, f.value, f.posted) for f in events(t, "FeedbackPosted")] == [(0, 0, True)]
    assert t.pending_feedback() == (1, 1)


def test_refused_post_at_settlement_is_queued(kit):
    """H1: a post tried by the settlement itself and refused is queued, never left to `post_record` only."""
    t = kit.open(reputation=kit.wbtc.address)  # a "registry" that refuses every post
    kit.vault.do_settle(0, True)
    (fb,) = events(kit.vault, "FeedbackPosted")
    assert (fb.epoch, fb.posted) == (0, False)
    assert _queue_events(kit.vault) == [(0, 1)]
    assert t.record(0).feedback == FB_PENDING
    assert t.pending_feedback() == (0, 1)


def test_finalised_epoch_with_refused_uptime_is_queued_at_settlement(kit):
    t = kit.open(reputation=kit.wbtc.address)
    kit.funded_attested(t, 0)
    t.finalize_epoch(0)
    kit.vault.do_settle(0, False)
    r = t.record(0)
    assert (r.kind, r.feedback) == (FINALIZED, FB_PENDING)
    assert t.pending_feedback() == (0, 1)
    # refused again: moved to the back of the queue (here: itself), not dropped
    assert t.post_pending(1) == 0
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 10_000, False)
    assert _queue_events(t) == [(1, 2)]
    assert t.pending_feedback() == (1, 2) and t.record(0).feedback == FB_PENDING


# A registry the operator does not control: refuses while `refuse` is set, or only `epoch-<refuse_epoch>`;
# `burn` makes a refusal spend all the gas it is given (the worst case after the call).
REGISTRY = """
# pragma version ~=0.4.3
refuse: public(bool)
refuse_tag: public(String[32])
burn: public(bool)
count: public(uint256)
sink: HashMap[uint256, uint256]

@external
def set(refuse: bool, refuse_tag: String[32], burn: bool):
    self.refuse = refuse
    self.refuse_tag = refuse_tag
    self.burn = burn

@external
def giveFeedback(agentId: uint256, v: int128, d: uint8, tag1: String[32], tag2: String[32], e: String[512], u: String[1024], h: bytes32):
    if self.refuse or tag2 == self.refuse_tag:
        if self.burn:
            for i: uint256 in range(100_000):
                self.sink[i] = i + 1
        raise "registry: refused"
    self.count += 1
"""


def _registry(kit):
    return boa.loads(REGISTRY)


def test_queue_stops_at_a_refusal_and_resumes_without_dropping(kit):
    """H1: a refusal the operator does not control: one refused try per call, the record moves to
    the back (never dropped); once the registry accepts again every queued record posts."""
    reg = _registry(kit)
    t = kit.open(reputation=reg.address)
    for e in (0, 1, 2):
        kit.vault.do_settle(e, False)
    reg.set(True, "", False)
    assert t.post_pending(64) == 0  # stops at the first refusal
    assert [(f.epoch, f.posted) for f in events(t, "FeedbackPosted")] == [(0, False)]
    assert _queue_events(t) == [(1, 4)]
    assert t.post_pending(64) == 0
    assert [(f.epoch, f.posted) for f in events(t, "FeedbackPosted")] == [(1, False)]
    assert _queue_events(t) == [(2, 5)]
    assert all(t.record(e).feedback == FB_PENDING for e in (0, 1, 2))
    reg.set(False, "", False)
    assert t.post_pending(64) == 3
    assert [(f.epoch, f.value, f.posted) for f in events(t, "FeedbackPosted")] == [(2, 0, True), (0, 0, True), (1, 0, True)]
    assert _queue_events(t) == [(5, 5)]
    assert all(t.record(e).feedback == FB_POSTED for e in (0, 1, 2))
    assert reg.count() == 3


def test_permanently_refused_record_never_blocks_the_others(kit):
    """A record the registry refuses for good goes to the back each time: the records behind it post
    on the next call; it stays pending and queued (and `post_record` still retries it)."""
    reg = _registry(kit)
    t = kit.open(reputation=reg.address)
    for e in (0, 1, 2):
        kit.vault.do_settle(e, False)
    reg.set(False, "epoch-0", False)
    assert t.post_pending(64) == 0
    assert [(f.epoch, f.posted) for f in events(t, "FeedbackPosted")] == [(0, False)]
    assert t.post_pending(64) == 2  # 1 and 2 posted, 0 refused again and moved back
    assert [(f.epoch, f.posted) for f in events(t, "FeedbackPosted")] == [(1, True), (2, True), (0, False)]
    assert _queue_events(t) == [(4, 5)]
    assert t.pending_feedback() == (4, 5)
    assert [t.record(e).feedback for e in (0, 1, 2)] == [FB_PENDING, FB_POSTED, FB_POSTED]
    assert t.post_record(0) is False
    reg.set(False, "", False)
    assert t.post_pending(64) == 1
    assert [(f.epoch, f.posted) for f in events(t, "FeedbackPosted")] == [(0, True)]
    assert t.pending_feedback() == (5, 5) and reg.count() == 3


def test_low_gas_never_drops_a_refused_head(kit):
    """F2 with H1: whatever gas the caller gives, `post_pending` never takes a refused record off
    the queue, even when the refusal burns all of FEEDBACK_GAS: too little gas reverts the whole
    call (nothing changes), enough moves the refused head behind the other record."""
    reg = _registry(kit)
    t = kit.open(reputation=reg.address)
    for e in (0, 1):
        kit.vault.do_settle(e, False)
    reg.set(True, "", True)
    seen = set()
    for extra in range(0, 140_000, 4_000):
        with boa.env.anchor():
            try:
                t.post_pending(64, gas=FEEDBACK_FLOOR + extra)
            except boa.BoaError:
                seen.add("reverted")
            else:
                tried = tuple(f.posted for f in events(t, "FeedbackPosted"))
                assert tried == (False,), extra
                assert _queue_events(t) == [(1, 3)], extra
                seen.add(tried)
            head, tail = t.pending_feedback()
            assert tail - head == 2, extra
            assert t.record(0).feedback == FB_PENDING and t.record(1).feedback == FB_PENDING
    assert seen == {"reverted", (False,)}  # both sides of the floor were exercised


def test_post_pending_below_the_gas_floor_reverts_and_an_estimate_posts(kit):
    """Below the floor the call reverts (it used to stop, so `eth_estimateGas`, which looks for the
    least gas that succeeds, chose a limit that posted nothing: keepers never drained the queue)."""
    t = kit.open()
    for e in range(3):
        kit.vault.do_settle(e, False)
    with boa.reverts("trust: gas below the feedback floor"):
        t.post_pending(64, gas=FEEDBACK_FLOOR)
    assert t.pending_feedback() == (0, 3)
    # the least gas that succeeds (an estimator's binary search) posts every queued record
    lo, hi = FEEDBACK_FLOOR, 3_000_000
    while hi - lo > 1_000:
        mid = (lo + hi) // 2
        with boa.env.anchor():
            try:
                t.post_pending(64, gas=mid)
                hi = mid
            except boa.BoaError:
                lo = mid
    assert t.post_pending(64, gas=hi) == 3
    assert [(f.epoch, f.posted) for f in events(t, "FeedbackPosted")] == [(0, True), (1, True), (2, True)]
    assert t.pending_feedback() == (3, 3) and all(t.record(e).feedback == FB_POSTED for e in range(3))


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
