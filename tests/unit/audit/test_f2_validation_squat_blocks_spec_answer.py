"""F2 (fixed): a squatter naming a *different* validator blocked the victim validator's spec
answer.

Before the fix the hash-only `validationResponse(h)` always addressed the hash's first record.
mallory front-runs alice's hash for her own agent naming her own validator dave; alice's request
names carol. carol's ERC-8004 answer then reverted "validation: not validator" (the first record
names dave), so a validator speaking only the spec could never answer alice's request, and any
number of squats cost alice every spec-only validator.

Fix (the same routing as F1): the hash-only answer goes to the one record of the hash naming the
caller. carol's answer reaches alice's record, dave's reaches mallory's, a stranger's reverts
"validation: not validator" and an unknown hash "validation: unknown request".
"""

import boa
import pytest
from audit_env import NO_HASH, deploy, register
from eth_utils import keccak

PENDING, ANSWERED = 1, 2


@pytest.fixture
def world():
    ident, rep, val = deploy()
    alice, mallory = boa.env.generate_address("alice"), boa.env.generate_address("mallory")
    carol, dave = boa.env.generate_address("carol"), boa.env.generate_address("dave")
    a_alice, a_mallory = register(ident, alice), register(ident, mallory)
    h = keccak(b"alice's job")
    with boa.env.prank(mallory):
        val.validationRequest(dave, a_mallory, "", h)  # the squat, naming mallory's validator
    with boa.env.prank(alice):
        val.validationRequest(carol, a_alice, "", h)
    return val, carol, dave, a_alice, a_mallory, h


def test_f2_the_victims_validator_answers_with_the_spec_call(world):
    val, carol, dave, a_alice, a_mallory, h = world
    val.validationResponse(h, 88, "ipfs://e", NO_HASH, "job", sender=carol)  # reverted before the fix
    ev = val.get_logs()[-1]
    assert type(ev).__name__ == "ValidationResponse"
    assert (ev.validatorAddress, ev.agentId, ev.requestHash, ev.response, ev.tag) == (carol, a_alice, h, 88, "job")
    assert val.getAttestation(a_alice, h)[:3] == (ANSWERED, carol, 88)
    assert val.getValidationStatusFor(a_alice, h)[:3] == (carol, a_alice, 88)
    assert val.getAttestation(a_mallory, h)[0] == PENDING
    # the hash-only views still show the first (mallory's) record and say whose it is
    assert val.getValidationStatus(h)[:3] == (dave, a_mallory, 0)
    assert val.getRequestAgent(h, carol) == a_alice


def test_f2_the_squatters_validator_reaches_only_the_squatters_record(world):
    val, carol, dave, a_alice, a_mallory, h = world
    val.validationResponse(h, 100, "", NO_HASH, "", sender=dave)
    assert val.get_logs()[-1].agentId == a_mallory
    assert val.getAttestation(a_mallory, h)[:3] == (ANSWERED, dave, 100)
    assert val.getAttestation(a_alice, h)[0] == PENDING
    # carol's record is out of dave's reach, also by (agentId, hash)
    with boa.reverts("validation: not validator"):
        val.validationResponseFor(a_alice, h, 0, "", NO_HASH, "", True, sender=dave)
    assert val.getRequestAgent(h, dave) == a_mallory


def test_f2_strangers_and_unknown_hashes_are_refused(world):
    val, carol, dave, a_alice, a_mallory, h = world
    stranger = boa.env.generate_address("stranger")
    with boa.reverts("validation: not validator"):
        val.validationResponse(h, 1, "", NO_HASH, "", sender=stranger)
    with boa.reverts("validation: not validator"):
        val.getRequestAgent(h, stranger)
    unknown = keccak(b"never requested")
    with boa.reverts("validation: unknown request"):
        val.validationResponse(unknown, 1, "", NO_HASH, "", sender=carol)
    with boa.reverts("validation: unknown request"):
        val.getRequestAgent(unknown, carol)
    assert val.getAttestation(a_alice, h)[0] == PENDING and val.getAttestation(a_mallory, h)[0] == PENDING
