"""An address book edited by hand is checked for the code behind each address, not for the rest
of what it says.

* ``block`` (where the contract was deployed; every log scan starts there) is taken as written.
  A book whose `IdentityRegistry` block is later than the owner's registrations (a copy from a
  colleague's machine, a merge, a typo) makes `agents register` miss every agent the owner
  already has and register the whole file again -- no error, double the gas, two agents per key.
  The book records the deployment transaction (``tx``); its receipt says where the contract
  was created and in which block.
* The registries are checked one by one, never against each other: a `ReputationRegistry` or
  `ValidationRegistry` that is genuine code but bound to another `IdentityRegistry` than the
  book's is accepted, so `agents rate` gives the user's feedback to agents of a registry the
  book does not name, and `agents rank` prints the book's names beside another registry's scores.
"""

from __future__ import annotations

import json

import pytest
from review_helpers import book_entry

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.agents import register_agents_from_file
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.errors import AddressBookError

AGENTS = {"agents": [
    {"key": f"agent-{i}", "registration": {"name": f"Agent {i}", "description": "does things",
                                           "services": [{"name": "MCP", "endpoint": f"https://a{i}.example/mcp", "skills": ["x"]}]}}
    for i in (1, 2, 3)
]}


def test_review_addressbook_block_edited_later_registers_everything_again(project, w3, chain, deployer, alice, tmp_path):
    idr = deployer.deploy(project.IdentityRegistry)
    book = AddressBook(w3.eth.chain_id, tmp_path / "book")
    book.record(book_entry(w3, "IdentityRegistry", idr))
    path = tmp_path / "agents.json"
    path.write_text(json.dumps(AGENTS))
    sender = TxSender(w3, LocalSigner.from_key(alice.private_key))
    first = register_agents_from_file(w3, sender, book, path, progress=False)
    assert [o.status for o in first] == ["registered"] * 3
    chain.mine(1)
    e = book.get("IdentityRegistry")
    edited = AddressBook(w3.eth.chain_id, tmp_path / "edited")  # the same book, its block edited to "now"
    edited.record(type(e)(**{**e.__dict__, "block": w3.eth.block_number}))
    ident = IdentityClient(w3, idr.address)
    before = ident.total_agents()
    try:
        again = register_agents_from_file(w3, sender, edited, path, progress=False)
    except AddressBookError:
        again = None  # refusing the book (its block is not where the contract was deployed) is fine too
    assert ident.total_agents() == before, f"the rerun registered {ident.total_agents() - before} agents again"
    if again is not None:
        assert [o.status for o in again] == ["already registered"] * 3


@pytest.mark.parametrize("client_cls", [ReputationClient, ValidationClient])
def test_review_addressbook_registries_of_another_identity_registry_are_refused(project, w3, deployer, tmp_path, client_cls):
    ours = deployer.deploy(project.IdentityRegistry)
    theirs = deployer.deploy(project.IdentityRegistry)
    other = deployer.deploy(getattr(project, client_cls.CONTRACT), theirs.address)  # genuine code, bound to `theirs`
    book = AddressBook(w3.eth.chain_id, tmp_path / "book")
    book.record(book_entry(w3, "IdentityRegistry", ours))
    book.record(book_entry(w3, client_cls.BOOK_NAME, other))
    with pytest.raises(AddressBookError) as err:
        client_cls.from_book(w3, book)
    assert "IdentityRegistry" in str(err.value) and other.address in str(err.value)
