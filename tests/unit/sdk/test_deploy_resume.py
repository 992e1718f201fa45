"""An interrupted deploy resumes: what a run sent and did not record is found, never sent twice.

`hashtrust.deploy.deploy` journals each deployment before it is sent (docs/reliability.md, "An
interrupted deploy resumes"). The real-node story (Ctrl-C while the receipt is awaited, then the
same `hashtrust deploy`) is tests/e2e/review/test_review_deploy_interrupted.py; here, on the
in-process chain, every other outcome of a journal entry.

    ape test tests/unit/sdk/test_deploy_resume.py --network ethereum:local:test
"""

from __future__ import annotations

import json

import pytest

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import Journal, create_address, deploy
from hashtrust.errors import HashtrustError


@pytest.fixture
def sender(w3, accounts):
    return TxSender(w3, LocalSigner.from_key(accounts[5].private_key))


def _interrupt(sender: TxSender, where: str, monkeypatch) -> None:
    """Ctrl-C once, at ``where``: "wait" (sent, receipt awaited) or "_send_raw" (journalled, not sent)."""
    real = getattr(sender, where)

    def once(*a, **k):
        monkeypatch.setattr(sender, where, real)
        raise KeyboardInterrupt

    monkeypatch.setattr(sender, where, once)


def test_a_deploy_interrupted_after_sending_is_found_and_recorded(w3, sender, tmp_path, monkeypatch):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    nonce = w3.eth.get_transaction_count(sender.address)
    _interrupt(sender, "wait", monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        deploy(w3, sender, book, only=["IdentityRegistry"])
    journal = Journal(book)
    assert set(journal.entries) == {"IdentityRegistry"} and journal.entries["IdentityRegistry"]["nonce"] == nonce
    assert "IdentityRegistry" not in book and w3.eth.get_code(create_address(sender.address, nonce))  # on chain, not recorded
    lines: list[str] = []
    out = deploy(w3, TxSender(w3, sender.signer), AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"], log=lines.append)
    assert w3.eth.get_transaction_count(sender.address) == nonce + 1  # nothing deployed twice
    assert out[0].address == create_address(sender.address, nonce) and out[0].status.startswith("deployed (by the interrupted run")
    again = AddressBook(w3.eth.chain_id, tmp_path).get("IdentityRegistry")
    assert again is not None and again.address == out[0].address and again.deployer == sender.address
    assert not journal.path.exists() and any(line.startswith("found") for line in lines)
    assert deploy(w3, sender, AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])[0].status == "reused"


def test_a_deploy_interrupted_before_sending_deploys_once_on_the_rerun(w3, sender, tmp_path, monkeypatch):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    nonce = w3.eth.get_transaction_count(sender.address)
    _interrupt(sender, "_send_raw", monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        deploy(w3, sender, book, only=["IdentityRegistry"])
    assert set(Journal(book).entries) == {"IdentityRegistry"} and w3.eth.get_transaction_count(sender.address) == nonce
    out = deploy(w3, TxSender(w3, sender.signer), AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])
    assert out[0].status == "deployed" and w3.eth.get_transaction_count(sender.address) == nonce + 1
    assert out[0].address == create_address(sender.address, nonce)  # the journalled nonce, used now by the one deployment
    assert not Journal(book).path.exists()


def test_a_journalled_deployment_over_another_dependency_is_not_adopted(w3, sender, tmp_path, monkeypatch):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    deploy(w3, sender, book, only=["IdentityRegistry"])
    _interrupt(sender, "wait", monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        deploy(w3, sender, book, only=["ReputationRegistry"])  # sent over this IdentityRegistry, not recorded
    interrupted = Journal(book).entries["ReputationRegistry"]
    out = deploy(w3, TxSender(w3, sender.signer), AddressBook(w3.eth.chain_id, tmp_path), only=["ReputationRegistry"], fresh=True)
    status = {o.name: o for o in out}
    assert status["IdentityRegistry"].status.startswith("redeployed")
    # its registry was redeployed: the interrupted ReputationRegistry points at the old one
    assert status["ReputationRegistry"].address != create_address(sender.address, interrupted["nonce"])
    assert status["ReputationRegistry"].status.startswith("redeployed") and not Journal(book).path.exists()


def test_an_unreadable_journal_stops_the_deploy_before_anything_is_sent(w3, sender, tmp_path):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    path = Journal(book).path
    path.write_text("{not json")
    nonce = w3.eth.get_transaction_count(sender.address)
    with pytest.raises(HashtrustError, match="deploy journal is unreadable"):
        deploy(w3, sender, book, only=["IdentityRegistry"])
    assert w3.eth.get_transaction_count(sender.address) == nonce and path.read_text() == "{not json"
    path.write_text(json.dumps({"format": "hashtrust-deploy-journal/1", "chain_id": 1, "deployments": {}}))
    with pytest.raises(HashtrustError, match="not a hashtrust-deploy-journal/1 journal of chain"):
        deploy(w3, sender, book, only=["IdentityRegistry"])
