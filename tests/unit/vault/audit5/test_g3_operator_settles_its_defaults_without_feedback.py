"""G3 (medium, fixed): the operator settled its own defaults silently, so they never reach its reputation.

F3's fix posts uptime 0 for a default only when it is settled through `settle_due`
(`post=True`). Every balance change and every claim also settles due epochs, with
`post=False`, leaving the default's feedback PENDING until a third party pays for
`post_record`. `claim()` needs no shares: the operator (or anyone on its behalf) calls it
right after each record time and every default is settled without a post, at ~85k gas,
front-running any keeper's `settle_due` (which then finds nothing due). Its good epochs are
posted at finalisation, which the operator calls itself. The record shown to anyone reading
the registry is the operator's selection again (F3), unless holders pay ~63k gas per default.

Figures (100 TH/s): epoch 0 delivered and finalised (posted 100.00), epochs 1 and 2 never
reported. The operator calls `claim()` once after R(2): both defaults are settled (3,802 sats
each, paid) with feedback PENDING; `getSummary(agent, [trust], "uptime", "")` reads
(1, 100.00) instead of (3, 33.33); a later `settle_due(64)` settles nothing.

Suggested fix: in `VaultTrust.settle` post whenever the gas floor is met (the post is
`revert_on_failure=False`, so an auto-settlement with enough gas simply posts), and make the
vault's auto-settlement pass `post=True` when `msg.gas` is ample; or let `settle_due` post
pending records of already settled epochs, and have the SDK keeper run `post_record` for every
PENDING record. At the least, document that defaults reach reputation only if someone pays.
"""

import boa
import pytest
from scenario import TH, attest, fund, report, trust_vault, warp


PENDING = 1


def test_g3_defaults_settled_by_a_claim_leave_no_feedback():
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    report(env, 0, 100 * TH, 4_224)
    fund(env, 0)
    attest(env, t, 0, 100)
    with boa.env.prank(env.operator):
        tr.finalize_epoch(0)  # the good epoch: posted now (100.00)
    # epochs 1 and 2 are never reported; just after R(2) the operator claims (it holds nothing)
    warp(v.record_time(2) + 1)
    with boa.env.prank(env.operator):
        assert v.claim() == 0
    recs = [tr.record(e) for e in (1, 2)]
    assert all(r.settled and r.paid == 3_802 for r in recs)
    with boa.env.prank(env.holders[-1]):
        assert v.settle_due(64) == 0  # the keeper finds nothing to do
    count, value, decimals = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    # three epochs were settled, two of them defaults: the record should say so
    assert count == 3, (
        f"reputation shows {count} epoch(s) at {value / 10**decimals:.2f} %; defaults 1 and 2 feedback "
        f"{[r.feedback for r in recs]} (1 = pending)"
    )
