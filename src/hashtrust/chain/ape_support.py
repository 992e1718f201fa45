"""Bridge from ape (networks, accounts) to the SDK (web3.py + eth-account).

Scripts under ``scripts/`` are thin ape entry points: they let ape pick the network and the
account, then hand a web3 connection and a signer to the SDK, which does the work. What they
share is here: `connect`, `account_option`, `one_line_errors` (an SDK failure as one line) and
`one_line_usage` (a usage error as one line, as in ``hashtrust``: each script ends with ``one_line_usage(cli)``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click
from web3 import Web3

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.failures import INTERRUPTED, INTERRUPTED_EXIT, explain, one_line_usage  # noqa: F401 - one_line_usage: the scripts' usage errors
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.errors import HashtrustError


class ApeSigner:
    """Signs with an ape account (e.g. a keyfile alias) for the SDK's `TxSender`."""

    def __init__(self, account: Any):
        self.account = account
        self.address = Web3.to_checksum_address(account.address)

    def sign_transaction(self, tx: dict) -> bytes:
        from ape import networks

        fields = dict(tx)
        fields.setdefault("sender", self.address)
        txn = networks.provider.network.ecosystem.create_transaction(**fields)
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise RuntimeError(f"account {self.address} refused to sign")
        return bytes(signed.serialize_transaction())


def signer_for(account: Any) -> Any:
    """A fast in-memory signer for ape test accounts (they expose their key), else `ApeSigner`."""
    key = getattr(account, "private_key", None)
    if key:  # ape test accounts (their keys come from a public test mnemonic)
        return LocalSigner.from_key(key, devnet=type(account).__name__ == "TestAccount" or "test" in type(account).__module__)
    if hasattr(account, "set_autosign"):
        try:
            account.set_autosign(True)
        except Exception:  # noqa: BLE001 - autosign needs APE_ACCOUNTS_<alias>_PASSPHRASE
            pass
    return ApeSigner(account)


def default_account(w3: Web3, alias: str | None = None) -> Any:
    """Ape test account 0 on a local devnet, the ape account ``alias`` elsewhere (``TEST::n``,
    ape's test account n, only on a local devnet: its key is public)."""
    from ape import accounts

    from hashtrust.chain.devnet import not_a_devnet, require_devnet

    if alias:
        if alias.startswith("TEST::"):
            index = alias.split("::", 1)[1]
            if not index.isdigit() or int(index) >= 2**31:
                raise HashtrustError(f"--account {alias}: TEST::N needs a test account number N, like TEST::3")
            require_devnet(w3, f"--account {alias} (a public test key)", hint="pass --account <your ape alias>")
            return accounts.test_accounts[int(index)]
        known = list(accounts.aliases)
        if alias not in known:
            raise HashtrustError(
                f"--account {alias}: no ape account has this alias (known: {', '.join(known) or 'none'}); "
                f"create it with `ape accounts generate {alias}` or `ape accounts import {alias}`"
            )
        return accounts.load(alias)
    if not_a_devnet(w3) is None:
        return accounts.test_accounts[0]
    raise HashtrustError(f"{not_a_devnet(w3)}: pass --account <ape alias> (see `ape accounts list`)")


account_option = click.option("--account", "alias", default=None, help="ape account alias (default: test account 0 on local chains)")
"""The scripts' ``--account ALIAS`` option (passed to the command as ``alias``; see `connect`)."""


def one_line_errors(command: Callable) -> Callable:
    """Decorate a script's command so that an SDK error (`HashtrustError`) prints as one line
    (``Error: ...``, exit code 1) instead of a traceback. Put it under the click decorators."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            if os.environ.get("HASHTRUST_DEBUG"):
                raise
            click.echo(f"Error: {INTERRUPTED}", err=True)
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None
        except Exception as exc:  # noqa: BLE001 - every failure is one line (`hashtrust.chain.failures`)
            if os.environ.get("HASHTRUST_DEBUG"):
                raise
            raise click.ClickException(explain(exc)) from None

    return run


def started_by_ape() -> str | None:
    """The note to print when ape started a fresh Anvil at ``$APE_FOUNDRY_HOST`` (nothing
    answered there): a script meant for the long-running devnet is then on an empty chain."""
    from ape import networks

    host = os.environ.get("APE_FOUNDRY_HOST")
    if host and getattr(networks.provider, "process", None) is not None:
        return (
            f"nothing answered at APE_FOUNDRY_HOST={host}, so ape started a new, empty Anvil there "
            "(start the devnet first: `make devnet` or `hashtrust devnet start`)"
        )
    return None


_safe_w3: dict[str, Web3] = {}  # endpoint URL -> the SDK's capped connection to it


def sdk_web3() -> Web3:
    """The web3 the SDK works through for ape's connected provider.

    ape's own web3 is a plain ``HTTPProvider``: replies read whole, decoded by the standard
    ``json`` (a reply nested 150,000 deep kills the process), a timeout per socket read only (a
    node dripping its reply holds a script for ever). On an http(s) endpoint the SDK therefore
    talks to the same URL through `hashtrust.chain.provider.connect` (byte cap, one overall
    deadline, bounded decoding), as the ``hashtrust --rpc`` command line does (fourth review,
    finding 1). In-process chains (``ethereum:local:test``), IPC and websockets keep ape's."""
    from ape import networks

    from hashtrust.chain import provider
    from hashtrust.chain.devnet import endpoint

    w3: Web3 = networks.provider.web3
    uri = endpoint(w3)
    if not uri or not uri.lower().startswith(("http://", "https://")):
        return w3
    if uri not in _safe_w3:
        _safe_w3[uri] = provider.connect(uri)
    return _safe_w3[uri]


def connect(alias: str | None = None) -> tuple[Web3, TxSender, AddressBook]:
    """The connected provider's web3 (`sdk_web3`), a sender for the chosen account, and the
    chain's address book."""
    note = started_by_ape()
    if note:
        click.echo(f"note: {note}", err=True)
    w3 = sdk_web3()
    sender = TxSender(w3, signer_for(default_account(w3, alias)))
    return w3, sender, AddressBook.for_chain(w3)


class ApeEnv:
    """The `hashtrust.cli.erc8004.Env` of an ape script: ape's provider, the chain's address book
    and, only when a command sends, the ``--account``'s signer (a read needs no account, on any
    network)."""

    def __init__(self, alias: str | None):
        self.alias = alias
        self._book: AddressBook | None = None
        self._sender: TxSender | None = None
        self._noted = False

    def _note(self) -> None:
        if not self._noted:
            self._noted = True
            note = started_by_ape()
            if note:
                click.echo(f"note: {note}", err=True)

    @property
    def w3(self) -> Web3:
        self._note()
        return sdk_web3()

    @property
    def rpc(self) -> str:
        from ape import networks

        return str(getattr(networks.provider, "uri", "") or networks.provider.name)

    def book(self) -> AddressBook:
        if self._book is None:
            self._book = AddressBook.for_chain(self.w3)
        return self._book

    def sender(self) -> TxSender:
        if self._sender is None:
            self._sender = TxSender(self.w3, signer_for(default_account(self.w3, self.alias)))
        return self._sender


def test_signer(index: int) -> LocalSigner:
    """Signer for ape test account ``index`` (anvil's well-known dev keys)."""
    from ape import accounts

    return LocalSigner.from_key(accounts.test_accounts[index].private_key, devnet=True)
