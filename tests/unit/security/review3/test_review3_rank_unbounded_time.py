"""Third review, finding 6 (severity Medium): `hashtrust.erc8004.discovery.rank` (``hashtrust agents
rank``) reads EVERY registered agent's registration file, each under its own 5 s deadline, 8 at a
time, with no overall budget and no per-host limit. Registering an agent costs one cheap
transaction, so anyone can register N agents whose agentURI points at one server that never
answers: ``rank`` then takes N x 5 s / 8 (1,000 agents: 10 minutes; 100,000: a day) for every
user of the command, before printing anything. Here 40 such agents hold it ~25 s.

Suggested fix: one overall budget for the read phase (e.g. 30 s, the remaining agents listed as
"not read: ranking budget spent"), and at most 2 fetches in flight per host (the rest of one
host's URIs wait or fail fast once that host has timed out once: one hanging host costs 5 s,
not 5 s per agent).
"""

from __future__ import annotations

import time

from servers import hostile_server

from hashtrust.chain.fetch import Resolver
from hashtrust.erc8004.discovery import REGISTRATION_POLICY, rank

N_AGENTS = 40
BUDGET_S = 15.0  # generous: one hanging host should cost one deadline (5 s), not N/8 of them


class _Identity:
    def __init__(self, uri: str):
        self.uri = uri

    def total_agents(self) -> int:
        return N_AGENTS

    def token_uri(self, _agent_id: int) -> str:
        return self.uri


class _Reputation:
    def summary(self, *_a, **_k):  # never reached: no registration is readable
        raise AssertionError("no agent should be ranked")


def test_agents_pointing_at_one_hanging_host_do_not_hold_rank_for_n_deadlines():
    with hostile_server() as srv:
        # loopback allowed as `for_chain` allows it on a local devnet; the deadline and cap are rank's own
        fetch = Resolver(REGISTRATION_POLICY.with_(allow_loopback=True))
        t0 = time.monotonic()
        ranking = rank(_Identity(srv.url("/hang")), _Reputation(), "summarize", ["0x" + "11" * 20], fetch=fetch)
        took = time.monotonic() - t0
    assert len(ranking.unreadable) == N_AGENTS  # every one reported, none ranked
    assert took < BUDGET_S, f"{N_AGENTS} agents on one hanging host held `agents rank` {took:.0f} s (it grows by 5 s per 8 more agents)"
