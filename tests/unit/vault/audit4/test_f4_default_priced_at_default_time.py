"""F4 (medium): a default is priced with the fee parameters and BTC/USD of the moment it is
declared, not with the epoch's own.

`_expected` reads the current `params` and `last_btc_usd` (the latest report of *any* epoch).
100 TH/s sold, epoch 0 never reported: right after its deadline its expected net is 3,802 sats
(gross 4,224, only the 10 % performance fee, because no report exists yet). If the operator
(who chooses what to report and when) reports epoch 1 at $100k before anyone declares epoch 0,
the figure becomes 1,012 (electricity 3,100 sats deducted), a 73 % cut; after the admin applies
the power price cap ($0.50/kWh, 1 day of delay) it is 0 and the default slashes nothing. A
BTC/USD fall has the same effect ($20k: cost 15,500 sats > gross, expected 0). The same epoch
is worth 3,802, 1,012 or 0 depending on what happened after it ended.

Suggested fix: price an unreported epoch with the parameters in force during the epoch and a
price fixed at (or before) its end (e.g. store `last_btc_usd` and a params version per epoch
boundary, or snapshot the expected net at the first touch after the epoch's end); for a
reported epoch use its own `btc_usd` and the params of its report.

Fixed by the trust split (docs/design/vault-trust-split.md §4): an unreported epoch owes `Nu(e)` (no electricity) with `params_of(e)`; the feed is never read by a default.
"""

import boa
from scenario import TH, events, fund, report, settle_until, trust_vault, warp


def test_f4_expected_reward_of_an_ended_epoch_moves_with_later_events():
    env, t = trust_vault(holdings=(100,))
    v, tr, admin, mallory = env.vault, t.trust, env.admin, env.holders[2]
    warp(v.epoch_end(0) + 60)
    at_end = tr.expected_unreported(0)
    assert at_end == 3_802
    report(env, 1, 100 * TH, 100_000)  # the operator reports the next epoch (epoch 0 skipped)
    fund(env, 1)
    after_report = tr.expected_unreported(0)
    p = v.params()
    with boa.env.prank(admin):
        v.queue_params((p.mj_per_th, 500_000, p.micro_usd_per_th_day, p.perf_bps, p.fee_recipient))
    warp(v.pending_eta())
    with boa.env.prank(admin):
        v.apply_params()
    assert v.params().micro_usd_per_kwh == 500_000 and v.params_of(0).micro_usd_per_kwh == p.micro_usd_per_kwh
    env.feed.set_price(20_000 * 10**8)  # a BTC fall after the end changes nothing either
    assert tr.expected_unreported(0) == at_end
    settle_until(env, 0, by=mallory)
    slashed = next(s.credited for s in events(v, "EpochSettled") if s.epoch == 0)
    # epoch 0's compensation should not depend on what was reported or applied after it ended
    assert (after_report, slashed) == (at_end, at_end), f"expected at end {at_end}, after a later report {after_report}, slashed {slashed}"
