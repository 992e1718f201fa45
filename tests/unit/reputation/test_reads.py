"""Bob audits carol's agent: one feedback, all of it with filters, and page by page."""

import ape
from rep_helpers import AGENT, ZERO, give


def test_read_feedback_bounds(rep, alice):
    give(rep, alice)
    with ape.reverts("reputation: index must be > 0"):
        rep.readFeedback(AGENT, alice, 0)
    with ape.reverts("reputation: index out of bounds"):
        rep.readFeedback(AGENT, alice, 2)


def test_read_all_with_client_and_tag_filters(rep, alice, bob):
    give(rep, alice, 1, 0, "a", "x")
    give(rep, alice, 2, 1, "b", "y")
    give(rep, bob, 3, 2, "a", "y")
    rep.revokeFeedback(AGENT, 1, sender=alice)
    everything = rep.readAllFeedback(AGENT, [], "", "", True)
    assert list(everything[0]) == [alice.address, alice.address, bob.address]
    assert list(everything[1]) == [1, 2, 1]
    assert list(everything[2]) == [1, 2, 3] and list(everything[3]) == [0, 1, 2]
    assert list(everything[4]) == ["a", "b", "a"] and list(everything[5]) == ["x", "y", "y"]
    assert list(everything[6]) == [True, False, False]
    active = rep.readAllFeedback(AGENT, [], "", "", False)
    assert list(active[1]) == [2, 1]
    tagged = rep.readAllFeedback(AGENT, [], "a", "", True)
    assert list(tagged[0]) == [alice.address, bob.address]
    only_bob = rep.readAllFeedback(AGENT, [bob], "", "y", False)
    assert list(only_bob[0]) == [bob.address] and list(only_bob[2]) == [3]
    assert rep.readAllFeedback(AGENT, [ZERO], "", "", True)[0] == []


def test_paged_reads_cover_everything_once(rep, alice, bob, accounts):
    dave = accounts[6]
    given = []
    for who, n in ((alice, 3), (bob, 1), (dave, 4)):
        for k in range(n):
            give(rep, who, k, 0, "t" if k % 2 else "")
            given.append((who.address, k + 1))
    give(rep, alice, 9)  # alice again, after dave: her 4th feedback is the 9th given
    given.append((alice.address, 4))
    full = rep.readAllFeedback(AGENT, [], "", "", True)
    seen = []
    offset = 0
    while True:
        page = rep.readAllFeedbackPaged(AGENT, [], "", "", True, offset, 3)
        assert page[7] == 9  # total positions
        seen += list(zip(page[0], page[1]))
        offset += 3
        if offset >= page[7]:
            break
    # every client ([]): positions are the agent-wide order the feedback was given in
    assert seen == given
    assert sorted(seen) == sorted(zip(full[0], full[1]))  # the same entries as readAllFeedback
    filtered = rep.readAllFeedbackPaged(AGENT, [dave, alice], "t", "", True, 2, 4)
    # positions 2..5 of [dave(1..4), alice(1..3)] = dave 3, dave 4, alice 1, alice 2; tag "t" on odd k (index 2, 4)
    assert list(zip(filtered[0], filtered[1])) == [(dave.address, 4), (alice.address, 2)]
    assert filtered[7] == 8
    assert rep.readAllFeedbackPaged(AGENT, [], "", "", True, 100, 5)[0] == []


def test_clients_paged(rep, accounts):
    people = [accounts[i] for i in (1, 2, 6, 7, 8, 9)]  # not carol (3), the owner
    for p in people:
        give(rep, p)
    give(rep, people[0])  # a second feedback does not list alice twice
    assert rep.getClients(AGENT) == [p.address for p in people]
    assert rep.getClientsPaged(AGENT, 0, 4) == ([p.address for p in people[:4]], 6)
    assert rep.getClientsPaged(AGENT, 4, 4) == ([p.address for p in people[4:]], 6)
    assert rep.getClientsPaged(AGENT, 6, 4) == ([], 6)
    assert rep.getClientsPaged(99, 0, 4) == ([], 0)
