"""Issue 14, defect 1 (high): `declare_default` priced a defaulted epoch at today's supply.

On the unfixed vault (sale open 31 days, overlapping the term): one holder of 100 TH/s, epoch 0
never reported; after its deadline an attacker bought 9,900 TH/s and declared the default: the
expected reward went from 3,802 to 380,203 sats and the whole 380,203 was slashed (100x), the
attacker streaming 376,400 of it; with a bond of exactly 3,802 the epoch's only holder received
38 sats, the attacker 3,763. Fixed at the root (the sale must end before the term, so the supply
cannot change during it) and in the code (a reported epoch's default is priced at the supply
recorded with its report).

After the trust split (docs/design/vault-trust-split.md): no declarer; an unreported epoch is settled at D(e) by `settle_due` (or the first balance change) for `Nu(e)` of the term supply, credited as a step.
"""

import boa
from boa_vault import DAY, deploy
from scenario import TH, events, report, settle_until, trust_vault

from hashtrust.hashrate.economics import FeeParams, fee_split


def fair_expected(supply: int, btc_usd: int | None) -> int:
    """What holders of `supply` shares are owed for a defaulted epoch (boa_vault's hashprice inputs)."""
    gross = supply * 10**12 * DAY * 315_000_000 // (TH * 150 * 10**12 * 2**32)
    p = FeeParams()
    if btc_usd is None:
        return gross - gross * p.perf_bps // 10_000
    return fee_split(supply, gross, p, btc_usd)[2]


def test_d1_sale_overlapping_the_term_is_refused():
    with boa.reverts("vault: sale must end before the term"):
        deploy(term_start_in=DAY, sale_days=31)
    with boa.reverts("vault: sale must end before the term"):
        deploy(term_start_in=DAY - 1, sale_days=1)  # one second of overlap
    env = deploy(term_start_in=DAY, sale_days=1)  # the sale may close exactly when the term starts
    assert env.vault.SALE_END() == env.vault.TERM_START()


def test_d1_late_buyer_cannot_grow_the_default():
    env, t = trust_vault(holdings=(100,))
    v, holder, late = env.vault, env.holders[0], env.holders[1]
    boa.env.time_travel(seconds=v.report_deadline(0) + 1 - boa.env.timestamp)
    with boa.env.prank(late), boa.reverts("vault: sale ended"):
        v.buy(9_900 * TH, 2**255, late)
    assert t.trust.expected_unreported(0) == fair_expected(100 * TH, None) == 3_802
    settle_until(env, 0)
    assert [(s.epoch, s.credited) for s in events(v, "EpochSettled")][0] == (0, 3_802)
    assert v.claimable(holder) >= 3_802  # a step: no stream dust


def test_d1_reported_epoch_default_priced_at_its_recorded_supply():
    env, t = trust_vault(holdings=(100,))
    v, holder = env.vault, env.holders[0]
    report(env, 0, 100 * TH, 0)  # reported, never funded: a default after the deadline
    assert v.epochs(0).supply == 100 * TH == v.term_supply()
    expected = fair_expected(100 * TH, 100_000 * 10**8)
    assert t.trust.expected_reported(0) == expected == 1_012
    settle_until(env, 0)
    (s,) = [s for s in events(v, "EpochSettled") if s.epoch == 0]
    # G1 (audit5, 9c6a18a): unfunded, it owes max(e.net = 0, Nu(0)) at the epoch's supply
    assert s.credited == fair_expected(100 * TH, None) == 3_802
    assert v.claimable(holder) == 3_802
