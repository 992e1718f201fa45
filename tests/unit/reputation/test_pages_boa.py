"""A page of an agent's whole feedback costs O(page), not O(clients) (issue 14, item 8).

On main, `readAllFeedbackPaged(agent, [], ...)` walked every client of the agent to find the
page and to count the total, and `getResponseCount(agent, 0x0, 0, [])` walked every feedback
of every client: ~1M gas for a 1-item page at 1,000 clients (warm reads; about 5M on Anvil),
and anyone can add clients. Now every feedback has an agent-wide position (the order it was
given, written with the feedback) and responses are counted per agent and per (agent,
responder), so these reads cost the same at 1 and at 300 clients.

Positions of the [] listing never move (new feedback lands after the last one), so a reader
paging through while feedback arrives sees every entry exactly once; with main's
client-by-client order an early client's new feedback shifted every later position.

Gas is measured in-process (titanoboa's gas meter, the same for every call); the benchmark
`benchmarks/reputation_pages.py` gives the Anvil figures at 1, 100 and 1,000 clients.
"""

from pathlib import Path

import boa
import pytest

ROOT = Path(__file__).resolve().parents[3]
ZERO = "0x" + "00" * 20
NO_HASH = b"\x00" * 32
AGENT = 1
MANY = 300


@pytest.fixture
def env():
    ident = boa.load(str(ROOT / "contracts/mocks/MockIdentityRegistry.vy"))
    rep = boa.load(str(ROOT / "contracts/ReputationRegistry.vy"), ident.address)
    owner = boa.env.generate_address("agent-owner")
    ident.setAgent(AGENT, owner, owner)
    clients = [boa.env.generate_address(f"page-client-{i}") for i in range(MANY)]
    responder = boa.env.generate_address("responder")
    return rep, clients, responder


def _give(rep, who, value=87, tag1="starred", tag2="quality"):
    with boa.env.prank(who):
        rep.giveFeedback(AGENT, value, 0, tag1, tag2, "https://agent.example/x", "ipfs://f", NO_HASH)


def _gas(rep, fn, *args) -> int:
    return boa.env.raw_call(rep.address, data=fn.prepare_calldata(*args)).get_gas_used()


def _reads(rep, n, responder):
    return {
        "first 1-item page": _gas(rep, rep.readAllFeedbackPaged, AGENT, [], "", "", False, 0, 1),
        "last 1-item page": _gas(rep, rep.readAllFeedbackPaged, AGENT, [], "", "", False, n - 1, 1),
        "10-item page": _gas(rep, rep.readAllFeedbackPaged, AGENT, [], "", "", False, 0, 10),
        "tag-filtered 10-item page": _gas(rep, rep.readAllFeedbackPaged, AGENT, [], "starred", "quality", False, 0, 10),
        "response count, everyone": _gas(rep, rep.getResponseCount, AGENT, ZERO, 0, []),
        "response count, one responder": _gas(rep, rep.getResponseCount, AGENT, ZERO, 0, [responder]),
    }


def test_a_page_of_every_clients_feedback_costs_the_same_at_10_and_300_clients(env):
    rep, clients, responder = env
    for c in clients[:10]:
        _give(rep, c)
    with boa.env.prank(responder):
        rep.appendResponse(AGENT, clients[0], 1, "ipfs://r", NO_HASH)
    few = _reads(rep, 10, responder)
    for c in clients[10:]:
        _give(rep, c)
    assert rep.readAllFeedbackPaged(AGENT, [], "", "", False, 0, 1)[-1] == MANY
    many = _reads(rep, MANY, responder)
    for read in few:
        # equal pages, 30x the clients: the same gas (a few gas of calldata for a larger offset)
        assert abs(many[read] - few[read]) <= 64, (read, few[read], many[read])
    # and the answers are right
    assert rep.getResponseCount(AGENT, ZERO, 0, []) == 1
    assert rep.getResponseCount(AGENT, ZERO, 0, [responder]) == 1
    last = rep.readAllFeedbackPaged(AGENT, [], "", "", False, MANY - 1, 1)
    assert (last[0], last[1], last[-1]) == ([clients[-1]], [1], MANY)


def test_paging_every_clients_feedback_while_feedback_arrives_sees_each_entry_once(env):
    rep, clients, _ = env
    early, late = clients[0], clients[1]
    given = []

    def give(who):
        _give(rep, who, value=len(given))
        given.append((str(who), rep.getLastIndex(AGENT, who)))

    for who in (early, late, late, late):
        give(who)
    seen, offset, total = [], 0, 4
    while offset < total:
        page = rep.readAllFeedbackPaged(AGENT, [], "", "", True, offset, 2)
        seen += [(str(c), i) for c, i in zip(page[0], page[1])]
        offset += min(2, page[-1] - offset)  # the positions this page covered
        # between pages the early client (first in getClients order) gives again: with a
        # client-by-client order its new feedback would shift every later position by one
        if len(given) < 8:
            give(early)
        total = rep.readAllFeedbackPaged(AGENT, [], "", "", True, 0, 0)[-1]
    assert seen == given
    assert len(set(seen)) == len(seen) == 8


def test_an_explicit_client_list_still_pages_client_by_client(env):
    rep, clients, _ = env
    a, b = clients[0], clients[1]
    for who in (a, b, a):
        _give(rep, who)
    page = rep.readAllFeedbackPaged(AGENT, [b, a], "", "", True, 0, 10)
    assert [(str(c), i) for c, i in zip(page[0], page[1])] == [(str(b), 1), (str(a), 1), (str(a), 2)]
    assert page[-1] == 3
    everything = rep.readAllFeedbackPaged(AGENT, [], "", "", True, 0, 10)
    assert [(str(c), i) for c, i in zip(everything[0], everything[1])] == [(str(a), 1), (str(b), 1), (str(a), 2)]


def test_an_offset_past_the_end_returns_an_empty_page_and_the_total(env):
    rep, clients, _ = env
    _give(rep, clients[0])
    for offset in (1, 2, 2**255, 2**256 - 1):
        page = rep.readAllFeedbackPaged(AGENT, [], "", "", True, offset, 128)
        assert page[0] == [] and page[-1] == 1
    assert rep.readAllFeedbackPaged(AGENT, [], "", "", True, 0, 2**256 - 1)[-1] == 1  # limit capped
    assert rep.readAllFeedbackPaged(2, [], "", "", True, 0, 10)[-1] == 0  # an agent with no feedback
