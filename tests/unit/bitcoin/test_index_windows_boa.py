"""HashpriceIndex's liveness rule: a period missing a sample publishes once its proof window has
passed (PROOF_WINDOW after the later of: it became the next period, a block of a later period was
counted), over the samples counted, void below MIN_SAMPLES (closing no day); the future-time rule;
the period bound. Every publication is replayed through the Python model (`IndexModel`)."""

import boa
import pytest
from btc_boa import DEPLOYER, PROOF_WINDOW, START_HEIGHT, deploy_index, deploy_relay, finalize, logs, now, retarget_args, reward_proof
from index_env import FIRST_PERIOD, IndexEnv, mine_periods

from hashtrust.bitcoin.consensus import RETARGET_INTERVAL
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS, sample_heights
from hashtrust.bitcoin.miner import EASY_BITS, SyntheticChain

P0 = FIRST_PERIOD
NOT_YET = "index: period has sample blocks not yet proven"


def assert_matches_model(env):
    for d in env.days():
        assert env.index.hashprice(d) == env.model.hashprice(d), d
    assert env.index.latest() == env.model.latest()


def test_an_incomplete_period_waits_for_its_window_then_publishes_over_what_was_counted():
    env = IndexEnv(mine_periods([600, 600, 600]))
    env.prove_period(P0)
    env.publish(P0)
    env.prove_period(P0 + 1, skip=(3,))  # the last sample (the period's last block) is never proven
    before = env.index.status()
    with boa.reverts(NOT_YET):
        env.index.publish(P0 + 1)  # nothing beyond it is counted: its window has not opened
    assert env.index.period(P0 + 1).window_end == 0
    boa.env.time_travel(seconds=10 * PROOF_WINDOW)
    with boa.reverts(NOT_YET):
        env.index.publish(P0 + 1)  # however long it waits
    env.submit(sample_heights(P0 + 2, 4)[0])
    (ev,) = logs(env.index, "WindowOpened")
    opened = now()
    assert (ev.period, ev.time) == (P0 + 1, opened)
    assert env.index.period(P0 + 1).window_end == opened + PROOF_WINDOW
    boa.env.time_travel(seconds=PROOF_WINDOW - 1)
    with boa.reverts(NOT_YET):
        env.index.publish(P0 + 1)
    assert env.index.status() == before
    boa.env.time_travel(seconds=1)
    runs = env.publish(P0 + 1)
    (ev,) = logs(env.index, "PeriodPublished")
    counted = set(sample_heights(P0 + 1, 4)[:3])
    assert (ev.period, ev.blocks, ev.value) == (P0 + 1, 3, env.expected_value(P0 + 1, counted))
    assert ev.reward_sum == sum(env.chain.block(h).paid for h in counted)
    assert ev.close_time == env.chain.block(max(counted)).parsed.time  # the highest counted sample's time
    assert [(d.first_day, d.end_day, d.value, d.period) for d in logs(env.index, "DaysFinal")] == [(a, b, v, P0) for a, b, v in runs]
    rec = env.index.period(P0 + 1)
    assert rec.published and not rec.void and rec.value == env.expected_value(P0 + 1, counted) and rec.blocks == 3
    assert_matches_model(env)
    with boa.reverts("index: period already published"):
        env.submit(sample_heights(P0 + 1, 4)[3])  # the late proof of the missing block: too late


@pytest.mark.parametrize("counted", [0, 1, 2, 3])
def test_a_majority_of_the_sample_or_the_period_is_void(counted):
    """SAMPLES = 4: MIN_SAMPLES = 2. With fewer counted when the window passes, the period is void:
    it closes no day, and the days run on to the next valued period with the previous value."""
    env = IndexEnv(mine_periods([600, 600, 600, 600]))
    env.prove_period(P0)
    env.publish(P0)
    env.prove_period(P0 + 1, skip=tuple(range(counted, 4)))
    env.prove_period(P0 + 2)
    boa.env.time_travel(seconds=PROOF_WINDOW)
    before = env.index.status()
    env.publish(P0 + 1)
    void, valued, days = (logs(env.index, n) for n in ("PeriodVoid", "PeriodPublished", "DaysFinal"))
    rec = env.index.period(P0 + 1)
    assert rec.published and rec.blocks == counted
    if counted < 2:
        (ev,) = void
        assert (ev.period, ev.blocks) == (P0 + 1, counted)
        assert not valued and not days
        assert rec.void and rec.value == 0
        st = env.index.status()
        assert st.next_period == P0 + 2 and (st.final_until, st.last_close, st.last_value) == (before.final_until, before.last_close, before.last_value)
    else:
        (ev,) = valued
        assert not void and ev.blocks == counted and not rec.void and rec.value == ev.value > 0
    env.publish(P0 + 2)  # complete: at once
    days = logs(env.index, "DaysFinal")
    assert [d.period for d in days] == [P0 if counted < 2 else P0 + 1] * len(days)
    assert_matches_model(env)
    with boa.reverts("index: period already published"):
        env.index.publish(P0 + 1)


def test_void_periods_before_the_first_valued_one():
    env = IndexEnv(mine_periods([600, 600, 600, 600]))
    env.prove_period(P0 + 1)  # nothing of P0 is ever counted
    boa.env.time_travel(seconds=PROOF_WINDOW)
    env.publish(P0)
    (ev,) = logs(env.index, "PeriodVoid")
    assert (ev.period, ev.blocks) == (P0, 0)
    assert env.index.period(P0).void and env.index.status().first_day == 0
    env.publish(P0 + 1)
    assert env.index.status().first_day == env.chain.block((P0 + 1) * 144 + 143).parsed.time // 86_400 == env.model.first_day
    assert env.index.latest() == (0, 0)
    env.prove_period(P0 + 2)
    env.prove_period(P0 + 3)
    env.publish(P0 + 2)
    env.publish(P0 + 3)
    assert_matches_model(env)
    assert env.index.hashprice(env.model.first_day - 1) == (0, False)


def test_no_window_starts_before_its_period_is_the_next():
    """A block counted far ahead (here real; it could be forged with k + 1 headers, ahead of the
    chain) opens the windows of every period before it, but none of them runs before the period is
    the next to publish: a period still being mined when its turn comes gets a full window."""
    env = IndexEnv(mine_periods([600, 600, 600, 600]))
    env.submit(sample_heights(P0 + 3, 4)[3])
    early = now()
    assert [(e.period, e.time) for e in logs(env.index, "WindowOpened")] == [(P0, early)]  # P0 is the next
    env.prove_period(P0, skip=(1,))
    boa.env.time_travel(seconds=2 * PROOF_WINDOW)
    assert env.index.period(P0).window_end == early + PROOF_WINDOW
    env.publish(P0)
    turn = now()
    assert [(e.period, e.time) for e in logs(env.index, "WindowOpened")] == [(P0 + 1, turn)]  # its turn: a block beyond it is counted
    assert env.index.period(P0 + 1).window_end == turn + PROOF_WINDOW  # not early + PROOF_WINDOW, long past
    with boa.reverts(NOT_YET):
        env.index.publish(P0 + 1)
    boa.env.time_travel(seconds=PROOF_WINDOW - 1)
    env.prove_period(P0 + 1)  # its blocks arrive within the window: complete, published at once
    env.publish(P0 + 1)
    assert logs(env.index, "PeriodPublished")[0].blocks == 4
    assert_matches_model(env)


def test_the_window_end_view():
    env = IndexEnv(mine_periods([600, 600, 600]))
    assert [env.index.period(p).window_end for p in (P0, P0 + 1, P0 + 2)] == [0, 0, 0]
    env.submit(sample_heights(P0 + 2, 4)[0])
    t = now()
    # only the next period has a window; the later ones get theirs when their turn comes
    assert [env.index.period(p).window_end for p in (P0, P0 + 1, P0 + 2, P0 + 3)] == [t + PROOF_WINDOW, 0, 0, 0]


def test_a_window_opens_once():
    env = IndexEnv(mine_periods([600, 600, 600, 600]))
    env.submit(sample_heights(P0 + 2, 4)[0])
    t = now()
    assert [(e.period, e.time) for e in logs(env.index, "WindowOpened")] == [(P0, t)]
    boa.env.time_travel(seconds=60)
    for h in (sample_heights(P0 + 2, 4)[1], sample_heights(P0 + 1, 4)[0], sample_heights(P0, 4)[0], sample_heights(P0 + 3, 4)[0]):
        env.submit(h)
        assert not logs(env.index, "WindowOpened")
    assert env.index.period(P0).window_end == t + PROOF_WINDOW  # the first block beyond it opened it
    env.prove_period(P0, skip=(0,))
    env.publish(P0)  # complete: published without waiting; P0 + 1's window opens at its turn
    assert [(e.period, e.time) for e in logs(env.index, "WindowOpened")] == [(P0 + 1, now())]


def test_a_block_an_epoch_ahead_opens_the_window_too():
    """The first block beyond the next period opens its window however far beyond (here 16
    periods, in the next epoch); later ones change nothing."""
    chain = SyntheticChain(start_height=START_HEIGHT, retargeting=False, seed=31)
    chain.mine_to(START_HEIGHT + RETARGET_INTERVAL + 4 * PERIOD_BLOCKS + 2)
    relay = deploy_relay(confirmations=2, retargeting=False)
    with boa.env.prank(DEPLOYER):
        relay.anchor(chain.block(START_HEIGHT).header, START_HEIGHT)
    relay.retarget(*retarget_args(chain, START_HEIGHT + RETARGET_INTERVAL, 6, 6))
    finalize(relay)
    index = deploy_index(relay, P0, 1)

    def submit(period):
        index.submit(*reward_proof(chain, sample_heights(period, 1)[0], 2).args())

    submit(P0 + 16)  # epoch 101: 16 periods on
    t16 = now()
    assert [(e.period, e.time) for e in logs(index, "WindowOpened")] == [(P0, t16)]
    boa.env.time_travel(seconds=3_600)
    submit(P0 + 17)
    submit(P0 + 14)
    assert index.period(P0).window_end == t16 + PROOF_WINDOW
    boa.env.time_travel(seconds=PROOF_WINDOW - 3_600 - 1)
    with boa.reverts(NOT_YET):
        index.publish(P0)
    boa.env.time_travel(seconds=1)
    index.publish(P0)
    assert logs(index, "PeriodVoid")[0].period == P0
    assert index.period(P0 + 1).window_end == now() + PROOF_WINDOW  # P0 + 1's turn: blocks beyond it are counted


def test_a_block_stamped_more_than_two_hours_ahead_is_not_counted():
    env = IndexEnv(mine_periods([600]), samples=1)
    h = P0 * 144 + 143
    for ahead, ok in ((7_201, False), (7_200, True)):
        fake = SyntheticChain(start_height=h, retargeting=False, seed=ahead)
        for _ in range(3):
            fake.mine(time=now() + ahead)
        blk = fake.block(h)
        if ok:
            env.index.submit(fake.headers(h, 3), blk.coinbase, list(blk.branch))
            assert env.index.period(P0).close_time == now() + 7_200
        else:
            before = env.index.period(P0)
            with boa.reverts("index: block time more than 2 hours ahead"):
                env.index.submit(fake.headers(h, 3), blk.coinbase, list(blk.branch))
            assert env.index.period(P0) == before


def test_the_last_period_a_cursor_can_hold():
    """Periods are 32-bit in the cursor: period 2**32 - 1 is refused, 2**32 - 2 counted."""
    epoch = ((2**32 - 1) * 144 + 143) // RETARGET_INTERVAL
    assert ((2**32 - 2) * 144) // RETARGET_INTERVAL == epoch  # both periods in one epoch
    relay = deploy_relay(confirmations=2, retargeting=False)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(epoch, EASY_BITS, 1_700_000_000)
    index = deploy_index(relay, 2**32 - 4, 1)
    for period, ok in ((2**32 - 2, True), (2**32 - 1, False)):
        h = period * 144 + 143
        c = SyntheticChain(start_height=h, retargeting=False, seed=period % 97)
        for _ in range(3):
            c.mine()
        args = (c.headers(h, 3), c.block(h).coinbase, list(c.block(h).branch))
        if ok:
            index.submit(*args)
            assert index.period(period).blocks == 1
        else:
            with boa.reverts("index: period too large"):
                index.submit(*args)
