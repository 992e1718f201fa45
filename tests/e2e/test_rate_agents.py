"""Rating in bulk on a real Anvil, then discovery.

Story: three owners register agents (a summarizer, a trader, another summarizer); twenty
derived client accounts rate them from a file and from the seeded behaviour model; a rerun
sends nothing; a run killed with SIGKILL half-way is simply run again and ends with every row
given exactly once; a reader who trusts some clients ranks the summarizers."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from script_runs import free_port, held_run, kill
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.discovery import rank, table
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import (
    NEW_FEEDBACK_TOPIC,
    client_signer,
    feedback_file,
    generate_rows,
    given_hashes,
    load_rows,
    rate,
)
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.errors import RevertError

ROOT = Path(__file__).resolve().parents[2]

AGENTS = [
    {"name": "Summa", "services": [{"name": "MCP", "endpoint": "https://summa.example/mcp", "skills": ["natural_language_processing/summarize"]}]},
    {"name": "Trady", "services": [{"name": "A2A", "endpoint": "https://trady.example/card.json", "skills": ["trading"]}]},
    {"name": "Brief", "services": [{"name": "OASF", "endpoint": "ipfs://x", "skills": ["summarize"], "domains": ["news"]}]},
]


def _data_uri(reg: dict) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(reg).encode()).decode()


def _setup(w3, book, owner_keys):
    dep = TxSender(w3, devnet_signer(0))
    deploy(w3, dep, book, only=["ReputationRegistry"])
    ids = []
    for reg, k in zip(AGENTS, owner_keys, strict=True):
        ident = IdentityClient.from_book(w3, book, TxSender(w3, LocalSigner.from_key(k)))
        ids.append(ident.register(_data_uri({"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", **reg})))
    return dep, ids


def _feedback_logs(w3, book):
    return w3.eth.get_logs({"address": book.address("ReputationRegistry"), "fromBlock": 0, "toBlock": "latest", "topics": [NEW_FEEDBACK_TOPIC]})


def test_rate_from_a_file_then_rerun_then_rank(w3, tmp_path, alice, bob, carol):
    book = AddressBook.for_chain(w3, tmp_path)
    dep, ids = _setup(w3, book, [alice.private_key, bob.private_key, carol.private_key])
    assert ids == [1, 2, 3]
    rows = load_rows(ROOT / "examples" / "ratings.json")
    first = rate(w3, dep, book, rows, progress=False)
    assert (first.sent, first.already_done, first.failed) == (len(rows), 0, [])
    assert first.funded == 4
    rep = ReputationClient.from_book(w3, book)
    c = [client_signer(k).address for k in range(4)]
    # agent 1: 87, 92 (starred) and 99.77 (uptime) and 0 (starred)
    s = rep.summary(1, c, tag1="starred")
    assert (s.count, s.value, s.decimals) == (3, 59, 0)
    s = rep.summary(1, c)
    assert (s.count, str(s.number)) == (4, "69")  # (87 + 92 + 99.77 + 0) / 4 = 69.69 -> mode 0 decimals
    fb = rep.read(1, c[2], 1)
    assert (fb.value, fb.decimals, fb.tag1) == (9977, 2, "uptime")
    # the on-chain hash is the keccak of the file carried by the data: URI
    [log] = [
        lg
        for lg in _feedback_logs(w3, book)
        if lg["topics"][2] == bytes(12) + bytes.fromhex(c[2][2:]) and int.from_bytes(lg["topics"][1], "big") == 1
    ]
    ev = rep.contract.events.NewFeedback().process_log(log)["args"]
    f = feedback_file(rows[2], chain_id=w3.eth.chain_id, identity=book.address("IdentityRegistry"), client=c[2])
    assert bytes(ev["feedbackHash"]) == f.feedback_hash() and ev["feedbackURI"] == f.data_uri()

    nonce = w3.eth.get_transaction_count(c[0])
    again = rate(w3, dep, book, rows, progress=False)
    assert (again.sent, again.already_done, again.funded) == (0, len(rows), 0)
    assert w3.eth.get_transaction_count(c[0]) == nonce

    # the owner's own feedback is refused in preflight, with the contract's reason
    owner = rep.with_sender(TxSender(w3, LocalSigner.from_key(alice.private_key)))
    with pytest.raises(RevertError, match="reputation: self-feedback not allowed"):
        owner.give(1, 50)
    with pytest.raises(RevertError, match="reputation: index out of bounds"):
        rep.read(1, alice.address, 1)

    ident = IdentityClient.from_book(w3, book)
    ranked = rank(ident, rep, "summarize", c[:3], tag1="starred")
    assert [r.agent_id for r in ranked] == [1, 3]  # Trady does not summarize; Brief has no trusted feedback
    assert (ranked[0].count, ranked[0].value) == (2, 89)  # client 3's 0 is not trusted
    assert ranked[1].count == 0
    assert "Summa" in table(ranked)


def test_seeded_model_rows_are_reproducible_and_rated(w3, tmp_path, alice, bob, carol):
    book = AddressBook.for_chain(w3, tmp_path)
    dep, ids = _setup(w3, book, [alice.private_key, bob.private_key, carol.private_key])
    rows = generate_rows(11, ids, 20, 80)
    assert rows == generate_rows(11, ids, 20, 80)
    assert rows != generate_rows(12, ids, 20, 80)
    res = rate(w3, dep, book, rows, progress=False, window=32)
    assert res.sent == 80 and not res.failed
    clients = [client_signer(k).address for k in sorted({r.client for r in rows})]
    assert len(given_hashes(w3, book.address("ReputationRegistry"), clients)) == 80
    rep = ReputationClient.from_book(w3, book)
    assert sum(rep.summary(a, clients).count for a in ids) == 80


def test_rating_script_killed_half_way_and_rerun(tmp_path):
    port, home, books = free_port(), tmp_path / "devnet", tmp_path / "deployments"
    n_rows = 240
    env = {**os.environ, "APE_FOUNDRY_HOST": f"http://127.0.0.1:{port}", "HASHTRUST_DEPLOYMENTS": str(books)}
    cmd = [
        str(Path(sys.executable).with_name("ape")), "run", "rate_agents", "--network", "ethereum:local:foundry",
        "--generate", str(n_rows), "--seed", "5", "--clients", "16", "--agents", "1,2,3", "--window", "16",
    ]
    try:
        devnet.start(port, home=home)
        w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
        book = AddressBook.for_chain(w3, books)
        _setup(w3, book, [devnet_signer(i).account.key for i in (1, 2, 3)])

        # killed at its 60th send (the funding batch of 16 transfers, then feedback one by one),
        # parked in a proxy, so the kill lands mid-run however fast the machine is
        script_args = cmd[cmd.index("--generate"):]
        with held_run("rate_agents", devnet.url(port), books, *script_args, nth=60) as (proc, _proxy, hold):
            kill(proc)
            hold.cut = True  # the parked send never reaches the node
        killed_at = len(_feedback_logs(w3, book))
        assert 30 <= killed_at < n_rows

        out = subprocess.run(cmd + ["--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"{n_rows - killed_at} sent, {killed_at} already on chain, 0 failed" in out.stdout
        logs = _feedback_logs(w3, book)
        assert len(logs) == n_rows  # every row exactly once
        ev = ReputationClient.from_book(w3, book).contract.events.NewFeedback()
        hashes = [bytes(ev.process_log(lg)["args"]["feedbackHash"]) for lg in logs]
        assert len(set(hashes)) == n_rows

        out3 = subprocess.run(cmd + ["--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert out3.returncode == 0, out3.stdout + out3.stderr
        assert f"0 sent, {n_rows} already on chain" in out3.stdout

        rank_cmd = [cmd[0], "run", "rank_agents", "--network", "ethereum:local:foundry", "--capability", "summarize", "--trusted-clients", "0-15"]
        out4 = subprocess.run(rank_cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out4.returncode == 0, out4.stdout + out4.stderr
        lines = out4.stdout.splitlines()
        assert "ranked over 16 trusted client(s)" in lines[0]
        assert {ln.split()[2] for ln in lines[2:]} == {"Summa", "Brief"}  # Trady does not summarize
    finally:
        devnet.stop(home=home)


def test_journey_register_the_example_agents_rate_them_and_rank_them(w3, tmp_path, deployer):
    """The example agent file (identity's register flow), the seeded rating model, discovery."""
    from hashtrust.erc8004.agents import register_agents_from_file

    book = AddressBook.for_chain(w3, tmp_path)
    dep = TxSender(w3, LocalSigner.from_key(deployer.private_key))
    deploy(w3, dep, book, only=["ReputationRegistry"])
    outcomes = register_agents_from_file(w3, dep, book, ROOT / "examples" / "agents.json", progress=False)
    ids = [o.agent_id for o in outcomes]
    rows = generate_rows(21, ids, 24, 150)
    res = rate(w3, dep, book, rows, progress=False)
    assert (res.sent, res.failed) == (150, [])

    ident, rep = IdentityClient.from_book(w3, book), ReputationClient.from_book(w3, book)
    honest = sorted({r.client for r in rows if r.tag2 == "honest"})
    trusted = [client_signer(k).address for k in honest]
    assert [r.name for r in rank(ident, rep, "flight-search", trusted)] == ["SkyRoute Flight Booker"]
    ranked = rank(ident, rep, "A2A", trusted, tag1="starred")  # 20 agents speak A2A
    assert len(ranked) == 20
    scored = [r for r in ranked if r.count >= 1]
    assert len(scored) >= 5
    assert all(r.count == 0 for r in ranked[len(scored) :])  # unrated agents come last
    assert [r.number for r in scored] == sorted((r.number for r in scored), reverse=True)
    for r in scored:  # each score is the summary over the trusted clients
        s = rep.summary(r.agent_id, trusted, tag1="starred")
        assert (s.count, s.value, s.decimals) == (r.count, r.value, r.decimals)
