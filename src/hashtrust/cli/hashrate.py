"""Commands for the tokenized-hashrate vault and the economics simulator."""

from __future__ import annotations

import click

from hashtrust.cli.context import Ctx, emit, json_option
from hashtrust.cli.params import ADDRESS, THS, Number, only_known_options

EPOCH = Number(int, 0, 2**256 - 1)  # the vault's epoch numbers (uint256)
# An EPOCH argument: a negative number is a value (docs/cli.md), refused by the vault as outside
# the term like any other epoch it has not (user7 U4: `vault record -1` was "No such option: -1")
EPOCH_ARG = Number(int, None, 2**256 - 1)
_NEGATIVE_VALUES = {"cls": only_known_options(click.Command), "context_settings": {"ignore_unknown_options": True}}
UINT256 = Number(int, 0, 2**256 - 1)


@click.group()
def vault() -> None:
    """Buy, report, fund, claim, settle and inspect the tokenized-hashrate vault and its trust
    layer (the operator's bond, the validators, each epoch's record)."""


def _vault(obj: Ctx):
    from hashtrust.hashrate.vault import HashrateVaultClient, VaultCommands

    return VaultCommands(HashrateVaultClient.from_book(obj.w3, obj.book(), obj.sender()), signer_option=obj.signer_option)


@vault.command("status")
@click.option("--holder", type=ADDRESS, default=None, help="show this holder's position (default: the signing account)")
@json_option
@click.pass_obj
def vault_status(obj: Ctx, holder: str | None, as_json: bool) -> None:
    """The vault's sale, term, fees and rewards, and a holder's position, in words or as JSON."""
    cmds = _vault(obj)
    if as_json:
        emit(True, cmds.status_json(holder), "")
    else:
        click.echo(cmds.status(holder))


@vault.command("buy")
@click.option("--ths", type=THS, required=True, help="TH/s to buy (decimal)")
@click.option("--receiver", type=ADDRESS, default=None, help="who receives the shares (default: the buyer)")
@click.option("--max-payment", type=UINT256, default=None, help="slippage bound in payment-token units (6 decimals on the devnet: 15000000 = 15 USD)")
@click.pass_obj
def vault_buy(obj: Ctx, ths: str, receiver: str | None, max_payment: int | None) -> None:
    """Buy TH/s shares in the primary sale (approves the payment token if needed)."""
    click.echo(_vault(obj).buy(ths, receiver=receiver, max_payment=max_payment))


@vault.command("report")
@click.option("--epoch", type=EPOCH, required=True)
@click.option("--delivered-ths", type=THS, required=True, help="average delivered TH/s over the epoch (decimal)")
@click.option("--gross-sats", type=UINT256, required=True)
@click.option("--report-file", type=click.Path(exists=True, dir_okay=False), default=None, help="pool report; its sha256 is the report hash")
@click.option("--report-hash", default=None, help="the report hash (hex) when there is no --report-file (default: zero)")
@click.option("--uri", default="", help="where the pool report can be read")
@click.pass_obj
def vault_report(obj: Ctx, epoch: int, delivered_ths: str, gross_sats: int, report_file: str | None, report_hash: str | None, uri: str) -> None:
    """Report an ended epoch (operator agent's wallet), priced at the BTC/USD round in force at
    the epoch's end (found on the feed). Idempotent."""
    click.echo(_vault(obj).report(epoch, delivered_ths, gross_sats, report_file=report_file, report_hash=report_hash, uri=uri))


@vault.command("fund")
@click.option("--epoch", type=EPOCH, required=True)
@click.pass_obj
def vault_fund(obj: Ctx, epoch: int) -> None:
    """Pay a reported epoch's gross reward (operator). Idempotent."""
    click.echo(_vault(obj).fund(epoch))


@vault.command("claim")
@click.option("--for", "holder", type=ADDRESS, default=None, help="claim on behalf of this holder (paid to the holder)")
@click.option("--to", "receiver", type=ADDRESS, default=None, help="pay the caller's own rewards here")
@click.pass_obj
def vault_claim(obj: Ctx, holder: str | None, receiver: str | None) -> None:
    """Claim rewards (the caller's, or another holder's on its behalf)."""
    click.echo(_vault(obj).claim(holder, receiver))



@vault.command("settle-due")
@click.option("--n", "n", type=Number(int, 1, 64), default=16, show_default=True, help="most epochs to settle in this transaction (the vault caps it at 64)")
@click.pass_obj
def vault_settle_due(obj: Ctx, n: int) -> None:
    """Settle every epoch whose record time has passed (anyone): the trust pays what each owes
    from the bond and the vault credits it to the holders of that moment. Sends nothing when
    nothing is due."""
    click.echo(_vault(obj).settle_due(n))


@vault.command("record", **_NEGATIVE_VALUES)
@click.argument("epoch", type=EPOCH_ARG)
@json_option
@click.pass_obj
def vault_record(obj: Ctx, epoch: int, as_json: bool) -> None:
    """One epoch: what was reported, its deadlines and record time, and how the trust settled it."""
    cmds = _vault(obj)
    if as_json:
        emit(True, cmds.record_json(epoch), "")
    else:
        click.echo(cmds.record(epoch))


@vault.command("finalize", **_NEGATIVE_VALUES)
@click.argument("epoch", type=EPOCH_ARG)
@click.pass_obj
def vault_finalize(obj: Ctx, epoch: int) -> None:
    """Finalise a funded epoch once a quorum of the trust's validators attested it (anyone). Idempotent."""
    click.echo(_vault(obj).finalize(epoch))


@vault.group("bond")
def vault_bond() -> None:
    """The operator's bond in the trust contract: what it holds, what the sale needs, top-ups."""


@vault_bond.command("status")
@json_option
@click.pass_obj
def vault_bond_status(obj: Ctx, as_json: bool) -> None:
    """The bond, the bond covering the whole capacity, and how much of the sold TH/s it covers."""
    cmds = _vault(obj)
    if as_json:
        emit(True, cmds.bond_data(), "")
    else:
        click.echo(cmds.bond_status())


@vault_bond.command("post")
@click.option("--sats", type=Number(int, 1, 2**256 - 1), required=True, help="sats of the reward token to add")
@click.option("--up-to", "up_to", is_flag=True, help="--sats is the bond to hold: post only the shortfall (idempotent)")
@click.pass_obj
def vault_bond_post(obj: Ctx, sats: int, up_to: bool) -> None:
    """Add to the bond (anyone; approves the reward token if needed)."""
    click.echo(_vault(obj).bond_post(sats, up_to=up_to))


@vault_bond.command("withdraw")
@click.pass_obj
def vault_bond_withdraw(obj: Ctx) -> None:
    """Take the bond left after the term, once every epoch is settled (the operator's wallet)."""
    click.echo(_vault(obj).bond_withdraw())




@click.command()
@click.option("--days", type=Number(int, 1, 3_650), default=30, show_default=True, help="days (epochs) to simulate")
@click.option("--seed", type=Number(int, 0, 2**63 - 1), default=0, show_default=True)
@click.option("--ths", type=Number(float, 0, 1e9, lo_open=True), default=1_000, show_default=True, help="hashrate sold, TH/s")
@click.option("--difficulty", type=Number(float, 0, 1e20, lo_open=True), default=150e12, show_default=True, help="starting network difficulty")
@click.option("--btc-usd", type=Number(float, 1_000, 1e8, what="the simulator's price floor is $1,000"), default=90_000, show_default=True, help="starting BTC price, USD")
@json_option
def simulate(days: int, seed: int, ths: float, difficulty: float, btc_usd: float, as_json: bool) -> None:
    """Simulate a vault term day by day (same integer math as the contract); no chain needed."""
    from hashtrust.hashrate.economics import (
        TH,
        hashprice_usd_per_ph_day,
        random_days,
        simulate_epochs,
    )

    path = random_days(days, seed, difficulty=difficulty, btc_usd=btc_usd)
    res = simulate_epochs(path, {"holder": int(ths * TH)})
    rows = []
    for d, e in zip(path, res.epochs):
        hp = hashprice_usd_per_ph_day(d.difficulty, d.btc_usd, d.avg_fees_btc, d.height)
        rows.append({"epoch": e.epoch, "difficulty": d.difficulty, "btc_usd": d.btc_usd, "hashprice_usd_per_ph_day": hp,
                     "gross_sats": e.gross, "fee_sats": e.fee, "perf_sats": e.perf, "net_sats": e.net})
    data = {"days": days, "seed": seed, "ths": ths, "epochs": rows,
            "totals": {"gross_sats": res.gross_sats, "net_sats": res.net_sats, "fees_sats": res.fees_sats}}

    def text() -> str:
        lines = [f"{'day':>4} {'difficulty':>11} {'BTC/USD':>10} {'$/PH/day':>9} {'gross':>10} {'fee':>9} {'perf':>8} {'net':>10}"]
        for r in rows:
            lines.append(f"{r['epoch']:>4} {r['difficulty'] / 1e12:>10.1f}T {r['btc_usd']:>10,.0f} {r['hashprice_usd_per_ph_day']:>9.2f} "
                         f"{r['gross_sats']:>10,} {r['fee_sats']:>9,} {r['perf_sats']:>8,} {r['net_sats']:>10,}")
        lines.append(f"total gross {res.gross_sats:,} sats, net to holders {res.net_sats:,} sats, fees {res.fees_sats:,} sats")
        return "\n".join(lines)

    emit(as_json, data, text)
