"""The vault's operator agent and term opening from the command line (thin ape commands over
`hashtrust.hashrate.operator` and `hashtrust.hashrate.vault`).

    ape run operator open-term --agent-id 1 --validators 0xA,0xB,0xC   --account ADMIN   # once, before epoch 0 ends
    ape run operator bond --sats 5000000 [--up-to]                       --account OPERATOR
    ape run operator run --pool-file pool.json [--loop 60]               --account OPERATOR

`bond --up-to` posts only what brings the bond to ``--sats`` (idempotent; without it, ``--sats`` is
added). `run` is idempotent and resumable: each pass reports, funds, files validation requests and
finalises only what the chain does not show yet. Addresses come from deployments/<chain_id>.json.
"""

import time

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import account_option, connect, one_line_errors
from hashtrust.chain.decode import one_line
from hashtrust.deploy import VAULT_DEVNET
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.hashrate.operator import load_pool_report, run_operator
from hashtrust.hashrate.vault import HashrateVaultClient, open_term


def _clients(alias):
    w3, sender, book = connect(alias)
    return HashrateVaultClient.from_book(w3, book, sender), ValidationClient.from_book(w3, book, sender), book


@click.group()
def cli():
    """Open the vault's term, post the bond, and run the operator agent."""


@cli.command("open-term", cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--agent-id", type=int, required=True, help="the operator's ERC-8004 agent id")
@click.option("--validators", required=True, help="comma-separated validator addresses")
@click.option("--quorum", type=int, default=VAULT_DEVNET["quorum"])
@click.option("--min-score", type=int, default=VAULT_DEVNET["min_score"])
@click.option("--difficulty", type=int, default=VAULT_DEVNET["difficulty"])
@click.option("--sats-per-block", type=int, default=VAULT_DEVNET["sats_per_block"])
@one_line_errors
def open_term_cmd(alias, agent_id, validators, quorum, min_score, difficulty, sats_per_block):
    """Bind the vault to the operator agent and the registries, list the validators (admin)."""
    v, _, book = _clients(alias)
    out = open_term(
        v,
        identity=book.verified_address(v.w3, "IdentityRegistry"),
        validation=book.verified_address(v.w3, "ValidationRegistry"),
        reputation=book.verified_address(v.w3, "ReputationRegistry"),
        agent_id=agent_id,
        validators=[x.strip() for x in validators.split(",") if x.strip()],
        quorum=quorum,
        min_score=min_score,
        difficulty=difficulty,
        sats_per_block=sats_per_block,
    )
    click.echo(f"vault {v.address} bound to agent {agent_id}; validators {', '.join(out['validators'])}")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--sats", type=int, required=True, help="bond to add, reward-token units")
@click.option("--up-to", "up_to", is_flag=True, help="--sats is the bond to hold: post only the shortfall (idempotent, safe to rerun)")
@one_line_errors
def bond(alias, sats, up_to):
    """Post (add to) the operator bond in the reward token."""
    v, _, _ = _clients(alias)
    if not up_to:
        v.post_bond(sats)
    else:
        v.sender.settle()  # a crashed run's top-up lands before the shortfall is read
        if sats > v.bond():
            v.post_bond(sats - v.bond())
    click.echo(f"bond is now {v.bond()} sats")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--pool-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--loop", type=int, default=0, help="repeat every N seconds (0: one pass)")
@one_line_errors
def run(alias, pool_file, loop):
    """Report, fund, request validation and finalise every ended epoch (idempotent)."""
    v, val, _ = _clients(alias)
    while True:
        try:  # one pass's boundary: with --loop a failed pass is one line and the agent goes on
            lines = run_operator(v, val, load_pool_report(pool_file))
        except Exception as exc:  # noqa: BLE001
            if not loop:
                raise
            click.echo(f"pass failed: {one_line(exc)}")
            lines = []
        for line in lines:
            click.echo(line)
        if not loop:
            if any(" failed this pass" in line for line in lines):
                raise SystemExit(1)
            break
        time.sleep(loop)
