"""Alice and bob rate carol's agent; carol, her operator and her agent wallet cannot rate it;
nobody can rate an agent that does not exist; out-of-range values are refused."""

import ape
import pytest
from eth_utils import keccak
from rep_helpers import AGENT, HASH, MISSING_AGENT, NO_HASH, give


def test_alice_gives_feedback_and_every_field_is_emitted(rep, alice):
    tx = give(rep, alice, 87, 0, "starred", "quality", "https://agent.example.com/api/v1/x", "ipfs://bafy", HASH)
    [ev] = tx.decode_logs(rep.NewFeedback)
    assert ev.agentId == AGENT and ev.clientAddress == alice.address and ev.feedbackIndex == 1
    assert (ev.value, ev.valueDecimals, ev.tag1, ev.tag2) == (87, 0, "starred", "quality")
    assert ev.endpoint == "https://agent.example.com/api/v1/x" and ev.feedbackURI == "ipfs://bafy"
    assert bytes(ev.feedbackHash) == HASH
    # the third topic is keccak256(tag1), as the spec's `string indexed indexedTag1`
    log = tx.logs[0]
    assert bytes.fromhex(log["topics"][3].hex().removeprefix("0x")) == keccak(text="starred")
    assert rep.readFeedback(AGENT, alice, 1) == (87, 0, "starred", "quality", False)
    assert rep.getLastIndex(AGENT, alice) == 1
    assert rep.getClients(AGENT) == [alice.address]


def test_indexes_are_one_based_per_client(rep, alice, bob):
    give(rep, alice, 1)
    give(rep, alice, 2)
    tx = give(rep, bob, 3)
    assert tx.decode_logs(rep.NewFeedback)[0].feedbackIndex == 1
    assert rep.getLastIndex(AGENT, alice) == 2 and rep.getLastIndex(AGENT, bob) == 1
    assert rep.getClients(AGENT) == [alice.address, bob.address]  # each client once, first-seen order


def test_values_are_signed_fixed_point_with_up_to_18_decimals(rep, alice):
    give(rep, alice, -32, 1, "tradingYield")
    give(rep, alice, 9977, 2, "uptime")
    give(rep, alice, 10**38, 18)
    give(rep, alice, -(10**38), 0)
    give(rep, alice, 101, 0)  # no 0-100 range any more
    assert rep.readFeedback(AGENT, alice, 1) == (-32, 1, "tradingYield", "", False)
    assert rep.readFeedback(AGENT, alice, 2)[:2] == (9977, 2)
    assert rep.readFeedback(AGENT, alice, 3)[:2] == (10**38, 18)
    assert rep.readFeedback(AGENT, alice, 4)[:2] == (-(10**38), 0)


def test_tags_of_any_length_up_to_32_bytes_round_trip(rep, alice):
    cases = [("", ""), ("a", ""), ("", "b"), ("x" * 16, "y" * 16), ("x" * 17, "y" * 16), ("t" * 32, "u" * 32), ("a\x00", "\x00b"), ("日本語", "ü")]
    for i, (t1, t2) in enumerate(cases, start=1):
        give(rep, alice, i, 0, t1, t2)
        assert rep.readFeedback(AGENT, alice, i)[2:4] == (t1, t2)


def test_too_many_decimals_is_refused(rep, alice):
    with ape.reverts("reputation: too many decimals"):
        give(rep, alice, 1, 19)


@pytest.mark.parametrize("value", [10**38 + 1, -(10**38) - 1, 2**127 - 1])
def test_values_beyond_1e38_are_refused(rep, alice, value):
    with ape.reverts("reputation: value too large"):
        give(rep, alice, value, 0)


def test_the_owner_cannot_rate_her_own_agent(rep, carol):
    with ape.reverts("reputation: self-feedback not allowed"):
        give(rep, carol)


def test_an_approved_operator_cannot_rate_the_agent(rep, operator):
    with ape.reverts("reputation: self-feedback not allowed"):
        give(rep, operator)


def test_the_agent_wallet_cannot_rate_its_agent(rep, agent_wallet):
    """The reference lets the agent's own wallet rate it; hashtrust refuses."""
    with ape.reverts("reputation: self-feedback from agent wallet"):
        give(rep, agent_wallet)


def test_an_operator_removed_may_rate_again(rep, identity, deployer, operator):
    identity.setOperator(AGENT, operator, False, sender=deployer)
    give(rep, operator)
    assert rep.getLastIndex(AGENT, operator) == 1


def test_feedback_for_a_missing_agent_is_refused(rep, mallory):
    with ape.reverts("mock: no such agent"):
        give(rep, mallory, agent=MISSING_AGENT)


@pytest.mark.parametrize(
    "kw",
    [dict(tag1="t" * 33), dict(tag2="t" * 33), dict(endpoint="e" * 513), dict(uri="u" * 1025)],
    ids=["tag1", "tag2", "endpoint", "uri"],
)
def test_inputs_beyond_the_published_limits_are_refused(rep, alice, kw):
    with ape.reverts():  # Vyper's ABI decoder refuses a String[N] longer than N
        give(rep, alice, **kw)
    assert rep.getLastIndex(AGENT, alice) == 0


def test_inputs_at_the_published_limits_are_accepted(rep, alice):
    give(rep, alice, 1, 0, "t" * 32, "u" * 32, "e" * 512, "u" * 1024, NO_HASH)
    assert rep.readFeedback(AGENT, alice, 1)[2:4] == ("t" * 32, "u" * 32)


def test_the_identity_registry_is_fixed_at_deployment(rep, identity, project, deployer):
    assert rep.getIdentityRegistry() == identity.address
    with ape.reverts("reputation: zero identity registry"):
        deployer.deploy(project.ReputationRegistry, "0x" + "00" * 20)
