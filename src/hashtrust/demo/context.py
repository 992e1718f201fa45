"""The demo's cast and shared context: who plays which role, and what every step works with.

Accounts are Anvil's dev mnemonic (`hashtrust.chain.accounts`): 0 deployer, 1 operator owner,
2-4 validator owners, 5-7 validator wallets (hot keys), clients from index 1,000, buyers from 2,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.artifacts import PROJECT_ROOT
from hashtrust.chain.tx import TxSender
from hashtrust.erc8004.identity import IdentityClient

AGENT_FILE = PROJECT_ROOT / "examples" / "agents.json"
REPORT_DIR = PROJECT_ROOT / "reports"


def report_dir() -> Path:
    """Where the demo writes its report: ``$HASHTRUST_REPORTS``, else ``reports/`` of the project."""
    import os

    return Path(os.environ.get("HASHTRUST_REPORTS") or REPORT_DIR)


OPERATOR_KEY = "hashrate-operator-1"
WATCHER_KEYS = ("pool-watcher-1", "pool-watcher-2", "pool-watcher-3")
OPERATOR_OWNER = 1
WATCHER_OWNERS = (2, 3, 4)
WATCHER_WALLETS = (5, 6, 7)
SEED = 8004
N_CLIENTS = 36
N_ROWS = 160
CAPABILITIES = ("code-review", "inference")
CREATED_AT = "2026-11-21T00:00:00Z"  # fixed: the request files (and their hashes) are the same on every rerun


@dataclass
class DemoContext:
    """What every demo step works with: the chain, the deployer, the address book, the report."""

    w3: Web3
    sender: TxSender  # the deployer
    book: AddressBook
    echo: Callable[[str], Any] = print
    progress: bool = True
    out_dir: Path = field(default_factory=report_dir)
    epochs: int = 30
    report: dict = field(default_factory=dict)
    _senders: dict[int, TxSender] = field(default_factory=dict)

    # ------------------------------------------------------------------ helpers
    def account(self, index: int) -> TxSender:
        """Sender for devnet account ``index`` (index 0 is the deployer's sender)."""
        if index == 0:
            return self.sender
        if index not in self._senders:
            self._senders[index] = TxSender(self.w3, devnet_signer(index))
        return self._senders[index]

    def fund(self, indexes: list[int], wei: int = 10**18) -> None:
        """Top up devnet accounts beyond Anvil's funded ten from the deployer."""
        low = [i for i in indexes if self.w3.eth.get_balance(self.account(i).address) < wei // 10]
        if low:
            self.sender.transact_many([{"to": self.account(i).address, "value": wei} for i in low], action="fund account")

    def identity(self, index: int = 0) -> IdentityClient:
        return IdentityClient.from_book(self.w3, self.book, self.account(index))
