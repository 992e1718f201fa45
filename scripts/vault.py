"""The hashrate vault from the command line (thin ape commands over `hashtrust.vault.VaultCommands`).

    ape run vault status                        --network ethereum:local:foundry
    ape run vault buy --ths 25                  --account TEST::1
    ape run vault report --epoch 0 --delivered-ths 98 --gross-sats 5000 --report-file pool.json
    ape run vault fund --epoch 0
    ape run vault claim [--for 0xHolder] [--to 0xReceiver]
    ape run vault settle-due [--n 16]
    ape run vault record --epoch 5
    ape run vault finalize --epoch 3

Use `APE_FOUNDRY_HOST=http://127.0.0.1:8545` with `--network ethereum:local:foundry` to talk to the
long-running devnet (`make demo` starts it); addresses come from deployments/<chain_id>.json.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import account_option, connect, one_line_errors, one_line_usage
from hashtrust.cli.params import ADDRESS, Number
from hashtrust.hashrate.vault import HashrateVaultClient, VaultCommands


def _commands(alias) -> VaultCommands:
    w3, sender, book = connect(alias)
    return VaultCommands(HashrateVaultClient.from_book(w3, book, sender), signer_option="--account" if alias else "")


@click.group()
def cli():
    """Buy, report, fund, claim and inspect the tokenized-hashrate vault."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@one_line_errors
def status(alias):
    """Print the vault's state (sale, term, fees, rewards) and the caller's position."""
    click.echo(_commands(alias).status())


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--ths", required=True, help="TH/s to buy (decimal)")
@click.option("--receiver", type=ADDRESS, default=None, help="who receives the shares (default: the buyer)")
@click.option("--max-payment", type=Number(int, 0, 2**256 - 1), default=None, help="slippage bound in payment-token units")
@one_line_errors
def buy(alias, ths, receiver, max_payment):
    """Buy TH/s shares in the primary sale (approves the payment token if needed)."""
    click.echo(_commands(alias).buy(ths, receiver=receiver, max_payment=max_payment))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--epoch", type=Number(int, 0, 2**256 - 1), required=True)
@click.option("--delivered-ths", required=True, help="average delivered TH/s over the epoch (decimal)")
@click.option("--gross-sats", type=Number(int, 0, 2**256 - 1), required=True)
@click.option("--report-file", type=click.Path(exists=True, dir_okay=False), default=None, help="pool report; its sha256 is the report hash")
@click.option("--uri", default="", help="where the pool report can be read")
@one_line_errors
def report(alias, epoch, delivered_ths, gross_sats, report_file, uri):
    """Report an ended epoch (operator) at the BTC/USD round in force at its end. Idempotent."""
    click.echo(_commands(alias).report(epoch, delivered_ths, gross_sats, report_file=report_file, uri=uri))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--epoch", type=Number(int, 0, 2**256 - 1), required=True)
@one_line_errors
def fund(alias, epoch):
    """Pay a reported epoch's gross reward (operator). Idempotent: a funded epoch is left alone."""
    click.echo(_commands(alias).fund(epoch))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--for", "holder", type=ADDRESS, default=None, help="claim on behalf of this holder (paid to the holder)")
@click.option("--to", "receiver", type=ADDRESS, default=None, help="pay the caller's own rewards here")
@one_line_errors
def claim(alias, holder, receiver):
    """Claim rewards (the caller's, or another holder's on its behalf)."""
    click.echo(_commands(alias).claim(holder, receiver))


@cli.command("settle-due", cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--n", "n", type=Number(int, 1, 64), default=16, show_default=True, help="most epochs to settle")
@one_line_errors
def settle_due(alias, n):
    """Settle every epoch whose record time has passed (anyone); sends nothing when none is due."""
    click.echo(_commands(alias).settle_due(n))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--epoch", type=Number(int, 0, 2**256 - 1), required=True)
@one_line_errors
def record(alias, epoch):
    """One epoch: its report, deadlines, record time and the trust's settlement."""
    click.echo(_commands(alias).record(epoch))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--epoch", type=Number(int, 0, 2**256 - 1), required=True)
@one_line_errors
def finalize(alias, epoch):
    """Finalise a funded, attested epoch (anyone). Idempotent."""
    click.echo(_commands(alias).finalize(epoch))


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
