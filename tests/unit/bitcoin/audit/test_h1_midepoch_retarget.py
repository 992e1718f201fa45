"""H1 (fixed): a retarget "proof" made only of REAL headers from the middle of an epoch was accepted.

The audit's scenario: a slow epoch (700 s blocks) passes start + T at block 1,728 (PIVOT), where the
retarget rule gives the old nBits back, so 2P real, unmodified headers centred on it looked like a
retarget; the relay recorded epoch e + 1 with the old nBits and a mid-epoch start time, refused the
real retarget for ever, and every reward proof of the real epoch e + 1 failed.

The fix: a retarget proof carries the coinbase and merkle branch of its first header, whose BIP34
height pins every header's height, so the boundary can only be proven at (e + 1) * 2,016. Real
headers carry their real heights; a forger who wants other heights must mine the first header
himself, and every header after it (they link to it): P before the boundary and P headers' worth
of work after it.
"""

import boa
from btc_boa import START_HEIGHT, anchor, deploy_index, deploy_relay, finalize, fixture, reward_proof

from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT, RETARGET_INTERVAL, TARGET_TIMESPAN, Header, next_bits, sha256d, target_from_bits, work
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS
from hashtrust.bitcoin.miner import SyntheticChain, mine_header
from hashtrust.bitcoin.tx import coinbase_branch, make_coinbase, merkle_root

P = 6
K = 6
BITS = 0x200FFFFF  # target 0x0fffff << 232 (~2**252): well below the pow limit, so the rule moves nBits
SPACING = 700  # a slow epoch (difficulty will drop ~14 %): block i is at start + 700 i
EPOCH = START_HEIGHT // RETARGET_INTERVAL
BOUNDARY = START_HEIGHT + RETARGET_INTERVAL
PIVOT = START_HEIGHT + TARGET_TIMESPAN // SPACING  # block 1,728 of the epoch: exactly start + T


def _chain() -> SyntheticChain:
    chain = SyntheticChain(start_height=START_HEIGHT, bits=BITS, pow_limit=REGTEST_POW_LIMIT, retargeting=True, seed=7)
    chain.mine_to(BOUNDARY + 2 * PERIOD_BLOCKS, spacing=SPACING)  # the honest chain, retargeting by Bitcoin's rule
    return chain


def _state(relay):
    return relay.latest_epoch(), tuple(relay.pending()), relay.epoch_record(EPOCH + 1)


def test_h1_real_midepoch_headers_do_not_pass_as_a_retarget():
    chain = _chain()
    start = chain.block(START_HEIGHT).parsed.time
    assert chain.block(PIVOT).parsed.time - start == TARGET_TIMESPAN  # an ordinary block of the honest chain
    real_new_bits = chain.block(BOUNDARY).parsed.bits
    assert real_new_bits != BITS and real_new_bits == next_bits(BITS, start, chain.block(BOUNDARY - 1).parsed.time, REGTEST_POW_LIMIT)
    assert next_bits(BITS, start, chain.block(PIVOT).parsed.time, REGTEST_POW_LIMIT) == BITS  # why the run looked like a retarget

    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, confirmations=K, proof_length=P)
    anchor(relay, chain)
    index = deploy_index(relay, BOUNDARY // PERIOD_BLOCKS - 1, 1)  # last period of epoch e, then the first of e + 1
    before = _state(relay)

    # the attack: 2P honest, unmodified headers around block 1,728 (288 blocks before the real boundary),
    # with the first one's real coinbase: its real height puts the boundary 288 blocks past the run
    first = PIVOT - P + 1
    bogus = chain.headers(first, 2 * P)
    blk = chain.block(first)
    with boa.reverts("relay: the proof's heights do not reach the boundary"):
        relay.retarget(bogus, blk.coinbase, list(blk.branch))
    # a coinbase claiming the heights the attack needs is not the first header's: its branch cannot fold
    lying = make_coinbase(BOUNDARY - P, [(blk.paid, b"\x51")])
    with boa.reverts("relay: merkle branch does not fold to the first header's root"):
        relay.retarget(bogus, lying, list(blk.branch))
    # the pin is the FIRST header: a forged header appended after the real ones (the one-header
    # attack a pin anywhere would allow) cannot carry it, whatever height its coinbase claims
    fake_cb = make_coinbase(BOUNDARY - P, [(blk.paid, b"\x51")])
    txids = [sha256d(fake_cb)]
    tip = chain.block(first + 2 * P - 2).parsed
    fake = mine_header(0x20000000, tip.hash, merkle_root(txids), tip.time + SPACING, BITS)
    with boa.reverts("relay: merkle branch does not fold to the first header's root"):
        relay.retarget(chain.headers(first, 2 * P - 1) + fake, fake_cb, coinbase_branch(txids))
    assert _state(relay) == before

    # the real retarget goes through, and relay and index work in epoch e + 1
    pre = chain.block(BOUNDARY - P)
    post = -(-P * work(target_from_bits(BITS)) // work(target_from_bits(real_new_bits)))  # the epoch was slow: easier after it
    assert post > P
    relay.retarget(chain.headers(BOUNDARY - P, P + post), pre.coinbase, list(pre.branch))
    finalize(relay)
    rec = relay.epoch_record(EPOCH + 1)
    assert rec == real_new_bits | (chain.block(BOUNDARY).parsed.time << 32)
    assert relay.verify_reward(*reward_proof(chain, BOUNDARY + 143, K).args()).height == BOUNDARY + 143
    index.submit(*reward_proof(chain, BOUNDARY - 1, K).args())  # the index's first sample (period 1,413), across the boundary
    index.submit(*reward_proof(chain, BOUNDARY + 143, K).args())
    index.publish(BOUNDARY // PERIOD_BLOCKS - 1)
    index.publish(BOUNDARY // PERIOD_BLOCKS)
    day, value = index.latest()
    assert value > 0 and index.hashprice(day) == (value, True)


def test_h1_mainnet_epoch_274_ran_long_enough_for_the_attack():
    """Feasibility on real data (why H1 mattered): epoch 274 (552,384 .. 554,399) passed start + T
    127,910 s before its end (about 213 blocks), so any miner of a block in that stretch could have
    stamped it start + T; with P = 20 the 19 real headers before and 20 after it are public."""
    hf = fixture("headers_554390-554408_retarget.json")
    start = Header.parse(hf.epoch_start[1]).time
    last = Header.parse(hf.headers[554_399]).time
    assert last - start - TARGET_TIMESPAN == 127_910
    assert last - start - TARGET_TIMESPAN > 20 * 600 * 2  # far more than P = 20 blocks of slack
    # and at that epoch's nBits the rule gives the same nBits back for span == T exactly
    assert next_bits(0x1731D97C, start, start + TARGET_TIMESPAN) == 0x1731D97C
