"""BitcoinRelay on synthetic chains: anchoring, retargets, chain checks; every refusal names
its rule and changes nothing; random epoch spans give the retarget the Python model computes.
(Fork choice and the challenge window: test_fork_choice_boa.py.)"""

import boa
import pytest
from btc_boa import DEPLOYER, STRANGER, WINDOW, deploy_relay, finalize, logs, retarget_args
from hypothesis import given
from hypothesis import strategies as st

from hashtrust.bitcoin.consensus import (
    REGTEST_POW_LIMIT,
    RETARGET_INTERVAL,
    TARGET_TIMESPAN,
    Header,
    bits_from_target,
    next_bits,
    sha256d,
    target_from_bits,
    work,
)
from hashtrust.bitcoin.miner import SyntheticChain
from hashtrust.bitcoin.tx import make_coinbase

EPOCH = 300
BOUNDARY = (EPOCH + 1) * RETARGET_INTERVAL
BITS = bits_from_target(1 << 250)  # 1 in 64 hashes meets it: flipped nonces fail, mining stays fast
START = 1_700_000_000


def post_needed(p: int, bits: int, new: int) -> int:
    """Headers after the boundary a proof needs: P, or more when the new target is easier (their
    work must reach P headers at the old target)."""
    return max(p, -(-p * work(target_from_bits(bits)) // work(target_from_bits(new))))


def retarget_case(span: int, p: int = 4, bits: int = BITS, pow_limit: int = REGTEST_POW_LIMIT, seed: int = 0, retargeting: bool = True, extra: int = 0,
                  pre: int | None = None):
    """A relay anchored (by number) at EPOCH with start time START, and the ``pre`` (default p)
    headers before its end boundary (the last old one ``span`` seconds after START) and enough
    after it (plus ``extra``); returns the relay, the chain and the nBits Bitcoin's rule gives."""
    pre = p if pre is None else pre
    relay = deploy_relay(pow_limit=pow_limit, retargeting=retargeting, proof_length=p)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, bits, START)
    new = next_bits(bits, START, START + span, pow_limit) if retargeting else bits
    chain = SyntheticChain(start_height=BOUNDARY - pre, bits=bits, pow_limit=pow_limit, retargeting=False, seed=seed)
    for i in range(pre):
        chain.mine(time=START + span - (pre - 1 - i) * 600, bits=bits)
    for i in range(post_needed(p, bits, new) + extra):
        chain.mine(time=START + span + (i + 1) * 600, bits=new)
    return relay, chain, new


def proof_of(chain, p, post=None):
    """The retarget arguments: p headers before BOUNDARY, ``post`` (default: all the chain has) from it."""
    if post is None:
        post = chain.next_height - BOUNDARY
    return retarget_args(chain, BOUNDARY, p, post)


def remine(chain, height, **changes):
    """Replace the header at ``height`` by one with ``changes`` (re-mined so its own work is valid)."""
    from hashtrust.bitcoin.miner import mine_header

    h = chain.block(height).parsed
    fields = dict(version=h.version, prev=h.prev, root=h.merkle_root, time=h.time, bits=h.bits) | changes
    return mine_header(fields["version"], fields["prev"], fields["root"], fields["time"], fields["bits"])


def state(relay):
    return (relay.anchored(), relay.first_epoch(), relay.latest_epoch(), relay.epoch_record(EPOCH), relay.epoch_record(EPOCH + 1))


# ---------------------------------------------------------------- constructor and anchor
def test_constructor_refuses_bad_parameters():
    with pytest.raises(Exception, match="relay: pow limit is zero"):
        deploy_relay(pow_limit=0)
    for p in (0, 1, 101):
        with pytest.raises(Exception, match="relay: proof length must be 2 to 100"):
            deploy_relay(proof_length=p)
    with pytest.raises(Exception, match="relay: at most 63 confirmations"):
        deploy_relay(confirmations=64)
    for k in (0, 1):
        with pytest.raises(Exception, match=r"relay: at least 2 confirmations \(k = 0 or 1 counts stale blocks\)"):
            deploy_relay(confirmations=k)
    for w in (0, 3_599, 2**32):
        with pytest.raises(Exception, match=r"relay: challenge window must be 3,600 s to 2\*\*32 s"):
            deploy_relay(challenge_window=w)
    r = deploy_relay(confirmations=2, proof_length=2, challenge_window=3_600)  # the floors themselves
    assert (r.CONFIRMATIONS(), r.PROOF_LENGTH(), r.CHALLENGE_WINDOW()) == (2, 2, 3_600)


def test_anchor_by_header_and_its_refusals():
    chain = SyntheticChain(start_height=EPOCH * RETARGET_INTERVAL, bits=BITS, seed=3)
    blk = chain.mine()
    relay = deploy_relay()
    assert not relay.anchored() and relay.epoch_record(EPOCH) == 0
    with boa.env.prank(STRANGER), boa.reverts("relay: only the deployer anchors"):
        relay.anchor(blk.header, blk.height)
    with boa.env.prank(DEPLOYER):
        with boa.reverts("relay: a header is 80 bytes"):
            relay.anchor(blk.header[:79], blk.height)  # truncated
        with boa.reverts("relay: a header is 80 bytes"):
            relay.anchor(blk.header + b"\x00", blk.height)  # oversized
        with boa.reverts("relay: the anchor must be an epoch's first block"):
            relay.anchor(blk.header, blk.height + 1)
        flipped = bytearray(blk.header)
        while True:  # flip nonce bits until the header misses its target
            flipped[79] ^= 0x01
            if int.from_bytes(sha256d(bytes(flipped)), "little") > target_from_bits(BITS):
                break
            flipped[78] ^= 0x01
        with boa.reverts("relay: header does not meet its target"):
            relay.anchor(bytes(flipped), blk.height)
        with boa.reverts("relay: nBits above the pow limit"):
            deploy_relay(pow_limit=1 << 240).anchor(blk.header, blk.height)
        future = SyntheticChain(start_height=EPOCH * RETARGET_INTERVAL, bits=BITS, seed=4).mine(time=boa.env.evm.patch.timestamp + 7_201)
        with boa.reverts("relay: header time more than 2 hours ahead"):
            relay.anchor(future.header, future.height)
        assert not relay.anchored()
        relay.anchor(blk.header, blk.height)
        (ev,) = logs(relay, "Anchored")
        assert (ev.epoch, ev.bits, ev.start_time, ev.block_hash) == (EPOCH, BITS, blk.parsed.time, blk.hash)
        before = state(relay)
        with boa.reverts("relay: already anchored"):
            relay.anchor(blk.header, blk.height)
        with boa.reverts("relay: already anchored"):
            relay.anchor_epoch(EPOCH + 5, BITS, 1)
        assert state(relay) == before
    ep = relay.epoch(EPOCH)
    assert (ep.known, ep.bits, ep.target, ep.start_time) == (True, BITS, target_from_bits(BITS), blk.parsed.time)
    assert not relay.epoch(EPOCH + 1).known and relay.difficulty(EPOCH + 1) == 0


def test_anchor_epoch_refusals():
    relay = deploy_relay()
    with boa.env.prank(STRANGER), boa.reverts("relay: only the deployer anchors"):
        relay.anchor_epoch(EPOCH, BITS, START)
    with boa.env.prank(DEPLOYER):
        with boa.reverts("relay: nBits and start time are uint32"):
            relay.anchor_epoch(EPOCH, 1 << 32, START)
        with boa.reverts("bitcoin: nBits encode a negative target"):
            relay.anchor_epoch(EPOCH, 0x04923456, START)
        with boa.reverts("bitcoin: nBits encode a zero target"):
            relay.anchor_epoch(EPOCH, 0x01003456, START)
        with boa.reverts("bitcoin: nBits overflow 256 bits"):
            relay.anchor_epoch(EPOCH, 0x23000001 | (0xFF << 8), START)
        with boa.reverts("relay: header time more than 2 hours ahead"):
            relay.anchor_epoch(EPOCH, BITS, boa.env.evm.patch.timestamp + 7_201)
        relay.anchor_epoch(EPOCH, BITS, START)
        (ev,) = logs(relay, "Anchored")
        assert (ev.epoch, ev.bits, ev.start_time, ev.block_hash) == (EPOCH, BITS, START, b"\x00" * 32)


# ---------------------------------------------------------------- retarget
def test_retarget_records_the_next_epoch_final_after_its_window():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 2)
    assert new != BITS
    relay.retarget(*proof_of(chain, 4))
    (ev,) = logs(relay, "Retarget")
    first = chain.block(BOUNDARY)
    w = 4 * work(target_from_bits(new))  # the work from the boundary on (the fork-choice weight)
    now = boa.env.evm.patch.timestamp
    assert (ev.epoch, ev.old_bits, ev.new_bits, ev.start_time, ev.block_hash) == (EPOCH + 1, BITS, new, first.parsed.time, first.hash)
    assert (ev.work, ev.final_at, ev.replaced) == (w, now + WINDOW, False)
    # pending: not used by anything until its window passes
    assert relay.latest_epoch() == EPOCH and relay.epoch_record(EPOCH + 1) == 0 and not relay.epoch(EPOCH + 1).known
    assert tuple(relay.pending()) == (EPOCH + 1, new, first.parsed.time, w, now + WINDOW) and relay.epoch_work(EPOCH + 1) == w
    # a chain across the boundary meanwhile is judged by Bitcoin's rule (and retarget's guards), not by the pending record
    assert relay.validate_chain(chain.headers(BOUNDARY - 4, 8), BOUNDARY - 4).headers == 8
    boa.env.time_travel(seconds=WINDOW - 1)
    assert relay.latest_epoch() == EPOCH
    boa.env.time_travel(seconds=1)
    assert relay.latest_epoch() == EPOCH + 1 and relay.epoch(EPOCH + 1).bits == new and relay.pending().epoch == 0
    assert relay.validate_chain(chain.headers(BOUNDARY - 1, 2), BOUNDARY - 1).headers == 2
    with boa.reverts("relay: the proof's heights do not reach the boundary"):
        relay.retarget(*proof_of(chain, 4))  # the same proof again: the relay now extends epoch EPOCH + 1


def _forge_easy(chain, p, post, bits_new):
    """The chain's p old headers, then ``post`` headers at ``bits_new`` (real work at it)."""
    forged = SyntheticChain(start_height=BOUNDARY - p, bits=BITS, retargeting=False, seed=77)
    forged.blocks.extend(chain.block(BOUNDARY - p + i) for i in range(p))
    for i in range(post):
        forged.mine(time=chain.block(BOUNDARY - 1).parsed.time + (i + 1) * 600, bits=bits_new)
    return forged


@pytest.mark.parametrize("case", ["nonce_flipped", "forged_easy_bits", "broken_link", "too_few_after", "too_few_before", "duplicate_tail", "truncated",
                                  "second_boundary", "stale_successor", "old_half_bits", "branch_elsewhere", "not_a_coinbase",
                                  "midepoch_heights", "past_the_boundary", "little_work_after", "future_last_old", "future_start",
                                  "pinned_by_a_later_block", "empty"])
def test_retarget_refusals_change_nothing(case):
    p = 4
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 3, p=p, seed=hash(case) % 1000)
    headers, coinbase, branch = proof_of(chain, p)
    proof = bytearray(headers)
    before = state(relay)
    if case == "nonce_flipped":
        i = p + 1
        while True:
            proof[i * 80 + 76] ^= 0x55
            if int.from_bytes(sha256d(bytes(proof[i * 80:(i + 1) * 80])), "little") > target_from_bits(new):
                break
        reason = "relay: header does not meet its target"
    elif case == "forged_easy_bits":
        easy = bits_from_target(min(target_from_bits(new) * 4, REGTEST_POW_LIMIT))
        forged = _forge_easy(chain, p, 4 * p, easy)  # real work at the forged, easier target
        headers, coinbase, branch = retarget_args(forged, BOUNDARY, p, 4 * p)
        proof = bytearray(headers)
        reason = "relay: new nBits disagree with the retarget rule"
    elif case == "broken_link":
        proof[2 * 80: 3 * 80] = remine(chain, BOUNDARY - p + 2, prev=b"\x11" * 32)
        reason = "relay: headers are not linked"
    elif case == "too_few_after":
        proof = proof[:-80]
        reason = "relay: fewer than P headers after the boundary"
    elif case == "too_few_before":
        # the proof started one block later, pinned by that block's coinbase
        blk = chain.block(BOUNDARY - p + 1)
        proof, coinbase, branch = proof[80:], blk.coinbase, list(blk.branch)
        reason = "relay: fewer than P headers before the boundary"
    elif case == "duplicate_tail":
        proof = proof + proof[-80:]
        reason = "relay: headers are not linked"
    elif case == "truncated":
        proof = proof[:-1]
        reason = "relay: headers must be 80 bytes each"
    elif case == "second_boundary":
        # the headers after the boundary change nBits again (a second retarget inside the proof)
        proof[(p + 2) * 80: (p + 3) * 80] = remine(chain, BOUNDARY + 2, bits=BITS)
        reason = "relay: nBits change again after the boundary (a second retarget)"
    elif case == "old_half_bits":
        proof[1 * 80: 2 * 80] = remine(chain, BOUNDARY - p + 1, bits=new)
        reason = "relay: header nBits disagree with the latest epoch"
    elif case == "stale_successor":
        # a sibling of the header after the boundary (valid work, same parent), then the main chain's next header
        sib = remine(chain, BOUNDARY, time=chain.block(BOUNDARY).parsed.time + 1)
        assert sib[4:36] == chain.block(BOUNDARY).parsed.prev
        proof[p * 80: (p + 1) * 80] = sib
        reason = "relay: headers are not linked"
    elif case == "pinned_by_a_later_block":
        # the real coinbase and branch of another block of the proof (the boundary's): the pin is the first header's
        blk = chain.block(BOUNDARY)
        coinbase, branch = blk.coinbase, list(blk.branch)
        reason = "relay: the proof's heights do not reach the boundary"
    elif case == "empty":
        proof = bytearray()
        reason = "relay: the proof's heights do not reach the boundary"
    elif case == "branch_elsewhere":
        # a coinbase with the right BIP34 height that is not the boundary block's (its branch folds elsewhere)
        coinbase = make_coinbase(BOUNDARY - p, [(50, b"")])
        reason = "relay: merkle branch does not fold to the first header's root"
    elif case == "not_a_coinbase":
        coinbase = bytearray(coinbase)
        coinbase[5] ^= 1  # the input spends an outpoint
        coinbase = bytes(coinbase)
        reason = "bitcoin: not a coinbase: its input spends an outpoint"
    elif case == "midepoch_heights":
        # the same headers, pinned by a coinbase claiming they sit 10 blocks earlier
        coinbase = make_coinbase(BOUNDARY - p - 10, [(50, b"")])
        reason = "relay: the proof's heights do not reach the boundary"
    elif case == "past_the_boundary":
        coinbase = make_coinbase(BOUNDARY + 3 * p, [(50, b"")])
        reason = "relay: the proof's heights do not reach the boundary"
    elif case == "little_work_after":
        # P headers after the boundary at a quarter of the old difficulty (the rule allows it after a 4T epoch)
        relay, chain, new = retarget_case(4 * TARGET_TIMESPAN, p=p, seed=5)
        need = post_needed(p, BITS, new)  # 4P, +1 as work = 2**256 // (target + 1) rounds down
        assert target_from_bits(new) == 4 * target_from_bits(BITS) and need in (4 * p, 4 * p + 1)
        headers, coinbase, branch = proof_of(chain, p, post=need - 1)
        proof = bytearray(headers)
        before = state(relay)
        reason = "relay: less work after the boundary than P headers at the old target"
    elif case in ("future_last_old", "future_start"):
        ahead = boa.env.evm.patch.timestamp + 7_201
        relay = deploy_relay(proof_length=p)
        with boa.env.prank(DEPLOYER):
            relay.anchor_epoch(EPOCH, BITS, ahead - TARGET_TIMESPAN)
        fut = SyntheticChain(start_height=BOUNDARY - p, bits=BITS, retargeting=False, seed=9)
        last_old = ahead if case == "future_last_old" else ahead - 7_202
        for i in range(p):
            fut.mine(time=last_old - (p - 1 - i), bits=BITS)
        nb = next_bits(BITS, ahead - TARGET_TIMESPAN, last_old, REGTEST_POW_LIMIT)
        for i in range(post_needed(p, BITS, nb)):
            fut.mine(time=ahead + i, bits=nb)
        headers, coinbase, branch = retarget_args(fut, BOUNDARY, p, post_needed(p, BITS, nb))
        proof = bytearray(headers)
        before = state(relay)
        reason = "relay: header time more than 2 hours ahead"
    with boa.reverts(reason):
        relay.retarget(bytes(proof), coinbase, branch)
    assert state(relay) == before


def test_retarget_starts_wherever_a_coinbase_can_be_proven():
    """The proof may start at any block at least P before the boundary (so one block the relay
    cannot parse does not stop the retarget): that block's coinbase pins the heights."""
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 2, p=4, seed=3, pre=9)
    for pre in (4, 6, 9):
        r = deploy_relay(proof_length=4)
        with boa.env.prank(DEPLOYER):
            r.anchor_epoch(EPOCH, BITS, START)
        r.retarget(*retarget_args(chain, BOUNDARY, pre, 4))
        (ev,) = logs(r, "Retarget")
        assert (ev.new_bits, ev.start_time, ev.work) == (new, chain.block(BOUNDARY).parsed.time, 4 * work(target_from_bits(new)))


def test_a_pin_coinbase_over_4096_bytes_is_refused():
    """The first block's coinbase is at most 4,096 bytes (the ABI bound; the prover starts the
    proof at another block): a 140-output one is refused, the proof from the next block passes."""
    from eth.exceptions import Revert
    from eth_abi import encode
    from eth_utils import keccak

    from hashtrust.bitcoin.miner import P2WPKH

    relay = deploy_relay(proof_length=4)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, BITS, START)
    new = next_bits(BITS, START, START + TARGET_TIMESPAN // 2, REGTEST_POW_LIMIT)
    chain = SyntheticChain(start_height=BOUNDARY - 5, bits=BITS, retargeting=False, seed=6)
    chain.mine(time=START + TARGET_TIMESPAN // 2 - 4 * 600, bits=BITS, outputs=[(10**6, P2WPKH)] * 140)
    for i in range(4):
        chain.mine(time=START + TARGET_TIMESPAN // 2 - (3 - i) * 600, bits=BITS)
    for i in range(4):
        chain.mine(time=START + TARGET_TIMESPAN // 2 + (i + 1) * 600, bits=new)
    args = retarget_args(chain, BOUNDARY, 5, 4)
    assert 4_096 < len(args[1]) <= 32_768 and relay.MAX_PIN_COINBASE_BYTES() == 4_096
    data = keccak(b"retarget(bytes,bytes,bytes32[])")[:4] + encode(["bytes", "bytes", "bytes32[]"], list(args))
    with pytest.raises(Revert) as refused:
        boa.env.raw_call(relay.address, data=data)
    assert refused.value.args[0] == b""
    assert relay.pending().epoch == 0
    relay.retarget(*retarget_args(chain, BOUNDARY, 4, 4))
    assert relay.pending().bits == new


def test_retarget_before_anchor():
    with boa.reverts("relay: not anchored"):
        deploy_relay().retarget(b"\x00" * 80 * 12, b"", [])


@given(span=st.integers(-TARGET_TIMESPAN, 6 * TARGET_TIMESPAN), exponent=st.integers(246, 254), seed=st.integers(0, 2**16))
def test_random_spans_retarget_as_the_python_model(span, exponent, seed):
    bits = bits_from_target((1 << exponent) - seed)
    relay, chain, new = retarget_case(span, p=2, bits=bits, seed=seed)
    clamped = min(max(span, TARGET_TIMESPAN // 4), 4 * TARGET_TIMESPAN)
    # an independent oracle: python-bitcoinlib's compact codec on the exact product
    from bitcoin.core.serialize import compact_from_uint256, uint256_from_compact

    assert new == compact_from_uint256(min(uint256_from_compact(bits) * clamped // TARGET_TIMESPAN, REGTEST_POW_LIMIT))
    relay.retarget(*proof_of(chain, 2))
    finalize(relay)
    assert relay.epoch(EPOCH + 1).bits == new


def test_no_retargeting_keeps_bits_and_still_pins_the_boundary():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 4, retargeting=False)
    assert new == BITS
    with boa.reverts("relay: the proof's heights do not reach the boundary"):
        relay.retarget(*retarget_args(chain, BOUNDARY - 2, 2, 2))  # four old-epoch headers, same bits: no boundary among them
    relay.retarget(*proof_of(chain, 4))
    finalize(relay)
    assert relay.epoch(EPOCH + 1).bits == BITS


def test_pow_limit_caps_the_retarget():
    bits = bits_from_target(REGTEST_POW_LIMIT)
    relay, chain, new = retarget_case(4 * TARGET_TIMESPAN, bits=bits)
    assert new == bits == 0x207FFFFF
    relay.retarget(*proof_of(chain, 4))
    finalize(relay)
    assert relay.epoch(EPOCH + 1).bits == 0x207FFFFF


# ---------------------------------------------------------------- validate_chain
def test_validate_chain_at_heights():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 2, p=4)
    relay.retarget(*proof_of(chain, 4))
    finalize(relay)
    c = relay.validate_chain(chain.headers(BOUNDARY - 3, 6), BOUNDARY - 3)
    assert (c.headers, c.first_hash, c.last_hash) == (6, chain.block(BOUNDARY - 3).hash, chain.block(BOUNDARY + 2).hash)
    assert c.work == 3 * ((1 << 256) // (target_from_bits(BITS) + 1)) + 3 * ((1 << 256) // (target_from_bits(new) + 1))
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(chain.headers(BOUNDARY - 3, 6), BOUNDARY - 2)  # the boundary in the wrong place
    with boa.reverts("bitcoin: the chain's epoch is not relayed"):
        relay.validate_chain(chain.headers(BOUNDARY - 3, 2), BOUNDARY + 2016 * 3)
    with boa.reverts("bitcoin: headers must be 80 bytes each"):
        relay.validate_chain(chain.headers(BOUNDARY - 3, 2)[:-3], BOUNDARY - 3)
    with boa.reverts("bitcoin: no headers"):
        relay.validate_chain(b"", BOUNDARY)
    moved = bytearray(chain.headers(BOUNDARY, 2))
    moved[68:72] = (Header.parse(bytes(moved[:80])).time + 7).to_bytes(4, "little")
    moved[:80] = remine(chain, BOUNDARY, time=chain.block(BOUNDARY).parsed.time + 7)
    with boa.reverts("bitcoin: header time disagrees with its epoch's start"):
        relay.validate_chain(bytes(moved[:80]), BOUNDARY)


def test_validate_chain_across_an_unrecorded_boundary_checks_the_retarget_rule():
    """With only the old epoch relayed, a chain across its end boundary is valid when the new nBits
    are Bitcoin's rule from the stored start time and the last old header's time; forged easy bits,
    bits one step off the rule, a stale-time boundary and a second retarget are refused; nothing
    is recorded (a view)."""
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 2, p=4)
    assert new != BITS and relay.epoch_record(EPOCH + 1) == 0
    c = relay.validate_chain(chain.headers(BOUNDARY - 4, 8), BOUNDARY - 4)
    assert (c.headers, c.first_hash, c.last_hash) == (8, chain.block(BOUNDARY - 4).hash, chain.block(BOUNDARY + 3).hash)
    assert c.work == 4 * work(target_from_bits(BITS)) + 4 * work(target_from_bits(new))
    # retarget's guards (audit2 L1): P headers each side, P headers' worth of old work after it
    for first, n in ((BOUNDARY - 3, 7), (BOUNDARY - 4, 7), (BOUNDARY - 1, 2)):
        with boa.reverts("relay: a chain across an unrecorded retarget needs P headers each side"):
            relay.validate_chain(chain.headers(first, n), first)
    easy = bits_from_target(min(target_from_bits(new) * 4, REGTEST_POW_LIMIT))
    forged = _forge_easy(chain, 4, 4, easy)
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(forged.headers(BOUNDARY - 4, 8), BOUNDARY - 4)
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(chain.headers(BOUNDARY - 5, 9), BOUNDARY - 4)  # the boundary claimed one header early
    # a different last old time gives other bits: the rule reads the header before the boundary
    moved = SyntheticChain(start_height=BOUNDARY - 4, bits=BITS, retargeting=False, seed=5)
    for i in range(4):
        moved.mine(time=START + TARGET_TIMESPAN - (3 - i) * 600, bits=BITS)
    for i in range(4):
        moved.mine(time=START + TARGET_TIMESPAN + (i + 1) * 600, bits=new)
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(moved.headers(BOUNDARY - 4, 8), BOUNDARY - 4)
    assert state(relay) == (True, EPOCH, EPOCH, BITS | START << 32, 0) and relay.pending().epoch == 0


def test_validate_chain_across_an_unrecorded_boundary_without_retargeting_keeps_the_bits():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 4, retargeting=False)
    assert new == BITS
    assert relay.validate_chain(chain.headers(BOUNDARY - 4, 8), BOUNDARY - 4).headers == 8


@given(span=st.integers(-TARGET_TIMESPAN, 6 * TARGET_TIMESPAN), exponent=st.integers(246, 254), seed=st.integers(0, 2**16))
def test_validate_chain_across_the_boundary_follows_the_python_model(span, exponent, seed):
    bits = bits_from_target((1 << exponent) - seed)
    relay, chain, new = retarget_case(span, p=2, bits=bits, seed=seed)
    post = chain.next_height - BOUNDARY  # enough for P headers' worth of old work
    assert relay.validate_chain(chain.headers(BOUNDARY - 2, 2 + post), BOUNDARY - 2).headers == 2 + post
    wrong = SyntheticChain(start_height=BOUNDARY - 2, bits=bits, retargeting=False, seed=seed + 1)
    wrong.blocks.extend(chain.block(BOUNDARY - 2 + i) for i in range(2))
    other = bits_from_target(target_from_bits(new) - 1) if bits_from_target(target_from_bits(new) - 1) != new else bits_from_target(target_from_bits(new) // 2)
    for i in range(post):
        wrong.mine(time=chain.block(BOUNDARY).parsed.time + i * 600, bits=other)
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(wrong.headers(BOUNDARY - 2, 2 + post), BOUNDARY - 2)
