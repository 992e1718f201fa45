"""Commands for the Bitcoin light relay and the hashprice index.

    hashtrust relay deploy [--network mainnet|regtest] [--confirmations 6] [--proof-length 20] [--challenge-window 86400]
    hashtrust relay sync --headers FILE [--anchor]            # or --bitcoin-rpc URL --to-height H; rerun within each window
    hashtrust relay status [--json]
    hashtrust relay prove-reward FILE [--submit]              # or --bitcoin-rpc URL --height H
    hashtrust index deploy --first-period N [--relay BitcoinRelay] [--samples 144] [--proof-window 259200]
    hashtrust index show [--json] [--days 7]

Every bad input ends in one ``Error:`` line and a non-zero exit, and sends nothing: files and
proofs are checked in Python before any transaction.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from hashtrust.cli.context import Ctx
from hashtrust.cli.params import Text
from hashtrust.errors import HashtrustError


class _BitcoinGroup(click.Group):
    """Expected errors become click's one ``Error:`` line (exit 1) unless --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HashtrustError, ValueError) as exc:
            if "--debug" in sys.argv:
                raise
            raise click.ClickException(str(exc)) from None


def _relay(obj: Ctx, name: str, sender: bool = True):
    from hashtrust.bitcoin.relay import BitcoinRelayClient

    book = obj.book()
    if name not in book:
        raise HashtrustError(f"no {name} in the address book of chain {obj.chain_id}: run `hashtrust relay deploy` first")
    return BitcoinRelayClient.from_book(obj.w3, book, obj.sender() if sender else None, name=name)


def _utc(t: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=1, default=lambda b: "0x" + b.hex() if isinstance(b, bytes) else str(b)))


@click.group("relay", cls=_BitcoinGroup)
def relay() -> None:
    """The Bitcoin light relay: deploy, sync epochs, inspect, prove block rewards."""


@relay.command("deploy")
@click.option("--network", default="mainnet", show_default=True, help="mainnet or regtest (fixes the pow limit and retargeting; signet and testnets are refused)")
@click.option("--confirmations", type=int, default=6, show_default=True, help="headers a reward proof needs after its block (k; mainnet >= 6)")
@click.option("--proof-length", type=int, default=20, show_default=True, help="fewest headers each side of a retarget proof (P; mainnet >= 20)")
@click.option("--challenge-window", type=int, default=86_400, show_default=True, help="seconds a retarget stays open to a heavier proof (mainnet >= 86,400)")
@click.option("--name", type=Text(64, nonempty=True), default="BitcoinRelay", show_default=True, help="address-book name")
@click.pass_obj
def relay_deploy(obj: Ctx, network: str, confirmations: int, proof_length: int, challenge_window: int, name: str) -> None:
    """Deploy a relay (or reuse the recorded one with the same parameters)."""
    from hashtrust.bitcoin.relay import deploy_relay

    client, deployed = deploy_relay(obj.w3, obj.sender(), obj.book(), network=network, confirmations=confirmations, proof_length=proof_length,
                                    challenge_window=challenge_window, name=name)
    click.echo(f"{'deployed' if deployed else 'reused'} {name} at {client.address} ({network}, k = {confirmations}, P = {proof_length}, challenge window {challenge_window:,} s)")


@relay.command("sync")
@click.option("--headers", "headers_file", type=click.Path(dir_okay=False), default=None, help="a header file (examples/bitcoin/ format)")
@click.option("--bitcoin-rpc", default=None, metavar="URL", help="a Bitcoin Core node instead of a file")
@click.option("--from-height", type=click.IntRange(0, None), default=None, help="with --bitcoin-rpc: a height in the epoch to anchor at")
@click.option("--to-height", type=click.IntRange(0, None), default=None, help="with --bitcoin-rpc: the last height to read")
@click.option("--anchor", is_flag=True, help="anchor a fresh relay at the source's epoch start")
@click.option("--name", type=Text(64, nonempty=True), default="BitcoinRelay", show_default=True)
@click.pass_obj
def relay_sync(obj: Ctx, headers_file: str | None, bitcoin_rpc: str | None, from_height: int | None, to_height: int | None, anchor: bool, name: str) -> None:
    """Anchor (with --anchor) and prove every retarget the source has that the relay lacks; a
    proven retarget is pending for the challenge window, and a rerun replaces a pending retarget
    that is not the source's chain with the source's heaviest proof (run it within every window).
    Idempotent: a rerun skips what the relay already has."""
    from hashtrust.bitcoin import relay as relay_mod

    if (headers_file is None) == (bitcoin_rpc is None):
        raise HashtrustError("pass exactly one of --headers FILE or --bitcoin-rpc URL")
    if headers_file is not None:
        from hashtrust.bitcoin.files import load_headers

        source: Any = load_headers(headers_file)
    else:
        from hashtrust.bitcoin.rpc import BitcoinRPC, NodeSource

        client = _relay(obj, name, sender=False)
        start = from_height if from_height is not None else (client.latest_epoch() * 2016 if client.anchored() else None)
        if start is None or to_height is None:
            raise HashtrustError("with --bitcoin-rpc pass --to-height (and --from-height to anchor a fresh relay)")
        source = NodeSource(BitcoinRPC(bitcoin_rpc), start, to_height)
    res = relay_mod.sync(_relay(obj, name), source, anchor=anchor, log=click.echo)
    tail = f"; epoch {res.pending['epoch']:,} pending until {_utc(res.pending['final_at'])} UTC" if res.pending else ""
    click.echo(f"relay at epoch {res.latest_epoch:,}: {len(res.proven)} retarget(s) proven, {len(res.challenged)} challenged, {len(res.skipped)} already relayed{tail}")


@relay.command("status")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("--name", type=Text(64, nonempty=True), default="BitcoinRelay", show_default=True)
@click.pass_obj
def relay_status(obj: Ctx, as_json: bool, name: str) -> None:
    """Each final epoch: number, nBits, target, integer difficulty, start time; and the retarget
    waiting for its challenge window, if any."""
    client = _relay(obj, name, sender=False)
    epochs = client.epochs()
    params = client.params()
    pending = client.pending()
    if as_json:
        _echo_json({"address": client.address, "params": params, "epochs": [e.to_json() for e in epochs], "pending": pending})
        return
    click.echo(f"{name} at {client.address}: k = {params['confirmations']}, P = {params['proof_length']}, challenge window {params['challenge_window']:,} s, "
               f"retargeting {'on' if params['retargeting'] else 'off'}")
    if not epochs:
        click.echo("not anchored")
    for e in epochs:
        click.echo(f"epoch {e.number:>4,}  height {e.number * 2016:>9,}  nBits {e.bits:#010x}  difficulty {e.difficulty:>22,}  start {_utc(e.start_time)} UTC  target {e.target:#066x}")
    if pending is not None:
        click.echo(f"epoch {pending['epoch']:>4,}  pending: nBits {pending['bits']:#010x}, start {_utc(pending['start_time'])} UTC, work after the boundary "
                   f"{pending['work']:,}; final at {_utc(pending['final_at'])} UTC unless a proof with more work comes (run `relay sync` before then)")


@relay.command("prove-reward")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--bitcoin-rpc", default=None, metavar="URL", help="build the proof from a Bitcoin Core node")
@click.option("--height", type=click.IntRange(0, None), default=None, help="with --bitcoin-rpc: the block")
@click.option("--submit", is_flag=True, help="also count it in the recorded HashpriceIndex")
@click.option("--name", type=Text(64, nonempty=True), default="BitcoinRelay", show_default=True)
@click.pass_obj
def relay_prove_reward(obj: Ctx, file: str | None, bitcoin_rpc: str | None, height: int | None, submit: bool, name: str) -> None:
    """Prove what a block paid (BIP34 height, outputs, fees) from a coinbase file or a node."""
    client = _relay(obj, name, sender=submit)
    if (file is None) == (bitcoin_rpc is None):
        raise HashtrustError("pass exactly one of FILE or --bitcoin-rpc URL --height H")
    if file is not None:
        from hashtrust.bitcoin.files import load_coinbase
        from hashtrust.bitcoin.proofs import reward_proof_from_file

        proof = reward_proof_from_file(load_coinbase(file))
    else:
        if height is None:
            raise HashtrustError("with --bitcoin-rpc pass --height H")
        from hashtrust.bitcoin.rpc import BitcoinRPC, reward_proof

        proof = reward_proof(BitcoinRPC(bitcoin_rpc), height, int(client.params()["confirmations"]))
    r = client.verify_reward(proof)
    click.echo(f"block {r.height:,} {r.block_hash}: paid {r.paid:,} sats = subsidy {r.subsidy:,} + fees {r.fees:,} ({r.confirmations} confirmations)")
    if submit:
        from hashtrust.bitcoin.index import HashpriceIndexClient

        book = obj.book()
        if "HashpriceIndex" not in book:
            raise HashtrustError("no HashpriceIndex in the address book to submit to")
        ev = HashpriceIndexClient.from_book(obj.w3, book, obj.sender()).submit(proof)
        click.echo(f"counted in period {ev['period']:,}")


@click.group("index", cls=_BitcoinGroup)
def index() -> None:
    """The daily Bitcoin hashprice index (msat per TH/s per day)."""


@index.command("deploy")
@click.option("--relay", "relay_name", type=Text(64, nonempty=True), default="BitcoinRelay", show_default=True, help="address-book name of the relay it is proven against")
@click.option("--first-period", type=click.IntRange(0, 2**32 - 1), required=True, help="its first 144-block period (height // 144), in the relay's epochs")
@click.option("--samples", type=click.IntRange(1, 144), default=144, show_default=True, help="sample blocks per period (a divisor of 144; 144: every block)")
@click.option("--proof-window", type=click.IntRange(3_600, 2**32 - 1), default=None, help="seconds a period waits for missing samples (default 3 days)")
@click.option("--name", type=Text(64, nonempty=True), default="HashpriceIndex", show_default=True, help="address-book name")
@click.pass_obj
def index_deploy(obj: Ctx, relay_name: str, first_period: int, samples: int, proof_window: int | None, name: str) -> None:
    """Deploy the proven hashprice index over a relay of the address book (or reuse the recorded
    one with the same parameters). Off a local devnet the relay must follow Bitcoin mainnet at
    the mainnet floors (k >= 6, P >= 20, window >= 86,400 s): a trust refuses any other index."""
    from hashtrust.bitcoin.index import DEFAULT_PROOF_WINDOW, deploy_index

    client = _relay(obj, relay_name, sender=False)
    window = DEFAULT_PROOF_WINDOW if proof_window is None else proof_window
    idx, deployed = deploy_index(obj.w3, obj.sender(), obj.book(), client.address, first_period, samples, proof_window=window, name=name)
    day = first_period * 144 // 2016
    click.echo(f"{'deployed' if deployed else 'reused'} {name} at {idx.address} over {relay_name} ({client.address}): first period {first_period:,} "
               f"(heights from {first_period * 144:,}, epoch {day:,}), {samples} sample block(s) a period, proof window {window:,} s")


@index.command("show")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True, help="days to list up to the latest final one")
@click.pass_obj
def index_show(obj: Ctx, as_json: bool, days: int) -> None:
    """The latest final days of the recorded index, and (for the proven index) what is pending."""
    from hashtrust.bitcoin.index import show

    data = show(obj.w3, obj.book(), days=days)
    if as_json:
        _echo_json(data)
        return
    click.echo(f"{data['contract']} at {data['address']}")
    if data["latest"] is None:
        click.echo("no final day yet")
    for d in data["days"]:
        click.echo(f"day {d['day']:,}: {d['value']:,} msat/TH/s/day" + ("" if d["final"] else " (not final)"))
    if "next_period" in data:
        p = data["next_period"]
        line = f"next period {p['period']:,}: {p['blocks']}/{p['samples']} sample blocks proven" + (f", missing heights {p['missing'][:6]}" if p["missing"] else ", ready to publish")
        if p["missing"]:
            need = data["params"]["min_samples"]
            if p["window_end"]:
                line += f"; its proof window ends {_utc(p['window_end'])} UTC, then it publishes over what is counted" + ("" if p["blocks"] >= need else f" (void: fewer than {need})")
            else:
                line += "; its proof window opens when a block of a later period is counted"
        click.echo(line)
