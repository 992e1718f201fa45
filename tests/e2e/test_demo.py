"""The main job end to end on a real Anvil: every figure it reports is the chain's.

Story: the demo runs against a fresh chain and writes reports/demo.json; every number in the
report is read back independently from the contracts and must match; a second run continues
instead of duplicating (no new agents, no new feedback)."""

import json

import pytest

from hashtrust.addressbook import AddressBook
from hashtrust.demo import Demo
from hashtrust.identity import IdentityClient
from hashtrust.reputation import ReputationClient
from hashtrust.tx import LocalSigner, TxSender
from hashtrust.validation import ValidationClient


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
    assert set(on_disk["plots"]) >= {"reputation_ranking.png"}
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
    from hashtrust.demo import N_CLIENTS
    from hashtrust.rating import client_signer

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
