"""Deployment on a real Anvil: idempotent, resumable, honest about a reset chain.

Story: the deployer deploys everything; a rerun reuses it; when the chain forgets the
contracts (a devnet reset), the rerun notices and redeploys; --fresh redeploys on request;
and the `ape run deploy` script plus the devnet manager keep a chain across restarts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from script_runs import free_port
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import PLAN, deploy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sender(w3, deployer):
    return TxSender(w3, LocalSigner.from_key(deployer.private_key))


def test_deploy_then_reuse(w3, sender, tmp_path):
    book = AddressBook.for_chain(w3, tmp_path)
    first = deploy(w3, sender, book)
    assert [o.name for o in first] == [s.name for s in PLAN]
    assert all(o.status == "deployed" for o in first)
    for o in first:
        assert w3.eth.get_code(o.address) != b""
        e = book.get(o.name)
        assert e.deployer == sender.address and e.block > 0
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    assert wbtc.functions.decimals().call() == 8
    nonce = w3.eth.get_transaction_count(sender.address)
    second = deploy(w3, sender, AddressBook.for_chain(w3, tmp_path))
    assert [o.status for o in second] == ["reused"] * len(PLAN)
    assert [o.address for o in second] == [o.address for o in first]
    assert w3.eth.get_transaction_count(sender.address) == nonce  # nothing sent


def test_reset_chain_is_noticed_and_redeployed(w3, sender, tmp_path):
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    book = AddressBook.for_chain(w3, tmp_path)
    first = deploy(w3, sender, book)
    w3.provider.make_request("evm_revert", [snap])
    sender.settle()
    again = deploy(w3, sender, AddressBook.for_chain(w3, tmp_path))
    # steps whose constructor depends on a redeployed contract say so (e.g. the vault on its tokens)
    assert all(o.status.startswith(("redeployed: no code", "redeployed: a dependency was redeployed")) for o in again)
    assert any(o.status.startswith("redeployed: no code") for o in again)
    assert all(w3.eth.get_code(o.address) != b"" for o in again)
    assert {o.address for o in again} == {o.address for o in first}  # same nonces after the reset


def test_fresh_redeploys_everything(w3, sender, tmp_path):
    book = AddressBook.for_chain(w3, tmp_path)
    first = deploy(w3, sender, book)
    fresh = deploy(w3, sender, book, fresh=True)
    assert all(o.status == "redeployed: fresh deployment requested" for o in fresh)
    assert not {o.address for o in fresh} & {o.address for o in first}
    assert AddressBook.for_chain(w3, tmp_path).address("TestUSD") == next(o.address for o in fresh if o.name == "TestUSD")


def test_deploy_script_on_a_devnet_that_survives_a_restart(tmp_path):
    """`ape run deploy` against the project's long-running devnet, stopped and started again."""
    port, home, books = free_port(), tmp_path / "devnet", tmp_path / "deployments"
    env = {**os.environ, "APE_FOUNDRY_HOST": f"http://127.0.0.1:{port}", "HASHTRUST_DEPLOYMENTS": str(books)}
    cmd = [str(Path(sys.executable).with_name("ape")), "run", "deploy", "--network", "ethereum:local:foundry"]
    try:
        assert "devnet started" in devnet.start(port, home=home)
        assert "already running" in devnet.start(port, home=home)
        out1 = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out1.returncode == 0, out1.stdout + out1.stderr
        assert f"{len(PLAN)} deployed, 0 reused" in out1.stdout
        book_path = AddressBook.for_chain(Web3(Web3.HTTPProvider(devnet.url(port))), books).path
        book1 = json.loads(book_path.read_text())
        assert "stopped" in devnet.stop(home=home)
        assert devnet.chain_id(port) is None
        assert "state restored" in devnet.start(port, home=home)
        out2 = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out2.returncode == 0, out2.stdout + out2.stderr
        assert f"0 deployed, {len(PLAN)} reused" in out2.stdout
        assert json.loads(book_path.read_text()) == book1
    finally:
        devnet.stop(home=home)
