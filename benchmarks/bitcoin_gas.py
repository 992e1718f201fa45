"""Gas of the Bitcoin light relay and the hashprice index, from real receipts on Anvil.

    python benchmarks/bitcoin_gas.py          # starts a throwaway Anvil, prints a table

Rows (receipt gasUsed, 21,000 and calldata included), each with its floor:
* a retarget proven with 50 headers each side, pinned by the first header's coinbase with a
  12-level merkle branch, next to tBTC's LightRelay (~456k, no pin), and the cost per extra
  header (the 51-per-side proof minus the 50-per-side one, halved; LightRelay ~3.7k);
* a challenge: a proof with 60 headers after the boundary replacing the pending 50-header one;
* a block-reward proof with 6 confirmations and a 12-level merkle branch, counted by the index
  (the first sample of a period writes a new slot, a later one updates it);
* a published index period (one day finalised), and one published over 3 of its 4 samples once
  its proof window has passed.
Floors: 21,000 + calldata + the SHA-256 precompile calls the proof needs (100 for the call plus
60 + 12 per word) + the storage the contract cannot avoid writing + its logs.
Headers are mined in Python at an easy target (2**250: the gas does not depend on the target).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/bitcoin_gas.py`

from benchmarks.harness import bench_env, floor_gas, row  # noqa: E402
from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT, RETARGET_INTERVAL, bits_from_target, next_bits  # noqa: E402
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS, sample_heights  # noqa: E402
from hashtrust.bitcoin.index import HashpriceIndexClient  # noqa: E402
from hashtrust.bitcoin.miner import SyntheticChain  # noqa: E402
from hashtrust.bitcoin.proofs import RetargetProof, RewardProof  # noqa: E402
from hashtrust.bitcoin.relay import BitcoinRelayClient  # noqa: E402
from hashtrust.chain import artifacts  # noqa: E402
from web3.logs import DISCARD  # noqa: E402

# tBTC LightRelay (threshold-network/tbtc-v2 PR #377): a retarget with proofLength 50 and the
# marginal cost of a header
REFERENCE = {"retarget_50_headers_each_side": 456_000, "retarget_per_extra_header": 3_700}
BITS = bits_from_target(1 << 250)
EPOCH = 300
START = 1_700_000_000
G_SHA_CALL = 100  # a warm precompile call


def sha_gas(nbytes: int) -> int:
    return G_SHA_CALL + 60 + 12 * ((nbytes + 31) // 32)


def _deploy(sender, name: str, *args) -> str:
    art = artifacts.load(name)
    return sender.deploy(art.abi, art.bytecode, *args, action=f"deploy {name}")["contractAddress"]


CHALLENGE_WINDOW = 3_600
PROOF_WINDOW = 3_600


def retarget_gas(w3, sender, p: int, challenge_post: int = 0):
    """Anchor a relay by number, mine p headers before the epoch's end (the first in a block of
    4,096 transactions: a 12-level coinbase branch pins the proof) and p after it (plus
    ``challenge_post`` more), prove the retarget (and challenge it with the longer proof)."""
    relay = BitcoinRelayClient(w3, _deploy(sender, "BitcoinRelay", REGTEST_POW_LIMIT, True, 6, p, CHALLENGE_WINDOW), sender)
    relay.anchor_epoch(EPOCH, BITS, START)
    span = 1_000_000
    new = next_bits(BITS, START, START + span, REGTEST_POW_LIMIT)
    boundary = (EPOCH + 1) * RETARGET_INTERVAL
    chain = SyntheticChain(start_height=boundary - p, bits=BITS, retargeting=False, seed=p)
    for i in range(p):
        chain.mine(time=START + span - (p - 1 - i) * 600, bits=BITS, txs=4_096 if i == 0 else 1)
    for i in range(max(p, challenge_post)):
        chain.mine(time=START + span + (i + 1) * 600, bits=new, txs=1)
    first = chain.block(boundary - p)
    assert len(first.branch) == 12
    relay.retarget(RetargetProof(chain.headers(boundary - p, 2 * p), first.coinbase, list(first.branch)))
    if challenge_post:
        relay.retarget(RetargetProof(chain.headers(boundary - p, p + challenge_post), first.coinbase, list(first.branch)))
    return relay, first


def _last_receipt(w3, sender):
    blk = w3.eth.get_block("latest", full_transactions=True)
    tx = [t for t in blk["transactions"] if t["from"] == sender.address][-1]
    return w3.eth.get_transaction_receipt(tx["hash"])


def index_gas(w3, sender):
    """A relay and an index (4 samples a period, k = 6) on a synthetic chain whose sample blocks
    hold 4,096 transactions (a 12-level coinbase branch); prove two periods, publish both."""
    start_height = 100 * RETARGET_INTERVAL
    chain = SyntheticChain(start_height=start_height, bits=BITS, retargeting=False, seed=12, start_time=19_700 * 86_400 + 3_600)
    first_period = start_height // PERIOD_BLOCKS
    samples = set(sample_heights(first_period, 4) + sample_heights(first_period + 1, 4))
    while chain.next_height < start_height + 4 * PERIOD_BLOCKS + 6:
        chain.mine(txs=4_096 if chain.next_height in samples else 2)
    relay = BitcoinRelayClient(w3, _deploy(sender, "BitcoinRelay", REGTEST_POW_LIMIT, False, 6, 20, CHALLENGE_WINDOW), sender)
    relay.anchor(chain.block(start_height).header, start_height)
    index = HashpriceIndexClient(w3, _deploy(sender, "HashpriceIndex", relay.address, first_period, 4, PROOF_WINDOW), sender)
    out = {}
    for period in (first_period, first_period + 1):
        for j, h in enumerate(sample_heights(period, 4)):
            blk = chain.block(h)
            proof = RewardProof(height=h, headers=chain.headers(h, 7), coinbase=blk.coinbase, branch=blk.branch)
            assert len(proof.branch) == 12
            index.submit(proof)
            if period == first_period and j in (0, 1):
                out["submit_first" if j == 0 else "submit_later"] = (_last_receipt(w3, sender), proof)
        index.publish(period)
        if period == first_period + 1:
            out["publish"] = (_last_receipt(w3, sender), _days_written(index, _last_receipt(w3, sender)))
    # a period whose last sample is never proven: publish it over 3 of 4 once its window passed
    for h in sample_heights(first_period + 2, 4)[:3] + sample_heights(first_period + 3, 4)[:1]:
        blk = chain.block(h)
        index.submit(RewardProof(height=h, headers=chain.headers(h, 7), coinbase=blk.coinbase, branch=blk.branch))
    w3.provider.make_request("evm_increaseTime", [PROOF_WINDOW])
    w3.provider.make_request("evm_mine", [])
    index.publish(first_period + 2)
    out["publish_partial"] = (_last_receipt(w3, sender), _days_written(index, _last_receipt(w3, sender)))
    est = w3.eth.estimate_gas({"to": relay.address, "data": relay.contract.functions.verify_reward(*out["submit_first"][1].args())._encode_transaction_data()})
    return out, est, out["submit_first"][1]


def _days_written(index, receipt) -> int:
    """Days a publication wrote (its DaysFinal events)."""
    return sum(e["args"]["end_day"] - e["args"]["first_day"] for e in index.contract.events.DaysFinal().process_receipt(receipt, errors=DISCARD))


def measure(w3, sender) -> dict:
    _, pin = retarget_gas(w3, sender, 50)
    r50 = _last_receipt(w3, sender)
    retarget_gas(w3, sender, 51)
    r51 = _last_receipt(w3, sender)
    retarget_gas(w3, sender, 50, challenge_post=60)
    challenge = _last_receipt(w3, sender)
    idx, est, proof = index_gas(w3, sender)
    return {"r50": r50, "r51": r51, "challenge": challenge, "pin": pin, "index": idx, "verify_estimate": est, "proof": proof}


def run(env) -> dict:
    """Harness entry point: the rows of `make bench` (with the LightRelay reference and floors)."""
    w3, sender = env.w3, env.sender(0)
    m = measure(w3, sender)
    r50, r51 = m["r50"], m["r51"]
    sha_header = sha_gas(80) + sha_gas(32)
    pin = m["pin"]
    sha_pin = sha_gas(len(pin.coinbase)) + sha_gas(32) + 12 * (sha_gas(64) + sha_gas(32))  # the coinbase's txid and its branch
    # a retarget writes the new epoch's word and its work (new slots) and the latest epoch (updated)
    f50 = floor_gas(w3, r50, sstore_new=2, sstore_update=1, extra=100 * sha_header + sha_pin)
    f51 = floor_gas(w3, r51, sstore_new=2, sstore_update=1, extra=102 * sha_header + sha_pin)
    per_header = (int(r51["gasUsed"]) - int(r50["gasUsed"])) // 2
    ch = m["challenge"]
    rows = {
        "retarget_50_headers_each_side": row(int(r50["gasUsed"]), REFERENCE["retarget_50_headers_each_side"], f50,
                                             note="pinned by the first header's coinbase, 12-level branch; pending for the challenge window"),
        "retarget_per_extra_header": row(per_header, REFERENCE["retarget_per_extra_header"], (f51 - f50) // 2),
        "retarget_challenge_50_plus_60": row(int(ch["gasUsed"]), None, floor_gas(w3, ch, sstore_update=2, extra=110 * sha_header + sha_pin),
                                             note="replaces the pending 50 + 50 proof (more work after the boundary)"),
    }
    proof = m["proof"]
    reward_sha = 7 * sha_header + sha_gas(len(proof.coinbase)) + sha_gas(32) + 12 * (sha_gas(64) + sha_gas(32))
    r_first, _ = m["index"]["submit_first"]
    r_later, _ = m["index"]["submit_later"]
    rows["reward_proof_k6_branch12_first_of_period"] = row(int(r_first["gasUsed"]), None, floor_gas(w3, r_first, sstore_new=1, extra=reward_sha),
                                                           note="HashpriceIndex.submit; stores a new period slot")
    rows["reward_proof_k6_branch12_later"] = row(int(r_later["gasUsed"]), None, floor_gas(w3, r_later, sstore_update=1, extra=reward_sha),
                                                 note="HashpriceIndex.submit; updates the period slot")
    rows["verify_reward_k6_branch12_estimate"] = row(int(m["verify_estimate"]), None, None, note="BitcoinRelay.verify_reward (view), eth_estimateGas")
    pub, days = m["index"]["publish"]
    assert days == 1
    rows["publish_period_one_day"] = row(int(pub["gasUsed"]), None, floor_gas(w3, pub, sstore_new=1, sstore_update=3, extra=2_600 + 2_100),
                                         note="cursor, values and the days' period updated, one day written; relay read (cold account + slot)")
    part, days = m["index"]["publish_partial"]
    rows["publish_period_partial_after_window"] = row(int(part["gasUsed"]), None, floor_gas(w3, part, sstore_new=days, sstore_update=3, extra=2_600 + 2_100),
                                                      note=f"3 of 4 samples, once its proof window passed (the window is in the cursor); {days} day(s) written")
    return {"gas": {"bitcoin": rows}}


def main() -> int:
    import json

    with bench_env() as env:
        res = run(env)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
