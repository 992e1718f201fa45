"""H1 (medium): the operator silences its defaults by authorising the trust on its agent while they settle.

G3's fix queues a record settled without a post (claim/transfer) and has `settle_due` post it
(`post_pending`). But a post the registry *refuses* is not retried by anyone automatically:
`settle(e, post=True)` leaves a refused default PENDING and does not queue it, and `post_pending`
drops a refused record off the queue ("stays pending for post_record"). The operator controls
refusal: approving the trust (or the vault) on its agent NFT makes the ReputationRegistry refuse
the trust's feedback ("self-feedback not allowed", the F1 capture), and it costs the operator
nothing while it is defaulting anyway (it only cannot report/fund/finalise meanwhile). It
revokes the approval afterwards and reports again. `post_pending` is public, so the operator need
not even wait for a keeper.

Figures (100 TH/s): epoch 0 finalised (posted 100.00), epochs 1 and 2 never reported (3,802 paid
each). (a) the operator approves the trust just before R(2), a keeper's `settle_due(64)` settles
both (refused, PENDING, not queued), the operator revokes; (b) the operator settles both by
`claim()` (queued), approves, calls `post_pending(64)` itself (both dropped), revokes. Epoch 3 (also
unreported) is settled by a keeper after the capture is undone and posts 0, but nothing posts 1
and 2: `getSummary(agent, [trust], "uptime", "")` reads (2, 50.00 %) instead of (4, 25.00 %)
unless holders pay `post_record` per default (F3 is back).

Suggested fix: never drop a refused record: `post_pending` stops at the first refusal and keeps it
queued (head not advanced), and `settle(post=True)` queues a refused post too; or refuse posting
(leave queued) while `_captured()` holds, so the refusal cannot be chosen by the operator.
"""

import boa
import pytest
from scenario import TH, attest, fund, report, trust_vault, warp

ZERO = "0x0000000000000000000000000000000000000000"


@pytest.mark.parametrize("path", ["keeper_settles_while_captured", "operator_drains_queue_while_captured"])
def test_h1_defaults_never_reach_reputation(path):
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    report(env, 0, 100 * TH, 4_224)
    fund(env, 0)
    attest(env, t, 0, 100)
    with boa.env.prank(env.operator):
        tr.finalize_epoch(0)
    warp(v.record_time(2) + 1)
    if path == "keeper_settles_while_captured":
        with boa.env.prank(env.operator):
            t.identity.approve(tr.address, t.agent_id)
        with boa.env.prank(env.holders[-1]):
            assert v.settle_due(64) == 2
    else:
        with boa.env.prank(env.operator):
            v.claim()  # settles 1 and 2 without a post: queued
            t.identity.approve(tr.address, t.agent_id)
            tr.post_pending(64)  # both refused, dropped off the queue
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)  # capture undone: the operator reports again
    assert tr.operator_wallet() == env.operator
    recs = [tr.record(e) for e in (1, 2)]
    assert all(r.settled and r.paid == 3_802 for r in recs)
    # keepers keep calling settle_due as the docs say; nothing posts the two defaults
    warp(v.record_time(3) + 1)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    count, value, decimals = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    assert count == 4, (
        f"reputation shows {count} epoch(s) at {value / 10**decimals:.2f} %; defaults 1, 2 feedback "
        f"{[tr.record(e).feedback for e in (1, 2)]} (1 = pending), queue {tr.pending_feedback()}"
    )
