"""Second review, finding 4: a journalled deployment was adopted on weak evidence. `_recover`
took the deployer and nonce from the journal (a file anyone who can write beside the book can
edit) and checked only that the receipt created ``create_address(deployer, nonce)`` and that
the code *starts with* the artifact's runtime. So a journal entry naming an attacker's transaction
(its account, its nonce) made `deploy` record the attacker's IdentityRegistry as the user's; an entry
naming a ReputationRegistry built over another IdentityRegistry was adopted too (the constructor
arguments sit after the runtime, in immutables); and a transaction of another build was silently
dropped and deployed over.

Now a journalled deployment is adopted only when the chain shows this deployer created it with
exactly the creation input journalled before sending (this build's bytecode and these
constructor arguments); anything else that was mined stops the deploy with one clear
`AdoptionRefused`, nothing sent and nothing recorded.
"""

from __future__ import annotations

import pytest
from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import Journal, deploy
from hashtrust.errors import HashtrustError


@pytest.fixture
def me(w3, accounts):
    return TxSender(w3, LocalSigner.from_key(accounts[6].private_key))


@pytest.fixture
def attacker(w3, accounts):
    return TxSender(w3, LocalSigner.from_key(accounts[7].private_key))


def _deploy_raw(sender: TxSender, ctype: str, *args) -> tuple[dict, str]:
    art = artifacts.load(ctype)
    receipt = sender.deploy(art.abi, art.bytecode, *args)
    return receipt, Web3.to_hex(receipt["transactionHash"])


def _journal(book: AddressBook, name: str, record: dict) -> Journal:
    j = Journal(book)
    j.add(name, record)
    return j


def creation_input(abi: list, bytecode: str, *args) -> str:
    """What a deployment of ``bytecode`` with constructor ``args`` sends (worked out here, not by the SDK)."""
    from eth_abi import encode

    ctor = next((e for e in abi if e.get("type") == "constructor"), {"inputs": []})
    return bytecode + encode([i["type"] for i in ctor["inputs"]], list(args)).hex()


def _keccak(hexdata: str) -> str:
    return "0x" + Web3.keccak(hexstr=hexdata).hex().removeprefix("0x")


def test_an_attackers_contract_named_by_the_journal_is_refused(w3, me, attacker, tmp_path):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    receipt, tx = _deploy_raw(attacker, "IdentityRegistry")  # attacker's registry, same build
    theirs = Web3.to_checksum_address(receipt["contractAddress"])
    art = artifacts.load("IdentityRegistry")
    _journal(book, "IdentityRegistry", {"contract_type": "IdentityRegistry", "deployer": attacker.address, "nonce": int(w3.eth.get_transaction(tx)["nonce"]),
                                        "tx": tx, "depends": {}, "input_keccak": _keccak(creation_input(art.abi, art.bytecode))})
    nonce = w3.eth.get_transaction_count(me.address)
    with pytest.raises(HashtrustError, match=f"was sent by {attacker.address}, not by this deployer {me.address}: refusing to adopt the contract at {theirs}"):
        deploy(w3, me, book, only=["IdentityRegistry"])
    assert "IdentityRegistry" not in AddressBook(w3.eth.chain_id, tmp_path)
    assert w3.eth.get_transaction_count(me.address) == nonce  # nothing sent
    assert "IdentityRegistry" in Journal(book).entries  # left for the operator to look at


def test_a_deployment_over_other_constructor_arguments_is_refused(w3, me, attacker, tmp_path):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    deploy(w3, me, book, only=["IdentityRegistry"])
    other, _ = _deploy_raw(attacker, "IdentityRegistry")  # some other IdentityRegistry
    receipt, tx = _deploy_raw(me, "ReputationRegistry", other["contractAddress"])  # built over it, by me
    art = artifacts.load("ReputationRegistry")
    expected = creation_input(art.abi, art.bytecode, book.address("IdentityRegistry"))  # what this deploy would send
    _journal(book, "ReputationRegistry", {"contract_type": "ReputationRegistry", "deployer": me.address, "nonce": int(w3.eth.get_transaction(tx)["nonce"]),
                                          "tx": tx, "depends": {"IdentityRegistry": book.address("IdentityRegistry")}, "input_keccak": _keccak(expected)})
    nonce = w3.eth.get_transaction_count(me.address)
    with pytest.raises(HashtrustError, match="created with another creation input than the journal recorded before sending"):
        deploy(w3, me, book, only=["ReputationRegistry"])
    assert "ReputationRegistry" not in AddressBook(w3.eth.chain_id, tmp_path) and w3.eth.get_transaction_count(me.address) == nonce


def test_a_deployment_of_another_build_is_refused(w3, me, tmp_path):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    receipt, tx = _deploy_raw(me, "DevToken", "Not a registry", "NOPE", 6)  # another build under the registry's journal entry
    data = w3.eth.get_transaction(tx)["input"]
    _journal(book, "IdentityRegistry", {"contract_type": "IdentityRegistry", "deployer": me.address, "nonce": int(w3.eth.get_transaction(tx)["nonce"]),
                                        "tx": tx, "depends": {}, "input_keccak": "0x" + Web3.keccak(bytes(data)).hex().removeprefix("0x")})
    nonce = w3.eth.get_transaction_count(me.address)
    with pytest.raises(HashtrustError, match="deployed another build of IdentityRegistry than these sources"):
        deploy(w3, me, book, only=["IdentityRegistry"])
    assert "IdentityRegistry" not in AddressBook(w3.eth.chain_id, tmp_path) and w3.eth.get_transaction_count(me.address) == nonce


def test_the_deployers_own_interrupted_deployment_is_still_adopted(w3, me, tmp_path, monkeypatch):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    real = me.wait

    def interrupted(*a, **k):
        monkeypatch.setattr(me, "wait", real)
        raise KeyboardInterrupt

    monkeypatch.setattr(me, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        deploy(w3, me, book, only=["IdentityRegistry"])
    rec = Journal(book).entries["IdentityRegistry"]
    assert rec["input_keccak"].startswith("0x") and len(rec["input_keccak"]) == 66
    out = deploy(w3, TxSender(w3, me.signer), AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])
    assert out[0].status.startswith("deployed (by the interrupted run")
