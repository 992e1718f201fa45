"""The main job (`make demo`): deploy everything on the chosen network and report what happened.

    make demo                                   # starts/reuses the local devnet on :8545
    ape run demo --network ethereum:local:foundry
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import connect, one_line_errors, one_line_usage
from hashtrust.chain.devnet import require_devnet
from hashtrust.demo.run import run_demo


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias (default: test account 0 on local chains)")
@click.option("--out-dir", type=click.Path(file_okay=False), default=None, help="where the report and plots go (default: reports/)")
@one_line_errors
def cli(alias, out_dir):
    """Deploy (or reuse) hashtrust on this chain, run the whole job and print its report (local devnets only)."""
    from ape import networks

    require_devnet(networks.provider.web3, "the demo")  # before any account is chosen
    w3, sender, book = connect(alias)
    run_demo(w3, sender, book, echo=click.echo, out_dir=Path(out_dir) if out_dir else None)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
