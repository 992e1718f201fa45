"""S1 (checked, sound): rounding dust is neither stealable nor stranded beyond 1 sat per holder.

Three holders of 1, 7 and 992 TH/s; five epochs reported, funded and streamed; an attacker
checkpoints (`checkpoint`, `claim_for`, `transfer(victim, 0)`) every holder every 10 minutes of
the first stream; the holders claim after the last stream. Every sat notified is claimed
except at most one per holder (their sub-sat remainders, which stay theirs), and the attacker,
who holds nothing, is paid nothing. Passes today; it fails if checkpoints round again or if the
accumulator's truncation grows.
"""

import boa
from scenario import TH, fund, report, trust_vault, warp


def test_s1_dust_per_holder_under_one_sat_and_attacker_gets_none():
    env, _ = trust_vault(holdings=(1, 7, 992))
    v, mallory, holders = env.vault, env.holders[3], env.holders[:3]
    paid = 0
    for e in range(5):
        report(env, e, 1_000 * TH, 43_210 + 7 * e)
        fund(env, e)
        if e == 0:
            for _ in range(144):
                boa.env.time_travel(seconds=600)
                with boa.env.prank(mallory):
                    for h in holders:
                        v.checkpoint(h)
                        paid += v.claim_for(h)
                        v.transfer(h, 0)
    warp(v.period_finish() + 1)
    for h in holders:
        with boa.env.prank(h):
            paid += v.claim()
    with boa.env.prank(mallory):
        assert v.claim() == 0
    assert v.total_claimed() == paid  # every sat paid went to a holder
    stranded = v.total_notified() - v.total_claimed()
    assert 0 <= stranded <= len(holders), f"{stranded} sats left unclaimed after every stream ended"
    assert env.wbtc.balanceOf(mallory) == 0
    assert sum(env.wbtc.balanceOf(h) for h in holders) == paid
