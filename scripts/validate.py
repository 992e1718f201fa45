"""Run a validator agent: answer the ERC-8004 validation requests addressed to an account.

    ape run validate --network ethereum:local:foundry --account TEST::3 --once
    ape run validate --account validator --check my_pkg.checks:rerun_job     # poll forever
    ape run validate --check ./checks.py:rerun_job --progressive --tag zkml

It is idempotent and resumable: everything it has done is read back from the chain, so it can
be killed at any moment and started again. The work is done by `hashtrust.erc8004.validator`.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import account_option, connect, one_line_errors, one_line_usage
from hashtrust.chain.fetch import FetchPolicy, Resolver, for_chain
from hashtrust.cli.erc8004 import ALLOW_LOOPBACK_HELP, quiet_rounds
from hashtrust.cli.params import Number, Text
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.erc8004.validator import ValidatorAgent, default_check, load_check


@click.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--check", "check_spec", default=None, help="module:function or file.py:function (default: recompute the payload hash)")
@click.option("--tag", type=Text(31), default="hashtrust", show_default=True, help="tag stored with each answer (<= 31 bytes)")
@click.option("--progressive", is_flag=True, help="answer without finalising (answers may be revised later)")
@click.option("--answer-cancelled", is_flag=True, help="also answer requests their requester withdrew (the answer is stored and counts)")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--rounds", type=Number(int, 1, 2**31), default=None, help="stop after this many passes")
@click.option("--poll", type=Number(float, 0.2, 86_400), default=2.0, show_default=True, help="seconds between passes (>= 0.2)")
@click.option("--from-block", type=Number(int, 0, 2**63), default=0, show_default=True, help="first block to read request URIs from")
@click.option("--files-from", "files_from", default=None, type=click.Path(exists=True, file_okay=False), help="serve file: request URIs from this directory (default: local files are never read)")
@click.option("--allow-http", is_flag=True, help="also fetch plain http:// from non-loopback hosts")
@click.option("--allow-loopback", is_flag=True, help=ALLOW_LOOPBACK_HELP)
@click.option("--ipfs-gateway", default=None, type=Text(2_048, nonempty=True), help="gateway for ipfs:// URIs (default $HASHTRUST_IPFS_GATEWAY or https://ipfs.io/ipfs/)")
@one_line_errors
def cli(alias, check_spec, tag, progressive, answer_cancelled, once, rounds, poll, from_block, files_from, allow_http, allow_loopback, ipfs_gateway):
    """Answer the validation requests addressed to the account."""
    check = load_check(check_spec) if check_spec else default_check  # a bad --check stops here, before connecting
    policy = FetchPolicy(allow_http=allow_http, local_dir=Path(files_from) if files_from else None)
    if ipfs_gateway:
        policy = policy.with_(ipfs_gateway=ipfs_gateway)
    w3, sender, book = connect(alias)
    client = ValidationClient.from_book(w3, book, sender)
    agent = ValidatorAgent(
        client,
        check,
        tag=tag,
        finalize=not progressive,
        fetch=Resolver(for_chain(policy, w3, allow_loopback=allow_loopback)),
        from_block=from_block,
        log=quiet_rounds(click.echo),
        answer_cancelled=answer_cancelled,
    )
    click.echo(f"validator {sender.address} on chain {book.chain_id}, registry {client.address}, check {getattr(check, '__name__', check)}")
    if once:
        report = agent.run_once()
        click.echo(report.summary())
        return
    agent.run(poll=poll, rounds=rounds)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
