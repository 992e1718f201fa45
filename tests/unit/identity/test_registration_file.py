"""The registration-file model: every spec field, validation naming the field, and the
data: URI round trip (remote URIs are kept as given)."""

import base64
import json

import pytest

from hashtrust.erc8004.registration import (
    DATA_URI_PREFIX,
    REGISTRATION_TYPE,
    RegistrationFile,
    Service,
    agent_uri,
    decode_data_uri,
    parse_registration,
)
from hashtrust.errors import InputError

FULL = {
    "type": REGISTRATION_TYPE,
    "name": "Pool Watcher Alpha",
    "description": "Attests delivered hashrate per epoch.",
    "image": "https://alpha.poolwatch.example/logo.png",
    "services": [
        {"name": "A2A", "endpoint": "https://alpha.poolwatch.example/.well-known/agent-card.json", "version": "0.3.0", "skills": ["pool-watch"]},
        {"name": "ENS", "endpoint": "alpha.eth"},
        {"name": "MCP", "endpoint": "https://alpha.poolwatch.example/mcp", "capabilities": ["hashrate-attestation"], "tools": ["attest"]},
    ],
    "x402Support": True,
    "active": True,
    "registrations": [{"agentId": 18, "agentRegistry": "eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3"}],
    "supportedTrust": ["reputation", "crypto-economic"],
}


def test_every_spec_field_round_trips_through_a_data_uri():
    reg = parse_registration(FULL)
    uri = reg.to_data_uri()
    assert uri.startswith(DATA_URI_PREFIX)
    back = RegistrationFile.from_uri(uri)
    assert back == reg
    decoded = json.loads(base64.b64decode(uri[len(DATA_URI_PREFIX):]))
    assert decoded == FULL  # nothing lost, nothing added (extra service fields kept)
    assert reg.capability_set() == {"pool-watch", "hashrate-attestation"}


def test_defaults():
    reg = RegistrationFile(name="x", description="y", services=[Service(name="web", endpoint="https://x.example")])
    assert reg.type == REGISTRATION_TYPE and reg.active is True and reg.x402Support is False
    assert reg.registrations == [] and reg.supportedTrust == []


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.pop("name"), "registration.name"),
        (lambda d: d.update(type="https://example.com/v0"), "registration.type"),
        (lambda d: d.update(services=[]), "registration.services"),
        (lambda d: d["services"][1].pop("endpoint"), "registration.services[1].endpoint"),
        (lambda d: d["services"][0].update(skills=["has space"]), "registration.services[0].skills"),
        (lambda d: d.update(image="ftp://x/logo.png"), "registration.image"),
        (lambda d: d.update(registrations=[{"agentId": 1, "agentRegistry": "0x1234"}]), "registration.registrations[0].agentRegistry"),
        (lambda d: d.update(registrations=[{"agentId": -1, "agentRegistry": FULL["registrations"][0]["agentRegistry"]}]), "registration.registrations[0].agentId"),
        (lambda d: d.update(supportedTrust=["reputation", "reputation"]), "registration.supportedTrust"),
        (lambda d: d.update(active="maybe"), "registration.active"),
    ],
)
def test_invalid_files_name_the_field(mutate, field):
    d = json.loads(json.dumps(FULL))
    mutate(d)
    with pytest.raises(InputError) as err:
        parse_registration(d)
    assert err.value.field == field


def test_data_uri_decoding_rules():
    payload = json.dumps(FULL)
    assert decode_data_uri("data:application/json," + payload.replace(" ", "%20")) == payload.encode()
    assert decode_data_uri("data:application/json;charset=utf-8;base64," + base64.b64encode(payload.encode()).decode()) == payload.encode()
    for bad, why in [
        ("https://x.example", "is not a data: URI"),
        ("data:application/json;base64", "without a comma"),
        ("data:text/html;base64,AAAA", "media type"),
        ("data:application/json;base64,@@@", "not valid base64"),
    ]:
        with pytest.raises(InputError) as err:
            decode_data_uri(bad)
        assert why in str(err.value)
    with pytest.raises(InputError):
        RegistrationFile.from_uri("data:application/json;base64," + base64.b64encode(b"[1,2]").decode())
    with pytest.raises(InputError):
        RegistrationFile.from_uri("data:application/json;base64," + base64.b64encode(b"{nope").decode())


def test_agent_uri_accepts_remote_uris_as_given():
    assert agent_uri("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy").startswith("ipfs://")
    assert agent_uri("https://agent.example/reg.json") == "https://agent.example/reg.json"
    assert agent_uri(FULL) == parse_registration(FULL).to_data_uri()
    uri = parse_registration(FULL).to_data_uri()
    assert agent_uri(uri) == uri
    for bad in ("ftp://x/y", "https://", "ipfs://", "no-scheme"):
        with pytest.raises(InputError):
            agent_uri(bad)
