"""Deploy what is missing on the chosen network and record it in deployments/<chain_id>.json.

    ape run deploy --network ethereum:local:foundry          # the Anvil ape starts (thrown away)
    APE_FOUNDRY_HOST=http://127.0.0.1:8545 ape run deploy --network ethereum:local:foundry
    ape run deploy --network ethereum:sepolia:node --account deployer
    ape run deploy --fresh                                    # redeploy everything

The work is done by `hashtrust.deploy`; this file only lets ape choose network and account.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import connect, one_line_errors, one_line_usage
from hashtrust.deploy import deploy


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias (default: test account 0 on local chains)")
@click.option("--fresh", is_flag=True, help="redeploy every contract instead of reusing recorded ones")
@click.option("--only", multiple=True, help="deploy only these address-book names (and what they need)")
@one_line_errors
def cli(alias, fresh, only):
    """Deploy hashtrust's contracts (idempotent: reuses what is recorded and still on chain)."""
    w3, sender, book = connect(alias)
    click.echo(f"chain {book.chain_id}, deployer {sender.address}, address book {book.path}")
    outcomes = deploy(w3, sender, book, only=only or None, fresh=fresh, log=click.echo)
    n_new = sum(o.status != "reused" for o in outcomes)
    click.echo(f"{n_new} deployed, {len(outcomes) - n_new} reused")


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
