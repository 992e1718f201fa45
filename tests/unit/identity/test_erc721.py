"""The agent NFT: balances, approvals and operators as in ERC-721; any transfer clears the
agent wallet (and says so with a MetadataSet event) and the single approval; safe transfers
ask contract receivers; isAuthorizedOrOwner answers for owner, operator and approved."""

import ape
import pytest
from identity_helpers import URI, WALLET_KEY, ZERO


@pytest.fixture
def agent(registry, alice):
    registry.register(URI, sender=alice)
    return 1


def test_transfer_moves_and_clears_the_wallet(registry, agent, alice, bob):
    registry.approve(ZERO, agent, sender=alice)
    tx = registry.transferFrom(alice, bob, agent, sender=alice)
    assert registry.ownerOf(agent) == bob
    assert (registry.balanceOf(alice), registry.balanceOf(bob)) == (0, 1)
    assert registry.getAgentWallet(agent) == ZERO
    assert registry.getMetadata(agent, WALLET_KEY) == b""
    assert registry.tokenURI(agent) == URI  # the URI stays
    assert [log.event_name for log in tx.decode_logs()] == ["Transfer", "MetadataSet"]
    (t,) = tx.decode_logs(registry.Transfer)
    assert (t.sender, t.receiver, t.token_id) == (alice, bob, agent)
    (m,) = tx.decode_logs(registry.MetadataSet)
    assert (m.agentId, m.metadataKey, bytes(m.metadataValue)) == (agent, WALLET_KEY, b"")


def test_approved_address_transfers_once(registry, agent, alice, bob, carol):
    tx = registry.approve(bob, agent, sender=alice)
    (a,) = tx.decode_logs(registry.Approval)
    assert (a.owner, a.approved, a.token_id) == (alice, bob, agent)
    assert registry.getApproved(agent) == bob
    assert registry.isAuthorizedOrOwner(bob, agent)
    registry.safeTransferFrom(alice, carol, agent, sender=bob)
    assert registry.ownerOf(agent) == carol
    assert registry.getApproved(agent) == ZERO
    assert not registry.isAuthorizedOrOwner(bob, agent)


def test_operator_manages_every_agent(registry, agent, alice, bob, carol):
    registry.register(sender=alice)
    tx = registry.setApprovalForAll(carol, True, sender=alice)
    (e,) = tx.decode_logs(registry.ApprovalForAll)
    assert (e.owner, e.operator, e.approved) == (alice, carol, True)
    assert registry.isApprovedForAll(alice, carol)
    assert registry.isAuthorizedOrOwner(carol, 2)
    registry.approve(bob, 2, sender=carol)  # an operator may approve
    registry.transferFrom(alice, bob, agent, sender=carol)
    assert registry.ownerOf(agent) == bob
    assert not registry.isAuthorizedOrOwner(carol, agent)  # operator of alice, not of bob


def test_is_authorized_or_owner(registry, agent, alice, mallory):
    assert registry.isAuthorizedOrOwner(alice, agent)
    assert not registry.isAuthorizedOrOwner(mallory, agent)
    with ape.reverts("erc721: invalid token ID"):
        registry.isAuthorizedOrOwner(alice, 77)


def test_stranger_cannot_transfer_or_approve(registry, agent, alice, mallory):
    with ape.reverts("erc721: caller is not token owner or approved"):
        registry.transferFrom(alice, mallory, agent, sender=mallory)
    with ape.reverts("erc721: caller is not token owner or approved"):
        registry.safeTransferFrom(alice, mallory, agent, b"", sender=mallory)
    with ape.reverts("erc721: approve caller is not token owner or approved for all"):
        registry.approve(mallory, agent, sender=mallory)


def test_transfer_guards(registry, agent, alice, bob):
    with ape.reverts("erc721: transfer to the zero address"):
        registry.transferFrom(alice, ZERO, agent, sender=alice)
    with ape.reverts("erc721: transfer from incorrect owner"):
        registry.transferFrom(bob, alice, agent, sender=alice)
    with ape.reverts("erc721: invalid token ID"):
        registry.transferFrom(alice, bob, 42, sender=alice)


def test_erc721_view_guards(registry, alice, carol):
    with ape.reverts("erc721: invalid token ID"):
        registry.ownerOf(0)  # ids start at 1
    with ape.reverts("erc721: invalid token ID"):
        registry.getApproved(3)
    with ape.reverts("erc721: the zero address is not a valid owner"):
        registry.balanceOf(ZERO)
    with ape.reverts("erc721: approve to caller"):
        registry.setApprovalForAll(alice, True, sender=alice)
    with ape.reverts("erc721: approve to the zero address"):
        registry.setApprovalForAll(ZERO, True, sender=alice)


def test_safe_transfer_to_a_non_receiver_reverts(registry, project, agent, alice, deployer):
    nonreceiver = project.MockNonReceiver.deploy(sender=deployer)
    with ape.reverts():
        registry.safeTransferFrom(alice, nonreceiver, agent, sender=alice)
    assert registry.ownerOf(agent) == alice
    # a plain transfer does not ask (ERC-721)
    registry.transferFrom(alice, nonreceiver, agent, sender=alice)
    assert registry.ownerOf(agent) == nonreceiver.address


def test_safe_transfer_to_a_receiver_with_the_wrong_answer_reverts(registry, project, agent, alice, deployer):
    wrong = project.MockWrongAnswerReceiver.deploy(sender=deployer)
    with ape.reverts("erc721: transfer to non-IERC721Receiver implementer"):
        registry.safeTransferFrom(alice, wrong, agent, b"data", sender=alice)
    assert registry.ownerOf(agent) == alice


def test_safe_transfer_with_data_to_a_receiver(registry, agent, alice, wallet_contract):
    tx = registry.safeTransferFrom(alice, wallet_contract, agent, b"hello", sender=alice)
    assert registry.ownerOf(agent) == wallet_contract.address
    assert [log.event_name for log in tx.decode_logs()] == ["Transfer", "MetadataSet"]
    assert registry.getAgentWallet(agent) == ZERO


def test_supports_interface(registry):
    for iid in ("0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x49064906"):
        assert registry.supportsInterface(iid)
    assert not registry.supportsInterface("0x780e9d63")  # not enumerable
    assert not registry.supportsInterface("0xffffffff")
