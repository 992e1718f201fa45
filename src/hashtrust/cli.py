"""The ``hashtrust`` command line: every capability of the scripts, without ape.

    hashtrust devnet start                 # a local Anvil on :8545 with its state kept in .devnet/
    hashtrust deploy                       # deploy what is missing, record it in deployments/<chain>.json
    hashtrust addresses                    # print the address book
    hashtrust --rpc https://... --private-key-env DEPLOYER_KEY deploy

Connection: ``--rpc`` (default ``$HASHTRUST_RPC`` or the local devnet). Signing: on a devnet,
``--account-index N`` picks Anvil's dev account N (default 0); elsewhere pass
``--private-key-env VAR`` naming an environment variable that holds the key.
Errors print one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

import click
from web3 import Web3

from hashtrust import devnet
from hashtrust.addressbook import AddressBook
from hashtrust.errors import HashtrustError
from hashtrust.tx import TxSender


@dataclass
class Ctx:
    rpc: str
    key_env: str | None
    account_index: int
    debug: bool
    _w3: Web3 | None = None
    _senders: dict[Any, TxSender] = field(default_factory=dict)

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            w3 = Web3(Web3.HTTPProvider(self.rpc, request_kwargs={"timeout": 30}))
            try:
                w3.eth.chain_id
            except Exception as exc:  # noqa: BLE001
                raise HashtrustError(f"cannot reach a node at {self.rpc} ({type(exc).__name__}); start one with `hashtrust devnet start` or pass --rpc") from None
            self._w3 = w3
        return self._w3

    @property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    def book(self) -> AddressBook:
        return AddressBook(self.chain_id)

    def sender(self, index: int | None = None) -> TxSender:
        """The sender for the chosen account (or devnet account ``index``)."""
        from hashtrust.accounts import devnet_signer, signer_from_env

        key = ("env", self.key_env) if self.key_env and index is None else ("dev", self.account_index if index is None else index)
        if key not in self._senders:
            if key[0] == "env":
                signer = signer_from_env(self.key_env)  # type: ignore[arg-type]
            else:
                if self.chain_id not in (31337, 1337):
                    raise HashtrustError(f"chain {self.chain_id} is not a devnet: pass --private-key-env VAR")
                signer = devnet_signer(int(key[1]))
            self._senders[key] = TxSender(self.w3, signer)
        return self._senders[key]


class _Group(click.Group):
    """Turns expected errors into one clear line (unless --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HashtrustError, ValueError) as exc:
            if "--debug" in sys.argv:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--rpc", default=lambda: os.environ.get("HASHTRUST_RPC", devnet.url()), show_default="$HASHTRUST_RPC or the local devnet", help="JSON-RPC endpoint")
@click.option("--private-key-env", "key_env", default=None, metavar="VAR", help="environment variable holding the signing key (real networks)")
@click.option("--account-index", default=0, show_default=True, help="devnet account to sign with (Anvil's dev mnemonic)")
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.pass_context
def main(ctx: click.Context, rpc: str, key_env: str | None, account_index: int, debug: bool) -> None:
    """hashtrust: ERC-8004 agent registries and a tokenized-hashrate vault."""
    ctx.obj = Ctx(rpc=rpc, key_env=key_env, account_index=account_index, debug=debug)


# ---------------------------------------------------------------------------- devnet
@main.group("devnet")
def devnet_cmd() -> None:
    """Start, stop or inspect the local Anvil devnet."""


@devnet_cmd.command("start")
def devnet_start() -> None:
    """Start the devnet (or report the one already running)."""
    click.echo(devnet.start())


@devnet_cmd.command("stop")
def devnet_stop() -> None:
    """Stop the devnet; its state stays in .devnet/state.json."""
    click.echo(devnet.stop())


@devnet_cmd.command("status")
def devnet_status() -> None:
    """Say whether a devnet answers, and at which block."""
    click.echo(devnet.status())


# ---------------------------------------------------------------------------- deploy
@main.command()
@click.option("--fresh", is_flag=True, help="redeploy everything instead of reusing recorded contracts")
@click.option("--only", multiple=True, help="deploy only these address-book names (and what they need)")
@click.pass_obj
def deploy(obj: Ctx, fresh: bool, only: tuple[str, ...]) -> None:
    """Deploy what is missing and record it in deployments/<chain_id>.json (idempotent)."""
    from hashtrust.deploy import deploy as do_deploy

    sender = obj.sender()
    book = obj.book()
    click.echo(f"chain {book.chain_id}, deployer {sender.address}, address book {book.path}")
    outcomes = do_deploy(obj.w3, sender, book, only=only or None, fresh=fresh, log=click.echo)
    n_new = sum(o.status != "reused" for o in outcomes)
    click.echo(f"{n_new} deployed, {len(outcomes) - n_new} reused")


@main.command()
@click.pass_obj
def addresses(obj: Ctx) -> None:
    """Print the address book of the connected chain."""
    book = obj.book()
    entries = book.entries()
    if not entries:
        raise HashtrustError(f"nothing recorded for chain {book.chain_id} in {book.path}; run `hashtrust deploy`")
    for name, e in sorted(entries.items()):
        click.echo(f"{name:<22} {e.address}  ({e.contract_type}, block {e.block})")


if __name__ == "__main__":
    main()
