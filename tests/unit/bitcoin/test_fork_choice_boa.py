"""BitcoinRelay's fork choice: a retarget is pending for the challenge window; a proof of the same
boundary whose headers after the boundary carry more work replaces it (the window runs on when it
records the same epoch, restarts when another); nothing uses a pending epoch; the headers before
the boundary carry no weight (they are the honest chain's, free to any forger).

Chains are mined in Python at an easy target (2**250: 64 hashes a header), so work differs
measurably between nBits. The honest epoch ends on pace; forgeries reuse its headers up to the
block before the boundary, then stamp a last old header of their own to move the retarget."""

import boa
import pytest
from btc_boa import DEPLOYER, WINDOW, deploy_index, deploy_relay, finalize, logs, now, retarget_args, reward_proof

from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT, RETARGET_INTERVAL, TARGET_TIMESPAN, bits_from_target, next_bits, target_from_bits, work
from hashtrust.bitcoin.miner import SyntheticChain

P = 4
EPOCH = 300
BOUNDARY = (EPOCH + 1) * RETARGET_INTERVAL
BITS = bits_from_target(1 << 250)
START = 1_700_000_000
LAST_OLD = START + 2_015 * 600  # the honest epoch ran exactly on pace
W_OLD = work(target_from_bits(BITS))


def honest(pre: int = P, post: int = 24, seed: int = 1, spacing: int = 600) -> SyntheticChain:
    """The honest chain around the boundary; the epoch's blocks came ``spacing`` seconds apart."""
    last_old = START + 2_015 * spacing
    chain = SyntheticChain(start_height=BOUNDARY - pre, bits=BITS, retargeting=False, seed=seed)
    new = next_bits(BITS, START, last_old, REGTEST_POW_LIMIT)
    for i in range(pre):
        chain.mine(time=last_old - (pre - 1 - i) * spacing, bits=BITS)
    for i in range(post):
        chain.mine(time=last_old + (i + 1) * spacing, bits=new)
    return chain


def forged(base: SyntheticChain, last_old_time: int, post: int, seed: int = 99) -> tuple[SyntheticChain, int]:
    """``base``'s headers before BOUNDARY - 1, a last old header of the forger's stamped
    ``last_old_time`` (it decides the retarget), then ``post`` headers at the nBits that gives."""
    chain = SyntheticChain(start_height=base.start_height, bits=BITS, retargeting=False, seed=seed)
    chain.blocks.extend(base.block(h) for h in range(base.start_height, BOUNDARY - 1))
    chain.mine(time=last_old_time, bits=BITS)
    bits = next_bits(BITS, START, last_old_time, REGTEST_POW_LIMIT)
    for i in range(post):
        chain.mine(time=last_old_time + (i + 1) * 600, bits=bits)
    return chain, bits


def relay_at_epoch():
    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, proof_length=P)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, BITS, START)
    return relay


def record(chain) -> tuple[int, int]:
    return chain.block(BOUNDARY).parsed.bits, chain.block(BOUNDARY).parsed.time


def post_work(chain, post: int) -> int:
    return post * work(target_from_bits(chain.block(BOUNDARY).parsed.bits))


def state(relay):
    return tuple(relay.pending()), relay.latest_epoch(), relay.epoch_record(EPOCH + 1), relay.epoch_work(EPOCH + 1)


def test_a_heavier_proof_of_the_same_epoch_keeps_its_window():
    chain = honest()
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P))
    (first,) = logs(relay, "Retarget")
    t0 = now()
    assert (first.epoch, first.work, first.final_at, first.replaced) == (EPOCH + 1, post_work(chain, P), t0 + WINDOW, False)
    boa.env.time_travel(seconds=WINDOW // 2)
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P + 3))
    (ev,) = logs(relay, "Retarget")
    assert (ev.epoch, ev.new_bits, ev.start_time) == (EPOCH + 1, *record(chain))
    assert (ev.work, ev.final_at, ev.replaced) == (post_work(chain, P + 3), t0 + WINDOW, True)  # the window runs on
    assert tuple(relay.pending()) == (EPOCH + 1, *record(chain), post_work(chain, P + 3), t0 + WINDOW)
    assert relay.epoch_work(EPOCH + 1) == post_work(chain, P + 3)
    boa.env.time_travel(seconds=WINDOW - WINDOW // 2)
    assert relay.pending().epoch == 0 and relay.latest_epoch() == EPOCH + 1
    assert relay.epoch_record(EPOCH + 1) == record(chain)[0] | (record(chain)[1] << 32)


def test_a_proof_without_more_work_after_the_boundary_is_refused():
    chain = honest(pre=20, post=12)
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(chain, BOUNDARY, P, 8))
    before = state(relay)
    reason = "relay: a retarget proof with at least as much work after the boundary is pending"
    with boa.reverts(reason):
        relay.retarget(*retarget_args(chain, BOUNDARY, P, 8))  # the same proof again
    with boa.reverts(reason):
        relay.retarget(*retarget_args(chain, BOUNDARY, 20, 8))  # 16 more headers, all before the boundary
    with boa.reverts(reason):
        relay.retarget(*retarget_args(chain, BOUNDARY, P, 7))
    fake, _ = forged(chain, LAST_OLD + 600, 8)  # another epoch (start time), the same work after the boundary
    assert record(fake) != record(chain) and post_work(fake, 8) <= post_work(chain, 8)
    with boa.reverts(reason):
        relay.retarget(*retarget_args(fake, BOUNDARY, P, 8))
    assert state(relay) == before


def test_a_forged_easier_epoch_is_replaced_by_the_honest_chain():
    """The audit's cheap forgery: the last old header stamped 4T after the start makes the new
    target 4x easier. It must still carry P headers' worth of work after the boundary (about 4P
    easy headers); a few more outweigh an honest proof of P headers, and the honest chain's next
    header outweighs them in turn."""
    chain = honest(post=12)
    easy = next_bits(BITS, START, START + 4 * TARGET_TIMESPAN, REGTEST_POW_LIMIT)
    assert target_from_bits(easy) == 4 * target_from_bits(BITS)
    m = next(m for m in range(P, 40) if m * work(target_from_bits(easy)) > post_work(chain, P))
    assert m <= 4 * P + 2
    fake, _ = forged(chain, START + 4 * TARGET_TIMESPAN, m)
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P))
    boa.env.time_travel(seconds=600)
    relay.retarget(*retarget_args(fake, BOUNDARY, P, m))
    (ev,) = logs(relay, "Retarget")
    assert (ev.new_bits, ev.start_time, ev.work, ev.final_at, ev.replaced) == (*record(fake), post_work(fake, m), now() + WINDOW, True)
    assert relay.pending().bits == easy
    boa.env.time_travel(seconds=WINDOW - 1)  # the honest watcher answers before the forgery is final
    assert post_work(chain, P + 1) > post_work(fake, m)
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P + 1))
    (ev,) = logs(relay, "Retarget")
    assert (ev.new_bits, ev.start_time, ev.final_at, ev.replaced) == (*record(chain), now() + WINDOW, True)  # another epoch: the window restarts
    finalize(relay)
    assert relay.epoch(EPOCH + 1).bits == record(chain)[0] and relay.epoch(EPOCH + 1).start_time == record(chain)[1]


def test_a_backdated_harder_forgery_is_outworked():
    """The last old header stamped T/4 after the start makes the new target 4x harder: P headers
    after the boundary then carry 4P headers' worth of work. The honest chain needs more work
    after the boundary than that: the smallest n with n honest headers heavier passes, n - 1 not."""
    chain = honest(post=24)
    fake, hard = forged(chain, START + TARGET_TIMESPAN // 4, P)
    assert target_from_bits(hard) * 4 == target_from_bits(BITS)
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(fake, BOUNDARY, P, P))
    n = next(n for n in range(P, 25) if post_work(chain, n) > post_work(fake, P))
    assert 4 * P <= n <= 4 * P + 1
    with boa.reverts("relay: a retarget proof with at least as much work after the boundary is pending"):
        relay.retarget(*retarget_args(chain, BOUNDARY, P, n - 1))
    relay.retarget(*retarget_args(chain, BOUNDARY, P, n))
    finalize(relay)
    assert relay.epoch(EPOCH + 1).bits == record(chain)[0]


def test_pre_boundary_headers_carry_no_weight_even_in_the_longest_proofs():
    """Why the weight is the work after the boundary: a forger may fill a proof with up to 795 of the
    honest chain's own headers before the boundary. Counted in, they would let a backdated 4x-harder
    forgery of P headers outweigh the heaviest honest proof (800 headers) after an epoch that ran
    slow (the honest difficulty fell); counted out, 796 honest headers after the boundary beat it
    by far."""
    chain = honest(pre=796, post=796, spacing=660)
    assert work(target_from_bits(record(chain)[0])) < W_OLD
    fake, _ = forged(chain, START + TARGET_TIMESPAN // 4, P)
    honest_best_total = max((800 - post) * W_OLD + post_work(chain, post) for post in range(P, 797))
    assert (796 * W_OLD + post_work(fake, P)) > honest_best_total  # what a total-work rule would have chosen
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(fake, BOUNDARY, 796, P))  # 800 headers, 795 of them the honest chain's
    relay.retarget(*retarget_args(chain, BOUNDARY, P, 796))
    with boa.reverts("relay: a retarget proof with at least as much work after the boundary is pending"):
        relay.retarget(*retarget_args(fake, BOUNDARY, 796, P))
    finalize(relay)
    assert relay.epoch(EPOCH + 1).bits == record(chain)[0]


def test_the_window_edges():
    chain = honest(post=8)
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P))
    final_at = relay.pending().final_at
    boa.env.time_travel(seconds=final_at - now() - 1)
    assert relay.latest_epoch() == EPOCH and relay.epoch_record(EPOCH + 1) == 0
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P + 1))  # one second before: still a challenge
    assert relay.pending().final_at == final_at
    boa.env.time_travel(seconds=1)
    assert relay.latest_epoch() == EPOCH + 1 and relay.pending().epoch == 0 and relay.epoch_work(EPOCH + 1) == post_work(chain, P + 1)
    with boa.reverts("relay: the proof's heights do not reach the boundary"):
        relay.retarget(*retarget_args(chain, BOUNDARY, P, P + 2))  # final: the relay now extends EPOCH + 1


def test_nothing_uses_a_pending_epoch():
    chain = honest(post=12)
    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, proof_length=P, confirmations=2)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, BITS, START)
    index = deploy_index(relay, BOUNDARY // 144, 144)  # every block sampled: BOUNDARY + 3 is a sample
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P))
    proof = reward_proof(chain, BOUNDARY + 3, 2)
    with boa.reverts("bitcoin: the chain's epoch is not relayed"):
        relay.verify_reward(*proof.args())
    # a chain across the boundary is checked by Bitcoin's rule (and retarget's guards), not by the pending record
    assert relay.validate_chain(chain.headers(BOUNDARY - P, 2 * P), BOUNDARY - P).headers == 2 * P
    with boa.reverts("bitcoin: the chain's epoch is not relayed"):
        index.submit(*proof.args())
    assert not relay.epoch(EPOCH + 1).known and relay.difficulty(EPOCH + 1) == 0
    finalize(relay)
    assert relay.verify_reward(*proof.args()).height == BOUNDARY + 3
    assert relay.validate_chain(chain.headers(BOUNDARY - 2, 4), BOUNDARY - 2).headers == 4
    index.submit(*proof.args())
    assert index.period(BOUNDARY // 144).blocks == 1


def test_a_challenge_extends_the_epoch_before_the_pending_one():
    """After epoch E + 1 is final, E + 2's retarget is pending: a challenge is checked against E + 1
    (its nBits and start time), and replaces E + 2."""
    chain = honest(post=P)
    relay = relay_at_epoch()
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P))
    finalize(relay)
    bits1, start1 = record(chain)
    boundary2 = BOUNDARY + RETARGET_INTERVAL
    last2 = start1 + 2_015 * 700  # a slow epoch: easier after it
    new2 = next_bits(bits1, start1, last2, REGTEST_POW_LIMIT)
    c2 = SyntheticChain(start_height=boundary2 - P, bits=bits1, retargeting=False, seed=8)
    for i in range(P):
        c2.mine(time=last2 - (P - 1 - i) * 700, bits=bits1)
    need = -(-P * work(target_from_bits(bits1)) // work(target_from_bits(new2)))
    for i in range(need + 2):
        c2.mine(time=last2 + (i + 1) * 700, bits=new2)
    relay.retarget(*retarget_args(c2, boundary2, P, need))
    assert (relay.latest_epoch(), relay.pending().epoch, relay.pending().bits) == (EPOCH + 1, EPOCH + 2, new2)
    relay.retarget(*retarget_args(c2, boundary2, P, need + 2))
    (ev,) = logs(relay, "Retarget")
    assert (ev.epoch, ev.old_bits, ev.new_bits, ev.replaced) == (EPOCH + 2, bits1, new2, True)
    finalize(relay)
    assert relay.latest_epoch() == EPOCH + 2 and relay.epoch(EPOCH + 2).start_time == c2.block(boundary2).parsed.time
    assert relay.epoch(EPOCH + 1).bits == bits1  # the earlier epoch stays


@pytest.mark.parametrize("window", [3_600, 86_400, 2**32 - 1])
def test_the_window_is_the_deployers(window):
    chain = honest(post=P)
    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, proof_length=P, challenge_window=window)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, BITS, START)
    relay.retarget(*retarget_args(chain, BOUNDARY, P, P))
    (ev,) = logs(relay, "Retarget")
    assert relay.pending().final_at == now() + window == ev.final_at
