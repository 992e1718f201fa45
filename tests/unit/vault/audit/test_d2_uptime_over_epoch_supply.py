"""Issue 14, defect 2 (medium): `finalize_epoch` posted uptime `delivered * 1e4 / totalSupply` at
finalisation time.

On the unfixed vault (sale open during the term): 100 TH/s sold and delivered in full in epoch 0;
an attacker bought 9,900 TH/s before finalising, and the operator agent's public reputation
recorded 100 (1.00 %) instead of 10,000 (100.00 %), for good. Fixed: the sale ends before the
term and the uptime divides by the supply recorded with the epoch's report.

After the trust split (docs/design/vault-trust-split.md): the trust finalises and posts; the uptime divides by the term supply.
"""

import boa
from scenario import TH, attest, events, fund, report, trust_vault


def test_d2_full_delivery_posts_full_uptime_whatever_anyone_buys():
    env, t = trust_vault(holdings=(100,))
    v, tr, late = env.vault, t.trust, env.holders[1]
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    with boa.env.prank(late), boa.reverts("vault: sale ended"):
        v.buy(9_900 * TH, 2**255, late)
    assert tr.finalize_epoch(0) == 2
    (fin,) = events(tr, "EpochFinalized")
    assert (fin.epoch, fin.attestations, fin.uptime_bps) == (0, 2, 10_000)
    (fb,) = events(tr, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 10_000, True)
    r = tr.record(0)
    assert (r.kind, r.uptime_bps, r.attestations, r.feedback) == (1, 10_000, 2, 2)
    count, value, decimals = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    assert (count, value, decimals) == (1, 10_000, 2)


def test_d2_partial_delivery_over_the_epoch_supply():
    env, t = trust_vault(holdings=(600, 400))
    v, tr = env.vault, t.trust
    report(env, 0, 950 * TH, 100_000)
    assert v.epochs(0).supply == 1_000 * TH
    fund(env, 0)
    attest(env, t, 0)
    tr.finalize_epoch(0)
    (fin,) = events(tr, "EpochFinalized")
    assert fin.uptime_bps == 9_500
