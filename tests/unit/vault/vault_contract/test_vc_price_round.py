"""The BTC/USD round of each epoch is the one in force at its end, whoever reports when."""

import boa
import pytest
from vc_env import BTC_USD, DAY, HASH, MAX_PRICE_AGE, TH, deploy, load, logs, now, publish_before_end, report, warp

NOT_AT_END = "vault: not the round at the epoch end"


def _report_raw(env, e, rid, delivered=400 * TH, gross=100_000):
    with boa.env.prank(env.operator):
        env.vault.report_epoch(e, delivered, gross, HASH, "ipfs://p", rid)


def test_round_in_force_at_the_end_is_accepted():
    env = deploy()
    v = env.vault
    rid = publish_before_end(env, 0, 95_000 * 10**8)
    warp(v.epoch_end(0) + 3600)
    env.feed.set_price(50_000 * 10**8)  # after the end: not the epoch's price
    _report_raw(env, 0, rid)
    (ev,) = logs(v, "EpochReported")
    assert (ev.round_id, ev.price_stale, ev.btc_usd) == (rid, False, 95_000 * 10**8)
    assert (ev.epoch, ev.delivered, ev.gross, ev.report_hash, ev.uri) == (0, 400 * TH, 100_000, HASH, "ipfs://p")
    assert v.epochs(0)[6] == 95_000 * 10**8
    assert (ev.fee, ev.perf, ev.net) == tuple(v.epochs(0)[3:6]) == (13_052, 8_694, 78_254)


def test_round_after_end_refused():
    env = deploy()
    publish_before_end(env, 0)
    warp(env.vault.epoch_end(0) + 10)
    env.feed.set_price(50_000 * 10**8)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, env.feed.latest_round())


def test_earlier_round_refused_when_a_later_one_precedes_the_end():
    env = deploy()
    first = publish_before_end(env, 0, lead=120)
    publish_before_end(env, 0, lead=60)
    warp(env.vault.epoch_end(0) + 10)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, first)
    _report_raw(env, 0, first + 1)


def test_round_published_exactly_at_the_end_counts_and_report_waits_for_after_the_end():
    env = deploy()
    v = env.vault
    publish_before_end(env, 0)
    warp(v.epoch_end(0))
    env.feed.set_price(90_000 * 10**8)  # updatedAt == end: in force at the end
    with boa.env.prank(env.operator), boa.reverts("vault: epoch not ended"):
        v.report_epoch(0, 0, 0, HASH, "", env.feed.latest_round())
    warp(v.epoch_end(0) + 1)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, env.feed.latest_round() - 1)
    _report_raw(env, 0, env.feed.latest_round())
    assert v.epochs(0)[6] == 90_000 * 10**8


def test_old_phase_refused():
    env = deploy()
    old = publish_before_end(env, 0, lead=300)
    env.feed.new_phase()
    (ev,) = logs(env.feed, "PhaseStarted")
    assert ev.phase == 1
    new = publish_before_end(env, 0, lead=60)
    assert new == (1 << 64) | 1 and old >> 64 == 0
    warp(env.vault.epoch_end(0) + 10)
    with boa.reverts("vault: price round from an old phase"):
        _report_raw(env, 0, old)
    _report_raw(env, 0, new)


def test_stale_round_accepted_without_electricity_fee():
    env = deploy()
    v = env.vault
    end = v.epoch_end(1)
    warp(end - MAX_PRICE_AGE - 1)
    env.feed.set_price(BTC_USD)
    rid = env.feed.latest_round()
    warp(end + 60)
    _report_raw(env, 1, rid)
    (ev,) = logs(v, "EpochReported")
    assert ev.price_stale and ev.btc_usd == 0 and ev.round_id == rid
    assert (ev.fee, ev.perf, ev.net) == (0, 10_000, 90_000) and v.epochs(0)[6] == 0


def test_round_exactly_max_age_old_is_not_stale():
    env = deploy()
    v = env.vault
    end = v.epoch_end(1)
    warp(end - MAX_PRICE_AGE)
    env.feed.set_price(BTC_USD)
    warp(end + 60)
    _report_raw(env, 1, env.feed.latest_round())
    (ev,) = logs(v, "EpochReported")
    assert not ev.price_stale and ev.fee == 12_400


def _mock_env():
    feed = load("MockVaultFeed", 8)
    feed.set(BTC_USD, boa.env.timestamp)
    env = deploy(feed=feed)
    return env, feed


def test_carried_over_round_reports_without_cost():
    """A round whose answer was carried over from an earlier round (answeredInRound < roundId) is
    the round in force at the end but no fresh price: the epoch is reported, price_stale, fee 0."""
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(5, BTC_USD, end - 60, 4)
    feed.set_latest(5)
    warp(end + 60)
    _report_raw(env, 0, 5)
    (ev,) = logs(env.vault, "EpochReported")
    assert (ev.price_stale, ev.btc_usd, ev.fee, ev.perf, ev.net) == (True, 0, 0, 10_000, 90_000)


def test_answered_round_reports_with_its_price():
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(5, BTC_USD, end - 60, 5)
    feed.set_latest(5)
    warp(end + 60)
    _report_raw(env, 0, 5)
    (ev,) = logs(env.vault, "EpochReported")
    assert (ev.price_stale, ev.btc_usd) == (False, BTC_USD) and ev.fee > 0


@pytest.mark.parametrize("answer", [0, -1])
def test_non_positive_answer_reports_without_cost(answer):
    """A feed answering 0 or a negative price at the end never makes the epoch unreportable (it
    would then default): reported, price_stale, no electricity/maintenance fee."""
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(2, answer, end - 60, 2)
    feed.set_latest(2)
    warp(end + 60)
    _report_raw(env, 0, 2)
    (ev,) = logs(env.vault, "EpochReported")
    assert (ev.price_stale, ev.btc_usd, ev.fee, ev.perf, ev.net) == (True, 0, 0, 10_000, 90_000)


def test_round_without_time_refused():
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(2, BTC_USD, 0, 2)
    feed.set_latest(2)
    warp(end + 60)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, 2)


def test_next_round_unknown_to_the_feed_means_not_the_latest():
    # a round below the latest whose successor the feed reports with no time: refused
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(2, BTC_USD, end - 60, 2)
    feed.set_latest(4)
    feed.set_round(4, BTC_USD, end + 10, 4)
    warp(end + 60)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, 2)  # round 3 reads updatedAt 0 (<= end)
    feed.set_round(3, BTC_USD, end + 5, 3)
    _report_raw(env, 0, 2)


def test_dev_feed_rounds():
    env = deploy()
    f = env.feed
    assert f.latest_round() == 1 and f.phase() == 0
    t1 = f.getRoundData(1)[3]
    warp(now() + 100)
    f.set_price(7)
    (ev,) = logs(f, "AnswerUpdated")
    assert (ev.current, ev.roundId, ev.updatedAt) == (7, 2, now())
    assert f.getRoundData(1) == (1, BTC_USD, t1, t1, 1)
    assert f.getRoundData(2) == (2, 7, now(), now(), 2) == f.latestRoundData()
    with boa.reverts("feed: no data present"):
        f.getRoundData(3)
    f.new_phase()
    assert f.latestRoundData()[0] == 2  # the new phase has no answer yet
    f.set_price(8)
    assert f.latest_round() == (1 << 64) | 1 and f.latestRoundData()[:2] == ((1 << 64) | 1, 8)
    assert f.getRoundData(2)[1] == 7  # earlier phases stay readable
    with boa.env.prank(env.holders[0]), boa.reverts("ownable: caller is not the owner"):
        f.new_phase()
    with boa.env.prank(env.holders[0]), boa.reverts("ownable: caller is not the owner"):
        f.set_price(1)


def test_report_refusals():
    env = deploy()
    v = env.vault
    rid = publish_before_end(env, 0)
    with boa.env.prank(env.operator), boa.reverts("vault: epoch not ended"):
        v.report_epoch(0, 0, 0, HASH, "", rid)
    warp(v.epoch_end(0) + 60)
    with boa.env.prank(env.operator), boa.reverts("vault: epoch after term end"):
        v.report_epoch(10, 0, 0, HASH, "", rid)
    with boa.env.prank(env.operator), boa.reverts("vault: delivered exceeds sold"):
        v.report_epoch(0, 400 * TH + 1, 0, HASH, "", rid)
    _report_raw(env, 0, rid, delivered=400 * TH)
    with boa.env.prank(env.operator), boa.reverts("vault: epoch already reported"):
        v.report_epoch(0, 0, 0, HASH, "", rid)
    warp(v.report_deadline(1) + 1)
    with boa.env.prank(env.operator), boa.reverts("vault: epoch deadline passed"):
        v.report_epoch(1, 0, 0, HASH, "", rid)


def test_phase_change_after_the_end_keeps_the_old_phase_round():
    env = deploy()
    v, f = env.vault, env.feed
    rid = publish_before_end(env, 0, 96_000 * 10**8)
    warp(v.epoch_end(0) + 60)
    f.new_phase()
    f.set_price(50_000 * 10**8)  # the upgraded aggregator's first round, after the end
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, f.latest_round())
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, rid - 1)  # an earlier round of the old phase: its successor precedes the end
    _report_raw(env, 0, rid)
    (ev,) = logs(v, "EpochReported")
    assert (ev.round_id, ev.btc_usd, ev.price_stale) == (rid, 96_000 * 10**8, False)


def test_old_phase_round_refused_when_its_phase_continued_before_the_end():
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(2, BTC_USD, end - 600, 2)
    feed.set_round(3, BTC_USD, end - 60, 3)  # a later round of phase 0, before the end
    feed.set_round((1 << 64) | 1, BTC_USD, end + 30, (1 << 64) | 1)
    feed.set_latest((1 << 64) | 1)
    warp(end + 60)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, 2)
    _report_raw(env, 0, 3)  # round 4 reads updatedAt 0: phase 0 ended with round 3


# ---- audit6 H2: feed phases without rounds, OCR2 zeros

OLD_PHASE = "vault: price round from an old phase"
MAX_PHASE_WALK = 8


def _phases_after_the_end(env, empty: int, answer: int = 50_000 * 10**8):
    """After epoch 0's end the proxy moves on `empty + 1` times; only the last phase answers."""
    warp(env.vault.epoch_end(0) + 60)
    for _ in range(empty + 1):
        env.feed.new_phase()
    env.feed.set_price(answer)
    assert env.feed.latest_round() == ((empty + 1) << 64) | 1
    return env.feed.latest_round()


def _reported(env, rid, btc_usd):
    (ev,) = logs(env.vault, "EpochReported")
    assert (ev.epoch, ev.round_id, ev.btc_usd, ev.price_stale) == (0, rid, btc_usd, False)


@pytest.mark.parametrize("empty", [1, 2])
def test_empty_phases_after_the_end_keep_the_old_phase_round(empty):
    """H2: one or two phases without rounds between the end and the report: the phase-0 round in force
    at the end is still accepted (the first later phase with rounds answered after the end)."""
    env = deploy()
    rid = publish_before_end(env, 0, 96_000 * 10**8)
    latest = _phases_after_the_end(env, empty)
    with boa.env.prank(env.operator), boa.reverts("feed: no data present"):
        env.feed.getRoundData((1 << 64) | 1)  # the middle phase has no round
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, latest)
    _report_raw(env, 0, rid)
    _reported(env, rid, 96_000 * 10**8)


def test_empty_phase_then_a_later_phase_before_the_end_refuses_the_old_round():
    """The walk stops at the first phase with rounds: when it answered before the end, it is the
    round in force (uniqueness), and the older phase's round is refused."""
    env = deploy()
    v, f = env.vault, env.feed
    old = publish_before_end(env, 0, lead=600)
    f.new_phase()
    f.new_phase()  # phase 1 never answers
    in_force = publish_before_end(env, 0, 97_000 * 10**8, lead=60)
    assert in_force == (2 << 64) | 1
    warp(v.epoch_end(0) + 60)
    f.new_phase()
    f.new_phase()  # phase 3 empty, phase 4 answers after the end
    f.set_price(50_000 * 10**8)
    with boa.reverts(OLD_PHASE):
        _report_raw(env, 0, old)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, f.latest_round())
    _report_raw(env, 0, in_force)
    _reported(env, in_force, 97_000 * 10**8)


def test_phase_walk_bound():
    """MAX_PHASE_WALK later phases are read: 7 empty phases and an answer in the 8th still prove the
    old round; with 8 empty phases the walk ends without a round and the old round is refused (the
    round in force cannot be proven; documented, a feed moving 9 times without answering)."""
    env = deploy()
    rid = publish_before_end(env, 0, 96_000 * 10**8)
    with boa.env.anchor():
        _phases_after_the_end(env, MAX_PHASE_WALK - 1)
        _report_raw(env, 0, rid)
        _reported(env, rid, 96_000 * 10**8)
    latest = _phases_after_the_end(env, MAX_PHASE_WALK)
    with boa.reverts(OLD_PHASE):
        _report_raw(env, 0, rid)
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, latest)
    assert env.vault.epochs(0)[0] == 0  # not reported


def test_ocr2_zeros_for_missing_rounds():
    """An OCR2 aggregator answers zeros (no revert) for a round it never had: updatedAt 0 is no round,
    for the empty middle phase and for the old phase's next round."""
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(2, BTC_USD, end - 60, 2)  # phase 0's last round, in force at the end
    # phase 1 has no round (reads zeros); phase 2 answers after the end
    feed.set_round((2 << 64) | 1, 50_000 * 10**8, end + 30, (2 << 64) | 1)
    feed.set_latest((2 << 64) | 1)
    warp(end + 60)
    assert feed.getRoundData((1 << 64) | 1)[3] == 0 and feed.getRoundData(3)[3] == 0
    with boa.reverts(NOT_AT_END):
        _report_raw(env, 0, (2 << 64) | 1)
    _report_raw(env, 0, 2)
    _reported(env, 2, BTC_USD)


def test_ocr2_zeros_then_a_phase_before_the_end_refuses_the_old_round():
    env, feed = _mock_env()
    end = env.vault.epoch_end(0)
    feed.set_round(2, BTC_USD, end - 600, 2)
    feed.set_round((2 << 64) | 1, 97_000 * 10**8, end - 60, (2 << 64) | 1)  # after an empty phase 1, before the end
    feed.set_round((3 << 64) | 1, 50_000 * 10**8, end + 30, (3 << 64) | 1)
    feed.set_latest((3 << 64) | 1)
    warp(end + 60)
    with boa.reverts(OLD_PHASE):
        _report_raw(env, 0, 2)
    _report_raw(env, 0, (2 << 64) | 1)
    _reported(env, (2 << 64) | 1, 97_000 * 10**8)
