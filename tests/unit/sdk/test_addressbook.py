"""The address book: atomic, strict about what it reads, never silently overwritten."""

import json
import os

import pytest

from hashtrust.chain.addressbook import FORMAT, AddressBook, Entry
from hashtrust.errors import AddressBookError

ENTRY = Entry(
    name="TestWBTC",
    address="0x5FbDB2315678afecb367f032d93F642f64180aa3",
    contract_type="DevToken",
    block=1,
    deployer="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    tx="0x" + "11" * 32,
    code_hash="0x" + "22" * 32,
)


def test_record_then_reload(tmp_path):
    book = AddressBook(31337, tmp_path)
    book.record(ENTRY)
    again = AddressBook(31337, tmp_path)
    assert again.get("TestWBTC") == ENTRY
    assert again.address("TestWBTC") == ENTRY.address
    data = json.loads((tmp_path / "31337.json").read_text())
    assert data["format"] == FORMAT and data["chain_id"] == 31337
    assert data["contracts"]["TestWBTC"]["block"] == 1


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    book = AddressBook(31337, tmp_path)
    book.record(ENTRY)
    before = (tmp_path / "31337.json").read_text()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        book.record(Entry(**{**ENTRY.__dict__, "name": "TestUSD"}))
    assert (tmp_path / "31337.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["31337.json"]


def test_corrupt_file_is_a_clear_error_and_is_kept(tmp_path):
    (tmp_path / "31337.json").write_text('{"format": "hashtrust-deploy')
    with pytest.raises(AddressBookError, match="not valid JSON"):
        AddressBook(31337, tmp_path)
    assert (tmp_path / "31337.json").read_text() == '{"format": "hashtrust-deploy'


def test_foreign_file_is_refused(tmp_path):
    (tmp_path / "31337.json").write_text(json.dumps({"IdentityRegistry": "0x1234"}))
    with pytest.raises(AddressBookError, match="not a hashtrust address book"):
        AddressBook(31337, tmp_path)


def test_file_of_another_chain_is_refused(tmp_path):
    (tmp_path / "31337.json").write_text(json.dumps({"format": FORMAT, "chain_id": 1, "contracts": {}}))
    with pytest.raises(AddressBookError, match="belongs to chain 1"):
        AddressBook(31337, tmp_path)


def test_malformed_entry_is_refused(tmp_path):
    bad = {"format": FORMAT, "chain_id": 31337, "contracts": {"TestWBTC": {"address": "0x1"}}}
    (tmp_path / "31337.json").write_text(json.dumps(bad))
    with pytest.raises(AddressBookError, match="entry 'TestWBTC' is malformed"):
        AddressBook(31337, tmp_path)


def test_missing_contract_names_the_fix(tmp_path):
    book = AddressBook(5, tmp_path)
    with pytest.raises(AddressBookError, match="no IdentityRegistry recorded for chain 5.*deploy"):
        book.address("IdentityRegistry")
    assert not (tmp_path / "5.json").exists()
