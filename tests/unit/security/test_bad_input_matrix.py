"""The bad-input matrix: every case ends in a clear error and changes nothing.

Story: alice owns agent 1 (dave is its wallet), bob has rated it once, alice asked carol to
validate job H. Then mallory, a careless integrator and broken input files throw bad input at
the three registries, the Python clients and the script loaders. Each case must raise a clear
error (an ``InputError`` naming the field, a ``RevertError`` carrying the contract's
"module: rule" reason, or a parse error naming the entry), and the snapshot of every record,
balance and nonce involved (``_snapshot``) must be identical before and after: nothing was sent
(nonces) and nothing was written (records).

Cases marked "contract" bypass the client's Python checks (raw contract call through
`TxSender.transact`), so the contract's own guard is what answers.
"""

from __future__ import annotations

import base64
import json

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from pydantic import ValidationError

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.agents import load_agent_file, parse_agents
from hashtrust.erc8004.feedback import FeedbackFile
from hashtrust.erc8004.identity import IdentityClient, wallet_typed_data
from hashtrust.erc8004.rating import load_rows
from hashtrust.erc8004.registration import (
    REGISTRATION_TYPE,
    RegistrationFile,
    decode_data_uri,
    parse_registration,
)
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.erc8004.validator import load_check
from hashtrust.errors import InputError, RevertError
from hashtrust.hashrate.operator import load_pool_report

ZERO = "0x0000000000000000000000000000000000000000"
H = b"\x11" * 32
DAVE = Account.from_key(b"\x0d" * 32)
NOBODY = 999_999


class World:
    """Deployed registries, one client per actor, and the actors' addresses."""


@pytest.fixture(scope="module")
def world(project, w3, deployer, alice, bob, carol, mallory):
    wd = World()
    idr = deployer.deploy(project.IdentityRegistry)
    rep = deployer.deploy(project.ReputationRegistry, idr.address)
    val = deployer.deploy(project.ValidationRegistry, idr.address)
    wd.actors = {"alice": alice, "bob": bob, "carol": carol, "mallory": mallory}
    wd.addr = {k: a.address for k, a in wd.actors.items()}
    senders = {k: TxSender(w3, LocalSigner.from_key(a.private_key)) for k, a in wd.actors.items()}
    wd.id = {k: IdentityClient(w3, idr.address, s) for k, s in senders.items()}
    wd.rep = {k: ReputationClient(w3, rep.address, s) for k, s in senders.items()}
    wd.val = {k: ValidationClient(w3, val.address, s) for k, s in senders.items()}
    wd.sender = senders
    wd.w3 = w3
    wd.agent = wd.id["alice"].register("ipfs://alice-agent", {"k": b"v"})
    wd.id["alice"].set_agent_wallet(wd.agent, DAVE)
    wd.rep["bob"].give(wd.agent, "87.5", tag1="uptime")
    wd.val["alice"].request(wd.addr["carol"], wd.agent, "ipfs://job", H)
    return wd


def _snapshot(wd: World) -> dict:
    """Every record and balance a bad input could touch."""
    w3, a, ident, rep, val = wd.w3, wd.agent, wd.id["alice"], wd.rep["alice"], wd.val["alice"]
    return {
        "agents": ident.total_agents(),
        "agent": (ident.owner_of(a), ident.token_uri(a), ident.get_agent_wallet(a), ident.last_wallet_deadline(a), ident.get_metadata(a, "k"),
                  ident.get_metadata(a, "x")),
        "agent_counts": {k: ident.balance_of(v) for k, v in wd.addr.items()},
        "feedback": {k: rep.last_index(a, v) for k, v in wd.addr.items()},
        "bob_fb": rep.read(a, wd.addr["bob"], 1),
        "clients": rep.clients(a),
        "summary": rep.summary(a, [wd.addr["bob"]]),
        "validation": (val.state(H), val.agent_validations(a), val.summary(a)),
        "eth": {k: w3.eth.get_balance(v) for k, v in wd.addr.items()},
        "nonces": {k: w3.eth.get_transaction_count(v) for k, v in wd.addr.items()},
    }


def _sig(wd, *, chain_id=None, registry=None, agent=None, wallet=DAVE, owner=None, deadline):
    typed = wallet_typed_data(chain_id or wd.w3.eth.chain_id, registry or wd.id["alice"].address, agent or wd.agent, wallet.address,
                              owner or wd.addr["alice"], deadline)
    return bytes(wallet.sign_message(encode_typed_data(full_message=typed)).signature)


def _now(wd) -> int:
    return wd.w3.eth.get_block("latest")["timestamp"]


def _dl(wd) -> int:
    """A deadline the registry would accept (later than the last one used, within 300 s)."""
    return wd.id["alice"].next_wallet_deadline(wd.agent)


def _raw(wd, who, client_kind, fn, *args):
    """Call the contract directly (the client's Python checks are skipped)."""
    client = getattr(wd, client_kind)[who]
    return wd.sender[who].transact(client.contract.functions[fn](*args))


def _high_s(sig: bytes) -> bytes:
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(sig[32:64], "big")
    return sig[:32] + (n - s).to_bytes(32, "big") + bytes([55 - sig[64]])


def _data_uri(obj) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(obj).encode()).decode()


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def _write_bytes(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


_ROW = {"id": "a", "client": 0, "agent": 1, "value": "87"}


# (case id, action(world, tmp_path), expected exception, text the message must contain)
CASES = [
    # ---------------------------------------------------------------- identity: client checks
    ("id-uri-oversized", lambda wd, t: wd.id["mallory"].register("x" * 8_193), InputError, "agentURI"),
    ("id-too-many-metadata", lambda wd, t: wd.id["mallory"].register("", {f"k{i}": b"v" for i in range(17)}), InputError, "metadata"),
    ("id-metadata-key-oversized", lambda wd, t: wd.id["mallory"].register("", {"k" * 65: b"v"}), InputError, "key"),
    ("id-metadata-value-oversized", lambda wd, t: wd.id["alice"].set_metadata(wd.agent, "x", b"v" * 1_025), InputError, "value"),
    ("id-reserved-key-client", lambda wd, t: wd.id["mallory"].register("", {"agentWallet": b"\x00" * 20}), InputError, "agentWallet"),
    ("id-agent-id-zero", lambda wd, t: wd.id["alice"].set_agent_uri(0, "ipfs://x"), InputError, "agentId"),
    ("id-agent-id-negative", lambda wd, t: wd.id["alice"].unset_agent_wallet(-1), InputError, "agentId"),
    ("id-wallet-zero-address", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, ZERO, signature=b"\x01" * 65, deadline=_now(wd) + 60),
     InputError, "zero address"),
    ("id-wallet-not-an-address", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, "0x1234", signature=b"\x01" * 65, deadline=_now(wd) + 60),
     InputError, "newWallet"),
    ("id-wallet-signature-empty", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE.address, signature=b"", deadline=_now(wd) + 60),
     InputError, "signature"),
    ("id-wallet-signature-oversized", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE.address, signature=b"\x01" * 513, deadline=_now(wd) + 60),
     InputError, "signature"),
    ("id-transfer-to-zero", lambda wd, t: wd.id["alice"].transfer(wd.agent, ZERO), InputError, "zero address"),
    # ---------------------------------------------------------------- identity: contract guards
    ("id-reserved-key-contract", lambda wd, t: _raw(wd, "mallory", "id", "register", "", [("agentWallet", b"\x00" * 20)]), RevertError, "identity: reserved key"),
    ("id-empty-key-contract", lambda wd, t: _raw(wd, "mallory", "id", "register", "", [("", b"v")]), RevertError, "identity:"),
    ("id-uri-missing-agent", lambda wd, t: wd.id["alice"].set_agent_uri(NOBODY, "ipfs://x"), RevertError, ""),
    ("id-uri-by-stranger", lambda wd, t: wd.id["mallory"].set_agent_uri(wd.agent, "ipfs://stolen"), RevertError, ""),
    ("id-metadata-by-stranger", lambda wd, t: wd.id["mallory"].set_metadata(wd.agent, "x", b"1"), RevertError, ""),
    ("id-wallet-by-stranger", lambda wd, t: wd.id["mallory"].set_agent_wallet(wd.agent, Account.from_key(b"\x0e" * 32)), RevertError, ""),
    ("id-wallet-sig-truncated", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE.address, signature=_sig(wd, deadline=_dl(wd))[:64],
                                                                              deadline=_dl(wd)), RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-high-s", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE.address, signature=_high_s(_sig(wd, deadline=_dl(wd))),
                                                                           deadline=_dl(wd)), RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-bad-v", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE.address, signature=_sig(wd, deadline=_dl(wd))[:64] + b"\x1d",
                                                                          deadline=_dl(wd)), RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-wrong-chain", lambda wd, t: wd.id["alice"].set_agent_wallet(
        wd.agent, DAVE.address, signature=_sig(wd, chain_id=wd.w3.eth.chain_id + 1, deadline=_dl(wd)), deadline=_dl(wd)),
     RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-wrong-contract", lambda wd, t: wd.id["alice"].set_agent_wallet(
        wd.agent, DAVE.address, signature=_sig(wd, registry=wd.rep["alice"].address, deadline=_dl(wd)), deadline=_dl(wd)),
     RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-other-agent", lambda wd, t: wd.id["alice"].set_agent_wallet(
        wd.agent, DAVE.address, signature=_sig(wd, agent=wd.agent + 1, deadline=_dl(wd)), deadline=_dl(wd)),
     RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-other-owner", lambda wd, t: wd.id["alice"].set_agent_wallet(
        wd.agent, DAVE.address, signature=_sig(wd, owner=wd.addr["mallory"], deadline=_dl(wd)), deadline=_dl(wd)),
     RevertError, "identity: invalid wallet signature"),
    ("id-wallet-sig-expired", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE, deadline=_now(wd) - 1), RevertError, "identity: signature expired"),
    ("id-wallet-deadline-too-far", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE, deadline=_now(wd) + 10_000), RevertError,
     "identity: deadline too far"),
    ("id-wallet-sig-replayed", lambda wd, t: wd.id["alice"].set_agent_wallet(wd.agent, DAVE, deadline=wd.id["alice"].last_wallet_deadline(wd.agent)),
     RevertError, "identity: signature already used"),
    # ---------------------------------------------------------------- reputation: client checks
    ("rep-value-too-large", lambda wd, t: wd.rep["mallory"].give(wd.agent, 10**38 + 1), InputError, ""),
    ("rep-too-many-decimals", lambda wd, t: wd.rep["mallory"].give(wd.agent, "0.0000000000000000001"), InputError, ""),
    ("rep-value-not-a-number", lambda wd, t: wd.rep["mallory"].give(wd.agent, "nan"), InputError, ""),
    ("rep-tag-oversized", lambda wd, t: wd.rep["mallory"].give(wd.agent, 1, tag1="t" * 33), InputError, "tag1"),
    ("rep-endpoint-oversized", lambda wd, t: wd.rep["mallory"].give(wd.agent, 1, endpoint="e" * 513), InputError, "endpoint"),
    ("rep-uri-oversized", lambda wd, t: wd.rep["mallory"].give(wd.agent, 1, feedback_uri="u" * 1_025), InputError, "feedback_uri"),
    ("rep-hash-malformed", lambda wd, t: wd.rep["mallory"].give(wd.agent, 1, feedback_hash=b"\x01" * 31), InputError, "feedback_hash"),
    ("rep-summary-no-clients", lambda wd, t: wd.rep["mallory"].summary(wd.agent, []), (InputError, RevertError), "client"),
    ("rep-summary-too-many-clients", lambda wd, t: wd.rep["mallory"].summary(wd.agent, [wd.addr["bob"]] * 257), (InputError, RevertError), ""),
    # ---------------------------------------------------------------- reputation: contract guards
    ("rep-decimals-contract", lambda wd, t: _raw(wd, "mallory", "rep", "giveFeedback", wd.agent, 1, 19, "", "", "", "", b"\x00" * 32), RevertError,
     "reputation: too many decimals"),
    ("rep-value-contract", lambda wd, t: _raw(wd, "mallory", "rep", "giveFeedback", wd.agent, 10**38 + 1, 0, "", "", "", "", b"\x00" * 32), RevertError,
     "reputation: value too large"),
    ("rep-self-feedback-owner", lambda wd, t: wd.rep["alice"].give(wd.agent, 100), RevertError, "reputation: self-feedback not allowed"),
    ("rep-missing-agent", lambda wd, t: wd.rep["mallory"].give(NOBODY, 1), RevertError, ""),
    ("rep-revoke-index-zero", lambda wd, t: wd.rep["bob"].revoke(wd.agent, 0), (InputError, RevertError), "index"),
    ("rep-revoke-out-of-bounds", lambda wd, t: wd.rep["bob"].revoke(wd.agent, 2), RevertError, "reputation: index out of bounds"),
    ("rep-revoke-someone-elses", lambda wd, t: wd.rep["mallory"].revoke(wd.agent, 1), RevertError, "reputation: index out of bounds"),
    ("rep-respond-empty-uri", lambda wd, t: _raw(wd, "alice", "rep", "appendResponse", wd.agent, wd.addr["bob"], 1, "", b"\x00" * 32), RevertError,
     "reputation: empty response URI"),
    ("rep-read-out-of-bounds", lambda wd, t: wd.rep["mallory"].read(wd.agent, wd.addr["bob"], 5), Exception, ""),
    # ---------------------------------------------------------------- validation
    ("val-zero-validator", lambda wd, t: wd.val["alice"].request(ZERO, wd.agent, "ipfs://j2", b"\x22" * 32), InputError, "validator"),
    ("val-zero-hash", lambda wd, t: wd.val["alice"].request(wd.addr["carol"], wd.agent, "ipfs://j2", b"\x00" * 32), InputError, "request_hash"),
    ("val-hash-malformed", lambda wd, t: wd.val["alice"].request(wd.addr["carol"], wd.agent, "ipfs://j2", "0x1234"), InputError, "request_hash"),
    ("val-zero-validator-contract", lambda wd, t: _raw(wd, "alice", "val", "validationRequest", ZERO, wd.agent, "", b"\x22" * 32), RevertError,
     "validation: bad validator"),
    ("val-missing-agent", lambda wd, t: wd.val["alice"].request(wd.addr["carol"], NOBODY, "ipfs://j2", b"\x22" * 32), RevertError, ""),
    ("val-stranger-requests", lambda wd, t: wd.val["mallory"].request(wd.addr["carol"], wd.agent, "ipfs://j2", b"\x22" * 32), RevertError,
     "validation: not authorized"),
    ("val-self-validation", lambda wd, t: wd.val["alice"].request(DAVE.address, wd.agent, "ipfs://j2", b"\x22" * 32), RevertError, "validation: self-validation"),
    ("val-duplicate-hash", lambda wd, t: wd.val["alice"].request(wd.addr["bob"], wd.agent, "ipfs://j3", H), RevertError, "validation: request exists"),
    ("val-response-out-of-range", lambda wd, t: wd.val["carol"].respond(H, 101), InputError, "response"),
    ("val-response-contract", lambda wd, t: _raw(wd, "carol", "val", "validationResponse", H, 101, "", b"\x00" * 32, ""), RevertError, "validation: response > 100"),
    ("val-response-by-stranger", lambda wd, t: wd.val["mallory"].respond(H, 50), RevertError, "validation: not validator"),
    ("val-response-unknown-hash", lambda wd, t: wd.val["carol"].respond(b"\x33" * 32, 50), RevertError, "validation: unknown request"),
    ("val-tag-oversized", lambda wd, t: wd.val["carol"].respond(H, 50, tag="t" * 33), InputError, "tag"),
    ("val-cancel-by-stranger", lambda wd, t: wd.val["mallory"].cancel(wd.agent, H), RevertError, "validation: not authorized"),
    ("val-finalize-unanswered", lambda wd, t: wd.val["carol"].finalize(wd.agent, H), RevertError, "validation: no response"),
    # ---------------------------------------------------------------- files
    ("file-registration-wrong-type", lambda wd, t: parse_registration({"type": "nope", "name": "x"}), (InputError, ValidationError), ""),
    ("file-registration-no-name", lambda wd, t: parse_registration({"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1"}),
     (InputError, ValidationError), ""),
    ("file-registration-bad-base64", lambda wd, t: decode_data_uri("data:application/json;base64,@@@"), InputError, "agentURI"),
    ("file-feedback-garbage", lambda wd, t: FeedbackFile.from_data_uri(_data_uri({"value": "x"})), (InputError, ValidationError, ValueError), ""),
    ("file-feedback-wrong-registry", lambda wd, t: FeedbackFile.from_data_uri(_data_uri({"agentRegistry": "0x1234", "agentId": 1, "clientAddress": "x",
                                                                                          "createdAt": "2026-01-01T00:00:00Z", "value": 1,
                                                                                          "valueDecimals": 0})),
     (InputError, ValidationError, ValueError), ""),
    ("file-agents-not-a-list", lambda wd, t: parse_agents({"agents": "x"}), InputError, "agents"),
    ("file-agents-empty", lambda wd, t: parse_agents({"agents": []}), InputError, "no agents"),
    ("file-agents-entry-not-object", lambda wd, t: parse_agents([42]), InputError, "agents[0]"),
    ("file-agents-bad-json", lambda wd, t: load_agent_file(_write(t, "a.json", "{not json")), InputError, "not valid JSON"),
    ("file-agents-missing", lambda wd, t: load_agent_file(t / "nope.json"), InputError, "cannot be read"),
    ("file-rating-missing-field", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [{"id": "a", "agent": 1, "value": 1}]}))), InputError,
     "rows[0]"),
    ("file-rating-bad-value", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [{"id": "a", "client": 0, "agent": 1, "value": "lots"}]}))),
     InputError, ""),
    ("file-rating-negative-client", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [{"id": "a", "client": -1, "agent": 1, "value": 1}]}))),
     InputError, "client"),
    ("file-rating-duplicate-ids", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [{"id": "a", "client": 0, "agent": 1, "value": 1}] * 2}))),
     InputError, "unique"),
    # malformed files, missing files, wrong types: InputError naming the file and the line/field
    ("file-rating-bad-json", lambda wd, t: load_rows(_write(t, "r.json", '{"rows": [\n {"id": "a", "client": 0 "agent": 1}]}')), InputError,
     "r.json: is not valid JSON: Expecting ',' delimiter at line 2, column 26"),
    ("file-rating-empty-file", lambda wd, t: load_rows(_write(t, "r.json", "")), InputError, "r.json: is not valid JSON: Expecting value at line 1, column 1"),
    ("file-rating-missing", lambda wd, t: load_rows(t / "nope.json"), InputError, "nope.json: cannot be read (No such file or directory)"),
    ("file-rating-not-utf8", lambda wd, t: load_rows(_write_bytes(t, "r.json", b'{"rows": "\xff"}')), InputError, "r.json: is not UTF-8 text"),
    ("file-rating-rows-not-a-list", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": 5}))), InputError, "r.json: rows: must be a list"),
    ("file-rating-no-rows", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": []}))), InputError, "rows: lists no rows"),
    ("file-rating-row-not-object", lambda wd, t: load_rows(_write(t, "r.json", json.dumps(["x"]))), InputError, "rows[0]: must be an object, not str"),
    ("file-rating-unknown-field", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, tags="x")]}))), InputError,
     "rows[0].tags: is not a known field"),
    ("file-rating-client-fraction", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, client=1.5)]}))), InputError,
     "rows[0].client: must be a whole number >= 0, not 1.5"),
    ("file-rating-agent-bool", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, agent=True)]}))), InputError,
     "rows[0].agent: must be a whole number >= 0, not True"),
    ("file-rating-value-null", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, value=None)]}))), InputError,
     "rows[0].value: must be a number, not None"),
    ("file-rating-tag-not-string", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, tag1=5)]}))), InputError,
     "rows[0].tag1: must be a string, not int"),
    ("file-rating-tag-oversized", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, tag2="t" * 33)]}))), InputError,
     "rows[0].tag2: tags are at most 32 bytes"),
    ("file-rating-endpoint-oversized", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, endpoint="e" * 513)]}))), InputError,
     "rows[0].endpoint: endpoint is at most 512 bytes"),
    ("file-rating-bad-created-at", lambda wd, t: load_rows(_write(t, "r.json", json.dumps({"rows": [dict(_ROW, createdAt="yesterday")]}))), InputError,
     "rows[0].createdAt: 'yesterday' is not an ISO-8601 time"),
    ("file-agents-bad-yaml", lambda wd, t: load_agent_file(_write(t, "a.yaml", "agents:\n  - key: a\n    uri: [unclosed\n")), InputError,
     "a.yaml: is not valid YAML"),
    ("file-agents-bad-json-line", lambda wd, t: load_agent_file(_write(t, "a.json", '{"agents": [\n  {"key": "a",}]}')), InputError,
     "a.json: is not valid JSON (Expecting property name enclosed in double quotes: line 2 column 15"),
    ("file-agents-uri-not-string", lambda wd, t: load_agent_file(_write(t, "a.json", json.dumps({"agents": [{"key": "a", "uri": 5}]}))), InputError,
     "agents[0].uri: must be a string"),
    ("file-pool-bad-json", lambda wd, t: load_pool_report(_write(t, "pool.json", '{"epochs": {"0": {"delivered_ths": 1,')), InputError,
     "pool.json: cannot read pool report: Expecting property name enclosed in double quotes: line 1 column 38"),
    ("file-pool-missing", lambda wd, t: load_pool_report(t / "nope.json"), InputError, "nope.json: cannot read pool report"),
    ("file-pool-epochs-not-object", lambda wd, t: load_pool_report(_write(t, "pool.json", json.dumps({"epochs": [1]}))), InputError,
     'must be an object with an "epochs" object'),
    ("file-pool-entry-wrong-type", lambda wd, t: load_pool_report(_write(t, "pool.json", json.dumps({"epochs": {"0": {"delivered_ths": "x", "gross_sats": 1}}}))),
     InputError, "pool.json.epochs[0]: needs delivered_ths and gross_sats"),
    ("file-registration-bad-json", lambda wd, t: RegistrationFile.from_json('{"type": "x",\n "name": }'), InputError,
     "registration: is not valid JSON (Expecting value: line 2 column 10"),
    ("file-registration-services-wrong-type", lambda wd, t: parse_registration({"type": REGISTRATION_TYPE, "name": "x", "description": "d", "services": "mcp"}), InputError,
     "registration.services"),
    ("file-check-missing", lambda wd, t: load_check(f"{t}/nope.py:check"), InputError, "--check: no check file"),
    ("file-check-does-not-compile", lambda wd, t: load_check(f"{_write(t, 'c.py', 'def check(job:')}:check"), InputError, "c.py does not compile"),
    ("file-check-no-module", lambda wd, t: load_check("no_such_module_xyz:check"), InputError, "--check: cannot import 'no_such_module_xyz'"),
    ("file-check-fails-at-import", lambda wd, t: load_check(f"{_write(t, 'c.py', 'LIMIT = undefined_name')}:check"), InputError,
     "c.py: NameError: name 'undefined_name' is not defined"),
]


def test_the_matrix_is_at_least_forty_cases_over_every_area():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    assert {i.split("-")[0] for i in ids} == {"id", "rep", "val", "file"}


@pytest.mark.parametrize("case_id, action, exc, text", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(world, tmp_path, case_id, action, exc, text):
    before = _snapshot(world)
    with pytest.raises(exc) as info:
        action(world, tmp_path)
    message = str(info.value)
    assert text in message, message
    if isinstance(info.value, RevertError):
        assert info.value.reason and info.value.reason != "execution reverted", f"unclear revert: {message}"
    assert _snapshot(world) == before


def test_the_happy_path_of_the_same_world_still_works(world):
    """Control: the world the matrix runs against accepts good input (so refusals are not
    an artefact of a broken fixture) -- run last, it changes the records."""
    assert world.rep["mallory"].give(world.agent, "1.5") == 1
    world.val["carol"].respond(H, 90)
    deadline = _dl(world)  # the hand-made signature the matrix mangles is a good one unmangled
    world.id["alice"].set_agent_wallet(world.agent, DAVE.address, signature=_sig(world, deadline=deadline), deadline=deadline)
    assert world.id["alice"].last_wallet_deadline(world.agent) == deadline
