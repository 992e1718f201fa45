"""HashpriceIndex: the fixed sample, the per-period value, the day rule (daily close, slow days,
closes going backwards, long gaps), finality, and every refusal with its rule, changing nothing."""

import boa
import pytest
from btc_boa import PROOF_WINDOW, START_HEIGHT, anchor, deploy_index, deploy_relay, logs, mined_chain
from index_env import FIRST_PERIOD, IndexEnv, mine_periods

from hashtrust.bitcoin.consensus import ConsensusError
from hashtrust.bitcoin.hashprice import min_samples, sample_heights
from hashtrust.bitcoin.tx import make_coinbase, parse_coinbase

P0 = FIRST_PERIOD


def snapshot(env):
    idx = env.index
    return (idx.status(), idx.period(P0), idx.period(P0 + 1), idx.latest(), [idx.hashprice(d) for d in env.days()])


def assert_matches_model(env):
    for d in env.days():
        assert env.index.hashprice(d) == env.model.hashprice(d), d
    assert env.index.latest() == env.model.latest()


def test_constructor_checks():
    chain = mined_chain(3)
    bare = deploy_relay()
    with pytest.raises(Exception, match="index: the relay is not anchored"):
        deploy_index(bare, P0, 4)
    relay = deploy_relay()
    anchor(relay, chain)  # epoch 100 (periods 1,400 .. 1,413)
    for bad in (0, 5, 7, 145, 288):
        with pytest.raises(Exception, match="index: samples must divide 144"):
            deploy_index(relay, P0, bad)
    with pytest.raises(Exception, match="index: relay is not a contract"):
        from btc_boa import _partial

        _partial("HashpriceIndex").deploy(boa.env.generate_address("eoa"), P0, 4, PROOF_WINDOW)
    for w in (0, 3_599, 2**32):
        with pytest.raises(Exception, match=r"index: proof window must be 3,600 s to 2\*\*32 s"):
            deploy_index(relay, P0, 4, w)
    with pytest.raises(Exception, match="index: first period is before the relay's first epoch"):
        deploy_index(relay, P0 - 1, 4)
    with pytest.raises(Exception, match="index: first period too large"):
        deploy_index(relay, 2**32, 4)
    idx = deploy_index(relay, P0, 12, 3_600)
    assert (idx.SAMPLES(), idx.STRIDE(), idx.CONFIRMATIONS(), idx.FIRST_PERIOD(), idx.PROOF_WINDOW(), idx.MIN_SAMPLES()) == (12, 12, 6, P0, 3_600, 6)
    assert idx.sample_heights(P0) == sample_heights(P0, 12) == [P0 * 144 + 12 * (j + 1) - 1 for j in range(12)]
    assert idx.latest() == (0, 0) and idx.hashprice(19_700) == (0, False)
    assert deploy_index(relay, P0 + 1_000, 4).FIRST_PERIOD() == P0 + 1_000  # a later epoch is fine: the relay moves forward
    for samples in (1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 36, 48, 72, 144):
        assert deploy_index(relay, P0, samples).MIN_SAMPLES() == (samples + 1) // 2 == min_samples(samples)


def test_daily_close_every_day_final_in_order():
    env = IndexEnv(mine_periods([600] * 4))  # each period lasts exactly one day
    assert env.index.hashprice(env.days()[3]) == (0, False)
    for p in range(P0, P0 + 4):
        env.prove_period(p)
        rec = env.index.period(p)
        assert rec.blocks == rec.samples == 4 and rec.value == env.expected_value(p) and not rec.published
        runs = env.publish(p)
        (ev,) = logs(env.index, "PeriodPublished")
        assert (ev.period, ev.value, ev.blocks) == (p, env.expected_value(p), 4)
        assert ev.close_time == env.chain.block(p * 144 + 143).parsed.time
        days = logs(env.index, "DaysFinal")
        assert [(d.first_day, d.end_day, d.value, d.period) for d in days] == [(a, b, v, p - 1) for a, b, v in runs]
        assert env.index.period(p).published
        assert_matches_model(env)
    # four periods closing on four consecutive days: three days final, the fourth waits for the next period
    first = env.model.first_day
    assert env.index.latest()[0] == first + 2
    assert env.index.hashprice(first + 3) == (0, False)
    assert env.index.status().final_until == first + 3


def test_block_counted_event_and_sample_rules():
    env = IndexEnv(mine_periods([600]))
    h = sample_heights(P0, 4)[1]
    env.submit(h)
    (ev,) = logs(env.index, "BlockCounted")
    blk = env.chain.block(h)
    assert (ev.period, ev.height, ev.block_hash, ev.paid, ev.time) == (P0, h, blk.hash, blk.paid, blk.parsed.time)
    assert ev.fees == blk.paid - 50 * 10**8
    rec = env.index.period(P0)
    assert (rec.blocks, rec.proven_mask, rec.reward_sum, rec.value) == (1, 0b10, blk.paid, 0)
    before = snapshot(env)
    with boa.reverts("index: block already counted"):
        env.submit(h)
    with boa.reverts("index: block is not in its period's sample"):
        env.submit(h - 1)
    with boa.reverts("index: too few confirmations"):
        p = env.proof(sample_heights(P0, 4)[0])
        env.index.submit(p.headers[:-80], p.coinbase, p.branch)
    with boa.reverts("index: period has sample blocks not yet proven"):
        env.index.publish(P0)
    with boa.reverts("index: periods are published in order"):
        env.index.publish(P0 + 1)
    assert snapshot(env) == before


def test_forgeries_refused_by_the_index_too():
    env = IndexEnv(mine_periods([600]))
    h = sample_heights(P0, 4)[0]
    p = env.proof(h)
    other = env.proof(sample_heights(P0, 4)[1])
    before = snapshot(env)
    with boa.reverts("index: merkle branch does not fold to the block's root"):
        env.index.submit(p.headers, p.coinbase, other.branch)
    if p.branch:
        from hashtrust.bitcoin.consensus import sha256d

        node = sha256d(p.coinbase) + p.branch[0]  # an internal merkle node posing as a 64-byte transaction
        with pytest.raises(ConsensusError) as why:
            parse_coinbase(node)
        with boa.reverts(f"bitcoin: {why.value}"):
            env.index.submit(p.headers, node, p.branch[1:])
    with boa.reverts("bitcoin: headers are not linked"):
        env.index.submit(p.headers[:80] + other.headers[80:], p.coinbase, p.branch)
    with boa.reverts("index: block is before the first period"):
        env.index.submit(p.headers, make_coinbase(START_HEIGHT - 1, [(1, b"\x51")]), [])
    assert snapshot(env) == before


def test_published_period_twice_and_submits_into_it():
    env = IndexEnv(mine_periods([600, 600]))
    env.prove_period(P0)
    env.publish(P0)
    before = snapshot(env)
    with boa.reverts("index: period already published"):
        env.index.publish(P0)
    with boa.reverts("index: period already published"):
        env.submit(sample_heights(P0, 4)[0])
    assert snapshot(env) == before


def test_slow_blocks_carry_the_previous_close():
    # the second period takes three days: the days it spans keep the first period's value
    env = IndexEnv(mine_periods([600, 1_800, 600]))
    for p in (P0, P0 + 1, P0 + 2):
        env.prove_period(p)
        env.publish(p)
        assert_matches_model(env)
    first = env.model.first_day
    v0 = env.expected_value(P0)
    # period 0 closes at 00:50 of the first day, period 1 exactly three days later
    assert [env.index.hashprice(first + i) for i in range(3)] == [(v0, True)] * 3
    assert env.index.hashprice(first + 3) == (env.expected_value(P0 + 1), True)


def test_fast_blocks_skip_a_period_and_closes_going_backwards():
    # period 2 closes within the same day as period 1 (fast), period 3's last block is timestamped
    # before period 2's close (the close stays monotone)
    env = IndexEnv(mine_periods([600, 150, 600, 600]))
    for p in range(P0, P0 + 4):
        env.prove_period(p)
        env.publish(p)
        assert_matches_model(env)
    # periods 0 and 1 both close on the first day: that day's close is period 1, period 0 serves no day
    first = env.model.first_day
    assert env.index.hashprice(first) == (env.expected_value(P0 + 1), True)
    assert env.index.hashprice(first + 1) == (env.expected_value(P0 + 2), True)
    t_p1 = env.chain.block((P0 + 1) * 144 + 143).parsed.time
    back = mine_periods([600, 600, 600], last_time={2: t_p1 - 7_200})
    env = IndexEnv(back)
    for p in range(P0, P0 + 3):
        env.prove_period(p)
        env.publish(p)
        assert_matches_model(env)
    assert env.index.status().last_close == env.chain.block((P0 + 1) * 144 + 143).parsed.time


def test_a_period_spanning_more_than_32_days_needs_fill_days():
    env = IndexEnv(mine_periods([600, 30_000, 600]))  # period 2 spans 50 days
    env.prove_period(P0)
    env.publish(P0)
    env.prove_period(P0 + 1)
    env.publish(P0 + 1)
    st = env.index.status()
    assert st.final_until - st.pending_from > 0 and st.pending_from - env.model.first_day == 32
    # every final day already reads final, written or not
    assert_matches_model(env)
    env.prove_period(P0 + 2)
    with boa.reverts("index: days are still being written (call fill_days)"):
        env.index.publish(P0 + 2)
    env.index.fill_days()
    (ev,) = logs(env.index, "DaysFinal")
    assert ev.first_day == st.pending_from and ev.end_day == st.final_until and ev.period == P0
    with boa.reverts("index: no days waiting to be written"):
        env.index.fill_days()
    env.publish(P0 + 2)
    assert_matches_model(env)


def test_every_block_sampled():
    env = IndexEnv(mine_periods([600]), samples=144)
    env.prove_period(P0)
    rec = env.index.period(P0)
    assert rec.proven_mask == 2**144 - 1 and rec.value == env.expected_value(P0)
    assert rec.reward_sum == sum(b.paid for b in env.chain.blocks[:144])
    env.publish(P0)
    assert env.index.latest() == (0, 0) and env.index.status().first_day == env.model.first_day
