"""Epochs: the operator (carol) reports each ended epoch, the fee split is fixed at the oracle
price, then she funds the gross; the net streams to holders, the fees become payable.

Negative stories: mallory pretends to be the operator; carol reports too early, twice, after the
deadline, after the term, more hashrate than was sold, at a stale / zero / negative / future
price; funds twice, before reporting, after the deadline, with a fee-on-transfer token."""

import ape
import pytest
from vault_setup import BTC_USD, DAY, PARAMS, TH, deploy_vault

from hashtrust.hashrate.economics import FeeParams, fee_split

P = FeeParams(*PARAMS)


@pytest.fixture
def sold(vault, alice, bob):
    vault.buy(60 * TH, 2**256 - 1, alice, sender=alice)
    vault.buy(40 * TH, 2**256 - 1, bob, sender=bob)
    return 100 * TH


def report(vault, operator, e, delivered, gross, **kw):
    return vault.report_epoch(e, delivered, gross, b"\x42" * 32, "ipfs://pool/report", sender=kw.get("sender", operator))


def test_report_fixes_the_split(vault, feed, operator, sold, warp, deployer):
    warp(vault.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    tx = report(vault, operator, 0, sold, 4_000)
    fee, perf, net = fee_split(sold, 4_000, P, BTC_USD)
    # 100 TH/s at 17.5 J/TH and $0.05/kWh = $2.10/day + $1.00 maintenance = $3.10 = 3,100 sats at $100k
    assert fee == 3_100 and perf == 90 and net == 810
    ep = vault.epochs(0)
    assert (ep.status, ep.delivered, ep.gross, ep.fee, ep.perf, ep.net, ep.btc_usd) == (1, sold, 4_000, fee, perf, net, BTC_USD)
    (ev,) = tx.decode_logs(vault.EpochReported)
    assert (ev.epoch, ev.delivered, ev.gross, ev.fee, ev.perf, ev.net, ev.btc_usd) == (0, sold, 4_000, fee, perf, net, BTC_USD)
    assert ev.report_hash == b"\x42" * 32 and ev.uri == "ipfs://pool/report"


def test_fund_streams_net_and_books_fees(vault, wbtc, operator, sold, run_epoch, fee_recipient, mallory):
    bal = wbtc.balanceOf(operator)
    tx = run_epoch(0, sold, 4_000)
    assert wbtc.balanceOf(operator) == bal - 4_000 and wbtc.balanceOf(vault) == 4_000
    assert vault.epochs(0).status == 2  # FUNDED
    assert vault.fees_payable() == 3_190 and vault.total_notified() == 810
    (ev,) = tx.decode_logs(vault.EpochFunded)
    assert (ev.epoch, ev.gross, ev.fee, ev.perf, ev.net) == (0, 4_000, 3_100, 90, 810)
    (n,) = tx.decode_logs(vault.RewardsNotified)
    assert n.amount == 810 and n.rate_scaled == 810 * 10**18 // DAY and n.period_finish == vault.period_finish()
    assert vault.total_notified() - vault.total_claimed() + vault.fees_payable() == 4_000  # owed: holders' 810 + fees
    tx = vault.withdraw_fees(sender=mallory)  # anyone; paid to the fee recipient
    assert wbtc.balanceOf(fee_recipient) == 3_190 and vault.fees_payable() == 0
    (w,) = tx.decode_logs(vault.FeesWithdrawn)
    assert (w.recipient, w.amount) == (fee_recipient, 3_190)


def test_only_operator(vault, operator, mallory, sold, warp, feed, deployer):
    warp(vault.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    with ape.reverts("vault: caller is not the operator"):
        report(vault, operator, 0, sold, 1, sender=mallory)
    report(vault, operator, 0, sold, 1)
    with ape.reverts("vault: caller is not the operator"):
        vault.fund_epoch(0, sender=mallory)


def test_report_timing(vault, operator, sold, warp):
    with ape.reverts("vault: epoch not ended"):
        report(vault, operator, 0, sold, 1)  # a current epoch
    with ape.reverts("vault: epoch not ended"):
        report(vault, operator, 3, sold, 1)  # a future epoch
    with ape.reverts("vault: epoch after term end"):
        report(vault, operator, 10, sold, 1)
    warp(vault.epoch_deadline(0) + 1)
    with ape.reverts("vault: epoch deadline passed"):
        report(vault, operator, 0, sold, 1)


def test_report_once(vault, operator, sold, warp, feed, deployer):
    warp(vault.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    report(vault, operator, 0, sold, 1)
    with ape.reverts("vault: epoch already reported"):
        report(vault, operator, 0, sold, 2)


def test_delivered_above_sold(vault, operator, sold, warp, feed, deployer):
    warp(vault.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    with ape.reverts("vault: delivered exceeds sold"):
        report(vault, operator, 0, sold + 1, 1)


def test_out_of_order_and_zero_gross(vault, operator, sold, warp, feed, deployer):
    warp(vault.epoch_end(1))
    feed.set_price(BTC_USD, sender=deployer)
    report(vault, operator, 1, sold, 1_000)  # epoch 1 before epoch 0 is fine while 0 is within its deadline
    vault.fund_epoch(1, sender=operator)
    report(vault, operator, 0, 0, 0)
    tx = vault.fund_epoch(0, sender=operator)  # nothing delivered, nothing earned: funded without a transfer
    assert vault.epochs(0).status == 2 and tx.decode_logs(vault.EpochFunded)[0].gross == 0


def test_fund_rules(vault, operator, sold, warp, run_epoch):
    warp(vault.epoch_end(0))
    with ape.reverts("vault: epoch not reported"):
        vault.fund_epoch(0, sender=operator)
    run_epoch(0, sold, 1_000)
    with ape.reverts("vault: epoch already funded"):
        vault.fund_epoch(0, sender=operator)
    warp(vault.epoch_end(1))
    report(vault, operator, 1, sold, 1_000)
    warp(vault.epoch_deadline(1) + 1)
    with ape.reverts("vault: epoch deadline passed"):
        vault.fund_epoch(1, sender=operator)


def test_after_term_end_claims_work(vault, operator, sold, warp, run_epoch, alice):
    run_epoch(0, sold, 5_000)
    warp(vault.TERM_END() + 400 * DAY)
    with ape.reverts("vault: epoch after term end"):
        report(vault, operator, 10, sold, 1)
    with ape.reverts("vault: epoch deadline passed"):
        report(vault, operator, 9, sold, 1)
    expected = vault.claimable(alice)
    assert expected > 0
    vault.claim(sender=alice)
    assert vault.claimable(alice) == 0


@pytest.mark.parametrize(
    "answer,age,reason",
    [
        (0, 0, "vault: oracle price not positive"),
        (-1, 0, "vault: oracle price not positive"),
        (BTC_USD, 2 * DAY + 1, "vault: oracle price stale"),
    ],
)
def test_oracle_rejections(vault, feed, deployer, operator, sold, warp, answer, age, reason):
    warp(vault.epoch_end(0))
    feed.set_price(answer, sender=deployer)
    if age:
        warp(feed.latest_timestamp() + age)
    with ape.reverts(reason):
        report(vault, operator, 0, sold, 1)


def test_oracle_at_max_age_accepted(vault, feed, deployer, operator, sold, warp):
    warp(vault.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    ts = feed.latest_timestamp()
    warp(ts + 2 * DAY - 10)  # the report lands a few seconds later, still within MAX_PRICE_AGE
    report(vault, operator, 0, sold, 1)


def test_oracle_from_the_future_and_decimals(project, deployer, wbtc, usd, operator, guardian, treasury, fee_recipient, chain, alice, warp):
    odd = project.MockVaultFeed.deploy(18, sender=deployer)  # an 18-decimal feed is scaled, not misread
    v = deploy_vault(project, deployer, wbtc, usd, odd, operator, guardian, treasury, fee_recipient, chain)
    assert v.FEED_UNIT() == 10**18
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    v.buy(100 * TH, 2**256 - 1, alice, sender=alice)
    warp(v.epoch_end(0))
    odd.set(100_000 * 10**18, chain.pending_timestamp + 1_000, sender=deployer)
    with ape.reverts("vault: oracle price stale"):  # updatedAt after the block time
        v.report_epoch(0, 100 * TH, 4_000, b"\x00" * 32, "", sender=operator)
    odd.set(100_000 * 10**18, chain.pending_timestamp, sender=deployer)
    v.report_epoch(0, 100 * TH, 4_000, b"\x00" * 32, "", sender=operator)
    assert v.epochs(0).fee == 3_100  # same split as the 8-decimal feed gives


def test_feed_with_too_many_decimals(project, deployer, wbtc, usd, operator, guardian, treasury, fee_recipient, chain):
    odd = project.MockVaultFeed.deploy(19, sender=deployer)
    with ape.reverts("vault: feed decimals"):
        deploy_vault(project, deployer, wbtc, usd, odd, operator, guardian, treasury, fee_recipient, chain)


@pytest.mark.parametrize(
    "params,gross,expected",
    [
        ((0, 0, 0, 0), 1_000, (0, 0, 1_000)),  # no fees at all
        ((0, 0, 0, 5_000), 1_000, (0, 500, 500)),  # perf only, 50 %
        ((200_000, 500_000, 1_000_000, 5_000), 1_000, (1_000, 0, 0)),  # cost above gross: fee capped at gross
        ((17_500, 50_000, 10_000, 1_000), 0, (0, 0, 0)),
    ],
)
def test_fee_extremes(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, params, gross, expected):
    v = deploy_vault(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, params=params)
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    v.buy(100 * TH, 2**256 - 1, alice, sender=alice)
    chain.mine(1, timestamp=v.epoch_end(0) + 60)
    feed.set_price(BTC_USD, sender=deployer)
    v.report_epoch(0, 100 * TH, gross, b"\x42" * 32, "", sender=operator)  # the split is fixed at report
    ep = v.epochs(0)
    assert (ep.fee, ep.perf, ep.net) == expected
    assert expected == fee_split(100 * TH, gross, FeeParams(*params), BTC_USD)
    fee, perf, net = expected
    assert fee + perf + net == gross and fee <= gross




def test_fee_on_transfer_reward_token_rejected(project, deployer, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, warp):
    fot = project.MockVaultToken.deploy(8, sender=deployer)
    fot.set_fee_bps(50, sender=deployer)
    v = deploy_vault(project, deployer, fot, usd, feed, operator, guardian, treasury, fee_recipient, chain)
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    v.buy(TH, 2**256 - 1, alice, sender=alice)
    fot.mint(operator, 10**12, sender=deployer)
    fot.approve(v, 2**256 - 1, sender=operator)
    warp(v.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    v.report_epoch(0, TH, 10_000, b"\x00" * 32, "", sender=operator)
    with ape.reverts("vault: reward token fee-on-transfer"):
        v.fund_epoch(0, sender=operator)


def test_pause_blocks_report_and_fund(vault, guardian, operator, deployer, sold, warp, feed):
    warp(vault.epoch_end(0))
    feed.set_price(BTC_USD, sender=deployer)
    vault.pause(sender=guardian)
    with ape.reverts("pausable: contract is paused"):
        report(vault, operator, 0, sold, 1)
    vault.unpause(sender=deployer)
    report(vault, operator, 0, sold, 1)
    vault.pause(sender=guardian)
    with ape.reverts("pausable: contract is paused"):
        vault.fund_epoch(0, sender=operator)


def test_epoch_times(vault):
    start = vault.TERM_START()
    assert vault.epoch_end(0) == start + DAY and vault.epoch_deadline(0) == start + 4 * DAY
    assert vault.TERM_END() == start + 10 * DAY
