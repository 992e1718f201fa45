"""Bridge from ape (networks, accounts) to the SDK (web3.py + eth-account).

Scripts under ``scripts/`` are thin ape entry points: they let ape pick the network and the
account, then hand a web3 connection and a signer to the SDK, which does the work. What they
share is here: `connect`, `account_option` and `one_line_errors`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from web3 import Web3

from hashtrust.chain.addressbook import AddressBook
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
            require_devnet(w3, f"--account {alias} (a public test key)", hint="pass --account <your ape alias>")
            return accounts.test_accounts[int(alias.split("::", 1)[1])]
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
        except HashtrustError as exc:
            raise click.ClickException(str(exc)) from None

    return run


def connect(alias: str | None = None) -> tuple[Web3, TxSender, AddressBook]:
    """The connected provider's web3, a sender for the chosen account, and the chain's address book."""
    from ape import networks

    w3: Web3 = networks.provider.web3
    cid = w3.eth.chain_id
    sender = TxSender(w3, signer_for(default_account(w3, alias)))
    return w3, sender, AddressBook(cid)


def test_signer(index: int) -> LocalSigner:
    """Signer for ape test account ``index`` (anvil's well-known dev keys)."""
    from ape import accounts

    return LocalSigner.from_key(accounts.test_accounts[index].private_key, devnet=True)
