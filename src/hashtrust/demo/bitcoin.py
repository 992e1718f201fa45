"""The demo's Bitcoin scene: the light relay replays real mainnet data (`examples/bitcoin/`).

1. The retarget at 554,400. A relay anchored at block 552,384 (epoch 274's first block, from the
   header file's ``epoch_start``) checks the 19 real headers 554,390-554,408 on chain: linked,
   each meeting its epoch's target, and the nBits from 554,400 on equal to Bitcoin's retarget rule
   from 552,384's and 554,399's times (0x1731d97c -> 0x17371ef4, difficulty 5,106,422,924,659).
   The same headers claimed one height off are refused. The file carries no coinbase, so nothing
   pins those heights and the relay does not record epoch 275 (`retarget` records an epoch only
   with a BIP34 coinbase pinning the boundary; `hashtrust relay sync` says so).
2. Block 776,166's reward. A relay anchored at epoch 385 by the block's nBits proves, from its
   real coinbase, merkle branch and the 5 headers after it, its BIP34 height and what it paid:
   631,067,024 sats = 625,000,000 subsidy + 6,067,024 fees.

The relays use k = 5 confirmations and P = 8 (what the data holds: 9 headers after 554,400 carry 8 headers of the old epoch's work), below the mainnet floors the
SDK enforces off a devnet. Idempotent: a rerun reuses the relays and sends nothing.
"""

from __future__ import annotations

from pathlib import Path

from hashtrust.bitcoin.consensus import RETARGET_INTERVAL, Header, difficulty, next_bits, target_from_bits
from hashtrust.bitcoin.files import load_coinbase, load_headers
from hashtrust.bitcoin.proofs import reward_proof_from_file
from hashtrust.bitcoin.relay import deploy_relay
from hashtrust.demo.context import DemoContext
from hashtrust.errors import RevertError

DATA = Path(__file__).resolve().parents[3] / "examples" / "bitcoin"
RETARGET_FILE = DATA / "headers_554390-554408_retarget.json"
REWARD_FILE = DATA / "coinbase_776166.json"
BOUNDARY = 554_400
CONFIRMATIONS, PROOF_LENGTH = 5, 8


def run(demo: DemoContext) -> dict:
    w3, book, echo = demo.w3, demo.book, demo.echo
    params = dict(network="mainnet", confirmations=CONFIRMATIONS, proof_length=PROOF_LENGTH)

    # -- 1. the retarget at 554,400, checked on chain
    hf = load_headers(RETARGET_FILE)
    relay, _ = deploy_relay(w3, demo.sender, book, name="Relay554400", **params)
    start_height, start_raw = hf.epoch_start
    if not relay.anchored():
        relay.anchor(start_raw, start_height)
    old = relay.epoch(start_height // RETARGET_INTERVAL)
    first = min(hf.headers)
    count = max(hf.headers) - first + 1
    chain = relay.validate_chain(hf.run(first, count), first)
    new_bits = Header.parse(hf.headers[BOUNDARY]).bits
    rule = next_bits(old.bits, old.start_time, Header.parse(hf.headers[BOUNDARY - 1]).time)
    try:
        relay.validate_chain(hf.run(first, count), first + 1)
        off = "accepted (a defect)"
    except RevertError as exc:
        off = f"refused ({exc.reason})"
    echo(f"   relay {relay.address}: anchored at block {start_height:,} (epoch {old.number}, nBits {old.bits:#010x}, difficulty {old.difficulty:,})")
    echo(f"   retarget at {BOUNDARY:,} checked on chain: {chain['headers']} real headers {first:,}-{first + count - 1:,} linked and meeting their targets; "
         f"nBits {old.bits:#010x} -> {new_bits:#010x} = Bitcoin's rule from blocks {start_height:,} and {BOUNDARY - 1:,} "
         f"(difficulty {difficulty(target_from_bits(new_bits)):,}); work {chain['work']:,} hashes")
    echo(f"   the same headers claimed one height later: {off}")
    echo(f"   not recorded: the file has no coinbase to pin the heights (the relay records a retarget only with a BIP34 coinbase)")

    # -- 2. block 776,166's reward, proven
    cf = load_coinbase(REWARD_FILE)
    proof = reward_proof_from_file(cf)
    head = Header.parse(cf.headers[0])
    relay2, _ = deploy_relay(w3, demo.sender, book, name="Relay776166", **params)
    epoch = cf.height // RETARGET_INTERVAL
    if not relay2.anchored():
        # block 776,160 (epoch 385's first) is not in the data; no proof inside the epoch reads its time
        relay2.anchor_epoch(epoch, head.bits, head.time)
    r = relay2.verify_reward(proof)
    echo(f"   relay {relay2.address}: anchored at epoch {epoch} by nBits {head.bits:#010x} (its first block is not in the data)")
    echo(f"   block {r.height:,} proven from its coinbase (BIP34 height), merkle branch ({len(proof.branch)} levels) and {r.confirmations} confirmations: "
         f"paid {r.paid:,} sats = subsidy {r.subsidy:,} + fees {r.fees:,}")
    return {
        "retarget": {"relay": relay.address, "boundary": BOUNDARY, "old_bits": old.bits, "new_bits": new_bits, "rule_bits": rule,
                     "difficulty": difficulty(target_from_bits(new_bits)), "headers": chain["headers"], "work": chain["work"], "one_off": off},
        "reward": {"relay": relay2.address, "height": r.height, "block_hash": r.block_hash, "paid": r.paid, "subsidy": r.subsidy, "fees": r.fees,
                   "confirmations": r.confirmations},
    }
