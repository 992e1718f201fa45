"""Story: a busy agent files 1,025 requests (titanoboa, in-process, for speed). The unpaged
spec views serve at most 1,024 items and then refuse with a pointer to the paged variants,
which keep working; range summaries combine exactly."""

from pathlib import Path

import boa
import pytest
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[3]
N = 1_025


@pytest.fixture(scope="module")
def busy():
    # a private boa environment: 1,000+ transactions of history would slow every later boa test
    with boa.swap_env(boa.Env()):
        owner, validator = boa.env.generate_address("busy-owner"), boa.env.generate_address("busy-validator")
        ident = boa.load(str(ROOT / "contracts/mocks/MockIdentity4Validation.vy"))
        ident.mint(1, owner)
        reg = boa.load(str(ROOT / "contracts/ValidationRegistry.vy"), ident.address)
        hashes = [keccak(i.to_bytes(32, "big")) for i in range(N)]
        with boa.env.prank(owner):
            for h in hashes:
                reg.validationRequest(validator, 1, "", h)
        with boa.env.prank(validator):
            for i, h in enumerate(hashes[:N:64]):  # 17 answers: 0, 6, 12, ...
                reg.validationResponse(h, (6 * i) % 101, "", b"\x00" * 32, "")
        yield reg, validator, hashes


def test_unpaged_views_refuse_beyond_1024_items(busy):
    reg, validator, _ = busy
    with boa.reverts("validation: list too long, use the paged view"):
        reg.getAgentValidations(1)
    with boa.reverts("validation: list too long, use the paged view"):
        reg.getValidatorRequests(validator)
    with boa.reverts("validation: too many requests, use getSummaryRange"):
        reg.getSummary(1, [], "")


def test_paged_views_serve_every_item(busy):
    reg, validator, hashes = busy
    first, total = reg.getAgentValidationsPaged(1, 0, 1024)
    rest, total2 = reg.getAgentValidationsPaged(1, 1024, 1024)
    assert total == total2 == N and list(first) + list(rest) == hashes
    hs, agents, total = reg.getValidatorRequestsPaged(validator, 1000, 100)
    assert list(hs) == hashes[1000:] and list(agents) == [1] * 25 and total == N


def test_range_summaries_combine_to_the_exact_average(busy):
    reg, _, _ = busy
    scores = [(6 * i) % 101 for i in range(len(range(0, N, 64)))]
    c1, s1, total = reg.getSummaryRange(1, [], "", 0, 1024)
    c2, s2, _ = reg.getSummaryRange(1, [], "", 1024, 1024)
    assert total == N and c1 + c2 == len(scores) and s1 + s2 == sum(scores) and c2 == 1
