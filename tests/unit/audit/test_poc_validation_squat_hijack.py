"""PoC: a front-run request with the victim's hash and the victim's *own* validator makes the
spec's hash-only `validationResponse` credit the squatter's agent.

The registry keeps one record per (agentId, requestHash) so a squatter can no longer block the
victim's request (the reference reverts "exists"). But the spec function
`validationResponse(requestHash, ...)` answers the hash's *primary* record, i.e. the first
agent that used the hash. A squatter who front-runs alice's request with the same hash and
names alice's validator carol (carol is independent of the squatter, so the self-validation
guard passes) becomes the primary record. carol, answering with the ERC-8004 call every
existing validator uses (or `ValidationClient.respond(h, score)` without `agent_id`), then
scores mallory's agent, not alice's:

- mallory's agent gets the validated score (its summary, `getValidationStatus(h)`, the
  `ValidationResponse` event with agentId = mallory's agent);
- alice's record stays PENDING although carol believes she answered it; alice's request
  succeeded silently, so nothing told anyone the hash was taken.

Expected: a hash-only answer must never land on a record of another agent than the one whose
request the validator is answering; when a hash has several records, `validationResponse`
should refuse ("ambiguous, use validationResponseFor") rather than pick the squatter's.

Run: python -m pytest tests/unit/audit/test_poc_validation_squat_hijack.py -p no:ape_test
"""

import boa
import pytest
from audit_env import NO_HASH, deploy, register
from eth_utils import keccak

PENDING, ANSWERED = 1, 2


@pytest.fixture
def world():
    ident, rep, val = deploy()
    alice = boa.env.generate_address("alice")  # honest agent owner
    mallory = boa.env.generate_address("mallory")  # squatter
    carol = boa.env.generate_address("carol")  # alice's validator, honest
    a_alice = register(ident, alice)
    a_mallory = register(ident, mallory)
    return val, alice, mallory, carol, a_alice, a_mallory


def test_spec_validation_response_credits_the_front_running_squatter(world):
    val, alice, mallory, carol, a_alice, a_mallory = world
    h = keccak(b"alice's work, request file")

    # mallory sees alice's pending request in the mempool and front-runs it, naming carol
    with boa.env.prank(mallory):
        val.validationRequest(carol, a_mallory, "ipfs://copied", h)
    # alice's request succeeds (no error tells her the hash was taken)
    with boa.env.prank(alice):
        val.validationRequest(carol, a_alice, "ipfs://alice-request", h)

    # carol answers alice's request with the ERC-8004 function
    with boa.env.prank(carol):
        val.validationResponse(h, 97, "ipfs://evidence", NO_HASH, "ok")
    logs = val.get_logs()
    assert type(logs[-1]).__name__ == "ValidationResponse"
    assert logs[-1].agentId == a_mallory  # the answer event names mallory's agent

    # mallory's agent got the score for alice's work ...
    assert val.getAttestation(a_mallory, h)[:3] == (ANSWERED, carol, 97)
    assert val.getSummary(a_mallory, [], "") == (1, 97)
    assert val.getValidationStatus(h)[1:3] == (a_mallory, 97)
    # ... and alice's record was never answered
    assert val.getAttestation(a_alice, h)[0] == PENDING
    assert val.getSummary(a_alice, [], "") == (0, 0)


def test_spec_validator_inbox_lists_the_hash_twice_and_cannot_reach_the_victim(world):
    """A validator that only speaks the spec lists `getValidatorRequests` and answers each hash:
    both entries are the same hash and both answers go to the squatter's record."""
    val, alice, mallory, carol, a_alice, a_mallory = world
    h = keccak(b"alice's work 2")
    with boa.env.prank(mallory):
        val.validationRequest(carol, a_mallory, "", h)
    with boa.env.prank(alice):
        val.validationRequest(carol, a_alice, "", h)
    inbox = val.getValidatorRequests(carol)
    assert list(inbox) == [h, h]
    with boa.env.prank(carol):
        for req in inbox:
            val.validationResponse(req, 90, "", NO_HASH, "")
    assert val.getAttestation(a_mallory, h)[0] == ANSWERED
    assert val.getAttestation(a_alice, h)[0] == PENDING
