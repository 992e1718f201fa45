"""Gas of the hashrate vault, from real receipts on Anvil.

    python benchmarks/vault_gas.py                 # starts its own Anvil, prints JSON
    python benchmarks/vault_gas.py --epochs 100 --holders 500   # quicker

`figures(w3)` returns a dict: buy / transfer / report / fund / claim, and the O(1) checks --
a holder's first claim after 1 epoch vs after 1,000 epochs, and in a vault with 1 holder vs
10,000 holders (each figure is a first claim of a holder with a non-zero accrual, so the storage
transitions are the same and only the history length / holder count differs).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
from pathlib import Path

from eth_account import Account
from web3 import Web3

from hashtrust.chain import artifacts, devnet
from hashtrust.chain.tx import LocalSigner, TxSender

DAY = 86_400
TH = 10**18
# anvil's well-known dev key 0 (funded on every Anvil); the other actors are funded from it
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _warp(w3: Web3, ts: int) -> None:
    """Mine an empty block at ``ts`` (the SDK's preflight estimates against the latest block)."""
    w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    w3.provider.make_request("evm_mine", [])


def _deploy_env(w3: Web3, op: TxSender, n_epochs: int):
    tok = artifacts.load("DevToken")
    feed_art = artifacts.load("PriceFeed")
    v_art = artifacts.load("HashrateVault")
    wbtc = w3.eth.contract(address=op.deploy(tok.abi, tok.bytecode, "WBTC", "WBTC", 8)["contractAddress"], abi=tok.abi)
    usd = w3.eth.contract(address=op.deploy(tok.abi, tok.bytecode, "USD", "USDC", 6)["contractAddress"], abi=tok.abi)
    feed = op.deploy(feed_art.abi, feed_art.bytecode, 8, "BTC / USD", 95_000 * 10**8)["contractAddress"]
    return wbtc, usd, feed, v_art


def _new_vault(w3, op, wbtc, usd, feed, v_art, n_epochs):
    now = int(w3.eth.get_block("latest")["timestamp"])
    start = now + 600  # the sale: the next 10 minutes (the buys follow the deployment); later holders join by transfer
    args = (
        "Hashrate TH/s", "HASH", wbtc.address, usd.address, feed, 1_000_000, 15_000_000,
        start, start, start + n_epochs * DAY,  # term_start, sale_end (the sale ends before the term), term_end
        op.address, op.address, op.address,
        (17_500, 50_000, 10_000, 1_000, op.address), (200_000, 500_000, 1_000_000, 3_000, op.address),
        3 * DAY, 10 * 365 * DAY, DAY,  # price age: one feed answer serves the whole benchmark
    )
    addr = op.deploy(v_art.abi, v_art.bytecode, *args)["contractAddress"]
    v = w3.eth.contract(address=addr, abi=v_art.abi)
    op.transact(wbtc.functions.approve(addr, 2**256 - 1))
    return v


def _epoch(w3, op, v, e, delivered, gross):
    end = v.functions.epoch_end(e).call()
    if int(w3.eth.get_block("latest")["timestamp"]) < end:
        _warp(w3, end + 1)
    r = op.transact(v.functions.report_epoch(e, delivered, gross, b"\x01" * 32, "ipfs://bafy-pool-report-epoch"))
    f = op.transact(v.functions.fund_epoch(e))
    return r["gasUsed"], f["gasUsed"]


def _state(v, *senders, log):
    f = v.functions
    log(f"rps={f.reward_per_share().call()} last={f.last_update().call()} pf={f.period_finish().call()} " + " ".join(
        f"[{s.address[:6]} paid={f.reward_per_share_paid(s.address).call()} claimable={f.claimable(s.address).call()}]" for s in senders))


def _after_stream(w3, v):
    _warp(w3, v.functions.period_finish().call() + 1)


def figures(w3: Web3, *, epochs: int = 1_000, holders: int = 10_000, log=lambda s: None) -> dict:
    op = TxSender(w3, LocalSigner.from_key(DEV_KEY))
    alice = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-alice")))
    bob = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-bob")))
    for s in (alice, bob):
        op.transact({"to": s.address, "value": 100 * 10**18})
    wbtc, usd, feed, v_art = _deploy_env(w3, op, epochs)
    op.transact(wbtc.functions.mint(op.address, 10**15))
    for s in (alice, bob):
        op.transact(usd.functions.mint(s.address, 10**14))
    out: dict = {}

    def settle_stream(v):
        """Let the current stream run out and account it (so the measured call's global update is a no-op)."""
        _after_stream(w3, v)
        op.transact(v.functions.checkpoint(op.address))

    # ---- vault A: a single holder
    va = _new_vault(w3, op, wbtc, usd, feed, v_art, epochs + 4)
    alice.transact(usd.functions.approve(va.address, 2**256 - 1))
    out["buy_first_ever"] = alice.transact(va.functions.buy(100 * TH, 2**256 - 1, alice.address))["gasUsed"]
    _epoch(w3, op, va, 0, 100 * TH, 4_000_000)
    _after_stream(w3, va)
    out["claim_first_ever"] = alice.transact(va.functions.claim(alice.address))["gasUsed"]
    _epoch(w3, op, va, 1, 100 * TH, 4_000_000)
    settle_stream(va)
    out["claim_1_holder_1_epoch"] = alice.transact(va.functions.claim(alice.address))["gasUsed"]

    # ---- vault B: many holders, many epochs
    vb = _new_vault(w3, op, wbtc, usd, feed, v_art, epochs + 4)
    for s in (alice, bob):
        s.transact(usd.functions.approve(vb.address, 2**256 - 1))
    alice.transact(vb.functions.buy(200_000 * TH, 2**256 - 1, alice.address))
    out["buy_new_holder"] = bob.transact(vb.functions.buy(100 * TH, 2**256 - 1, bob.address))["gasUsed"]
    out["buy_existing_holder"] = bob.transact(vb.functions.buy(100 * TH, 2**256 - 1, bob.address))["gasUsed"]
    # late and carol hold and claim once before epoch 1, then stay untouched until their measured claim
    late = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-late-claimer")))
    carol = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-carol")))
    for s in (late, carol):
        op.transact({"to": s.address, "value": 10**18})
        alice.transact(vb.functions.transfer(s.address, 50 * TH))
    # holders: alice, bob, late, carol and holders-4 fresh addresses fed by alice
    fresh = [Account.from_key(Web3.keccak(text=f"holder-{i}")).address for i in range(max(0, holders - 4))]
    t0 = time.monotonic()
    rec = alice.transact_many((vb.functions.transfer(a, 10 * TH) for a in fresh), window=64)
    log(f"{len(fresh)} transfers to new holders in {time.monotonic() - t0:.1f}s")
    n = out["holders"] = len(fresh) + 4
    out["transfer_to_new_holder"] = rec[-1]["gasUsed"] if rec else None
    rep, fund = _epoch(w3, op, vb, 0, 100_000 * TH, 400_000_000)
    out["report_first"], out["fund_first"] = rep, fund
    out["transfer_during_stream"] = alice.transact(vb.functions.transfer(bob.address, TH))["gasUsed"]
    _after_stream(w3, vb)
    for s in (alice, bob, late, carol):  # warm-up claims
        s.transact(vb.functions.claim(s.address))
    rep, fund = _epoch(w3, op, vb, 1, 100_000 * TH, 400_000_000)
    out["report"], out["fund"] = rep, fund
    settle_stream(vb)
    # same storage transitions in both transfer measurements: both parties claimed before (accrued 0 -> >0)
    out["transfer_after_1_epoch"] = alice.transact(vb.functions.transfer(bob.address, TH))["gasUsed"]
    out[f"claim_{n}_holders_1_epoch"] = late.transact(vb.functions.claim(late.address))["gasUsed"]
    for s in (alice, bob):  # back to the same state as before the 1-epoch transfer (accrued 0)
        s.transact(vb.functions.claim(s.address))
    t0 = time.monotonic()
    for e in range(2, epochs + 1):
        _epoch(w3, op, vb, e, 100_000 * TH, 400_000_000)
    log(f"{epochs - 1} more epochs in {time.monotonic() - t0:.1f}s")
    settle_stream(vb)
    out[f"transfer_after_{epochs}_epochs"] = alice.transact(vb.functions.transfer(bob.address, TH))["gasUsed"]
    # carol last claimed before epoch 1: `epochs` funded epochs since
    out[f"claim_{n}_holders_{epochs}_epochs"] = carol.transact(vb.functions.claim(carol.address))["gasUsed"]
    out["epochs"] = epochs
    out["runtime_bytes"] = len(bytes(w3.eth.get_code(vb.address)))
    return out


def trust_figures(w3: Web3, *, log=lambda s: None) -> dict:
    """Gas of the trust extension: binding, validators, bond, report/fund through the live agent
    wallet check, finalisation (3 listed validators, quorum 2, reputation feedback), default, bond release."""
    op = TxSender(w3, LocalSigner.from_key(DEV_KEY))
    alice = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-alice")))
    vals = [TxSender(w3, LocalSigner.from_key(Web3.keccak(text=f"bench-validator-{i}"))) for i in range(3)]
    for s in (alice, *vals):
        op.transact({"to": s.address, "value": 10 * 10**18})
    wbtc, usd, feed, v_art = _deploy_env(w3, op, 3)
    op.transact(wbtc.functions.mint(op.address, 10**15))
    op.transact(usd.functions.mint(alice.address, 10**14))
    ida, vra, rra = (artifacts.load(n) for n in ("IdentityRegistry", "ValidationRegistry", "ReputationRegistry"))
    ident = w3.eth.contract(address=op.deploy(ida.abi, ida.bytecode)["contractAddress"], abi=ida.abi)
    valreg = w3.eth.contract(address=op.deploy(vra.abi, vra.bytecode, ident.address)["contractAddress"], abi=vra.abi)
    rep = op.deploy(rra.abi, rra.bytecode, ident.address)["contractAddress"]
    # the operator agent is registered by `oper` (its wallet); the vault admin is `op`
    oper = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-operator")))
    op.transact({"to": oper.address, "value": 10 * 10**18})
    op.transact(wbtc.functions.mint(oper.address, 10**15))
    reg = oper.transact(ident.functions.register("ipfs://operator"))
    agent = ident.events.Registered().process_receipt(reg)[0]["args"]["agentId"]
    v = _new_vault(w3, op, wbtc, usd, feed, v_art, 3)
    out: dict = {}
    out["bind_agent"] = op.transact(v.functions.bind_agent(ident.address, valreg.address, rep, agent, 2, 80, 150 * 10**12, 315_000_000))["gasUsed"]
    out["add_validator"] = [op.transact(v.functions.add_validator(s.address))["gasUsed"] for s in vals][-1]
    oper.transact(wbtc.functions.approve(v.address, 2**256 - 1))
    alice.transact(usd.functions.approve(v.address, 2**256 - 1))
    alice.transact(v.functions.buy(100 * TH, 2**256 - 1, alice.address))
    out["post_bond_first"] = oper.transact(v.functions.post_bond(10_000_000))["gasUsed"]
    out["post_bond_topup"] = oper.transact(v.functions.post_bond(1_000))["gasUsed"]
    _warp(w3, v.functions.epoch_end(0).call() + 1)
    out["report_bound"] = oper.transact(v.functions.report_epoch(0, 95 * TH, 4_000_000, b"\x01" * 32, "ipfs://bafy-pool-report-epoch"))["gasUsed"]
    out["fund_bound"] = oper.transact(v.functions.fund_epoch(0))["gasUsed"]
    for s in vals[:2]:
        h = v.functions.request_hash(0, s.address).call()
        oper.transact(valreg.functions.validationRequest(s.address, agent, "", h))
        s.transact(valreg.functions.validationResponseFor(agent, h, 100, "", b"\x00" * 32, "hashrate", True))
    out["finalize_epoch_3_listed_quorum_2"] = alice.transact(v.functions.finalize_epoch(0))["gasUsed"]
    _warp(w3, v.functions.epoch_deadline(1).call() + 1)
    out["declare_default_unreported"] = alice.transact(v.functions.declare_default(1))["gasUsed"]
    _warp(w3, v.functions.epoch_deadline(2).call() + 1)
    alice.transact(v.functions.declare_default(2))
    out["withdraw_bond"] = oper.transact(v.functions.withdraw_bond())["gasUsed"]
    out["runtime_bytes"] = len(bytes(w3.eth.get_code(v.address)))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=1_000)
    ap.add_argument("--holders", type=int, default=10_000)
    ap.add_argument("--rpc", default=None, help="use a running node instead of starting Anvil")
    ap.add_argument("--trust-only", action="store_true", help="only the trust extension's figures (quick)")
    a = ap.parse_args(argv)
    home = None
    if a.rpc:
        url = a.rpc
    else:
        home = Path(tempfile.mkdtemp(prefix="vault-bench-"))
        port = _free_port()
        devnet.start(port, home=home)
        url = devnet.url(port)
    try:
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
        log = lambda s: print(s, file=sys.stderr)  # noqa: E731
        res = {} if a.trust_only else figures(w3, epochs=a.epochs, holders=a.holders, log=log)
        res["trust"] = trust_figures(w3, log=log)
        print(json.dumps(res, indent=2))
    finally:
        if home is not None:
            devnet.stop(home=home)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def run(env) -> dict:
    """`make bench` entry point (benchmarks/harness.py): the vault's write costs.

    There is no reference for the vault (it is not part of ERC-8004), so rows carry our figure
    only. Claim and transfer against 1..1,000 epochs and 1..10,000 holders are in
    `benchmarks.vault_scaling`; here a small vault (2 epochs, 8 holders) gives every row once.
    """
    from benchmarks.harness import row

    fig = figures(env.w3, epochs=2, holders=8)
    rows = {k: row(int(v)) for k, v in fig.items() if k not in ("epochs", "holders", "runtime_bytes") and v is not None}
    return {"gas": {"vault": rows}, "sizes": {"HashrateVault": fig["runtime_bytes"]}}
