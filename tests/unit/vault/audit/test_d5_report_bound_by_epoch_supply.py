"""Issue 14, defect 5 (low): `report_epoch` bounded `delivered` by the current supply.

On the unfixed vault (sale open during the term): 100 TH/s sold during epoch 0; an attacker
(or the operator) bought 9,900 TH/s after the epoch ended and the operator then reported
10,000 TH/s delivered, taking 310,000 sats of electricity and maintenance fees out of a
1,000,000-sat gross for a 100 TH/s epoch. Fixed: the supply cannot change during the term, and
the bound and the recorded `supply` are the epoch's.
"""

import boa
from scenario import REPORT_HASH, TH, trust_vault, warp


def test_d5_over_report_refused():
    env, _ = trust_vault(holdings=(100,))
    v, late = env.vault, env.holders[1]
    warp(v.epoch_end(0) + 60)
    with boa.env.prank(late), boa.reverts("vault: sale ended"):
        v.buy(9_900 * TH, 2**255, late)
    env.feed.set_price(100_000 * 10**8)
    with boa.env.prank(env.operator), boa.reverts("vault: delivered exceeds sold"):
        v.report_epoch(0, 100 * TH + 1, 1_000_000, REPORT_HASH, "ipfs://pool")
    with boa.env.prank(env.operator):
        v.report_epoch(0, 100 * TH, 1_000_000, REPORT_HASH, "ipfs://pool")
    ep = v.epochs(0)
    assert (ep.delivered, ep.supply, ep.fee) == (100 * TH, 100 * TH, 3_100)
