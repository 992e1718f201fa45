"""The published limits, exercised where they are reached (titanoboa: thousands of feedbacks
would take minutes on the py-evm chain). Storage is primed directly (slots from the compiler's
storage layout) where reaching a limit for real would need tens of thousands of transactions."""

import json
import subprocess
import sys
from pathlib import Path

import boa
import pytest
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[3]
NO_HASH = b"\x00" * 32


_LAYOUT = {}


def _slot(var: str, *keys: int) -> int:
    """Storage slot of ``var[k1][k2]...`` (Vyper: keccak256(slot ++ key) per HashMap level)."""
    if not _LAYOUT:
        out = subprocess.check_output([sys.executable, "-m", "vyper", "-f", "layout", str(ROOT / "contracts/ReputationRegistry.vy")], cwd=ROOT)
        _LAYOUT.update(json.loads(out)["storage_layout"])
    slot = _LAYOUT[var]["slot"]
    for k in keys:
        slot = int.from_bytes(keccak(slot.to_bytes(32, "big") + int(k).to_bytes(32, "big")), "big")
    return slot


def _poke(rep, slot: int, value: int) -> None:
    boa.env.evm.set_storage(rep.address, slot, value)


def _peek(rep, slot: int) -> int:
    return boa.env.evm.get_storage(rep.address, slot)


def _addr(a) -> int:
    return int(str(a), 16)


@pytest.fixture(scope="module")
def setup():
    idr = boa.load(str(ROOT / "contracts/mocks/MockIdentityRegistry.vy"))
    rep = boa.load(str(ROOT / "contracts/ReputationRegistry.vy"), idr.address)
    owner = boa.env.generate_address("owner")
    idr.setAgent(1, owner, owner)
    return rep


@pytest.fixture
def rep(setup):
    with boa.env.anchor():
        yield setup


def _give(rep, who, value=1, dec=0, t1=""):
    with boa.env.prank(who):
        rep.giveFeedback(1, value, dec, t1, "", "", "", NO_HASH)


def test_published_constants(rep):
    assert (rep.MAX_TAG(), rep.MAX_ENDPOINT(), rep.MAX_URI()) == (32, 512, 1024)
    assert (rep.MAX_CLIENTS(), rep.MAX_RESPONDERS(), rep.MAX_READ()) == (256, 64, 128)
    assert (rep.MAX_FEEDBACK_PER_CLIENT(), rep.MAX_ABS_VALUE()) == (32_767, 10**38)
    assert rep.MAX_FEEDBACK_PER_AGENT() == 2**34 - 1


def test_read_all_refuses_more_than_max_read_results_and_pages_instead(rep):
    alice = boa.env.generate_address("alice")
    for k in range(rep.MAX_READ() + 1):
        _give(rep, alice, k)
    with boa.reverts("reputation: too many results, use readAllFeedbackPaged"):
        rep.readAllFeedback(1, [], "", "", False)
    page = rep.readAllFeedbackPaged(1, [], "", "", False, 0, 10_000)
    assert len(page[0]) == 128 and page[7] == 129  # limit capped at MAX_READ
    last = rep.readAllFeedbackPaged(1, [], "", "", False, 128, 128)
    assert list(last[1]) == [129] and list(last[2]) == [128]
    assert rep.getSummary(1, [alice], "", "")[0] == 129


def test_a_client_may_give_one_agent_at_most_32767_feedbacks(rep):
    alice = boa.env.generate_address("alice")
    _poke(rep, _slot("_client_word", 1, _addr(alice)), 32766 << 203)  # 32,766 given (primed)
    _give(rep, alice)
    assert rep.getLastIndex(1, alice) == 32_767
    with boa.reverts("reputation: feedback limit per client reached"):
        _give(rep, alice)


def test_get_clients_stops_at_max_clients_and_pages_beyond(rep):
    clients = [boa.env.generate_address(f"c{i}") for i in range(3)]
    for c in clients:
        _give(rep, c)
    # prime the client count past MAX_CLIENTS (positions 3.. read as the zero address)
    w0 = _slot("_agent_words", 1)  # element 0 of the uint256[3]
    _poke(rep, w0, (_peek(rep, w0) & ~(2**32 - 1)) | 257)
    with boa.reverts("reputation: too many clients, use getClientsPaged"):
        rep.getClients(1)
    page, total = rep.getClientsPaged(1, 0, 3)
    assert total == 257 and [str(a) for a in page] == [str(c) for c in clients]


def test_list_inputs_beyond_their_limits_are_refused(rep):
    alice = boa.env.generate_address("alice")
    _give(rep, alice)
    with boa.reverts():
        rep.getSummary(1, [alice] * 257, "", "")
    assert rep.getSummary(1, [alice] * 256, "", "")[0] == 256
    with boa.reverts():
        rep.getResponseCount(1, alice, 1, [alice] * 65)
    assert rep.getResponseCount(1, alice, 1, [alice] * 64) == 0


def test_client_sums_stay_exact_at_the_extremes(rep):
    """32,767 feedbacks of +-1e38 at 0 decimals fit the 203-bit per-client sum exactly."""
    alice, bob = boa.env.generate_address("alice"), boa.env.generate_address("bob")
    big = 10**38 * 10**18 * 32_766  # WAD sum of 32,766 feedbacks of 1e38
    _poke(rep, _slot("_client_word", 1, _addr(alice)), big | (32766 << 203) | (32766 << 218))
    _poke(rep, _slot("_client_word", 1, _addr(bob)), (2**203 - big) | (32766 << 203) | (32766 << 218))  # -big
    _give(rep, alice, 10**38)
    _give(rep, bob, -(10**38))
    assert rep.getSummary(1, [alice], "", "") == (32_767, 10**38, 0)
    assert rep.getSummary(1, [bob], "", "") == (32_767, -(10**38), 0)
    assert rep.getSummary(1, [alice, bob], "", "") == (65_534, 0, 0)


def test_an_agent_may_receive_at_most_2_34_minus_1_feedbacks(rep):
    """The agent-wide position (34 bits, beside the agent's WAD sum) bounds the feedback one
    agent can receive: 17 billion, far beyond what any chain can carry (at ~100k gas each,
    1.7e15 gas), so nobody can fill it to block others' feedback."""
    alice, bob = boa.env.generate_address("alice"), boa.env.generate_address("bob")
    last = rep.MAX_FEEDBACK_PER_AGENT()
    _poke(rep, _slot("_agent_acc", 1), (last - 1) << 222)  # 2**34 - 2 positions used (primed)
    _give(rep, alice, 5, 0, "starred")
    page = rep.readAllFeedbackPaged(1, [], "", "", False, last - 1, 5)
    assert (list(page[0]), list(page[1]), list(page[2]), list(page[4]), page[7]) == ([alice], [1], [5], ["starred"], last)
    with boa.reverts("reputation: feedback limit per agent reached"):
        _give(rep, bob)
    assert rep.getLastIndex(1, bob) == 0 and rep.getClients(1) == [alice]


@pytest.mark.parametrize(("primed", "value"), [(2**221 - 1, 1), (2**222 - 2**221, -1)])
def test_the_agent_sum_never_leaves_its_222_bits(rep, primed, value):
    """Unreachable through the ABI (|sum| < 2**34 * 1e56 < 2**221), and still checked: a sum
    that would not fit reverts instead of losing its high bits."""
    alice = boa.env.generate_address("alice")
    _poke(rep, _slot("_agent_acc", 1), (7 << 222) | primed)  # max positive / most negative sum
    with boa.reverts("reputation: agent sum out of range"):
        _give(rep, alice, value, 18)
    _give(rep, alice, -value, 18)  # moving back toward zero is fine
    assert _peek(rep, _slot("_agent_acc", 1)) == (8 << 222) | (primed - value) % 2**222
