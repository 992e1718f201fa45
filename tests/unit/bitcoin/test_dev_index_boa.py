"""DevHashpriceIndex: devnet only, owner-published days, final once published; the simulator's
integer index (`hashtrust.hashrate.economics`) agrees with the contract to the msat on the same inputs."""

import boa
import pytest
from btc_boa import DEPLOYER, STRANGER, deploy_dev_index, logs
from hypothesis import given
from hypothesis import strategies as st

from hashtrust.hashrate import economics
from hashtrust.bitcoin.consensus import MAX_MONEY
from hashtrust.bitcoin.hashprice import hashprice_msat


@pytest.mark.parametrize("chain_id", [1, 5, 10, 8453, 11155111, 31338])
def test_refused_on_any_chain_but_a_local_devnet(chain_id):
    with pytest.raises(Exception, match=r"dev index: only on a local devnet \(chain id 31337 or 1337\)"):
        deploy_dev_index(chain_id)


@pytest.mark.parametrize("chain_id", [31337, 1337])
def test_deploys_on_local_devnets(chain_id):
    assert deploy_dev_index(chain_id).OWNER() == DEPLOYER


def test_publish_final_once_and_latest():
    idx = deploy_dev_index()
    assert idx.latest() == (0, 0) and idx.hashprice(20_000) == (0, False)
    day = economics.Day(difficulty=150e12, btc_usd=95_000, avg_fees_btc=0.025, height=880_000)
    target, reward_sum, blocks = economics.index_inputs(day)
    with boa.env.prank(STRANGER), boa.reverts("dev index: only the owner publishes"):
        idx.publish(20_000, target, reward_sum, blocks)
    with boa.env.prank(DEPLOYER):
        value = idx.publish(20_000, target, reward_sum, blocks)
    (ev,) = logs(idx, "DayPublished")
    assert (ev.day, ev.value, ev.target, ev.reward_sum, ev.blocks) == (20_000, value, target, reward_sum, blocks)
    assert value == economics.index_msat_per_th_day(day)
    assert 40_000 < value < 45_000  # ~42,000 msat/TH/s/day at 150T and 3.15 BTC a block
    assert idx.hashprice(20_000) == (value, True) and idx.latest() == (20_000, value)
    with boa.env.prank(DEPLOYER):
        with boa.reverts("dev index: day already published"):
            idx.publish(20_000, target, reward_sum + 1, blocks)
        with boa.reverts("hashprice_math: blocks must be 1 to 1,024"):
            idx.publish(20_001, target, reward_sum, 0)
        with boa.reverts("hashprice_math: target is zero"):
            idx.publish(20_001, 0, reward_sum, 1)
        with boa.reverts("hashprice_math: average reward exceeds 21 million BTC"):
            idx.publish(20_001, target, MAX_MONEY + 1, 1)
    assert idx.latest() == (20_000, value) and idx.hashprice(20_001) == (0, False)


def test_days_in_order_without_gaps():
    """The first publication fixes the first day; each later one is the day after the newest, so
    `latest()` always ends a contiguous run of final days (as on the real index)."""
    idx = deploy_dev_index()
    day = economics.Day(difficulty=150e12, btc_usd=95_000, avg_fees_btc=0.025, height=880_000)
    inputs = economics.index_inputs(day)
    with boa.env.prank(DEPLOYER):
        idx.publish(20_000, *inputs)
        idx.publish(20_001, *inputs)
        for d in (20_000, 20_001):
            with boa.reverts("dev index: day already published"):
                idx.publish(d, *inputs)
        for d in (19_990, 19_999, 20_003, 2**64):
            with boa.reverts("dev index: days are published in order, without gaps"):
                idx.publish(d, *inputs)
        idx.publish(20_002, *inputs)
        (ev,) = logs(idx, "DayPublished")
        assert ev.day == 20_002
    assert idx.latest()[0] == 20_002
    assert [idx.hashprice(d)[1] for d in range(19_999, 20_004)] == [False, True, True, True, False]


@given(target=st.integers(1, 2**256 - 1), blocks=st.integers(1, 1_024), data=st.data())
def test_contract_and_simulator_agree_to_the_msat(target, blocks, data):
    reward_sum = data.draw(st.integers(0, blocks * MAX_MONEY))
    idx = deploy_dev_index()
    with boa.env.prank(DEPLOYER):
        assert idx.publish(1, target, reward_sum, blocks) == hashprice_msat(target, reward_sum, blocks) == economics.hashprice_msat(target, reward_sum, blocks)


@given(difficulty=st.integers(1, 10**16), fees=st.floats(0, 5), height=st.integers(0, 1_500_000))
def test_simulated_days_agree(difficulty, fees, height):
    day = economics.Day(difficulty=float(difficulty), btc_usd=90_000, avg_fees_btc=fees, height=height)
    idx = deploy_dev_index()
    with boa.env.prank(DEPLOYER):
        assert idx.publish(7, *economics.index_inputs(day)) == economics.index_msat_per_th_day(day)
    # the float formula and the integer index agree within the integer's floor (and the target's)
    expected = economics.sats_per_th_day(difficulty, economics.block_subsidy_sats(height), round(fees * 1e8)) * 1_000
    assert abs(economics.index_msat_per_th_day(day) - expected) <= 1 + expected * 1e-9


def test_the_real_index_and_the_dev_index_agree():
    """HashpriceIndex on a proven period and DevHashpriceIndex fed the same inputs: same value."""
    from index_env import FIRST_PERIOD, IndexEnv, mine_periods

    from hashtrust.bitcoin.consensus import target_from_bits

    env = IndexEnv(mine_periods([600]), samples=6)
    env.prove_period(FIRST_PERIOD)
    rec = env.index.period(FIRST_PERIOD)
    target = target_from_bits(env.chain.block(FIRST_PERIOD * 144).parsed.bits)
    dev = deploy_dev_index()
    with boa.env.prank(DEPLOYER):
        assert dev.publish(1, target, rec.reward_sum, 6) == rec.value == env.expected_value(FIRST_PERIOD)
