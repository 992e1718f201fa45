"""L1 (relay): `validate_chain`'s new rule-checked path (a chain crossing into an epoch the relay has
not made final) takes the old epoch's last time from the caller's own header at `boundary - 1`, which
nothing pins or links to the real chain. A forger mines ONE header at the old target stamped eight
weeks after the epoch's start: Bitcoin's rule then gives a target 4x easier, and 63 headers at it pass
as "64 valid headers across a retarget checked against Bitcoin's rule" for 1 + 63/4 = 16.75 headers'
worth of work. This is audit H3's shape (1 + P/4), which `retarget` refuses with its two guards (P
headers at the old target before the boundary, P headers' worth of old-target work after it);
`validate_chain` applies neither. Before 405e315 such a chain was refused ("the chain's next epoch is
not relayed"). Nothing on chain consumes `validate_chain` today (the index and `verify_reward` use
final epochs only), so the harm is to off-chain/third-party consumers and to the claim of
docs/bitcoin.md ("anyone can check a real retarget on chain without recording it").

Fixed: the rule path applies `retarget`'s guards (P headers each side, P headers' worth of old work
after the boundary). Correct behaviour asserted: the forged 64-header chain is refused."""

import boa
import pytest
from btc_boa import DEPLOYER, START_EPOCH, deploy_relay

from hashtrust.bitcoin.consensus import RETARGET_INTERVAL, bits_from_target, next_bits, sha256d, target_from_bits, work
from hashtrust.bitcoin.miner import EASY_POW_LIMIT, mine_header

OLD_TARGET = EASY_POW_LIMIT >> 8  # an epoch 256x harder than the pow limit, so a 4x easier target exists


def _forge(relay, start_time: int) -> tuple[bytes, int, int]:
    old_bits = bits_from_target(OLD_TARGET)
    boundary = (START_EPOCH + 1) * RETARGET_INTERVAL
    last_old_time = start_time + 8 * 7 * 86_400  # the span clamps at 4 x two weeks
    new_bits = next_bits(old_bits, start_time, last_old_time, EASY_POW_LIMIT)
    assert target_from_bits(new_bits) > 3 * target_from_bits(old_bits)  # ~4x easier (compact rounding)
    prev = b"\x11" * 32  # links to nothing: the first header of a checked chain is never linked
    headers = [mine_header(0x20000000, prev, b"\x22" * 32, last_old_time, old_bits)]
    t = last_old_time
    for i in range(63):
        t += 600
        headers.append(mine_header(0x20000000, sha256d(headers[-1]), bytes([i]) * 32, t, new_bits))
    return b"".join(headers), boundary - 1, new_bits



def test_l1_forged_retarget_chain_with_a_quarter_of_the_work_is_refused():
    relay = deploy_relay(pow_limit=EASY_POW_LIMIT, retargeting=True, confirmations=6, proof_length=6)
    start_time = 1_700_000_000
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(START_EPOCH, bits_from_target(OLD_TARGET), start_time)
    assert relay.epoch_record(START_EPOCH + 1) == 0  # the next epoch is not recorded here
    headers, first_height, new_bits = _forge(relay, start_time)

    accepted = None
    try:
        accepted = relay.validate_chain(headers, first_height)
    except boa.BoaError:
        pass
    if accepted is not None:
        old_work = work(OLD_TARGET)
        shown = accepted[5]
        print(f"accepted: {accepted[2]} headers, work {shown / old_work:.2f} old-target headers' worth (P = 6)")
        assert shown < 17 * old_work  # what the forger paid
    assert accepted is None, "a forged 64-header retarget chain with a quarter of the work is valid"
