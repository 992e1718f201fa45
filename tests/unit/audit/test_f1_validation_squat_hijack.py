"""F1 (fixed): a front-run request with the victim's hash that names the victim's *own* validator
made the spec's hash-only `validationResponse` credit the squatter's agent.

Before the fix `validationResponse(requestHash, ...)` answered the hash's *primary* record, the
first agent that used the hash. mallory, seeing alice's request in the mempool, requested the
same hash first for her own agent naming alice's validator carol (independent of mallory, so the
self-validation guard passed). carol's answer, sent with the ERC-8004 call every validator uses,
then scored mallory's agent (its summary, `getValidationStatus(h)`, the `ValidationResponse` event
with agentId = mallory's), and alice's record stayed PENDING although carol believed she answered
it. The SDK had the same path: `ValidationClient.respond(h, s, finalize=True)` without `agent_id`
resolved the agent from the primary record and finalised mallory's.

Fix: a hash-only answer goes to the one record of the hash that names the caller as validator
(`getRequestAgent(requestHash, validator)`); when several agents' records of the hash name the same
validator it reverts "validation: ambiguous request, use validationResponseFor" and changes
nothing. The validator then answers `validationResponseFor(agentId, ...)`; mallory gets nothing.

Run on the tree before the fix (these tests then fail): see tests/unit/audit/README.md.
"""

import boa
import pytest
from audit_env import NO_HASH, deploy, register
from eth_utils import keccak

PENDING, ANSWERED, FINALIZED = 1, 2, 3
AMBIGUOUS = "validation: ambiguous request, use validationResponseFor"


@pytest.fixture
def world():
    ident, rep, val = deploy()
    alice = boa.env.generate_address("alice")  # honest agent owner
    mallory = boa.env.generate_address("mallory")  # squatter
    carol = boa.env.generate_address("carol")  # alice's validator, honest
    a_alice = register(ident, alice)
    a_mallory = register(ident, mallory)
    return val, alice, mallory, carol, a_alice, a_mallory


def _squat_then_request(val, alice, mallory, carol, a_alice, a_mallory, h):
    with boa.env.prank(mallory):  # front-runs alice's request, naming alice's validator
        val.validationRequest(carol, a_mallory, "ipfs://copied", h)
    with boa.env.prank(alice):
        val.validationRequest(carol, a_alice, "ipfs://alice-request", h)


def test_f1_hash_only_answer_refuses_instead_of_crediting_the_squatter(world):
    val, alice, mallory, carol, a_alice, a_mallory = world
    h = keccak(b"alice's work, request file")
    _squat_then_request(val, alice, mallory, carol, a_alice, a_mallory, h)

    # carol's ERC-8004 answer cannot land on mallory's record: it refuses and changes nothing
    with boa.reverts(AMBIGUOUS):
        val.validationResponse(h, 97, "ipfs://evidence", NO_HASH, "ok", sender=carol)
    with boa.reverts(AMBIGUOUS):
        val.getRequestAgent(h, carol)
    assert val.getAttestation(a_mallory, h)[0] == PENDING
    assert val.getAttestation(a_alice, h)[0] == PENDING
    assert val.getSummary(a_mallory, [], "") == (0, 0)

    # carol answers alice's record by its (agentId, hash); the event names alice's agent
    val.validationResponseFor(a_alice, h, 97, "ipfs://evidence", NO_HASH, "ok", True, sender=carol)
    logs = val.get_logs()
    assert [type(e).__name__ for e in logs] == ["ValidationResponse", "ValidationFinalized"]
    assert (logs[0].agentId, logs[0].validatorAddress, logs[0].requestHash, logs[0].response) == (a_alice, carol, h, 97)
    assert logs[1].agentId == a_alice
    assert val.getAttestation(a_alice, h)[:4] == (FINALIZED, carol, 97, True)
    assert val.getSummary(a_alice, [], "") == (1, 97)
    # mallory's squat got nothing
    assert val.getAttestation(a_mallory, h)[0] == PENDING
    assert val.getSummary(a_mallory, [], "") == (0, 0)


def test_f1_spec_inbox_with_the_hash_twice_refuses_both_answers(world):
    """A validator that only speaks the spec lists `getValidatorRequests` and answers each hash:
    both entries are the same hash; neither answer may land on mallory's record."""
    val, alice, mallory, carol, a_alice, a_mallory = world
    h = keccak(b"alice's work 2")
    _squat_then_request(val, alice, mallory, carol, a_alice, a_mallory, h)
    inbox = val.getValidatorRequests(carol)
    assert list(inbox) == [h, h]
    for req in inbox:
        with boa.reverts(AMBIGUOUS):
            val.validationResponse(req, 90, "", NO_HASH, "", sender=carol)
    # the paged inbox names each entry's agent, which is what the validator answers with
    hashes, agents, total = val.getValidatorRequestsPaged(carol, 0, 10)
    assert (list(hashes), list(agents), total) == ([h, h], [a_mallory, a_alice], 2)
    assert val.getAttestation(a_mallory, h)[0] == PENDING
    assert val.getAttestation(a_alice, h)[0] == PENDING


def test_f1_a_squat_after_the_answer_cannot_take_the_progressive_update(world):
    """carol answered alice's (then only) record with the spec call; mallory now requests the
    same hash naming carol. carol's progressive re-answer must not move to mallory's record."""
    val, alice, mallory, carol, a_alice, a_mallory = world
    h = keccak(b"alice's work 3")
    with boa.env.prank(alice):
        val.validationRequest(carol, a_alice, "", h)
    val.validationResponse(h, 40, "", NO_HASH, "", sender=carol)
    assert val.get_logs()[-1].agentId == a_alice
    with boa.env.prank(mallory):
        val.validationRequest(carol, a_mallory, "", h)
    with boa.reverts(AMBIGUOUS):
        val.validationResponse(h, 95, "", NO_HASH, "", sender=carol)
    assert val.getAttestation(a_alice, h)[:3] == (ANSWERED, carol, 40)
    assert val.getAttestation(a_mallory, h)[0] == PENDING
    val.validationResponseFor(a_alice, h, 95, "", NO_HASH, "", False, sender=carol)
    assert val.get_logs()[-1].agentId == a_alice
    assert val.getAttestation(a_alice, h)[:3] == (ANSWERED, carol, 95)


def test_f1_a_squat_by_the_validators_other_requester_still_resolves_per_validator(world):
    """Three records of one hash: mallory and alice both name carol (ambiguous for carol), a
    third agent names dave (unique for dave): dave's hash-only answer reaches its record."""
    val, alice, mallory, carol, a_alice, a_mallory = world
    ident = boa.env.lookup_contract(val.getIdentityRegistry())
    bob, dave = boa.env.generate_address("bob"), boa.env.generate_address("dave")
    with boa.env.prank(bob):
        a_bob = ident.register("")
    h = keccak(b"three records")
    _squat_then_request(val, alice, mallory, carol, a_alice, a_mallory, h)
    with boa.env.prank(bob):
        val.validationRequest(dave, a_bob, "", h)
    assert val.getRequestAgent(h, dave) == a_bob
    val.validationResponse(h, 60, "", NO_HASH, "", sender=dave)
    assert val.get_logs()[-1].agentId == a_bob
    assert val.getAttestation(a_bob, h)[:3] == (ANSWERED, dave, 60)
    with boa.reverts(AMBIGUOUS):
        val.validationResponse(h, 60, "", NO_HASH, "", sender=carol)
