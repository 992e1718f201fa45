"""`ape run operator open-term` bound the vault to whatever IdentityRegistry the address book
named, without the code check every SDK client makes (kept against its successor,
`ape run operator deploy-trust`, since the vault/trust split).

The trust contract fixes its identity registry at construction, and `set_trust` is once and for
all. The trust asks its identity registry who the operator agent's wallet is (who may report
epochs, `operator_wallet`) and whether a validator is independent. With the book's
IdentityRegistry entry pointed at a contract mallory controls (here the project's own settable
mock, which names mallory the agent's wallet), an unchecked `deploy-trust` would build the trust
on it and open the term: mallory would be the vault's operator for the whole term. A book "can be
edited or committed by someone else (public-chain books are meant to be shared)"
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
    nonce = w3.eth.get_transaction_count(devnet_signer(0).address)
    out = subprocess.run([APE, "run", "operator", "deploy-trust", "--agent-id", "1", "--validators", validators, "--network", url],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    after = AddressBook.for_chain(w3, books)  # the book the command used (it adopts the chain-id-named file since main's dba9e01)
    vault = HashrateVaultClient.from_book(w3, after)
    assert vault.trust() is None, f"the vault's term was opened with trust {vault.trust()} (mallory's registry: {fake}): {out.stdout.strip()[-200:]}"
    assert "VaultTrust" not in after and w3.eth.get_transaction_count(devnet_signer(0).address) == nonce  # nothing was sent
    assert out.returncode != 0 and "IdentityRegistry" in out.stdout + out.stderr
