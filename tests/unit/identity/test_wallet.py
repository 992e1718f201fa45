"""The agent wallet: alice's agent starts paid to alice; she proves control of dave's EOA or
of a contract wallet (ERC-1271) with an EIP-712 signature; a signature works once only (not
again inside its window, not after an unset, not after a transfer and back); expired, too-far,
wrong-signer and stranger calls are refused; any transfer clears the wallet."""

import ape
import pytest
from identity_helpers import WALLET_KEY, ZERO, approval, eoa_signature


@pytest.fixture
def agent(registry, alice):
    registry.register("ipfs://agent", sender=alice)
    return 1


def _set(registry, chain, who, agent_id, wallet, owner, *, deadline=None, signer=None):
    deadline = deadline if deadline is not None else chain.pending_timestamp + 120
    sig = eoa_signature(registry, chain, agent_id, signer or wallet, owner.address, deadline, wallet.address)
    return registry.setAgentWallet(agent_id, wallet, deadline, sig, sender=who), sig, deadline


def test_wallet_defaults_to_the_registrant(registry, agent, alice):
    assert registry.getAgentWallet(agent) == alice
    assert registry.getMetadata(agent, WALLET_KEY) == bytes.fromhex(alice.address[2:])


def test_missing_agent_has_no_wallet(registry):
    assert registry.getAgentWallet(404) == ZERO
    assert registry.getMetadata(404, WALLET_KEY) == b""


def test_owner_sets_an_eoa_wallet(registry, chain, agent, alice, dave):
    tx, _, deadline = _set(registry, chain, alice, agent, dave, alice)
    assert registry.getAgentWallet(agent) == dave
    assert registry.getMetadata(agent, WALLET_KEY) == bytes.fromhex(dave.address[2:])
    assert registry.last_wallet_deadline(agent) == deadline
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert (m.agentId, m.metadataKey, bytes(m.metadataValue)) == (agent, WALLET_KEY, bytes.fromhex(dave.address[2:]))


def test_operator_and_approved_may_set_the_wallet(registry, chain, agent, alice, carol, bob, dave):
    registry.setApprovalForAll(carol, True, sender=alice)
    _set(registry, chain, carol, agent, dave, alice)
    assert registry.getAgentWallet(agent) == dave
    registry.approve(bob, agent, sender=alice)
    _set(registry, chain, bob, agent, alice, alice, deadline=chain.pending_timestamp + 200)
    assert registry.getAgentWallet(agent) == alice


def test_stranger_cannot_set_the_wallet(registry, chain, agent, alice, mallory):
    deadline = chain.pending_timestamp + 60
    sig = eoa_signature(registry, chain, agent, mallory, alice.address, deadline)
    with ape.reverts("identity: not authorized"):
        registry.setAgentWallet(agent, mallory, deadline, sig, sender=mallory)


def test_missing_agent_is_refused(registry, chain, dave, mallory):
    deadline = chain.pending_timestamp + 60
    sig = eoa_signature(registry, chain, 7, dave, mallory.address, deadline)
    with ape.reverts("erc721: invalid token ID"):
        registry.setAgentWallet(7, dave, deadline, sig, sender=mallory)


def test_contract_wallet_via_erc1271(registry, chain, agent, alice, dave, wallet_contract):
    deadline = chain.pending_timestamp + 120
    a = approval(registry, chain, agent, wallet_contract.address, alice.address, deadline)
    # not approved yet: refused
    with ape.reverts("identity: invalid wallet signature"):
        registry.setAgentWallet(agent, wallet_contract, deadline, b"\x01", sender=alice)
    wallet_contract.approve_hash(a.digest, True, sender=dave)
    tx = registry.setAgentWallet(agent, wallet_contract, deadline, b"\x01", sender=alice)
    assert registry.getAgentWallet(agent) == wallet_contract.address
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert bytes(m.metadataValue) == bytes.fromhex(wallet_contract.address[2:])


def test_signature_by_someone_else_is_refused(registry, chain, agent, alice, dave, mallory):
    deadline = chain.pending_timestamp + 60
    sig = eoa_signature(registry, chain, agent, mallory, alice.address, deadline, wallet_addr=dave.address)
    with ape.reverts("identity: invalid wallet signature"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)


def test_signature_for_another_owner_or_agent_is_refused(registry, chain, agent, alice, bob, dave):
    deadline = chain.pending_timestamp + 60
    sig = eoa_signature(registry, chain, agent, dave, bob.address, deadline)  # owner field wrong
    with ape.reverts("identity: invalid wallet signature"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)
    registry.register(sender=alice)
    sig = eoa_signature(registry, chain, 2, dave, alice.address, deadline)  # other agent
    with ape.reverts("identity: invalid wallet signature"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)


def test_malformed_signatures_are_refused(registry, chain, agent, alice, dave):
    deadline = chain.pending_timestamp + 60
    sig = eoa_signature(registry, chain, agent, dave, alice.address, deadline)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    high_s = r + (n - s).to_bytes(32, "big") + bytes([55 - v])  # the malleable twin
    for bad in (high_s, sig[:64], sig + b"\x00", r + sig[32:64] + b"\x05", b""):
        with ape.reverts("identity: invalid wallet signature"):
            registry.setAgentWallet(agent, dave, deadline, bad, sender=alice)


def test_zero_wallet_is_refused(registry, chain, agent, alice):
    with ape.reverts("identity: zero wallet"):
        registry.setAgentWallet(agent, ZERO, chain.pending_timestamp + 60, b"\x00" * 65, sender=alice)


def test_expired_signature_is_refused(registry, chain, agent, alice, dave):
    deadline = chain.pending_timestamp + 10
    sig = eoa_signature(registry, chain, agent, dave, alice.address, deadline)
    chain.pending_timestamp += 11
    with ape.reverts("identity: signature expired"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)


def test_deadline_more_than_five_minutes_ahead_is_refused(registry, chain, agent, alice, dave):
    deadline = chain.pending_timestamp + 301 + 5
    sig = eoa_signature(registry, chain, agent, dave, alice.address, deadline)
    with ape.reverts("identity: deadline too far"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)


def test_signature_cannot_be_replayed_in_its_window(registry, chain, agent, alice, dave, carol):
    tx, sig, deadline = _set(registry, chain, alice, agent, dave, alice)
    _set(registry, chain, alice, agent, alice, alice, deadline=deadline + 1, signer=alice)  # back to alice
    with ape.reverts("identity: signature already used"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)
    assert registry.getAgentWallet(agent) == alice


def test_signature_cannot_be_replayed_after_unset(registry, chain, agent, alice, dave):
    _, sig, deadline = _set(registry, chain, alice, agent, dave, alice)
    tx = registry.unsetAgentWallet(agent, sender=alice)
    assert registry.getAgentWallet(agent) == ZERO
    assert registry.getMetadata(agent, WALLET_KEY) == b""
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert (m.metadataKey, bytes(m.metadataValue)) == (WALLET_KEY, b"")
    with ape.reverts("identity: signature already used"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)


def test_signature_cannot_be_replayed_after_transfer_and_back(registry, chain, agent, alice, bob, dave):
    _, sig, deadline = _set(registry, chain, alice, agent, dave, alice)
    registry.transferFrom(alice, bob, agent, sender=alice)
    assert registry.getAgentWallet(agent) == ZERO
    registry.transferFrom(bob, alice, agent, sender=bob)
    with ape.reverts("identity: signature already used"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=alice)
    # a fresh signature with a later deadline works
    _set(registry, chain, alice, agent, dave, alice, deadline=deadline + 1)
    assert registry.getAgentWallet(agent) == dave


def test_old_owner_signature_is_useless_for_the_new_owner(registry, chain, agent, alice, bob, dave):
    deadline = chain.pending_timestamp + 120
    sig = eoa_signature(registry, chain, agent, dave, alice.address, deadline)
    registry.transferFrom(alice, bob, agent, sender=alice)
    with ape.reverts("identity: invalid wallet signature"):
        registry.setAgentWallet(agent, dave, deadline, sig, sender=bob)


def test_unset_by_stranger_is_refused(registry, agent, mallory):
    with ape.reverts("identity: not authorized"):
        registry.unsetAgentWallet(agent, sender=mallory)
    with ape.reverts("erc721: invalid token ID"):
        registry.unsetAgentWallet(99, sender=mallory)


def test_unset_twice_keeps_it_unset(registry, agent, alice):
    registry.unsetAgentWallet(agent, sender=alice)
    tx = registry.unsetAgentWallet(agent, sender=alice)
    assert registry.getAgentWallet(agent) == ZERO
    assert len(tx.decode_logs(registry.MetadataSet)) == 1


def test_domain_separator_is_the_eip712_one(registry, chain):
    from eth_abi import encode
    from eth_utils import keccak

    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak(text="ERC8004IdentityRegistry"),
                keccak(text="1"),
                chain.chain_id,
                registry.address,
            ],
        )
    )
    assert registry.DOMAIN_SEPARATOR() == expected
