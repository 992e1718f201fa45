"""Second review, finding 6: the validator agent could be starved. A round fetches new requests
first, then those due for a retry, and a fetch starts only within the round's budget. An agent
owner who files a handful of slow requests every round (each holds a fetch slot for the whole
budget) therefore took every slot of every round: an honest request whose first fetch failed
once (its server had a hiccup) was never fetched again -- skipped "not fetched this round"
forever, never answered -- and the flood's own left-over requests piled up without end.

Now a quarter of the slots is kept for waiting requests (left over, or due for a retry), the
agents take turns within each group, and a request left over 3 rounds in a row is given up
(quarantined, one log line). The honest request is answered in the next round, beside the flood.
"""

from __future__ import annotations

import time

import pytest
from validator_world import validator_world

from hashtrust.chain.fetch import FetchError, FetchPolicy, Resolver
from hashtrust.erc8004.validation import RequestFile, Status
from hashtrust.erc8004.validator import ValidatorAgent

WORKERS = 4
BUDGET = 0.3  # seconds of fetch starts per round
SLOW = 0.6  # a flood request holds its slot past the budget, then fails (transient)
FLOOD = 8  # slow requests filed before every round


@pytest.fixture(scope="module")
def world(project, w3, deployer, alice, carol, mallory):
    return validator_world(project, w3, deployer, alice, carol, mallory)


def test_an_honest_retry_is_answered_beside_a_flood_of_slow_requests(world):
    wd = world
    for s in wd["senders"].values():
        s._nonce = None
    honest = RequestFile.build(wd["w3"].eth.chain_id, wd["identity"], wd["prover"], wd["carol"], {"job": 7}, created_at="2026-01-01T00:00:00Z")
    h, _ = wd["val"]["alice"].request_file(wd["carol"], wd["prover"], honest)
    resolver = Resolver(FetchPolicy())
    hiccups = {honest.uri()}  # the honest server fails its first fetch once (a 503)
    fetched: list[str] = []

    def fetch(uri: str) -> bytes:
        fetched.append(uri)
        if uri.startswith("https://slow.example/"):
            time.sleep(SLOW)
            raise FetchError(uri, "not fetched within the deadline", permanent=False)
        if uri in hiccups:
            hiccups.discard(uri)
            raise FetchError(uri, "HTTP 503", permanent=False)
        return resolver(uri)

    lines: list[str] = []
    agent = ValidatorAgent(wd["val"]["carol"], fetch=fetch, fetch_workers=WORKERS, round_budget=BUDGET, log=lines.append)
    filed = 0
    answered_in = None
    reports = []
    for rnd in range(1, 6):
        for _ in range(FLOOD):  # a flood of new slow requests before every round
            wd["val"]["mallory"].request(wd["carol"], wd["rogue"], f"https://slow.example/{filed}", (70_000 + filed).to_bytes(32, "big"))
            filed += 1
        report = agent.run_once()
        reports.append(report)
        if answered_in is None and any(a == wd["prover"] for a, _h, _s in report.answered):
            answered_in = rnd
    assert fetched.count(honest.uri()) >= 2  # the hiccup, then the retry
    assert answered_in == 2, (answered_in, [r.summary() for r in reports])  # retried in the very next round, beside the flood
    assert wd["val"]["carol"].attestation(wd["prover"], h).status == Status.FINALIZED
    # the flood's left-overs are given up after 3 rounds in a row, with one line each
    given_up = [ln for ln in lines if "(given up): not fetched in 3 rounds in a row" in ln]
    assert given_up and all(f"agent {wd['rogue']}" in ln or f"#{wd['rogue']}" in ln or str(wd["rogue"]) in ln for ln in given_up)
    assert any(q[0] == wd["rogue"] and "not fetched in 3 rounds" in q[2] for r in reports for q in r.quarantined)
