"""The main job end to end on a real Anvil: every figure it reports is the chain's.

Story: the demo runs against a fresh chain and writes reports/demo.json; every number in the
report is read back independently from the contracts and must match; a second run continues
instead of duplicating (no new agents, no new feedback)."""

import json

import pytest

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.demo.run import Demo
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient


@pytest.fixture(scope="module")
def demo_run(chain, accounts, tmp_path_factory):
    w3 = chain.provider.web3
    tmp = tmp_path_factory.mktemp("demo")
    sender = TxSender(w3, LocalSigner.from_key(accounts[0].private_key))
    book = AddressBook(w3.eth.chain_id, tmp / "deployments")
    demo = Demo(w3, sender, book, echo=lambda s: None, progress=False, out_dir=tmp / "reports")
    report = demo.run()
    return w3, book, tmp, report


def test_report_file_is_the_returned_report(demo_run):
    w3, book, tmp, report = demo_run
    on_disk = json.loads((tmp / "reports" / "demo.json").read_text())
    assert on_disk["agents"] == json.loads(json.dumps(report["agents"]))
    assert set(on_disk["plots"]) == {"reputation_ranking.png", "hashprice_difficulty.png", "cumulative_rewards.png"}
    for name in on_disk["plots"]:
        assert (tmp / "reports" / name).stat().st_size > 10_000


def test_agents_in_the_report_are_on_chain(demo_run):
    w3, book, tmp, report = demo_run
    idc = IdentityClient.from_book(w3, book)
    assert report["agents"]["count"] == idc.total_agents() == 21
    op = report["agents"]["operator"]
    assert idc.owner_of(op["agent_id"]) == op["owner"]
    for v in report["agents"]["validators"]:
        assert idc.owner_of(v["agent_id"]) == v["owner"]
        assert idc.get_agent_wallet(v["agent_id"]) == v["wallet"] != v["owner"]
        assert v["owner"] != op["owner"]


def test_reputation_figures_are_the_chains(demo_run):
    w3, book, tmp, report = demo_run
    rep = ReputationClient.from_book(w3, book)
    from hashtrust.demo.run import N_CLIENTS
    from hashtrust.erc8004.rating import client_signer

    trusted = [client_signer(k).address for k in range(N_CLIENTS)]
    for agent, s in report["reputation"]["summaries"].items():
        chain_s = rep.summary(int(agent), trusted)
        assert (chain_s.count, chain_s.value, chain_s.decimals) == (s["count"], s["value"], s["decimals"])
    for cap, rows in report["reputation"]["rankings"].items():
        numbers = [float(r["score"]) for r in rows if r["count"] > 0]
        assert numbers == sorted(numbers, reverse=True), cap


def test_validation_results_are_the_chains(demo_run):
    w3, book, tmp, report = demo_run
    val = ValidationClient.from_book(w3, book)
    assert [r["response"] for r in report["validation"]] == [100, 100, 0]
    for r in report["validation"]:
        a = val.attestation(r["agent_id"], bytes.fromhex(r["request_hash"][2:]))
        assert (a.response, a.status.name) == (r["response"], r["status"])


def test_rerun_continues_without_duplicating(demo_run):
    w3, book, tmp, report = demo_run
    sender = TxSender(w3, LocalSigner.from_key(__import__("ape").accounts.test_accounts[0].private_key))
    nonce = w3.eth.get_transaction_count(sender.address)
    again = Demo(w3, sender, AddressBook(w3.eth.chain_id, tmp / "deployments"), echo=lambda s: None, progress=False, out_dir=tmp / "reports2").run()
    assert again["agents"]["count"] == report["agents"]["count"]
    assert again["reputation"]["summaries"] == report["reputation"]["summaries"]
    assert all(c["status"] == "reused" for c in again["contracts"].values())
    assert w3.eth.get_transaction_count(sender.address) == nonce  # the deployer sent nothing
    # a rerun into another folder lacks the first run's earnings log: it reads the settled
    # epochs back at their closing blocks (this node keeps history) and finds the same figures
    assert again["vault"]["cumulative_rewards_missing_epochs"] == []
    assert json.loads(json.dumps(again["vault"]["cumulative_rewards"])) == json.loads(json.dumps(report["vault"]["cumulative_rewards"]))


def test_vault_figures_are_the_chains(demo_run):
    w3, book, tmp, report = demo_run
    from hashtrust.chain import artifacts
    from hashtrust.demo.vault import N_EPOCHS, OUTAGE
    from hashtrust.hashrate.vault import TH, HashrateVaultClient

    v = report["vault"]
    vault = HashrateVaultClient.from_book(w3, book)
    assert len(v["epochs"]) == N_EPOCHS >= 30
    for e in v["epochs"]:
        info = vault.epoch(e["epoch"])
        assert (info.status, info.gross, info.fee, info.perf, info.net) == (e["status"], e["gross_sats"], e["fee_sats"], e["perf_sats"], e["net_sats"])
        assert info.gross == info.fee + info.perf + info.net
    assert v["defaulted"] == [OUTAGE]
    assert sum(e["status"] == "finalized" for e in v["epochs"]) == N_EPOCHS - 1
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    assert len(v["holders"]) == 10
    for holder, h in v["holders"].items():
        assert h["claimed_sats"] == wbtc.functions.balanceOf(holder).call() > 0
        assert h["shares_ths"] == vault.balance_of(holder) / TH
    st = vault.status()
    assert v["totals"]["claimed_sats"] == st.total_claimed == sum(h["claimed_sats"] for h in v["holders"].values())
    # everything streamed was claimed, up to rounding dust (a few sats)
    assert 0 <= st.total_notified - st.total_claimed <= 50
    # the operator's public record: one uptime feedback per finalised epoch, posted by the vault
    rep = ReputationClient.from_book(w3, book)
    s = rep.summary(v["operator_agent"], [vault.address], tag1="uptime")
    assert (s.count, s.value, s.decimals) == (v["operator_reputation"]["count"], v["operator_reputation"]["value"], v["operator_reputation"]["decimals"])
    assert s.count == N_EPOCHS - 1
    # cumulative rewards: read as every epoch closed (none missing on a fresh chain), never
    # decreasing, and ending at what each holder was paid (claimed + still claimable)
    assert v["cumulative_rewards_missing_epochs"] == []
    for holder, pts in v["cumulative_rewards"].items():
        assert [p[0] for p in pts] == list(range(N_EPOCHS + 1))
        values = [p[1] for p in pts]
        assert values == sorted(values) and values[-1] > 0
        assert values[-1] == v["holders"][holder]["claimed_sats"] + v["holders"][holder]["claimable_sats"]
    assert {"hashprice_difficulty.png", "cumulative_rewards.png"} <= set(report["plots"])
