"""F5 (medium): a fee change queued after an epoch ended still prices that epoch.

`report_epoch` splits with `self.params` as they are at report time, and `ADMIN_DELAY` (1 day
on the devnet) is shorter than `REPORT_GRACE` (3 days). The admin queues `perf_bps` 10 % -> 50 %
(the cap) at the end of epoch 0, applies it a day later, and the operator reports epoch 0
after that: 100 TH/s, gross 100,000 sats, cost 3,100, perf 48,450 instead of 9,690 and net
48,450 instead of 87,210 (-44 %). Holders had no way out: the epoch was already mined under
the old terms, and selling the shares only hands its stream to the buyer. The delay protects
nobody for the epochs in their grace period.

Suggested fix: split each epoch with the params in force at its end (keep the previous params
with an "effective from epoch" index, or only let `apply_params` take effect at the next epoch
boundary after all epochs that ended before it are reported), and require
`ADMIN_DELAY >= EPOCH + REPORT_GRACE`.

Fixed by the trust split (docs/design/vault-trust-split.md §4): parameters are versioned by the time they apply; an epoch is split with `params_of(e)`, the version in force at its end; `admin_delay >= EPOCH`.
"""

import boa
from boa_vault import DAY, deploy
from scenario import PRICE, TH, events, report, trust_vault, warp

from hashtrust.hashrate.economics import FeeParams, fee_split


def test_f5_perf_fee_raised_after_the_epoch_ended_is_charged_on_it():
    env, _ = trust_vault(holdings=(100,))
    v, admin = env.vault, env.admin
    warp(v.epoch_end(0) - 60)
    env.feed.set_price(PRICE)  # the round in force at epoch 0's end
    warp(v.epoch_end(0))
    p = v.params()
    with boa.env.prank(admin):
        v.queue_params((p.mj_per_th, p.micro_usd_per_kwh, p.micro_usd_per_th_day, 5_000, p.fee_recipient))
    warp(v.pending_eta())
    with boa.env.prank(admin):
        v.apply_params()
    (applied,) = events(v, "ParamsApplied")
    assert (applied.params.perf_bps, applied.from_time) == (5_000, boa.env.timestamp)
    assert v.pending_eta() == 0 and v.params().perf_bps == 5_000
    assert v.params_of(0).perf_bps == 1_000
    report(env, 0, 100 * TH, 100_000)  # within epoch 0's grace
    fee, perf, net = fee_split(100 * TH, 100_000, FeeParams(), 100_000 * 10**8)  # epoch 0's own terms
    assert (fee, perf, net) == (3_100, 9_690, 87_210)
    e = v.epochs(0)
    assert (e.fee, e.perf, e.net) == (fee, perf, net), f"epoch 0 split ({e.fee}, {e.perf}, {e.net})"


def test_f5_admin_delay_below_an_epoch_refused():
    with boa.reverts("vault: admin delay below an epoch"):
        deploy(admin_delay=DAY - 1, trust=False)
