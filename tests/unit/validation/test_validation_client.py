"""The Python side: request files hash to the request hash, URIs are fetched, the default
check tells honest from lying payloads, and the client refuses bad input before sending."""

import base64
import json

import pytest
from eth_utils import keccak
from validation_story import ALICE_AGENT, MALLORY_AGENT

from hashtrust.chain.fetch import FetchPolicy, fetch
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.validation import (
    RequestFile,
    Status,
    ValidationClient,
    canonical_json,
    data_uri,
    payload_hash,
)
from hashtrust.erc8004.validator import (
    Job,
    ValidatorAgent,
    Verdict,
    default_check,
    load_check,
)
from hashtrust.errors import HashtrustError, InputError, RevertError

IDENT = "0x" + "11" * 20
VALIDATOR = "0x" + "22" * 20


def _file(**kw):
    return RequestFile.build(31337, IDENT, 5, VALIDATOR, {"b": 2, "a": [1, "x"]}, created_at="2026-01-01T00:00:00Z", **kw)


def test_request_file_is_canonical_and_its_keccak_is_the_hash():
    req = _file()
    content = req.content()
    assert content == canonical_json(json.loads(content))
    assert b" " not in content and content.index(b'"agentId"') < content.index(b'"type"')
    assert req.hash == keccak(content)
    assert fetch(req.uri()) == content
    assert RequestFile.parse(content) == req
    assert json.loads(content)["agentRegistry"] == f"eip155:31337:{IDENT}"


def test_default_check_recomputes_the_payload_hash():
    honest = _file()
    assert default_check(honest, honest.content()).response == 100
    lying = _file(claimed_hash=payload_hash({"b": 3}))
    v = default_check(lying, lying.content())
    assert v.response == 0 and "mismatch" in v.reason


def test_fetch_supports_data_and_served_files_and_refuses_unknown_schemes(tmp_path):
    assert fetch("data:,hello%20world") == b"hello world"
    assert fetch("data:application/json;base64," + base64.b64encode(b"{}").decode()) == b"{}"
    p = tmp_path / "req.json"
    p.write_bytes(b"abc")
    with pytest.raises(HashtrustError, match="local files are not fetched"):
        fetch(p.as_uri())  # never by default (issue 22, defect 4)
    served = FetchPolicy(local_dir=tmp_path)
    assert fetch(p.as_uri(), served) == b"abc"
    with pytest.raises(HashtrustError, match="scheme 'ftp' is not fetched"):
        fetch("ftp://example.com/x")
    with pytest.raises(HashtrustError, match="malformed base64"):
        fetch("data:;base64,@@@")
    with pytest.raises(HashtrustError, match="cannot be read"):
        fetch((tmp_path / "missing").as_uri(), served)


def test_parse_rejects_foreign_or_broken_files():
    with pytest.raises(HashtrustError, match="not JSON"):
        RequestFile.parse(b"{")
    with pytest.raises(HashtrustError, match="type"):
        RequestFile.parse(b'{"type": "other"}')
    with pytest.raises(HashtrustError, match="lacks"):
        RequestFile.parse(b'{"type": "hashtrust/validation-request-v1"}')


def test_load_check_from_file_and_module(tmp_path):
    f = tmp_path / "checks.py"
    f.write_text("def half(req, content):\n    return 50\n")
    assert load_check(f"{f}:half")(None, b"") == 50
    assert load_check("hashtrust.erc8004.validator:default_check") is default_check
    with pytest.raises(HashtrustError):
        load_check("no-colon")
    with pytest.raises(HashtrustError, match="not a function"):
        load_check("hashtrust.erc8004.validator:MAX_PAGE")


def test_client_refuses_bad_input_before_sending(w3, registry, alice):
    val = ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))
    h = keccak(text="x")
    with pytest.raises(InputError, match="request_uri"):
        val.request(VALIDATOR, 1, "u" * 4097, h)
    with pytest.raises(InputError, match="request_hash"):
        val.request(VALIDATOR, 1, "", b"\x00" * 32)
    with pytest.raises(InputError, match="validator"):
        val.request("0x" + "00" * 20, 1, "", h)
    with pytest.raises(InputError, match="response"):
        val.respond(h, 101)
    with pytest.raises(InputError, match="tag"):
        val.respond(h, 1, tag="t" * 32)
    with pytest.raises(InputError, match="limit"):
        val.agent_validations_page(1, 0, 1025)
    with pytest.raises(InputError, match="agent_id"):
        val.request_file(VALIDATOR, 6, _file())


def test_client_round_trip_on_chain(w3, registry, identity, alice, carol):
    """alice requests with a request file, carol answers and finalises through the SDK."""
    val_a = ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))
    val_c = val_a.with_sender(TxSender(w3, LocalSigner.from_key(carol.private_key)))
    req = RequestFile.build(w3.eth.chain_id, identity.address, ALICE_AGENT, carol.address, {"job": 1})
    h, receipt = val_a.request_file(carol.address, ALICE_AGENT, req)
    assert val_a.events(receipt, "ValidationRequest")[0]["requestURI"] == req.uri()
    assert val_a.attestation(ALICE_AGENT, h).status == Status.PENDING
    assert val_c.validator_requests(carol.address) == [(h, ALICE_AGENT)]
    assert val_c.request_uris(carol.address) == {(ALICE_AGENT, h): req.uri()}
    val_c.respond(h, 70, tag="t")
    assert val_a.state(h).status == Status.ANSWERED
    val_c.finalize(ALICE_AGENT, h)
    att = val_a.attestation(ALICE_AGENT, h)
    assert (att.status, att.response, att.finalized) == (Status.FINALIZED, 70, True)
    assert val_a.summary(ALICE_AGENT) == (1, 70) == val_a.summary_spec(ALICE_AGENT)
    assert val_a.agent_validations(ALICE_AGENT) == [h]
    assert val_a.status(h).tag == "t"
    assert Verdict(1).response == 1


def test_validator_agent_leaves_a_vault_epoch_request_to_the_pool_watcher(w3, registry, carol):
    """carol is listed by a hashrate vault and also runs the generic validator agent: the vault's
    epoch requests (hashed by the vault, not keccak of the file) are skipped, never answered 0,
    while a file that merely fails to hash to its requestHash still gets 0."""
    agent = ValidatorAgent(ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(carol.private_key))))
    doc = {"vault": "0x" + "ab" * 20, "epoch": 3, "delivered": 10**21, "gross": 40_000, "reportHash": "0x" + "42" * 32, "validator": carol.address}
    vault_job = Job(0, ALICE_AGENT, b"\x07" * 32, None, data_uri(canonical_json(doc)))
    with pytest.raises(HashtrustError, match="pool watcher"):
        agent.evaluate(vault_job)
    other = Job(1, ALICE_AGENT, b"\x07" * 32, None, data_uri(canonical_json({"epoch": 3, "validator": carol.address})))
    v = agent.evaluate(other)
    assert (v.response, v.reason) == (0, "request file does not hash to requestHash")


def test_client_cancel_then_the_validator_still_answers(w3, registry, identity, alice, carol):
    """A cancel is a withdrawal notice: the SDK reads it (`is_cancelled`, status CANCELLED until
    an answer), and the validator's answer still lands and counts."""
    val_a = ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))
    val_c = val_a.with_sender(TxSender(w3, LocalSigner.from_key(carol.private_key)))
    req = RequestFile.build(w3.eth.chain_id, identity.address, ALICE_AGENT, carol.address, {"job": "withdrawn"})
    h, _ = val_a.request_file(carol.address, ALICE_AGENT, req)
    receipt = val_a.cancel(ALICE_AGENT, h)
    assert val_a.events(receipt, "ValidationCancelled")[0]["cancelledBy"] == alice.address
    assert (val_a.attestation(ALICE_AGENT, h).status, val_a.is_cancelled(ALICE_AGENT, h)) == (Status.CANCELLED, True)
    val_c.respond(h, 15, tag="late", agent_id=ALICE_AGENT, finalize=True)
    att = val_a.attestation(ALICE_AGENT, h)
    assert (att.status, att.response, att.finalized, val_a.is_cancelled(ALICE_AGENT, h)) == (Status.FINALIZED, 15, True, True)
    assert val_a.summary(ALICE_AGENT, [carol.address], "late") == (1, 15)


def test_validator_agent_skips_withdrawn_requests_unless_told_to_answer_them(w3, registry, identity, alice, carol):
    val_a = ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))
    carol_sender = TxSender(w3, LocalSigner.from_key(carol.private_key))
    req = RequestFile.build(w3.eth.chain_id, identity.address, ALICE_AGENT, carol.address, {"job": "skip me"})
    h, _ = val_a.request_file(carol.address, ALICE_AGENT, req)
    val_a.cancel(ALICE_AGENT, h)
    polite = ValidatorAgent(ValidationClient(w3, registry.address, carol_sender))
    report = polite.run_once()
    assert report.answered == [] and report.done >= 1
    assert val_a.attestation(ALICE_AGENT, h).status == Status.CANCELLED
    strict = ValidatorAgent(ValidationClient(w3, registry.address, carol_sender), answer_cancelled=True)
    report = strict.run_once()
    assert (ALICE_AGENT, "0x" + h.hex(), 100) in report.answered
    assert val_a.attestation(ALICE_AGENT, h).status == Status.FINALIZED
    assert strict.run_once().answered == []  # finalised: nothing left to do


def test_validator_agent_answer_lands_when_the_request_is_cancelled_meanwhile(w3, registry, identity, alice, carol):
    """Issue 22 items 5 and 10: the owner cancels while the agent fetches and checks; on main
    the answer then reverted `validation: cancelled` (and killed the loop). It lands now."""
    val_a = ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))
    req = RequestFile.build(w3.eth.chain_id, identity.address, ALICE_AGENT, carol.address, {"job": "race"})
    h, _ = val_a.request_file(carol.address, ALICE_AGENT, req)

    def cancelling_check(request, content):
        val_a.cancel(ALICE_AGENT, h)  # the requester races the verdict
        return Verdict(10, "unfavourable")

    agent = ValidatorAgent(ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(carol.private_key))), cancelling_check)
    report = agent.run_once()
    assert (ALICE_AGENT, "0x" + h.hex(), 10) in report.answered
    att = val_a.attestation(ALICE_AGENT, h)
    assert (att.status, att.response, val_a.is_cancelled(ALICE_AGENT, h)) == (Status.FINALIZED, 10, True)


def test_sdk_respond_without_agent_resolves_the_validators_own_record_never_the_squatters(w3, registry, identity, alice, mallory, carol, dave):
    """Audit F1 (SDK path): `respond(h, s, finalize=True)` without `agent_id` once took the agent
    from the hash's first record, so a squatter who front-ran alice's hash got carol's final
    answer. It now takes the record naming carol (`getRequestAgent`), and refuses, sending
    nothing, when two agents' records of the hash name carol."""
    val_a = ValidationClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))
    val_m = val_a.with_sender(TxSender(w3, LocalSigner.from_key(mallory.private_key)))
    val_c = val_a.with_sender(TxSender(w3, LocalSigner.from_key(carol.private_key)))
    h1, h2 = keccak(text="sdk-squat-other-validator"), keccak(text="sdk-squat-same-validator")
    val_m.request(dave.address, MALLORY_AGENT, "", h1)  # squat naming mallory's validator
    val_a.request(carol.address, ALICE_AGENT, "", h1)
    assert val_c.request_agent(h1, carol.address) == ALICE_AGENT
    receipt = val_c.respond(h1, 80, finalize=True)
    assert [e["agentId"] for e in val_c.events(receipt, "ValidationFinalized")] == [ALICE_AGENT]
    assert val_a.attestation(ALICE_AGENT, h1).status == Status.FINALIZED
    assert val_a.attestation(MALLORY_AGENT, h1).status == Status.PENDING

    val_m.request(carol.address, MALLORY_AGENT, "", h2)  # squat naming alice's validator
    val_a.request(carol.address, ALICE_AGENT, "", h2)
    nonce = w3.eth.get_transaction_count(carol.address)
    with pytest.raises(RevertError, match="ambiguous request"):
        val_c.respond(h2, 80, finalize=True)
    assert w3.eth.get_transaction_count(carol.address) == nonce  # nothing was sent
    assert val_a.attestation(MALLORY_AGENT, h2).status == Status.PENDING
    val_c.respond(h2, 80, agent_id=ALICE_AGENT, finalize=True)
    assert val_a.attestation(ALICE_AGENT, h2).status == Status.FINALIZED
    assert val_a.attestation(MALLORY_AGENT, h2).status == Status.PENDING
