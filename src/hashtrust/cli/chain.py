"""Commands for the chain itself: the local devnet, deployment and the address book."""

from __future__ import annotations

import click

from hashtrust.chain import devnet
from hashtrust.cli.context import Ctx
from hashtrust.errors import HashtrustError


@click.group("devnet")
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




@click.command()
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


@click.command()
@click.pass_obj
def addresses(obj: Ctx) -> None:
    """Print the address book of the connected chain."""
    book = obj.book()
    entries = book.entries()
    if not entries:
        raise HashtrustError(f"nothing recorded for chain {book.chain_id} in {book.path}; run `hashtrust deploy`")
    for name, e in sorted(entries.items()):
        click.echo(f"{name:<22} {e.address}  ({e.contract_type}, block {e.block})")
