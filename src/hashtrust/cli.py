"""The ``hashtrust`` command line: every capability of the scripts, without ape.

    hashtrust devnet start                 # a local Anvil on :8545 with its state kept in .devnet/
    hashtrust deploy                       # deploy what is missing, record it in deployments/<chain>.json
    hashtrust addresses                    # print the address book
    hashtrust --rpc https://... --private-key-env DEPLOYER_KEY deploy

Connection: ``--rpc`` (default ``$HASHTRUST_RPC`` or the local devnet). Signing: on a devnet,
``--account-index N`` picks Anvil's dev account N (default 0); elsewhere pass
``--private-key-env VAR`` naming an environment variable that holds the key.
Errors print one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

import click
from web3 import Web3

from hashtrust import devnet
from hashtrust.addressbook import AddressBook
from hashtrust.errors import HashtrustError
from hashtrust.tx import TxSender


@dataclass
class Ctx:
    rpc: str
    key_env: str | None
    account_index: int
    debug: bool
    _w3: Web3 | None = None
    _senders: dict[Any, TxSender] = field(default_factory=dict)

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            w3 = Web3(Web3.HTTPProvider(self.rpc, request_kwargs={"timeout": 30}))
            try:
                w3.eth.chain_id
            except Exception as exc:  # noqa: BLE001
                raise HashtrustError(f"cannot reach a node at {self.rpc} ({type(exc).__name__}); start one with `hashtrust devnet start` or pass --rpc") from None
            self._w3 = w3
        return self._w3

    @property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    def book(self) -> AddressBook:
        return AddressBook(self.chain_id)

    def sender(self, index: int | None = None) -> TxSender:
        """The sender for the chosen account (or devnet account ``index``)."""
        from hashtrust.accounts import devnet_signer, signer_from_env

        key = ("env", self.key_env) if self.key_env and index is None else ("dev", self.account_index if index is None else index)
        if key not in self._senders:
            if key[0] == "env":
                signer = signer_from_env(self.key_env)  # type: ignore[arg-type]
            else:
                if self.chain_id not in (31337, 1337):
                    raise HashtrustError(f"chain {self.chain_id} is not a devnet: pass --private-key-env VAR")
                signer = devnet_signer(int(key[1]))
            self._senders[key] = TxSender(self.w3, signer)
        return self._senders[key]


class _Group(click.Group):
    """Turns expected errors into one clear line (unless --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HashtrustError, ValueError) as exc:
            if "--debug" in sys.argv:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--rpc", default=lambda: os.environ.get("HASHTRUST_RPC", devnet.url()), show_default="$HASHTRUST_RPC or the local devnet", help="JSON-RPC endpoint")
@click.option("--private-key-env", "key_env", default=None, metavar="VAR", help="environment variable holding the signing key (real networks)")
@click.option("--account-index", default=0, show_default=True, help="devnet account to sign with (Anvil's dev mnemonic)")
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.pass_context
def main(ctx: click.Context, rpc: str, key_env: str | None, account_index: int, debug: bool) -> None:
    """hashtrust: ERC-8004 agent registries and a tokenized-hashrate vault."""
    ctx.obj = Ctx(rpc=rpc, key_env=key_env, account_index=account_index, debug=debug)


# ---------------------------------------------------------------------------- devnet
@main.group("devnet")
def devnet_cmd() -> None:
    """Start, stop or inspect the local Anvil devnet."""


@devnet_cmd.command("start")
def devnet_start() -> None:
    """Start the devnet (or report the one already running)."""
    click.echo(devnet.start())


@devnet_cmd.command("stop")
def devnet_stop() -> None:
    """Stop the devnet; its state stays in .devnet/state.json."""
    click.echo(devnet.stop())


@devnet_cmd.command("status")
def devnet_status() -> None:
    """Say whether a devnet answers, and at which block."""
    click.echo(devnet.status())


# ---------------------------------------------------------------------------- deploy
@main.command()
@click.option("--fresh", is_flag=True, help="redeploy everything instead of reusing recorded contracts")
@click.option("--only", multiple=True, help="deploy only these address-book names (and what they need)")
@click.pass_obj
def deploy(obj: Ctx, fresh: bool, only: tuple[str, ...]) -> None:
    """Deploy what is missing and record it in deployments/<chain_id>.json (idempotent)."""
    from hashtrust.deploy import deploy as do_deploy

    sender = obj.sender()
    book = obj.book()
    click.echo(f"chain {book.chain_id}, deployer {sender.address}, address book {book.path}")
    outcomes = do_deploy(obj.w3, sender, book, only=only or None, fresh=fresh, log=click.echo)
    n_new = sum(o.status != "reused" for o in outcomes)
    click.echo(f"{n_new} deployed, {len(outcomes) - n_new} reused")


@main.command()
@click.pass_obj
def addresses(obj: Ctx) -> None:
    """Print the address book of the connected chain."""
    book = obj.book()
    entries = book.entries()
    if not entries:
        raise HashtrustError(f"nothing recorded for chain {book.chain_id} in {book.path}; run `hashtrust deploy`")
    for name, e in sorted(entries.items()):
        click.echo(f"{name:<22} {e.address}  ({e.contract_type}, block {e.block})")


# ---------------------------------------------------------------------------- agents
@main.group()
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
    from hashtrust.agents import format_table, register_agents_from_file

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
    from hashtrust.identity import IdentityClient
    from hashtrust.rating import check_clients_not_owners, generate_rows, load_rows, rate

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
    from hashtrust.discovery import rank, table
    from hashtrust.identity import IdentityClient
    from hashtrust.rating import client_signer
    from hashtrust.reputation import ReputationClient

    book = obj.book()
    who = list(trusted) + [client_signer(k).address for k in range(trusted_clients)]
    ranked = rank(IdentityClient.from_book(obj.w3, book), ReputationClient.from_book(obj.w3, book), capability, who, tag1=tag1, tag2=tag2, min_count=min_count)
    click.echo(table(ranked, min_count, capability=capability, n_trusted=len(who), tag1=tag1))


@agents.command("show")
@click.argument("agent_id", type=int)
@click.pass_obj
def agents_show(obj: Ctx, agent_id: int) -> None:
    """Owner, wallet and registration file of one agent."""
    from hashtrust.identity import IdentityClient

    idc = IdentityClient.from_book(obj.w3, obj.book())
    a = idc.agent(agent_id)
    click.echo(f"agent    {a.agent_id}\nowner    {a.owner}\nwallet   {a.wallet}")
    try:
        from hashtrust.discovery import fetch_uri

        click.echo(json.dumps(json.loads(fetch_uri(a.uri)), indent=2))
    except Exception:  # noqa: BLE001 - not every URI is fetchable from here
        click.echo(f"uri      {a.uri[:300]}")


# ---------------------------------------------------------------------------- validation
@main.command()
@click.option("--check", "check_spec", default=None, help="module:function or file.py:function (default: recompute the payload hash)")
@click.option("--tag", default="hashtrust", show_default=True)
@click.option("--progressive", is_flag=True, help="answer without finalising")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--poll", type=float, default=2.0, show_default=True)
@click.pass_obj
def validate(obj: Ctx, check_spec: str | None, tag: str, progressive: bool, once: bool, poll: float) -> None:
    """Run a validator agent: answer the validation requests addressed to this account."""
    from hashtrust.validation import ValidationClient
    from hashtrust.validator import ValidatorAgent, default_check, load_check

    book = obj.book()
    entry = book.get("ValidationRegistry")
    agent = ValidatorAgent(
        ValidationClient.from_book(obj.w3, book, obj.sender()),
        load_check(check_spec) if check_spec else default_check,
        tag=tag,
        finalize=not progressive,
        from_block=entry.block if entry else 0,
        log=click.echo,
    )
    if once:
        click.echo(agent.run_once().summary())
    else:
        agent.run(poll=poll)


# ---------------------------------------------------------------------------- vault
@main.group()
def vault() -> None:
    """Buy, report, fund, claim and inspect the tokenized-hashrate vault."""


def _vault(obj: Ctx):
    from hashtrust.vault import HashrateVaultClient, VaultCommands

    return VaultCommands(HashrateVaultClient.from_book(obj.w3, obj.book(), obj.sender()))


@vault.command("status")
@click.pass_obj
def vault_status(obj: Ctx) -> None:
    """The vault's sale, term, fees and rewards, and the caller's position."""
    click.echo(_vault(obj).status())


@vault.command("buy")
@click.option("--ths", required=True, help="TH/s to buy (decimal)")
@click.option("--receiver", default=None, help="who receives the shares (default: the buyer)")
@click.option("--max-payment", type=int, default=None, help="slippage bound in payment-token units")
@click.pass_obj
def vault_buy(obj: Ctx, ths: str, receiver: str | None, max_payment: int | None) -> None:
    """Buy TH/s shares in the primary sale (approves the payment token if needed)."""
    click.echo(_vault(obj).buy(ths, receiver=receiver, max_payment=max_payment))


@vault.command("report")
@click.option("--epoch", type=int, required=True)
@click.option("--delivered-ths", required=True, help="average delivered TH/s over the epoch (decimal)")
@click.option("--gross-sats", type=int, required=True)
@click.option("--report-file", type=click.Path(exists=True, dir_okay=False), default=None, help="pool report; its sha256 is the report hash")
@click.option("--report-hash", default=None, help="the report hash (hex) when there is no --report-file (default: zero)")
@click.option("--uri", default="", help="where the pool report can be read")
@click.option("--btc-usd", type=float, default=None, help="publish this BTC/USD price on the devnet feed first")
@click.pass_obj
def vault_report(
    obj: Ctx, epoch: int, delivered_ths: str, gross_sats: int, report_file: str | None, report_hash: str | None, uri: str, btc_usd: float | None
) -> None:
    """Report an ended epoch (operator agent's wallet). Idempotent."""
    click.echo(_vault(obj).report(epoch, delivered_ths, gross_sats, report_file=report_file, report_hash=report_hash, uri=uri, btc_usd=btc_usd))


@vault.command("fund")
@click.option("--epoch", type=int, required=True)
@click.pass_obj
def vault_fund(obj: Ctx, epoch: int) -> None:
    """Pay a reported epoch's gross reward (operator). Idempotent."""
    click.echo(_vault(obj).fund(epoch))


@vault.command("claim")
@click.option("--for", "holder", default=None, help="claim on behalf of this holder (paid to the holder)")
@click.option("--to", "receiver", default=None, help="pay the caller's own rewards here")
@click.pass_obj
def vault_claim(obj: Ctx, holder: str | None, receiver: str | None) -> None:
    """Claim rewards (the caller's, or another holder's on its behalf)."""
    click.echo(_vault(obj).claim(holder, receiver))


# ---------------------------------------------------------------------------- simulate
@main.command()
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--ths", type=float, default=1_000, show_default=True, help="hashrate sold")
@click.option("--difficulty", type=float, default=150e12, show_default=True)
@click.option("--btc-usd", type=float, default=90_000, show_default=True)
def simulate(days: int, seed: int, ths: float, difficulty: float, btc_usd: float) -> None:
    """Simulate a vault term day by day (same integer math as the contract); no chain needed."""
    from hashtrust.economics import TH, hashprice_usd_per_ph_day, random_days, simulate_epochs

    path = random_days(days, seed, difficulty=difficulty, btc_usd=btc_usd)
    res = simulate_epochs(path, {"holder": int(ths * TH)})
    click.echo(f"{'day':>4} {'difficulty':>11} {'BTC/USD':>10} {'$/PH/day':>9} {'gross':>10} {'fee':>9} {'perf':>8} {'net':>10}")
    for d, e in zip(path, res.epochs):
        hp = hashprice_usd_per_ph_day(d.difficulty, d.btc_usd, d.avg_fees_btc, d.height)
        click.echo(f"{e.epoch:>4} {d.difficulty / 1e12:>10.1f}T {d.btc_usd:>10,.0f} {hp:>9.2f} {e.gross:>10,} {e.fee:>9,} {e.perf:>8,} {e.net:>10,}")
    click.echo(f"total gross {res.gross_sats:,} sats, net to holders {res.net_sats:,} sats, fees {res.fees_sats:,} sats")


# ---------------------------------------------------------------------------- demo
@main.command()
@click.option("--no-progress", is_flag=True)
@click.pass_obj
def demo(obj: Ctx, no_progress: bool) -> None:
    """Run the main job on the connected chain (see README): deploy, agents, ratings, vault, report."""
    from hashtrust.demo import run_demo

    run_demo(obj.w3, obj.sender(), obj.book(), echo=click.echo, progress=not no_progress)


if __name__ == "__main__":
    main()
