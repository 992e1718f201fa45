"""Registration: alice registers agents in all three forms; ids start at 1 and increase by
one; the reserved wallet key and bad metadata are refused; a contract caller must accept the
NFT (safe mint), and a receiver that re-enters the registry leaves it consistent."""

import ape
from eth_utils import keccak
from identity_helpers import URI, WALLET_KEY, ZERO, register


def test_register_without_uri(registry, alice):
    agent_id, tx = register(registry, alice)
    assert agent_id == 1
    assert registry.ownerOf(1) == alice
    assert registry.balanceOf(alice) == 1
    assert registry.tokenURI(1) == ""
    assert registry.getAgentWallet(1) == alice
    assert registry.total_agents() == 1
    (t,) = tx.decode_logs(registry.Transfer)
    assert (t.sender, t.receiver, t.token_id) == (ZERO, alice, 1)
    assert tx.decode_logs(registry.MetadataUpdate) == []  # no URI, no ERC-4906 event
    (r,) = tx.decode_logs(registry.Registered)
    assert (r.agentId, r.agentURI, r.owner) == (1, "", alice)
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert (m.agentId, m.metadataKey, bytes(m.metadataValue)) == (1, WALLET_KEY, bytes.fromhex(alice.address[2:]))


def test_register_with_uri_emits_in_reference_order(registry, alice):
    agent_id, tx = register(registry, alice, URI)
    assert registry.tokenURI(agent_id) == URI
    names = [log.event_name for log in tx.decode_logs()]
    assert names == ["Transfer", "MetadataUpdate", "Registered", "MetadataSet"]
    (u,) = tx.decode_logs(registry.MetadataUpdate)
    assert u._tokenId == agent_id


def test_register_with_metadata(registry, alice):
    long_value = b"L" * 300
    agent_id, tx = register(registry, alice, URI, [("agentName", b"Pool Watch"), ("blob", long_value), ("empty", b"")])
    assert registry.getMetadata(agent_id, "agentName") == b"Pool Watch"
    assert registry.getMetadata(agent_id, "blob") == long_value
    assert registry.getMetadata(agent_id, "empty") == b""
    assert registry.getMetadata(agent_id, "never-set") == b""
    logs = tx.decode_logs(registry.MetadataSet)
    assert [(log.metadataKey, bytes(log.metadataValue)) for log in logs] == [
        (WALLET_KEY, bytes.fromhex(alice.address[2:])),
        ("agentName", b"Pool Watch"),
        ("blob", long_value),
        ("empty", b""),
    ]
    # the indexed key is keccak256(key), the topic indexers filter on
    raw = [l for l in tx.logs if len(l["topics"]) == 3]
    assert bytes(raw[-1]["topics"][2]) == keccak(text="empty")
    # a URI registered after a long metadata value still resolves (CREATE nonce bookkeeping)
    second, _ = register(registry, alice, URI + "/2")
    assert registry.tokenURI(second) == URI + "/2"
    assert registry.tokenURI(agent_id) == URI


def test_ids_increase_by_one_across_owners(registry, alice, bob, carol):
    ids = [register(registry, who, f"https://a.example/{i}")[0] for i, who in enumerate([alice, bob, carol, alice])]
    assert ids == [1, 2, 3, 4]
    assert [registry.ownerOf(i) for i in ids] == [alice, bob, carol, alice]
    assert registry.balanceOf(alice) == 2
    assert [registry.tokenURI(i) for i in ids] == [f"https://a.example/{i}" for i in range(4)]
    assert registry.total_agents() == 4


def test_reserved_key_is_refused_at_registration(registry, mallory):
    with ape.reverts("identity: reserved key"):
        registry.register(URI, [("agentWallet", b"\x11" * 20)], sender=mallory)
    assert registry.total_agents() == 0


def test_empty_key_is_refused_at_registration(registry, alice):
    with ape.reverts("identity: empty key"):
        registry.register(URI, [("", b"x")], sender=alice)


def test_limits_are_published(registry):
    assert registry.MAX_URI_LENGTH() == 8_192
    assert registry.MAX_KEY_LENGTH() == 64
    assert registry.MAX_VALUE_LENGTH() == 1_024
    assert registry.MAX_ENTRIES() == 16
    assert registry.MAX_SIGNATURE_LENGTH() == 512
    assert registry.MAX_DEADLINE_DELAY() == 300


def test_a_data_uri_of_several_kb_fits(registry, alice):
    uri = "data:application/json;base64," + "eyJ0eXBlIjoi" * 680  # 8,189 bytes
    assert len(uri) <= 8_192
    agent_id, tx = register(registry, alice, uri)
    assert registry.tokenURI(agent_id) == uri
    (r,) = tx.decode_logs(registry.Registered)
    assert r.agentURI == uri


def test_inputs_over_the_limits_revert(registry, alice, chain):
    """Past its ABI bound the decoder refuses the call (no reason string, nothing stored)."""
    from eth_abi import encode

    too_long_uri = "x" * 8_193
    data = bytes.fromhex("f2c298be") + encode(["string"], [too_long_uri])
    with ape.reverts():
        alice.transfer(registry.address, 0, data=data)
    many = [("k%d" % i, b"v") for i in range(17)]
    data = bytes.fromhex("8ea42286") + encode(["string", "(string,bytes)[]"], [URI, many])
    with ape.reverts():
        alice.transfer(registry.address, 0, data=data)
    long_key = [("k" * 65, b"v")]
    data = bytes.fromhex("8ea42286") + encode(["string", "(string,bytes)[]"], [URI, long_key])
    with ape.reverts():
        alice.transfer(registry.address, 0, data=data)
    long_value = [("k", b"v" * 1_025)]
    data = bytes.fromhex("8ea42286") + encode(["string", "(string,bytes)[]"], [URI, long_value])
    with ape.reverts():
        alice.transfer(registry.address, 0, data=data)
    assert registry.total_agents() == 0
    # exactly at the limits is fine
    at_limit = [("k" * 64, b"v" * 1_024)] + [("k%d" % i, b"v") for i in range(15)]
    agent_id, _ = register(registry, alice, "x" * 8_192, at_limit)
    assert registry.getMetadata(agent_id, "k" * 64) == b"v" * 1_024


def test_safe_mint_to_a_contract_that_is_not_a_receiver_reverts(registry, project, deployer):
    nonreceiver = project.MockNonReceiver.deploy(sender=deployer)
    with ape.reverts():
        nonreceiver.register_at(registry.address, sender=deployer)
    assert registry.total_agents() == 0


def test_safe_mint_to_a_receiver_with_the_wrong_answer_reverts(registry, project, deployer):
    wrong = project.MockWrongAnswerReceiver.deploy(sender=deployer)
    with ape.reverts("erc721: transfer to non-IERC721Receiver implementer"):
        wrong.register_at(registry.address, sender=deployer)
    assert registry.total_agents() == 0


def test_contract_receiver_that_reenters_leaves_the_registry_consistent(registry, project, deployer):
    rx = project.MockReentrantReceiver.deploy(sender=deployer)
    rx.register_at(registry.address, sender=deployer)
    outer, inner = rx.outer_id(), rx.inner_id()
    assert (outer, inner) == (1, 2)
    assert [rx.received(0), rx.received(1)] == [1, 2]
    assert registry.ownerOf(1) == rx.address and registry.ownerOf(2) == rx.address
    assert registry.balanceOf(rx.address) == 2
    assert registry.tokenURI(1) == "ipfs://outer" and registry.tokenURI(2) == "ipfs://inner"
    assert registry.getMetadata(1, "phase") == b"callback"
    assert registry.total_agents() == 2


def test_version(registry):
    assert registry.getVersion() == "2.0.0"
    assert (registry.name(), registry.symbol()) == ("AgentIdentity", "AGENT")
