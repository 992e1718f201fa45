"""Hostile on-chain data: everything the SDK reads from logs and views was written by someone.

Story: alice owns agent "prover" and asks carol, a validator, to check a job; bob rates the
prover honestly. mallory owns her own agent and writes the nastiest strings the contracts
accept into every string field she can reach: invalid UTF-8, NULs, ANSI escapes, bidi
overrides, fields filled to the contracts' limits -- as an agent URI and metadata key, as
feedback tags, endpoint and URIs, as a validation request URI; carol's own answer tag too. Then
every SDK read path is walked (identity reads and logs, `ReputationClient.read` / `read_page` /
`read_all` / `given_hashes`, the validation views and logs, the validator's scan, discovery):
nothing raises, each hostile string comes back as a `ChainText` keeping its exact bytes, and
every honest record beside it reads as before.

The regression tests named after issue 22's defects 1, 3 and 9 failed on main before the fix.
"""

from __future__ import annotations

import json

import pytest
from eth_abi import encode
from hostile import NASTY, at_limit, hostile_call
from hypothesis import given
from hypothesis import strategies as st

from hashtrust.chain.addressbook import AddressBook, Entry
from hashtrust.chain.decode import ChainText, decode_log, decode_output, display
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.agents import KEY_METADATA, holdings, parse_agents, register_agents
from hashtrust.erc8004.discovery import rank, table
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import given_hashes
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import RequestFile, Status, ValidationClient
from hashtrust.erc8004.validator import ValidatorAgent
from hashtrust.errors import AddressBookError

REG = {"name": "Prover", "description": "re-executes jobs", "services": [{"name": "MCP", "endpoint": "https://prover.example/mcp", "skills": ["proving"]}]}


class World:
    """Deployed registries and one client per actor."""


@pytest.fixture(scope="module")
def world(project, w3, deployer, alice, bob, carol, mallory):
    wd = World()
    idr = deployer.deploy(project.IdentityRegistry)
    rep = deployer.deploy(project.ReputationRegistry, idr.address)
    val = deployer.deploy(project.ValidationRegistry, idr.address)
    wd.w3 = w3
    wd.addr = {k: a.address for k, a in {"alice": alice, "bob": bob, "carol": carol, "mallory": mallory}.items()}
    senders = {k: TxSender(w3, LocalSigner.from_key(a.private_key)) for k, a in {"alice": alice, "bob": bob, "carol": carol, "mallory": mallory}.items()}
    wd.id = {k: IdentityClient(w3, idr.address, s) for k, s in senders.items()}
    wd.rep = {k: ReputationClient(w3, rep.address, s) for k, s in senders.items()}
    wd.val = {k: ValidationClient(w3, val.address, s) for k, s in senders.items()}
    from hashtrust.erc8004.registration import agent_uri

    wd.prover = wd.id["alice"].register(agent_uri(REG), {"category": b"proving"})
    wd.rogue = wd.id["mallory"].register("ipfs://rogue")
    wd.rep["bob"].give(wd.prover, 91, tag1="starred", tag2="honest")
    job = RequestFile.build(w3.eth.chain_id, idr.address, wd.prover, wd.addr["carol"], {"job": 1})
    wd.job_hash, _ = wd.val["alice"].request_file(wd.addr["carol"], wd.prover, job)
    wd.senders = senders
    return wd


@pytest.fixture(autouse=True)
def _fresh_nonces(world):
    """ape reverts the chain after every test: the senders read their nonces again."""
    for s in world.senders.values():
        s._nonce = None


# ---------------------------------------------------------------------------- defect 1
def test_defect1_a_non_utf8_request_uri_does_not_disable_the_validator(world):
    """Issue 22, defect 1: one ValidationRequest whose requestURI is not UTF-8 made every round
    of the validator raise UnicodeDecodeError: the honest request beside it was never answered."""
    wd = world
    poisoned = b"\x77" * 32
    hostile_call(wd.val["mallory"], "validationRequest", wd.addr["carol"], wd.rogue, b"data:,\xff\xfe" + NASTY["ansi-escape"], poisoned)
    lines: list[str] = []
    agent = ValidatorAgent(wd.val["carol"], log=lines.append)
    report = agent.run_once()
    assert [(a, s) for a, _h, s in report.answered] == [(wd.prover, 100)]
    assert [a for a, _h, _w in report.quarantined] == [wd.rogue]
    assert "not valid UTF-8" in report.quarantined[0][2]
    assert wd.val["alice"].attestation(wd.prover, wd.job_hash).status == Status.FINALIZED
    assert wd.val["alice"].attestation(wd.rogue, poisoned).status == Status.PENDING  # nothing on chain for what cannot be read
    assert all("\x1b" not in line for line in lines)  # the hostile bytes are never printed raw
    again = agent.run_once()  # the next round: quarantined, not retried, nothing raised
    assert not again.answered and [a for a, _h, _w in again.quarantined] == [wd.rogue]
    uris = wd.val["carol"].request_uris(wd.addr["carol"])
    bad = uris[(wd.rogue, poisoned)]
    assert isinstance(bad, ChainText) and not bad.valid and bad.raw.startswith(b"data:,\xff\xfe")


def test_defect1_a_non_utf8_feedback_tag_does_not_break_the_reputation_reads(world):
    """Issue 22, defect 1: the same bytes in a feedback tag made `read_all`, `read_page` and
    `read` fail for that agent (strict decoding of the whole answer)."""
    wd = world
    tag = NASTY["invalid-utf8"] + b"-" + NASTY["nul-bytes"]
    hostile_call(wd.rep["mallory"], "giveFeedback", wd.prover, 5, 0, tag, at_limit(32), at_limit(512), at_limit(1024), b"\x01" * 32)
    every = list(wd.rep["carol"].read_all(wd.prover))
    assert [f.client for f in every] == [wd.addr["bob"], wd.addr["mallory"]]
    bob_fb, rogue = every
    assert (bob_fb.tag1, bob_fb.tag2, bob_fb.value) == ("starred", "honest", 91)  # the honest one, as before
    assert isinstance(rogue.tag1, ChainText) and rogue.tag1.raw == tag and not rogue.tag1.valid
    assert rogue.tag2.raw == at_limit(32)
    page, total = wd.rep["carol"].read_page(wd.prover)
    assert total == 2 and page == every
    one = wd.rep["carol"].read(wd.prover, wd.addr["mallory"], 1)
    assert one.tag1.raw == tag
    assert wd.rep["carol"].summary(wd.prover, [wd.addr["bob"]]).count == 1
    assert len(given_hashes(wd.w3, wd.rep["carol"].address, [wd.addr["bob"], wd.addr["mallory"]])) == 2
    assert "\\x00" in display(rogue.tag1) and "\x00" not in display(rogue.tag1)


# ---------------------------------------------------------------------------- every other read path
@pytest.mark.parametrize("name", sorted(NASTY))
def test_every_identity_read_survives_hostile_strings(world, name):
    wd = world
    value = NASTY[name]
    receipt = hostile_call(wd.id["mallory"], "register", value * (8_192 // len(value)), types=("string",))
    agent_id = wd.id["mallory"].agent_id_from_receipt(receipt)
    hostile_call(wd.id["mallory"], "setMetadata", agent_id, value[:64], value)
    hostile_call(wd.id["mallory"], "setMetadata", agent_id, KEY_METADATA.encode(), value)
    a = wd.id["carol"].agent(agent_id)
    assert isinstance(a.uri, ChainText) and a.uri.raw == value * (8_192 // len(value))
    assert wd.id["carol"].get_metadata(agent_id, KEY_METADATA) == value
    logs = wd.id["carol"].metadata_logs(KEY_METADATA)
    assert (agent_id, value, logs[-1][2]) == logs[-1]
    found = holdings(wd.id["carol"], wd.addr["mallory"])  # a key that is not text is simply not a key
    assert all(isinstance(k, str) for k in found.mine)
    ranked = rank(wd.id["carol"], wd.rep["carol"], "proving", [wd.addr["bob"]])
    assert [r.agent_id for r in ranked] == [wd.prover]  # the hostile agent does not match, the honest one still ranks
    assert "Prover" in table(ranked)


@pytest.mark.parametrize("name", sorted(NASTY))
def test_every_validation_read_survives_hostile_strings(world, name):
    wd = world
    value = NASTY[name]
    h = bytes([len(name)]) * 32
    hostile_call(wd.val["mallory"], "validationRequest", wd.addr["carol"], wd.rogue, value * (4_096 // len(value)), h)
    hostile_call(wd.val["carol"], "validationResponseFor", wd.rogue, h, 0, value * (4_096 // len(value)), b"\x02" * 32, value[:31], False)
    status = wd.val["alice"].status_for(wd.rogue, h)
    assert isinstance(status.tag, ChainText) and status.tag.raw == value[:31]
    assert wd.val["alice"].summary(wd.rogue)[0] >= 1
    uris = wd.val["alice"].request_uris(wd.addr["carol"])
    assert uris[(wd.rogue, h)].raw == value * (4_096 // len(value))
    jobs, _done = ValidatorAgent(wd.val["carol"]).scan()  # the scan itself never trips on them
    assert (wd.rogue, h) in {j.key for j in jobs}


# ---------------------------------------------------------------------------- the decoder, fuzzed
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4), st.binary(max_size=64 * 1024))
def test_decoding_any_bytes_as_strings_never_raises_and_keeps_them(parts, big):
    abi = {"name": "f", "type": "function", "outputs": [{"type": "string"}, {"type": "string[]"}, {"type": "tuple", "components": [{"type": "uint8"}, {"type": "string"}]}]}
    data = encode(["bytes", "bytes[]", "(uint8,bytes)"], [big, parts, (7, parts[0])])
    s, arr, (n, inner) = decode_output(abi, data)
    assert isinstance(s, ChainText) and s.raw == big
    assert [x.raw for x in arr] == parts and inner.raw == parts[0] and n == 7
    for x in (s, *arr):
        assert x.valid == _is_utf8(x.raw)
        shown = display(x, 80)
        assert all(c >= " " or c == "" for c in shown) and len(shown) < 120


@given(st.binary(max_size=2_000), st.binary(max_size=64 * 1024))
def test_decoding_any_event_bytes_never_raises(uri, value):
    """A `Registered` / `MetadataSet` log with any bytes in its strings decodes (the log is
    skipped, never fatal, when it is not even well-formed)."""
    from hashtrust.chain import artifacts

    abi = next(e for e in artifacts.abi("IdentityRegistry") if e.get("name") == "MetadataSet")
    from eth_utils import event_abi_to_log_topic

    log = {
        "address": "0x" + "11" * 20, "blockHash": b"\x00" * 32, "blockNumber": 1, "logIndex": 0, "transactionHash": b"\x00" * 32,
        "transactionIndex": 0, "topics": [event_abi_to_log_topic(abi), (5).to_bytes(32, "big"), b"\x33" * 32],
        "data": encode(["bytes", "bytes"], [uri, value]),
    }
    ev = decode_log(abi, log)
    assert ev["args"]["metadataKey"].raw == uri and ev["args"]["metadataValue"] == value
    assert decode_log(abi, {**log, "data": b"\x00" * 7}) is None  # malformed: skipped


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode()
        return True
    except UnicodeDecodeError:
        return False


# ---------------------------------------------------------------------------- defect 3
def test_defect3_an_agent_transferred_in_with_the_owners_key_is_not_adopted(world):
    """Issue 22, defect 3: "already registered" was recognised by the `hashtrust.key` metadata
    plus current ownership, and an ERC-721 transfer needs no consent: mallory registered an
    agent with alice's key and her own endpoints and transferred it to alice; alice's run
    skipped the registration and adopted mallory's agent."""
    wd = world
    specs = parse_agents({"agents": [{"key": "alice-helper", "uri": "ipfs://alice-helper"}]})
    trap = wd.id["mallory"].register("https://mallory.example/agent.json", {KEY_METADATA: b"alice-helper"})
    wd.id["mallory"].transfer(trap, wd.addr["alice"])
    assert wd.id["alice"].owner_of(trap) == wd.addr["alice"]
    lines: list[str] = []
    out = register_agents(wd.id["alice"], specs, progress=False, log=lines.append)
    assert out[0].status == "registered" and out[0].agent_id != trap
    assert wd.id["alice"].token_uri(out[0].agent_id) == "ipfs://alice-helper"
    warning = next(line for line in lines if "warning" in line)
    assert f"agent {trap}" in warning and wd.addr["mallory"] in warning and "not treated as yours" in warning
    again = register_agents(wd.id["alice"], specs, progress=False)
    assert (again[0].status, again[0].agent_id) == ("already registered", out[0].agent_id)
    found = holdings(wd.id["alice"], wd.addr["alice"])
    assert found.mine == {"alice-helper": out[0].agent_id}
    assert [(f.agent_id, f.key, f.registrant) for f in found.foreign] == [(trap, "alice-helper", wd.addr["mallory"])]


def test_an_agent_the_owner_registered_transferred_away_and_back_is_still_its_own(world):
    wd = world
    specs = parse_agents({"agents": [{"key": "boomerang", "uri": "ipfs://boomerang"}]})
    (first,) = register_agents(wd.id["alice"], specs, progress=False)
    wd.id["alice"].transfer(first.agent_id, wd.addr["bob"])
    (gone,) = register_agents(wd.id["bob"], specs, progress=False)  # bob did not register it: not his
    assert gone.agent_id != first.agent_id
    wd.id["bob"].transfer(first.agent_id, wd.addr["alice"])
    (back,) = register_agents(wd.id["alice"], specs, progress=False)
    assert (back.status, back.agent_id) == ("already registered", first.agent_id)


# ---------------------------------------------------------------------------- defect 9
def test_defect9_a_book_pointing_at_other_code_is_refused_when_a_client_is_built(world, tmp_path, w3):
    """Issue 22, defect 9: the address book's code hash was checked only by `deploy`; a book
    pointing at other code was used as it was (`agents show` printed a fake owner and wallet)."""
    wd = world
    real = wd.id["carol"].address
    other = wd.rep["carol"].address  # some other contract, with a book entry consistent with it

    def entry(address: str, code_hash: str | None = None) -> Entry:
        code = bytes(w3.eth.get_code(address))
        return Entry("IdentityRegistry", address, "IdentityRegistry", 1, wd.addr["alice"], "0x" + "00" * 32,
                     code_hash or "0x" + w3.keccak(code).hex().removeprefix("0x"))

    for i, (e, want) in enumerate([
        (entry(other), "not hashtrust's IdentityRegistry"),
        (entry(real, "0x" + "ab" * 32), "not the recorded"),
        (entry(wd.addr["mallory"]), "no code"),
    ]):
        book = AddressBook(w3.eth.chain_id, tmp_path / str(i))
        book.record(e)
        with pytest.raises(AddressBookError) as err:
            IdentityClient.from_book(w3, book)
        msg = str(err.value)
        assert want in msg and "IdentityRegistry" in msg and e.address in msg and str(book.path) in msg
    good = AddressBook(w3.eth.chain_id, tmp_path / "good")
    good.record(entry(real))
    assert IdentityClient.from_book(w3, good).agent(wd.prover).owner == wd.addr["alice"]


def test_registration_files_with_hostile_fields_do_not_break_ranking(world):
    """Registration-file fields are attacker-chosen too: names of 64 kB, non-string names,
    control characters, capabilities of any shape. Ranking shows them safely or skips them."""
    wd = world
    from hashtrust.chain.fetch import fetch

    files = {
        "huge": {"name": "P" * 65_536, "services": [{"name": "MCP", "skills": ["proving"]}]},
        "typed": {"name": {"nested": [1, 2]}, "services": [{"name": "MCP", "skills": ["proving"]}]},
        "escapes": {"name": "\x1b[2J\x1b[31mowned", "services": [{"skills": ["proving"]}]},
        "shapes": {"services": [{"skills": [1, None, {"x": 1}, "proving"]}, "junk", 7], "skills": {"a": 1}},
    }
    docs = {f"https://files.example/{k}.json": json.dumps(v).encode() for k, v in files.items()}
    ids = []
    for uri in docs:
        ids.append(wd.id["mallory"].register(uri))
    ranked = rank(wd.id["carol"], wd.rep["carol"], "proving", [wd.addr["bob"]], agent_ids=ids + [wd.prover], fetch=lambda u: docs[u] if u in docs else fetch(u))
    assert {r.agent_id for r in ranked} == set(ids) | {wd.prover}
    out = table(ranked)
    assert "\x1b" not in out and max(len(line) for line in out.splitlines()) < 120
