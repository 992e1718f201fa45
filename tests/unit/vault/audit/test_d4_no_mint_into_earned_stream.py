"""Issue 14, defect 4 (low): primary-sale mints during the term took rewards already earned.

An epoch's net streams over the next epoch to whoever holds then. On the unfixed vault (sale
open during the term): 100 TH/s held through epoch 0 (net 810 sats); an attacker minted
9,900 TH/s after the epoch was funded and took 801 of the 810 sats, the holder keeping 8.
Fixed: the sale closes before the term starts, so no share is minted into a stream.
"""

import boa
from boa_vault import DAY, deploy
from scenario import TH, fund, report, trust_vault, warp


def test_d4_vault_selling_into_the_term_cannot_be_deployed():
    with boa.reverts("vault: sale must end before the term"):
        deploy(term_start_in=DAY, sale_days=8)  # the old devnet shape: a week of sale in the term


def test_d4_sale_closes_when_the_term_starts():
    env, _ = trust_vault(holdings=(100,))
    v, late = env.vault, env.holders[1]
    warp(v.TERM_START() - 1)
    with boa.env.prank(late):
        v.buy(TH, 2**255, late)  # the last second of the sale
    warp(v.TERM_START())
    assert v.max_buy(late) == 0
    with boa.env.prank(late), boa.reverts("vault: sale ended"):
        v.buy(TH, 2**255, late)


def test_d4_holder_keeps_the_stream_it_earned():
    env, _ = trust_vault(holdings=(100,))
    v, holder, late = env.vault, env.holders[0], env.holders[1]
    report(env, 0, 100 * TH, 4_000)
    fund(env, 0)
    assert v.epochs(0).net == 810
    with boa.env.prank(late), boa.reverts("vault: sale ended"):
        v.buy(9_900 * TH, 2**255, late)
    warp(v.period_finish() + 1)
    assert 809 <= v.claimable(holder) <= 810 and v.claimable(late) == 0
