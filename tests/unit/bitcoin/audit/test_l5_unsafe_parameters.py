"""L5 (fixed): the relay (and `hashtrust relay deploy`) accepted confirmations k = 0 and proof
length P = 1, and the index inherited k without a floor.

The audit's scenarios: with k = 0 a real stale block (a sibling at a sample height, valid work,
not on the best chain) was a complete reward proof, counted first and for ever, locking out the
main chain's block; with P = 1 a retarget was two headers and the cheap forgery cost 1 + 1/4.

The fix: the relay's constructor refuses k < 2 and P < 2 (the SDK also keeps mainnet at k >= 6,
P >= 20 and a one-day challenge window). With k = 2 the stale block needs two blocks of work on
top of it, which a stale block does not get: the main chain's successors do not link to it. With
P = 2 and the work rule, the forgery of H3 needs P headers' worth after the boundary.
"""

import boa
import pytest
from btc_boa import DEPLOYER, START_HEIGHT, anchor, deploy_index, deploy_relay, retarget_args

from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT, RETARGET_INTERVAL, TARGET_TIMESPAN, next_bits
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS
from hashtrust.bitcoin.miner import SyntheticChain
from hashtrust.bitcoin.relay import check_parameters
from hashtrust.errors import InputError

FIRST = START_HEIGHT // PERIOD_BLOCKS


@pytest.mark.parametrize("k", [0, 1])
def test_l5_k_below_2_is_refused(k):
    with pytest.raises(Exception, match=r"relay: at least 2 confirmations \(k = 0 or 1 counts stale blocks\)"):
        deploy_relay(confirmations=k, retargeting=False)
    with pytest.raises(InputError, match="must be 2 to 63"):
        check_parameters("regtest", k, 20, 86_400)


def test_l5_with_k2_a_stale_block_cannot_win_the_sample():
    chain = SyntheticChain(start_height=START_HEIGHT, retargeting=False, seed=21)
    h = FIRST * PERIOD_BLOCKS + 143  # the one sample block of period FIRST (SAMPLES = 1)
    chain.mine_to(h - 1)
    parent = chain.tip.hash
    stale = chain.mine(prev=parent, fees=1)  # a block that lost the race ...
    chain.blocks.pop()
    main = chain.mine(prev=parent, fees=40_000_000)  # ... to this one, the main chain's
    chain.mine_to(h + 6)
    assert stale.hash != main.hash and stale.parsed.prev == main.parsed.prev

    relay = deploy_relay(confirmations=2, retargeting=False)
    anchor(relay, chain)
    index = deploy_index(relay, FIRST, 1)
    assert index.CONFIRMATIONS() == 2
    with boa.reverts("index: too few confirmations"):
        index.submit(stale.header, stale.coinbase, list(stale.branch))
    with boa.reverts("bitcoin: headers are not linked"):
        index.submit(stale.header + chain.headers(h + 1, 2), stale.coinbase, list(stale.branch))  # the main chain does not build on it
    index.submit(chain.headers(h, 3), main.coinbase, list(main.branch))
    assert index.period(FIRST).reward_sum == main.paid != stale.paid


def test_l5_p_below_2_is_refused_and_the_two_header_forgery_fails_at_p2():
    with pytest.raises(Exception, match="relay: proof length must be 2 to 100"):
        deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, proof_length=1)
    with pytest.raises(InputError, match="must be 2 to 100"):
        check_parameters("regtest", 6, 1, 86_400)
    epoch, bits, start = 300, 0x1F0FFFFF, 1_700_000_000
    boundary = (epoch + 1) * RETARGET_INTERVAL
    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, proof_length=2)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(epoch, bits, start)
    easy = next_bits(bits, start, start + 4 * TARGET_TIMESPAN, REGTEST_POW_LIMIT)
    forged = SyntheticChain(start_height=boundary - 2, bits=bits, retargeting=False, seed=3)
    forged.mine(time=start + 4 * TARGET_TIMESPAN - 600, bits=bits)
    forged.mine(time=start + 4 * TARGET_TIMESPAN, bits=bits)
    for _ in range(2):
        forged.mine(time=start + 4 * TARGET_TIMESPAN + 1, bits=easy)
    with boa.reverts("relay: less work after the boundary than P headers at the old target"):
        relay.retarget(*retarget_args(forged, boundary, 2, 2))
    assert relay.pending().epoch == 0 and relay.epoch_record(epoch + 1) == 0


def test_l5_mainnet_floors_in_the_sdk():
    for k, p, w, field in ((5, 20, 86_400, "confirmations"), (6, 19, 86_400, "proof_length"), (6, 20, 86_399, "challenge_window")):
        with pytest.raises(InputError, match=f"{field}.*unsafe on mainnet"):
            check_parameters("mainnet", k, p, w)
        check_parameters("mainnet", k, p, w, devnet=True)  # a local devnet replaying mainnet data may go lower
    check_parameters("mainnet", 6, 20, 86_400)
