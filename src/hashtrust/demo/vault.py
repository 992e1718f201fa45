"""The demo's vault term: an operator agent sells hashrate, validators attest it, holders earn.

Everything here goes through the SDK agents a real deployment runs: `hashtrust.hashrate.operator`
(report, fund, request validation, finalise), `hashtrust.hashrate.pool_watcher` (check each report
against the pool's figures and answer) and the vault client. The market is the economics
simulator's: a seeded difficulty path retargeting every two weeks from ~149T, a BTC price path
from ~$89.5k, 0.02-0.03 BTC of fees a block, uptime 95-100 %, and one outage epoch that the
operator never reports. Nobody declares anything: at each epoch's record time anyone's
`settle_due` (or the next share transfer) settles it; the trust's bond pays what it owes (the
outage's hashprice, and each attested epoch's undelivered share) to the holders of that moment.

Idempotent: every step reads the chain first (epoch status, balances, bond), and time only
moves forward, so a rerun continues where the last run stopped.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashtrust.chain import artifacts
from hashtrust.chain import jsonsafe
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.files import write_json
from hashtrust.chain.tx import TxSender
from hashtrust.demo.context import (
    OPERATOR_KEY,
    OPERATOR_OWNER,
    WATCHER_WALLETS,
    DemoContext,
)
from hashtrust.deploy import VAULT_DEVNET
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.bitcoin.index import DevHashpriceIndexClient
from hashtrust.hashrate.economics import (
    DAY_S,
    RETARGET_TIMESPAN_S,
    Day,
    binding_value,
    block_subsidy_sats,
    delivered_units,
    epoch_index_weight,
    fpps_expected_gross,
    index_inputs,
    index_msat_per_th_day,
    hashprice_usd_per_ph_day,
    retarget,
    sats_per_th_day,
)
from hashtrust.hashrate.operator import PoolEpoch, run_operator
from hashtrust.hashrate.pool_watcher import answer_requests
from hashtrust.hashrate.vault import (
    FEEDBACK_PENDING,
    TH,
    HashrateVaultClient,
    PriceFeedClient,
    VaultTrustClient,
    check_index,
    deploy_trust,
    index_latest,
    required_bond_for,
    trust_index,
    ths_to_shares,
)

SEED = 2026
N_EPOCHS = 32
OUTAGE = 19  # the operator's farm is down: never reported, settled as a default, paid from the bond
BUYER_BASE = 2_000  # devnet accounts 2000..2009
BUYS_THS = (1_200, 900, 800, 750, 700, 600, 500, 400, 300, 250)  # 6,400 TH/s of the 10,000 for sale
TRANSFERS = {8: (0, 1, 200), 14: (2, 5, 300), 24: (6, 9, 100)}  # at epoch e: buyer a sends b TH/s
# Epochs run after the term's shown part, reported and attested like the others, so the shown
# epochs' record times (two report graces after their end) pass without unreported epochs behind them.
TAIL = 6
CLAIMS_AT = (10, 20)  # every holder claims after these epochs (the rest at the end)
BOND_SATS = 20_000_000  # 0.2 BTC
START_DIFFICULTY = 149.3e12
START_BTC = 89_500.0
HEIGHT0 = 925_000


def market(n: int = N_EPOCHS, seed: int = SEED) -> list[Day]:
    """The seeded market of the term: one `Day` per epoch."""
    rng = random.Random(seed)
    days = []
    d, p, h = START_DIFFICULTY, START_BTC, HEIGHT0
    for i in range(n):
        if i and i % 14 == 0:  # a retarget every ~2,016 blocks
            d = retarget(d, RETARGET_TIMESPAN_S * rng.uniform(0.93, 1.02))
        p = max(10_000.0, p * (1 + rng.gauss(0.0005, 0.022)))
        uptime = 0.0 if i == OUTAGE else rng.uniform(0.95, 1.0)
        days.append(Day(difficulty=d, btc_usd=round(p, 2), uptime=uptime, pool_fee=0.02, avg_fees_btc=round(rng.uniform(0.02, 0.03), 4), height=h))
        h += 144
    return days


TRUST_TERMS = ("quorum", "min_score", "difficulty", "sats_per_block", "bond_epochs", "pool_fee_bps")


def open_devnet_term(
    vault: HashrateVaultClient,
    book: AddressBook,
    *,
    agent_id: int,
    validators: list[str],
    operator: TxSender,
    bond_sats: int = 0,
    operator_sats: int = 0,
    buys: Sequence[tuple[TxSender, int]] = (),
    terms: dict | None = None,
) -> VaultTrustClient:
    """Open the vault's term on a devnet, as the demo and the e2e tests do; idempotent.

    ``vault`` sends as the admin, who also mints the devnet tokens. The operator's TestWBTC is
    topped up to its bond plus ``operator_sats`` (working capital to fund the epochs); the
    admin deploys the vault's `VaultTrust` for the operator agent ``agent_id``, ``validators``
    and the devnet's terms (`VAULT_DEVNET`, overridden by ``terms``) with `deploy_trust`, the
    operator posting the bond `required_bond()` asks for (then up to ``bond_sats`` when that is
    more); each buyer of ``buys`` buys its shares (TestUSD minted to pay; a buyer holding shares
    or rewards already bought). Returns the trust's client, sending as the operator."""
    admin = vault._require_sender()
    cfg = {k: VAULT_DEVNET[k] for k in TRUST_TERMS} | (terms or {})
    usd, wbtc = vault.payment_token, vault.reward_token
    if "index" not in cfg:
        # the book's HashpriceIndex, else (a devnet) its simulator-fed DevHashpriceIndex, deployed when missing
        cfg["index"] = VaultTrustClient(vault.w3, vault.trust()).terms()["index"] if vault.trust() is not None else trust_index(vault.w3, book, admin)
    if vault.trust() is None:
        latest = index_latest(vault.w3, cfg["index"])[1]
        need = required_bond_for(vault._view("CAPACITY"), cfg["difficulty"], cfg["sats_per_block"], cfg["bond_epochs"], latest)
        want, have = max(need, bond_sats) + operator_sats, wbtc.functions.balanceOf(operator.address).call()
        if have < want:
            admin.transact(wbtc.functions.mint(operator.address, want - have))
    out = deploy_trust(vault, book, agent_id=agent_id, validators=validators, bond_from=operator, **cfg)
    trust = VaultTrustClient(vault.w3, out["trust"], operator)
    if trust.bond() < bond_sats and vault.settle_cursor() == 0 and vault.epoch(0).status == "none":
        trust.post_bond(bond_sats - trust.bond())
    for buyer, shares in buys:
        if vault.balance_of(buyer.address) == 0 and wbtc.functions.balanceOf(buyer.address).call() == 0:
            price = vault.preview_buy(shares)
            if usd.functions.balanceOf(buyer.address).call() < price:
                admin.transact(usd.functions.mint(buyer.address, price))
            vault.with_sender(buyer).buy(shares)
    return trust


def _warp(w3: Any, ts: int) -> None:
    if int(w3.eth.get_block("latest")["timestamp"]) < ts:
        w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
        w3.provider.make_request("evm_mine", [])


def run(demo: DemoContext) -> dict:
    w3, book, echo = demo.w3, demo.book, demo.echo
    admin = demo.sender
    op_id = demo.report["agents"]["ids"][OPERATOR_KEY]
    op = demo.account(OPERATOR_OWNER)  # the operator agent's wallet is its owner's address
    watchers = [demo.account(i) for i in WATCHER_WALLETS]
    buyers = [demo.account(BUYER_BASE + i) for i in range(len(BUYS_THS))]
    demo.fund([BUYER_BASE + i for i in range(len(BUYS_THS))])

    vault_admin = HashrateVaultClient.from_book(w3, book, admin)
    vault_op = vault_admin.with_sender(op)
    val_op = ValidationClient.from_book(w3, book, op)
    feed = PriceFeedClient.from_book(w3, book, admin)

    # -- the operator's pool figures for the planned sale, then the term: the operator agent bound,
    #    the independent validators listed, ten buyers, the operator's bond and working capital.
    #    The market's day k is UTC day u0 + k (u0 the term's first); the simulator publishes each
    #    day's index once the day is over, and the pool pays FPPS at it: an epoch's gross is what
    #    the trust's gross check expects (its two UTC days weighted by seconds, 2 % pool fee)
    days = market(N_EPOCHS + TAIL)
    index_days = market(N_EPOCHS + TAIL + 1)  # an epoch's second UTC day is the next market day
    sale = [ths_to_shares(ths) for ths in BUYS_THS]
    term_start = int(vault_admin._view("TERM_START"))
    u0 = term_start // DAY_S
    values = {u0 + k: index_msat_per_th_day(d) for k, d in enumerate(index_days)}
    binding = binding_value(VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"])
    pool = {}
    for e, day in enumerate(days):
        if e == OUTAGE:
            continue
        delivered = delivered_units(sum(sale), day.uptime)
        weight = epoch_index_weight(term_start, e, values, binding)[4]
        pool[e] = PoolEpoch(e, delivered, fpps_expected_gross(delivered, weight, VAULT_DEVNET["pool_fee_bps"]))
    trust = open_devnet_term(
        vault_admin,
        book,
        agent_id=op_id,
        validators=[w.address for w in watchers],
        operator=op,
        bond_sats=BOND_SATS,
        operator_sats=sum(p.gross for p in pool.values()),
        buys=list(zip(buyers, sale)),
    )
    sold = vault_admin._view("totalSupply")
    echo(f"   vault {vault_admin.address}, trust {trust.address}: operator agent {op_id}; validators: {', '.join(w.address[:10] + '…' for w in watchers)}")
    echo(f"   sale: {len(buyers)} buyers hold {sold // TH:,} TH/s (paid {vault_admin.preview_buy(sold) / 1e6:,.0f} USD)")
    index = trust.terms()["index"]
    kind = check_index(w3, index)
    latest_day, latest_value = index_latest(w3, index)
    echo(f"   hashprice index: {kind} at {index} ({'simulator-fed, devnet only' if kind == 'DevHashpriceIndex' else 'proven from Bitcoin through the relay'}); "
         + (f"latest final day {latest_day:,}: {latest_value:,} msat per TH/s per day" if latest_value else f"no final day yet: epochs price at the binding value {trust._view('HP_BINDING'):,} msat per TH/s per day")
         + ("; the simulator publishes each day once it is over" if kind == "DevHashpriceIndex" else ""))
    dev = DevHashpriceIndexClient(w3, index, admin) if kind == "DevHashpriceIndex" else None

    def publish_ended_days() -> None:
        """The simulator publishes every UTC day of the market that is over (in order, once)."""
        if dev is None:
            return
        latest, _ = dev.latest()
        nxt = latest + 1 if dev.hashprice(latest).final else u0
        last = min(int(w3.eth.get_block("latest")["timestamp"]) // DAY_S - 1, u0 + len(index_days) - 1)
        for u in range(nxt, last + 1):
            dev.publish(u, *index_inputs(index_days[max(0, u - u0)]))
    echo(f"   operator bond: {trust.bond() / 1e8:.4f} BTC (required for the whole capacity: {trust.required_bond() / 1e8:.4f} BTC)")

    # -- the epochs
    from tqdm import tqdm

    bar = tqdm(total=len(days), desc="   epochs", unit="epoch", disable=not demo.progress)
    defaulted: dict[int, int] = {}
    earned = EarnedLog.open(demo.out_dir / "vault_earned.json", w3.eth.chain_id, vault_admin.address)
    anyone = vault_admin  # settle_due is anyone's call; the admin's account runs it here
    settled = 0  # every epoch below this one is settled with its feedback posted: the agents skip them

    def settle_and_tell() -> None:
        """Anyone settles what is due; each default is told once (a transfer may have settled it)."""
        publish_ended_days()
        if anyone.due_epochs():
            anyone.settle_due()
        for d in range(settled, N_EPOCHS):
            rec = trust.record(d)
            if rec.defaulted and rec.settled and d not in defaulted:
                defaulted[d] = rec.paid
                echo(f"\n   epoch {d} was never reported: settled at its record time, {rec.paid:,} sats of bond credited to its holders")

    for e, day in enumerate(days):
        while settled < e:
            r = trust.record(settled)
            if not (r.settled and r.feedback != FEEDBACK_PENDING):
                break
            settled += 1
        info = vault_admin.epoch(e)
        if trust.record(e).settled:  # done in an earlier run (its transfer and claims too)
            bar.update(1)
            continue
        if info.status == "none" and vault_admin.now() < vault_admin.epoch_end(e):
            # the epoch is priced at the round in force at its end: publish the day's price before it ends
            _warp(w3, vault_admin.epoch_end(e) - 600)
            feed.set_price(day.btc_usd)
        _warp(w3, vault_admin.epoch_end(e) + 600)
        if e in TRANSFERS:  # holders trade on the secondary market (once: the receiver's balance tells)
            a, b, ths = TRANSFERS[e]
            if vault_admin.balance_of(buyers[b].address) == ths_to_shares(BUYS_THS[b]):
                vault_admin.with_sender(buyers[a]).transfer(buyers[b].address, ths_to_shares(ths))
        run_operator(vault_op, val_op, pool, from_epoch=settled, settle=False)
        for w in watchers:
            answer_requests(vault_admin.with_sender(w), ValidationClient.from_book(w3, book, w), w.address, pool, from_epoch=settled)
        run_operator(vault_op, val_op, pool, from_epoch=settled, settle=False)  # finalises once the quorum answered
        settle_and_tell()
        if e in CLAIMS_AT:
            for b in buyers:
                if vault_admin.claimable(b.address) > 0:
                    vault_admin.with_sender(b).claim()
        if e < N_EPOCHS:
            earned.record(e, vault_admin, buyers)
        bar.update(1)
    bar.close()
    # the shown epochs' record times have passed (the tail ran past them): anyone settles the rest
    while anyone.due_epochs():
        settle_and_tell()
    run_operator(vault_op, val_op, pool, from_epoch=settled, settle=False)  # posts the records settled without a post
    # let the last stream finish, then everybody claims
    _warp(w3, vault_admin.status().period_finish + 1)
    publish_ended_days()  # every market day is over by now: a rerun publishes nothing
    for b in buyers:
        if vault_admin.claimable(b.address) > 0:
            vault_admin.with_sender(b).claim()
    earned.record(N_EPOCHS, vault_admin, buyers, overwrite=True)  # the end of the term
    return _figures(demo, vault_admin, trust, buyers, days[:N_EPOCHS], op_id, earned, epochs_run=len(days))


def _figures(demo: DemoContext, vault: HashrateVaultClient, trust: VaultTrustClient, buyers: list, days: list[Day], op_id: int, earned: EarnedLog, epochs_run: int) -> dict:
    """Every figure of the vault section, read from the chain.

    `days` are the epochs shown (per-epoch figures and the gross/fee/net totals); `epochs_run`
    counts those and the tail after them. What holders were credited and claimed (`notified_sats`,
    `claimed_sats`) and the operator's uptime record cover every epoch run.
    """
    w3, book = demo.w3, demo.book
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    st = vault.status()
    epochs = []
    for e, day in enumerate(days):
        i = vault.epoch(e)
        rec = trust.record(e)
        subsidy = block_subsidy_sats(day.height)
        epochs.append(
            {
                "epoch": e,
                "status": "finalized" if rec.finalized else "defaulted" if rec.defaulted else i.status,
                "outcome": rec.kind_name,
                "owed_sats": rec.owed,
                "bond_paid_sats": rec.paid,
                "delivered_ths": i.delivered / TH,
                "gross_sats": i.gross,
                "fee_sats": i.fee,
                "perf_sats": i.perf,
                "net_sats": i.net,
                "btc_usd": i.btc_usd / 1e8,
                "difficulty": day.difficulty,
                "sats_per_th_day": sats_per_th_day(day.difficulty, subsidy, day.avg_fees_btc * 1e8),
                "hashprice_usd_per_ph_day": hashprice_usd_per_ph_day(day.difficulty, day.btc_usd, day.avg_fees_btc, day.height),
            }
        )
    holders = {}
    for b in buyers:
        holders[b.address] = {
            "shares_ths": vault.balance_of(b.address) / TH,
            "claimed_sats": int(wbtc.functions.balanceOf(b.address).call()),
            "claimable_sats": vault.claimable(b.address),
        }
    # cumulative rewards per holder per epoch: read from the chain as each epoch closed
    missing = earned.backfill(vault, buyers, len(days))
    cumulative = earned.series(buyers)
    rep = ReputationClient.from_book(w3, book)
    s = rep.summary(op_id, [trust.address], tag1="uptime")  # the trust contract posts every epoch's record
    return {
        "address": vault.address,
        "trust": trust.address,
        "operator_agent": op_id,
        "sold_ths": st.total_supply / TH,
        "bond_sats": trust.bond(),
        "bond_paid_sats": sum(x["bond_paid_sats"] for x in epochs),
        "epochs_run": epochs_run,
        "epochs": epochs,
        "totals": {
            "gross_sats": sum(x["gross_sats"] for x in epochs),
            "fee_sats": sum(x["fee_sats"] for x in epochs),
            "perf_sats": sum(x["perf_sats"] for x in epochs),
            "net_sats": sum(x["net_sats"] for x in epochs),
            "notified_sats": st.total_notified,
            "claimed_sats": st.total_claimed,
        },
        "defaulted": [x["epoch"] for x in epochs if x["status"] == "defaulted"],
        "holders": holders,
        "cumulative_rewards": cumulative,
        "cumulative_rewards_missing_epochs": missing,
        "operator_reputation": {"client": trust.address, "tag1": "uptime", "count": s.count, "value": s.value, "decimals": s.decimals, "number": str(s.number)},
    }


@dataclass
class EarnedLog:
    """Each holder's earnings (claimed + claimable, sats) read from the chain as each epoch closes.

    The plot of cumulative rewards needs the state at the end of every epoch. Reading it later
    would need the node's historical state (an archive node; the devnet keeps only recent
    blocks, see `hashtrust.chain.devnet`), so the demo reads it live, at the end of each epoch's step,
    and keeps it in ``reports/vault_earned.json`` (for this chain and vault only), so a rerun
    that skips settled epochs still has their figures. Epochs settled by a run whose log was
    lost are read at their closing block if the node still holds it, and left out otherwise.
    """

    path: Path
    chain_id: int
    vault: str
    epochs: dict[int, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, chain_id: int, vault: str) -> EarnedLog:
        log = cls(path, chain_id, vault)
        try:
            data = jsonsafe.loads(path.read_text())
        except (OSError, ValueError):
            return log  # none yet (or unreadable): start a new one
        if data.get("chain_id") == chain_id and data.get("vault") == vault:
            log.epochs = {int(e): {h: int(v) for h, v in hs.items()} for e, hs in data.get("epochs", {}).items()}
        return log

    def record(self, epoch: int, vault: HashrateVaultClient, buyers: list, *, overwrite: bool = False) -> None:
        """Read every holder's earnings now, as the figure of ``epoch`` (kept if already there)."""
        if epoch in self.epochs and not overwrite:
            return
        wbtc = vault.reward_token
        self.epochs[epoch] = {b.address: int(wbtc.functions.balanceOf(b.address).call()) + vault.claimable(b.address) for b in buyers}
        write_json(self.path, {"chain_id": self.chain_id, "vault": self.vault, "epochs": self.epochs}, indent=1)

    def backfill(self, vault: HashrateVaultClient, buyers: list, n: int) -> list[int]:
        """Read missing epochs at their closing block where the node still has the state;
        returns the epochs that stay missing."""
        missing = [e for e in range(n) if e not in self.epochs]
        wbtc = vault.reward_token
        for e, block in zip(missing, _closing_blocks(vault, missing)):
            try:
                self.epochs[e] = {
                    b.address: int(wbtc.functions.balanceOf(b.address).call(block_identifier=block))
                    + int(vault.contract.functions.claimable(b.address).call(block_identifier=block))
                    for b in buyers
                }
            except Exception:  # noqa: BLE001 - the node pruned that block's state
                continue
        return [e for e in missing if e not in self.epochs]

    def series(self, buyers: list) -> dict[str, list[tuple[int, int]]]:
        """``{holder: [(epoch, earned), ...]}`` over the recorded epochs."""
        return {b.address: [(e, self.epochs[e][b.address]) for e in sorted(self.epochs) if b.address in self.epochs[e]] for b in buyers}


def _closing_blocks(vault: HashrateVaultClient, epochs: list[int]) -> list[int]:
    """For each epoch, the last block before the next epoch ends (binary search on timestamps)."""
    w3 = vault.w3
    latest = w3.eth.block_number
    out = []
    for e in epochs:
        end = vault.epoch_end(e) + 86_400
        a, b = 0, latest
        while a < b:
            m = (a + b + 1) // 2
            if int(w3.eth.get_block(m)["timestamp"]) < end:
                a = m
            else:
                b = m - 1
        out.append(a)
    return out
