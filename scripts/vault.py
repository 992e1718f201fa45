"""The hashrate vault from the command line (thin ape commands over `hashtrust.vault`).

    ape run vault status                        --network ethereum:local:foundry
    ape run vault buy --ths 25                  --account TEST::1
    ape run vault report --epoch 0 --delivered-ths 98 --gross-sats 5000 --report-file pool.json [--btc-usd 95000]
    ape run vault fund --epoch 0
    ape run vault claim [--for 0xHolder] [--to 0xReceiver]

Use `APE_FOUNDRY_HOST=http://127.0.0.1:8545` with `--network ethereum:local:foundry` to talk to the
long-running devnet (`make demo` starts it); addresses come from deployments/<chain_id>.json.
"""

import hashlib
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.ape_support import connect
from hashtrust.errors import HashtrustError
from hashtrust.vault import HashrateVaultClient, PriceFeedClient, shares_to_ths, ths_to_shares

account_option = click.option("--account", "alias", default=None, help="ape account alias (default: test account 0 on local chains)")


def _client(alias):
    w3, sender, book = connect(alias)
    return HashrateVaultClient.from_book(w3, book, sender), PriceFeedClient.from_book(w3, book, sender)


def _run(fn):
    try:
        fn()
    except HashtrustError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def cli():
    """Buy, report, fund, claim and inspect the tokenized-hashrate vault."""


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
def status(alias):
    """Print the vault's state (sale, term, fees, rewards) and the caller's position."""

    def go():
        v, feed = _client(alias)
        s = v.status()
        me = v.sender.address
        answer, updated = feed.latest()
        click.echo(f"vault {s.address}  admin {s.admin}  operator {s.operator}  paused={s.paused}")
        click.echo(f"sold {shares_to_ths(s.total_supply)} / {shares_to_ths(s.capacity)} TH/s at {s.price_per_th / 1e6:.2f} USD per TH/s; sale ends {s.sale_end}")
        click.echo(f"term {s.term_start}..{s.term_end} ({s.n_epochs} epochs), now {s.now}, epoch {s.current_epoch}")
        click.echo(f"fees {s.params}; BTC/USD {answer / 1e8:,.2f} (updated {updated})")
        click.echo(f"notified {s.total_notified} sats, claimed {s.total_claimed}, fees payable {s.fees_payable}, liabilities {s.reward_liabilities}")
        click.echo(f"you ({me}): {shares_to_ths(v.balance_of(me))} TH/s, claimable {v.claimable(me)} sats")
        click.echo(f"reportable epochs: {v.reportable_epochs()}")

    _run(go)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--ths", required=True, help="TH/s to buy (decimal)")
@click.option("--receiver", default=None, help="who receives the shares (default: the buyer)")
@click.option("--max-payment", type=int, default=None, help="slippage bound in payment-token units")
def buy(alias, ths, receiver, max_payment):
    """Buy TH/s shares in the primary sale (approves the payment token if needed)."""

    def go():
        v, _ = _client(alias)
        ev = v.buy(ths_to_shares(ths), receiver=receiver, max_payment=max_payment)
        click.echo(f"bought {shares_to_ths(ev['shares'])} TH/s for {ev['payment']} payment units -> {ev['receiver']}")

    _run(go)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--epoch", type=int, required=True)
@click.option("--delivered-ths", required=True, help="average delivered TH/s over the epoch (decimal)")
@click.option("--gross-sats", type=int, required=True)
@click.option("--report-file", type=click.Path(exists=True, dir_okay=False), default=None, help="pool report; its sha256 is the report hash")
@click.option("--uri", default="", help="where the pool report can be read")
@click.option("--btc-usd", type=float, default=None, help="publish this BTC/USD price on the devnet feed first")
def report(alias, epoch, delivered_ths, gross_sats, report_file, uri, btc_usd):
    """Report an ended epoch (operator). Idempotent: an already reported epoch is left alone."""

    def go():
        v, feed = _client(alias)
        if v.epoch(epoch).status != "none":
            click.echo(f"epoch {epoch} already {v.epoch(epoch).status}")
            return
        if btc_usd is not None:
            feed.set_price(btc_usd)
        digest = hashlib.sha256(Path(report_file).read_bytes()).digest() if report_file else b"\x00" * 32
        ev = v.report(epoch, ths_to_shares(delivered_ths), gross_sats, digest, uri or (Path(report_file).name if report_file else ""))
        click.echo(f"epoch {epoch}: gross {ev['gross']} = fee {ev['fee']} + perf {ev['perf']} + net {ev['net']} sats (BTC/USD {ev['btc_usd'] / 1e8:,.2f})")

    _run(go)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--epoch", type=int, required=True)
def fund(alias, epoch):
    """Pay a reported epoch's gross reward (operator). Idempotent: a funded epoch is left alone."""

    def go():
        v, _ = _client(alias)
        st = v.epoch(epoch).status
        if st == "funded":
            click.echo(f"epoch {epoch} already funded")
            return
        ev = v.fund(epoch)
        click.echo(f"epoch {epoch} funded: {ev['gross']} sats; {ev['net']} stream to holders over the next day")

    _run(go)


@cli.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@click.option("--for", "holder", default=None, help="claim on behalf of this holder (paid to the holder)")
@click.option("--to", "receiver", default=None, help="pay the caller's own rewards here")
def claim(alias, holder, receiver):
    """Claim rewards (the caller's, or another holder's on its behalf)."""

    def go():
        v, _ = _client(alias)
        paid = v.claim_for(holder) if holder else v.claim(receiver)
        click.echo(f"claimed {paid} sats" + (f" for {holder}" if holder else ""))

    _run(go)
