"""H3 (fixed): a forged retarget cost 1 + P/4 headers of work, beat the heavier honest chain (the
first valid retarget won for good) and made the index publish a value 4x too high.

The audit's scenario (P = 20, k = 6): the forger reuses P - 1 real headers, mines one header at the
current difficulty stamped start + 10T (the span clamps to 4T: the new target x4), then P headers
at a quarter of the difficulty.

The fix, three rules: (1) the headers after the boundary must carry at least P headers' worth of
work at the OLD target (so P easy headers are refused; the forger needs 4P of them); (2) a proven
retarget is pending for the challenge window, and nothing uses it meanwhile; (3) a proof of the
same boundary with more work after the boundary replaces it: the honest chain's P + 1 headers beat
the forger's 4P + 1 quarter-difficulty ones. The relay ends on the honest epoch; honest reward
proofs and the index's honest value follow.
"""

import boa
from btc_boa import DEPLOYER, deploy_index, deploy_relay, finalize, logs, retarget_args

from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT, RETARGET_INTERVAL, TARGET_TIMESPAN, next_bits, target_from_bits, work
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS, hashprice_msat
from hashtrust.bitcoin.miner import SyntheticChain

P = 20  # the CLI's default proof length
K = 6  # the CLI's default confirmations
BITS = 0x1F0FFFFF  # target ~2**244: 4,096 hashes a header, so honest and forged work differ measurably
EPOCH = 300
BOUNDARY = (EPOCH + 1) * RETARGET_INTERVAL
START = 1_700_000_000


def _honest() -> SyntheticChain:
    """The honest chain: the epoch ends on pace, P headers before the real boundary, then a period
    and a half of epoch e + 1 at the rule's nBits."""
    new = next_bits(BITS, START, START + 2015 * 600, REGTEST_POW_LIMIT)
    chain = SyntheticChain(start_height=BOUNDARY - P, bits=BITS, retargeting=False, seed=11)
    for h in range(BOUNDARY - P, BOUNDARY + 2 * PERIOD_BLOCKS + K):
        chain.mine(time=START + (h - EPOCH * RETARGET_INTERVAL) * 600, bits=BITS if h < BOUNDARY else new)
    return chain


def _forged(honest: SyntheticChain, easy_headers: int) -> tuple[SyntheticChain, int]:
    easy = next_bits(BITS, START, START + 10 * TARGET_TIMESPAN, REGTEST_POW_LIMIT)
    forged = SyntheticChain(start_height=BOUNDARY - P, bits=BITS, retargeting=False, seed=99)
    forged.blocks.extend(honest.blocks[: P - 1])
    forged.mine(time=START + 10 * TARGET_TIMESPAN, bits=BITS)  # 1 header at full difficulty
    for _ in range(easy_headers):
        forged.mine(time=START + 10 * TARGET_TIMESPAN + 600, bits=easy)
    return forged, easy


def test_h3_a_cheap_forged_retarget_is_refused_and_a_heavier_forgery_loses_to_the_honest_chain():
    honest = _honest()
    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, confirmations=K, proof_length=P)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, BITS, START)
    first_period = BOUNDARY // PERIOD_BLOCKS  # the first period of epoch e + 1
    index = deploy_index(relay, first_period, 1)

    # the audit's forgery, exactly: 1 + P/4 headers of work
    forged, easy = _forged(honest, P)
    assert target_from_bits(easy) == 4 * target_from_bits(BITS)
    w_full, w_easy = work(target_from_bits(BITS)), work(target_from_bits(easy))
    with boa.reverts("relay: less work after the boundary than P headers at the old target"):
        relay.retarget(*retarget_args(forged, BOUNDARY, P, P))
    assert relay.pending().epoch == 0 and relay.epoch_record(EPOCH + 1) == 0

    # the forger pays for P headers' worth after the boundary (4P + 1 easy ones) and goes first
    n = next(n for n in range(4 * P, 4 * P + 4) if n * w_easy >= P * w_full)
    forged, easy = _forged(honest, n)
    relay.retarget(*retarget_args(forged, BOUNDARY, P, n))
    assert relay.pending().bits == easy
    assert relay.epoch_record(EPOCH + 1) == 0  # pending: nothing uses it
    # the honest watcher answers within the window: P + 1 real headers carry more work after the boundary
    new = honest.block(BOUNDARY).parsed.bits
    assert (P + 1) * work(target_from_bits(new)) > n * w_easy
    boa.env.time_travel(seconds=int(relay.CHALLENGE_WINDOW()) - 60)
    relay.retarget(*retarget_args(honest, BOUNDARY, P, P + 1))
    (ev,) = logs(relay, "Retarget")
    assert (ev.new_bits, ev.replaced) == (new, True)
    finalize(relay)
    assert relay.epoch_record(EPOCH + 1) & 0xFFFFFFFF == new
    # the forged proof can no longer come back (the relay extends the honest epoch now)
    with boa.reverts("relay: the proof's heights do not reach the boundary"):
        relay.retarget(*retarget_args(forged, BOUNDARY, P, n))

    # honest reward proofs count; the index publishes the honest hashprice
    for period in (first_period, first_period + 1):
        h = period * PERIOD_BLOCKS + 143
        blk = honest.block(h)
        index.submit(honest.headers(h, K + 1), blk.coinbase, list(blk.branch))
        index.publish(period)
    day, value = index.latest()
    assert value == hashprice_msat(target_from_bits(new), honest.block(first_period * PERIOD_BLOCKS + 143).paid, 1)
    assert index.hashprice(day) == (value, True)
