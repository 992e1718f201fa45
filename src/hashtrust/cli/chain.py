"""Commands for the chain itself: the local devnet, deployment and the address book."""

from __future__ import annotations

from decimal import Decimal

import click

from hashtrust.chain import devnet
from hashtrust.cli.context import Ctx, emit, json_option
from hashtrust.cli.params import ADDRESS, Number
from hashtrust.errors import HashtrustError


@click.group("devnet")
def devnet_cmd() -> None:
    """Start, stop, inspect or reset the local Anvil devnet (on the port of --rpc)."""


@devnet_cmd.command("start")
@click.pass_obj
def devnet_start(obj: Ctx) -> None:
    """Start the devnet (or report the one already running); refuses a second Anvil on its state file."""
    click.echo(devnet.start(devnet.port_of(obj.rpc)))


@devnet_cmd.command("stop")
@click.pass_obj
def devnet_stop(obj: Ctx) -> None:
    """Stop the devnet, wherever it listens; its state stays in .devnet/state.json."""
    devnet.port_of(obj.rpc)  # a non-local --rpc is a mistake worth saying, not a reason to stop the local devnet
    click.echo(devnet.stop())


@devnet_cmd.command("status")
@json_option
@click.pass_obj
def devnet_status(obj: Ctx, as_json: bool) -> None:
    """Say whether the devnet runs, where, and at which block."""
    port = devnet.port_of(obj.rpc)
    if as_json:
        emit(True, devnet.status_info(port), "")
    else:
        click.echo(devnet.status(port))


@devnet_cmd.command("url")
@json_option
@click.pass_obj
def devnet_url(obj: Ctx, as_json: bool) -> None:
    """Print the devnet's JSON-RPC URL (for APE_FOUNDRY_HOST=$(hashtrust devnet url))."""
    u = devnet.url(devnet.port_of(obj.rpc))
    emit(as_json, {"url": u}, u)


@devnet_cmd.command("reset")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@click.pass_obj
def devnet_reset(obj: Ctx, yes: bool) -> None:
    """Throw the devnet's chain away (state, clock, its address book) and start a new one."""
    port = devnet.port_of(obj.rpc)
    if not yes:
        if not click.get_text_stream("stdin").isatty():
            raise HashtrustError("devnet reset deletes the devnet's chain: pass --yes to confirm (stdin is not a terminal)")
        try:
            confirmed = click.confirm(f"delete the devnet's chain (state in {devnet.default_home()}) and start a new one?", default=False)
        except click.exceptions.Abort as exc:  # click turns Ctrl-C and a closed stdin at a prompt into "Aborted!"
            click.echo()  # end the prompt's line: the error is a line of its own
            if isinstance(exc.__context__, KeyboardInterrupt):  # one line, exit 130: nothing was being sent here
                from hashtrust.chain.failures import INTERRUPTED_EXIT, TERMINATED_EXIT, Terminated

                term = isinstance(exc.__context__, Terminated)
                click.echo(f"Error: devnet reset: interrupted ({'SIGTERM' if term else 'Ctrl-C'}) at the prompt: nothing was deleted", err=True)
                raise click.exceptions.Exit(TERMINATED_EXIT if term else INTERRUPTED_EXIT) from None
            raise HashtrustError("devnet reset: no answer (stdin closed): nothing was deleted") from None
        if not confirmed:
            raise HashtrustError("devnet reset: not confirmed: nothing was deleted")
    click.echo(devnet.reset(port))


# The faucet's options, shared with `ape run faucet` (scripts/faucet.py).
FAUCET_OPTIONS = (
    click.argument("address", type=ADDRESS),
    click.option("--eth", type=Number(Decimal, 0, 1_000_000), default=Decimal(10), show_default=True, help="ETH the account should hold at least (0: leave ETH alone)"),
    click.option("--usd", type=Number(Decimal, 0, 10**12), default=Decimal(100_000), show_default=True, help="test USD (TestUSD, 6 decimals) it should hold at least"),
    click.option("--wbtc", type=Number(Decimal, 0, 21_000_000), default=Decimal(1), show_default=True, help="test wBTC (TestWBTC, 8 decimals) it should hold at least"),
    json_option,
)


def faucet_options(fn):
    for deco in reversed(FAUCET_OPTIONS):
        fn = deco(fn)
    return fn


def run_faucet(w3, sender, book, address: str, eth: Decimal, usd: Decimal, wbtc: Decimal, as_json: bool) -> None:
    """``devnet faucet`` / ``ape run faucet``."""
    from hashtrust.chain.faucet import faucet

    res = faucet(w3, sender, book, address, eth=eth, usd=usd, wbtc=wbtc)
    emit(as_json, res.to_json(), res.text)


@devnet_cmd.command("faucet")
@faucet_options
@click.pass_obj
def devnet_faucet(obj: Ctx, address: str, eth: Decimal, usd: Decimal, wbtc: Decimal, as_json: bool) -> None:
    """Top ADDRESS up to at least these amounts of ETH (from the signing dev account), test USD and
    test wBTC (minted); sends only what is missing, so a rerun sends nothing. Devnets only."""
    run_faucet(obj.w3, obj.sender(), obj.book(), address, eth, usd, wbtc, as_json)


@click.command()
@click.option("--fresh", is_flag=True, help="redeploy everything instead of reusing recorded contracts")
@click.option("--only", multiple=True, help="deploy only these address-book names (and what they need)")
@click.pass_obj
def deploy(obj: Ctx, fresh: bool, only: tuple[str, ...]) -> None:
    """Deploy what is missing and record it in the chain's address book (idempotent)."""
    from hashtrust.deploy import deploy as do_deploy

    sender = obj.sender()
    book = obj.book()
    click.echo(f"chain {book.chain_id}, deployer {sender.address}, address book {book.path}")
    outcomes = do_deploy(obj.w3, sender, book, only=only or None, fresh=fresh, log=click.echo)
    n_new = sum(o.status != "reused" for o in outcomes)
    click.echo(f"{n_new} deployed, {len(outcomes) - n_new} reused")


@click.command()
@json_option
@click.pass_obj
def addresses(obj: Ctx, as_json: bool) -> None:
    """Print the address book of the connected chain."""
    book = obj.book()
    entries = book.entries()
    if not entries:
        raise HashtrustError(f"nothing recorded for chain {book.chain_id} in {book.path}; run `hashtrust deploy`")
    data = {
        "chain_id": book.chain_id,
        "genesis": book.genesis,
        "path": str(book.path),
        "contracts": {n: e.to_json() for n, e in sorted(entries.items())},
    }
    lines = [f"address book {book.path} (chain {book.chain_id}, genesis {book.genesis})"]
    lines += [f"{name:<22} {e.address}  ({e.contract_type}, block {e.block:,})" for name, e in sorted(entries.items())]
    emit(as_json, data, "\n".join(lines))
