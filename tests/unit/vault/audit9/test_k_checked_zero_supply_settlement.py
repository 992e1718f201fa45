"""audit9, checked (cef4723): a settlement paid into a vault with zero supply is kept in
`unallocated_scaled` and counted in `total_notified`.

Attacks tried: (1) capture it by getting shares afterwards: the supply is fixed from SALE_END
(`buy` refused, no mint path, `_transfer` refuses the zero address), so a zero supply during the
term is a vault nobody ever bought into and stays zero; (2) double counting: the next funding's
`_notify_reward` moves the unallocated figure into the stream without counting it again;
(3) the identity balance == total_notified - total_claimed + fees_payable, and, with nobody to
pay, unallocated + unstreamed == total_notified * 1e18 exactly (nothing lost, nothing created).
Sound; the only cost is the operator's own (a gross reported for a supply of 0 and not funded
sends its own bond to a vault nobody can claim from)."""

import boa
from scenario import TH, fund, report, trust_vault, warp

STREAM = 10**18


def _identity(env):
    v = env.vault
    assert env.wbtc.balanceOf(v.address) == v.total_notified() - v.total_claimed() + v.fees_payable()


def test_zero_supply_settlement_is_kept_counted_once_and_uncapturable():
    env, t = trust_vault(holdings=(), n_epochs=10)
    v, tr = env.vault, t.trust
    assert v.totalSupply() == 0
    report(env, 0, 0, 4_224)  # reported, never funded: owes its own net
    warp(v.record_time(0) + 1)
    with boa.env.prank(env.holders[0]):
        v.settle_due(64)
    paid0 = tr.record(0).paid
    assert paid0 > 0 and v.unallocated_scaled() == paid0 * STREAM
    assert v.total_notified() == paid0
    _identity(env)

    # an attacker wants in: the sale is over for good
    with boa.env.prank(env.holders[1]), boa.reverts("vault: sale ended"):
        v.buy(TH, 2**255, env.holders[1])
    assert v.max_buy(env.holders[1]) == 0

    # the next funded epoch re-streams it (not counted twice), still to nobody
    report(env, 1, 0, 5_000)
    fund(env, 1)
    net1 = v.epochs(1).net
    assert v.total_notified() == paid0 + net1
    assert v.unallocated_scaled() == 0
    _identity(env)
    warp(boa.env.timestamp + 2 * 86_400)
    v.checkpoint(env.holders[1])
    assert v.unallocated_scaled() + v.unstreamed_scaled() == (paid0 + net1) * STREAM
    for h in env.holders:
        assert v.claimable(h) == 0
        with boa.env.prank(h):
            assert v.claim() == 0
    _identity(env)


def test_unallocated_never_moves_with_holders():
    """With a supply (always, once anyone bought), settlements go to reward_per_share, never to
    unallocated_scaled; a claim of every holder stays within total_notified."""
    env, t = trust_vault(holdings=(60, 40), n_epochs=10)
    v = env.vault
    report(env, 0, 100 * TH, 4_224)
    fund(env, 0)
    # epoch 1 unreported: a default credited at D(1)
    warp(v.record_time(1) + 1)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    assert v.unallocated_scaled() == 0
    warp(v.record_time(0) + 1)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    assert v.unallocated_scaled() == 0
    paid = 0
    for h in env.holders[:2]:
        with boa.env.prank(h):
            paid += v.claim()
    assert paid <= v.total_notified() and v.total_notified() - paid <= 2  # at most a sat per holder
    _identity(env)
