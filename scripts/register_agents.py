"""Register agents in bulk from a JSON or YAML agent file (idempotent, resumable, pipelined).

    ape run register_agents --network ethereum:local:foundry --file examples/agents.json
    APE_FOUNDRY_HOST=http://127.0.0.1:8545 ape run register_agents --network ethereum:local:foundry
    ape run register_agents --network http://127.0.0.1:8545 --file my-agents.yaml --window 64

``--file`` may also be one standard ERC-8004 registration file (the spec's JSON, as other tools
write it): it is registered (or, changed, updated) as one agent keyed by ``--key``.

The file is validated completely before any transaction (an error names the entry and the
field). Agents already registered by the account (recognised by their ``hashtrust.key``
metadata) are skipped, so a killed run can simply be rerun. The work is done by
`hashtrust.erc8004.agents`; this file only lets ape choose network and account.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import ApeEnv, account_option, one_line_errors, one_line_usage
from hashtrust.cli.context import json_option
from hashtrust.cli.erc8004 import register_path
from hashtrust.cli.params import WINDOW, AgentKey, Text


@click.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--file", "path", default="examples/agents.json", show_default=True, type=click.Path(dir_okay=False),
              help="an agent list (JSON/YAML) or one standard ERC-8004 registration file")
@click.option("--key", type=AgentKey(), default=None, help="a standard registration file: the agent's hashtrust.key (default: the file's name)")
@click.option("--uri", type=Text(8_192, nonempty=True), default=None, help="a standard registration file: where it is published")
@click.option("--window", type=WINDOW, default=32, show_default=True, help="transactions in flight before waiting for receipts")
@click.option("--no-progress", is_flag=True, help="no progress bar")
@json_option
@one_line_errors
def cli(alias, path, key, uri, window, no_progress, as_json):
    """Register the agents of an agent file (or one registration file) that are not registered yet."""
    env = ApeEnv(alias)
    if not as_json:
        click.echo(f"chain {env.book().chain_id}, owner {env.sender().address}, file {path}")
    register_path(env, path, key=key, uri=uri, window=window, progress=not no_progress, as_json=as_json)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
