"""Rewards: each epoch's net streams over the next epoch to holders pro rata; claims, claim_for,
rewards receivers; transfers settle both sides; the attack cases of the design doc.

Story: alice holds 60 TH/s and bob 40 TH/s; carol (operator) funds epoch 0 with 4,000 sats of
which 810 are net; over the next day alice earns 486 and bob 324. mallory tries JIT transfers,
donations, claim loops, claim_for redirects and a re-entrant reward token.

Dropped as a duplicate: "pause never blocks claims or transfers" ->
vault_contract/test_vc_pause.py::test_pause_stops_buy_report_fund_but_not_transfer_claim_settle."""

import ape
import pytest
from vault_setup import BTC_USD, DAY, TH, deploy_vault, round_at


@pytest.fixture
def holders(vault, alice, bob):
    vault.buy(60 * TH, 2**256 - 1, alice, sender=alice)
    vault.buy(40 * TH, 2**256 - 1, bob, sender=bob)


def vault_logs(tx, vault, event):
    return [e for e in tx.decode_logs(event) if e.contract_address == vault.address]


def test_net_streams_over_the_next_epoch(vault, holders, run_epoch, warp, alice, bob):
    run_epoch(0, 100 * TH, 4_000)
    start = vault.last_update()
    assert vault.period_finish() == start + DAY
    assert vault.claimable(alice) == 0
    warp(start + DAY // 2)
    assert vault.claimable(alice) == 243 and vault.claimable(bob) == 162
    warp(start + 3 * DAY)  # the stream ended after one day
    assert vault.claimable(alice) == 486 and vault.claimable(bob) == 324


def test_claim_pays_with_event(vault, wbtc, holders, run_epoch, warp, alice):
    run_epoch(0, 100 * TH, 4_000)
    warp(vault.period_finish() + 1)
    tx = vault.claim(sender=alice)
    assert wbtc.balanceOf(alice) == 486 and vault.claimable(alice) == 0 and vault.total_claimed() == 486
    (ev,) = tx.decode_logs(vault.Claimed)
    assert (ev.owner, ev.receiver, ev.amount) == (alice, alice, 486)
    tx = vault.claim(sender=alice)  # no double claim
    assert tx.decode_logs(vault.Claimed)[0].amount == 0 and wbtc.balanceOf(alice) == 486


def test_claim_to_receiver_and_rewards_receiver(vault, wbtc, holders, run_epoch, warp, alice, bob, carol, mallory):
    run_epoch(0, 100 * TH, 4_000)
    warp(vault.period_finish() + 1)
    before = wbtc.balanceOf(carol)  # carol is the operator: she paid the bond and epoch 0's gross
    assert before == 10**12 - 2_957_080 - 4_000
    vault.claim(carol, sender=alice)  # explicit receiver
    assert wbtc.balanceOf(carol) == before + 486
    tx = vault.set_rewards_receiver(carol, sender=bob)
    (ev,) = tx.decode_logs(vault.RewardsReceiverSet)
    assert (ev.owner, ev.receiver) == (bob, carol) and vault.rewards_receiver(bob) == carol
    tx = vault.claim_for(bob, sender=mallory)  # mallory triggers; bob's chosen receiver is paid
    (c,) = tx.decode_logs(vault.Claimed)
    assert (c.owner, c.receiver, c.amount) == (bob, carol, 324)
    assert wbtc.balanceOf(mallory) == 0


def test_claim_for_pays_the_holder_never_the_caller(vault, wbtc, holders, run_epoch, warp, alice, mallory):
    run_epoch(0, 100 * TH, 4_000)
    warp(vault.period_finish() + 1)
    vault.claim_for(alice, sender=mallory)
    assert wbtc.balanceOf(alice) == 486 and wbtc.balanceOf(mallory) == 0


def test_transfer_settles_both_sides(vault, holders, run_epoch, warp, alice, bob):
    run_epoch(0, 100 * TH, 4_000)
    start = vault.last_update()
    warp(start + DAY // 2 - 1)
    tx = vault.transfer(bob, 60 * TH, sender=alice)  # lands at start + DAY/2
    (t,) = vault_logs(tx, vault, vault.Transfer)
    assert (t.sender, t.receiver, t.value) == (alice, bob, 60 * TH)
    # both settled in the transfer (their checkpoints moved to the current reward per share)
    assert vault.reward_per_share_paid(alice) == vault.reward_per_share() == vault.reward_per_share_paid(bob)
    assert vault.claimable(alice) == 243 and vault.claimable(bob) == 162
    warp(start + 2 * DAY)
    assert vault.claimable(alice) == 243  # nothing after she left
    assert vault.claimable(bob) == 162 + 405


def test_self_zero_and_bad_transfers(vault, holders, run_epoch, warp, alice, mallory):
    run_epoch(0, 100 * TH, 4_000)
    warp(vault.last_update() + DAY // 4)
    before = vault.claimable(alice)
    vault.transfer(alice, 60 * TH, sender=alice)  # self-transfer changes nothing
    vault.transfer(mallory, 0, sender=alice)  # zero amount is a no-op transfer
    assert vault.balanceOf(alice) == 60 * TH and vault.balanceOf(mallory) == 0
    assert vault.claimable(alice) >= before and vault.claimable(mallory) == 0
    with ape.reverts("erc20: transfer amount exceeds balance"):
        vault.transfer(alice, 1, sender=mallory)
    with ape.reverts("erc20: transfer to the zero address"):
        vault.transfer(ape.utils.ZERO_ADDRESS, 1, sender=alice)


def test_transfer_from_allowances(vault, holders, alice, bob, mallory):
    vault.approve(mallory, 10 * TH, sender=alice)
    tx = vault.transferFrom(alice, bob, 4 * TH, sender=mallory)
    assert vault.allowance(alice, mallory) == 6 * TH and vault.balanceOf(bob) == 44 * TH
    (a,) = vault_logs(tx, vault, vault.Approval)
    assert (a.owner, a.spender, a.value) == (alice, mallory, 6 * TH)
    with ape.reverts("erc20: insufficient allowance"):
        vault.transferFrom(alice, mallory, 7 * TH, sender=mallory)
    vault.approve(mallory, 2**256 - 1, sender=bob)
    vault.transferFrom(bob, alice, TH, sender=mallory)
    assert vault.allowance(bob, mallory) == 2**256 - 1


def test_jit_transfer_around_funding_earns_nothing(vault, holders, warp, publish, report, operator, alice, bob, mallory):
    publish(vault.epoch_end(0))
    warp(vault.epoch_end(0) + 60)
    report(0, 100 * TH, 40_000_000)
    vault.transfer(mallory, 40 * TH, sender=bob)  # mallory borrows bob's whole stake...
    vault.fund_epoch(0, sender=operator)  # ...across the funding...
    vault.transfer(bob, 40 * TH, sender=mallory)  # ...and gives it back right after
    net = vault.total_notified()
    warp(vault.period_finish() + 1)
    # she held 40 % for ~1 s of a 86,400 s stream: at most 40 % * net * 2 / 86,400 + 1 sat
    assert vault.claimable(mallory) <= net * 4 * 2 // 10 // DAY + 1
    assert vault.claimable(alice) + vault.claimable(bob) + vault.claimable(mallory) <= net


def test_claim_transfer_claim_loop(vault, wbtc, holders, run_epoch, warp, alice, bob):
    run_epoch(0, 100 * TH, 4_000)
    start = vault.last_update()
    paid = 0
    for i in range(1, 5):
        warp(start + i * DAY // 4 - 2)
        vault.claim(sender=alice)
        vault.transfer(bob, vault.balanceOf(alice), sender=alice)
        vault.claim(sender=bob)
        vault.transfer(alice, vault.balanceOf(bob) // 2, sender=bob)
    warp(start + 2 * DAY)
    vault.claim(sender=alice)
    vault.claim(sender=bob)
    paid = wbtc.balanceOf(alice) + wbtc.balanceOf(bob)
    assert paid <= 810 and paid >= 810 - 10  # loops never pay more than was funded (dust < 1 sat per checkpoint)


def test_donation_changes_nobody(vault, wbtc, usd, holders, run_epoch, warp, deployer, alice, bob):
    run_epoch(0, 100 * TH, 4_000)
    warp(vault.last_update() + DAY // 3)
    before = (vault.claimable(alice), vault.claimable(bob), vault.total_notified() - vault.total_claimed() + vault.fees_payable(), vault.proceeds())
    wbtc.mint(vault, 10**9, sender=deployer)
    usd.mint(vault, 10**9, sender=deployer)
    assert (vault.claimable(alice), vault.claimable(bob), vault.total_notified() - vault.total_claimed() + vault.fees_payable(), vault.proceeds()) == before


def test_zero_supply_stream_is_kept_and_no_late_buyer_takes_it(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, warp, opener):
    """Nobody bought before the term: what streams to nobody is kept (`unallocated_scaled`), and
    since the sale closed when the term started nobody can mint into it afterwards."""
    now = chain.pending_timestamp
    v = deploy_vault(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, term_start=now + DAY, sale_end=now + DAY)
    opener(v, wbtc)
    wbtc.mint(operator, 10**9, sender=deployer)
    wbtc.approve(v, 2**256 - 1, sender=operator)
    warp(v.epoch_end(0) - 10)
    feed.set_price(BTC_USD, sender=deployer)
    warp(v.epoch_end(0) + 10)
    v.report_epoch(0, 0, 10_000, b"\x00" * 32, "", round_at(feed, v.epoch_end(0)), sender=operator)  # nobody holds: nothing delivered
    v.fund_epoch(0, sender=operator)
    net = v.total_notified()
    assert net == 9_000  # no power or maintenance on 0 TH/s; 10 % performance fee
    warp(v.period_finish() + DAY)  # the whole stream ran with zero supply
    v.checkpoint(alice, sender=alice)
    assert v.unallocated_scaled() == (net * 10**18 // DAY) * DAY and v.unstreamed_scaled() == net * 10**18 - v.unallocated_scaled()
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    with ape.reverts("vault: sale ended"):
        v.buy(TH, 2**256 - 1, alice, sender=alice)
    assert v.claimable(alice) == 0 and v.total_claimed() == 0  # kept in the vault's accounting, never paid out


def test_one_wei_holder_vs_large_rewards(vault, wbtc, alice, mallory, run_epoch, warp):
    vault.buy(1, 2**256 - 1, mallory, sender=mallory)
    vault.buy(1_000 * TH, 2**256 - 1, alice, sender=alice)
    run_epoch(0, 1_000 * TH, 10**10)
    warp(vault.period_finish() + 1)
    net = vault.total_notified()
    assert vault.claimable(mallory) == 0
    assert net - 1 <= vault.claimable(alice) <= net


def test_checkpoint_by_anyone(vault, holders, run_epoch, warp, alice, mallory):
    run_epoch(0, 100 * TH, 4_000)
    warp(vault.last_update() + DAY)
    vault.checkpoint(alice, sender=mallory)
    assert vault.claimable(alice) == 486
    assert vault.reward_per_share_paid(alice) == vault.reward_per_share()


def test_reentrant_reward_token_is_refused(project, deployer, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, mallory, warp, opener):
    evil = project.MockVaultToken.deploy(8, sender=deployer)
    v = deploy_vault(project, deployer, evil, usd, feed, guardian, treasury, fee_recipient, chain)
    opener(v, evil)  # the bond is posted in the same token, before the hook is armed
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    v.buy(TH, 2**256 - 1, alice, sender=alice)
    evil.mint(operator, 10**12, sender=deployer)
    evil.approve(v, 2**256 - 1, sender=operator)
    # during fund_epoch's transferFrom the token calls back into claim_for(alice)
    evil.set_hook(v, v.claim_for.encode_input(alice), sender=deployer)
    warp(v.epoch_end(0) - 10)
    feed.set_price(BTC_USD, sender=deployer)
    warp(v.epoch_end(0) + 10)
    v.report_epoch(0, TH, 10**6, b"\x00" * 32, "", round_at(feed, v.epoch_end(0)), sender=operator)
    v.fund_epoch(0, sender=operator)
    assert evil.hook_calls() == 1 and not evil.hook_succeeded()
    warp(v.period_finish() + 1)
    owed = v.claimable(alice)
    v.claim(sender=alice)  # the hook re-enters claim_for(alice) during the payout: refused
    assert evil.hook_calls() == 2 and not evil.hook_succeeded()
    assert evil.balanceOf(alice) == owed and v.claimable(alice) == 0


def test_reentrant_payment_token_is_refused(project, deployer, wbtc, feed, guardian, treasury, fee_recipient, chain, alice, opener):
    evil = project.MockVaultToken.deploy(6, sender=deployer)
    v = deploy_vault(project, deployer, wbtc, evil, feed, guardian, treasury, fee_recipient, chain)
    opener(v, wbtc)
    evil.mint(alice, 10**12, sender=deployer)
    evil.approve(v, 2**256 - 1, sender=alice)
    evil.set_hook(v, v.buy.encode_input(TH, 2**256 - 1, alice), sender=deployer)
    v.buy(TH, 2**256 - 1, alice, sender=alice)
    assert evil.hook_calls() == 1 and not evil.hook_succeeded()
    assert v.totalSupply() == TH
