"""Vault claim and transfer gas against the number of epochs and the number of holders.

Claims must be O(1) (issue 5): the same claim and the same transfer cost the same gas after 1 or
1,000 epochs, in a vault with 1 or 10,000 holders. Two vaults, built with `benchmarks.vault_gas`'s
helpers (same parameters as its figures):

* **epochs**: probe holders (a claimer, a sender and a receiver per measured point) get shares
  and claim once after epoch 0; epochs 1..E are reported and funded; at E in 1, 10, 100, 1,000
  the stream is settled, the point's claimer claims and its sender transfers 1 TH/s to its
  receiver (every probe was last touched at epoch 0, so the measured call spans E epochs);
* **holders**: the vault grows to 1, 10, 100, 1,000, 10,000 holders (the smallest point is the
  big holder plus the probes, 16 with the full set; then transfers of 10 TH/s from the big holder
  to fresh addresses, sent as Anvil-signed batches); after a first funded epoch every probe has
  claimed once; at each size the point's probes claim (warm-up), one epoch is reported, funded
  and settled, then the probe claims and transfers. Every measured call therefore has the same storage transitions (non-zero accrual
  paid out, both transfer parties settled), and only history length or holder count differs.

``HASHTRUST_BENCH_EPOCHS`` / ``HASHTRUST_BENCH_HOLDERS`` cap the largest point (the e2e test uses
200 and 500; `make bench` the full 1,000 and 10,000).
"""

from __future__ import annotations

import os

import requests

from benchmarks import vault_gas as vg
from benchmarks.fill import derived_accounts, rpc_batch, send_presigned
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.tx import LocalSigner, TxSender, calldata

EPOCHS = (1, 10, 100, 1_000)
HOLDERS = (1, 10, 100, 1_000, 10_000)
TH = vg.TH
DELIVERED, GROSS = 100_000 * TH, 400_000_000


def _cap(points: tuple[int, ...], var: str) -> tuple[int, ...]:
    """The points up to the cap in ``var``, and the cap itself (e.g. 1, 10, 100, 200)."""
    cap = int(os.environ.get(var, points[-1]))
    return tuple(sorted({p for p in points if p <= cap} | {cap}))


def _setup(env, n_epochs: int, n_probes: int, salt: str):
    """A vault with a big holder (alice) and probe TxSenders; returns (op, vault, alice, probes)."""
    w3 = env.w3
    op = TxSender(w3, devnet_signer(0))
    wbtc, usd, feed, v_art = vg._deploy_env(w3, op, n_epochs)
    op.transact(wbtc.functions.mint(op.address, 10**18))
    v = vg._new_vault(w3, op, wbtc, usd, feed, v_art, n_epochs + 4)
    accts = derived_accounts(w3, env.rpc, 1 + n_probes, f"vault-{salt}")
    alice = accts[0]
    a = TxSender(w3, LocalSigner(alice))
    op.transact(usd.functions.mint(alice.address, 10**15))
    a.transact(usd.functions.approve(v.address, 2**256 - 1))
    a.transact(v.functions.buy(500_000 * TH, 2**256 - 1, alice.address))
    probes = [TxSender(w3, LocalSigner(p)) for p in accts[1:]]
    send_presigned(w3, env.rpc, [(alice, v.address, calldata(v.functions.transfer(p.address, 50 * TH))) for p in probes], gas=200_000)
    return op, v, alice, probes


def _after_stream(w3, v) -> None:
    """Move time past the current reward stream (if one is running)."""
    if v.functions.period_finish().call() >= int(w3.eth.get_block("latest")["timestamp"]):
        vg._after_stream(w3, v)


def _settle(w3, op, v) -> None:
    """Let the stream run out, settle every due epoch (a keeper's `settle_due`; the vault refuses
    share moves while epochs are overdue) and account the stream."""
    _after_stream(w3, v)
    vg.settle_all(op, v)
    op.transact(v.functions.checkpoint(op.address))


def _measure(v, claimer: TxSender, sender: TxSender, receiver: TxSender) -> tuple[int, int]:
    c = int(claimer.transact(v.functions.claim(claimer.address))["gasUsed"])
    t = int(sender.transact(v.functions.transfer(receiver.address, TH))["gasUsed"])
    return c, t


def _fast_epochs(env, op, v, first: int, last: int) -> None:
    """Report and fund epochs ``first..last``: one block per epoch, mined on demand at its end.

    The contract wants ``epoch_end(e) <= block.timestamp <= epoch_end(e) + REPORT_GRACE`` for both
    calls, and the report before the funding. With automine off, each epoch's report and fund
    (explicit consecutive nonces, signed by Anvil for its unlocked dev account 0, the operator)
    go to the pool in one batch and ``evm_mine`` seals them into one block stamped one second
    after the epoch's end: two round trips an epoch, no polling. Afterwards every receipt is
    checked (status 1, report and fund in the same block, in order) and the last epoch's status
    is read back from the contract.
    """
    w3, rpc = env.w3, env.rpc
    end0 = v.functions.epoch_end(0).call()
    day = v.functions.epoch_end(1).call() - end0
    round_id = vg._round_at(w3, v, first)  # the benchmark's feed publishes once: that round is in force at every end
    report = lambda e: calldata(v.functions.report_epoch(e, DELIVERED, GROSS, b"\x01" * 32, "ipfs://bafy-pool-report-epoch", round_id))  # noqa: E731
    fund = lambda e: calldata(v.functions.fund_epoch(e))  # noqa: E731
    session = requests.Session()
    nonce = w3.eth.get_transaction_count(op.address, "pending")
    ts = int(w3.eth.get_block("latest")["timestamp"])
    hashes: list[tuple[int, str, str]] = []
    rpc_batch(rpc, [("evm_setAutomine", [False])], session=session)
    try:
        for e in range(first, last + 1):
            ts = max(ts + 1, end0 + e * day + 1)
            txs = [{"from": op.address, "to": v.address, "data": data, "gas": hex(600_000), "nonce": hex(nonce + k)} for k, data in enumerate((report(e), fund(e)))]
            r, f = rpc_batch(rpc, [("eth_sendTransaction", [tx]) for tx in txs], session=session)
            rpc_batch(rpc, [("evm_mine", [ts])], session=session)
            nonce += 2
            hashes.append((e, r, f))
    finally:
        rpc_batch(rpc, [("evm_setAutomine", [True])], session=session)
    receipts = rpc_batch(rpc, [("eth_getTransactionReceipt", [h]) for _e, r, f in hashes for h in (r, f)], session=session)
    for (e, _r, _f), rr, fr in zip(hashes, receipts[0::2], receipts[1::2]):
        if rr is None or fr is None or int(rr["status"], 16) != 1 or int(fr["status"], 16) != 1:
            raise RuntimeError(f"vault scaling: epoch {e}: report {rr and rr['status']}, fund {fr and fr['status']}")
        if rr["blockNumber"] != fr["blockNumber"] or int(rr["transactionIndex"], 16) >= int(fr["transactionIndex"], 16):
            raise RuntimeError(f"vault scaling: epoch {e}: report and fund not in one block, in order")
    if v.functions.epochs(last).call()[0] != 2:  # EpochStatus.FUNDED
        raise RuntimeError(f"vault scaling: epoch {last} is not funded")
    op._nonce = None  # the SDK sender re-reads its nonce


def epochs_series(env) -> dict:
    w3 = env.w3
    points = _cap(EPOCHS, "HASHTRUST_BENCH_EPOCHS")
    op, v, _alice, probes = _setup(env, points[-1] + 1, 3 * len(points), "epochs")
    vg._epoch(w3, op, v, 0, DELIVERED, GROSS)
    _after_stream(w3, v)
    for p in probes:  # warm-up: every probe has claimed once, after epoch 0
        p.transact(v.functions.claim(p.address))
    claim, transfer = [], []
    k = 0
    done = 0
    for e in points:
        _fast_epochs(env, op, v, done + 1, e)
        done = e
        _settle(w3, op, v)
        c, t = _measure(v, *probes[3 * k : 3 * k + 3])
        claim.append({"epochs": e, "gas": c})
        transfer.append({"epochs": e, "gas": t})
        k += 1
    return {"claim": claim, "transfer": transfer}


def holders_series(env) -> dict:
    w3 = env.w3
    targets = _cap(HOLDERS, "HASHTRUST_BENCH_HOLDERS")
    op, v, alice, probes = _setup(env, len(targets) + 3, 3 * len(targets), "holders")
    base = 1 + len(probes)  # alice and the probes hold from the start
    points = sorted({max(t, base) for t in targets})
    # epoch 0 funded and streamed, every probe claims once: the measured claims below all take
    # the same storage transitions (accrual 0 -> paid, reward-per-share paid updated)
    vg._epoch(w3, op, v, 0, DELIVERED, GROSS)
    _after_stream(w3, v)
    for p in probes:
        p.transact(v.functions.claim(p.address))
    claim, transfer = [], []
    fresh = 0
    for k, target in enumerate(points):
        if target > base + fresh:
            new = list(range(fresh, fresh + target - base - fresh))
            txs = [(alice, v.address, calldata(v.functions.transfer(_addr(i), 10 * TH))) for i in new]
            send_presigned(w3, env.rpc, txs, gas=200_000)
            fresh += len(new)
        if fresh and any(v.functions.balanceOf(_addr(i)).call() != 10 * TH for i in (0, fresh - 1)):
            raise RuntimeError("vault scaling: a holder transfer did not land")
        trio = probes[3 * k : 3 * k + 3]
        _after_stream(w3, v)
        for p in trio:  # warm-up just before the measured epoch
            p.transact(v.functions.claim(p.address))
        vg._epoch(w3, op, v, k + 1, DELIVERED, GROSS)
        _settle(w3, op, v)
        c, t = _measure(v, *trio)
        claim.append({"holders": base + fresh, "gas": c})
        transfer.append({"holders": base + fresh, "gas": t})
    return {"claim": claim, "transfer": transfer}


def _addr(i: int) -> str:
    from web3 import Web3

    return Web3.to_checksum_address(Web3.keccak(text=f"hashtrust-bench-holder-{i}")[-20:])


def run(env) -> dict:
    """``{"scaling": {"vault": {"by_epochs": {...}, "by_holders": {...}}}}``."""
    return {"scaling": {"vault": {"by_epochs": epochs_series(env), "by_holders": holders_series(env)}}}
