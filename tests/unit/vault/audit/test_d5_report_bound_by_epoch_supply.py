"""Issue 14, defect 5 (low): `report_epoch` bounded `delivered` by the current supply.

On the unfixed vault (sale open during the term): 100 TH/s sold during epoch 0; an attacker
(or the operator) bought 9,900 TH/s after the epoch ended and the operator then reported
10,000 TH/s delivered, taking 310,000 sats of electricity and maintenance fees out of a
1,000,000-sat gross for a 100 TH/s epoch. Fixed: the supply cannot change during the term, and
the bound and the recorded `supply` are the epoch's.

After the trust split (docs/design/vault-trust-split.md): `report_epoch` takes the round in force at the epoch end.
"""

import boa
from scenario import PRICE, REPORT_HASH, TH, report_epoch, trust_vault, warp


def test_d5_over_report_refused():
    env, _ = trust_vault(holdings=(100,))
    v, late = env.vault, env.holders[1]
    warp(v.epoch_end(0) - 60)
    env.feed.set_price(PRICE)
    warp(v.epoch_end(0) + 60)
    with boa.env.prank(late), boa.reverts("vault: sale ended"):
        v.buy(9_900 * TH, 2**255, late)
    with boa.reverts("vault: delivered exceeds sold"):
        report_epoch(env, 0, 100 * TH + 1, 1_000_000, REPORT_HASH, "ipfs://pool")
    report_epoch(env, 0, 100 * TH, 1_000_000, REPORT_HASH, "ipfs://pool")
    ep = v.epochs(0)
    assert (ep.delivered, ep.supply, ep.fee) == (100 * TH, 100 * TH, 3_100)
