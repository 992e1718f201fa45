"""New-user review 14: the vault's commands off the demo path and with bad input (FINDINGS.md).

Two devnets of our own (each test module's Anvil on a free port, `cli_world.start_world`):

- ``sale``: the plan deployed, carol (dev account 3) registers the operator agent, the deployer
  opens the term with `deploy_trust` (devnet terms, the bond posted by the deployer), alice
  (account 1) buys 100 TH/s; then the story moves through the term (tests run in file order).
- ``fresh``: the plan deployed and the operator agent registered, no trust yet, for
  `ape run operator deploy-trust` with bad terms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cli_world.py, script_runs.py

import pytest  # noqa: E402
from cli_world import start_world, stop_world  # noqa: E402
from script_runs import free_port  # noqa: E402

from hashtrust.chain import artifacts  # noqa: E402
from hashtrust.chain.accounts import devnet_signer  # noqa: E402
from hashtrust.chain.tx import TxSender  # noqa: E402
from hashtrust.deploy import VAULT_DEVNET, deploy  # noqa: E402
from hashtrust.erc8004.identity import IdentityClient  # noqa: E402
from hashtrust.hashrate.vault import HashrateVaultClient, PriceFeedClient, deploy_trust, ths_to_shares  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
APE = str(Path(sys.executable).with_name("ape"))
ADMIN, ALICE, BOB, CAROL, DAN = 0, 1, 2, 3, 4  # dev accounts; carol runs the operator agent, dan holds nothing
VALIDATORS = [devnet_signer(i).address for i in (6, 7, 8)]


def _token(wd, name):
    return wd.w3.eth.contract(address=wd.book.address(name), abi=artifacts.abi("DevToken"))


def _plan(tmp):
    wd = start_world(tmp, free_port())
    w3, book = wd.w3, wd.book
    s0 = TxSender(w3, devnet_signer(ADMIN))
    deploy(w3, s0, book)
    agent = IdentityClient.from_book(w3, wd.book, TxSender(w3, devnet_signer(CAROL))).register("ipfs://carol-mining-operator")
    return wd, s0, agent


def warp_to(wd, ts):
    wd.w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    wd.w3.provider.make_request("evm_mine", [])


def priced_past(wd, last: int, extra: int = 600) -> None:
    """The feed publishes before each epoch up to ``last`` ends; then time moves past ``last``'s end."""
    v = HashrateVaultClient.from_book(wd.w3, wd.book)
    s0 = TxSender(wd.w3, devnet_signer(ADMIN))
    feed = PriceFeedClient.from_book(wd.w3, wd.book, s0)
    for e in range(last + 1):
        end = v.epoch_end(e)
        if v.now() < end - 600:
            warp_to(wd, end - 600)
            feed.set_price(95_000)
    warp_to(wd, max(v.now() + 1, v.epoch_end(last) + extra))


@pytest.fixture(scope="module")
def sale(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("newuser14-sale")
    wd, s0, agent = _plan(tmp)
    wd.cli.env["HASHTRUST_LOCK_DIR"] = str(tmp / "locks")
    s0.transact(_token(wd, "TestWBTC").functions.mint(devnet_signer(ADMIN).address, 10**9))
    s0.transact(_token(wd, "TestUSD").functions.mint(devnet_signer(ALICE).address, 10**12))
    v = HashrateVaultClient.from_book(wd.w3, wd.book, s0)
    t = {k: VAULT_DEVNET[k] for k in ("quorum", "min_score", "difficulty", "sats_per_block", "bond_epochs")}
    deploy_trust(v, wd.book, agent_id=agent, validators=VALIDATORS, **t)
    HashrateVaultClient.from_book(wd.w3, wd.book, TxSender(wd.w3, devnet_signer(ALICE))).buy(ths_to_shares(100))
    yield wd
    stop_world(wd)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("newuser14-fresh")
    wd, s0, agent = _plan(tmp)
    s0.transact(_token(wd, "TestWBTC").functions.mint(devnet_signer(ADMIN).address, 10**9))
    wd.agent = agent
    yield wd
    stop_world(wd)


def _refused_and_unchanged(wd, *args: str):
    before = wd.state()
    r = wd.cli(*args)
    assert wd.state() == before, f"sent something: {r.out}"
    assert r.code != 0 and len(r.errors) == 1 and "Traceback" not in r.out, r.out
    return r


def _ape_deploy_trust(wd, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **wd.cli.env, "APE_FOUNDRY_HOST": wd.cli.rpc}
    cmd = [APE, "run", "operator", "deploy-trust", "--agent-id", str(wd.agent), "--validators", ",".join(VALIDATORS),
           *extra, "--network", "ethereum:local:foundry", "--account", f"TEST::{ADMIN}"]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- the sale (before the term)


# N2 (fixed): vault buy without the payment tokens sends an approve, then fails
def test_buy_without_the_usd_is_refused_before_sending(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(DAN), "vault", "buy", "--ths", "1")
    assert "USD" in r.errors[0], r.errors[0]  # names what is missing, not erc20's revert string


# N10 (fixed): vault buy --ths 0 answers in share units (1e18), not in the TH/s the user typed
def test_buy_zero_ths_is_refused_in_ths(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(ALICE), "vault", "buy", "--ths", "0")
    assert "share units" not in r.errors[0] and "TH/s" in r.errors[0], r.errors[0]


# N9 (fixed): vault record E before epoch E ends says '(ended <future date>)'
def test_record_of_a_future_epoch_does_not_say_ended(sale):
    r = sale.cli("vault", "record", "0")
    assert r.code == 0 and "epoch 0" in r.out, r.out
    assert "(ended" not in r.out.splitlines()[0], r.out  # "ends <date>": the epoch has not started yet


# ---------------------------------------------------------------- the term: reports, funding, claims


def test_operator_reports_epoch_0(sale):
    priced_past(sale, 1)
    r = sale.cli("--account-index", str(CAROL), "vault", "report", "--epoch", "0", "--delivered-ths", "100", "--gross-sats", "5000")
    assert r.code == 0 and "epoch 0: gross 5000" in r.out, r.out


# N8 (fixed): vault fund by a non-operator sends an approve, then 'caller is not the operator'
def test_fund_by_a_non_operator_is_refused_before_sending(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(ALICE), "vault", "fund", "--epoch", "0")
    assert "operator" in r.errors[0] and "reverted" not in r.errors[0], r.errors[0]


# N3 (fixed): a report rerun with other figures says 'already reported' and exits 0
def test_report_rerun_with_other_figures_is_an_error(sale):
    _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "report", "--epoch", "0", "--delivered-ths", "60", "--gross-sats", "9999")


# N4 (fixed): vault fund without the reward tokens sends an approve, then fails
def test_fund_without_the_wbtc_is_refused_before_sending(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "fund", "--epoch", "0")
    assert "erc20" not in r.errors[0], r.errors[0]  # says what carol holds and what the gross needs


def test_operator_funds_epoch_0(sale):
    TxSender(sale.w3, devnet_signer(ADMIN)).transact(_token(sale, "TestWBTC").functions.mint(devnet_signer(CAROL).address, 10**8))
    r = sale.cli("--account-index", str(CAROL), "vault", "fund", "--epoch", "0")
    assert r.code == 0 and "funded" in r.out, r.out
    priced_past(sale, 2)  # a day later: epoch 0's net has streamed to alice


# N5 (fixed): vault claim --for HOLDER --to ADDR ignores --to and pays the holder (exit 0)
def test_claim_for_with_to_is_refused(sale):
    alice, bob = devnet_signer(ALICE).address, devnet_signer(BOB).address
    _refused_and_unchanged(sale, "--account-index", str(DAN), "vault", "claim", "--for", alice, "--to", bob)


# ---------------------------------------------------------------- settlement


def _settled(wd) -> list[int]:
    out = []
    for e in range(8):
        r = wd.cli("vault", "record", str(e), "--json")
        assert r.code == 0, r.out
        if json.loads(r.out[r.out.index("{"):])["record"]["settled"]:
            out.append(e)
    return out


# N6 (fixed): settle-due / status count the vault's min cursor as the epochs settled (2 or 0..1 while 0..4 are)
def test_settle_due_counts_the_epochs_settled(sale):
    priced_past(sale, 7, extra=100)  # A(1) passed: epochs 0 (funded, unattested) and 1..4 (unfunded) due
    r = sale.cli("vault", "settle-due")
    assert r.code == 0 and r.out.count("settled (defaulted") == 5, r.out
    settled = _settled(sale)
    assert settled == [0, 1, 2, 3, 4], settled
    again = sale.cli("vault", "settle-due")
    assert again.code == 0 and "nothing due" in again.out, again.out
    status = sale.cli("vault", "status")
    assert f"{len(settled)} epochs settled" in again.out and "epochs 0..4 settled" in status.out, again.out + status.out


# ---------------------------------------------------------------- opening the term with bad terms


# N7 (fixed): deploy-trust with a difficulty the trust refuses says 'execution reverted (no reason)'
def test_deploy_trust_huge_difficulty_names_the_term(fresh):
    before = fresh.state()
    out = _ape_deploy_trust(fresh, "--difficulty", str(2**256 - 1))
    errors = [ln for ln in (out.stdout + out.stderr).splitlines() if ln.startswith("Error:")]
    assert fresh.state() == before and out.returncode != 0 and len(errors) == 1, out.stdout + out.stderr
    assert "difficulty" in errors[0] and "no reason" not in errors[0], errors[0]


# N1 (fixed): deploy-trust --sats-per-block 0 opens the term for good with a required bond of 0
def test_deploy_trust_zero_sats_per_block_is_refused(fresh):
    before = fresh.state()
    out = _ape_deploy_trust(fresh, "--sats-per-block", "0")
    errors = [ln for ln in (out.stdout + out.stderr).splitlines() if ln.startswith("Error:")]
    assert fresh.state() == before, f"sent something: {out.stdout}"
    assert out.returncode != 0 and len(errors) == 1 and "sats" in errors[0], out.stdout + out.stderr
