"""The main job: deploy (or reuse) everything and report it. Grows with the project."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web3 import Web3

from hashtrust.addressbook import AddressBook
from hashtrust.deploy import deploy
from hashtrust.tx import TxSender


def run_demo(w3: Web3, sender: TxSender, book: AddressBook, *, echo: Callable[[str], Any] = print) -> dict:
    """Run the demo against ``w3``; returns a machine-readable summary."""
    echo(f"== hashtrust demo on chain {book.chain_id} (block {w3.eth.block_number}), deployer {sender.address}")
    outcomes = deploy(w3, sender, book, log=lambda s: echo("  " + s))
    n_new = sum(o.status != "reused" for o in outcomes)
    echo(f"== {n_new} contract(s) deployed, {len(outcomes) - n_new} reused; address book: {book.path}")
    return {"chain_id": book.chain_id, "contracts": {o.name: {"address": o.address, "status": o.status} for o in outcomes}}
