"""The validator agent's round budget: a round's fetches start within one deadline of the first,
new requests before retried ones, and whatever cannot start in time waits for the next round
without counting as a failure (review of the Python side, finding 9).

Story: mallory files four requests whose servers take longer than the budget, before alice's
honest one; the agent has two fetch threads. The agents take turns (second review, finding 6),
so round 1 starts mallory's first, alice's (answered at once) and, on the thread alice's fetch
freed, mallory's second; the other two wait. Round 2 starts the two left over (a waiting request
has the reserved slot). No round's fetch phase exceeds the budget plus one fetch, and only
fetches that ran count as attempts.

A stand-in client: nothing here touches the chain.
"""

from __future__ import annotations

import threading
import time

from eth_utils import keccak
from web3 import Web3

from hashtrust.chain.fetch import FetchError
from hashtrust.erc8004.validation import Attestation, RequestFile, Status
from hashtrust.erc8004.validator import ValidatorAgent

ME = Web3.to_checksum_address("0x" + "11" * 20)
BUDGET = 0.4
SLOW = 0.6  # each of mallory's fetches: longer than the budget


class _Sender:
    address = ME

    def settle(self):
        return 0


class _Client:
    """Four of mallory's requests (agent 7), then alice's (agent 1)."""

    def __init__(self, honest: RequestFile):
        self.sender = _Sender()
        self.honest = honest
        self.requests = [(7, bytes([n]) * 32, f"https://slow.example/{n}") for n in range(1, 5)]
        self.requests.append((1, keccak(honest.content()), honest.uri()))
        self.answered: dict[tuple[int, bytes], int] = {}

    def validator_requests_page(self, validator, offset, limit):
        page = self.requests[offset : offset + limit]
        return [h for _a, h, _u in page], [a for a, _h, _u in page], len(self.requests)

    def attestation(self, agent_id, request_hash, block="latest"):
        done = (agent_id, request_hash) in self.answered
        return Attestation(Status.FINALIZED if done else Status.PENDING, ME, self.answered.get((agent_id, request_hash), 0), done, 0)

    def request_uris(self, validator, from_block=0):
        return {(a, h): u for a, h, u in self.requests}

    def respond(self, request_hash, response, *, agent_id, **kwargs):
        self.answered[(agent_id, request_hash)] = response


def test_a_round_starts_no_fetch_after_its_budget_and_honest_requests_get_through():
    honest = RequestFile.build(31337, "0x" + "22" * 20, 1, ME, {"job": 1}, created_at="2026-01-01T00:00:00Z")
    client = _Client(honest)
    started: list[tuple[int, str, float]] = []
    lock = threading.Lock()
    rnd = [0]

    def fetch(uri: str) -> bytes:
        with lock:
            started.append((rnd[0], uri, time.monotonic()))
        if uri.startswith("https://slow.example/"):
            time.sleep(SLOW)
            raise FetchError(uri, "not fetched within the deadline", permanent=False)
        return honest.content()

    agent = ValidatorAgent(client, fetch=fetch, fetch_workers=2, round_budget=BUDGET)
    reports, phases = [], []
    for n in (1, 2):
        rnd[0] = n
        t = time.monotonic()
        reports.append(agent.run_once())
        phases.append(time.monotonic() - t)

    by_round = {n: [u for r, u, _t in started if r == n] for n in (1, 2)}
    assert by_round[1] == ["https://slow.example/1", honest.uri(), "https://slow.example/2"]  # turns; the rest would start after the budget
    assert sorted(by_round[2]) == ["https://slow.example/3", "https://slow.example/4"]  # left over first; 1 and 2 wait to retry
    assert reports[0].answered == [(1, "0x" + keccak(honest.content()).hex(), 100)]
    assert reports[1].answered == []
    assert client.answered == {(1, keccak(honest.content())): 100}
    deferred = [why for _a, _h, why in reports[0].skipped if why.startswith("not fetched this round")]
    assert len(deferred) == 2  # mallory's 3 and 4: not attempts
    assert agent._trouble[(7, bytes([3]) * 32)].attempts == 1  # only the fetch that ran counted
    assert all(p < BUDGET + SLOW + 0.5 for p in phases), phases  # budget + one fetch, never more


def test_the_default_budget_is_the_resolvers_deadline():
    from hashtrust.chain.fetch import FetchPolicy, Resolver

    agent = ValidatorAgent(_Client(RequestFile.build(1, "0x" + "22" * 20, 1, ME, {"j": 1})), fetch=Resolver(FetchPolicy(deadline=3.5)))
    assert agent.round_budget == 3.5 and agent.fetch_workers == 64
