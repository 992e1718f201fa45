"""Epochs: the operator (carol, the agent's live wallet) reports each ended epoch with the
BTC/USD round in force at its end, the fee split is fixed with the parameter version in force at
the end, then she funds the gross; the net streams to holders, the fees become payable. After
the term every missed epoch is settled at its record time and credited to the holders.

Negative stories: mallory pretends to be the operator, so does the admin; carol reports too early
(also exactly at the end: a report must come strictly after it), after the deadline, after the term.

Dropped as duplicates (same calls, same messages): report once, delivered above sold -> 
vault_contract/test_vc_price_round.py::test_report_refusals; fund not reported / twice / past
D(e) -> vault_contract/test_vc_misc.py::test_fund_refusals_and_events; zero / negative / stale
price and the round-at-the-end checks -> vault_contract/test_vc_price_round.py and
split/test_split_price_round.py (a stale round is no longer refused: it is accepted with
`price_stale` and no electricity fee); fee-on-transfer reward token ->
vault_contract/test_vc_misc.py; pause stops report/fund -> vault_contract/test_vc_pause.py."""

import ape
import pytest
from vault_setup import BTC_USD, DAY, PARAMS, TH, deploy_vault, round_at

from hashtrust.hashrate.economics import FeeParams, fee_split

P = FeeParams(*PARAMS)


@pytest.fixture
def sold(vault, alice, bob):
    vault.buy(60 * TH, 2**256 - 1, alice, sender=alice)
    vault.buy(40 * TH, 2**256 - 1, bob, sender=bob)
    return 100 * TH


@pytest.fixture
def after_end(vault, publish, warp):
    """Publish the price just before epoch `e` ends and warp just after the end; returns the round."""

    def _go(e, price=BTC_USD):
        rid = publish(vault.epoch_end(e), price)
        warp(vault.epoch_end(e) + 60)
        return rid

    return _go


def test_report_fixes_the_split(vault, feed, sold, after_end, report):
    rid = after_end(0)
    tx = report(0, sold, 4_000)
    fee, perf, net = fee_split(sold, 4_000, P, BTC_USD)
    # 100 TH/s at 17.5 J/TH and $0.05/kWh = $2.10/day + $1.00 maintenance = $3.10 = 3,100 sats at $100k
    assert fee == 3_100 and perf == 90 and net == 810
    ep = vault.epochs(0)
    assert (ep.status, ep.delivered, ep.gross, ep.fee, ep.perf, ep.net, ep.btc_usd, ep.supply) == (1, sold, 4_000, fee, perf, net, BTC_USD, sold)
    (ev,) = tx.decode_logs(vault.EpochReported)
    assert (ev.epoch, ev.delivered, ev.gross, ev.fee, ev.perf, ev.net, ev.btc_usd) == (0, sold, 4_000, fee, perf, net, BTC_USD)
    assert ev.report_hash == b"\x42" * 32 and ev.uri == "ipfs://pool/report"
    assert ev.round_id == rid == feed.latestRoundData()[0] and not ev.price_stale
    assert vault.record_time(0) == vault.report_deadline(0)  # not funded yet: D(0)


def test_fund_streams_net_and_books_fees(vault, wbtc, operator, sold, run_epoch, fee_recipient, mallory):
    bal = wbtc.balanceOf(operator)
    tx = run_epoch(0, sold, 4_000)
    assert wbtc.balanceOf(operator) == bal - 4_000 and wbtc.balanceOf(vault) == 4_000  # the bond sits in the trust
    assert vault.epochs(0).status == 2  # FUNDED
    assert vault.record_time(0) == vault.attest_deadline(0)  # funded: settled at A(0)
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


def test_only_operator(vault, deployer, mallory, sold, after_end, report):
    after_end(0)
    with ape.reverts("vault: caller is not the operator"):
        report(0, sold, 1, sender=mallory)
    with ape.reverts("vault: caller is not the operator"):
        report(0, sold, 1, sender=deployer)  # the admin is not the operator
    report(0, sold, 1)
    with ape.reverts("vault: caller is not the operator"):
        vault.fund_epoch(0, sender=mallory)


def test_report_timing(vault, sold, warp, publish, report):
    with ape.reverts("vault: epoch not ended"):
        report(0, sold, 1)  # a current epoch
    with ape.reverts("vault: epoch not ended"):
        report(3, sold, 1)  # a future epoch
    with ape.reverts("vault: epoch after term end"):
        report(10, sold, 1)
    end = vault.epoch_end(0)
    publish(end)
    warp(end - 1)  # the next transaction runs exactly at the end: the round could still change
    with ape.reverts("vault: epoch not ended"):
        report(0, sold, 1)
    warp(vault.report_deadline(0))  # the last moment is the deadline itself (the report lands a second later)
    with ape.reverts("vault: epoch deadline passed"):
        report(0, sold, 1)


def test_report_at_the_deadline_is_accepted(vault, sold, warp, publish, report):
    publish(vault.epoch_end(0))
    warp(vault.report_deadline(0) - 1)  # lands at D(0)
    tx = report(0, sold, 1)
    assert tx.timestamp == vault.report_deadline(0) and vault.epochs(0).status == 1


def test_out_of_order_and_zero_gross(vault, operator, sold, publish, warp, report):
    publish(vault.epoch_end(0))
    publish(vault.epoch_end(1))
    warp(vault.epoch_end(1) + 60)
    report(1, sold, 1_000)  # epoch 1 before epoch 0 is fine while 0 is within its deadline
    vault.fund_epoch(1, sender=operator)
    assert vault.epochs(0).status == 0 and vault.epochs(1).btc_usd == BTC_USD
    report(0, 0, 0)
    tx = vault.fund_epoch(0, sender=operator)  # nothing delivered, nothing earned: funded without a transfer
    assert vault.epochs(0).status == 2 and tx.decode_logs(vault.EpochFunded)[0].gross == 0


def test_after_term_end_every_epoch_is_settled_and_claims_work(vault, trust, sold, warp, run_epoch, report, alice, bob, mallory):
    """Rule changed by the split: nothing is declared; each missed epoch is settled at its record
    time (here all long past) and credited to the holders. Epoch 0 funded 5,000 sats (net 1,710)
    and never attested owes Nu - net = 3,802 - 1,710 = 2,092; epochs 1..9 unreported owe Nu = 3,802
    each: the holders receive 10 * 3,802 = 38,020 sats in all."""
    run_epoch(0, sold, 5_000)
    assert vault.epochs(0).net == 1_710
    warp(vault.TERM_END() + 400 * DAY)
    with ape.reverts("vault: epoch after term end"):
        report(10, sold, 1)
    with ape.reverts("vault: epoch deadline passed"):
        report(9, sold, 1)
    assert trust.expected_unreported(1) == 3_802
    # 1,710 sats streamed over the day: rate 1,710e18 // 86,400 per second, alice holds 60 %
    streamed = vault.claimable(alice)
    assert streamed == 1_025  # 1,025.99999999999996544: the stream's rounding, floored at the claim
    tx = vault.claim(sender=alice)  # settles up to 4 due epochs first (best effort), never reverts
    assert tx.timestamp > vault.attest_deadline(9), (tx.timestamp, vault.TERM_END())
    settled = tx.decode_logs(vault.EpochSettled)
    # in record-time order across both cursors: D(1) < D(2) < D(3) = A(0) (ties: the unfunded epoch first)
    assert [(s.epoch, s.credited) for s in settled] == [(1, 3_802), (2, 3_802), (3, 3_802), (0, 2_092)]
    assert [s.record_time for s in settled] == [vault.report_deadline(e) for e in (1, 2, 3)] + [vault.attest_deadline(0)]
    assert vault.report_deadline(3) == vault.attest_deadline(0)
    (c,) = tx.decode_logs(vault.Claimed)
    assert (c.owner, c.amount) == (alice, 9_124)  # 1,025.99.. + 60 % of 3 * 3,802 + 2,092 = 8,098.8
    assert vault.claimable(alice) == 0
    tx = vault.settle_due(64, sender=mallory)  # anyone settles the rest
    rest = [(s.epoch, s.credited) for s in tx.decode_logs(vault.EpochSettled)]
    assert rest == [(e, 3_802) for e in range(4, 10)]
    assert vault.settle_cursor() == 10 and trust.bond() == 2_957_080 - 9 * 3_802 - 2_092 == 2_920_770
    assert [trust.record(e).kind for e in range(10)] == [4] + [2] * 9  # unattested, then unreported
    assert vault.claim(sender=alice).decode_logs(vault.Claimed)[0].amount == 13_687  # 60 % of 22,812 + the fraction
    assert vault.claim(sender=bob).decode_logs(vault.Claimed)[0].amount == 15_207  # 683.99.. + 40 % of 36,310
    assert vault.total_notified() == 1_710 + 36_310 == 38_020 == 10 * 3_802
    assert vault.total_claimed() == 38_018  # two sats of stream rounding stay in the vault


def test_eighteen_decimal_feed_is_scaled_and_a_round_after_the_end_refused(project, deployer, wbtc, usd, operator, guardian, treasury, fee_recipient, chain, alice, warp, opener):
    odd = project.MockVaultFeed.deploy(18, sender=deployer)  # an 18-decimal feed is scaled, not misread
    v = deploy_vault(project, deployer, wbtc, usd, odd, guardian, treasury, fee_recipient, chain)
    assert v.FEED_UNIT() == 10**18
    opener(v, wbtc)
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    v.buy(100 * TH, 2**256 - 1, alice, sender=alice)
    end = v.epoch_end(0)
    warp(end + 60)
    odd.set(100_000 * 10**18, end + 1, sender=deployer)  # round 1 published after the end
    with ape.reverts("vault: not the round at the epoch end"):
        v.report_epoch(0, 100 * TH, 4_000, b"\x00" * 32, "", 1, sender=operator)
    odd.set(100_000 * 10**18, end, sender=deployer)  # published exactly at the end: in force at the end
    tx = v.report_epoch(0, 100 * TH, 4_000, b"\x00" * 32, "", 1, sender=operator)
    assert v.epochs(0).fee == 3_100  # same split as the 8-decimal feed gives
    assert tx.decode_logs(v.EpochReported)[0].btc_usd == 100_000 * 10**18


def test_feed_with_too_many_decimals(project, deployer, wbtc, usd, guardian, treasury, fee_recipient, chain):
    odd = project.MockVaultFeed.deploy(19, sender=deployer)
    with ape.reverts("vault: feed decimals"):
        deploy_vault(project, deployer, wbtc, usd, odd, guardian, treasury, fee_recipient, chain)


@pytest.mark.parametrize(
    "params,gross,expected",
    [
        ((0, 0, 0, 0), 1_000, (0, 0, 1_000)),  # no fees at all
        ((0, 0, 0, 5_000), 1_000, (0, 500, 500)),  # perf only, 50 %
        ((200_000, 500_000, 1_000_000, 5_000), 1_000, (1_000, 0, 0)),  # cost above gross: fee capped at gross
        ((17_500, 50_000, 10_000, 1_000), 0, (0, 0, 0)),
    ],
)
def test_fee_extremes(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, params, gross, expected, opener, warp):
    v = deploy_vault(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, params=params)
    opener(v, wbtc)
    usd.mint(alice, 10**12, sender=deployer)
    usd.approve(v, 2**256 - 1, sender=alice)
    v.buy(100 * TH, 2**256 - 1, alice, sender=alice)
    end = v.epoch_end(0)
    warp(end - 60)
    feed.set_price(BTC_USD, sender=deployer)
    warp(end + 60)
    v.report_epoch(0, 100 * TH, gross, b"\x42" * 32, "", round_at(feed, end), sender=operator)  # the split is fixed at report
    ep = v.epochs(0)
    assert (ep.fee, ep.perf, ep.net) == expected
    assert expected == fee_split(100 * TH, gross, FeeParams(*params), BTC_USD)
    fee, perf, net = expected
    assert fee + perf + net == gross and fee <= gross


def test_epoch_times(vault):
    start = vault.TERM_START()
    assert vault.epoch_end(0) == start + DAY and vault.report_deadline(0) == start + 4 * DAY
    assert vault.attest_deadline(0) == start + 7 * DAY and vault.record_time(0) == start + 4 * DAY
    assert vault.TERM_END() == start + 10 * DAY and vault.settle_cursor() == 0
