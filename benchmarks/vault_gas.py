"""Gas of the hashrate vault, from real receipts on Anvil.

    python benchmarks/vault_gas.py                 # starts its own Anvil, prints JSON
    python benchmarks/vault_gas.py --epochs 100 --holders 500   # quicker

    python benchmarks/vault_gas.py --trust-only    # the trust layer's figures only (quick)

`figures(w3)` returns a dict: buy / transfer / report / fund / claim, and the O(1) checks --
a holder's first claim after 1 epoch vs after 1,000 epochs, and in a vault with 1 holder vs
10,000 holders (each figure is a first claim of a holder with a non-zero accrual, so the storage
transitions are the same and only the history length / holder count differs). Every vault is
opened with its `VaultTrust` (docs/design/vault-trust-split.md): the operator is the trust's
agent wallet, epochs are reported at the feed's round in force at their end, and due epochs are
settled as the term goes (`settle_due`), as a live vault's keepers would.

`trust_figures(w3)` measures the trust layer: deploying the trust, the bond, report and fund
through the live wallet check, finalisation (3 validators, quorum 2, the reputation post), a
plain transfer, a transfer that settles an epoch first, `settle_due` of a default and of a
finalised epoch, and the bond's release after the term.
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


def _registries(w3: Web3, op: TxSender):
    """Identity, validation and reputation registries, the operator agent registered by ``op``
    (its wallet) and three independent validators."""
    ida, vra, rra = (artifacts.load(n) for n in ("IdentityRegistry", "ValidationRegistry", "ReputationRegistry"))
    ident = w3.eth.contract(address=op.deploy(ida.abi, ida.bytecode)["contractAddress"], abi=ida.abi)
    valreg = w3.eth.contract(address=op.deploy(vra.abi, vra.bytecode, ident.address)["contractAddress"], abi=vra.abi)
    rep = op.deploy(rra.abi, rra.bytecode, ident.address)["contractAddress"]
    reg = op.transact(ident.functions.register("ipfs://operator"))
    agent = ident.events.Registered().process_receipt(reg)[0]["args"]["agentId"]
    vals = [TxSender(w3, LocalSigner.from_key(Web3.keccak(text=f"bench-validator-{i}"))) for i in range(3)]
    for s in vals:
        op.transact({"to": s.address, "value": 10 * 10**18})
    return ident, valreg, rep, agent, vals


def _dev_index(w3, op, term_start: int, n_epochs: int) -> str:
    """A `DevHashpriceIndex` with every UTC day of the term final (the steady state: each epoch
    priced from two final days; a late day adds a `latest()` call, docs/design/vault-reads-the-index.md §7)."""
    from hashtrust.hashrate.economics import Day, index_inputs

    art = artifacts.load("DevHashpriceIndex")
    idx = w3.eth.contract(address=op.deploy(art.abi, art.bytecode)["contractAddress"], abi=art.abi)
    first = term_start // DAY
    for d in range(first, (term_start + n_epochs * DAY) // DAY + 1):
        op.transact(idx.functions.publish(d, *index_inputs(Day(difficulty=150e12, btc_usd=95_000.0, avg_fees_btc=0.025))))
    return idx.address


def _new_vault(w3, op, wbtc, usd, feed, v_art, n_epochs, reg=None, *, out: dict | None = None, bond: int | None = None):
    """A vault whose sale runs for the next 10 minutes, opened with its trust (``reg``:
    `_registries`), the bond ``bond`` (default: `required_bond()`) posted by ``op``."""
    now = int(w3.eth.get_block("latest")["timestamp"])
    start = now + 600  # the sale: the next 10 minutes (the buys follow the deployment); later holders join by transfer
    args = (
        "Hashrate TH/s", "HASH", wbtc.address, usd.address, feed, 1_000_000, 15_000_000,
        start, start, start + n_epochs * DAY,  # term_start, sale_end (the sale ends before the term), term_end
        op.address, op.address,  # guardian, treasury
        (17_500, 50_000, 10_000, 1_000, op.address), (200_000, 500_000, 1_000_000, 3_000, op.address),
        3 * DAY, 10 * 365 * DAY, DAY,  # price age: one feed answer serves the whole benchmark
    )
    addr = op.deploy(v_art.abi, v_art.bytecode, *args)["contractAddress"]
    v = w3.eth.contract(address=addr, abi=v_art.abi)
    op.transact(wbtc.functions.approve(addr, 2**256 - 1))
    ident, valreg, rep, agent, vals = reg or _registries(w3, op)
    t_art = artifacts.load("VaultTrust")
    deployed = op.deploy(t_art.abi, t_art.bytecode, addr, ident.address, valreg.address, rep, agent, [s.address for s in vals], 2, 98,
                         150 * 10**12, 315_000_000, 7, _dev_index(w3, op, start, n_epochs), 200)
    t = w3.eth.contract(address=deployed["contractAddress"], abi=t_art.abi)
    op.transact(wbtc.functions.approve(t.address, 2**256 - 1))
    posted = op.transact(t.functions.post_bond(bond if bond is not None else t.functions.required_bond().call()))
    trust_set = op.transact(v.functions.set_trust(t.address))
    if out is not None:
        out["deploy_trust"], out["post_bond_first"], out["set_trust"] = deployed["gasUsed"], posted["gasUsed"], trust_set["gasUsed"]
    v.trust_contract = t  # the benchmark's handle on the vault's trust
    return v


def _round_at(w3, v, e) -> int:
    """The feed's round in force at epoch ``e``'s end (the benchmark's feed publishes once: its latest)."""
    feed = w3.eth.contract(address=v.functions.PRICE_FEED().call(), abi=artifacts.abi("PriceFeed"))
    return feed.functions.latestRoundData().call()[0]


def _epoch(w3, op, v, e, delivered, gross):
    end = v.functions.epoch_end(e).call()
    if int(w3.eth.get_block("latest")["timestamp"]) < end:
        _warp(w3, end + 1)
    r = op.transact(v.functions.report_epoch(e, delivered, gross, b"\x01" * 32, "ipfs://bafy-pool-report-epoch", _round_at(w3, v, e)))
    f = op.transact(v.functions.fund_epoch(e))
    return r["gasUsed"], f["gasUsed"]


def _settle(op, v) -> int | None:
    """Settle whatever is due (a keeper's call); the gas, or None when nothing was due."""
    f = v.functions
    u, a = f.cursors().call()
    n = f.N_EPOCHS().call()
    ts = int(op.w3.eth.get_block("latest")["timestamp"])
    if (u < n and ts > f.report_deadline(u).call()) or (a < n and ts > f.attest_deadline(a).call()):
        return op.transact(f.settle_due(64))["gasUsed"]
    return None


def settle_all(op, v) -> None:
    """Settle every due epoch (64 a transaction)."""
    while _settle(op, v) is not None:
        pass


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
        settle_all(op, vb)
    log(f"{epochs - 1} more epochs in {time.monotonic() - t0:.1f}s")
    settle_stream(vb)
    settle_all(op, vb)
    out[f"transfer_after_{epochs}_epochs"] = alice.transact(vb.functions.transfer(bob.address, TH))["gasUsed"]
    # carol last claimed before epoch 1: `epochs` funded epochs since
    out[f"claim_{n}_holders_{epochs}_epochs"] = carol.transact(vb.functions.claim(carol.address))["gasUsed"]
    out["epochs"] = epochs
    out["runtime_bytes"] = len(bytes(w3.eth.get_code(vb.address)))
    return out


def trust_figures(w3: Web3, *, log=lambda s: None) -> dict:
    """Gas of the trust layer (`VaultTrust` beside the vault): the trust's deployment, the bond,
    report and fund through the live agent-wallet check, finalisation (3 listed validators,
    quorum 2, the reputation feedback), a plain transfer, a transfer that settles an epoch
    first, `settle_due` of an unreported epoch (default, posted) and of a finalised one
    (compensation), and the bond's release after the term."""
    op = TxSender(w3, LocalSigner.from_key(DEV_KEY))
    alice = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-alice")))
    bob = TxSender(w3, LocalSigner.from_key(Web3.keccak(text="bench-bob")))
    for s in (alice, bob):
        op.transact({"to": s.address, "value": 10 * 10**18})
    wbtc, usd, feed, v_art = _deploy_env(w3, op, 3)
    op.transact(wbtc.functions.mint(op.address, 10**15))
    op.transact(usd.functions.mint(alice.address, 10**14))
    reg = _registries(w3, op)
    ident, valreg, rep, agent, vals = reg
    out: dict = {}
    v = _new_vault(w3, op, wbtc, usd, feed, v_art, 3, reg, out=out)
    t = v.trust_contract
    out["post_bond_topup"] = op.transact(t.functions.post_bond(1_000))["gasUsed"]
    alice.transact(usd.functions.approve(v.address, 2**256 - 1))
    alice.transact(v.functions.buy(100 * TH, 2**256 - 1, alice.address))
    out["report"], out["fund"] = _epoch(w3, op, v, 0, 95 * TH, 4_000_000)
    for s in vals[:2]:
        h = t.functions.request_hash(0, s.address).call()
        op.transact(valreg.functions.validationRequest(s.address, agent, "", h))
        s.transact(valreg.functions.validationResponseFor(agent, h, 100, "", b"\x00" * 32, "hashrate", True))
    out["finalize_epoch_3_listed_quorum_2"] = alice.transact(t.functions.finalize_epoch(0))["gasUsed"]
    out["transfer"] = alice.transact(v.functions.transfer(bob.address, TH))["gasUsed"]
    # epoch 1 is never reported: its record time is its report deadline; the first transfer after it settles it
    _warp(w3, v.functions.record_time(1).call() + 1)
    out["transfer_settling_1_default"] = alice.transact(v.functions.transfer(bob.address, TH))["gasUsed"]
    out["post_record_default"] = alice.transact(t.functions.post_record(1))["gasUsed"]  # settled without a post: anyone posts it
    # epoch 2 is never reported either: settled by settle_due (the default posted to the reputation registry)
    _warp(w3, v.functions.record_time(2).call() + 1)
    out["settle_due_1_default_posted"] = alice.transact(v.functions.settle_due(64))["gasUsed"]
    # epoch 0 (finalised, 95 of 100 TH/s delivered) settles at its attest deadline: the undelivered share
    _warp(w3, v.functions.record_time(0).call() + 1)
    out["settle_due_1_finalized_compensated"] = alice.transact(v.functions.settle_due(64))["gasUsed"]
    # after the term and the last attest deadline the cursors pass every epoch (nothing left to pay)
    _warp(w3, max(v.functions.TERM_END().call(), v.functions.attest_deadline(2).call()) + 1)
    out["settle_due_cursor_only"] = alice.transact(v.functions.settle_due(64))["gasUsed"]
    out["withdraw_bond"] = op.transact(t.functions.withdraw_bond())["gasUsed"]
    out["runtime_bytes"] = len(bytes(w3.eth.get_code(v.address)))
    out["trust_runtime_bytes"] = len(bytes(w3.eth.get_code(t.address)))
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
        # the trust's figures first, on a fresh chain: its steps are timed from its own deployment,
        # and a clock the long run has moved on would make its "plain" transfer settle an epoch
        trust = trust_figures(w3, log=log)
        res = {} if a.trust_only else figures(w3, epochs=a.epochs, holders=a.holders, log=log)
        res["trust"] = trust
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
