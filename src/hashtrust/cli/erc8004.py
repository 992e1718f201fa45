"""Commands for ERC-8004 agents: register, rate, rank, show, and the validator agent."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hashtrust.cli.context import Ctx
from hashtrust.errors import HashtrustError


@click.group()
def agents() -> None:
    """Register, rate, rank and inspect ERC-8004 agents."""


@agents.command("register")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--window", default=32, show_default=True, help="transactions in flight")
@click.option("--no-progress", is_flag=True)
@click.pass_obj
def agents_register(obj: Ctx, path: str, window: int, no_progress: bool) -> None:
    """Register the agents of PATH (JSON or YAML) not yet registered by this account.

    Idempotent and resumable: an agent is recognised by its `hashtrust.key` metadata.
    """
    from hashtrust.erc8004.agents import format_table, register_agents_from_file

    outs = register_agents_from_file(obj.w3, obj.sender(), obj.book(), path, window=window, progress=not no_progress, log=click.echo)
    click.echo(format_table(outs))


@agents.command("rate")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="JSON rows (see examples/ratings.json)")
@click.option("--generate", "n_rows", type=int, default=0, help="generate this many rows with the seeded client-behaviour model")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--clients", "n_clients", type=int, default=20, show_default=True)
@click.option("--agents", "agent_ids", default="all", show_default=True, help='"1,2,3" or "all"')
@click.option("--window", type=int, default=64, show_default=True)
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help="file with one private key per client (default $HASHTRUST_CLIENT_KEYS; devnet: Anvil accounts 1000+k)")
@click.option("--no-progress", is_flag=True)
@click.pass_obj
def agents_rate(obj: Ctx, path: str | None, n_rows: int, seed: int, n_clients: int, agent_ids: str, window: int, client_keys: str | None, no_progress: bool) -> None:
    """Give every feedback row that is not on chain yet.

    Client k is the k-th key of --client-keys; on a local devnet without it, Anvil's public
    account 1000+k (refused on any other chain). On a local devnet the signer funds clients
    that run low; elsewhere nobody is funded (each client pays its own gas, checked first), so
    no signing key is needed."""
    from hashtrust.erc8004.identity import IdentityClient
    from hashtrust.erc8004.rating import (
        check_clients_not_owners,
        clients_from_option,
        generate_rows,
        load_rows,
        rate,
    )

    clients = clients_from_option(client_keys)
    clients.require_usable(obj.w3, "agents rate")
    book = obj.book()
    ident = IdentityClient.from_book(obj.w3, book)
    if path:
        rows = load_rows(path)
    elif n_rows:
        ids = list(range(1, ident.total_agents() + 1)) if agent_ids == "all" else [int(a) for a in agent_ids.split(",") if a]
        rows = generate_rows(seed, ids, n_clients, n_rows)
    else:
        raise HashtrustError("give --file or --generate N")
    check_clients_not_owners(ident, rows, clients=clients)
    from hashtrust.chain.devnet import not_a_devnet

    funder = obj.sender() if not_a_devnet(obj.w3) is None else None  # off a devnet nobody is funded: no signing key needed
    res = rate(obj.w3, funder, book, rows, window=window, progress=not no_progress, clients=clients, log=click.echo)
    click.echo(f"done: {res.sent} sent, {res.already_done} already on chain, {len(res.failed)} failed (of {res.total})")
    if res.failed:
        raise HashtrustError(f"{len(res.failed)} row(s) refused, first: {res.failed[0][0]}: {res.failed[0][1]}")


@agents.command("rank")
@click.argument("capability")
@click.option("--trusted", multiple=True, help="a trusted client address (repeatable)")
@click.option("--trusted-clients", type=int, default=0, help="trust rating clients 0..N-1 (of --client-keys; devnet: Anvil accounts 1000+k)")
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help="file with one private key per client (default $HASHTRUST_CLIENT_KEYS)")
@click.option("--tag1", default="", help="only feedback with this tag1")
@click.option("--tag2", default="", help="only feedback with this tag2")
@click.option("--min-count", default=1, show_default=True)
@click.pass_obj
def agents_rank(obj: Ctx, capability: str, trusted: tuple[str, ...], trusted_clients: int, client_keys: str | None, tag1: str, tag2: str, min_count: int) -> None:
    """Rank the agents offering CAPABILITY by reputation over the trusted clients."""
    from hashtrust.erc8004.discovery import rank, table
    from hashtrust.erc8004.identity import IdentityClient
    from hashtrust.erc8004.rating import clients_from_option
    from hashtrust.erc8004.reputation import ReputationClient

    book = obj.book()
    who = list(trusted)
    if trusted_clients:
        clients = clients_from_option(client_keys)
        clients.require_usable(obj.w3, "agents rank --trusted-clients")  # anyone can post as a public-key client
        who += [clients.address(k) for k in range(trusted_clients)]
    ranked = rank(IdentityClient.from_book(obj.w3, book), ReputationClient.from_book(obj.w3, book), capability, who, tag1=tag1, tag2=tag2, min_count=min_count)
    click.echo(table(ranked, min_count, capability=capability, n_trusted=len(who), tag1=tag1))


@agents.command("show")
@click.argument("agent_id", type=int)
@click.pass_obj
def agents_show(obj: Ctx, agent_id: int) -> None:
    """Owner, wallet and registration file of one agent."""
    from hashtrust.erc8004.identity import IdentityClient

    from hashtrust.chain.decode import display
    from hashtrust.erc8004.discovery import fetch_registration

    idc = IdentityClient.from_book(obj.w3, obj.book())
    a = idc.agent(agent_id)
    click.echo(f"agent    {a.agent_id}\nowner    {a.owner}\nwallet   {a.wallet}")
    try:
        reg = json.loads(fetch_registration(a.uri))
    except HashtrustError as exc:  # refused, unreachable, too large, ...: show the URI and why
        click.echo(f"uri      {display(a.uri, 300)}\n         (not read: {display(exc.problem if hasattr(exc, 'problem') else exc, 200)})")
        return
    except ValueError as exc:
        click.echo(f"uri      {display(a.uri, 300)}\n         (not JSON: {exc})")
        return
    click.echo(json.dumps(reg, indent=2))  # JSON escapes control characters: safe to print




@click.command()
@click.option("--check", "check_spec", default=None, help="module:function or file.py:function (default: recompute the payload hash)")
@click.option("--tag", default="hashtrust", show_default=True)
@click.option("--progressive", is_flag=True, help="answer without finalising")
@click.option("--answer-cancelled", is_flag=True, help="also answer requests their requester withdrew (the answer counts)")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--poll", type=float, default=2.0, show_default=True)
@click.option("--files-from", "files_from", default=None, type=click.Path(exists=True, file_okay=False), help="serve file: request URIs from this directory (default: local files are never read)")
@click.option("--allow-http", is_flag=True, help="also fetch plain http:// from non-loopback hosts")
@click.option("--ipfs-gateway", default=None, help="gateway for ipfs:// URIs (default $HASHTRUST_IPFS_GATEWAY or https://ipfs.io/ipfs/)")
@click.pass_obj
def validate(
    obj: Ctx,
    check_spec: str | None,
    tag: str,
    progressive: bool,
    answer_cancelled: bool,
    once: bool,
    poll: float,
    files_from: str | None,
    allow_http: bool,
    ipfs_gateway: str | None,
) -> None:
    """Run a validator agent: answer the validation requests addressed to this account."""
    from hashtrust.chain.fetch import FetchPolicy, Resolver
    from hashtrust.erc8004.validation import ValidationClient
    from hashtrust.erc8004.validator import ValidatorAgent, default_check, load_check

    policy = FetchPolicy(allow_http=allow_http, local_dir=Path(files_from) if files_from else None)
    if ipfs_gateway:
        policy = policy.with_(ipfs_gateway=ipfs_gateway)

    book = obj.book()
    entry = book.get("ValidationRegistry")
    agent = ValidatorAgent(
        ValidationClient.from_book(obj.w3, book, obj.sender()),
        load_check(check_spec) if check_spec else default_check,
        tag=tag,
        finalize=not progressive,
        fetch=Resolver(policy),
        from_block=entry.block if entry else 0,
        log=click.echo,
        answer_cancelled=answer_cancelled,
    )
    if once:
        click.echo(agent.run_once().summary())
    else:
        agent.run(poll=poll)
