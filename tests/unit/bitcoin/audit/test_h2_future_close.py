"""H2 (fixed): one forged sample block stamped far in the future made every day until 2106 final.

The audit's scenario: a period's close is its last sample's timestamp, taken from the proof; a
forged sample block (k + 1 headers of work) stamped 0xffffffff, published, made every day up to
day 49,710 final with the previous period's value, locked the honest block out and stalled the
index behind ~940 fill_days calls.

The fix: Bitcoin's own future-block rule, on this chain's clock. No block time more than two hours
past `block.timestamp` is counted by the index (nor enters the relay: an anchor, a retarget's last
old header and new epoch's start). The forged block is refused, the honest one counts, and the
final days end where the chain is.
"""

import boa
from btc_boa import now
from index_env import FIRST_PERIOD, IndexEnv, mine_periods

from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS
from hashtrust.bitcoin.miner import SyntheticChain

K = 2
DAY = 86_400


def test_h2_a_sample_stamped_0xffffffff_is_refused_and_no_future_day_becomes_final():
    env = IndexEnv(mine_periods([600, 600, 600], k=K), samples=1, k=K)
    index = env.index
    env.prove_period(FIRST_PERIOD)
    env.publish(FIRST_PERIOD)

    # the forgery: the sample of FIRST_PERIOD + 1 (its last block), k + 1 headers of work, time 0xffffffff
    h = (FIRST_PERIOD + 1) * PERIOD_BLOCKS + PERIOD_BLOCKS - 1
    bits = env.chain.block(h).parsed.bits
    fake = SyntheticChain(start_height=h, bits=bits, retargeting=False, seed=13)
    for _ in range(K + 1):
        fake.mine(time=2**32 - 1, bits=bits)
    blk = fake.block(h)
    before = index.status(), index.period(FIRST_PERIOD + 1)
    with boa.reverts("index: block time more than 2 hours ahead"):
        index.submit(fake.headers(h, K + 1), blk.coinbase, list(blk.branch))
    assert (index.status(), index.period(FIRST_PERIOD + 1)) == before

    # the honest block counts and publishes; the final days stop at the chain's last close
    env.submit(h)
    env.publish(FIRST_PERIOD + 1)
    status = index.status()
    assert status.final_until == env.chain.block(h).parsed.time // DAY <= now() // DAY
    today = now() // DAY
    for day in (today, today + 1, today + 365, 49_709):
        assert index.hashprice(day) == (0, False)
    assert index.latest() == env.model.latest() != (49_709, env.expected_value(FIRST_PERIOD))
    assert status.pending_from == status.final_until  # nothing left to fill
    env.prove_period(FIRST_PERIOD + 2)
    env.publish(FIRST_PERIOD + 2)  # the next period publishes at once
