"""Story: agent 1 collects answers from carol and dave; consumers read summaries with and
without filters, and page through the lists."""

import ape
import pytest
from validation_story import ALICE_AGENT, h

Z = b"\x00" * 32


@pytest.fixture
def history(registry, alice, carol, dave):
    """5 requests: carol answers 90 (tag a), 71 (tag b); dave answers 40 (tag a); one
    pending with carol, one pending with dave."""
    for i, v in enumerate((carol, carol, dave, carol, dave)):
        registry.validationRequest(v, ALICE_AGENT, "", h(f"v{i}"), sender=alice)
    registry.validationResponse(h("v0"), 90, "", Z, "a", sender=carol)
    registry.validationResponse(h("v1"), 71, "", Z, "b", sender=carol)
    registry.validationResponse(h("v2"), 40, "", Z, "a", sender=dave)
    return [h(f"v{i}") for i in range(5)]


def test_summary_over_answered_requests_with_filters(registry, carol, dave, history):
    assert registry.getSummary(ALICE_AGENT, [], "") == (3, (90 + 71 + 40) // 3)
    assert registry.getSummary(ALICE_AGENT, [carol], "") == (2, 80)
    assert registry.getSummary(ALICE_AGENT, [dave], "") == (1, 40)
    assert registry.getSummary(ALICE_AGENT, [], "a") == (2, 65)
    assert registry.getSummary(ALICE_AGENT, [carol], "a") == (1, 90)
    assert registry.getSummary(ALICE_AGENT, [carol, dave], "b") == (1, 71)
    assert registry.getSummary(ALICE_AGENT, [], "zzz") == (0, 0)
    assert registry.getSummary(99, [], "") == (0, 0)


def test_summary_range_pages_combine_exactly(registry, history):
    c1, s1, total = registry.getSummaryRange(ALICE_AGENT, [], "", 0, 2)
    c2, s2, _ = registry.getSummaryRange(ALICE_AGENT, [], "", 2, 1024)
    assert total == 5 and (c1, s1) == (2, 161) and (c2, s2) == (1, 40)
    assert registry.getSummaryRange(ALICE_AGENT, [], "", 10, 5) == (0, 0, 5)


def test_lists_and_pages(registry, carol, dave, history):
    assert registry.getAgentValidations(ALICE_AGENT) == history
    assert registry.getValidatorRequests(carol) == [history[0], history[1], history[3]]
    assert registry.getValidatorRequests(dave) == [history[2], history[4]]
    items, total = registry.getAgentValidationsPaged(ALICE_AGENT, 1, 3)
    assert (list(items), total) == (history[1:4], 5)
    items, total = registry.getAgentValidationsPaged(ALICE_AGENT, 4, 10)
    assert (list(items), total) == (history[4:], 5)
    items, total = registry.getAgentValidationsPaged(ALICE_AGENT, 9, 10)
    assert (list(items), total) == ([], 5)
    hs, agents, total = registry.getValidatorRequestsPaged(carol, 1, 5)
    assert (list(hs), list(agents), total) == ([history[1], history[3]], [ALICE_AGENT] * 2, 3)
    assert registry.getAgentValidations(42) == []


def test_page_larger_than_the_published_limit_is_refused(registry, carol):
    with ape.reverts("validation: page too large"):
        registry.getAgentValidationsPaged(ALICE_AGENT, 0, 1025)
    with ape.reverts("validation: page too large"):
        registry.getValidatorRequestsPaged(carol, 0, 1025)
    with ape.reverts("validation: page too large"):
        registry.getSummaryRange(ALICE_AGENT, [], "", 0, 1025)
