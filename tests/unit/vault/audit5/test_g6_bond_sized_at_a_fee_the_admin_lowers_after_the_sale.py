"""G6 (low, fixed): the bond was sized at the performance fee in force during the sale, which the admin
may lower right after it: the F9 coverage is then silently halved.

`required_bond()` and `coverable_shares()` price an unreported epoch at `Nu` with the
**current** `perf_bps`. The admin (often the operator's own company) queues `perf_bps` = the
cap (50 %) before the sale; the operator posts `required_bond()` at that fee (half of what
10 % needs) and the whole capacity sells; the admin then queues the fee back to 10 % (holders
even welcome it) and every unreported epoch owes 0.9 G instead of 0.5 G. The bond now covers
3.9 of the 7 epochs the terms promise; `coverage_bps()` reads 5,555.

Figures (10,000 TH/s sold, `BOND_EPOCHS` 7): bond posted 1,478,568 sats at 50 %; at 10 % the
design's figure is 2,661,422; `coverage_bps()` after the change: 5,555 (fair >= 10,000).

Suggested fix: size `required_bond`/`coverable_shares` with the lowest fee the term allows
(`perf_bps = 0`, i.e. on the hashprice gross: an upper bound of every later `Nu`), or refuse
`queue_params` lowering `perf_bps` below the sale's value while `coverage_bps() < 10,000`.
"""

import boa
import pytest
from scenario import DAY, TH, trust_vault, warp



def test_g6_lowering_the_fee_after_the_sale_uncovers_the_bond():
    env, t = trust_vault(holdings=(), bond=0, sale_days=3, term_start_in=3 * DAY)
    v, tr = env.vault, t.trust
    p = v.params()
    assert p[3] == 1_000
    with boa.env.prank(env.admin):
        v.queue_params((p[0], p[1], p[2], 5_000, p[4]))
    warp(boa.env.timestamp + DAY)
    with boa.env.prank(env.admin):
        v.apply_params()
    need = tr.required_bond()
    with boa.env.prank(env.operator):
        tr.post_bond(need)
    with boa.env.prank(env.holders[0]):
        v.buy(10_000 * TH, 2**255, env.holders[0])  # the whole capacity is covered at 50 %
    assert tr.coverage_bps() >= 10_000
    with boa.env.prank(env.admin):
        v.queue_params(p)  # back to 10 %
    warp(boa.env.timestamp + DAY)
    with boa.env.prank(env.admin):
        v.apply_params()
    cov = tr.coverage_bps()
    assert cov >= 10_000, (
        f"bond {need} sats posted at perf 50 % covers {cov} bps of BOND_EPOCHS at 10 % "
        f"(required there: {tr.required_bond()})"
    )
