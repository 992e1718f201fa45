"""I1: the operator keeps its agent captured for the rest of the term; no default ever reaches the reputation.

H1's fix stops trying (and keeps the queue) while `_captured()` holds, on the premise that the
capture is "a refusal the operator chooses and can undo". Nothing makes the operator undo it: it
keeps the agent (only an `approve` is set), and a `settle_due` keeper never posts the queued
defaults. With the VAULT approved the registry would even accept the trust's feedback
(`post_record` posts it: only the trust censors itself); with the trust approved it refuses.
Epoch 0 finalised (100.00 posted), every later epoch unreported: every default settled by the
keepers sits in the queue (epochs 1..5 here; the same to the term end), `getSummary` = (1, 100.00 %).
"""

import boa
import pytest
from scenario import TH, attest, fund, report, trust_vault, warp


@pytest.mark.xfail(strict=True, reason="I1: a capture kept to the term end keeps every default off the reputation")
@pytest.mark.parametrize("who", ["vault", "trust"])
def test_i1_capture_never_undone(who):
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    report(env, 0, 100 * TH, 4_224)
    fund(env, 0)
    attest(env, t, 0, 100)
    with boa.env.prank(env.operator):
        tr.finalize_epoch(0)
        t.identity.approve(v.address if who == "vault" else tr.address, t.agent_id)
    n = 6  # epochs 0..5 settled, one keeper call per record time (the capture is never undone)
    for e in range(1, n):
        warp(v.record_time(e) + 1)
        with boa.env.prank(env.holders[-1]):
            v.settle_due(64)
    assert all(tr.record(e).settled for e in range(n))
    count, value, dec = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    print("queue", tr.pending_feedback(), "summary", count, value / 10**dec)
    assert count == n, f"reputation shows {count} epoch(s) at {value / 10**dec:.2f} % after {n} epochs"


def test_i1_registry_accepts_the_trust_while_the_vault_is_approved():
    """Not xfail: shows the VAULT 'capture' is no registry refusal: post_record posts under it."""
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    with boa.env.prank(env.operator):
        t.identity.approve(v.address, t.agent_id)
    warp(v.record_time(0) + 1)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    assert tr.record(0).feedback == 1 and tr.pending_feedback() == (0, 1)
    with boa.env.prank(env.holders[-1]):
        assert tr.post_record(0)
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[0] == 1
