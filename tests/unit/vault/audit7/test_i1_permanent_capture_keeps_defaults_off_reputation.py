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

ZERO = "0x0000000000000000000000000000000000000000"


def _capture_and_default(who, n):
    """Epoch 0 finalised, then the operator approves `who` on its agent and never reports again;
    a keeper calls `settle_due` at each record time of epochs 1..n-1."""
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    report(env, 0, 100 * TH, 4_224)
    fund(env, 0)
    attest(env, t, 0, 100)
    with boa.env.prank(env.operator):
        tr.finalize_epoch(0)
        t.identity.approve(v.address if who == "vault" else tr.address, t.agent_id)
    for e in range(1, n):
        warp(v.record_time(e) + 1)
        with boa.env.prank(env.holders[-1]):
            v.settle_due(64)
    assert all(tr.record(e).settled for e in range(n))
    return env, t


def test_i1_an_approved_vault_does_not_keep_defaults_off_the_reputation():
    """Fixed: the trust holds its posts only while the registry would refuse them (the trust
    authorised or its wallet); an approved vault is no refusal, each default posts as it settles."""
    n = 6
    env, t = _capture_and_default("vault", n)
    tr = t.trust
    count, value, dec = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    assert count == n and value / 10**dec == pytest.approx(100 / n, abs=0.01), f"reputation shows {count} epoch(s) at {value / 10**dec:.2f} % after {n} epochs"
    assert tr.pending_feedback()[0] == tr.pending_feedback()[1]  # nothing waits


def test_i1_an_approved_trust_keeps_every_default_queued_and_the_bond_waits_for_them():
    """The registry refuses the trust's feedback while the trust is authorised: nothing can post
    them then. Fixed: they stay queued (none dropped), the bond is not released while any waits
    (`withdraw_bond`: the operator's wallet is gone under the capture, and after its undo the queue
    must be empty), and the first `settle_due` after the undo posts them all."""
    n = 6
    env, t = _capture_and_default("trust", n)
    v, tr = env.vault, t.trust
    head, tail = tr.pending_feedback()
    assert tail - head == n - 1  # epochs 1..5, none dropped
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[0] == 1
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)  # undone: the next keeper call posts the queue
    warp(v.record_time(n) + 1)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    count, value, dec = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    assert count == n + 1 and value / 10**dec == pytest.approx(100 / (n + 1), abs=0.01)
    head, tail = tr.pending_feedback()
    assert head == tail


def test_i1_registry_accepts_the_trust_while_the_vault_is_approved():
    """The VAULT 'capture' is no registry refusal: the keeper's settlement posts the default."""
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    with boa.env.prank(env.operator):
        t.identity.approve(v.address, t.agent_id)
    warp(v.record_time(0) + 1)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    assert tr.record(0).feedback == 2 and tr.pending_feedback() == (0, 0)
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[0] == 1
