"""The relay reproduces Bitcoin's own numbers from real mainnet data (examples/bitcoin/).

Every fact the fixture README states is re-checked here with hashlib first (proof of work,
links, the retarget rule, merkle roots, BIP34 heights), then the relay must agree:
difficulty 5,106,422,924,659 after 554,400; nBits 0x18045174 at 437,472; block 776,166 paid
631,067,024 sats = 625,000,000 subsidy + 6,067,024 fees; 774,142 proven across the retarget at
774,144; the real stale block at 437,478 refused as a successor.
"""

import hashlib

import boa
import pytest
from btc_boa import DEPLOYER, fixture, logs, mainnet_relay

from hashtrust.bitcoin.consensus import (
    RETARGET_INTERVAL,
    Header,
    difficulty,
    next_bits,
    subsidy,
    target_from_bits,
)
from hashtrust.bitcoin.proofs import reward_proof_from_file
from hashtrust.bitcoin.tx import fold, parse_coinbase

RETARGET_554400 = "headers_554390-554408_retarget.json"
RETARGET_437472 = "headers_437466-437479_retarget_orphan.json"


def _h256d(b: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


@pytest.mark.parametrize("name", [RETARGET_554400, RETARGET_437472])
def test_fixture_facts_recheck_with_hashlib(name):
    hf = fixture(name)
    raws = [hf.epoch_start[1]] + [hf.headers[h] for h in sorted(hf.headers)] + [r for _, r in hf.orphans]
    for raw in raws:
        bits = int.from_bytes(raw[72:76], "little")
        assert int.from_bytes(_h256d(raw), "little") <= target_from_bits(bits)
    hs = sorted(hf.headers)
    for a, b in zip(hs, hs[1:]):
        assert hf.headers[b][4:36] == _h256d(hf.headers[a])
    (boundary,) = hf.boundaries()
    first = Header.parse(hf.epoch_start[1])
    last = Header.parse(hf.headers[boundary - 1])
    assert Header.parse(hf.headers[boundary]).bits == next_bits(last.bits, first.time, last.time)


def test_retarget_554400_gives_bitcoins_difficulty():
    hf = fixture(RETARGET_554400)
    relay = mainnet_relay(proof_length=9)
    height, raw = hf.epoch_start
    with boa.env.prank(DEPLOYER):
        relay.anchor(raw, height)
    (ev,) = logs(relay, "Anchored")
    assert (ev.epoch, ev.bits, ev.start_time) == (274, 0x1731D97C, Header.parse(raw).time)
    relay.retarget(hf.run(554_400 - 9, 18))
    (ev,) = logs(relay, "Retarget")
    assert (ev.epoch, ev.old_bits, ev.new_bits) == (275, 0x1731D97C, 0x17371EF4)
    assert ev.start_time == Header.parse(hf.headers[554_400]).time
    assert ev.block_hash == _h256d(hf.headers[554_400])
    ep = relay.epoch(275)
    assert ep.known and ep.bits == 0x17371EF4
    assert ep.difficulty == relay.difficulty(275) == 5_106_422_924_659 == difficulty(ep.target)
    assert relay.latest_epoch() == 275 and relay.first_epoch() == 274


def test_retarget_437472_new_bits_and_stale_block_refused():
    hf = fixture(RETARGET_437472)
    relay = mainnet_relay(proof_length=6)
    with boa.env.prank(DEPLOYER):
        relay.anchor(hf.epoch_start[1], hf.epoch_start[0])
    (orphan_height, orphan), = hf.orphans
    assert orphan_height == 437_478 and orphan[4:36] == _h256d(hf.headers[437_477])  # a real sibling of 437,478
    proof = hf.run(437_472 - 6, 12)  # 437,466 .. 437,477
    # the stale block offered as the successor of the main 437,478 in a chain, and 437,479 after the stale block
    chain_with_orphan = hf.run(437_473, 6) + orphan
    with boa.reverts("bitcoin: the chain's next epoch is not relayed"):
        relay.validate_chain(hf.run(437_470, 4), 437_470)  # epoch 217 is not relayed yet
    relay.retarget(proof)
    (ev,) = logs(relay, "Retarget")
    assert ev.new_bits == 0x18045174 and relay.epoch(437_472 // RETARGET_INTERVAL).bits == 0x18045174
    with boa.reverts("bitcoin: headers are not linked"):
        relay.validate_chain(chain_with_orphan, 437_473)
    with boa.reverts("bitcoin: headers are not linked"):
        relay.validate_chain(hf.run(437_476, 2) + orphan + hf.headers[437_479], 437_476)
    # the same headers on the main chain are valid
    c = relay.validate_chain(hf.run(437_472, 8), 437_472)
    assert c.headers == 8 and c.last_hash == _h256d(hf.headers[437_479])


def test_reward_776166_paid_and_fees():
    cf = fixture("coinbase_776166.json")
    proof = reward_proof_from_file(cf)
    cb = parse_coinbase(proof.coinbase)
    assert cb.height == 776_166 and cb.paid == 631_067_024
    assert fold(cb.txid, proof.branch) == Header.parse(cf.headers[0]).merkle_root
    assert subsidy(776_166) == 625_000_000
    relay = mainnet_relay(confirmations=5)
    bits = Header.parse(cf.headers[0]).bits
    # epoch 385's first block (776,160) is not in the data: anchor by number and nBits. Its start
    # time only matters to a chain that contains block 776,160 or to the next retarget, neither here.
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(776_166 // RETARGET_INTERVAL, bits, Header.parse(cf.headers[0]).time - 6 * 600)
    r = relay.verify_reward(*proof.args())
    assert (r.height, r.paid, r.subsidy, r.fees, r.confirmations) == (776_166, 631_067_024, 625_000_000, 6_067_024, 5)
    assert r.block_hash == _h256d(cf.headers[0]) and r.time == Header.parse(cf.headers[0]).time


def test_reward_774142_across_the_retarget_at_774144():
    cf = fixture("coinbase_774142.json")
    proof = reward_proof_from_file(cf)
    h = [Header.parse(x) for x in cf.headers]
    assert (h[1].bits, h[2].bits) == (0x17077CE2, 0x17072720)  # 774,143 | 774,144
    # Epoch 383's start (block 772,128) is not in the data. Anchor it with a start time the retarget
    # rule maps to the real new nBits (the rule pins it to a few seconds), then prove the real
    # retarget with the real headers around 774,144 (P = 2) and the reward across it.
    span_times = [t for t in range(h[1].time - 1_300_000, h[1].time - 1_000_000) if next_bits(h[1].bits, t, h[1].time) == h[2].bits]
    assert span_times and span_times[-1] - span_times[0] < 10
    relay = mainnet_relay(confirmations=5, proof_length=2)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(383, h[1].bits, span_times[len(span_times) // 2])
    relay.retarget(b"".join(cf.headers[:4]))
    assert relay.epoch(384).start_time == h[2].time
    r = relay.verify_reward(*proof.args())
    assert r.height == 774_142 and r.paid == parse_coinbase(proof.coinbase).paid == 628_528_217
    assert r.fees == 628_528_217 - 625_000_000
    # the boundary must sit where BIP34 says: the same headers claimed one block later disagree
    c = relay.validate_chain(b"".join(cf.headers), 774_142)
    assert c.headers == 6
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(b"".join(cf.headers), 774_141)
