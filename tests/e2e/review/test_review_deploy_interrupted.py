"""Ctrl-C during `hashtrust deploy`, then the same command again: the contract is deployed twice.

A deployment is recorded in the address book only after its receipt arrives. Interrupted
between the send and the receipt (on a real network that is the ~12 s a user waits for the
block; here the node mines at once and the receipt request is parked), the contract is on chain
but not in the book, and the rerun -- which neither settles the deployer's transactions nor
looks for what its own earlier run created -- deploys another one (the registries cost 2-4 M gas
each, the vault 5.7 M). The README says "an interrupted deploy resumes".
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from eth_utils import to_checksum_address
from rlp import encode as rlp_encode
from web3 import Web3

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import TxSender

ROOT = Path(__file__).resolve().parents[3]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))


def _create_address(deployer: str, nonce: int) -> str:
    return to_checksum_address(Web3.keccak(rlp_encode([bytes.fromhex(deployer[2:]), nonce]))[12:])


def test_review_deploy_interrupted_then_rerun_deploys_once(review_node, tmp_path):
    url, w3 = review_node
    key = "0x" + secrets.token_hex(32)
    deployer = Account.from_key(key).address
    TxSender(w3, devnet_signer(0)).transact({"to": deployer, "value": 10**19})
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(tmp_path / "book"), DEPLOYER_KEY=key)
    cmd = ["--private-key-env", "DEPLOYER_KEY", "deploy", "--only", "IdentityRegistry"]
    with FlakyRpcProxy(url) as proxy:
        hold = proxy.hold("eth_getTransactionReceipt", 1)  # the deployment is sent (and mined); its receipt is awaited
        proc = subprocess.Popen([HASHTRUST, "--rpc", proxy.url, *cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            hold.wait(120)
            proc.send_signal(signal.SIGINT)  # Ctrl-C
            proc.wait(60)
        finally:
            hold.release()
            if proc.poll() is None:
                proc.kill()
    assert w3.eth.get_transaction_count(deployer) == 1  # the first run's deployment is on chain
    first = _create_address(deployer, 0)
    assert w3.eth.get_code(first)
    again = subprocess.run([HASHTRUST, "--rpc", url, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    book = AddressBook.for_chain(w3, tmp_path / "book")  # a devnet: the genesis-keyed book the CLI writes (deployments/local/)
    assert w3.eth.get_transaction_count(deployer) == 1, f"the rerun deployed a second IdentityRegistry: {again.stdout.strip().splitlines()[-2:]}"
    assert book.address("IdentityRegistry") == first
