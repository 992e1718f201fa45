"""A user's own work with the command line, checked against the chain (issue 15, "Missing for a
user's own work").

Story: a devnet holds a small world (`cli_world.build_world`: every contract, agents 1 and 2, one
feedback of account 3 to agent 1, one validation request of agent 1 to account 5). The user then
does their own work with ``hashtrust`` and each step is read back from the contracts, not from
the command's own words; each step is run twice and the second run sends nothing.

- feedback as themselves (a dev account, then a key in an environment variable): give (with an
  idempotency id, a negative value), revoke, respond; the reputation summary by tag over the
  clients they choose, equal to the registry's own `getSummary`;
- `agents show` with registration, metadata, wallet, reputation by tag and validations;
- updating an agent: URI, metadata, the wallet by EIP-712 signature with the wallet's key and
  with an ERC-1271 contract wallet approving the printed digest, unsetting it;
- registering from a standard ERC-8004 registration file (rerun recognised, a changed file
  updates the URI, a published URI replaces the data: URI);
- a validation requested and its answer read, after a validator answered;
- the devnet faucet (ETH, test USD and wBTC up to an amount);
- progress on the steps of bulk rating that grow with the clients, and on ranking many agents.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from cli_world import build_world, registration, stop_world
from script_runs import free_port, many_agents
from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.accounts import devnet_key, devnet_signer
from hashtrust.chain.checks import ZERO_ADDRESS
from hashtrust.chain.tx import TxSender
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient

ROOT = Path(__file__).resolve().parents[2]
A = {i: devnet_signer(i).address for i in range(10)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("user-commands")
    wd = build_world(tmp, free_port())
    wd.tmp = tmp
    wd.cli.env.update({"MY_KEY": devnet_key(7), "WALLET9": devnet_key(9)})
    try:
        yield wd
    finally:
        stop_world(wd)


def _json(r) -> dict:
    assert r.code == 0 and not r.errors, r.out
    return json.loads(r.out)


def _nonces(wd) -> tuple:
    return wd.state()


def _rep(wd) -> ReputationClient:
    return ReputationClient.from_book(wd.w3, wd.book)


def _ident(wd) -> IdentityClient:
    return IdentityClient.from_book(wd.w3, wd.book)


def test_feedback_as_yourself_revoke_respond_and_the_reputation_by_tag(world):
    wd, rep = world, _rep(world)
    given = _json(wd.cli("--account-index", "4", "agents", "give", "1", "92.5", "--tag1", "starred", "--tag2", "fast", "--id", "job-1", "--json"))
    assert given["action"] == "given" and given["client"] == A[4] and given["index"] == 1
    fb = rep.read(1, A[4], 1)
    assert (fb.number, fb.tag1, fb.tag2, fb.revoked) == (Decimal("92.5"), "starred", "fast", False)
    before = _nonces(wd)
    again = _json(wd.cli("--account-index", "4", "agents", "give", "1", "92.5", "--tag1", "starred", "--tag2", "fast", "--id", "job-1", "--json"))
    assert again["action"] == "already given" and again["index"] == 1 and _nonces(wd) == before

    minus = _json(wd.cli("--account-index", "4", "agents", "give", "1", "-3", "--tag1", "uptime", "--json"))  # a negative number is a value
    assert minus["index"] == 2 and rep.read(1, A[4], 2).number == Decimal(-3)
    mine = _json(wd.cli("--private-key-env", "MY_KEY", "agents", "give", "1", "70", "--tag1", "starred", "--json"))  # a key of one's own
    assert mine["client"] == A[7] and rep.read(1, A[7], 1).number == Decimal(70)

    view = _json(wd.cli("agents", "reputation", "1", "--client", A[3], "--client", A[4], "--client", A[7], "--json"))
    chain = rep.summary(1, [A[3], A[4], A[7]])
    assert (view["overall"]["count"], Decimal(view["overall"]["number"])) == (chain.count, chain.number) == (4, chain.number)
    tags = {(t["tag1"], t["tag2"]): t for t in view["by_tag"]}
    for (t1, t2), t in tags.items():
        s = rep.summary(1, [A[3], A[4], A[7]], tag1=t1, tag2=t2)
        assert (t["count"], Decimal(t["number"])) == (s.count, s.number), (t1, t2)
    assert tags[("starred", "")]["count"] == 3 and tags[("uptime", "")]["count"] == 1  # 87, 92.5, 70; -3

    revoked = _json(wd.cli("--account-index", "4", "agents", "revoke", "1", "2", "--json"))
    assert revoked["action"] == "revoked" and rep.read(1, A[4], 2).revoked
    before = _nonces(wd)
    assert _json(wd.cli("--account-index", "4", "agents", "revoke", "1", "2", "--json"))["action"] == "already revoked"
    assert _nonces(wd) == before
    assert rep.summary(1, [A[3], A[4], A[7]]).count == 3

    responded = _json(wd.cli("agents", "respond", "1", A[4], "1", "ipfs://bafy-thanks", "--json"))  # the agent's owner, account 0
    assert responded["action"] == "responded" and rep.response_count(1, A[4], 1) == 1
    before = _nonces(wd)
    assert _json(wd.cli("agents", "respond", "1", A[4], "1", "ipfs://bafy-thanks", "--json"))["action"] == "already responded"
    assert _nonces(wd) == before and rep.response_count(1, A[4], 1) == 1


def test_show_and_update_an_agent_wallet_by_key_and_by_erc1271(world):
    wd, ident = world, _ident(world)
    shown = _json(wd.cli("agents", "show", "2", "--client", A[3], "--json"))
    assert shown["owner"] == A[1] and shown["wallet"] == A[6]
    assert shown["registration"]["name"] == "Beta Runner" and shown["metadata"] == {"hashtrust.key": "beta"}
    assert shown["reputation"]["clients"] == [A[3]] and shown["validations"] == []

    one = _json(wd.cli("agents", "show", "1", "--client", A[3], "--json"))
    assert [v["request_hash"] for v in one["validations"]] == ["0x" + wd.h.hex()] and one["validations"][0]["validator"] == A[5]
    assert one["reputation"]["overall"]["count"] == _rep(wd).summary(1, [A[3]]).count

    v2 = registration("Alpha Reviewer v2", "code-review").to_data_uri()  # (a data: URI: `show` reads it without a network)
    for args, read in (
        (["agents", "set-uri", "1", v2], lambda: ident.token_uri(1)),
        (["agents", "set-metadata", "1", "homepage", "https://alpha.example"], lambda: ident.get_metadata(1, "homepage").decode()),
    ):
        r = _json(wd.cli(*args, "--json"))
        assert r["changed"] and read() == args[-1]
        before = _nonces(wd)
        assert not _json(wd.cli(*args, "--json"))["changed"] and _nonces(wd) == before

    by_key = _json(wd.cli("agents", "set-wallet", "1", "--wallet-key-env", "WALLET9", "--json"))
    assert by_key["changed"] and ident.get_agent_wallet(1) == A[9]
    before = _nonces(wd)
    assert not _json(wd.cli("agents", "set-wallet", "1", "--wallet-key-env", "WALLET9", "--json"))["changed"] and _nonces(wd) == before

    # an ERC-1271 contract wallet approves the digest `wallet-approval` prints, then set-wallet proves it
    art = artifacts.load("MockERC1271Wallet")
    receipt = TxSender(wd.w3, devnet_signer(2)).deploy(art.abi, art.bytecode)
    safe = wd.w3.eth.contract(address=Web3.to_checksum_address(receipt["contractAddress"]), abi=art.abi)
    approval = _json(wd.cli("agents", "wallet-approval", "1", safe.address, "--json"))
    assert approval["wallet"] == safe.address and approval["owner"] == A[0]
    refused = wd.cli("agents", "set-wallet", "1", "--wallet", safe.address, "--deadline", str(approval["deadline"]), "--signature", "0x01")
    assert refused.code != 0 and len(refused.errors) == 1 and ident.get_agent_wallet(1) == A[9]  # not approved yet
    TxSender(wd.w3, devnet_signer(2)).transact(safe.functions.approve_hash(bytes.fromhex(approval["digest"][2:]), True))
    r = _json(wd.cli("agents", "set-wallet", "1", "--wallet", safe.address, "--deadline", str(approval["deadline"]), "--signature", "0x01", "--json"))
    assert r["changed"] and ident.get_agent_wallet(1) == safe.address

    after = _json(wd.cli("agents", "show", "1", "--json"))
    assert after["wallet"] == safe.address and after["uri"] == v2
    assert after["metadata"] == {"hashtrust.key": "alpha", "homepage": "https://alpha.example"}
    assert after["registration"]["name"] == "Alpha Reviewer v2" and after["registration_error"] is None

    assert _json(wd.cli("agents", "unset-wallet", "1", "--json"))["changed"] and ident.get_agent_wallet(1) == ZERO_ADDRESS
    before = _nonces(wd)
    assert not _json(wd.cli("agents", "unset-wallet", "1", "--json"))["changed"] and _nonces(wd) == before


def test_register_a_standard_registration_file_rerun_and_update(world):
    wd, ident = world, _ident(world)
    path = wd.tmp / "reconciler.json"
    shutil.copy(ROOT / "examples" / "registration.json", path)  # the older revision's "endpoints", as other tools write it
    first = _json(wd.cli("agents", "register", str(path), "--json"))
    n = ident.total_agents()
    assert first["status"] == "registered" and first["key"] == "reconciler" and first["agent_id"] == n
    agent = first["agent_id"]
    assert ident.get_metadata(agent, "hashtrust.key") == b"reconciler" and ident.owner_of(agent) == A[0]
    doc = _json(wd.cli("agents", "show", str(agent), "--json"))["registration"]
    assert doc["name"] == "Invoice Reconciler" and doc["services"][0]["endpoint"].endswith("agent-card.json")

    before = _nonces(wd)
    assert _json(wd.cli("agents", "register", str(path), "--json"))["status"] == "already registered" and _nonces(wd) == before

    data = json.loads(path.read_text())
    data["description"] = "Matches invoices to orders; now also credit notes."
    path.write_text(json.dumps(data))
    updated = _json(wd.cli("agents", "register", str(path), "--json"))
    assert updated["status"] == "updated" and updated["agent_id"] == agent and ident.total_agents() == n
    assert "credit notes" in json.dumps(_json(wd.cli("agents", "show", str(agent), "--json"))["registration"])

    published = _json(wd.cli("agents", "register", str(path), "--uri", "https://reconciler.agents.example/agent.json", "--json"))
    assert published["status"] == "updated" and ident.token_uri(agent) == "https://reconciler.agents.example/agent.json"


def test_request_a_validation_and_read_its_answer(world):
    wd = world
    val = ValidationClient.from_book(wd.w3, wd.book)
    req = _json(wd.cli("--account-index", "1", "validations", "request", "2", A[5], "--payload", '{"task": "batch", "n": 3}', "--json"))
    assert req["action"] == "requested" and req["status"] == "PENDING"
    h = bytes.fromhex(req["request_hash"][2:])
    assert val.attestation(2, h).validator == A[5]
    before = _nonces(wd)
    again = _json(wd.cli("--account-index", "1", "validations", "request", "2", A[5], "--payload", '{"task": "batch", "n": 3}', "--json"))
    assert again["action"] == "already requested" and again["request_hash"] == req["request_hash"] and _nonces(wd) == before

    answered = wd.cli("--account-index", "5", "validate", "--once")
    assert answered.code == 0 and "answer agent 2" in answered.out, answered.out
    shown = _json(wd.cli("validations", "show", "2", req["request_hash"], "--json"))
    a = val.attestation(2, h)
    assert (shown["status"], shown["response"], shown["finalized"]) == (a.status.name, a.response, a.finalized) == ("FINALIZED", 100, True)
    assert shown["tag"] == "hashtrust" and shown["request_uri"].startswith("data:")
    listed = _json(wd.cli("validations", "list", "2", "--json"))
    assert listed["total"] == 1 and listed["answered"] == 1 and listed["requests"][0]["request_hash"] == req["request_hash"]


def test_the_devnet_faucet_tops_up_to_an_amount(world):
    wd = world
    who = Web3.to_checksum_address("0x" + "5a" * 20)
    usd = wd.w3.eth.contract(address=wd.book.address("TestUSD"), abi=artifacts.abi("DevToken"))
    wbtc = wd.w3.eth.contract(address=wd.book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    r = _json(wd.cli("devnet", "faucet", who, "--eth", "2", "--usd", "1,500.25", "--wbtc", "0.5", "--json"))
    assert [g["asset"] for g in r["grants"]] == ["ETH", "USD", "wBTC"]
    assert wd.w3.eth.get_balance(who) == 2 * 10**18
    assert usd.functions.balanceOf(who).call() == 1_500_250_000 and wbtc.functions.balanceOf(who).call() == 50_000_000
    before = _nonces(wd)
    again = wd.cli("devnet", "faucet", who, "--eth", "2", "--usd", "1,500.25", "--wbtc", "0.5")
    assert again.code == 0 and again.out.count("nothing sent") == 3 and _nonces(wd) == before, again.out
    more = _json(wd.cli("devnet", "faucet", who, "--eth", "0", "--usd", "3000", "--wbtc", "0", "--json"))
    assert [g["asset"] for g in more["grants"]] == ["USD"] and usd.functions.balanceOf(who).call() == 3_000_000_000
    assert wd.w3.eth.get_balance(who) == 2 * 10**18


def test_bulk_rating_shows_progress_on_every_step_that_grows_with_the_clients(world):
    wd = world
    r = wd.cli("agents", "rate", "--generate", "120", "--clients", "60", "--agents", "1,2", "--seed", "3")
    assert r.code == 0, r.out
    for step in ("client keys", "client balances", "funding clients", "settling clients", "scanning given feedback", "rating"):
        assert step in r.out, (step, r.out[-2_000:])
    before = _nonces(wd)
    rerun = wd.cli("agents", "rate", "--generate", "120", "--clients", "60", "--agents", "1,2", "--seed", "3")
    assert rerun.code == 0 and "scanning given feedback" in rerun.out and "0 sent" in rerun.out, rerun.out[-2_000:]
    assert _nonces(wd) == before


def test_ranking_many_agents_shows_progress(world):
    wd = world
    n = many_agents(wd.tmp / "many.json", copies=3)  # 63 agents: above the 50 that get a bar
    assert wd.cli("agents", "register", str(wd.tmp / "many.json"), "--no-progress").code == 0
    total = _ident(wd).total_agents()
    assert total >= n
    r = wd.cli("agents", "rank", "code-review", "--trusted-clients", "0-9")
    assert r.code == 0 and f"reading {total:,} agents" in r.out, r.out[-2_000:]
    quiet = wd.cli("agents", "rank", "code-review", "--trusted-clients", "0-9", "--no-progress")
    assert quiet.code == 0 and "reading" not in quiet.out


def test_the_reputation_average_is_exact_when_the_registry_truncates(world):
    """Issue 15, item 4: values 1 and 2 (and 2.5, another decimals) were shown as the registry's
    truncated mean; the view prints the exact average and keeps the registry's figure in JSON."""
    wd, rep = world, _rep(world)
    for who, value in ((2, "1"), (8, "2")):
        assert _json(wd.cli("--account-index", str(who), "agents", "give", "1", value, "--tag1", "mixed", "--json"))["action"] == "given"
    chain = rep.summary(1, [A[2], A[8]])
    assert (chain.count, chain.number) == (2, 1)  # the registry's own answer: truncated
    view = _json(wd.cli("agents", "reputation", "1", "--client", A[2], "--client", A[8], "--json"))
    assert (view["overall"]["count"], view["overall"]["number"], view["overall"]["average"]) == (2, "1", "1.5")
    text = wd.cli("agents", "reputation", "1", "--client", A[2], "--client", A[8])
    assert text.code == 0 and [ln.split()[-2:] for ln in text.out.splitlines() if ln.strip().startswith("mixed")] == [["1.5", "2"]], text.out
    assert _json(wd.cli("--account-index", "9", "agents", "give", "1", "2.5", "--tag1", "mixed", "--json"))["action"] == "given"
    view = _json(wd.cli("agents", "reputation", "1", "--client", A[2], "--client", A[8], "--client", A[9], "--tag1", "mixed", "--json"))
    assert view["by_tag"][0]["average"] == "~1.833333333333" and view["overall"]["average"] == "~1.833333333333"


def test_an_oversized_payload_is_refused_naming_payload(world):
    """Issue 15, item 12: the error named the SDK's `request_uri`, not the --payload typed."""
    wd = world
    before = _nonces(wd)
    r = wd.cli("--account-index", "1", "validations", "request", "2", A[5], "--payload", json.dumps({"blob": "x" * 20_000}))
    assert r.code == 1 and len(r.errors) == 1, r.out
    assert r.errors[0].startswith("Error: --payload: is too large: the request file that carries it, as a data: URI, is ") and "request_uri" not in r.out
    assert "pass --uri" in r.errors[0] and _nonces(wd) == before
