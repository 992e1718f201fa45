"""Second review, finding 5: two runs on the same address book at once (two terminals, a cron
job and a user) both deployed: each read the book, saw the contract missing, deployed its own and
wrote the book, the last write winning -- one deployment paid for and lost, and a book that
named whichever finished last.

Now a run holds a lock beside the book (``<book>.lock``, an flock the kernel drops when its
holder dies) for the whole deploy and for every write; a second run is refused at once with one
clear error saying that another run (its pid) holds the book, and sends nothing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.errors import HashtrustError


def test_a_second_deploy_on_the_same_book_is_refused_while_the_first_runs(w3, accounts, tmp_path, monkeypatch):
    first = TxSender(w3, LocalSigner.from_key(accounts[8].private_key))
    second = TxSender(w3, LocalSigner.from_key(accounts[9].private_key))
    parked, go = threading.Event(), threading.Event()
    real_wait = first.wait

    def slow_wait(*a, **k):  # the first run waits for its receipt (a real network's ~12 s)
        parked.set()
        assert go.wait(60)
        return real_wait(*a, **k)

    monkeypatch.setattr(first, "wait", slow_wait)
    results: dict[str, object] = {}

    def run_first():
        try:
            results["first"] = deploy(w3, first, AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            results["first"] = exc

    t = threading.Thread(target=run_first)
    t.start()
    try:
        assert parked.wait(60)
        nonce = w3.eth.get_transaction_count(second.address)
        with pytest.raises(HashtrustError, match=r"another run \(pid \d+\) holds the address book .*; wait for it to finish"):
            deploy(w3, second, AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])
        assert w3.eth.get_transaction_count(second.address) == nonce  # the second run sent nothing
    finally:
        go.set()
        t.join(60)
    out = results["first"]
    assert isinstance(out, list) and out[0].status == "deployed", out
    book = AddressBook(w3.eth.chain_id, tmp_path)
    assert book.get("IdentityRegistry").address == out[0].address and book.get("IdentityRegistry").deployer == first.address
    # once the first run is done, the next one runs (and reuses what the first recorded)
    assert deploy(w3, second, AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])[0].status == "reused"


def test_another_process_holding_the_book_is_named_and_its_death_frees_it(w3, accounts, tmp_path):
    book = AddressBook(w3.eth.chain_id, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from hashtrust.chain.addressbook import AddressBook
        with AddressBook({w3.eth.chain_id}, {str(tmp_path)!r}).locked():
            print("held", flush=True)
            time.sleep(120)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(HashtrustError, match=rf"another run \(pid {holder.pid}\) holds the address book {book.path}"):
            deploy(w3, TxSender(w3, LocalSigner.from_key(accounts[9].private_key)), book, only=["IdentityRegistry"])
    finally:
        holder.kill()
        holder.wait(30)
    # the holder died without unlocking: the kernel dropped its lock, nothing is stale
    out = deploy(w3, TxSender(w3, LocalSigner.from_key(accounts[9].private_key)), AddressBook(w3.eth.chain_id, tmp_path), only=["IdentityRegistry"])
    assert out[0].status == "deployed"
