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
    # no temp file left; the book's lock file (`hashtrust.chain.files.locked`) stays, empty (no holder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["31337.json", "31337.json.lock"]
    assert (tmp_path / "31337.json.lock").read_text() == ""


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


# ------------------------------------------------------------------ one book per chain (genesis)
G1, G2 = "0x" + "aa" * 32, "0x" + "bb" * 32


def test_dev_chains_with_one_chain_id_have_a_book_each(tmp_path):
    """Two Anvils both answer chain id 31337; a deployment recorded for one never touches the other's."""
    a = AddressBook(31337, tmp_path, genesis=G1, local=True)
    a.record(ENTRY)
    b = AddressBook(31337, tmp_path, genesis=G2, local=True)
    assert b.get("TestWBTC") is None and b.path != a.path
    b.record(Entry(**{**ENTRY.__dict__, "address": "0x" + "12" * 20}))
    assert AddressBook(31337, tmp_path, genesis=G1, local=True).address("TestWBTC") == ENTRY.address
    assert a.path == tmp_path / "local" / f"31337-{'aa' * 6}.json"
    assert json.loads(a.path.read_text())["genesis"] == G1


def test_real_network_book_refuses_a_chain_with_another_genesis(tmp_path):
    AddressBook(11155111, tmp_path, genesis=G1).record(ENTRY)
    before = (tmp_path / "11155111.json").read_text()
    with pytest.raises(AddressBookError, match="another chain with the same chain id"):
        AddressBook(11155111, tmp_path, genesis=G2)
    assert (tmp_path / "11155111.json").read_text() == before


class _Chain:
    """The few reads `AddressBook.for_chain` makes of a node."""

    def __init__(self, chain_id, genesis, client="anvil/v1.7.1", code=None):
        from web3 import Web3

        self.keccak = Web3.keccak
        self.client_version = client
        self._code = code or {}
        self.eth = type("Eth", (), {})()
        self.eth.chain_id = chain_id
        self.eth.get_block = lambda n: {"hash": bytes.fromhex(genesis[2:])}
        self.eth.get_code = lambda a: self._code.get(a, b"")


def test_a_legacy_devnet_book_moves_to_the_chain_whose_contracts_it_records(tmp_path):
    from web3 import Web3

    code = b"\x60\x00"
    entry = Entry(**{**ENTRY.__dict__, "code_hash": "0x" + Web3.keccak(code).hex().removeprefix("0x")})
    AddressBook(31337, tmp_path).record(entry)  # deployments/31337.json, as written before genesis keys
    other = AddressBook.for_chain(_Chain(31337, G2), tmp_path)  # a throwaway Anvil: the contract is not there
    assert other.get("TestWBTC") is None and (tmp_path / "31337.json").exists()
    mine = AddressBook.for_chain(_Chain(31337, G1, code={entry.address: code}), tmp_path)
    assert mine.get("TestWBTC") == entry and not (tmp_path / "31337.json").exists()
    assert mine.path == tmp_path / "local" / f"31337-{'aa' * 6}.json"


def test_a_fork_of_a_real_network_never_uses_the_real_networks_book(tmp_path):
    AddressBook(1, tmp_path, genesis=G1).record(ENTRY)
    fork = AddressBook.for_chain(_Chain(1, G1, client="anvil/v1.7.1"), tmp_path)
    assert fork.local and fork.get("TestWBTC") is None
    real = AddressBook.for_chain(_Chain(1, G1, client="Geth/v1.14.0"), tmp_path)
    assert not real.local and real.get("TestWBTC") == ENTRY


class _FlakyEth:
    """An ``eth`` whose first ``drops`` receipt reads lose their reply (the connection closes)."""

    def __init__(self, drops: int, receipt: dict):
        self.drops, self.receipt, self.reads = drops, receipt, 0

    def get_transaction_receipt(self, tx):
        import requests

        self.reads += 1
        if self.reads <= self.drops:
            raise requests.exceptions.ConnectionError("Remote end closed connection without response")
        return self.receipt


def _w3(eth):
    return type("W3", (), {"eth": eth})()


def test_deployment_check_reads_a_lost_receipt_reply_again():
    """A lost reply while the book's entry is checked against its deployment receipt is read
    again (CI: a proxy dropping one receipt reply stopped `register_agents` before it sent anything)."""
    from hashtrust.chain.addressbook import check_deployment

    good = {"contractAddress": ENTRY.address, "blockNumber": ENTRY.block, "from": ENTRY.deployer}
    eth = _FlakyEth(2, good)
    check_deployment(_w3(eth), ENTRY, where="TestWBTC")
    assert eth.reads == 3
    eth = _FlakyEth(2, dict(good, blockNumber=7))  # the check itself still judges what it read
    with pytest.raises(AddressBookError, match="deployed in block 7"):
        check_deployment(_w3(eth), ENTRY, where="TestWBTC")


def test_deployment_check_gives_up_on_a_node_that_stays_gone():
    import requests

    from hashtrust.chain.addressbook import check_deployment

    eth = _FlakyEth(99, {})
    with pytest.raises(requests.exceptions.ConnectionError):
        check_deployment(_w3(eth), ENTRY, where="TestWBTC")
    assert eth.reads == 5
