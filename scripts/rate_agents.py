"""Rate agents in bulk from many client accounts (idempotent, resumable, pipelined).

    ape run rate_agents --file examples/ratings.json --network ethereum:local:foundry
    ape run rate_agents --generate 500 --seed 7 --clients 40 --agents all
    APE_FOUNDRY_HOST=http://127.0.0.1:8545 ape run rate_agents --generate 200 --network ethereum:local:foundry

Rows name clients by index: client k is devnet-mnemonic account 1000 + k (funded by the
--account when low). Killed or crashed? Run the same command again: rows already on chain are
recognised by their feedbackHash and skipped. The work is done by `hashtrust.rating`.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.ape_support import connect
from hashtrust.identity import IdentityClient
from hashtrust.rating import check_clients_not_owners, generate_rows, load_rows, rate


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="ape account that funds the clients (default: test account 0 on local chains)")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="JSON rows (see examples/ratings.json)")
@click.option("--generate", "n_rows", type=int, default=0, help="generate this many rows with the seeded behaviour model")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--clients", "n_clients", type=int, default=20, show_default=True, help="client accounts used by --generate")
@click.option("--agents", default="all", show_default=True, help='agent ids for --generate, e.g. "1,2,3", or "all"')
@click.option("--window", type=int, default=64, show_default=True, help="transactions in flight")
@click.option("--no-progress", is_flag=True)
def cli(alias, path, n_rows, seed, n_clients, agents, window, no_progress):
    """Give feedback for every row that is not on chain yet."""
    w3, sender, book = connect(alias)
    ident = IdentityClient.from_book(w3, book)
    if path:
        rows = load_rows(path)
    elif n_rows:
        ids = list(range(1, ident.total_agents() + 1)) if agents == "all" else [int(a) for a in agents.split(",") if a]
        rows = generate_rows(seed, ids, n_clients, n_rows)
    else:
        raise click.UsageError("give --file or --generate")
    check_clients_not_owners(ident, rows)
    res = rate(w3, sender, book, rows, window=window, progress=not no_progress, log=click.echo)
    click.echo(f"done: {res.sent} sent, {res.already_done} already on chain, {len(res.failed)} failed (of {res.total})")
    for rid, reason in res.failed[:20]:
        click.echo(f"  row {rid}: {reason}")
    if res.failed:
        raise SystemExit(1)
