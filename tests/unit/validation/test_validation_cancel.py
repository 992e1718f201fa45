"""Story: alice asked carol, then changes her mind before carol answers and cancels; carol
can no longer answer. Once carol has answered, alice cannot cancel to erase the answer."""

import ape
from validation_story import ALICE_AGENT, h

Z = b"\x00" * 32
CANCELLED = 4


def test_owner_cancels_a_pending_request(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c"), sender=alice)
    tx = registry.cancelValidation(ALICE_AGENT, h("c"), sender=alice)
    [ev] = tx.decode_logs(registry.ValidationCancelled)
    assert (ev.validatorAddress, ev.agentId, ev.requestHash, ev.cancelledBy) == (carol.address, ALICE_AGENT, h("c"), alice.address)
    assert registry.getRequestState(h("c")) == (CANCELLED, ALICE_AGENT, carol.address, 0, False)
    with ape.reverts("validation: cancelled"):
        registry.validationResponse(h("c"), 100, "", Z, "", sender=carol)
    with ape.reverts("validation: cancelled"):
        registry.validationResponseFor(ALICE_AGENT, h("c"), 100, "", Z, "", True, sender=carol)
    with ape.reverts("validation: cancelled"):
        registry.finalizeValidation(ALICE_AGENT, h("c"), sender=carol)
    with ape.reverts("validation: cancelled"):
        registry.cancelValidation(ALICE_AGENT, h("c"), sender=alice)
    with ape.reverts("validation: request exists"):  # cannot be reopened
        registry.validationRequest(carol, ALICE_AGENT, "", h("c"), sender=alice)


def test_operator_may_cancel(registry, alice, bob, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c2"), sender=alice)
    tx = registry.cancelValidation(ALICE_AGENT, h("c2"), sender=bob)
    assert tx.decode_logs(registry.ValidationCancelled)[0].cancelledBy == bob.address


def test_stranger_and_validator_cannot_cancel(registry, alice, carol, mallory):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c3"), sender=alice)
    for who in (mallory, carol):
        with ape.reverts("validation: not authorized"):
            registry.cancelValidation(ALICE_AGENT, h("c3"), sender=who)


def test_answered_request_cannot_be_cancelled(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("c4"), sender=alice)
    registry.validationResponse(h("c4"), 10, "", Z, "", sender=carol)
    with ape.reverts("validation: not pending"):
        registry.cancelValidation(ALICE_AGENT, h("c4"), sender=alice)


def test_cancel_unknown_request_reverts(registry, alice):
    with ape.reverts("validation: unknown request"):
        registry.cancelValidation(ALICE_AGENT, h("none"), sender=alice)


def test_cancelled_requests_do_not_count_in_summaries(registry, alice, carol):
    registry.validationRequest(carol, ALICE_AGENT, "", h("s1"), sender=alice)
    registry.validationRequest(carol, ALICE_AGENT, "", h("s2"), sender=alice)
    registry.validationResponse(h("s1"), 60, "", Z, "", sender=carol)
    registry.cancelValidation(ALICE_AGENT, h("s2"), sender=alice)
    assert registry.getSummary(ALICE_AGENT, [], "") == (1, 60)
