"""Attacks tried during the audit that the registries already stop (each asserts the attack
fails). Those already covered elsewhere are listed in tests/unit/audit/README.md with their tests;
these are the probes no other test made."""

import boa
from audit_env import NO_HASH, ZERO, deploy, deployer, gas_of, give, register
from eth_abi import encode
from eth_utils import keccak

WALLET_TYPE = keccak(b"AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)")


def _digest(ident, agent, wallet, owner, deadline):
    struct = keccak(encode(["bytes32", "uint256", "address", "address", "uint256"], [WALLET_TYPE, agent, wallet, owner, deadline]))
    return keccak(b"\x19\x01" + ident.DOMAIN_SEPARATOR() + struct)


def test_an_erc1271_approval_cannot_be_replayed_after_unset_or_a_round_trip_transfer():
    """A contract wallet approves one digest; the owner uses it, unsets, transfers the agent away
    and back: the same (wallet, deadline) signature is refused every time ("already used"), and a
    signature approved for the old owner is worthless to the new one."""
    ident, _, _ = deploy()
    owner, other = boa.env.generate_address("owner"), boa.env.generate_address("other")
    agent = register(ident, owner)
    with boa.env.prank(owner):
        wallet = deployer("contracts/mocks/MockERC1271Wallet.vy").deploy()
    deadline = boa.env.timestamp + 200
    d = _digest(ident, agent, wallet.address, owner, deadline)
    with boa.env.prank(owner):
        wallet.approve_hash(d, True)
        ident.setAgentWallet(agent, wallet.address, deadline, b"")
        assert ident.getAgentWallet(agent) == wallet.address
        ident.unsetAgentWallet(agent)
        with boa.reverts("identity: signature already used"):
            ident.setAgentWallet(agent, wallet.address, deadline, b"")
        ident.transferFrom(owner, other, agent)
    with boa.env.prank(other):
        ident.transferFrom(other, owner, agent)
    with boa.env.prank(owner):
        with boa.reverts("identity: signature already used"):
            ident.setAgentWallet(agent, wallet.address, deadline, b"")
    # a later deadline signed for `owner` does not work once `other` owns the agent
    later = deadline + 1
    with boa.env.prank(owner):
        wallet.approve_hash(_digest(ident, agent, wallet.address, owner, later), True)
        ident.transferFrom(owner, other, agent)
    with boa.env.prank(other):
        with boa.reverts("identity: invalid wallet signature"):
            ident.setAgentWallet(agent, wallet.address, later, b"")
    assert ident.getAgentWallet(agent) == ZERO


def test_the_sellers_operators_lose_every_right_with_the_sale():
    """A marketplace the seller approved for all keeps no power over a sold agent."""
    ident, rep, val = deploy()
    seller, buyer, market = (boa.env.generate_address(n) for n in ("seller", "buyer", "market"))
    agent = register(ident, seller)
    with boa.env.prank(seller):
        ident.setApprovalForAll(market, True)
    with boa.env.prank(market):
        ident.transferFrom(seller, buyer, agent)
        for call in (lambda: ident.setAgentURI(agent, "ipfs://x"), lambda: ident.setMetadata(agent, "k", b"v"), lambda: ident.unsetAgentWallet(agent)):
            with boa.reverts("identity: not authorized"):
                call()
        with boa.reverts("validation: not authorized"):
            val.validationRequest(boa.env.generate_address("v"), agent, "", keccak(b"x"))
    # and it may rate the agent again, as anyone
    give(rep, market, agent, value=50)
    assert rep.getLastIndex(agent, market) == 1


def test_response_spam_does_not_grow_the_cost_of_response_counts():
    """The reference loops over every responder; here 60 spam responders leave the count reads
    O(1) (the same gas as with one response)."""
    ident, rep, _ = deploy()
    owner, client = boa.env.generate_address("owner"), boa.env.generate_address("client")
    agent = register(ident, owner)
    give(rep, client, agent)

    def respond(who):
        with boa.env.prank(who):
            rep.appendResponse(agent, client, 1, "ipfs://r", NO_HASH)

    respond(owner)
    one = [gas_of(rep, rep.getResponseCount, agent, client, 1, []), gas_of(rep, rep.getResponseCount, agent, ZERO, 0, [owner])]
    for i in range(60):
        respond(boa.env.generate_address(f"spam{i}"))
    after = [gas_of(rep, rep.getResponseCount, agent, client, 1, []), gas_of(rep, rep.getResponseCount, agent, ZERO, 0, [owner])]
    assert after == one
    assert rep.getResponseCount(agent, client, 1, []) == 61
    assert rep.getResponseCount(agent, ZERO, 0, [owner]) == 1


def test_a_squatter_cannot_make_the_victims_request_revert_or_change_its_record():
    """Whatever mallory requests first (same hash, same or another validator, cancelled or
    answered), alice's request of the hash succeeds and her record starts PENDING, unanswered."""
    ident, _, val = deploy()
    alice, mallory = boa.env.generate_address("alice"), boa.env.generate_address("mallory")
    carol, dave = boa.env.generate_address("carol"), boa.env.generate_address("dave")
    a_alice, a_mallory = register(ident, alice), register(ident, mallory)
    for i, (v, then) in enumerate([(carol, None), (dave, "answer"), (carol, "cancel"), (carol, "answer")]):
        h = keccak(b"job" + bytes([i]))
        with boa.env.prank(mallory):
            val.validationRequest(v, a_mallory, "", h)
            if then == "cancel":
                val.cancelValidation(a_mallory, h)
        if then == "answer":
            val.validationResponse(h, 100, "", NO_HASH, "", sender=v)
        with boa.env.prank(alice):
            val.validationRequest(carol, a_alice, "", h)
        assert val.getAttestation(a_alice, h)[:3] == (1, carol, 0)
        assert not val.isCancelled(a_alice, h)
