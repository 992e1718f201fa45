"""The pool-watcher validator agent from the command line (thin ape command over
`hashtrust.hashrate.pool_watcher`).

    ape run pool_watcher run --pool-file pool.json [--loop 60]   --account VALIDATOR

Answers (and finalises) every open validation request the hashrate vault's operator agent
addressed to this account, scoring the on-chain report against the pool file. Idempotent.
"""

import time

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import connect, one_line_errors, one_line_usage
from hashtrust.chain.decode import one_line
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.hashrate.operator import load_pool_report
from hashtrust.hashrate.pool_watcher import answer_requests
from hashtrust.hashrate.vault import HashrateVaultClient


@click.group()
def cli():
    """Validate the hashrate vault's epoch reports against a pool report."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias of the validator")
@click.option("--pool-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--loop", type=int, default=0, help="repeat every N seconds (0: one pass)")
@one_line_errors
def run(alias, pool_file, loop):
    """Answer the open requests addressed to this validator."""
    load_pool_report(pool_file)  # a malformed pool file stops here, before connecting
    w3, sender, book = connect(alias)
    v = HashrateVaultClient.from_book(w3, book, sender)
    val = ValidationClient.from_book(w3, book, sender)
    while True:
        failures: list[str] = []
        try:  # one pass's boundary: with --loop a failed pass is one line and the agent goes on
            verdicts = answer_requests(v, val, sender.address, load_pool_report(pool_file), log=failures.append)
        except Exception as exc:  # noqa: BLE001
            if not loop:
                raise
            failures, verdicts = [f"pass failed: {one_line(exc)}"], []
        for verdict in verdicts:
            click.echo(f"epoch {verdict.epoch}: {verdict.score} ({verdict.reason})")
        for line in failures:
            click.echo(line)
        if not loop:
            if failures:
                raise SystemExit(1)
            break
        time.sleep(loop)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
