"""Alice takes back a feedback she regrets; only she can. Anyone (carol, bob) may answer any
feedback, even a revoked one; response counts honour the spec's wildcards."""

import ape
from rep_helpers import AGENT, HASH, NO_HASH, ZERO, give


def test_alice_revokes_her_feedback(rep, alice, bob):
    give(rep, alice, 10)
    give(rep, alice, 30)
    give(rep, bob, 50)
    tx = rep.revokeFeedback(AGENT, 1, sender=alice)
    [ev] = tx.decode_logs(rep.FeedbackRevoked)
    assert (ev.agentId, ev.clientAddress, ev.feedbackIndex) == (AGENT, alice.address, 1)
    assert rep.readFeedback(AGENT, alice, 1) == (10, 0, "starred", "", True)
    assert rep.getSummary(AGENT, [alice, bob], "", "")[:2] == (2, 40)
    assert rep.getSummary(AGENT, [alice], "", "")[:2] == (1, 30)


def test_revoking_twice_is_refused(rep, alice):
    give(rep, alice)
    rep.revokeFeedback(AGENT, 1, sender=alice)
    with ape.reverts("reputation: already revoked"):
        rep.revokeFeedback(AGENT, 1, sender=alice)


def test_index_zero_and_unknown_indexes_are_refused(rep, alice):
    give(rep, alice)
    with ape.reverts("reputation: index must be > 0"):
        rep.revokeFeedback(AGENT, 0, sender=alice)
    with ape.reverts("reputation: index out of bounds"):
        rep.revokeFeedback(AGENT, 2, sender=alice)


def test_mallory_cannot_revoke_alices_feedback(rep, alice, mallory):
    give(rep, alice)
    with ape.reverts("reputation: index out of bounds"):  # revocation is keyed by the caller
        rep.revokeFeedback(AGENT, 1, sender=mallory)
    assert rep.readFeedback(AGENT, alice, 1)[4] is False


def test_anyone_may_respond_even_to_revoked_feedback(rep, alice, bob, carol):
    give(rep, alice)
    rep.revokeFeedback(AGENT, 1, sender=alice)
    tx = rep.appendResponse(AGENT, alice, 1, "ipfs://refund-proof", HASH, sender=carol)
    [ev] = tx.decode_logs(rep.ResponseAppended)
    assert (ev.agentId, ev.clientAddress, ev.feedbackIndex, ev.responder) == (AGENT, alice.address, 1, carol.address)
    assert ev.responseURI == "ipfs://refund-proof" and bytes(ev.responseHash) == HASH
    rep.appendResponse(AGENT, alice, 1, "ipfs://second", NO_HASH, sender=carol)
    rep.appendResponse(AGENT, alice, 1, "ipfs://bob", NO_HASH, sender=bob)
    assert rep.getResponseCount(AGENT, alice, 1, []) == 3
    assert rep.getResponseCount(AGENT, alice, 1, [carol]) == 2
    assert rep.getResponseCount(AGENT, alice, 1, [bob, carol]) == 3


def test_response_count_wildcards(rep, alice, bob, carol):
    give(rep, alice)
    give(rep, alice)
    give(rep, bob)
    rep.appendResponse(AGENT, alice, 1, "r", NO_HASH, sender=carol)
    rep.appendResponse(AGENT, alice, 2, "r", NO_HASH, sender=carol)
    rep.appendResponse(AGENT, alice, 2, "r", NO_HASH, sender=bob)
    rep.appendResponse(AGENT, bob, 1, "r", NO_HASH, sender=carol)
    assert rep.getResponseCount(AGENT, ZERO, 0, []) == 4  # every client, every feedback
    assert rep.getResponseCount(AGENT, alice, 0, []) == 3  # every feedback of alice
    assert rep.getResponseCount(AGENT, ZERO, 0, [carol]) == 3
    assert rep.getResponseCount(AGENT, ZERO, 0, [carol, bob]) == 4
    assert rep.getResponseCount(AGENT, ZERO, 0, [carol, carol]) == 6  # listed twice, counted twice
    assert rep.getResponseCount(AGENT, alice, 0, [bob]) == 1
    assert rep.getResponseCount(AGENT, alice, 2, [bob]) == 1
    assert rep.getResponseCount(AGENT, bob, 5, []) == 0
    assert rep.getResponseCount(AGENT, bob, 2**64 - 1, []) == 0
    assert rep.getResponseCount(2, ZERO, 0, []) == 0  # another agent: nothing


def test_response_count_of_every_client_ignores_the_index_as_the_reference_does(rep, alice, bob, carol):
    """Reference 2.0.0: `clientAddress == 0` counts every response to every feedback of every
    client; `feedbackIndex` is not looked at. Main counted only index k of each client (2 and
    2 below, instead of 4), so an ERC-8004 client got a different answer from hashtrust."""
    give(rep, alice)
    give(rep, alice)
    give(rep, bob)
    rep.appendResponse(AGENT, alice, 1, "r", NO_HASH, sender=carol)
    rep.appendResponse(AGENT, alice, 2, "r", NO_HASH, sender=carol)
    rep.appendResponse(AGENT, alice, 2, "r", NO_HASH, sender=bob)
    rep.appendResponse(AGENT, bob, 1, "r", NO_HASH, sender=carol)
    for k in (0, 1, 2, 7, 2**64 - 1):
        assert rep.getResponseCount(AGENT, ZERO, k, []) == 4
        assert rep.getResponseCount(AGENT, ZERO, k, [bob]) == 1


def test_empty_responses_and_unknown_feedback_are_refused(rep, alice, carol):
    give(rep, alice)
    with ape.reverts("reputation: empty response URI"):
        rep.appendResponse(AGENT, alice, 1, "", NO_HASH, sender=carol)
    with ape.reverts("reputation: index must be > 0"):
        rep.appendResponse(AGENT, alice, 0, "r", NO_HASH, sender=carol)
    with ape.reverts("reputation: index out of bounds"):
        rep.appendResponse(AGENT, alice, 2, "r", NO_HASH, sender=carol)
    with ape.reverts():
        rep.appendResponse(AGENT, alice, 1, "r" * 1025, NO_HASH, sender=carol)
