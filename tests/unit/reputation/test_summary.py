"""What a reader learns from getSummary: the average of the clients *they* chose, in the
precision most of that feedback used, never wrapped, never counting revoked feedback."""

import ape
from rep_helpers import AGENT, give

INT128_MAX = 2**127 - 1
INT128_MIN = -(2**127)


def test_a_client_list_is_required(rep, alice):
    give(rep, alice)
    with ape.reverts("reputation: clientAddresses required"):
        rep.getSummary(AGENT, [], "", "")


def test_no_feedback_gives_zeroes(rep, alice, bob):
    assert rep.getSummary(AGENT, [alice], "", "") == (0, 0, 0)
    give(rep, alice, 50)
    assert rep.getSummary(AGENT, [bob], "", "") == (0, 0, 0)
    rep.revokeFeedback(AGENT, 1, sender=alice)
    assert rep.getSummary(AGENT, [alice], "", "") == (0, 0, 0)


def test_mixed_decimals_average_in_the_most_frequent_precision(rep, alice, bob):
    give(rep, alice, 87, 0)  # 87
    give(rep, alice, 9977, 2)  # 99.77
    give(rep, bob, 9500, 2)  # 95.00
    give(rep, bob, -32, 1)  # -3.2
    # (87 + 99.77 + 95 - 3.2) / 4 = 69.6425 -> mode is 2 decimals -> 6964
    assert rep.getSummary(AGENT, [alice, bob], "", "") == (4, 6964, 2)


def test_ties_go_to_the_lower_precision_and_truncate_toward_zero(rep, alice, bob):
    give(rep, alice, -10, 0)
    give(rep, bob, -5, 1)  # -10 and -0.5: average -5.25 -> tie 0 vs 1 -> 0 decimals -> -5
    assert rep.getSummary(AGENT, [alice, bob], "", "") == (2, -5, 0)


def test_only_the_chosen_clients_count(rep, alice, bob, mallory):
    give(rep, alice, 90)
    give(rep, bob, 80)
    for _ in range(3):
        give(rep, mallory, 0)  # a sybil spamming low scores
    assert rep.getSummary(AGENT, [alice, bob], "", "") == (2, 85, 0)
    assert rep.getSummary(AGENT, [alice, bob, mallory], "", "") == (5, 34, 0)


def test_tag_filters_are_exact_and_positional_and_empty_means_any(rep, alice, bob):
    give(rep, alice, 100, 0, "starred", "fast")
    give(rep, alice, 50, 0, "starred", "slow")
    give(rep, bob, 9977, 2, "uptime", "")
    give(rep, bob, 10, 0, "fast", "starred")
    assert rep.getSummary(AGENT, [alice, bob], "starred", "")[:2] == (2, 75)
    assert rep.getSummary(AGENT, [alice, bob], "starred", "fast")[:2] == (1, 100)
    assert rep.getSummary(AGENT, [alice, bob], "", "starred")[:2] == (1, 10)
    assert rep.getSummary(AGENT, [alice, bob], "uptime", "") == (1, 9977, 2)
    assert rep.getSummary(AGENT, [alice, bob], "star", "") == (0, 0, 0)  # no prefix match
    assert rep.getSummary(AGENT, [alice, bob], "starred\x00", "") == (0, 0, 0)


def test_revoked_feedback_never_counts_even_with_a_filter(rep, alice):
    give(rep, alice, 100, 0, "starred")
    give(rep, alice, 0, 0, "starred")
    rep.revokeFeedback(AGENT, 2, sender=alice)
    assert rep.getSummary(AGENT, [alice], "starred", "")[:2] == (1, 100)
    assert rep.getSummary(AGENT, [alice], "", "")[:2] == (1, 100)


def test_the_reference_wrap_case_saturates_instead_of_turning_negative(rep, alice, bob):
    """Reference: (1e38, 0), (1, 18), (1, 18) -> (3, -886533759346574857640019685980940970, 18).
    The true average 3.33e37 needs 18 decimals (the mode): it does not fit int128, so the
    answer is the largest int128, never a negative number."""
    give(rep, alice, 10**38, 0)
    give(rep, bob, 1, 18)
    give(rep, bob, 1, 18)
    count, value, decimals = rep.getSummary(AGENT, [alice, bob], "", "")
    assert (count, decimals) == (3, 18)
    assert value == INT128_MAX and value > 0
    assert value != -886533759346574857640019685980940970
    # the same through the all-clients fast path, and through the tag-filter path
    assert rep.getSummary(AGENT, rep.getClients(AGENT), "", "") == (3, INT128_MAX, 18)
    assert rep.getSummary(AGENT, [alice, bob], "starred", "") == (3, INT128_MAX, 18)


def test_negative_overflow_saturates_to_the_lowest_int128(rep, alice, bob):
    give(rep, alice, -(10**38), 0)
    give(rep, bob, 1, 18)
    give(rep, bob, 1, 18)
    assert rep.getSummary(AGENT, [alice, bob], "", "") == (3, INT128_MIN, 18)


def test_whole_client_list_and_any_subset_agree(rep, alice, bob, carol, mallory, accounts):
    """The agent-wide aggregate (used when the list is exactly getClients) must agree with
    the per-client aggregates for the same clients in another order."""
    dave = accounts[6]
    give(rep, alice, 87, 0)
    give(rep, bob, 9977, 2)
    give(rep, mallory, -3, 1)
    give(rep, dave, 12345678, 6)
    give(rep, dave, 5, 17)
    rep.revokeFeedback(AGENT, 1, sender=alice)
    clients = rep.getClients(AGENT)
    assert clients == [alice.address, bob.address, mallory.address, dave.address]
    whole = rep.getSummary(AGENT, clients, "", "")
    assert whole == rep.getSummary(AGENT, clients[::-1], "", "")
    assert whole[0] == 4


def test_a_client_listed_twice_counts_twice_as_in_the_reference(rep, alice, bob):
    give(rep, alice, 100)
    give(rep, bob, 0)
    assert rep.getSummary(AGENT, [alice, alice, bob], "", "")[:2] == (3, 66)


def test_feedback_of_other_agents_does_not_leak(rep, alice):
    give(rep, alice, 100)
    give(rep, alice, 0, agent=2)
    assert rep.getSummary(AGENT, [alice], "", "")[:2] == (1, 100)
    assert rep.getSummary(2, [alice], "", "")[:2] == (1, 0)
