"""Rate agents in bulk from many client accounts (idempotent, resumable, pipelined).

    ape run rate_agents --file examples/ratings.json --network ethereum:local:foundry
    ape run rate_agents --generate 500 --seed 7 --clients 40 --agents all
    APE_FOUNDRY_HOST=http://127.0.0.1:8545 ape run rate_agents --generate 200 --network ethereum:local:foundry

Rows name clients by index: client k is the k-th key of --client-keys FILE (or of
$HASHTRUST_CLIENT_KEYS); without one, on a local devnet only, devnet-mnemonic account 1000 + k
(funded by the --account when low; refused on any other chain: those keys are public). Killed or crashed? Run the same command again: rows already on chain are
recognised by their feedbackHash and skipped. The work is done by `hashtrust.erc8004.rating`.

Bad input (a malformed rows file, an unknown option value, a client that controls the agent it
rates) ends the script with one line ``Error: ...`` and exit code 1 before anything is sent.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import connect, one_line_errors, one_line_usage
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.cli.params import WINDOW, Number
from hashtrust.erc8004.rating import (
    check_clients_not_owners,
    clients_from_option,
    generate_rows,
    load_rows,
    parse_agent_ids,
    rate,
)


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account that funds the clients (default: test account 0 on local chains)")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="JSON rows (see examples/ratings.json)")
@click.option("--generate", "n_rows", type=Number(int, 1, 1_000_000), default=None, help="generate this many rows with the seeded behaviour model")
@click.option("--seed", type=Number(int, 0, 2**63 - 1), default=1, show_default=True)
@click.option("--clients", "n_clients", type=Number(int, 1, 100_000), default=20, show_default=True, help="client accounts used by --generate")
@click.option("--agents", default="all", show_default=True, help='agent ids for --generate, e.g. "1,2,3", or "all"')
@click.option("--window", type=WINDOW, default=64, show_default=True, help="transactions in flight")
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help="file with one private key per client (default $HASHTRUST_CLIENT_KEYS)")
@click.option("--no-progress", is_flag=True)
@one_line_errors
def cli(alias, path, n_rows, seed, n_clients, agents, window, client_keys, no_progress):
    """Give feedback for every row that is not on chain yet."""
    if (path is None) == (n_rows is None):
        raise click.UsageError("give --file or --generate (one of them)")
    rows = load_rows(path) if path else None  # the whole file is checked before connecting
    ids = parse_agent_ids(agents)
    clients = clients_from_option(client_keys)
    w3, sender, book = connect(alias)
    clients.require_usable(w3, "rate_agents")
    ident = IdentityClient.from_book(w3, book)
    if rows is None:
        rows = generate_rows(seed, ids or list(range(1, ident.total_agents() + 1)), n_clients, n_rows)
    check_clients_not_owners(ident, rows, clients=clients)
    res = rate(w3, sender, book, rows, window=window, progress=not no_progress, clients=clients, log=click.echo)
    skipped = f", {len(res.conflicts)} skipped (row id already given with other content)" if res.conflicts else ""
    click.echo(f"done: {res.sent} sent, {res.already_done} already on chain{skipped}, {len(res.failed)} failed (of {res.total})")
    for rid, reason in res.failed[:20]:
        click.echo(f"  row {rid}: {reason}")
    if res.failed:
        raise SystemExit(1)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
