"""Rank the agents offering a capability by reputation over clients you trust; prints a table.

    ape run rank_agents --capability summarize --trusted-clients 0-19 --tag1 starred
    ape run rank_agents --capability mcp --trusted 0xabc...,0xdef... --network ethereum:local:foundry

--trusted-clients names rating clients by index (client k = the k-th key of --client-keys, or on
a local devnet devnet account 1000 + k, as in rate_agents); --trusted takes addresses. The work is done by `hashtrust.erc8004.discovery`.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.ape_support import one_line_errors
from hashtrust.erc8004.discovery import rank, table
from hashtrust.erc8004.identity import IdentityClient, check_address
from hashtrust.erc8004.rating import clients_from_option
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.errors import InputError


def _indexes(spec: str) -> list[int]:
    """``"0-19,25"`` -> [0, 1, ..., 19, 25]."""
    out: list[int] = []
    try:
        for part in spec.split(","):
            if "-" in part:
                lo, hi = part.split("-", 1)
                if int(lo) > int(hi) or int(lo) < 0:
                    raise ValueError
                out.extend(range(int(lo), int(hi) + 1))
            elif part.strip():
                if int(part) < 0:
                    raise ValueError
                out.append(int(part))
    except ValueError:
        raise InputError("--trusted-clients", f'must be client indexes like "0-19,25", not {spec!r}') from None
    return out


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--capability", required=True, help="service name, skill or domain (e.g. summarize, MCP)")
@click.option("--trusted", default="", help="comma-separated client addresses")
@click.option("--trusted-clients", default="", help='rating-client indexes, e.g. "0-19,25"')
@click.option("--tag1", default="", help="only feedback with this tag1 (e.g. starred)")
@click.option("--tag2", default="")
@click.option("--min-count", type=int, default=1, show_default=True)
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help="file with one private key per client (default $HASHTRUST_CLIENT_KEYS)")
@one_line_errors
def cli(capability, trusted, trusted_clients, tag1, tag2, min_count, client_keys):
    """Print the agents offering CAPABILITY, best reputation first."""
    clients = [check_address(a.strip(), "--trusted") for a in trusted.split(",") if a.strip()]
    indexes = _indexes(trusted_clients)
    rating_clients = clients_from_option(client_keys) if indexes else None
    clients += [rating_clients.address(k) for k in indexes] if rating_clients else []
    if not clients:
        raise click.UsageError("give --trusted and/or --trusted-clients")
    from ape import networks

    w3 = networks.provider.web3
    if rating_clients is not None:
        rating_clients.require_usable(w3, "rank_agents --trusted-clients")  # anyone can post as a public-key client
    book = AddressBook(w3.eth.chain_id)  # read-only: no account needed
    ranked = rank(
        IdentityClient.from_book(w3, book), ReputationClient.from_book(w3, book), capability, clients, tag1=tag1, tag2=tag2, min_count=min_count
    )
    click.echo(f"agents offering {capability!r}, ranked over {len(clients)} trusted client(s)" + (f", tag1={tag1!r}" if tag1 else ""))
    click.echo(table(ranked, min_count))
