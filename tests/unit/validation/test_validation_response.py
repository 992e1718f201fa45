"""Story: carol answers alice's request, refines her answer (progressive validation), then
finalises it; from then on nobody can change it (the reference lets a validator silently
downgrade 100 to 40 at any time)."""

import ape
import pytest
from validation_story import ALICE_AGENT, h

PENDING, ANSWERED, FINALIZED, CANCELLED = 1, 2, 3, 4
Z = b"\x00" * 32
RH = b"\x11" * 32


@pytest.fixture
def job(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "data:,job", h("job"), sender=alice)
    return h("job")


def test_validator_answers_and_the_answer_is_recorded(registry, carol, job, chain):
    tx = registry.validationResponse(job, 80, "ipfs://evidence", RH, "zkml", sender=carol)
    [ev] = tx.decode_logs(registry.ValidationResponse)
    assert (ev.validatorAddress, ev.agentId, ev.requestHash) == (carol.address, ALICE_AGENT, job)
    assert (ev.response, ev.responseURI, ev.responseHash, ev.tag) == (80, "ipfs://evidence", RH, "zkml")
    assert not tx.decode_logs(registry.ValidationFinalized)
    ts = chain.blocks.head.timestamp
    assert registry.getValidationStatus(job) == (carol.address, ALICE_AGENT, 80, RH, "zkml", ts)
    assert registry.getRequestState(job) == (ANSWERED, ALICE_AGENT, carol.address, 80, False)


def test_answer_zero_is_distinguishable_from_pending(registry, carol, job):
    """Reference: pending and failed both read response 0. Here the state tells them apart."""
    assert registry.getValidationStatus(job)[2] == 0
    assert registry.getRequestState(job)[0] == PENDING
    registry.validationResponse(job, 0, "", Z, "", sender=carol)
    assert registry.getValidationStatus(job)[2] == 0
    assert registry.getRequestState(job)[0] == ANSWERED


def test_progressive_answers_overwrite_until_final(registry, carol, job):
    registry.validationResponse(job, 30, "", Z, "a", sender=carol)
    registry.validationResponse(job, 100, "", RH, "b", sender=carol)
    registry.validationResponse(job, 40, "", Z, "", sender=carol)  # downgrade allowed while progressive
    assert registry.getValidationStatus(job)[2:5] == (40, Z, "")


def test_finalised_answer_can_never_change(registry, carol, job):
    """The reference accepts 100 then 40 (issue #28). Here, once final, 40 is refused."""
    registry.validationResponse(job, 100, "", RH, "final", sender=carol)
    tx = registry.finalizeValidation(ALICE_AGENT, job, sender=carol)
    [ev] = tx.decode_logs(registry.ValidationFinalized)
    assert (ev.validatorAddress, ev.agentId, ev.requestHash, ev.response) == (carol.address, ALICE_AGENT, job, 100)
    assert registry.getRequestState(job) == (FINALIZED, ALICE_AGENT, carol.address, 100, True)
    with ape.reverts("validation: finalized"):
        registry.validationResponse(job, 40, "", Z, "", sender=carol)
    with ape.reverts("validation: finalized"):
        registry.validationResponseFor(ALICE_AGENT, job, 40, "", Z, "", True, sender=carol)
    with ape.reverts("validation: finalized"):
        registry.finalizeValidation(ALICE_AGENT, job, sender=carol)
    assert registry.getValidationStatus(job)[2:5] == (100, RH, "final")


def test_answer_and_finalise_in_one_transaction(registry, carol, job):
    tx = registry.validationResponseFor(ALICE_AGENT, job, 77, "u", RH, "t", True, sender=carol)
    [resp] = tx.decode_logs(registry.ValidationResponse)
    [fin] = tx.decode_logs(registry.ValidationFinalized)
    assert resp.response == 77 and fin.response == 77
    assert registry.getAttestation(ALICE_AGENT, job)[:4] == (FINALIZED, carol.address, 77, True)


def test_progressive_answer_via_response_for_without_finalising(registry, carol, job):
    tx = registry.validationResponseFor(ALICE_AGENT, job, 60, "", Z, "", False, sender=carol)
    assert not tx.decode_logs(registry.ValidationFinalized)
    assert registry.getAttestation(ALICE_AGENT, job)[:4] == (ANSWERED, carol.address, 60, False)


def test_only_the_named_validator_may_answer(registry, dave, alice, job):
    for who in (dave, alice):
        with ape.reverts("validation: not validator"):
            registry.validationResponse(job, 50, "", Z, "", sender=who)
    with ape.reverts("validation: not validator"):
        registry.validationResponseFor(ALICE_AGENT, job, 50, "", Z, "", True, sender=dave)
    with ape.reverts("validation: not validator"):
        registry.finalizeValidation(ALICE_AGENT, job, sender=dave)


def test_response_above_100_is_refused(registry, carol, job):
    with ape.reverts("validation: response > 100"):
        registry.validationResponse(job, 101, "", Z, "", sender=carol)
    registry.validationResponse(job, 100, "", Z, "", sender=carol)


def test_answer_to_an_unknown_request_reverts(registry, carol):
    with ape.reverts("validation: unknown request"):
        registry.validationResponse(h("nope"), 50, "", Z, "", sender=carol)
    with ape.reverts("validation: unknown request"):
        registry.validationResponseFor(ALICE_AGENT, h("nope"), 50, "", Z, "", False, sender=carol)
    with ape.reverts("validation: unknown request"):
        registry.finalizeValidation(ALICE_AGENT, h("nope"), sender=carol)


def test_cannot_finalise_before_answering(registry, carol, job):
    with ape.reverts("validation: no response"):
        registry.finalizeValidation(ALICE_AGENT, job, sender=carol)


def test_independence_is_judged_when_the_request_is_made(registry, identity, alice, carol, job):
    """The self-validation ban applies at request time (see test_request); a later change of
    the agent's operators does not void a request already addressed to an independent
    validator (re-checking every answer would cost ~10.8k gas and a fresh key bypasses it
    anyway; consumers needing independence keep an allowlist)."""
    identity.setOperator(ALICE_AGENT, carol, True, sender=alice)
    registry.validationResponse(job, 100, "", Z, "", sender=carol)
    assert registry.getValidationStatus(job)[2] == 100
    with ape.reverts("validation: self-validation"):  # but carol can no longer be named
        registry.validationRequest(carol, ALICE_AGENT, "", h("later"), sender=alice)


def test_tag_of_31_bytes_round_trips(registry, carol, job):
    tag = "t" * 31
    registry.validationResponse(job, 1, "", Z, tag, sender=carol)
    assert registry.getValidationStatus(job)[4] == tag
    registry.validationResponse(job, 1, "", Z, "é", sender=carol)  # multibyte UTF-8
    assert registry.getValidationStatus(job)[4] == "é"
