"""Found by the deep vault state machine (`make test-deep`, test_invariants_boa.py): a term nobody
bought into, an epoch reported with a gross (delivered 0 of a supply of 0) and never funded: its
default owes the reported net and the bond pays it into the vault, which credited it to nobody
and counted it nowhere (`_credit` skipped a zero supply): the vault held 29,572 sats more than
it owed. Now the payment is kept like a stream with nobody to receive it (`unallocated_scaled`,
streamed by the next funded epoch) and counted in `total_notified`."""

import boa
from scenario import report, trust_vault, warp

STREAM = 10**18  # HashrateVault.vy: sats * 1e18 in the stream's scaled figures


def test_a_default_paid_into_a_vault_without_holders_is_accounted():
    env, t = trust_vault(holdings=())
    v = env.vault
    assert v.totalSupply() == 0
    report(env, 0, 0, 4_224)  # a gross with nobody to pay it to; never funded
    warp(v.record_time(0) + 1)
    before = env.wbtc.balanceOf(v.address)
    with boa.env.prank(env.holders[0]):
        assert v.settle_due(64) >= 1
    (s,) = [x for x in v.get_logs(strict=False) if type(x).__name__ == "EpochSettled" and x.epoch == 0]
    assert s.credited > 0
    assert env.wbtc.balanceOf(v.address) - before == s.credited
    assert v.unallocated_scaled() == s.credited * STREAM
    assert env.wbtc.balanceOf(v.address) == v.total_notified() - v.total_claimed() + v.fees_payable()
