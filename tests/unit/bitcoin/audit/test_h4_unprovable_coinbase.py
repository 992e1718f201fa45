"""H4 (fixed): one valid Bitcoin block the relay could not prove froze the index for ever.

The audit's scenario: periods publish strictly in order, a period only with every sample counted,
and the relay refused two kinds of coinbase Bitcoin accepts: over 16,384 bytes (a pool paying its
miners in the coinbase: 600 P2WPKH outputs, ~18.6 kB) and exactly 64 bytes (a 4-byte BIP34 script,
one output with an empty script). The sampled block was never counted; nothing after it published.

The fix: (1) coinbases up to 32,768 bytes are proven (the 600-output one counts); (2) a 64-byte
coinbase is accepted (a merkle node cannot hold the null outpoint a coinbase must); (3) the
liveness rule: a period missing a sample publishes once its proof window has passed, over the
samples counted (a majority), void below that: a coinbase larger still (1,100 outputs, ~34 kB)
delays one period by one window and freezes nothing.
"""

import boa
import pytest
from btc_boa import PROOF_WINDOW, START_HEIGHT, anchor, deploy_index, deploy_relay, logs, reward_proof
from eth.exceptions import Revert
from eth_abi import encode
from eth_utils import keccak

from hashtrust.bitcoin.consensus import sha256d, subsidy
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS, sample_heights
from hashtrust.bitcoin.miner import P2WPKH, Block, SyntheticChain, mine_header
from hashtrust.bitcoin.proofs import RewardProof
from hashtrust.bitcoin.tx import MAX_COINBASE_BYTES, coinbase_branch, make_coinbase, merkle_root, parse_coinbase
from hashtrust.errors import InputError

K = 2
SAMPLES = 4
FIRST = START_HEIGHT // PERIOD_BLOCKS  # 1,400
BAD = sample_heights(FIRST + 1, SAMPLES)[1]  # a sample block of the second period
T0 = 19_700 * 86_400 + 3_600


def _chain(bad_coinbase) -> SyntheticChain:
    """Three periods and K confirmations; the block at BAD carries ``bad_coinbase(BAD)`` -> (coinbase, paid)."""
    chain = SyntheticChain(start_height=START_HEIGHT, start_time=T0, retargeting=False, seed=5)
    for h in range(START_HEIGHT, START_HEIGHT + 3 * PERIOD_BLOCKS + K):
        if h != BAD:
            chain.mine(time=T0 + (h - START_HEIGHT) * 600)
            continue
        cb, paid = bad_coinbase(h)  # mine the block by hand around the chosen coinbase (the miner's normal job)
        txids = [sha256d(cb)] + [chain.rng.randbytes(32) for _ in range(5)]
        header = mine_header(0x20000000, chain.tip.hash, merkle_root(txids), T0 + (h - START_HEIGHT) * 600, chain.bits)
        chain.blocks.append(Block(height=h, header=header, coinbase=cb, branch=coinbase_branch(txids), paid=paid, txids=txids))
    return chain


def _payout_coinbase(outputs):
    def make(h):
        paid = subsidy(h) + 12_345_678
        outs = [(paid // outputs, P2WPKH)] * (outputs - 1) + [(paid - (outputs - 1) * (paid // outputs), P2WPKH)]
        return make_coinbase(h, outs, extra=b"/pool/"), paid
    return make


def _tiny_coinbase(h):
    return make_coinbase(h, [(subsidy(h), b"")], extra=b""), subsidy(h)  # 4-byte BIP34 script, one output, empty scriptPubKey


def _env(bad_coinbase):
    chain = _chain(bad_coinbase)
    relay = deploy_relay(confirmations=K, retargeting=False)
    anchor(relay, chain)
    index = deploy_index(relay, FIRST, SAMPLES)
    for period in (FIRST, FIRST + 1, FIRST + 2):
        for h in sample_heights(period, SAMPLES):
            if h != BAD:
                index.submit(*reward_proof(chain, h, K).args())
    index.publish(FIRST)
    return chain, relay, index


def _all_publish(index, bad_counted: bool):
    """FIRST + 1 publishes (at once when complete, else after its window) and FIRST + 2 after it."""
    if not bad_counted:
        with boa.reverts("index: period has sample blocks not yet proven"):
            index.publish(FIRST + 1)  # the window first
        boa.env.time_travel(seconds=PROOF_WINDOW)
    index.publish(FIRST + 1)
    (ev,) = logs(index, "PeriodPublished")
    assert ev.blocks == (SAMPLES if bad_counted else SAMPLES - 1)
    index.publish(FIRST + 2)
    assert index.status().next_period == FIRST + 3
    day, value = index.latest()
    assert value > 0 and index.hashprice(day) == (value, True)


def test_h4_a_pool_payout_coinbase_over_16384_bytes_is_proven():
    chain, relay, index = _env(_payout_coinbase(600))
    blk = chain.block(BAD)
    cb = parse_coinbase(blk.coinbase)  # well-formed: BIP34 height, 600 outputs, sums within 21M BTC
    assert cb.height == BAD and len(cb.outputs) == 600 and 16_384 < len(blk.coinbase) <= MAX_COINBASE_BYTES
    proof = reward_proof(chain, BAD, K)
    assert proof.check(K) == blk.paid
    index.submit(*proof.args())
    assert index.period(FIRST + 1).blocks == SAMPLES
    _all_publish(index, bad_counted=True)


def test_h4_a_coinbase_over_32768_bytes_delays_one_period_by_one_window():
    chain, relay, index = _env(_payout_coinbase(1_100))
    blk = chain.block(BAD)
    assert len(blk.coinbase) > MAX_COINBASE_BYTES and len(blk.coinbase) * 4 < 4_000_000 // 25  # under 4 % of a block's weight
    proof = reward_proof(chain, BAD, K)
    with pytest.raises(InputError, match="at most 32,768 can be proven"):
        proof.check(K)
    with pytest.raises(Revert) as refused:  # the ABI decoder's bound (Bytes[32768]): no reason at all
        boa.env.raw_call(index.address, data=_calldata(proof))
    assert refused.value.args[0] == b""
    _all_publish(index, bad_counted=False)


def test_h4_a_64_byte_coinbase_is_counted():
    chain, relay, index = _env(_tiny_coinbase)
    blk = chain.block(BAD)
    assert len(blk.coinbase) == 64
    assert blk.coinbase[5:37] == bytes(32) and blk.coinbase[37:41] == b"\xff" * 4  # cannot be two node hashes
    index.submit(*RewardProof(BAD, chain.headers(BAD, K + 1), blk.coinbase, list(blk.branch)).args())
    (ev,) = logs(index, "BlockCounted")
    assert (ev.height, ev.paid, ev.fees) == (BAD, subsidy(BAD), 0)
    _all_publish(index, bad_counted=True)


def _calldata(proof: RewardProof) -> bytes:
    return keccak(b"submit(bytes,bytes,bytes32[])")[:4] + encode(["bytes", "bytes", "bytes32[]"], list(proof.args()))
