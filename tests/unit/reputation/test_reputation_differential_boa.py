"""Differential test: random feedback (mixed signs and decimals, huge values, long and packed
tags), revocations and reads, on the contract (titanoboa, fast) and on the Python model of the
spec (rep_model.py). getSummary (fast path, per-client path, tag path), readAllFeedback and
its paged variant must agree with the model after every step.

Invariants:
  R1 getLastIndex(agent, client) == the model's count: indexes are 1..n, append-only.
  R2 getClients(agent) == clients in order of their first feedback, each once.
  R3 getSummary (agent-wide fast path, per-client path, tag path) == the model: revoked
     feedback excluded, mean truncated toward zero in the modal decimals.
  R4 readAllFeedback == the model's rows (filters, revoked flag).
  R5 readAllFeedbackPaged: total == number of positions, the page == the model's slice
     (positions for [] are the agent-wide order the feedback was given in).
  R6 revocation is one-way and only by the feedback's own client (refused steps change nothing).
  R7 getResponseCount == the model for every wildcard combination (reference semantics:
     client 0 ignores the index); refused responses change nothing.
  R8 readFeedback returns exactly the tags given, at every tag-pair length (packed in the
     value word and the position entry up to 18 bytes, then one or two more slots).

Step counts come from the hypothesis profile (tests/conftest.py: "ci" bounded, "deep" long)."""

from pathlib import Path

import boa
import hypothesis.strategies as st
from hypothesis import note
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from rep_model import Model

ROOT = Path(__file__).resolve().parents[3]
IDENTITY = boa.load_partial(str(ROOT / "contracts/mocks/MockIdentityRegistry.vy"))
REPUTATION = boa.load_partial(str(ROOT / "contracts/ReputationRegistry.vy"))

OWNER = boa.env.generate_address("owner")
CLIENTS = [boa.env.generate_address(f"client{i}") for i in range(5)]
AGENTS = [1, 2]
# lengths around the packing boundaries: 8 bytes in the value word, 18 with the entry, 50
# with `_tags`, 64 with `_tags2`
TAGS = ["", "", "starred", "uptime", "12345678", "abcdefghi", "e" * 10, "x" * 20, "y" * 20, "t" * 32, "u" * 31]

values = st.one_of(
    st.integers(-100, 100),
    st.integers(-(10**6), 10**6),
    st.integers(-(10**38), 10**38),
    st.sampled_from([10**38, -(10**38), 1, -1, 0]),
)
decimals = st.one_of(st.sampled_from([0, 0, 1, 2, 18]), st.integers(0, 18))
client_i = st.integers(0, len(CLIENTS) - 1)
tag = st.sampled_from(TAGS)
RESPONDERS = [boa.env.generate_address(f"responder{i}") for i in range(2)] + CLIENTS[:1]
ZERO = "0x" + "00" * 20


class ReputationMachine(RuleBasedStateMachine):
    @initialize()
    def deploy(self):
        self.idr = IDENTITY.deploy()
        self.rep = REPUTATION.deploy(self.idr.address)
        for a in AGENTS:
            self.idr.setAgent(a, OWNER, OWNER)
        self.model = Model()

    @rule(agent=st.sampled_from(AGENTS), c=client_i, value=values, dec=decimals, t1=tag, t2=tag)
    def give(self, agent, c, value, dec, t1, t2):
        with boa.env.prank(CLIENTS[c]):
            self.rep.giveFeedback(agent, value, dec, t1, t2, "", "", b"\x00" * 32)
        index = self.model.give(agent, CLIENTS[c], value, dec, t1, t2)
        assert tuple(self.rep.readFeedback(agent, CLIENTS[c], index)) == (value, dec, t1, t2, False)

    @rule(agent=st.sampled_from(AGENTS), c=client_i, index=st.integers(0, 5), r=st.sampled_from(RESPONDERS))
    def respond(self, agent, c, index, r):
        expected = self.model.respond(agent, CLIENTS[c], index, r)
        with boa.env.prank(r):
            if expected is None:
                self.rep.appendResponse(agent, CLIENTS[c], index, "ipfs://r", b"\x00" * 32)
            else:
                with boa.reverts(expected):
                    self.rep.appendResponse(agent, CLIENTS[c], index, "ipfs://r", b"\x00" * 32)

    @rule(
        agent=st.sampled_from(AGENTS),
        c=st.one_of(st.none(), client_i),
        index=st.integers(0, 5),
        picks=st.lists(st.sampled_from(RESPONDERS + CLIENTS[3:]), max_size=3),
    )
    def response_count(self, agent, c, index, picks):
        client = None if c is None else CLIENTS[c]
        got = self.rep.getResponseCount(agent, ZERO if client is None else client, index, picks)
        assert got == self.model.response_count(agent, client, index, picks)

    @rule(agent=st.sampled_from(AGENTS), c=client_i, index=st.integers(0, 6))
    def revoke(self, agent, c, index):
        expected = self.model.revoke(agent, CLIENTS[c], index)
        with boa.env.prank(CLIENTS[c]):
            if expected is None:
                self.rep.revokeFeedback(agent, index)
            else:
                with boa.reverts(expected):
                    self.rep.revokeFeedback(agent, index)

    @rule(
        agent=st.sampled_from(AGENTS),
        picks=st.lists(client_i, min_size=1, max_size=7),
        t1=tag,
        t2=tag,
        whole=st.booleans(),
    )
    def summary(self, agent, picks, t1, t2, whole):
        clients = [CLIENTS[i] for i in picks]
        if whole and self.model.clients.get(agent):
            clients = list(self.model.clients[agent])  # exactly getClients: the agent-wide path
            assert [str(a) for a in self.rep.getClients(agent)] == [str(a) for a in clients]
        got = tuple(self.rep.getSummary(agent, clients, t1, t2))
        want = self.model.summary(agent, clients, t1, t2)
        note(f"summary {agent} {picks} {t1!r} {t2!r}: {got} vs {want}")
        assert got == want

    @rule(agent=st.sampled_from(AGENTS), picks=st.lists(client_i, max_size=4), t1=tag, t2=tag, rev=st.booleans())
    def read_all(self, agent, picks, t1, t2, rev):
        clients = [CLIENTS[i] for i in picks]
        got = self.rep.readAllFeedback(agent, clients, t1, t2, rev)
        rows = [(str(c), i, v, d, a, b, r) for c, i, v, d, a, b, r in zip(*got)]
        assert rows == [(str(c), *rest) for c, *rest in self.model.read_all(agent, clients, t1, t2, rev)]

    @rule(
        agent=st.sampled_from(AGENTS),
        picks=st.lists(client_i, max_size=3),
        offset=st.integers(0, 12),
        limit=st.integers(0, 6),
        t1=tag,
        t2=tag,
        rev=st.booleans(),
    )
    def read_page(self, agent, picks, offset, limit, t1, t2, rev):
        clients = [CLIENTS[i] for i in picks]
        *cols, total = self.rep.readAllFeedbackPaged(agent, clients, t1, t2, rev, offset, limit)
        positions = self.model.positions(agent, clients)
        assert total == len(positions)
        want = [(str(c), *rest) for c, *rest in self.model.read_page(agent, clients, t1, t2, rev, offset, limit)]
        assert [(str(c), i, v, d, a, b, r) for c, i, v, d, a, b, r in zip(*cols)] == want

    @invariant()
    def last_indexes_and_clients(self):
        if not hasattr(self, "rep"):
            return
        for a in AGENTS:
            assert [str(x) for x in self.rep.getClients(a)] == [str(x) for x in self.model.clients.get(a, [])]
            for c in CLIENTS:
                assert self.rep.getLastIndex(a, c) == self.model.last_index(a, c)
            assert self.rep.getResponseCount(a, ZERO, 0, []) == self.model.response_count(a, None, 0, [])


TestReputationDifferential = ReputationMachine.TestCase
