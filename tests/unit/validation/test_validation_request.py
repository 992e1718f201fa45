"""Story: alice (agent 1's owner) or bob (her operator) asks carol to validate some work.
Only they may ask, the validator must be independent of the agent, and a hash is unique
per agent."""

import ape
import pytest
from validation_story import ALICE_AGENT, MALLORY_AGENT, h

PENDING, ANSWERED, FINALIZED, CANCELLED = 1, 2, 3, 4


def test_owner_requests_validation_and_it_is_recorded(registry, alice, carol, chain):
    tx = registry.validationRequest(carol, ALICE_AGENT, "data:,job-1", h("job-1"), sender=alice)
    [ev] = tx.decode_logs(registry.ValidationRequest)
    assert ev.validatorAddress == carol.address
    assert ev.agentId == ALICE_AGENT
    assert ev.requestURI == "data:,job-1"
    assert ev.requestHash == h("job-1")
    ts = chain.blocks.head.timestamp
    assert registry.getValidationStatus(h("job-1")) == (carol.address, ALICE_AGENT, 0, b"\x00" * 32, "", ts)
    assert registry.getRequestState(h("job-1")) == (PENDING, ALICE_AGENT, carol.address, 0, False)
    assert registry.getAttestation(ALICE_AGENT, h("job-1")) == (PENDING, carol.address, 0, False, ts)
    assert registry.getAgentValidations(ALICE_AGENT) == [h("job-1")]
    assert registry.getValidatorRequests(carol) == [h("job-1")]


def test_operator_may_request_for_the_agent(registry, bob, carol):
    tx = registry.validationRequest(carol, ALICE_AGENT, "", h("job-op"), sender=bob)
    assert len(tx.decode_logs(registry.ValidationRequest)) == 1
    assert registry.getRequestState(h("job-op"))[1] == ALICE_AGENT


def test_stranger_cannot_request_for_someone_elses_agent(registry, mallory, carol):
    with ape.reverts("validation: not authorized"):
        registry.validationRequest(carol, ALICE_AGENT, "", h("x"), sender=mallory)


def test_request_for_a_missing_agent_reverts(registry, alice, carol):
    with ape.reverts("mock: unknown agent"):
        registry.validationRequest(carol, 999, "", h("x"), sender=alice)


def test_zero_validator_is_refused(registry, alice):
    with ape.reverts("validation: bad validator"):
        registry.validationRequest("0x" + "00" * 20, ALICE_AGENT, "", h("x"), sender=alice)


def test_zero_hash_is_refused(registry, alice, carol):
    with ape.reverts("validation: empty hash"):
        registry.validationRequest(carol, ALICE_AGENT, "", b"\x00" * 32, sender=alice)


@pytest.mark.parametrize("who", ["owner", "operator", "wallet"])
def test_agent_cannot_name_itself_as_validator(registry, identity, alice, bob, dave, who):
    """The reference lets an agent's owner validate its own agent; here owner, operator and
    agentWallet are all refused (the vault needs validators independent of the operator)."""
    if who == "wallet":
        identity.setWallet(ALICE_AGENT, dave, sender=alice)
    me = {"owner": alice, "operator": bob, "wallet": dave}[who]
    with ape.reverts("validation: self-validation"):
        registry.validationRequest(me, ALICE_AGENT, "", h("self"), sender=alice)


def test_agent_id_beyond_40_bits_is_refused(registry, identity, deployer, alice, carol):
    """Records pack the agent id in 40 bits (ids are sequential: 10**12 agents)."""
    big = 2**40
    identity.mint(big, alice, sender=deployer)
    with ape.reverts("validation: agentId too large"):
        registry.validationRequest(carol, big, "", h("big"), sender=alice)
    identity.mint(big - 1, alice, sender=deployer)
    registry.validationRequest(carol, big - 1, "", h("big"), sender=alice)
    assert registry.getRequestState(h("big"))[1] == big - 1


def test_same_hash_twice_for_the_same_agent_is_refused(registry, alice, carol, dave):
    registry.validationRequest(carol, ALICE_AGENT, "", h("dup"), sender=alice)
    with ape.reverts("validation: request exists"):
        registry.validationRequest(dave, ALICE_AGENT, "", h("dup"), sender=alice)


def test_same_hash_twice_for_a_secondary_agent_is_refused(registry, alice, mallory, carol, dave):
    registry.validationRequest(carol, ALICE_AGENT, "", h("dup2"), sender=alice)
    registry.validationRequest(carol, MALLORY_AGENT, "", h("dup2"), sender=mallory)
    with ape.reverts("validation: request exists"):
        registry.validationRequest(dave, MALLORY_AGENT, "", h("dup2"), sender=mallory)


def test_squatter_cannot_block_or_hijack_the_victims_hash(registry, alice, mallory, carol, dave):
    """mallory sees alice's hash (e.g. in the mempool or derived from public vault data) and
    requests it first for her own agent 7, naming herself-controlled dave. In the reference
    alice's request then reverts "exists" forever. Here alice's request still succeeds in her
    own namespace, carol answers it, and consumers reading (agent 1, hash) see only that."""
    victim = h("vault-epoch-42")
    registry.validationRequest(dave, MALLORY_AGENT, "", victim, sender=mallory)
    tx = registry.validationRequest(carol, ALICE_AGENT, "", victim, sender=alice)  # reference: reverts
    assert len(tx.decode_logs(registry.ValidationRequest)) == 1
    # the hash-only views show the primary (first) record and say whose it is
    assert registry.getRequestState(victim)[1] == MALLORY_AGENT
    assert registry.getValidationStatus(victim)[1] == MALLORY_AGENT
    # the spec's hash-only answer reaches the one record naming its caller: carol's is alice's
    assert registry.getRequestAgent(victim, carol) == ALICE_AGENT
    assert registry.getRequestAgent(victim, dave) == MALLORY_AGENT
    tx = registry.validationResponse(victim, 100, "", b"\x00" * 32, "", sender=carol)
    assert [e.agentId for e in tx.decode_logs(registry.ValidationResponse)] == [ALICE_AGENT]
    registry.validationResponseFor(ALICE_AGENT, victim, 90, "", b"\x00" * 32, "epoch", True, sender=carol)
    assert registry.getAttestation(ALICE_AGENT, victim)[:4] == (FINALIZED, carol.address, 90, True)
    # mallory's own validator cannot touch alice's record, and mallory's record stays pending
    with ape.reverts("validation: not validator"):
        registry.validationResponseFor(ALICE_AGENT, victim, 0, "", b"\x00" * 32, "", False, sender=dave)
    assert registry.getAttestation(MALLORY_AGENT, victim)[0] == PENDING
    # carol's inbox names the right agent for the non-primary entry
    hashes, agents, total = registry.getValidatorRequestsPaged(carol, 0, 10)
    assert (list(hashes), list(agents), total) == ([victim], [ALICE_AGENT], 1)
    assert registry.getValidationStatusFor(ALICE_AGENT, victim)[:3] == (carol.address, ALICE_AGENT, 90)
    assert registry.getAgentValidations(ALICE_AGENT) == [victim]
    assert registry.getAgentValidations(MALLORY_AGENT) == [victim]


def test_squatter_naming_the_victims_validator_gets_no_credit(registry, alice, mallory, carol):
    """mallory front-runs alice's hash naming alice's own validator carol. carol's hash-only
    answer cannot tell the two records apart, so it refuses (it once credited mallory, the first
    requester); carol answers alice's record by (agentId, hash) and mallory's stays pending."""
    victim = h("vault-epoch-43")
    registry.validationRequest(carol, MALLORY_AGENT, "", victim, sender=mallory)
    registry.validationRequest(carol, ALICE_AGENT, "", victim, sender=alice)
    with ape.reverts("validation: ambiguous request, use validationResponseFor"):
        registry.validationResponse(victim, 97, "", b"\x00" * 32, "", sender=carol)
    with ape.reverts("validation: ambiguous request, use validationResponseFor"):
        registry.getRequestAgent(victim, carol)
    assert registry.getAttestation(MALLORY_AGENT, victim)[0] == PENDING
    assert registry.getAttestation(ALICE_AGENT, victim)[0] == PENDING
    tx = registry.validationResponseFor(ALICE_AGENT, victim, 97, "", b"\x00" * 32, "", False, sender=carol)
    assert [e.agentId for e in tx.decode_logs(registry.ValidationResponse)] == [ALICE_AGENT]
    assert registry.getSummary(ALICE_AGENT, [carol], "") == (1, 97)
    assert registry.getSummary(MALLORY_AGENT, [], "") == (0, 0)


def test_unknown_hash_reverts_on_spec_view_but_reads_none_on_state(registry):
    with ape.reverts("validation: unknown request"):
        registry.getValidationStatus(h("never"))
    with ape.reverts("validation: unknown request"):
        registry.getValidationStatusFor(ALICE_AGENT, h("never"))
    assert registry.getRequestState(h("never")) == (0, 0, "0x" + "00" * 20, 0, False)
    assert registry.getAttestation(ALICE_AGENT, h("never")) == (0, "0x" + "00" * 20, 0, False, 0)


def test_constructor_refuses_zero_identity(project, deployer):
    with ape.reverts("validation: zero identity registry"):
        deployer.deploy(project.ValidationRegistry, "0x" + "00" * 20)


def test_identity_registry_is_reported(registry, identity):
    assert registry.getIdentityRegistry() == identity.address
