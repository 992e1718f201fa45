"""The SDK side: human numbers in and out, inputs refused before anything is sent, the
feedback file and its hash, rating rows and the behaviour model, capability matching; and the
client against a deployed registry (alice rates carol's agent with "99.77")."""

import json
from decimal import Decimal

import pytest
from eth_utils import keccak
from pydantic import ValidationError

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.discovery import Ranked, capabilities, fetch_registration, rank, table
from hashtrust.erc8004.feedback import FeedbackFile, caip10, verify
from hashtrust.erc8004.rating import Row, generate_rows, load_rows, rows_to_json
from hashtrust.erc8004.reputation import ReputationClient, decode_value, encode_value
from hashtrust.errors import InputError

REG = "0x" + "11" * 20
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize(
    "human, pair",
    [(87, (87, 0)), ("99.77", (9977, 2)), ("-3.2", (-32, 1)), (Decimal("99.70"), (9970, 2)), (0.1, (1, 1)), ("1e2", (100, 0)), ("0.000000000000000001", (1, 18))],
)
def test_human_numbers_encode_and_decode(human, pair):
    assert encode_value(human) == pair
    expected = Decimal(repr(human)) if isinstance(human, float) else Decimal(str(human))
    assert decode_value(*pair) == expected


def test_forced_decimals():
    assert encode_value("87", 2) == (8700, 2)
    with pytest.raises(InputError, match="not exact"):
        encode_value("1.234", 2)


@pytest.mark.parametrize("bad", ["abc", "nan", "inf", True, "0.0000000000000000001", "1e39", 10**38 + 1])
def test_bad_numbers_are_refused_in_python(bad):
    with pytest.raises(InputError):
        encode_value(bad)


def test_feedback_file_hash_is_keccak_of_the_data_uri_content():
    f = FeedbackFile.build(chain_id=31337, registry=REG, agent_id=3, client=ALICE, value="99.77", tag1="uptime", created_at="2026-01-01T00:00:00Z",
                           mcp={"tool": "summarize"}, proofOfPayment={"fromAddress": ALICE, "toAddress": REG, "chainId": 31337, "txHash": "0x" + "ab" * 32})
    assert (f.value, f.valueDecimals, f.number) == (9977, 2, Decimal("99.77"))
    assert f.agentRegistry == caip10(31337, REG) and f.clientAddress == f"eip155:31337:{ALICE}"
    body = f.canonical_bytes()
    assert json.loads(body)["mcp"] == {"tool": "summarize"} and "tag2" not in json.loads(body)
    assert f.feedback_hash() == keccak(body) and verify(body, f.feedback_hash())
    assert FeedbackFile.from_data_uri(f.data_uri()) == f
    g = FeedbackFile.build(chain_id=31337, registry=REG, agent_id=3, client=ALICE, value="99.77", tag1="uptime", created_at="2026-01-01T00:00:00Z", hashtrustRow="r1")
    assert g.feedback_hash() != FeedbackFile.build(chain_id=31337, registry=REG, agent_id=3, client=ALICE, value="99.77", tag1="uptime", created_at="2026-01-01T00:00:00Z", hashtrustRow="r2").feedback_hash()


@pytest.mark.parametrize(
    "change",
    [{"agentRegistry": "0x1234"}, {"clientAddress": "eip155:1:" + ALICE}, {"createdAt": "yesterday"}, {"valueDecimals": 19}, {"value": 10**38 + 1}, {"tag1": "x" * 33}, {"endpoint": "e" * 513}],
)
def test_feedback_file_rejects_malformed_fields(change):
    base = dict(agentRegistry=caip10(31337, REG), agentId=1, clientAddress=caip10(31337, ALICE), createdAt="2026-01-01T00:00:00Z", value=1, valueDecimals=0)
    with pytest.raises(ValidationError):
        FeedbackFile(**{**base, **change})


def test_rows_from_file_and_model(tmp_path):
    rows = generate_rows(3, [1, 2, 3], 10, 50)
    assert rows == generate_rows(3, [1, 2, 3], 10, 50) and rows != generate_rows(4, [1, 2, 3], 10, 50)
    assert {r.tag1 for r in rows} <= {"starred", "uptime"}
    assert all(0 <= r.client < 10 and r.agent in (1, 2, 3) for r in rows)
    for r in rows:
        v, d = encode_value(r.value)
        assert d in (0, 2) and (d == 2) == (r.tag1 == "uptime")
    p = tmp_path / "rows.json"
    p.write_text(rows_to_json(rows))
    assert load_rows(p) == rows
    p.write_text(json.dumps({"rows": [{"id": "a", "client": 0, "agent": 1, "value": "1"}, {"id": "a", "client": 1, "agent": 1, "value": "2"}]}))
    with pytest.raises(InputError, match="unique"):
        load_rows(p)
    p.write_text(json.dumps({"rows": [{"id": "a", "client": 0, "agent": 1, "value": "lots"}]}))
    with pytest.raises(InputError):
        load_rows(p)
    with pytest.raises(InputError):
        Row("x", -1, 1, "1").check("row")


def test_capabilities_from_registration_files():
    reg = {"services": [{"name": "MCP", "skills": ["natural_language_processing/Summarize"], "domains": ["news"]}, {"name": "A2A"}], "skills": ["chess"]}
    caps = capabilities(reg)
    assert {"mcp", "a2a", "summarize", "natural_language_processing/summarize", "news", "chess"} <= caps
    assert "trading" not in caps
    from hashtrust.erc8004.registration import RegistrationFile

    agents = json.loads((__import__("pathlib").Path(__file__).resolve().parents[3] / "examples" / "agents.json").read_text())["agents"]
    for a in (a for a in agents if "registration" in a):  # what the registration model sees, discovery sees too
        assert {c.lower() for c in RegistrationFile.model_validate(a["registration"]).capability_set()} <= capabilities(a["registration"])
    assert json.loads(fetch_registration("data:application/json," + '{"a":%201}')) == {"a": 1}


def test_rank_refuses_an_empty_trusted_list():
    with pytest.raises(Exception, match="trusted"):
        rank(None, None, "x", [])


def test_ranking_table_and_its_heading():
    ranked = [Ranked(7, "Pool Watch", 3, 9_550, 2, ["mcp"]), Ranked(2, "New", 0, 0, 0, ["mcp"])]
    lines = table(ranked, 1, capability="mcp", n_trusted=20, tag1="starred").splitlines()
    assert lines[0] == "agents offering 'mcp', ranked over 20 trusted client(s), tag1='starred'"
    assert lines[2].split() == ["1", "7", "Pool", "Watch", "95.50", "3"]
    assert lines[3].split() == ["2", "2", "New", "-", "0"]
    assert table(ranked).splitlines()[0].split() == ["#", "agent", "name", "score", "n"]


@pytest.fixture
def client(w3, rep, alice):
    return ReputationClient(w3, rep.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))


def test_client_gives_human_numbers_and_decodes_the_summary(client, alice, bob, w3, rep):
    assert client.give(1, "99.77", tag1="uptime") == 1
    assert client.give(1, 87, tag1="starred", feedback_uri="ipfs://x", feedback_hash="0x" + "ab" * 32) == 2
    bob_client = client.with_sender(TxSender(w3, LocalSigner.from_key(bob.private_key)))
    bob_client.give(1, "-3.2")
    fb = client.read(1, alice.address, 1)
    assert (fb.value, fb.decimals, fb.tag1, fb.number) == (9977, 2, "uptime", Decimal("99.77"))
    s = client.summary(1, [alice.address, bob.address])
    assert (s.count, s.decimals, s.number) == (3, 0, Decimal(61))  # (99.77 + 87 - 3.2) / 3 = 61.19 -> tie -> 0 decimals
    assert [f.index for f in client.read_all(1, page_size=2)] == [1, 2, 1]
    assert client.clients(1, page_size=1) == [alice.address, bob.address]
    assert client.last_index(1, alice.address) == 2
    client.revoke(1, 1)
    assert client.summary(1, [alice.address]).number == Decimal(87)
    bob_client.respond(1, alice.address, 2, "ipfs://thanks")
    assert client.response_count(1) == 1


def test_client_refuses_bad_inputs_before_sending(client, carol, w3):
    nonce = w3.eth.get_transaction_count(client.sender.address)
    with pytest.raises(InputError, match="tag1"):
        client.give(1, 1, tag1="x" * 33)
    with pytest.raises(InputError, match="endpoint"):
        client.give(1, 1, endpoint="e" * 513)
    with pytest.raises(InputError, match="feedback_hash"):
        client.give(1, 1, feedback_hash=b"short")
    with pytest.raises(InputError, match="clients"):
        client.summary(1, [])
    with pytest.raises(InputError, match="response_uri"):
        client.respond(1, carol.address, 1, "")
    with pytest.raises(InputError, match="index"):
        client.revoke(1, 0)
    for bad in (0, -1, True, 2.5):
        with pytest.raises(InputError, match="page_size"):
            list(client.read_all(1, page_size=bad))  # 0 looped forever on main
    assert w3.eth.get_transaction_count(client.sender.address) == nonce


def test_read_all_of_every_client_sees_feedback_given_meanwhile_once(client, alice, bob, w3):
    """The generator reads a page, the agent gets more feedback (from an earlier client too),
    the next pages continue where the last one stopped: every feedback exactly once."""
    bob_client = client.with_sender(TxSender(w3, LocalSigner.from_key(bob.private_key)))
    client.give(1, 1)
    bob_client.give(1, 2)
    client.give(1, 3)
    seen = []
    for fb in client.read_all(1, page_size=2):
        seen.append((fb.client, fb.index, fb.value))
        if len(seen) == 2:
            client.give(1, 4)  # alice, the first client, again
            bob_client.give(1, 5)
    assert seen == [(alice.address, 1, 1), (bob.address, 1, 2), (alice.address, 2, 3), (alice.address, 3, 4), (bob.address, 2, 5)]


def test_response_counts_follow_the_reference(client, alice, bob, w3):
    bob_client = client.with_sender(TxSender(w3, LocalSigner.from_key(bob.private_key)))
    client.give(1, 1)
    client.give(1, 2)
    bob_client.respond(1, alice.address, 1, "ipfs://a")
    bob_client.respond(1, alice.address, 2, "ipfs://b")
    assert client.response_count(1) == 2
    assert client.response_count(1, index=1) == 2  # every client: the index is not looked at
    assert client.response_count(1, alice.address, 1) == 1
    assert client.response_count(1, alice.address) == 2
    assert client.response_count(1, responders=[bob.address]) == 2
    assert client.response_count(1, responders=[alice.address]) == 0
