"""L6 (fixed): `HashpriceIndex` accepted a FIRST_PERIOD in an epoch the relay can never hold (before
its first epoch: a relay anchors once and only moves forward), and an unanchored relay; such an
index deployed fine and could never publish anything.

The fix: the constructor reads the relay's `anchored()` and `first_epoch()` and refuses both.
"""

import boa
import pytest
from btc_boa import DEPLOYER, START_HEIGHT, deploy_index, deploy_relay, reward_proof

from hashtrust.bitcoin.consensus import RETARGET_INTERVAL
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS
from hashtrust.bitcoin.miner import SyntheticChain


def test_l6_an_index_the_relay_can_never_serve_is_refused():
    chain = SyntheticChain(start_height=START_HEIGHT - PERIOD_BLOCKS, retargeting=False, seed=2)
    chain.mine_to(START_HEIGHT + 2 * PERIOD_BLOCKS)
    relay = deploy_relay(confirmations=2, retargeting=False)
    with pytest.raises(Exception, match="index: the relay is not anchored"):
        deploy_index(relay, START_HEIGHT // PERIOD_BLOCKS, 1)
    with boa.env.prank(DEPLOYER):
        relay.anchor(chain.block(START_HEIGHT).header, START_HEIGHT)  # epoch 100
    first = START_HEIGHT // PERIOD_BLOCKS - 1  # period 1,399: the last period of epoch 99
    assert (first * PERIOD_BLOCKS) // RETARGET_INTERVAL < relay.first_epoch()
    with pytest.raises(Exception, match="index: first period is before the relay's first epoch"):
        deploy_index(relay, first, 1)
    index = deploy_index(relay, first + 1, 1)  # the relay's first epoch's first period: it works
    index.submit(*reward_proof(chain, START_HEIGHT + 143, 2).args())
    index.publish(first + 1)
    assert index.status().next_period == first + 2
