"""`ape run operator open-term` binds the vault to whatever IdentityRegistry the address book
names, without the code check every SDK client makes.

The command builds the vault and validation clients with `from_book` (code checked), but hands
``book.address("IdentityRegistry")`` and ``book.address("ReputationRegistry")`` to
`bind_agent` unchecked, and binding is once and for all. The vault asks its identity registry
who the operator agent's wallet is (who may report epochs) and whether a validator is
independent. With the book's IdentityRegistry entry pointed at a contract mallory controls (here
the project's own settable mock, which names mallory the agent's wallet), the admin's
`open-term` binds the vault to it: mallory is the vault's operator for the whole term. A book
"can be edited or committed by someone else (public-chain books are meant to be shared)"
(`AddressBook.verified_address`); the check must cover the addresses an irreversible action uses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook, Entry
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.hashrate.vault import HashrateVaultClient

ROOT = Path(__file__).resolve().parents[3]
APE = str(Path(sys.executable).with_name("ape"))


def test_review_open_term_refuses_an_identity_registry_the_book_cannot_vouch_for(review_node, tmp_path):
    url, w3 = review_node
    books = tmp_path / "book"
    deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook(w3.eth.chain_id, books))  # admin: devnet account 0
    mallory = TxSender(w3, devnet_signer(7))
    mock = artifacts.load("MockIdentityRegistry")
    fake = Web3.to_checksum_address(mallory.deploy(mock.abi, mock.bytecode)["contractAddress"])
    mallory.transact(w3.eth.contract(address=fake, abi=mock.abi).functions.setAgent(1, mallory.address, mallory.address))
    book = AddressBook(w3.eth.chain_id, books)
    real = book.get("IdentityRegistry")
    code = bytes(w3.eth.get_code(fake))
    book.record(Entry("IdentityRegistry", fake, "IdentityRegistry", real.block, real.deployer, real.tx,
                      "0x" + Web3.keccak(code).hex().removeprefix("0x")))  # the edit: address and code hash
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books), PYTHONPATH=str(ROOT / "src"))
    env.pop("APE_FOUNDRY_HOST", None)
    validators = ",".join(Web3.to_checksum_address(Web3.keccak(text=f"validator-{i}")[-20:]) for i in range(2))
    out = subprocess.run([APE, "run", "operator", "open-term", "--agent-id", "1", "--validators", validators, "--network", url],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    vault = HashrateVaultClient.from_book(w3, AddressBook.for_chain(w3, books))  # the book the command used (it adopts the chain-id-named file since main's dba9e01)
    bound = vault._view("agent_bound")
    assert not bound, f"the vault was bound to IdentityRegistry {vault._view('identity')} (mallory's contract: {fake}): {out.stdout.strip()[-200:]}"
    assert out.returncode != 0 and "IdentityRegistry" in out.stdout + out.stderr
