"""Pause intervals: at most 8 pauses of at most 7 days; deadlines run in unpaused time; a pause
stops buy/report/fund only."""

import boa
from vc_env import DAY, GRACE, HASH, TH, deploy, fund, logs, now, publish_before_end, report, warp

MAX_PAUSE = 7 * DAY


def _pause(env, who=None):
    with boa.env.prank(who or env.guardian):
        env.vault.pause()


def test_pause_and_unpause_record_intervals_and_events():
    env = deploy(set_trust=False)
    v = env.vault
    assert not v.paused() and v.pause_intervals() == []
    _pause(env)
    (ev,) = logs(v, "Paused")
    s = now()
    assert ev.account == env.guardian and v.paused() and v.pause_intervals() == [(s, 0)]
    warp(s + 3600)
    with boa.env.prank(env.guardian), boa.reverts("ownable: caller is not the owner"):
        v.unpause()  # before expiry: the admin only
    v.unpause()
    (ev,) = logs(v, "Unpaused")
    assert ev.account == env.admin and not v.paused() and v.pause_intervals() == [(s, s + 3600)]
    with boa.reverts("vault: not paused"):
        v.unpause()
    _pause(env, env.admin)  # the admin may pause too
    assert len(v.pause_intervals()) == 2


def test_pause_refusals():
    env = deploy(set_trust=False)
    v = env.vault
    with boa.reverts("vault: not paused"):
        v.unpause()
    with boa.env.prank(env.holders[0]), boa.reverts("vault: caller is not the guardian"):
        v.pause()
    _pause(env)
    with boa.env.prank(env.guardian), boa.reverts("vault: already paused"):
        v.pause()


def test_a_pause_ends_by_itself_after_seven_days_and_anyone_may_close_it():
    env = deploy(set_trust=False)
    v = env.vault
    _pause(env)
    s = now()
    warp(s + MAX_PAUSE - 1)
    assert v.paused()
    with boa.env.prank(env.holders[0]), boa.reverts("ownable: caller is not the owner"):
        v.unpause()
    warp(s + MAX_PAUSE + 100)
    assert not v.paused()
    with boa.env.prank(env.holders[0]):
        v.unpause()
    assert logs(v, "Unpaused")[0].account == env.holders[0]
    assert v.pause_intervals() == [(s, s + MAX_PAUSE)]  # capped at the longest end


def test_a_new_pause_closes_an_expired_one():
    env = deploy(set_trust=False)
    v = env.vault
    _pause(env)
    s = now()
    warp(s + MAX_PAUSE + 5)
    _pause(env)
    ended, paused = logs(v, "PauseEnded"), logs(v, "Paused")  # G5: the closing has its event
    assert [(x.start, x.end) for x in ended] == [(s, s + MAX_PAUSE)]
    assert [x.account for x in paused] == [env.guardian]
    assert v.pause_intervals() == [(s, s + MAX_PAUSE), (now(), 0)]


def test_pause_budget():
    env = deploy(set_trust=False)
    v = env.vault
    for _ in range(8):
        _pause(env)
        v.unpause()
    with boa.env.prank(env.guardian), boa.reverts("vault: pause budget used"):
        v.pause()
    assert len(v.pause_intervals()) == 8


def test_pause_stops_buy_report_fund_but_not_transfer_claim_settle():
    env = deploy(set_trust=True)
    v, h = env.vault, env.holders
    _pause(env)
    assert v.max_buy(h[2]) == 0
    with boa.env.prank(h[2]), boa.reverts("vault: paused"):
        v.buy(TH, 2**256 - 1, h[2])
    v.unpause()
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    _pause(env)
    with boa.env.prank(env.operator), boa.reverts("vault: paused"):
        v.fund_epoch(0)
    with boa.env.prank(env.operator), boa.reverts("vault: paused"):
        v.report_epoch(1, 0, 0, HASH, "", 1)
    with boa.env.prank(h[0]):
        v.transfer(h[2], TH)
        v.claim()
    assert v.settle_due(4) == 0
    v.unpause()
    fund(env, 0)


def test_deadlines_pushed_by_paused_time_after_the_end():
    env = deploy()
    v = env.vault
    end = v.epoch_end(0)
    assert v.report_deadline(0) == end + GRACE and v.attest_deadline(0) == end + 2 * GRACE
    # a pause before the end only: no push
    warp(end - 2 * 3600)
    _pause(env)
    warp(end - 3600)
    v.unpause()
    assert v.report_deadline(0) == end + GRACE
    # a pause straddling the end: only the part after the end counts
    _pause(env)
    warp(end + 1800)
    v.unpause()
    assert v.report_deadline(0) == end + GRACE + 1800
    assert v.attest_deadline(0) == end + 2 * GRACE + 1800
    # a running pause projects to its longest end: 7 days more while it runs
    warp(end + DAY)
    _pause(env)
    s = now()
    assert v.report_deadline(0) == end + GRACE + 1800 + MAX_PAUSE
    warp(s + 2 * DAY)
    v.unpause()
    assert v.report_deadline(0) == end + GRACE + 1800 + 2 * DAY
    assert v.attest_deadline(0) == end + 2 * GRACE + 1800 + 2 * DAY
    # epoch 1 ended during the last pause: pushed by the part after its end
    end1 = v.epoch_end(1)
    assert v.report_deadline(1) == end1 + GRACE + (s + 2 * DAY - end1)
    # a pause starting after a deadline does not move it
    d0 = v.report_deadline(0)
    warp(d0 + 10)
    _pause(env)
    warp(now() + DAY)
    v.unpause()
    assert v.report_deadline(0) == d0


def test_a_pause_longer_than_seven_days_counts_seven():
    env = deploy()
    v = env.vault
    end = v.epoch_end(0)
    warp(end + 100)
    _pause(env)
    warp(end + 100 + 9 * DAY)
    assert v.report_deadline(0) == end + GRACE + MAX_PAUSE
    v.unpause()
    assert v.report_deadline(0) == end + GRACE + MAX_PAUSE


def test_operator_kept_from_reporting_by_a_pause_reports_after_it():
    # audit4 F6: a pause over the whole grace no longer turns into a default
    env = deploy()
    v = env.vault
    rid = publish_before_end(env, 0)
    end = v.epoch_end(0)
    warp(end + 60)
    _pause(env)
    with boa.env.prank(env.operator), boa.reverts("vault: paused"):
        v.report_epoch(0, 400 * TH, 100_000, HASH, "", rid)
    warp(end + GRACE + 3600)  # past the unpaused deadline
    assert v.settle_due(10) == 0  # nothing is due while the pause runs
    v.unpause()
    assert v.report_deadline(0) == end + GRACE + (GRACE + 3600 - 60)
    report(env, 0, 400, 100_000, rid=rid)
    fund(env, 0)
    assert v.record_time(0) == v.attest_deadline(0)
    warp(v.report_deadline(0) + 1)
    assert v.settle_due(10) == 0  # funded: not settled at D(0)
