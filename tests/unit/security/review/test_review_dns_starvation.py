"""Four hostile agents whose host names never resolve hide every honest https/http agent from
`agents rank` (and delay every named-host request of the validator).

The resolver (`hashtrust.chain.fetch`) runs each DNS look-up in one shared pool of 4 threads and
waits for it at most until the fetch's deadline. A look-up that never answers (a name under a
domain whose name server drops queries) keeps its thread for as long as the system resolver
tries -- past the fetch's deadline. Four such agents fill the pool; every other agent's look-up
then waits in the queue until its own deadline passes, its registration file counts as
unreadable, and it "simply does not match": the honest agent vanishes from the ranking without
a word. One slow name should cost its own fetch, not the others'.
"""

from __future__ import annotations

import json
import socket
import threading
from types import SimpleNamespace

import pytest
from review_helpers import body_server

from hashtrust.erc8004.discovery import rank

HONEST = {"name": "Honest Prover", "services": [{"name": "MCP", "endpoint": "https://prover.example/mcp", "skills": ["proving"]}]}
HOSTILE = 4  # the resolver pool's size


@pytest.fixture
def blackhole(monkeypatch):
    """``*.blackhole.test`` never resolves (until the test ends); ``honest.test`` is 127.0.0.1."""
    real = socket.getaddrinfo
    entered = threading.Semaphore(0)
    release = threading.Event()

    def getaddrinfo(host, port, *args, **kwargs):
        if host.endswith(".blackhole.test"):
            entered.release()
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host == "honest.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        yield entered
    finally:
        release.set()  # free the resolver pool for whatever runs next


def test_review_dns_starvation_hides_an_honest_agent_from_rank(blackhole):
    with body_server({"/reg.json": json.dumps(HONEST).encode()}) as (base, hits):
        port = base.rsplit(":", 1)[1]
        uris = {i: f"https://agent{i}.blackhole.test/reg.json" for i in range(1, HOSTILE + 1)}
        honest_id = HOSTILE + 1
        uris[honest_id] = f"http://honest.test:{port}/reg.json"

        class Identity:
            def total_agents(self):
                return len(uris)

            def token_uri(self, agent_id):
                if agent_id == honest_id:  # the hostile look-ups (lower ids) are under way first
                    for _ in range(HOSTILE):
                        assert blackhole.acquire(timeout=30)
                return uris[agent_id]

        class Reputation:
            def summary(self, agent_id, trusted, tag1="", tag2=""):
                return SimpleNamespace(count=3, value=95, decimals=0)

        ranked = rank(Identity(), Reputation(), "proving", ["0x" + "22" * 20])
    assert [r.agent_id for r in ranked] == [honest_id], "the honest agent was dropped from the ranking"
    assert hits.get("/reg.json") == 1
