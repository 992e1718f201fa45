"""audit9, checked (51a1f4d, 0570367, 127d7c1) on the real vault + trust (10 epochs, 100 TH/s).

post_bond after TERM_END (J1 fix): the operator can neither take the bond back before every epoch
is settled (`withdraw_bond`: "epochs not settled") nor change a due settlement by a top-up
(`post_bond`: "epochs overdue" once a record time passed), and once everything is settled a post is
refused ("term over"). Every default of the last epochs is paid in full from the bond.

Feedback queue: a stranger cannot drop, reorder away or suppress a queued record (a starved
`post_pending` reverts and leaves the queue as it was; `post_record` posts it, the queue then only
drops it), and cannot keep the bond locked: any caller's `post_pending` with enough gas empties it.
"""

import boa
from scenario import BOND, fund, report, trust_vault, warp

NU = 3_802  # Nu of 100 TH/s on these terms


def _settle(env, by):
    with boa.env.prank(by):
        return env.vault.settle_due(64)


def test_operator_cannot_dodge_the_last_slashes_around_term_end():
    env, t = trust_vault(holdings=(100,), n_epochs=10)
    v, tr, op = env.vault, t.trust, env.operator
    keeper, holder = env.holders[-1], env.holders[0]
    for e in range(7):  # honest, funded (unattested: each owes Nu - net)
        report(env, e, 100 * 10**18, 4_224)
        fund(env, e)
    # epochs 7, 8, 9: never reported
    warp(v.TERM_END() + 60)
    _settle(env, keeper)
    assert v.settle_cursor() < 10
    with boa.env.prank(op), boa.reverts("trust: epochs not settled"):
        tr.withdraw_bond()
    # a top-up now (nothing overdue) is allowed and only adds
    with boa.env.prank(op):
        tr.post_bond(1)
    assert tr.bond() == BOND + 1 - sum(tr.record(e).paid for e in range(10))
    # once an epoch's record time passed and it is unsettled, no top-up changes it
    warp(v.record_time(7) + 1)
    with boa.env.prank(op), boa.reverts("trust: epochs overdue, call settle_due"):
        tr.post_bond(1)
    with boa.env.prank(op), boa.reverts("trust: epochs not settled"):
        tr.withdraw_bond()
    for e in (8, 9):
        _settle(env, keeper)
        warp(v.record_time(e) + 1)
    _settle(env, keeper)
    while v.settle_cursor() < 10:
        warp(v.attest_deadline(v.settle_cursor()) + 1)
        _settle(env, keeper)
    for e in (7, 8, 9):
        r = tr.record(e)
        assert r.settled and r.kind == 2 and r.paid == r.owed == NU
    with boa.env.prank(op), boa.reverts("trust: term over"):
        tr.post_bond(1)
    assert tr.pending_feedback()[0] == tr.pending_feedback()[1]
    left = tr.bond()
    with boa.env.prank(op):
        assert tr.withdraw_bond() == left
    with boa.env.prank(holder):
        got = v.claim()
    assert got > 3 * NU


def test_stranger_cannot_drop_suppress_or_lock_the_queue():
    env, t = trust_vault(holdings=(100,), n_epochs=10)
    v, tr = env.vault, t.trust
    stranger, holder, keeper = env.holders[2], env.holders[0], env.holders[-1]
    # epoch 0 unreported, settled by a holder's transfer (no post): queued
    warp(v.record_time(0) + 1)
    with boa.env.prank(holder):
        v.transfer(env.holders[1], 10**18)
    assert tr.record(0).settled and tr.record(0).feedback == 1
    assert tr.pending_feedback() == (0, 1)
    # starved calls revert and change nothing (no drop, no reorder)
    for gas in (60_000, 200_000, 440_000):
        with boa.env.prank(stranger), boa.reverts():
            tr.post_pending(64, gas=gas)
        assert tr.pending_feedback() == (0, 1) and tr.record(0).feedback == 1
    # a starved settle_due reverts too (nothing settled half-way)
    warp(v.record_time(1) + 1)
    with boa.env.prank(stranger), boa.reverts():
        v.settle_due(64, gas=300_000)
    assert not tr.record(1).settled
    # anyone with enough gas: settled, posted, queue empty
    _settle(env, stranger)
    assert tr.pending_feedback()[0] == tr.pending_feedback()[1]
    for e in (0, 1):
        assert tr.record(e).feedback == 2
    count, value, _ = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    assert count == 2 and value == 0
    # post_record by a stranger on a queued record: the queue then only drops it (one post)
    warp(v.record_time(2) + 1)
    with boa.env.prank(holder):
        v.transfer(env.holders[1], 1)
    assert tr.record(2).feedback == 1
    with boa.env.prank(stranger):
        assert tr.post_record(2)
        tr.post_pending(64)
    assert tr.pending_feedback()[0] == tr.pending_feedback()[1]
    assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")[0] == 3
