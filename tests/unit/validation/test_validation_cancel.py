"""Story: alice asked carol to validate her agent's work, then withdraws the request.

A cancel is a withdrawal notice, never an eraser (issue 22, item 10). On main a cancel made the
request refuse every answer, so an owner who saw carol's unfavourable answer in the mempool
could front-run it with a cancel (carol's transaction then reverted `validation: cancelled`)
and ask a friendlier validator under a new hash: the "an agent cannot erase an unfavourable
answer" promise did not hold. Now carol may still answer (and finalise) a cancelled request,
and that answer is stored, read and counted like any other, so racing it gains nothing.
What a cancel still does: it marks the request withdrawn (`isCancelled`, status CANCELLED
while no answer came), so a validator knows it need not work on it; the request cannot be
reopened."""

import ape
from validation_story import ALICE_AGENT, ANSWERED, CANCELLED, FINALIZED, Z, h


def test_owner_cancels_a_pending_request(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c"), sender=alice)
    assert registry.isCancelled(ALICE_AGENT, h("c")) is False
    tx = registry.cancelValidation(ALICE_AGENT, h("c"), sender=alice)
    [ev] = tx.decode_logs(registry.ValidationCancelled)
    assert (ev.validatorAddress, ev.agentId, ev.requestHash, ev.cancelledBy) == (carol.address, ALICE_AGENT, h("c"), alice.address)
    assert registry.getRequestState(h("c")) == (CANCELLED, ALICE_AGENT, carol.address, 0, False)
    assert registry.getAttestation(ALICE_AGENT, h("c"))[:4] == (CANCELLED, carol.address, 0, False)
    assert registry.isCancelled(ALICE_AGENT, h("c")) is True
    with ape.reverts("validation: cancelled"):
        registry.cancelValidation(ALICE_AGENT, h("c"), sender=alice)
    with ape.reverts("validation: request exists"):  # cannot be reopened
        registry.validationRequest(carol, ALICE_AGENT, "", h("c"), sender=alice)


def test_a_cancel_front_running_an_unfavourable_answer_erases_nothing(registry, alice, carol, dave):
    """The regression: the cancel lands first (front-run), carol's answer still lands and counts."""
    registry.validationRequest(carol, ALICE_AGENT, "", h("race"), sender=alice)
    registry.cancelValidation(ALICE_AGENT, h("race"), sender=alice)
    tx = registry.validationResponse(h("race"), 10, "ipfs://verdict", h("verdict"), "zkml", sender=carol)
    [ev] = tx.decode_logs(registry.ValidationResponse)
    assert (ev.validatorAddress, ev.agentId, ev.requestHash, ev.response, ev.responseHash, ev.tag) == (
        carol.address, ALICE_AGENT, h("race"), 10, h("verdict"), "zkml"
    )
    assert registry.getRequestState(h("race")) == (ANSWERED, ALICE_AGENT, carol.address, 10, False)
    assert registry.getValidationStatus(h("race"))[:5] == (carol.address, ALICE_AGENT, 10, h("verdict"), "zkml")
    assert registry.isCancelled(ALICE_AGENT, h("race")) is True
    assert registry.getSummary(ALICE_AGENT, [carol], "zkml") == (1, 10)
    # a friendlier validator under a new hash adds an answer; it does not replace carol's
    registry.validationRequest(dave, ALICE_AGENT, "", h("friendly"), sender=alice)
    registry.validationResponse(h("friendly"), 100, "", Z, "zkml", sender=dave)
    assert registry.getSummary(ALICE_AGENT, [], "zkml") == (2, 55)
    # and the withdrawn-then-answered request cannot be cancelled again
    with ape.reverts("validation: not pending"):
        registry.cancelValidation(ALICE_AGENT, h("race"), sender=alice)


def test_the_validator_may_finalise_a_cancelled_request(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("cf"), sender=alice)
    registry.cancelValidation(ALICE_AGENT, h("cf"), sender=alice)
    tx = registry.validationResponseFor(ALICE_AGENT, h("cf"), 20, "", Z, "", True, sender=carol)
    assert tx.decode_logs(registry.ValidationResponse)[0].response == 20
    [fin] = tx.decode_logs(registry.ValidationFinalized)
    assert (fin.validatorAddress, fin.agentId, fin.requestHash, fin.response) == (carol.address, ALICE_AGENT, h("cf"), 20)
    assert registry.getAttestation(ALICE_AGENT, h("cf"))[:4] == (FINALIZED, carol.address, 20, True)
    with ape.reverts("validation: finalized"):
        registry.validationResponse(h("cf"), 90, "", Z, "", sender=carol)

    registry.validationRequest(carol, ALICE_AGENT, "", h("cf2"), sender=alice)
    registry.cancelValidation(ALICE_AGENT, h("cf2"), sender=alice)
    registry.validationResponse(h("cf2"), 30, "", Z, "", sender=carol)
    tx = registry.finalizeValidation(ALICE_AGENT, h("cf2"), sender=carol)
    assert tx.decode_logs(registry.ValidationFinalized)[0].response == 30
    assert registry.getAttestation(ALICE_AGENT, h("cf2"))[:4] == (FINALIZED, carol.address, 30, True)


def test_only_the_named_validator_answers_a_cancelled_request(registry, alice, carol, dave, mallory):
    registry.validationRequest(carol, ALICE_AGENT, "", h("cv"), sender=alice)
    registry.cancelValidation(ALICE_AGENT, h("cv"), sender=alice)
    for who in (dave, mallory, alice):
        with ape.reverts("validation: not validator"):
            registry.validationResponse(h("cv"), 100, "", Z, "", sender=who)
    with ape.reverts("validation: no response"):
        registry.finalizeValidation(ALICE_AGENT, h("cv"), sender=carol)
    assert registry.getRequestState(h("cv"))[0] == CANCELLED


def test_operator_may_cancel(registry, alice, bob, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c2"), sender=alice)
    tx = registry.cancelValidation(ALICE_AGENT, h("c2"), sender=bob)
    assert tx.decode_logs(registry.ValidationCancelled)[0].cancelledBy == bob.address


def test_stranger_and_validator_cannot_cancel(registry, alice, carol, mallory):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c3"), sender=alice)
    for who in (mallory, carol):
        with ape.reverts("validation: not authorized"):
            registry.cancelValidation(ALICE_AGENT, h("c3"), sender=who)
    assert registry.isCancelled(ALICE_AGENT, h("c3")) is False


def test_answered_request_cannot_be_cancelled(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c4"), sender=alice)
    registry.validationResponse(h("c4"), 10, "", Z, "", sender=carol)
    with ape.reverts("validation: not pending"):
        registry.cancelValidation(ALICE_AGENT, h("c4"), sender=alice)
    assert registry.isCancelled(ALICE_AGENT, h("c4")) is False


def test_cancel_unknown_request_reverts(registry, alice):
    with ape.reverts("validation: unknown request"):
        registry.cancelValidation(ALICE_AGENT, h("none"), sender=alice)
    assert registry.isCancelled(ALICE_AGENT, h("none")) is False


def test_cancelled_requests_count_only_once_answered(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("s1"), sender=alice)
    registry.validationRequest(carol, ALICE_AGENT, "", h("s2"), sender=alice)
    registry.validationResponse(h("s1"), 60, "", Z, "sum", sender=carol)
    registry.cancelValidation(ALICE_AGENT, h("s2"), sender=alice)
    assert registry.getSummary(ALICE_AGENT, [], "sum") == (1, 60)  # withdrawn, no answer: not counted
    registry.validationResponse(h("s2"), 20, "", Z, "sum", sender=carol)
    assert registry.getSummary(ALICE_AGENT, [], "sum") == (2, 40)  # its late answer counts
