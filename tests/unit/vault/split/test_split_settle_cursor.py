"""The vault's settlement cursor (docs/design/vault-trust-split.md §5, §6): record times
R(e) = D(e) (not funded) or A(e) (funded), pushed by paused time; `settle_due` by anyone, never
paused, logs `EpochSettled(epoch, credited, record_time)`; every balance change settles first and
refuses while epochs stay overdue; claims settle best effort; settling once late or step by step
on time gives the same records, bond and claimables."""

import boa
import pytest
from boa_vault import settle_all
from scenario import PRICE, TH, events, fund, report, report_epoch, trust_vault, warp

DAY = 86_400
NU = 3_802


def test_record_times_and_cursor():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    end0 = v.epoch_end(0)
    assert (v.report_deadline(0), v.attest_deadline(0), v.record_time(0)) == (end0 + 3 * DAY, end0 + 6 * DAY, end0 + 3 * DAY)
    report(env, 0, 100 * TH, 100_000)
    assert v.record_time(0) == end0 + 3 * DAY  # reported, not funded: still D(0)
    fund(env, 0)
    assert v.record_time(0) == end0 + 6 * DAY  # funded: A(0)
    warp(end0 + 3 * DAY + 1)
    assert v.settle_due(8) == 0  # epoch 0 funded: the unfunded cursor skips it; nothing else due
    assert v.cursors() == (1, 0) and v.settle_cursor() == 0
    warp(v.report_deadline(1) + 1)
    assert v.settle_due(8) == 1
    (s,) = events(v, "EpochSettled")
    assert (s.epoch, s.credited, s.record_time) == (1, NU, v.report_deadline(1))
    assert v.cursors() == (2, 0)


def test_settle_due_limit_and_order():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    warp(v.report_deadline(5) + 1)
    with boa.env.prank(env.holders[3]):
        assert v.settle_due(2) == 2
    assert [(s.epoch, s.credited) for s in events(v, "EpochSettled")] == [(0, NU), (1, NU)]
    assert v.settle_due(100) == 4  # capped at MAX_SETTLE, 4 left
    assert [s.epoch for s in events(v, "EpochSettled")] == [2, 3, 4, 5]
    assert v.settle_due(100) == 0


def test_settle_due_needs_a_trust():
    from boa_vault import deploy

    env = deploy(trust=False)
    with boa.reverts("vault: term not opened"):
        env.vault.settle_due(1)


def test_balance_change_settles_first_and_refuses_a_backlog():
    env, t = trust_vault(holdings=(100,))
    v, a, b = env.vault, env.holders[0], env.holders[1]
    warp(v.report_deadline(3) + 1)  # 4 due: the transfer settles them itself
    with boa.env.prank(a):
        v.transfer(b, TH)
    assert [s.epoch for s in events(v, "EpochSettled")] == [0, 1, 2, 3]
    assert v.claimable(a) == 4 * NU and v.claimable(b) == 0
    warp(v.report_deadline(8) + 1)  # 5 due: more than a transfer settles
    with boa.env.prank(a), boa.reverts("vault: epochs overdue, call settle_due"):
        v.transfer(b, TH)
    with boa.env.prank(b):
        got = v.claim()  # a claim never reverts on a backlog: it settles 4 and pays
    assert got == 4 * NU * 1 // 100  # b's 1 % of epochs 4-7 (it held nothing at 0-3)
    assert [s.epoch for s in events(v, "EpochSettled")] == [4, 5, 6, 7]
    with boa.env.prank(a):
        v.transfer(b, TH)  # one left: the transfer settles it
    assert [s.epoch for s in events(v, "EpochSettled")] == [8]
    assert v.total_notified() == 9 * NU
    assert 9 * NU - 2 <= v.claimable(a) + v.claimable(b) + env.wbtc.balanceOf(b) <= 9 * NU  # < 1 sat dust per holder


def test_pause_pushes_record_times_and_settle_due_is_never_paused():
    env, t = trust_vault(holdings=(100,))
    v, g = env.vault, env.guardian
    end0 = v.epoch_end(0)
    warp(end0 + DAY)
    with boa.env.prank(g):
        v.pause()
    (p,) = events(v, "Paused")
    assert p.account == g and v.paused()
    start = boa.env.timestamp
    assert v.report_deadline(0) == end0 + 3 * DAY + 7 * DAY  # an open pause counts to its longest end
    with boa.env.prank(g), boa.reverts("vault: already paused"):
        v.pause()
    with boa.env.prank(env.holders[0]), boa.reverts("vault: caller is not the guardian"):
        v.pause()
    warp(start + 2 * DAY)
    with boa.env.prank(env.holders[0]), boa.reverts():
        v.unpause()  # only the admin before MAX_PAUSE
    v.unpause()
    (u,) = events(v, "Unpaused")
    assert u.account == env.admin and not v.paused()
    assert v.report_deadline(0) == end0 + 3 * DAY + 2 * DAY
    (iv,) = v.pause_intervals()
    assert (iv.start, iv.end) == (start, start + 2 * DAY)
    warp(v.report_deadline(0) + 1)
    with boa.env.prank(g):
        v.pause()  # epoch 0 is already due: a pause now does not hold it back
    assert v.settle_due(1) == 1
    warp(boa.env.timestamp + 7 * DAY)
    with boa.env.prank(env.holders[3]):
        v.unpause()  # anyone, once expired
    with boa.reverts("vault: not paused"):
        v.unpause()


def test_pause_budget():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    for _ in range(8):
        v.pause()
        v.unpause()
    with boa.reverts("vault: pause budget used"):
        v.pause()
    with boa.reverts("vault: not paused"):
        v.unpause()


def test_expired_pause_ends_by_itself_and_anyone_may_close_it():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    v.pause()
    start = boa.env.timestamp
    warp(start + 7 * DAY)
    assert not v.paused()
    with boa.env.prank(env.holders[3]):
        v.unpause()
    (u,) = events(v, "Unpaused")
    assert u.account == env.holders[3]
    (iv,) = v.pause_intervals()
    assert (iv.start, iv.end) == (start, start + 7 * DAY)


def _history(settle_on_time: bool, bond: int):
    """Epoch 0 funded and unattested (owes Nu), 1-8 unreported; `settle_on_time`: a stranger calls
    `settle_due(1)` each second one becomes due; else nobody does until day 30, then once."""
    env, t = trust_vault(holdings=(60, 40), bond=bond, n_epochs=9)
    v = env.vault
    report(env, 0, 100 * TH, 0)
    fund(env, 0)
    times = sorted({v.record_time(e) for e in range(9)})
    if settle_on_time:
        for ts in times:
            warp(ts + 1)
            settle_all(env, 1)
    warp(v.epoch_end(0) + 30 * DAY)
    settle_all(env, 64)
    tr = t.trust
    recs = [tuple(tr.record(e)) for e in range(9)]
    return recs, tr.bond(), [v.claimable(h) for h in env.holders[:2]]


# 29,572 sats (7 x gross of 100 TH/s, G6): the bond runs out at epoch 7 -- which epochs it pays must not depend on when
# settle_due is called (fixed in 493a915: settlements run in record-time order across both cursors)
@pytest.mark.parametrize("bond", [10**10, 29_572])
def test_settling_late_at_once_equals_settling_on_time(bond):
    on_time = _history(True, bond)
    late = _history(False, bond)
    assert on_time[1:] == late[1:]  # bond and claimables
    assert on_time[0] == late[0], f"records differ: on time {[r[4] for r in on_time[0]]} paid, late {[r[4] for r in late[0]]}"
