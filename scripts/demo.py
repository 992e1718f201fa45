"""The main job (`make demo`): deploy everything on the chosen network and report what happened.

    make demo                                   # starts/reuses the local devnet on :8545
    ape run demo --network ethereum:local:foundry
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import connect, one_line_errors
from hashtrust.chain.devnet import require_devnet
from hashtrust.demo.run import run_demo


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias (default: test account 0 on local chains)")
@one_line_errors
def cli(alias):
    """Deploy (or reuse) hashtrust on this chain and print what was done (local devnets only)."""
    from ape import networks

    require_devnet(networks.provider.web3, "the demo")  # before any account is chosen
    w3, sender, book = connect(alias)
    run_demo(w3, sender, book, echo=click.echo)
