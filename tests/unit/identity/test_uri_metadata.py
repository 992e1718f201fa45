"""URI and metadata: alice (owner), carol (her operator) and bob (approved for one agent)
may change an agent's URI and metadata; mallory may not; the reserved and empty keys are
refused; values of any size up to the limit round-trip; missing agents revert on writes."""

import ape
import pytest
from identity_helpers import URI, WALLET_KEY


@pytest.fixture
def agent(registry, alice):
    registry.register(URI, sender=alice)
    return 1


def _who(name, alice, bob, carol, registry, agent):
    if name == "owner":
        return alice
    if name == "operator":
        registry.setApprovalForAll(carol, True, sender=alice)
        return carol
    registry.approve(bob, agent, sender=alice)
    return bob


@pytest.mark.parametrize("role", ["owner", "operator", "approved"])
def test_authorised_roles_set_the_uri(registry, agent, alice, bob, carol, role):
    who = _who(role, alice, bob, carol, registry, agent)
    tx = registry.setAgentURI(agent, "https://new.example/agent.json", sender=who)
    assert registry.tokenURI(agent) == "https://new.example/agent.json"
    (u,) = tx.decode_logs(registry.URIUpdated)
    assert (u.agentId, u.newURI, u.updatedBy) == (agent, "https://new.example/agent.json", who)
    (m,) = tx.decode_logs(registry.MetadataUpdate)
    assert m._tokenId == agent


def test_uri_can_be_cleared_and_set_again(registry, agent, alice):
    registry.setAgentURI(agent, "", sender=alice)
    assert registry.tokenURI(agent) == ""
    registry.setAgentURI(agent, URI + "#v3", sender=alice)
    assert registry.tokenURI(agent) == URI + "#v3"


def test_stranger_cannot_set_the_uri(registry, agent, mallory):
    with ape.reverts("identity: not authorized"):
        registry.setAgentURI(agent, "https://evil.example", sender=mallory)
    assert registry.tokenURI(agent) == URI


def test_uri_of_a_missing_agent(registry, alice):
    with ape.reverts("erc721: invalid token ID"):
        registry.setAgentURI(5, "x", sender=alice)
    with ape.reverts("erc721: invalid token ID"):
        registry.tokenURI(5)


@pytest.mark.parametrize("role", ["owner", "operator", "approved"])
def test_authorised_roles_set_metadata(registry, agent, alice, bob, carol, role):
    who = _who(role, alice, bob, carol, registry, agent)
    tx = registry.setMetadata(agent, "hashtrust.key", b"pool-watcher-1", sender=who)
    assert registry.getMetadata(agent, "hashtrust.key") == b"pool-watcher-1"
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert (m.agentId, m.metadataKey, bytes(m.metadataValue)) == (agent, "hashtrust.key", b"pool-watcher-1")


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 64, 500, 1_024])
def test_metadata_values_of_every_size_round_trip(registry, agent, alice, size):
    value = bytes((i * 7 + 3) % 256 for i in range(size))
    registry.setMetadata(agent, "v", value, sender=alice)
    assert registry.getMetadata(agent, "v") == value
    # overwrite with a value of another size class
    registry.setMetadata(agent, "v", b"\x00" * 3, sender=alice)
    assert registry.getMetadata(agent, "v") == b"\x00" * 3


def test_long_metadata_then_uri_keeps_addresses_in_sync(registry, agent, alice):
    registry.setMetadata(agent, "blob", b"b" * 100, sender=alice)
    registry.setAgentURI(agent, "ipfs://after-blob", sender=alice)
    assert registry.tokenURI(agent) == "ipfs://after-blob"
    assert registry.getMetadata(agent, "blob") == b"b" * 100


def test_empty_value_clears(registry, agent, alice):
    registry.setMetadata(agent, "k", b"v", sender=alice)
    tx = registry.setMetadata(agent, "k", b"", sender=alice)
    assert registry.getMetadata(agent, "k") == b""
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert bytes(m.metadataValue) == b""


def test_metadata_is_per_agent(registry, agent, alice, bob):
    registry.register(sender=bob)
    registry.setMetadata(agent, "k", b"alice's", sender=alice)
    registry.setMetadata(2, "k", b"bob's", sender=bob)
    assert registry.getMetadata(agent, "k") == b"alice's"
    assert registry.getMetadata(2, "k") == b"bob's"


def test_stranger_cannot_set_metadata(registry, agent, mallory):
    with ape.reverts("identity: not authorized"):
        registry.setMetadata(agent, "k", b"v", sender=mallory)


def test_reserved_key_is_refused(registry, agent, alice):
    with ape.reverts("identity: reserved key"):
        registry.setMetadata(agent, WALLET_KEY, b"\x22" * 20, sender=alice)
    assert registry.getAgentWallet(agent) == alice


def test_empty_key_is_refused(registry, agent, alice):
    with ape.reverts("identity: empty key"):
        registry.setMetadata(agent, "", b"v", sender=alice)


def test_metadata_of_a_missing_agent(registry, alice):
    with ape.reverts("erc721: invalid token ID"):
        registry.setMetadata(9, "k", b"v", sender=alice)
    assert registry.getMetadata(9, "k") == b""


def test_operator_rights_end_when_revoked(registry, agent, alice, carol):
    registry.setApprovalForAll(carol, True, sender=alice)
    registry.setApprovalForAll(carol, False, sender=alice)
    with ape.reverts("identity: not authorized"):
        registry.setMetadata(agent, "k", b"v", sender=carol)
