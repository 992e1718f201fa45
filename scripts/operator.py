"""The vault's operator agent and the opening of its term from the command line (thin ape
commands over `hashtrust.hashrate.operator` and `hashtrust.hashrate.vault`).

    ape run operator deploy-trust --agent-id 1 --validators 0xA,0xB,0xC --account ADMIN   # once, before the sale
    ape run operator bond --sats 5000000 [--up-to]                       --account OPERATOR
    ape run operator run --pool-file pool.json [--loop 60]               --account OPERATOR

`deploy-trust` deploys the vault's `VaultTrust` with every term (operator agent, validators,
quorum, min score, hashprice inputs, bond epochs), posts the bond its `required_bond()` asks for
and sets it on the vault; everything is checked before anything is sent, and a rerun finishes
an interrupted one. `bond --up-to` posts only what brings the bond to ``--sats`` (idempotent;
without it, ``--sats`` is added). `run` is idempotent and resumable: each pass reports, funds,
files validation requests, finalises, retries pending reputation records and settles due epochs,
only what the chain does not show yet. Addresses come from deployments/<chain_id>.json.
"""

import time

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import account_option, connect, one_line_errors, one_line_usage
from hashtrust.chain.decode import one_line
from hashtrust.cli.params import Number
from hashtrust.deploy import VAULT_DEVNET
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.hashrate.operator import load_pool_report, run_operator
from hashtrust.hashrate.vault import HashrateVaultClient, VaultCommands, btc_words, deploy_trust


def _clients(alias):
    w3, sender, book = connect(alias)
    return HashrateVaultClient.from_book(w3, book, sender), ValidationClient.from_book(w3, book, sender), book


@click.group()
def cli():
    """Open the vault's term (deploy its trust), post the bond, and run the operator agent."""


@cli.command("deploy-trust", cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--agent-id", type=Number(int, 0, 2**256 - 1), required=True, help="the operator's ERC-8004 agent id")
@click.option("--validators", required=True, help="comma-separated validator addresses")
@click.option("--quorum", type=Number(int, 1, 16), default=VAULT_DEVNET["quorum"], show_default=True)
@click.option("--min-score", type=Number(int, 98, 100), default=VAULT_DEVNET["min_score"], show_default=True)
@click.option("--difficulty", type=Number(int, 1, 2**160), default=VAULT_DEVNET["difficulty"], show_default=True)
@click.option("--sats-per-block", type=Number(int, 1, 2**64), default=VAULT_DEVNET["sats_per_block"], show_default=True)
@click.option("--bond-epochs", type=Number(int, 1, 2**256 - 1), default=VAULT_DEVNET["bond_epochs"], show_default=True)
@click.option("--index", default=None, help="the hashprice index (default: the book's HashpriceIndex; on a devnet its DevHashpriceIndex)")
@click.option("--pool-fee-bps", type=Number(int, 0, 1_000), default=None, help=f"FPPS pool fee of the gross check, basis points (default on a devnet: {VAULT_DEVNET['pool_fee_bps']}; required elsewhere)")
@click.option("--bond/--no-bond", "post", default=True, show_default=True, help="post the required bond from this account (else the operator posts it: `bond`)")
@one_line_errors
def deploy_trust_cmd(alias, agent_id, validators, quorum, min_score, difficulty, sats_per_block, bond_epochs, index, pool_fee_bps, post):
    """Deploy the vault's trust with every term, post the required bond, set it on the vault (admin)."""
    v, _, book = _clients(alias)
    out = deploy_trust(
        v,
        book,
        agent_id=agent_id,
        validators=[x.strip() for x in validators.split(",") if x.strip()],
        quorum=quorum,
        min_score=min_score,
        difficulty=difficulty,
        sats_per_block=sats_per_block,
        bond_epochs=bond_epochs,
        index=index,
        pool_fee_bps=pool_fee_bps,
        post_bond=post,
        log=click.echo,
    )
    click.echo(f"vault {v.address}: trust {out['trust']} ({'deployed' if out['deployed'] else 'reused'}), "
               f"bond {btc_words(out['bond'])} (required {btc_words(out['required_bond'])}), term {'opened now' if out['set_trust'] else 'already open'}")


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--sats", type=Number(int, 1, 2**256 - 1), required=True, help="bond to add, reward-token units")
@click.option("--up-to", "up_to", is_flag=True, help="--sats is the bond to hold: post only the shortfall (idempotent, safe to rerun)")
@one_line_errors
def bond(alias, sats, up_to):
    """Post (add to) the operator bond in the trust contract, in the reward token."""
    v, _, _ = _clients(alias)
    click.echo(VaultCommands(v).bond_post(sats, up_to=up_to))


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--pool-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--loop", type=Number(int, 0, 86_400), default=0, help="repeat every N seconds (0: one pass)")
@one_line_errors
def run(alias, pool_file, loop):
    """Report, fund, request validation, finalise and settle every ended epoch (idempotent)."""
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


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
