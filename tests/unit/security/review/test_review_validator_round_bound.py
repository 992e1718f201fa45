"""The validator's promise "slow URIs delay the honest requests beside them by at most one
deadline per round" holds only up to ``fetch_workers`` (8) slow URIs.

`ValidatorAgent.run_once` fetches every request of the round through a pool of 8 threads and
answers nothing until the last fetch is over; N requests whose servers never answer cost
ceil(N / 8) deadlines before the first honest answer. Requests are cheap (any agent owner can
file one to any validator), so mallory files 32 requests that hang: with a 1 s deadline the
fetches of the round that answers alice's honest request take 4 s instead of about one deadline,
with the default 10 s deadline (what `hashtrust validate` runs) 40 s, and every further 8 hostile
requests add a deadline; new hostile requests each round keep it so. (The test times the fetch
phase itself -- first fetch started to last fetch done -- so the round's chain reads do not count.)
"""

from __future__ import annotations

import time

import pytest
from validator_world import validator_world
from hostile import hostile_call
from servers import hostile_server

from hashtrust.chain.fetch import FetchPolicy, Resolver
from hashtrust.erc8004.validation import RequestFile, Status
from hashtrust.erc8004.validator import ValidatorAgent

DEADLINE = 2.0  # long beside thread start-up on a loaded machine: the order of starts and ends is what is judged
HOSTILE = 32


@pytest.fixture(scope="module")
def world(project, w3, deployer, alice, carol, mallory):
    return validator_world(project, w3, deployer, alice, carol, mallory)


def test_review_validator_round_is_not_bounded_by_one_deadline(world):
    wd = world
    for s in wd["senders"].values():
        s._nonce = None
    honest = RequestFile.build(wd["w3"].eth.chain_id, wd["identity"], wd["prover"], wd["carol"], {"job": 1}, created_at="2026-01-01T00:00:00Z")
    with hostile_server() as srv:
        for n in range(HOSTILE):  # requests whose server never sends headers
            hostile_call(wd["val"]["mallory"], "validationRequest", wd["carol"], wd["rogue"], srv.url("/hang").encode(), (9_000 + n).to_bytes(32, "big"))
        h, _ = wd["val"]["alice"].request_file(wd["carol"], wd["prover"], honest)
        resolver = Resolver(FetchPolicy(deadline=DEADLINE))
        spans: list[tuple[float, float]] = []

        def timed_fetch(uri: str) -> bytes:  # the agent's own resolver, timed
            t = time.monotonic()
            try:
                return resolver(uri)
            finally:
                spans.append((t, time.monotonic()))

        agent = ValidatorAgent(wd["val"]["carol"], fetch=timed_fetch)
        report = agent.run_once()
    assert len(spans) == HOSTILE + 1
    assert [(a, s) for a, _h, s in report.answered] == [(wd["prover"], 100)]
    assert wd["val"]["carol"].attestation(wd["prover"], h).status == Status.FINALIZED
    # The fetch phase is one deadline, not 32 / 8 = 4: every hanging fetch starts before the
    # first of them gives up (a pool of 8 starts the ninth only when one of the first eight has
    # ended). Judged by the order of the fetches' own start and end times, not by a wall-clock
    # total: on a loaded machine the threads' start-up alone can take a good part of a second.
    hanging = sorted(spans, key=lambda se: se[1] - se[0])[1:]  # the honest fetch is the quick one
    first_end = min(e for _s, e in hanging)
    late = [round(s - first_end, 3) for s, _e in hanging if s >= first_end]
    seconds = max(e for _s, e in spans) - min(s for s, _e in spans)
    assert not late, f"{len(late)} of {HOSTILE} hanging fetches waited for another to give up (deadline {DEADLINE:g} s, fetch phase {seconds:.1f} s)"
    assert seconds < 3 * DEADLINE, f"the round's fetches took {seconds:.1f} s behind {HOSTILE} hanging requests (deadline {DEADLINE:g} s; 8 threads took 4 deadlines)"
