"""Rank the agents offering a capability by reputation over clients you trust; prints a table.

    ape run rank_agents --capability summarize --trusted-clients 0-19 --tag1 starred
    ape run rank_agents --capability mcp --trusted 0xabc... --trusted 0xdef... --network ethereum:local:foundry

--trusted-clients names rating clients by index, the same syntax as ``hashtrust agents rank``:
``0-19`` is clients 0 to 19, ``20`` is client 20 alone, ``0-9,25`` both (client k = the k-th key
of --client-keys, or on a local devnet devnet account 1000 + k, as in rate_agents; at most 256
clients). --trusted takes addresses (repeatable, or comma-separated). Reading needs no account.
The work is done by `hashtrust.erc8004.discovery`.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import ApeEnv, one_line_errors, one_line_usage
from hashtrust.cli.context import json_option
from hashtrust.cli.erc8004 import ALLOW_LOOPBACK_HELP, MAX_SUMMARY_CLIENTS, rank_command
from hashtrust.cli.params import ADDRESS, IndexList, Number, Text


def _addresses(ctx, param, values):
    out = []
    for v in values:
        out += [ADDRESS.convert(a.strip(), param, ctx) for a in v.split(",") if a.strip()]
    return tuple(out)


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--capability", required=True, type=Text(64, nonempty=True), help="service name, skill or domain (e.g. summarize, MCP)")
@click.option("--trusted", multiple=True, callback=_addresses, help="trusted client addresses (repeatable, or comma-separated)")
@click.option("--trusted-clients", type=IndexList(MAX_SUMMARY_CLIENTS), default=None, help='rating-client indexes, e.g. "0-19,25"')
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help="file with one private key per client (default $HASHTRUST_CLIENT_KEYS)")
@click.option("--tag1", type=Text(32), default="", help="only feedback with this tag1 (e.g. starred)")
@click.option("--tag2", type=Text(32), default="")
@click.option("--min-count", type=Number(int, 1, 2**64), default=1, show_default=True)
@click.option("--allow-loopback", is_flag=True, help=ALLOW_LOOPBACK_HELP)
@click.option("--no-progress", is_flag=True)
@json_option
@one_line_errors
def cli(capability, trusted, trusted_clients, client_keys, tag1, tag2, min_count, allow_loopback, no_progress, as_json):
    """Print the agents offering CAPABILITY, best reputation first."""
    if not trusted and not trusted_clients:
        raise click.UsageError("give --trusted and/or --trusted-clients")
    rank_command(ApeEnv(None), capability, trusted, trusted_clients, tag1, tag2, min_count, progress=not no_progress, as_json=as_json,
                 client_keys=client_keys, allow_loopback=allow_loopback)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
