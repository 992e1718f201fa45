"""The Python side of retarget proofs: `RetargetProof.check` refuses what `BitcoinRelay.retarget`
refuses (with a sentence, before any gas) and predicts what it records; `build_retarget` starts a
proof at the first block it can pin and sizes it by work; header files carry coinbases."""

import boa
import pytest
from btc_boa import DEPLOYER, deploy_relay, logs, now, retarget_args

from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT, RETARGET_INTERVAL, TARGET_TIMESPAN, bits_from_target, display, next_bits, target_from_bits, work
from hashtrust.bitcoin.files import HeaderFile, parse_headers
from hashtrust.bitcoin.miner import SyntheticChain
from hashtrust.bitcoin.proofs import RetargetProof
from hashtrust.bitcoin.relay import MAX_PROOF_HEADERS, build_retarget
from hashtrust.bitcoin.tx import make_coinbase
from hashtrust.errors import InputError

P = 4
EPOCH = 300
BOUNDARY = (EPOCH + 1) * RETARGET_INTERVAL
BITS = bits_from_target(1 << 250)
START = 1_700_000_000


def _chain(span: int, pre: int = 12, post: int = 30, seed: int = 0) -> tuple[SyntheticChain, int]:
    new = next_bits(BITS, START, START + span, REGTEST_POW_LIMIT)
    chain = SyntheticChain(start_height=BOUNDARY - pre, bits=BITS, retargeting=False, seed=seed)
    for i in range(pre):
        chain.mine(time=START + span - (pre - 1 - i) * 600, bits=BITS)
    for i in range(post):
        chain.mine(time=START + span + (i + 1) * 600, bits=new)
    return chain, new


def _relay():
    relay = deploy_relay(pow_limit=REGTEST_POW_LIMIT, retargeting=True, proof_length=P)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(EPOCH, BITS, START)
    return relay


def _check(proof: RetargetProof):
    return proof.check(EPOCH, BITS, START, p=P, pow_limit=REGTEST_POW_LIMIT, retargeting=True, now=now())


def _mutations(chain):
    """(name, proof) pairs: a valid proof and the refusals of `test_relay_boa.py`, in Python terms."""
    headers, coinbase, branch = retarget_args(chain, BOUNDARY, P, P + 2)
    ok = RetargetProof(headers, coinbase, branch)
    flipped = bytearray(headers)
    flipped[(P + 1) * 80 + 4] ^= 1  # a broken link (and, likely, missed work)
    other = chain.block(BOUNDARY)
    yield "valid", ok
    yield "broken", RetargetProof(bytes(flipped), coinbase, branch)
    yield "too_few_after", RetargetProof(headers[: (2 * P - 1) * 80], coinbase, branch)
    first = chain.block(BOUNDARY - P + 1)
    yield "too_few_before", RetargetProof(headers[80:], first.coinbase, list(first.branch))
    yield "pinned_later", RetargetProof(headers, other.coinbase, list(other.branch))
    yield "branch_elsewhere", RetargetProof(headers, make_coinbase(BOUNDARY - P, [(50, b"")]), branch)
    yield "truncated", RetargetProof(headers[:-1], coinbase, branch)
    yield "heaviest", RetargetProof(*retarget_args(chain, BOUNDARY, 12, 30))


@pytest.mark.parametrize("span", [TARGET_TIMESPAN // 2, TARGET_TIMESPAN, 4 * TARGET_TIMESPAN])
def test_python_and_contract_agree_on_every_proof(span):
    chain, new = _chain(span, seed=span % 101)
    for name, proof in _mutations(chain):
        relay = _relay()
        try:
            out = _check(proof)
        except InputError:
            with boa.reverts():
                relay.retarget(*proof.args())
            assert relay.pending().epoch == 0, name
            continue
        relay.retarget(*proof.args())
        (ev,) = logs(relay, "Retarget")
        assert (ev.epoch, ev.new_bits, ev.start_time, ev.work) == (out.epoch, out.new_bits, out.start_time, out.work), name
        assert out.work == out.post * work(target_from_bits(new))


def test_check_names_the_rule():
    chain, new = _chain(TARGET_TIMESPAN // 2)
    cases = dict(_mutations(chain))
    with pytest.raises(InputError, match="does not link to the one before it|does not meet its target"):
        _check(cases["broken"])
    with pytest.raises(InputError, match="3 headers after the boundary; the relay needs P = 4"):
        _check(cases["too_few_after"])
    with pytest.raises(InputError, match="3 headers before the boundary; the relay needs P = 4"):
        _check(cases["too_few_before"])
    with pytest.raises(InputError, match="not around the boundary"):
        _check(cases["pinned_later"])
    with pytest.raises(InputError, match="does not fold to the first header's merkle root"):
        _check(cases["branch_elsewhere"])
    with pytest.raises(InputError, match="must be whole 80-byte headers"):
        _check(cases["truncated"])
    big = RetargetProof(b"\x00" * 80 * (MAX_PROOF_HEADERS + 1), b"", [])
    with pytest.raises(InputError, match="at most 800"):
        _check(big)
    easy_chain, easy = _chain(4 * TARGET_TIMESPAN)
    short = RetargetProof(*retarget_args(easy_chain, BOUNDARY, P, 2 * P))
    with pytest.raises(InputError, match="carry less work than P = 4 headers at the old target; add headers"):
        _check(short)
    future, _ = _chain(now() + 7_300 - START, pre=P, post=P)
    with pytest.raises(InputError, match="more than 2 hours ahead"):
        _check(RetargetProof(*retarget_args(future, BOUNDARY, P, P)))


def _file(chain, coinbases: dict[int, bytes] | None = None) -> HeaderFile:
    """The chain as a header file; ``coinbases`` (height -> coinbase; default: every block's) with
    the blocks' real branches."""
    cbs = {b.height: b.coinbase for b in chain.blocks} if coinbases is None else coinbases
    return HeaderFile(path="t", network="regtest", epoch_start=None, headers={b.height: b.header for b in chain.blocks},
                      coinbases={h: (cb, list(chain.block(h).branch)) for h, cb in cbs.items()})


def test_build_retarget_starts_at_the_first_block_it_can_pin():
    chain, new = _chain(TARGET_TIMESPAN // 2)
    proof = build_retarget(_file(chain), BOUNDARY, p=P, old_bits=BITS)
    assert proof.headers == chain.headers(BOUNDARY - P, 2 * P) and proof.coinbase == chain.block(BOUNDARY - P).coinbase
    # the block P before the boundary has an unparsable or missing coinbase: the proof starts earlier
    junk = {h: chain.block(h).coinbase for h in range(BOUNDARY - 12, BOUNDARY - P)}
    junk[BOUNDARY - P - 1] = b"\x00" * 10  # not a coinbase (skipped: the relay could not parse it)
    proof = build_retarget(_file(chain, junk), BOUNDARY, p=P, old_bits=BITS)
    assert proof.headers[:80] == chain.block(BOUNDARY - P - 2).header and proof.count == P + 2 + P
    relay = _relay()
    relay.retarget(*proof.args())
    assert relay.pending().start_time == chain.block(BOUNDARY).parsed.time
    # a coinbase over 4,096 bytes cannot pin a retarget: skipped too
    big = dict(junk)
    big[BOUNDARY - P] = make_coinbase(BOUNDARY - P, [(10**6, b"\x00\x14" + bytes(20))] * 140)
    assert len(big[BOUNDARY - P]) > 4_096
    proof = build_retarget(_file(chain, big), BOUNDARY, p=P, old_bits=BITS)
    assert proof.headers[:80] == chain.block(BOUNDARY - P - 2).header
    with pytest.raises(InputError, match="at most 4,096 can pin a retarget proof"):
        _check(RetargetProof(chain.headers(BOUNDARY - P, 2 * P), big[BOUNDARY - P], []))
    # blocks after the boundary cannot pin: a file with only those has nothing to start at
    with pytest.raises(InputError, match="no provable coinbase at heights 606,812 and before"):
        build_retarget(_file(chain, {h: chain.block(h).coinbase for h in range(BOUNDARY - P + 1, BOUNDARY + 4)}), BOUNDARY, p=P, old_bits=BITS)


def test_build_retarget_sizes_the_proof_by_work():
    easy_chain, easy = _chain(4 * TARGET_TIMESPAN, post=40)
    proof = build_retarget(_file(easy_chain), BOUNDARY, p=P, old_bits=BITS)
    need = -(-P * work(target_from_bits(BITS)) // work(target_from_bits(easy)))
    assert proof.count == P + need and need > P  # enough easy headers for P headers' worth of work
    heavy = build_retarget(_file(easy_chain), BOUNDARY, p=P, old_bits=BITS, heaviest=True)
    assert heavy.count == P + 40  # every header the source has after the boundary
    assert _check(heavy).work == 40 * work(target_from_bits(easy)) > _check(proof).work
    with pytest.raises(InputError, match="has no header at height"):
        build_retarget(_file(_chain(4 * TARGET_TIMESPAN, post=P)[0]), BOUNDARY, p=P, old_bits=BITS)  # too few easy headers in the file


def test_header_files_carry_coinbases():
    chain, _ = _chain(TARGET_TIMESPAN // 2, pre=P, post=P)
    blk = chain.block(BOUNDARY - P)
    data = {"network": "regtest", "headers": [{"height": b.height, "hex": b.header.hex()} for b in chain.blocks],
            "coinbases": [{"height": blk.height, "coinbase_tx": blk.coinbase.hex(), "coinbase_merkle_branch": [display(x) for x in blk.branch]}]}
    hf = parse_headers(data)
    assert hf.coinbase(BOUNDARY - P) == (blk.coinbase, list(blk.branch)) and hf.coinbase(BOUNDARY) is None
    internal = dict(data, coinbases=[dict(data["coinbases"][0], branch_byte_order="internal", coinbase_merkle_branch=[x.hex() for x in blk.branch])])
    assert parse_headers(internal).coinbase(BOUNDARY - P) == (blk.coinbase, list(blk.branch))
    for bad, field in (([1], "coinbases[0]"), ([{"height": 1, "coinbase_tx": "zz", "coinbase_merkle_branch": []}], "coinbases[0].coinbase_tx"),
                       ([{"height": 1, "coinbase_tx": "00", "coinbase_merkle_branch": "x"}], "coinbases[0].coinbase_merkle_branch")):
        with pytest.raises(InputError, match=field.replace("[", r"\[").replace("]", r"\]")):
            parse_headers(dict(data, coinbases=bad))


def test_reward_proof_refuses_what_the_contract_refuses():
    """`RewardProof.check` shares the framing and size checks with retarget proofs: each refusal
    names the part and the limit."""
    from hashtrust.bitcoin.proofs import MAX_CHAIN_HEADERS, RewardProof
    from hashtrust.bitcoin.tx import MAX_BRANCH, MAX_COINBASE_BYTES

    chain, _ = _chain(TARGET_TIMESPAN // 2)
    block = chain.block(BOUNDARY - P)
    good = RewardProof(block.height, chain.headers(block.height, 3), block.coinbase, list(block.branch))
    assert good.check(confirmations=2) == good.check() > 0
    cases = [
        (RewardProof(block.height, b"", block.coinbase, []), "headers: must be whole 80-byte headers"),
        (RewardProof(block.height, b"\x00" * 80 * (MAX_CHAIN_HEADERS + 1), block.coinbase, []),
         "65 headers; a reward proof .the block and 63 confirmations. takes at most 64"),
        (RewardProof(block.height, good.headers, b"\x01" * (MAX_COINBASE_BYTES + 1), []), "at most .* can be proven"),
        (RewardProof(block.height, good.headers, block.coinbase, [bytes(32)] * (MAX_BRANCH + 1)), f"at most {MAX_BRANCH}"),
        (RewardProof(block.height + 1, good.headers, block.coinbase, list(block.branch)), "is not the block's height"),
    ]
    for proof, message in cases:
        with pytest.raises(InputError, match=message):
            proof.check()
    with pytest.raises(InputError, match="2 confirmations; the relay needs 3"):
        good.check(confirmations=3)
    with pytest.raises(InputError, match=f"levels; at most {MAX_BRANCH}"):
        _check(RetargetProof(chain.headers(BOUNDARY - P, 2 * P), block.coinbase, [bytes(32)] * (MAX_BRANCH + 1)))
