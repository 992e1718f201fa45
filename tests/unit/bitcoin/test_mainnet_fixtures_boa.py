"""The relay reproduces Bitcoin's own numbers from real mainnet data (examples/bitcoin/).

Every fact the fixture README states is re-checked here with hashlib first (proof of work,
links, the retarget rule, merkle roots, BIP34 heights), then the relay must agree:
difficulty 5,106,422,924,659 after 554,400 and nBits 0x18045174 at 437,472 (the contracts' own
retarget arithmetic; those files carry no coinbase to pin a retarget proof, and the relay refuses
one without); block 776,166 paid 631,067,024 sats = 625,000,000 subsidy + 6,067,024 fees; the
retarget at 774,144 proven, pinned by 774,142's real coinbase, and 774,142 proven across it; the
real stale block at 437,478 refused as a successor.
"""

import hashlib

import boa
import pytest
from btc_boa import C, DEPLOYER, finalize, fixture, logs, mainnet_relay

from hashtrust.bitcoin.consensus import (
    MAINNET_POW_LIMIT,
    RETARGET_INTERVAL,
    Header,
    difficulty,
    next_bits,
    subsidy,
    target_from_bits,
    work,
)
from hashtrust.bitcoin.proofs import reward_proof_from_file
from hashtrust.bitcoin.tx import fold, make_coinbase, parse_coinbase

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


def _math():
    return boa.load(str(C / "mocks" / "MockBitcoinMath.vy"))


def test_retarget_554400_gives_bitcoins_difficulty():
    """The contracts' retarget rule on epoch 274 gives the real 0x17371ef4; the relay anchored at
    block 554,400 (epoch 275's first) reports difficulty 5,106,422,924,659 and checks the real
    headers after it. The fixture has no coinbase, so the retarget cannot be recorded: the relay
    refuses it without a pin (any coinbase whose branch does not fold to 554,390's root); its
    `validate_chain` checks the real headers across 554,400 against the rule at claimed heights."""
    hf = fixture(RETARGET_554400)
    start = Header.parse(hf.epoch_start[1])
    last = Header.parse(hf.headers[554_399])
    assert _math().next_bits(0x1731D97C, start.time, last.time, MAINNET_POW_LIMIT) == 0x17371EF4 == next_bits(0x1731D97C, start.time, last.time)
    assert _math().difficulty(0x17371EF4) == 5_106_422_924_659
    relay = mainnet_relay(proof_length=8)  # 8 each side: 9 after 554,400 carry 8 headers' old work, not 9
    height, raw = hf.epoch_start
    with boa.env.prank(DEPLOYER):
        relay.anchor(raw, height)
    (ev,) = logs(relay, "Anchored")
    assert (ev.epoch, ev.bits, ev.start_time) == (274, 0x1731D97C, start.time)
    lying = make_coinbase(554_391, [(625_000_000, b"\x51")])  # the right height, not the block's coinbase
    before = relay.latest_epoch(), relay.pending().epoch
    with boa.reverts("relay: merkle branch does not fold to the first header's root"):
        relay.retarget(hf.run(554_391, 18), lying, [])
    assert (relay.latest_epoch(), relay.pending().epoch) == before == (274, 0)
    # what the relay can say without a pin: the 19 real headers, heights as claimed, cross 554,400
    # by Bitcoin's rule from block 552,384's stored time and 554,399's (nothing recorded)
    c = relay.validate_chain(hf.run(554_390, 19), 554_390)
    assert (c.headers, c.first_hash, c.last_hash) == (19, _h256d(hf.headers[554_390]), _h256d(hf.headers[554_408]))
    assert c.work == 10 * work(target_from_bits(0x1731D97C)) + 9 * work(target_from_bits(0x17371EF4))
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(hf.run(554_390, 19), 554_391)  # the boundary claimed one block late
    with boa.reverts("relay: less work after the boundary than P headers at the old target"):
        mainnet_relay_p9_274(hf).validate_chain(hf.run(554_390, 19), 554_390)  # 9 after it: 8.1 headers of epoch 274's work
    assert (relay.latest_epoch(), relay.pending().epoch, relay.epoch_record(275)) == (274, 0, 0)
    r275 = mainnet_relay(proof_length=9)
    with boa.env.prank(DEPLOYER):
        r275.anchor(hf.headers[554_400], 554_400)
    ep = r275.epoch(275)
    assert ep.known and ep.bits == 0x17371EF4 and ep.start_time == Header.parse(hf.headers[554_400]).time
    assert ep.difficulty == r275.difficulty(275) == 5_106_422_924_659 == difficulty(ep.target)
    c = r275.validate_chain(hf.run(554_400, 9), 554_400)
    assert (c.headers, c.first_hash, c.last_hash) == (9, _h256d(hf.headers[554_400]), _h256d(hf.headers[554_408]))


def mainnet_relay_p9_274(hf):
    relay = mainnet_relay(proof_length=9)
    with boa.env.prank(DEPLOYER):
        relay.anchor(hf.epoch_start[1], hf.epoch_start[0])
    return relay


def test_retarget_437472_new_bits_and_stale_block_refused():
    hf = fixture(RETARGET_437472)
    start = Header.parse(hf.epoch_start[1])
    assert _math().next_bits(0x180455D2, start.time, Header.parse(hf.headers[437_471]).time, MAINNET_POW_LIMIT) == 0x18045174
    relay = mainnet_relay(proof_length=6)
    with boa.env.prank(DEPLOYER):
        relay.anchor(hf.headers[437_472], 437_472)  # epoch 217's first block
    assert relay.epoch(437_472 // RETARGET_INTERVAL).bits == 0x18045174
    (orphan_height, orphan), = hf.orphans
    assert orphan_height == 437_478 and orphan[4:36] == _h256d(hf.headers[437_477])  # a real sibling of 437,478
    # the stale block offered as the successor of the main 437,478 in a chain, and 437,479 after the stale block
    chain_with_orphan = hf.run(437_473, 6) + orphan
    with boa.reverts("bitcoin: the chain's epoch is not relayed"):
        relay.validate_chain(hf.run(437_468, 4), 437_468)  # epoch 216 is before the anchor
    with boa.reverts("bitcoin: headers are not linked"):
        relay.validate_chain(chain_with_orphan, 437_473)
    with boa.reverts("bitcoin: headers are not linked"):
        relay.validate_chain(hf.run(437_476, 2) + orphan + hf.headers[437_479], 437_476)
    # the stale block alone is valid work at that height (why reward proofs need k >= 2 confirmations)
    assert relay.validate_chain(orphan, 437_478).headers == 1
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


def _epoch_383_start(h1: Header, h2: Header) -> list[int]:
    """Epoch 383's start (block 772,128) is not in the data: the start times the retarget rule maps
    to the real new nBits (the rule pins it to a few seconds)."""
    return [t for t in range(h1.time - 1_300_000, h1.time - 1_000_000) if next_bits(h1.bits, t, h1.time) == h2.bits]


def test_retarget_774144_pinned_by_the_real_coinbase_of_774142():
    """The one real retarget whose heights the data can pin: the proof starts at 774,142, whose real
    coinbase and branch give its BIP34 height, so 774,144 is the boundary (P = 2, 4 after it)."""
    cf = fixture("coinbase_774142.json")
    proof = reward_proof_from_file(cf)
    h = [Header.parse(x) for x in cf.headers]
    assert (h[1].bits, h[2].bits) == (0x17077CE2, 0x17072720)  # 774,143 | 774,144
    starts = _epoch_383_start(h[1], h[2])
    assert starts and starts[-1] - starts[0] < 10
    relay = mainnet_relay(confirmations=5, proof_length=2)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(383, h[1].bits, starts[len(starts) // 2])
    headers = b"".join(cf.headers)
    # the real first header with a coinbase claiming it sits one block later: too few headers before the moved boundary
    with boa.reverts("relay: fewer than P headers before the boundary"):
        relay.retarget(headers, make_coinbase(774_143, [(1, b"\x51")]), proof.branch)
    relay.retarget(headers, proof.coinbase, proof.branch)
    (ev,) = logs(relay, "Retarget")
    assert (ev.epoch, ev.old_bits, ev.new_bits, ev.start_time, ev.block_hash) == (384, 0x17077CE2, 0x17072720, h[2].time, _h256d(cf.headers[2]))
    assert ev.work == 4 * work(target_from_bits(0x17072720)) and not ev.replaced
    assert relay.epoch(384).known is False and relay.pending().epoch == 384  # pending for the challenge window
    finalize(relay)
    assert relay.epoch(384).start_time == h[2].time and relay.latest_epoch() == 384
    assert relay.difficulty(384) == difficulty(target_from_bits(0x17072720))


def test_reward_774142_across_the_retarget_at_774144():
    cf = fixture("coinbase_774142.json")
    proof = reward_proof_from_file(cf)
    h = [Header.parse(x) for x in cf.headers]
    starts = _epoch_383_start(h[1], h[2])
    relay = mainnet_relay(confirmations=5, proof_length=2)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(383, h[1].bits, starts[len(starts) // 2])
    relay.retarget(b"".join(cf.headers), proof.coinbase, proof.branch)  # pinned by 774,142's own coinbase
    finalize(relay)
    assert relay.epoch(384).start_time == h[2].time
    r = relay.verify_reward(*proof.args())
    assert r.height == 774_142 and r.paid == parse_coinbase(proof.coinbase).paid == 628_528_217
    assert r.fees == 628_528_217 - 625_000_000
    # the boundary must sit where BIP34 says: the same headers claimed one block later disagree
    c = relay.validate_chain(b"".join(cf.headers), 774_142)
    assert c.headers == 6
    with boa.reverts("bitcoin: header nBits disagree with its epoch"):
        relay.validate_chain(b"".join(cf.headers), 774_141)
