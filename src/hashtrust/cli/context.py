"""The command line's shared context: the node, the signer and the address book of one invocation,
and the two ways a read command prints (words, or ``--json``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click
from web3 import Web3

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.errors import HashtrustError

json_option = click.option("--json", "as_json", is_flag=True, help="print JSON (for scripts) instead of words")


@dataclass
class Ctx:
    rpc: str
    key_env: str | None
    account_index: int
    debug: bool
    expected_chain_id: int | None = None  # --chain-id / $HASHTRUST_CHAIN_ID: refuse a node serving another chain
    account_index_given: bool = False  # --account-index was on the command line (not the default 0)
    _w3: Web3 | None = None
    _book: AddressBook | None = None
    _senders: dict[Any, TxSender] = field(default_factory=dict)

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            from hashtrust.chain.provider import check_node, connect, rpc_url_problem
            from hashtrust.errors import InputError

            if (why := rpc_url_problem(self.rpc)) is not None:  # one line naming the option, not an "unexpected failure"
                raise InputError("--rpc", why)
            w3 = connect(self.rpc)  # replies capped and decoded safely (second review, finding 1)
            check_node(w3, self.rpc)  # one line naming the URL and its answer when it is not a node (finding 7)
            if self.expected_chain_id is not None and (served := w3.eth.chain_id) != self.expected_chain_id:
                from hashtrust.chain.failures import shown_url

                # before any address book or signer exists: a node that names another chain would
                # otherwise get transactions signed for that chain, which it can replay there
                raise InputError("--chain-id", f"the node at {shown_url(self.rpc)} serves chain {served}, not {self.expected_chain_id}; nothing was sent")
            self._w3 = w3
        return self._w3

    @property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    def book(self) -> AddressBook:
        """The address book of the connected chain (one per chain, told apart by genesis hash)."""
        if self._book is None:
            self._book = AddressBook.for_chain(self.w3)
        return self._book

    def sender(self, index: int | None = None) -> TxSender:
        """The sender for the chosen account: ``--private-key-env`` when given, else devnet
        account ``--account-index`` (or ``index``), which exists on a devnet only."""
        from hashtrust.chain.accounts import devnet_signer, signer_from_env

        key = ("env", self.key_env) if self.key_env and index is None else ("dev", self.account_index if index is None else index)
        if key not in self._senders:
            if key[0] == "env":
                signer = signer_from_env(self.key_env)  # type: ignore[arg-type]
            else:  # Anvil's public dev key: `TxSender` refuses it on anything but a local devnet
                from hashtrust.chain.devnet import require_devnet

                require_devnet(self.w3, f"--account-index {key[1]} (Anvil's public dev keys)", hint="pass --private-key-env VAR naming your key")
                signer = devnet_signer(int(key[1]))
            self._senders[key] = TxSender(self.w3, signer)
        return self._senders[key]

    @property
    def signer_option(self) -> str:
        """The option that chose the signer, as a refusal of the signer names it: the one the user
        gave (``--private-key-env`` or ``--account-index``), or "" for the default dev account 0."""
        if self.key_env:
            return "--private-key-env"
        return "--account-index" if self.account_index_given else ""

    def address(self) -> str:
        """The signing account's address (without building a sender)."""
        return self.sender().address


PRETTY_DEPTH = 8  # `emit` indents JSON nested at most this deep; deeper data is printed compact


def _depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests (lists and dicts), counted up to ``limit + 1``."""
    if limit < 0 or not isinstance(value, (list, tuple, dict)):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(v, limit - 1) for v in items), default=0)


def _json_default(value: Any) -> str:
    """What `emit` prints for a value JSON has no type for: a Decimal without an exponent
    (`hashtrust.chain.jsonsafe.plain_decimal`), anything else as ``str``."""
    from decimal import Decimal

    from hashtrust.chain.jsonsafe import plain_decimal

    return plain_decimal(value) if isinstance(value, Decimal) else str(value)


def emit(as_json: bool, data: Any, text: str | Callable[[], str]) -> None:
    """Print ``data`` as JSON (``--json``) or ``text`` (words).

    JSON is indented only when it nests at most `PRETTY_DEPTH` deep: indentation costs two
    spaces per level on every line, so a file someone else wrote (an agent's registration, 128
    levels deep) would print a hundred times its size (review finding 16); deeper data is
    printed compact, the size of the data."""
    if as_json:
        click.echo(json.dumps(data, indent=2 if _depth(data, PRETTY_DEPTH) <= PRETTY_DEPTH else None, default=_json_default))
    else:
        click.echo(text() if callable(text) else text)
