"""Register agents in bulk from a JSON or YAML agent file (idempotent, resumable, pipelined).

    ape run register_agents --network ethereum:local:foundry --file examples/agents.json
    APE_FOUNDRY_HOST=http://127.0.0.1:8545 ape run register_agents --network ethereum:local:foundry
    ape run register_agents --network http://127.0.0.1:8545 --file my-agents.yaml --window 64

The file is validated completely before any transaction (an error names the entry and the
field). Agents already registered by the account (recognised by their ``hashtrust.key``
metadata) are skipped, so a killed run can simply be rerun. The work is done by
`hashtrust.erc8004.agents`; this file only lets ape choose network and account.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import connect, one_line_errors
from hashtrust.erc8004.agents import format_table, register_agents_from_file


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account alias (default: test account 0 on local chains)")
@click.option("--file", "path", default="examples/agents.json", show_default=True, type=click.Path(dir_okay=False))
@click.option("--window", default=32, show_default=True, help="transactions in flight before waiting for receipts")
@click.option("--no-progress", is_flag=True, help="no progress bar")
@one_line_errors
def cli(alias, path, window, no_progress):
    """Register the agents of an agent file that are not registered yet."""
    w3, sender, book = connect(alias)
    click.echo(f"chain {book.chain_id}, owner {sender.address}, file {path}")
    outcomes = register_agents_from_file(w3, sender, book, path, window=window, progress=not no_progress, log=click.echo)
    click.echo(format_table(outcomes))
