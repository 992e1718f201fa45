"""BitcoinRelay on synthetic chains: anchoring, retargets, chain checks; every refusal names
its rule and changes nothing; random epoch spans give the retarget the Python model computes."""

import boa
import pytest
from btc_boa import DEPLOYER, STRANGER, deploy_relay, logs
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
)
from hashtrust.bitcoin.miner import SyntheticChain

EPOCH = 300
BOUNDARY = (EPOCH + 1) * RETARGET_INTERVAL
BITS = bits_from_target(1 << 250)  # 1 in 64 hashes meets it: flipped nonces fail, mining stays fast
START = 1_700_000_000


def retarget_case(span: int, p: int = 4, bits: int = BITS, pow_limit: int = REGTEST_POW_LIMIT, seed: int = 0, retargeting: bool = True):
    """A relay anchored (by number) at EPOCH with start time START, and the 2p headers around its
    end boundary whose last old header is ``span`` seconds after START; returns the relay, the
    chain and the nBits Bitcoin's rule gives."""
    relay = deploy_relay(pow_limit=pow_limit, retargeting=retargeting, proof_length=p)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, bits, START)
    new = next_bits(bits, START, START + span, pow_limit) if retargeting else bits
    chain = SyntheticChain(start_height=BOUNDARY - p, bits=bits, pow_limit=pow_limit, retargeting=False, seed=seed)
    for i in range(p):
        chain.mine(time=START + span - (p - 1 - i) * 600, bits=bits)
    for i in range(p):
        chain.mine(time=START + span + (i + 1) * 600, bits=new)
    return relay, chain, new


def proof_of(chain, p):
    return chain.headers(BOUNDARY - p, 2 * p)


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
    with pytest.raises(Exception, match="relay: proof length must be 1 to 100"):
        deploy_relay(proof_length=0)
    with pytest.raises(Exception, match="relay: proof length must be 1 to 100"):
        deploy_relay(proof_length=101)
    with pytest.raises(Exception, match="relay: at most 63 confirmations"):
        deploy_relay(confirmations=64)


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
        relay.anchor_epoch(EPOCH, BITS, START)
        (ev,) = logs(relay, "Anchored")
        assert (ev.epoch, ev.bits, ev.start_time, ev.block_hash) == (EPOCH, BITS, START, b"\x00" * 32)


# ---------------------------------------------------------------- retarget
def test_retarget_records_the_next_epoch():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 2)
    assert new != BITS
    relay.retarget(proof_of(chain, 4))
    (ev,) = logs(relay, "Retarget")
    first = chain.block(BOUNDARY)
    assert (ev.epoch, ev.old_bits, ev.new_bits, ev.start_time, ev.block_hash) == (EPOCH + 1, BITS, new, first.parsed.time, first.hash)
    assert relay.latest_epoch() == EPOCH + 1 and relay.epoch(EPOCH + 1).bits == new
    with boa.reverts("relay: header nBits disagree with the latest epoch"):
        relay.retarget(proof_of(chain, 4))  # the same proof again: the latest epoch moved on


@pytest.mark.parametrize("case", ["nonce_flipped", "forged_easy_bits", "broken_link", "too_few", "too_many", "truncated", "second_boundary", "stale_successor", "old_half_bits"])
def test_retarget_refusals_change_nothing(case):
    p = 4
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 3, p=p, seed=hash(case) % 1000)
    proof = bytearray(proof_of(chain, p))
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
        forged = SyntheticChain(start_height=BOUNDARY - p, bits=BITS, retargeting=False)
        for i in range(p):
            forged.blocks.append(chain.block(BOUNDARY - p + i))
        for i in range(p):  # real work at the forged, easier target
            forged.mine(time=chain.block(BOUNDARY + i).parsed.time, bits=easy)
        proof = bytearray(forged.headers(BOUNDARY - p, 2 * p))
        reason = "relay: new nBits disagree with the retarget rule"
    elif case == "broken_link":
        proof[2 * 80: 3 * 80] = remine(chain, BOUNDARY - p + 2, prev=b"\x11" * 32)
        reason = "relay: headers are not linked"
    elif case == "too_few":
        proof = proof[:-80]
        reason = "relay: a retarget proof has P headers each side"
    elif case == "too_many":
        proof = proof + proof[-80:]
        reason = "relay: a retarget proof has P headers each side"
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
    with boa.reverts(reason):
        relay.retarget(bytes(proof))
    assert state(relay) == before


def test_retarget_before_anchor():
    with boa.reverts("relay: not anchored"):
        deploy_relay().retarget(b"\x00" * 80 * 12)


@given(span=st.integers(-TARGET_TIMESPAN, 6 * TARGET_TIMESPAN), exponent=st.integers(246, 254), seed=st.integers(0, 2**16))
def test_random_spans_retarget_as_the_python_model(span, exponent, seed):
    bits = bits_from_target((1 << exponent) - seed)
    relay, chain, new = retarget_case(span, p=2, bits=bits, seed=seed)
    clamped = min(max(span, TARGET_TIMESPAN // 4), 4 * TARGET_TIMESPAN)
    # an independent oracle: python-bitcoinlib's compact codec on the exact product
    from bitcoin.core.serialize import compact_from_uint256, uint256_from_compact

    assert new == compact_from_uint256(min(uint256_from_compact(bits) * clamped // TARGET_TIMESPAN, REGTEST_POW_LIMIT))
    relay.retarget(proof_of(chain, 2))
    assert relay.epoch(EPOCH + 1).bits == new


def test_no_retargeting_keeps_bits():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 4, retargeting=False)
    assert new == BITS
    relay.retarget(proof_of(chain, 4))
    assert relay.epoch(EPOCH + 1).bits == BITS


def test_pow_limit_caps_the_retarget():
    bits = bits_from_target(REGTEST_POW_LIMIT)
    relay, chain, new = retarget_case(4 * TARGET_TIMESPAN, bits=bits)
    assert new == bits == 0x207FFFFF
    relay.retarget(proof_of(chain, 4))
    assert relay.epoch(EPOCH + 1).bits == 0x207FFFFF


# ---------------------------------------------------------------- validate_chain
def test_validate_chain_at_heights():
    relay, chain, new = retarget_case(TARGET_TIMESPAN // 2, p=4)
    relay.retarget(proof_of(chain, 4))
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
