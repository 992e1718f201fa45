"""Checked, not a bug: the guardian's whole pause budget (8 x 7 d, chained, each started 10 s
before the pushed report deadline) delays epoch 0 but never makes it unreportable or due: the
operator still has the 10 s of grace that were left, reports and funds, and the unfunded cursor
does not settle it as a default."""

import boa
from boa_vault import report_epoch
from scenario import TH, fund, set_price_before, trust_vault, warp


def test_chained_pauses_leave_the_grace_that_was_left():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    set_price_before(env, 0, 100_000 * 10**8)
    d0 = v.report_deadline(0)
    for _ in range(8):
        warp(v.report_deadline(0) - 10)
        with boa.env.prank(env.guardian):
            v.pause()
        warp(boa.env.timestamp + 7 * 86_400)  # the pause expires by itself
        assert not v.paused()
    assert v.report_deadline(0) == d0 + 8 * 7 * 86_400
    assert boa.env.timestamp < v.report_deadline(0)
    with boa.env.prank(env.holders[-1]):
        assert v.settle_due(64) == 0  # nothing due: epoch 0 is not defaulted
    report_epoch(env, 0, 100 * TH, 4_224)
    fund(env, 0)
    assert v.epochs(0).status == 2  # FUNDED
    assert not t.trust.record(0).settled
