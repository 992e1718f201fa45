"""J1: `post_bond` reverts "trust: term over" from TERM_END on, although the last epochs are settled
after TERM_END (record time = end + REPORT_GRACE, + 2 * REPORT_GRACE when funded) and a top-up then
is paid to the holders by those settlements: the docstring's "it would cover nothing" is false."""

import boa
from trust_kit import NU_100, N_EPOCHS, UNREPORTED


def test_top_up_after_term_end_covers_the_last_epoch(kit):
    t = kit.open(bond=1_000)  # less than the Nu (3,802) of one unreported epoch
    kit.vault.set_cursor(N_EPOCHS - 1)  # every epoch before the last settled: nothing overdue
    last = N_EPOCHS - 1
    kit.warp_to(kit.vault.TERM_END() + 60)  # the last epoch ended, its record time is a grace away
    assert boa.env.timestamp < kit.vault.record_time(last)
    kit.wbtc.mint(kit.stranger, NU_100)
    with boa.env.prank(kit.stranger):
        kit.wbtc.approve(t.address, 2**256 - 1)
        try:
            t.post_bond(NU_100 - 1_000)  # a supporter (or the operator) makes the last epoch whole
        except boa.BoaError:
            pass
    kit.warp_to(kit.vault.record_time(last) + 1)
    kit.vault.do_settle(last, True)
    rec = t.record(last)
    assert rec.kind == UNREPORTED
    # fair: the top-up posted before the record time is paid to the holders at it
    assert rec.paid == NU_100
