"""Commands for ERC-8004 agents: register, rate, rank, show, and the validator agent."""

from __future__ import annotations

import json

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
@click.option("--no-progress", is_flag=True)
@click.pass_obj
def agents_rate(obj: Ctx, path: str | None, n_rows: int, seed: int, n_clients: int, agent_ids: str, window: int, no_progress: bool) -> None:
    """Give every feedback row that is not on chain yet (clients are devnet accounts 1000+k)."""
    from hashtrust.erc8004.identity import IdentityClient
    from hashtrust.erc8004.rating import (
        check_clients_not_owners,
        generate_rows,
        load_rows,
        rate,
    )

    book = obj.book()
    ident = IdentityClient.from_book(obj.w3, book)
    if path:
        rows = load_rows(path)
    elif n_rows:
        ids = list(range(1, ident.total_agents() + 1)) if agent_ids == "all" else [int(a) for a in agent_ids.split(",") if a]
        rows = generate_rows(seed, ids, n_clients, n_rows)
    else:
        raise HashtrustError("give --file or --generate N")
    check_clients_not_owners(ident, rows)
    res = rate(obj.w3, obj.sender(), book, rows, window=window, progress=not no_progress, log=click.echo)
    click.echo(f"done: {res.sent} sent, {res.already_done} already on chain, {len(res.failed)} failed (of {res.total})")
    if res.failed:
        raise HashtrustError(f"{len(res.failed)} row(s) refused, first: {res.failed[0][0]}: {res.failed[0][1]}")


@agents.command("rank")
@click.argument("capability")
@click.option("--trusted", multiple=True, help="a trusted client address (repeatable)")
@click.option("--trusted-clients", type=int, default=0, help="trust devnet rating clients 0..N-1")
@click.option("--tag1", default="", help="only feedback with this tag1")
@click.option("--tag2", default="", help="only feedback with this tag2")
@click.option("--min-count", default=1, show_default=True)
@click.pass_obj
def agents_rank(obj: Ctx, capability: str, trusted: tuple[str, ...], trusted_clients: int, tag1: str, tag2: str, min_count: int) -> None:
    """Rank the agents offering CAPABILITY by reputation over the trusted clients."""
    from hashtrust.erc8004.discovery import rank, table
    from hashtrust.erc8004.identity import IdentityClient
    from hashtrust.erc8004.rating import client_signer
    from hashtrust.erc8004.reputation import ReputationClient

    book = obj.book()
    who = list(trusted) + [client_signer(k).address for k in range(trusted_clients)]
    ranked = rank(IdentityClient.from_book(obj.w3, book), ReputationClient.from_book(obj.w3, book), capability, who, tag1=tag1, tag2=tag2, min_count=min_count)
    click.echo(table(ranked, min_count, capability=capability, n_trusted=len(who), tag1=tag1))


@agents.command("show")
@click.argument("agent_id", type=int)
@click.pass_obj
def agents_show(obj: Ctx, agent_id: int) -> None:
    """Owner, wallet and registration file of one agent."""
    from hashtrust.erc8004.identity import IdentityClient

    idc = IdentityClient.from_book(obj.w3, obj.book())
    a = idc.agent(agent_id)
    click.echo(f"agent    {a.agent_id}\nowner    {a.owner}\nwallet   {a.wallet}")
    try:
        from hashtrust.erc8004.discovery import fetch_uri

        click.echo(json.dumps(json.loads(fetch_uri(a.uri)), indent=2))
    except Exception:  # noqa: BLE001 - not every URI is fetchable from here
        click.echo(f"uri      {a.uri[:300]}")




@click.command()
@click.option("--check", "check_spec", default=None, help="module:function or file.py:function (default: recompute the payload hash)")
@click.option("--tag", default="hashtrust", show_default=True)
@click.option("--progressive", is_flag=True, help="answer without finalising")
@click.option("--answer-cancelled", is_flag=True, help="also answer requests their requester withdrew (the answer counts)")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--poll", type=float, default=2.0, show_default=True)
@click.pass_obj
def validate(obj: Ctx, check_spec: str | None, tag: str, progressive: bool, answer_cancelled: bool, once: bool, poll: float) -> None:
    """Run a validator agent: answer the validation requests addressed to this account."""
    from hashtrust.erc8004.validation import ValidationClient
    from hashtrust.erc8004.validator import ValidatorAgent, default_check, load_check

    book = obj.book()
    entry = book.get("ValidationRegistry")
    agent = ValidatorAgent(
        ValidationClient.from_book(obj.w3, book, obj.sender()),
        load_check(check_spec) if check_spec else default_check,
        tag=tag,
        finalize=not progressive,
        from_block=entry.block if entry else 0,
        log=click.echo,
        answer_cancelled=answer_cancelled,
    )
    if once:
        click.echo(agent.run_once().summary())
    else:
        agent.run(poll=poll)
