"""The main job (`make demo`): the whole system on one chain, reported in words, JSON and pictures.

Steps, each idempotent (a rerun against the same chain continues, never duplicates):

1. deploy (or reuse, through the address book) the registries, the test tokens, the price feed
   and the vault contracts;
2. register the agents of ``examples/agents.json``: the general agents by the deployer, the
   mining operator and the three pool-watcher validators each by their own owner, the
   validators' agent wallets set by EIP-712 signature;
3. a few dozen clients rate the agents (seeded, realistic: honest, harsh, generous, sybils),
   some revoke, the agents respond; validators answer validation requests;
4. the Bitcoin light relay on real mainnet data: the retarget at 554,400 checked on chain, block
   776,166's reward proven (see `hashtrust.demo.bitcoin`);
5. the hashrate vault term on the hashprice index (see `hashtrust.demo.vault`);
6. the report: ``reports/demo.json`` (every figure, read back from the chain) and PNG plots.

The cast (which account plays which role) is in `hashtrust.demo.context`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain.accounts import devnet_key
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.files import write_json
from hashtrust.chain.tx import TxSender
from hashtrust.demo.context import (
    AGENT_FILE,
    CAPABILITIES,
    CREATED_AT,
    N_CLIENTS,
    N_ROWS,
    OPERATOR_KEY,
    OPERATOR_OWNER,
    SEED,
    WATCHER_KEYS,
    WATCHER_OWNERS,
    WATCHER_WALLETS,
    DemoContext,
    report_dir,
)
from hashtrust.deploy import deploy
from hashtrust.erc8004 import agents as agent_files
from hashtrust.erc8004.discovery import rank
from hashtrust.erc8004.rating import client_signer, generate_rows, rate
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import RequestFile, Status, ValidationClient
from hashtrust.erc8004.validator import ValidatorAgent
from hashtrust.errors import HashtrustError


@dataclass
class Demo(DemoContext):
    """One run of the main job against one chain."""

    # ------------------------------------------------------------------ 1. deploy
    def step_deploy(self) -> None:
        self.echo("\n== 1. contracts")
        outcomes = deploy(self.w3, self.sender, self.book, log=lambda s: self.echo("   " + s))
        self.report["contracts"] = {o.name: {"address": o.address, "status": o.status} for o in outcomes}
        self.report["chain"] = {"chain_id": self.book.chain_id, "deployer": self.sender.address}

    # ------------------------------------------------------------------ 2. agents
    def step_agents(self) -> None:
        self.echo("\n== 2. agents")
        specs = agent_files.load_agent_file(AGENT_FILE)
        by_key = {s.key: s for s in specs}
        for k in (OPERATOR_KEY, *WATCHER_KEYS):
            if k not in by_key:
                raise HashtrustError(f"{AGENT_FILE} lacks the agent {k!r} the demo needs")
        from_block = self.book.get("IdentityRegistry").block  # type: ignore[union-attr]
        general = [s for s in specs if s.key not in (OPERATOR_KEY, *WATCHER_KEYS)]
        ids: dict[str, int] = {}
        groups = [(0, general), (OPERATOR_OWNER, [by_key[OPERATOR_KEY]])]
        groups += [(o, [by_key[k]]) for o, k in zip(WATCHER_OWNERS, WATCHER_KEYS)]
        for owner, group in groups:
            outs = agent_files.register_agents(self.identity(owner), group, progress=self.progress and len(group) > 3, from_block=from_block)
            ids.update({o.key: o.agent_id for o in outs})
            fresh = sum(o.status == "registered" for o in outs)
            self.echo(f"   owner {self.account(owner).address[:10]}…: {len(outs)} agent(s), {fresh} newly registered")
        # the validators' agent wallets: hot keys that prove control by EIP-712 signature
        wallets = {}
        for owner, wallet, key in zip(WATCHER_OWNERS, WATCHER_WALLETS, WATCHER_KEYS):
            idc = self.identity(owner)
            hot = self.account(wallet).address
            if idc.get_agent_wallet(ids[key]) != hot:
                idc.set_agent_wallet(ids[key], devnet_key(wallet))
                self.echo(f"   agent {ids[key]} ({key}) wallet set to {hot} by signature")
            wallets[key] = hot
        idc = self.identity(0)
        self.report["agents"] = {
            "count": idc.total_agents(),
            "ids": ids,
            "operator": {"agent_id": ids[OPERATOR_KEY], "owner": idc.owner_of(ids[OPERATOR_KEY]), "wallet": idc.get_agent_wallet(ids[OPERATOR_KEY])},
            "validators": [
                {"key": k, "agent_id": ids[k], "owner": idc.owner_of(ids[k]), "wallet": idc.get_agent_wallet(ids[k])} for k in WATCHER_KEYS
            ],
        }
        self.general_ids = [ids[s.key] for s in general]
        self.echo(f"   {len(ids)} agents in the file, {idc.total_agents()} agents on chain")

    # ------------------------------------------------------------------ 3. ratings and validation
    def step_ratings(self) -> None:
        self.echo("\n== 3. reputation")
        rows = generate_rows(SEED, self.general_ids, N_CLIENTS, N_ROWS)
        res = rate(self.w3, self.sender, self.book, rows, progress=self.progress, log=lambda s: self.echo("   " + s))
        if res.failed:
            raise HashtrustError(f"{len(res.failed)} feedback(s) refused, first: {res.failed[0]}")
        self.echo(f"   {res.total} feedback rows: {res.already_done} already on chain, {res.sent} sent")
        rep = ReputationClient.from_book(self.w3, self.book)
        # revocations: every 9th row's client takes its first feedback back (idempotent: read first)
        revoked = 0
        for r in rows[::9]:
            c = client_signer(r.client)
            if rep.last_index(r.agent, c.address) >= 1 and not rep.read(r.agent, c.address, 1).revoked:
                rep.with_sender(TxSender(self.w3, c)).revoke(r.agent, 1)
            revoked += 1
        # responses: the agents' owner answers the lowest-rated feedback of a few agents
        responded = 0
        owner_rep = rep.with_sender(self.sender)
        for r in sorted(rows, key=lambda r: float(r.value))[:6]:
            c = client_signer(r.client).address
            if rep.last_index(r.agent, c) < 1:
                continue
            if rep.response_count(r.agent, c, 1, [self.sender.address]) == 0:
                owner_rep.respond(r.agent, c, 1, f"ipfs://bafy-response-{r.agent}-{c[2:10].lower()}")
            responded += 1
        trusted = [client_signer(k).address for k in range(N_CLIENTS)]
        self.trusted_clients = trusted
        idc = self.identity(0)
        rankings = {}
        for cap in CAPABILITIES:
            ranked = rank(idc, rep, cap, trusted, agent_ids=self.general_ids)
            rankings[cap] = [
                {"agent_id": x.agent_id, "name": x.name, "count": x.count, "score": str(x.number), "value": x.value, "decimals": x.decimals}
                for x in ranked
            ]
        self.report["reputation"] = {
            "clients": N_CLIENTS,
            "rows": res.total,
            "revoked": revoked,
            "responses": responded,
            "rankings": rankings,
            "summaries": {
                str(a): _summary_json(rep.summary(a, trusted)) for a in self.general_ids
            },
        }
        for cap in CAPABILITIES:
            best = rankings[cap][0] if rankings[cap] else None
            self.echo(f"   best for {cap!r}: {best['name']} ({best['score']} over {best['count']})" if best else f"   nobody offers {cap!r}")

    def step_validation(self) -> None:
        self.echo("\n== 3b. validation")
        val = ValidationClient.from_book(self.w3, self.book)
        ids = self.report["agents"]["ids"]
        ident = self.book.address("IdentityRegistry")
        jobs = [  # (agent key, validator index, payload, honest?)
            ("reviewer-vyper", 0, {"task": "review", "repo": "hashtrust", "commit": "e69e7e0", "findings": 0}, True),
            ("llama-inference", 1, {"task": "inference", "model": "llama-3-8b", "prompt": "2+2?", "output": "4"}, True),
            ("data-labeler", 2, {"task": "labels", "batch": 17, "labels": ["cat", "dog", "cat"]}, False),
        ]
        results = []
        for key, v, payload, honest in jobs:
            agent = ids[key]
            wallet = self.report["agents"]["validators"][v]["wallet"]
            req = RequestFile.build(self.w3.eth.chain_id, ident, agent, wallet, payload, claimed_hash=None if honest else "0x" + "ab" * 32, created_at=CREATED_AT)
            if val.attestation(agent, req.hash).status == Status.NONE:
                val.with_sender(self.sender).request(wallet, agent, req.uri(), req.hash)
            results.append((key, agent, v, req.hash))
        for v, w in enumerate(WATCHER_WALLETS):
            agent = ValidatorAgent(val.with_sender(self.account(w)), from_block=self.book.get("ValidationRegistry").block)  # type: ignore[union-attr]
            rep = agent.run_once()
            if rep.answered:
                self.echo(f"   validator {v + 1} answered {len(rep.answered)} request(s)")
        out = []
        for key, agent, v, h in results:
            a = val.attestation(agent, h)
            out.append({"agent": key, "agent_id": agent, "validator": v + 1, "request_hash": "0x" + h.hex(), "response": a.response, "status": a.status.name})
            self.echo(f"   {key:<16} validator {v + 1}: {a.response:>3} ({a.status.name.lower()})")
        self.report["validation"] = out

    # ------------------------------------------------------------------ 4. bitcoin
    def step_bitcoin(self) -> None:
        from hashtrust.demo import bitcoin as demo_bitcoin
        self.echo("\n== 4. bitcoin relay (real mainnet data)")
        self.report["bitcoin"] = demo_bitcoin.run(self)

    # ------------------------------------------------------------------ 5. vault
    def step_vault(self) -> None:
        from hashtrust.demo import vault as demo_vault
        self.echo("\n== 5. hashrate vault")
        self.report["vault"] = demo_vault.run(self)

    # ------------------------------------------------------------------ 6. report
    def write(self) -> Path:
        path = self.out_dir / "demo.json"
        write_json(path, self.report, default=str)
        from hashtrust.demo import plots as demo_plots
        self.report["plots"] = demo_plots.draw(self.report, self.out_dir)
        write_json(path, self.report, default=str)
        return path

    def run(self) -> dict:
        t0 = time.monotonic()
        require_dev_chain(self.w3)
        self.echo(f"hashtrust demo on chain {self.book.chain_id} (block {self.w3.eth.block_number}), deployer {self.sender.address}")
        self.step_deploy()
        self.step_agents()
        self.step_ratings()
        self.step_validation()
        self.step_bitcoin()
        self.step_vault()
        self.report["elapsed_s"] = round(time.monotonic() - t0, 1)
        path = self.write()
        self.echo("\n== 6. report\n" + report_in_words(self.report))
        self.echo(f"\n   every figure: {path}; {len(self.report.get('plots', []))} plot(s) in {self.out_dir} ({self.report['elapsed_s']} s)")
        return self.report


def report_in_words(report: dict) -> str:
    """The demo's closing report: the figures of ``reports/demo.json`` a reader wants, in words."""
    out: list[str] = []
    agents = report.get("agents", {})
    rep = report.get("reputation", {})
    out.append(f"   agents: {agents.get('count', 0)} on chain; operator agent {agents.get('operator', {}).get('agent_id')}, "
               f"{len(agents.get('validators', []))} validator agents with wallets proven by EIP-712 signature")
    if rep:
        out.append(f"   reputation: {rep.get('rows', 0)} feedbacks from {rep.get('clients', 0)} clients, {rep.get('revoked', 0)} revoked, "
                   f"{rep.get('responses', 0)} answered by the agents' owner")
        for cap, rows in rep.get("rankings", {}).items():
            if rows:
                out.append(f"   best for {cap!r}: {rows[0]['name']} ({rows[0]['score']} over {rows[0]['count']})")
    for v in report.get("validation", []):
        out.append(f"   validation of {v['agent']}: {v['response']}/100 by validator {v['validator']} ({v['status'].lower()})")
    btc = report.get("bitcoin") or {}
    if btc:
        rt, rw = btc["retarget"], btc["reward"]
        out.append(f"   bitcoin: the real retarget at {rt['boundary']:,} checked on chain ({rt['old_bits']:#010x} -> {rt['new_bits']:#010x}, "
                   f"difficulty {rt['difficulty']:,}); block {rw['height']:,} proven to have paid {rw['paid']:,} sats "
                   f"({rw['subsidy']:,} subsidy + {rw['fees']:,} fees)")
    vault = report.get("vault") or {}
    epochs = vault.get("epochs") or []
    if epochs:
        t = vault.get("totals", {})
        first, last = epochs[0], epochs[-1]
        out.append(f"   vault: {vault.get('sold_ths', 0):,.0f} TH/s sold, {len(epochs)} daily epochs shown of {vault.get('epochs_run', len(epochs))} run, "
                   f"{sum(e['status'] == 'finalized' for e in epochs)} finalised, defaulted: {', '.join(map(str, vault.get('defaulted', []))) or 'none'}")
        out.append(f"   hashprice ${first['hashprice_usd_per_ph_day']:.1f} -> ${last['hashprice_usd_per_ph_day']:.1f} per PH/s per day "
                   f"(difficulty {first['difficulty'] / 1e12:.1f}T -> {last['difficulty'] / 1e12:.1f}T, BTC ${first['btc_usd'] / 1e3:.1f}k -> ${last['btc_usd'] / 1e3:.1f}k)")
        out.append(f"   rewards: {t.get('gross_sats', 0):,} sats gross = {t.get('fee_sats', 0):,} electricity and maintenance "
                   f"+ {t.get('perf_sats', 0):,} performance fee + {t.get('net_sats', 0):,} net to holders")
        dust = t.get("notified_sats", 0) - t.get("claimed_sats", 0)
        out.append(f"   holders claimed {t.get('claimed_sats', 0):,} of the {t.get('notified_sats', 0):,} sats credited to them over the "
                   f"{vault.get('epochs_run', len(epochs))} epochs run (net and bond; {dust:,} sats of rounding dust)")
        op = vault.get("operator_reputation") or {}
        if op.get("count"):
            out.append(f"   the operator agent's public record: {op['count']} uptime feedbacks from the vault averaging {op['number']} %")
    return "\n".join(out)


def require_dev_chain(w3: Web3) -> str:
    """The node's client version, if it is Anvil; a clear error otherwise.

    The demo plays a whole vault term in minutes: it moves the chain's clock
    (``evm_setNextBlockTimestamp``) and acts through Anvil's dev-mnemonic accounts. Neither
    exists on a real network, where the single ``hashtrust`` commands are the way to go.
    """
    try:
        version = str(w3.provider.make_request("web3_clientVersion", []).get("result", ""))
    except Exception as exc:  # noqa: BLE001 - any transport error means: not a usable dev node
        raise HashtrustError(f"cannot ask the node for its client version: {exc}") from None
    if not version.lower().startswith("anvil"):
        raise HashtrustError(
            f"the demo needs an Anvil development chain (it moves the clock and uses Anvil's dev accounts); "
            f"chain {w3.eth.chain_id} runs {version or 'an unknown client'}. On a real network use "
            "`hashtrust deploy`, `hashtrust agents ...` and `hashtrust vault ...` instead"
        )
    return version


def _summary_json(s: Any) -> dict:
    return {"count": s.count, "value": s.value, "decimals": s.decimals, "number": str(s.number)}


def run_demo(w3: Web3, sender: TxSender, book: AddressBook, *, echo: Callable[[str], Any] = print, progress: bool = True, out_dir: Path | None = None) -> dict:
    """Run the main job against ``w3`` (deployer = ``sender``); returns the report dict.

    Devnet-only: the demo signs with Anvil's public keys, funds dev accounts and moves the
    devnet price feed and clock."""
    from hashtrust.chain.devnet import require_devnet

    require_devnet(w3, "the demo")
    return Demo(w3, sender, book, echo=echo, progress=progress, out_dir=out_dir or report_dir()).run()
