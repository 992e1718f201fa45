"""The agent file of the bulk script: validated as a whole before any transaction; every error
names the entry index and the field."""

from pathlib import Path

import pytest

from hashtrust.erc8004.agents import (
    KEY_METADATA,
    Outcome,
    format_table,
    load_agent_file,
    parse_agents,
)
from hashtrust.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "agents.json"
IPFS = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def test_the_examples_are_valid_and_include_the_vault_cast():
    specs = load_agent_file(EXAMPLES)
    assert 20 <= len(specs) <= 25
    by_key = {s.key: s for s in specs}
    assert "hashrate-supply" in by_key["hashrate-operator-1"].capabilities
    for w in ("pool-watcher-1", "pool-watcher-2", "pool-watcher-3"):
        assert {"pool-watch", "hashrate-attestation"} <= set(by_key[w].capabilities)
        assert (b"pool-watcher" == dict(by_key[w].metadata)["role"])
    for s in specs:
        assert s.entries()[0] == (KEY_METADATA, s.key.encode())
        assert len(s.uri.encode()) <= 8_192
        if s.uri.startswith("data:"):
            assert s.capabilities, f"{s.key} declares no skills"


def test_yaml_files_work(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text(f"- key: one\n  uri: {IPFS}\n  metadata:\n    category: misc\n    raw: '0xdeadbeef'\n")
    (spec,) = load_agent_file(f)
    assert spec.metadata == [("category", b"misc"), ("raw", b"\xde\xad\xbe\xef")]


@pytest.mark.parametrize(
    "agents, field",
    [
        ([{"uri": IPFS}], "agents[0].key"),
        ([{"key": "a", "uri": IPFS}, {"key": "a", "uri": IPFS}], "agents[1].key"),
        ([{"key": "has space", "uri": IPFS}], "agents[0].key"),
        ([{"key": "a"}], "agents[0]"),
        ([{"key": "a", "uri": IPFS, "registration": {}}], "agents[0]"),
        ([{"key": "a", "uri": "ftp://x"}], "agents[0].uri"),
        ([{"key": "a", "uri": IPFS, "colour": "red"}], "agents[0].colour"),
        ([{"key": "a", "registration": {"name": "x", "description": "y", "services": [{"name": "A2A"}]}}], "agents[0].registration.services[0].endpoint"),
        ([{"key": "a", "uri": IPFS, "metadata": {"agentWallet": "x"}}], "agents[0].metadata.agentWallet"),
        ([{"key": "a", "uri": IPFS, "metadata": {KEY_METADATA: "x"}}], f"agents[0].metadata.{KEY_METADATA}"),
        ([{"key": "a", "uri": IPFS, "metadata": {"k": "v" * 1_025}}], "agents[0].metadata.k"),
        ([{"key": "a", "uri": IPFS, "metadata": {"k": "0xzz"}}], "agents[0].metadata.k"),
        ([{"key": "a", "uri": IPFS, "metadata": {f"k{i}": "v" for i in range(16)}}], "agents[0].metadata"),
        ([{"key": "a", "uri": IPFS}, "not an object"], "agents[1]"),
        ([], "agents"),
    ],
)
def test_invalid_entries_name_index_and_field(agents, field):
    with pytest.raises(InputError) as err:
        parse_agents({"agents": agents})
    assert err.value.field == field


def test_a_registration_too_large_for_the_registry_is_refused():
    big = {"name": "x", "description": "d" * 4_000, "services": [{"name": "web", "endpoint": "https://x.example/" + "p" * 2_000}]}
    big["services"] += [dict(big["services"][0]) for _ in range(2)]
    with pytest.raises(InputError) as err:
        parse_agents([{"key": "big", "registration": big}])
    assert err.value.field.startswith("agents[0].registration") and "8,192" in err.value.problem


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        load_agent_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_agent_file(bad)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("agents: [unclosed")
    with pytest.raises(InputError, match="not valid YAML"):
        load_agent_file(bad_yaml)


def test_final_table():
    text = format_table([Outcome("a", "Agent A", 1, "registered"), Outcome("bb", "B", 12, "already registered")])
    lines = text.splitlines()
    assert lines[0].split() == ["id", "key", "name", "status"]
    assert lines[2].split()[:2] == ["1", "a"] and lines[3].split()[:2] == ["12", "bb"]
    assert lines[-1] == "1 registered now, 1 already registered"
