"""VaultTrust bond: posting (measured, fee-on-transfer refused, refused while an epoch is overdue),
sizing views (required_bond, coverable_shares, coverage_bps; F9, on the gross: G6) and the release after the term."""

import boa
import pytest
from trust_kit import (
    CAPACITY,
    DAY,
    FUNDED,
    GROSS_100,
    N_EPOCHS,
    NU_100,
    REPORTED,
    SUPPLY,
    TH,
    ZERO,
    events,
    gross,
    load,
    set_wallet,
)

REF = 10**6 * TH


def _fund_operator(kit, t, amount):
    kit.wbtc.mint(kit.operator, amount)
    with boa.env.prank(kit.operator):
        kit.wbtc.approve(t.address, 2**256 - 1)


def test_post_bond_anyone_measured(kit):
    t = kit.open(bond=0)
    _fund_operator(kit, t, 5_000)
    with boa.env.prank(kit.operator):
        t.post_bond(3_000)
    (b,) = events(t, "BondPosted")
    assert (b.sender, b.amount, b.bond) == (kit.operator, 3_000, 3_000)
    kit.wbtc.mint(kit.stranger, 700)
    with boa.env.prank(kit.stranger):
        kit.wbtc.approve(t.address, 700)
        t.post_bond(700)
    (b,) = events(t, "BondPosted")
    assert (b.sender, b.amount, b.bond) == (kit.stranger, 700, 3_700)
    assert t.bond() == kit.wbtc.balanceOf(t.address) == 3_700


def test_post_bond_zero(kit):
    t = kit.open(bond=0)
    with boa.reverts("trust: zero bond"):
        t.post_bond(0)


def test_post_bond_without_allowance(kit):
    t = kit.open(bond=0)
    kit.wbtc.mint(kit.stranger, 100)
    with boa.env.prank(kit.stranger), boa.reverts():
        t.post_bond(100)
    assert t.bond() == 0


def test_post_bond_fee_on_transfer_refused(kit):
    token = load("mocks/MockVaultToken", 8)
    vault = load("mocks/MockTrustVault", token.address, boa.env.timestamp + DAY, N_EPOCHS, 3 * DAY, CAPACITY, kit.params())
    vault.set_roles(kit.admin, kit.guardian, kit.treasury)
    t = kit.deploy_trust(vault=vault.address)
    token.mint(kit.stranger, 10_000)
    token.set_fee_bps(100)
    with boa.env.prank(kit.stranger):
        token.approve(t.address, 10_000)
        with boa.reverts("trust: reward token fee-on-transfer"):
            t.post_bond(10_000)
    token.set_fee_bps(0)
    with boa.env.prank(kit.stranger):
        t.post_bond(10_000)
    assert t.bond() == 10_000


def test_post_bond_refused_while_an_epoch_is_overdue(kit):
    """A top-up between an epoch's record time and its settlement would change what it pays."""
    t = kit.open(bond=1_000)
    _fund_operator(kit, t, 10_000)
    kit.warp_to(kit.vault.record_time(0))
    with boa.env.prank(kit.operator):
        t.post_bond(1)  # at the record time itself: not yet due
    kit.warp_to(kit.vault.record_time(0) + 1)
    with boa.env.prank(kit.operator), boa.reverts("trust: epochs overdue, call settle_due"):
        t.post_bond(1)
    assert kit.vault.do_settle(0, True) == 1_001  # the whole bond (1,000 + 1) against 3,802 owed
    kit.vault.set_cursor(1)
    with boa.env.prank(kit.operator):
        t.post_bond(1)
    assert t.bond() == 1


def test_overdue_epoch_behind_a_funded_cursor(kit):
    """The cursor waits at a funded epoch (record time = attest deadline) while a later unreported epoch
    passes its report deadline: that one is overdue too."""
    t = kit.open(bond=1_000)
    _fund_operator(kit, t, 10_000)
    kit.epoch(0, FUNDED, SUPPLY, 4_224)
    kit.epoch(1, REPORTED, SUPPLY, 4_224)
    kit.epoch(1, FUNDED, SUPPLY, 4_224)
    # epochs 0, 1 funded (record = end + 6 d); epoch 2 unreported (record = end_2 + 3 d = end_0 + 5 d)
    kit.warp_to(kit.vault.record_time(2) + 1)
    assert boa.env.timestamp < kit.vault.record_time(0)
    with boa.env.prank(kit.operator), boa.reverts("trust: epochs overdue, call settle_due"):
        t.post_bond(1)
    kit.vault.do_settle(2, False)
    # the vault's loop: the unfunded cursor skipped funded 0, 1 and settled 2 (now at 3, D(3) not
    # passed); the attest cursor waits at 0 (A(0) not passed)
    kit.vault.set_cursors(3, 0)
    with boa.env.prank(kit.operator):
        t.post_bond(1)


def test_a_cursor_left_behind_is_overdue_until_settle_due_moves_it(kit):
    """audit9 K1: the trust asks the vault's own question, O(1): a cursor past its record time is
    due, whatever the distance between the two cursors (a 64-epoch scan from the lower one
    missed the other). A cursor with only a skip to make counts too, until settle_due moves it."""
    t = kit.open(bond=1_000)
    _fund_operator(kit, t, 10_000)
    kit.epoch(0, FUNDED, SUPPLY, 4_224)
    kit.warp_to(kit.vault.report_deadline(0) + 1)  # epoch 0 funded: record time A(0), not due
    with boa.env.prank(kit.operator), boa.reverts("trust: epochs overdue, call settle_due"):
        t.post_bond(1)  # the unfunded cursor still at 0, past D(0): a skip to make
    kit.vault.set_cursors(1, 0)  # settle_due skipped it
    with boa.env.prank(kit.operator):
        t.post_bond(1)
    kit.vault.set_grace(10 * DAY)  # D(9) = end(0) + 19 d comes before A(0) = end(0) + 20 d
    kit.vault.set_cursors(N_EPOCHS - 1, 0)  # the unfunded cursor far ahead of the attest cursor
    kit.warp_to(kit.vault.report_deadline(N_EPOCHS - 1) + 1)
    assert boa.env.timestamp < kit.vault.attest_deadline(0)
    with boa.env.prank(kit.operator), boa.reverts("trust: epochs overdue, call settle_due"):
        t.post_bond(1)
    kit.vault.set_cursors(N_EPOCHS, 0)  # the attest cursor alone: not due before A(0)
    with boa.env.prank(kit.operator):
        t.post_bond(1)
    kit.warp_to(kit.vault.attest_deadline(0) + 1)  # past A(0) (epoch 0 funded, not settled)
    with boa.env.prank(kit.operator), boa.reverts("trust: epochs overdue, call settle_due"):
        t.post_bond(1)
    kit.vault.set_cursors(N_EPOCHS, 1)
    with boa.env.prank(kit.operator):
        t.post_bond(1)


def test_required_bond_covers_the_capacity(kit):
    """F9 / G6: 7 * G at 10,000 TH/s, the hashprice gross with no performance fee, at the binding
    value 42,244 msat/TH/s/day (issue 16: the index's unit; 422,440 per epoch, 29,570,800 per 1e6
    TH/s-epoch): 2,957,080 (2,957,136 before the binding figures were an index value)."""
    t = kit.open(bond=0, supply=0)
    per_ref = 7 * gross(REF)
    want = (per_ref * CAPACITY + REF - 1) // REF
    assert gross(CAPACITY) == 422_440
    assert t.required_bond() == want == 2_957_080
    _fund_operator(kit, t, want)
    with boa.env.prank(kit.operator):
        t.post_bond(want)
    assert t.coverable_shares() >= CAPACITY
    assert t.coverable_shares() == want * REF // per_ref


@pytest.mark.parametrize("perf_bps", [0, 1_000, 5_000, 10_000])
def test_bond_sizing_ignores_the_performance_fee(kit, perf_bps):
    """G6: required_bond, coverable_shares and coverage_bps read no fee: a fee set before the sale and
    lowered after it cannot uncover the bond (the gross bounds every later Nu)."""
    t = kit.open(bond=1_000_000, supply=SUPPLY)
    kit.vault.set_params(kit.params(perf_bps=perf_bps))
    assert t.required_bond() == 2_957_080
    assert t.coverable_shares() == 1_000_000 * REF // (7 * gross(REF))
    assert t.coverage_bps() == 1_000_000 * 10_000 // (7 * GROSS_100)
    # every unreported epoch owes at most the gross the bond was sized on
    kit.vault.set_params_of(0, kit.params(perf_bps=0))
    assert t.expected_unreported(0) == GROSS_100


def test_coverable_shares_small_bond(kit):
    """F9: 1,000 sats cover 3.3 TH/s (sized on the gross), not 10,000."""
    t = kit.open(bond=1_000, supply=0)
    cov = t.coverable_shares()
    assert cov == 1_000 * REF // (7 * gross(REF))
    assert 3 * TH < cov < 4 * TH


def test_a_zero_hashprice_is_refused_at_construction(kit):
    """A zero hashprice (no sats per block) would put nothing at risk: zero bond, no compensation
    ever (newuser14 N1); the constructor refuses it."""
    with boa.reverts("trust: zero reward per block"):
        kit.open(bond=1_000, supply=0, sats_per_block=0)


def test_coverage_bps(kit):
    t = kit.open(bond=7 * GROSS_100)
    assert t.coverage_bps() == 10_000
    kit.vault.do_settle(0, False)  # unreported: pays Nu 3,802
    assert t.coverage_bps() == (7 * GROSS_100 - NU_100) * 10_000 // (7 * GROSS_100) == 8_714
    kit.vault.set_supply(0, 0)
    assert t.coverage_bps() == 10_000


def test_withdraw_bond_rules(kit):
    t = kit.open(bond=5_000)
    kit.vault.set_cursor(N_EPOCHS)
    with boa.env.prank(kit.operator), boa.reverts("trust: term not over"):
        t.withdraw_bond()
    kit.warp_to(kit.vault.TERM_END())
    with boa.env.prank(kit.stranger), boa.reverts("trust: caller is not the operator"):
        t.withdraw_bond()
    kit.vault.set_cursor(N_EPOCHS - 1)
    with boa.env.prank(kit.operator), boa.reverts("trust: epochs not settled"):
        t.withdraw_bond()
    kit.vault.set_cursor(N_EPOCHS)
    # the operator that authorised the trust has no live wallet (F1)
    with boa.env.prank(kit.operator):
        kit.identity.approve(t.address, kit.agent_id)
    with boa.env.prank(kit.operator), boa.reverts("trust: caller is not the operator"):
        t.withdraw_bond()
    with boa.env.prank(kit.operator):
        kit.identity.approve(ZERO, kit.agent_id)
    before = kit.wbtc.balanceOf(kit.operator)
    with boa.env.prank(kit.operator):
        assert t.withdraw_bond() == 5_000
    (r,) = events(t, "BondReleased")
    assert (r.receiver, r.amount) == (kit.operator, 5_000)
    assert kit.wbtc.balanceOf(kit.operator) - before == 5_000
    assert t.bond() == 0 == kit.wbtc.balanceOf(t.address)
    with boa.env.prank(kit.operator), boa.reverts("trust: no bond"):
        t.withdraw_bond()


def test_withdraw_bond_goes_to_the_live_wallet(kit):
    """A new wallet takes over; the old one (still the agent's owner) is no longer the operator."""
    t = kit.open(bond=5_000)
    kit.vault.set_cursor(N_EPOCHS)
    kit.warp_to(kit.vault.TERM_END())
    wallet = set_wallet(kit)
    assert t.operator_wallet() == wallet
    with boa.env.prank(kit.operator), boa.reverts("trust: caller is not the operator"):
        t.withdraw_bond()
    with boa.env.prank(wallet):
        assert t.withdraw_bond() == 5_000
    assert kit.wbtc.balanceOf(wallet) == 5_000


def test_operator_wallet(kit):
    t = kit.open()
    assert t.operator_wallet() == kit.operator
    with boa.env.prank(kit.operator):
        kit.identity.setApprovalForAll(kit.vault.address, True)
    assert t.operator_wallet() == ZERO
    with boa.env.prank(kit.operator):
        kit.identity.setApprovalForAll(kit.vault.address, False)
        kit.identity.unsetAgentWallet(kit.agent_id)
    assert t.operator_wallet() == ZERO


def test_withdraw_bond_waits_for_the_queued_feedback(kit):
    """I1: the bond is released only once every queued feedback is posted: an operator that kept
    the registry refusing its defaults (the trust authorised on its agent) undoes it and drains
    the queue with `post_pending` first."""
    t = kit.open(bond=5_000)
    kit.vault.do_settle(0, False)  # a default settled without a post: queued
    kit.vault.set_cursor(N_EPOCHS)
    kit.warp_to(kit.vault.TERM_END())
    assert t.pending_feedback() == (0, 1)
    with boa.env.prank(kit.operator), boa.reverts("trust: feedback pending, call post_pending"):
        t.withdraw_bond()
    with boa.env.prank(kit.operator):
        assert t.post_pending(64) == 1
    assert [(f.epoch, f.value, f.posted) for f in events(t, "FeedbackPosted")] == [(0, 0, True)]
    paid = t.bond()  # what the default left
    assert 0 < paid < 5_000
    with boa.env.prank(kit.operator):
        assert t.withdraw_bond() == paid
    (r,) = events(t, "BondReleased")
    assert (r.receiver, r.amount) == (kit.operator, paid)


def test_post_bond_once_every_epoch_is_settled_is_refused(kit):
    """A post once the vault settled every epoch covers nothing (only the operator could take it
    back): refused. After TERM_END but before the last settlement it still covers the last
    epochs (audit8 J1: their record times are after the term's end)."""
    t = kit.open(bond=5_000)
    kit.vault.set_cursor(N_EPOCHS - 1)  # every epoch before the last settled: nothing overdue
    kit.warp_to(kit.vault.TERM_END())
    kit.wbtc.mint(kit.operator, 2)
    with boa.env.prank(kit.operator):
        t.post_bond(1)  # the term is over, its last epoch is not settled yet: still a cover
    (p,) = events(t, "BondPosted")
    assert (p.amount, p.bond) == (1, 5_001) and t.bond() == 5_001
    for e in range(N_EPOCHS - 1):
        kit.vault.do_settle(e, False)
    kit.vault.set_cursor(N_EPOCHS)  # the vault's cursors at the end say nothing: the trust counts (audit10 L1)
    kit.wbtc.mint(kit.operator, 1)
    with boa.env.prank(kit.operator):
        t.post_bond(1)  # N - 1 epochs settled: the last one still needs the cover
    assert t.n_settled() == N_EPOCHS - 1
    kit.vault.do_settle(N_EPOCHS - 1, False)
    assert t.n_settled() == N_EPOCHS
    kit.vault.set_cursors(N_EPOCHS, N_EPOCHS - 3)  # a lagging attest cursor: still "term over"
    with boa.env.prank(kit.operator), boa.reverts("trust: term over"):
        t.post_bond(1)
