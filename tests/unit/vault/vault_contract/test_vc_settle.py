"""Settlement cursors: each epoch is settled with the trust at its record time R(e) (D(e) when
not funded by then, A(e) when funded) and credited, O(1), to the holders of that moment."""

import boa
from vc_env import DAY, GRACE, HASH, TH, deploy, fund, logs, now, publish_before_end, report, warp

ACC = 10**36
OVERDUE = "vault: epochs overdue, call settle_due"


def settled(v):
    return [(x.epoch, x.credited, x.record_time) for x in logs(v, "EpochSettled")]


def test_unfunded_epoch_settled_after_its_report_deadline():
    env = deploy()
    v, t, (a, b) = env.vault, env.trust, env.holders[:2]
    t.set_owed(0, 4_000)
    d0 = v.report_deadline(0)
    assert v.record_time(0) == d0 == v.epoch_end(0) + GRACE
    warp(d0)
    assert v.settle_due(10) == 0 and t.calls() == 0  # due strictly after R(e)
    warp(d0 + 1)
    assert v.settle_due(10) == 1
    assert settled(v) == [(0, 4_000, d0)]
    assert (t.settled_epoch(0), t.settled_post(0)) == (0, True)
    assert v.claimable(a) == 1_000 and v.claimable(b) == 3_000
    assert v.cursors() == (1, 0) and v.settle_cursor() == 0
    assert v.total_notified() == 4_000 and v.reward_per_share() == 4_000 * ACC // (400 * TH)
    assert v.settle_due(10) == 0  # idempotent


def test_reported_unfunded_epoch_settled_at_d():
    env = deploy()
    v, t = env.vault, env.trust
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    assert v.record_time(0) == v.report_deadline(0)
    t.set_owed(0, 8)
    warp(v.report_deadline(0) + 1)
    assert v.settle_due(1) == 1 and settled(v) == [(0, 8, v.report_deadline(0))]


def test_funded_epoch_settled_at_its_attest_deadline():
    env = deploy()
    v, t, (a, b) = env.vault, env.trust, env.holders[:2]
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    fund(env, 0)
    t.set_owed(0, 400)
    a0 = v.attest_deadline(0)
    assert v.record_time(0) == a0 == v.epoch_end(0) + 2 * GRACE
    warp(v.report_deadline(0) + 1)
    assert v.settle_due(10) == 0 and v.cursors() == (1, 0)  # skipped by the unfunded cursor
    warp(a0)
    # epochs 1 and 2 (unfunded) passed D(1) = A(0) - 2 days and D(2); D(3) = A(0) is not passed
    assert v.settle_due(10) == 2 and [e for e, _, _ in settled(v)] == [1, 2]
    assert v.cursors() == (3, 0) and v.settle_cursor() == 0
    warp(a0 + 1)
    assert v.settle_due(10) == 2
    assert settled(v) == [(3, 0, a0), (0, 400, a0)]
    assert v.cursors() == (4, 1) and v.settle_cursor() == 1


def test_every_epoch_settled_once_and_cursors_reach_the_end():
    env = deploy()
    v, t = env.vault, env.trust
    funded = {1, 4, 5, 8}
    for e in range(10):
        t.set_owed(e, 10 + e)
        if e in funded:
            publish_before_end(env, e)
            report(env, e, 400, 10_000)
            fund(env, e)
    warp(v.attest_deadline(9) + 1)
    assert v.settle_due(64) == 10
    got = settled(v)
    assert sorted(e for e, _, _ in got) == list(range(10))
    for e, credited, rt in got:
        assert credited == 10 + e
        assert rt == (v.attest_deadline(e) if e in funded else v.report_deadline(e)) == v.record_time(e)
        assert t.times_settled(e) == 1
    assert v.cursors() == (10, 10) and v.settle_cursor() == 10 == v.N_EPOCHS()
    assert v.settle_due(64) == 0


def test_settle_due_runs_at_most_n_and_at_most_max_settle():
    env = deploy(n_epochs=80)
    v = env.vault
    warp(v.report_deadline(79) + 1)
    assert v.settle_due(3) == 3 and v.cursors() == (3, 0)
    assert v.MAX_SETTLE() == 64
    # the attest cursor skips the unfunded epochs past A(e) on the way (skips are not settlements)
    assert v.settle_due(10**9) == 64 and v.cursors() == (67, 64)
    assert v.settle_due(0) == 0


def test_overdue_transfer_refused_until_settle_due():
    env = deploy()
    v, t, (a, b, c) = env.vault, env.trust, env.holders[:3]
    warp(v.report_deadline(5) + 1)  # epochs 0..5 unreported: 6 due
    with boa.env.prank(a), boa.reverts(OVERDUE):
        v.transfer(c, TH)
    with boa.env.prank(a):
        v.approve(b, 2**256 - 1)
    with boa.env.prank(b), boa.reverts(OVERDUE):
        v.transferFrom(a, c, TH)
    assert v.settle_due(1) == 1  # 5 due: still more than a transfer settles
    with boa.env.prank(a), boa.reverts(OVERDUE):
        v.transfer(c, TH)
    assert v.settle_due(1) == 1
    with boa.env.prank(a):
        v.transfer(c, TH)  # settles the last 4 itself
    assert [e for e, _, _ in settled(v)] == [2, 3, 4, 5]
    assert all(not t.settled_post(i) for i in range(2, 6))  # automatic settlement posts nothing
    assert t.settled_post(0) and t.settled_post(1)
    # the attest cursor skipped the unfunded epochs 0..2 whose A(e) passed
    assert v.balanceOf(c) == TH and v.cursors() == (6, 3)


def test_credit_goes_to_the_holders_at_the_record_time():
    env = deploy()
    v, t, (a, b, c) = env.vault, env.trust, env.holders[:3]
    t.set_owed(0, 4_000)
    warp(v.report_deadline(0) + 2 * 3600)  # epoch 0 is due; nobody settled it yet
    with boa.env.prank(a):
        v.transfer(c, 100 * TH)  # the transfer settles epoch 0 first, to a and b
    assert settled(v) == [(0, 4_000, v.report_deadline(0))]
    assert v.claimable(a) == 1_000 and v.claimable(b) == 3_000 and v.claimable(c) == 0
    with boa.env.prank(a):
        assert v.claim() == 1_000
    assert env.wbtc.balanceOf(a) == 1_000


def test_same_claims_whoever_settles_and_when():
    results = []
    for way in ("settle_due", "transfer", "claim_for", "late"):
        env = deploy()
        v, t, (a, b, c) = env.vault, env.trust, env.holders[:3]
        t.set_owed(0, 4_001)
        t.set_owed(1, 999)
        warp(v.report_deadline(1) + 1)
        if way == "settle_due":
            v.settle_due(2)
        elif way == "transfer":
            with boa.env.prank(b):
                v.transfer(c, 0)
        elif way == "claim_for":
            with boa.env.prank(c):
                v.claim_for(b)
        else:
            warp(v.report_deadline(1) + 3 * DAY)
            with boa.env.prank(a):
                v.checkpoint(a)
            v.settle_due(5)
        results.append((v.claimable(a), v.claimable(b) + env.wbtc.balanceOf(b)))
    assert results == [(1_250, 3_750)] * 4


def test_claim_settles_best_effort_and_never_reverts_on_a_backlog():
    env = deploy()
    v, t, (a, b) = env.vault, env.trust, env.holders[:2]
    for e in range(6):
        t.set_owed(e, 400)
    warp(v.report_deadline(5) + 1)
    with boa.env.prank(a):
        assert v.claim() == 400  # 4 epochs settled first: 4 * 100
    assert len(settled(v)) == 4
    (ev,) = logs(v, "Claimed")
    assert (ev.owner, ev.receiver, ev.amount) == (a, a, 400)
    with boa.env.prank(a):
        assert v.claim_for(b) == 6 * 300  # the last 2 settled first, then 3/4 of 6 * 400
    assert v.cursors() == (6, 3)
    assert env.wbtc.balanceOf(b) == 6 * 300 and env.wbtc.balanceOf(a) == 400


def test_a_credit_is_a_step_never_a_new_stream():
    env = deploy()
    v, t = env.vault, env.trust
    publish_before_end(env, 1)
    report(env, 1, 400, 100_000)
    fund(env, 1)
    finish, rate = v.period_finish(), v.rate_scaled()
    t.set_owed(0, 0)
    warp(v.report_deadline(0) + 1)
    rps = v.reward_per_share()
    notified = v.total_notified()
    assert v.settle_due(1) == 1
    assert settled(v) == [(0, 0, v.report_deadline(0))]
    assert (v.period_finish(), v.rate_scaled()) == (finish, rate) and not logs(v, "RewardsNotified")
    assert v.total_notified() == notified
    t.set_owed(2, 800)
    warp(v.report_deadline(2) + 1)
    before = v.reward_per_share()
    with boa.env.prank(env.holders[0]):
        v.checkpoint(env.holders[0])
    streamed = v.reward_per_share() - before
    v.settle_due(1)
    assert (v.period_finish(), v.rate_scaled()) == (finish, rate)
    assert v.reward_per_share() - before - streamed >= 800 * ACC // (400 * TH)
    assert v.total_notified() == notified + 800


def test_trust_paying_less_than_it_returns_is_refused():
    env = deploy()
    v, t = env.vault, env.trust
    t.set_owed(0, 100)
    t.set_short_pay(1)
    warp(v.report_deadline(0) + 1)
    with boa.reverts("vault: settlement not received"):
        v.settle_due(1)
    with boa.env.prank(env.holders[0]), boa.reverts("vault: settlement not received"):
        v.transfer(env.holders[1], 1)
    t.set_short_pay(0)
    assert v.settle_due(1) == 1


def test_a_reverting_trust_reverts_the_settlement():
    env = deploy()
    v, t = env.vault, env.trust
    t.set_refuse(True)
    warp(v.report_deadline(0) + 1)
    with boa.reverts("trust: refused"):
        v.settle_due(1)


def test_nothing_due_before_the_term_and_no_supply_is_harmless():
    env = deploy(holdings=())
    v, t = env.vault, env.trust
    t.set_owed(0, 0)
    assert v.settle_due(5) == 0
    warp(v.report_deadline(0) + 1)
    assert v.settle_due(5) == 1 and v.reward_per_share() == 0


def test_skips_count_against_a_transfers_step_budget():
    env = deploy(n_epochs=14)
    v, (a, c) = env.vault, (env.holders[0], env.holders[2])
    for e in range(12):
        publish_before_end(env, e)
        report(env, e, 400, 1_000)
        fund(env, e)
    warp(v.report_deadline(11) + 1)  # 12 funded epochs past D (skips), 0..8 past A (settles; A(8) = D(11))
    with boa.env.prank(a), boa.reverts(OVERDUE):
        v.transfer(c, TH)
    assert v.settle_due(64) == 9
    assert v.cursors() == (12, 9)
    with boa.env.prank(a):
        v.transfer(c, TH)
    assert v.balanceOf(c) == TH


def test_a_late_batch_settles_in_record_time_order():
    # epoch 0 funded (R = A(0) = end0 + 6 d), epochs 1..8 unfunded (R = D(e) = end0 + e + 3 d):
    # on time, epoch 0 is settled before epochs 4..8; a late batch must keep that order
    env = deploy(n_epochs=10)
    v = env.vault
    publish_before_end(env, 0)
    report(env, 0, 400, 1_000)
    fund(env, 0)
    warp(v.report_deadline(8) + 1)
    assert v.settle_due(64) == 9
    order = [(rt, e) for e, _, rt in settled(v)]
    assert [rt for rt, _ in order] == sorted(rt for rt, _ in order)
    assert [e for _, e in order] == [1, 2, 3, 0, 4, 5, 6, 7, 8]  # D(3) = A(0): the unfunded cursor first


def test_a_refusing_trust_never_blocks_claims():
    env = deploy()
    v, t, (a, b, c) = env.vault, env.trust, env.holders[:3]
    t.set_owed(0, 4_000)
    t.set_owed(1, 400)
    warp(v.report_deadline(0) + 1)
    v.settle_due(1)  # epoch 0 credited
    t.set_refuse(True)
    warp(v.report_deadline(1) + 1)  # epoch 1 due, the trust refuses to settle it
    with boa.env.prank(a):
        assert v.claim() == 1_000  # what is credited is paid; epoch 1 stays due
    assert v.cursors()[0] == 1 and t.times_settled(1) == 0 and not logs(v, "EpochSettled")
    with boa.env.prank(c):
        assert v.claim_for(b) == 3_000
    with boa.env.prank(a), boa.reverts("trust: refused"):
        v.transfer(c, TH)  # balance changes still wait for the settlement
    t.set_refuse(False)
    with boa.env.prank(a):
        assert v.claim() == 100  # the claim settles epoch 1 now
    assert settled(v) == [(1, 400, v.report_deadline(1))] and not t.settled_post(1)
