"""Open item of the split review, re-checked under the audit5 rules (G1 pricing, G6 bond sizing):
"which epoch gets paid when the bond runs short depends on settlement order". Fixed by the vault's
record-time ordering (`_settle_due` moves the cursor whose record time is earlier, ties to the unfunded
one): a keeper settling everything at once, late, gives the same records, bond and claimables as
settling each epoch right after its record time.

Epoch 0 funded and never attested (R = A(0) = end + 6 d, owes Nu 3,802 less its net), epochs 1-8
unreported (R = D(e) = end + 3 d, Nu 3,802 each): in record-time order 1, 2, 3, 0, 4, 5, ... The bond,
29,572 sats (`required_bond` for 100 TH/s under G6: ceil(7 G) at the 1e6 TH/s rate) runs out inside epoch 7's settlement, so the
order decides which epochs are paid; with index order epoch 0 would be paid before 1-3.
"""

import boa
from scenario import TH, fund, report, trust_vault, warp


def _history(on_time: bool):
    env, t = trust_vault(holdings=(60, 40), bond=29_572, n_epochs=9)
    v, tr = env.vault, t.trust
    report(env, 0, 100 * TH, 1_000)  # net 0 after electricity: funded, never attested
    fund(env, 0)
    keeper, order = env.holders[-1], []
    times = sorted((v.record_time(e), e) for e in range(9))
    for rt, _ in times if on_time else times[-1:]:
        warp(rt + 1)
        with boa.env.prank(keeper):
            v.settle_due(64)
        order += [x.epoch for x in v.get_logs(strict=False) if type(x).__name__ == "EpochSettled"]
    assert all(tr.record(e).settled for e in range(9))  # (the attest cursor still has to pass A(1..8))
    recs = [tuple(tr.record(e)) for e in range(9)]
    return order, recs, tr.bond(), [v.claimable(h) for h in env.holders[:2]]


def test_bond_order_late_equals_on_time_and_follows_record_times():
    order_a, on_time, bond_a, claims_a = _history(True)
    order_b, late, bond_b, claims_b = _history(False)
    # D(3) = A(0): ties go to the unfunded cursor
    assert order_a == order_b == [1, 2, 3, 0, 4, 5, 6, 7, 8]
    assert (late, bond_b, claims_b) == (on_time, bond_a, claims_a)
    assert [r[3] for r in late] == [3_802] * 9
    # paid in record-time order until the bond runs out inside epoch 7 (a late batch that ran one
    # cursor to the end first would have paid 1-7 in full, 8 partly and epoch 0 nothing)
    assert [r[4] for r in late] == [3_802] * 7 + [2_958, 0]
    assert bond_a == 0
    assert 29_572 - 2 <= sum(claims_a) <= 29_572  # pro rata 60 / 40, truncated
