"""F3 (accepted, low): anyone can fill a validator's inbox until the spec's unpaged
`getValidatorRequests(validator)` refuses.

Naming a validator needs no consent of the validator, so mallory, owner of one throwaway agent,
sends 1,024 requests naming carol (about 119k gas each on Anvil, `validationRequest_subsequent`
in docs/benchmarks.md: ~122M gas in all). carol's 1,025th entry, alice's real request, makes the
unpaged spec view revert "validation: list too long, use the paged view" for every reader. The
reference's unbounded list fails too, later (out of gas at ~14k entries).

Not fixed: the spec view must return the whole list or refuse; a larger bound only raises the
price linearly while every call pays quadratic memory. What holds, and is asserted here: the paged
view (`getValidatorRequestsPaged`, which the SDK and the validator agent use) serves every entry
with its agentId at a cost independent of the spam, and the spam cannot touch alice's record.
"""

import boa
import pytest
from audit_env import NO_HASH, deployer
from eth_utils import keccak

SPAM = 1_024
PENDING, ANSWERED = 1, 2


@pytest.fixture(scope="module")
def spammed():
    with boa.swap_env(boa.Env()):  # 1,000+ transactions: keep them out of the shared env
        ident = deployer("contracts/IdentityRegistry.vy").deploy()
        val = deployer("contracts/ValidationRegistry.vy").deploy(ident.address)
        alice, mallory, carol = (boa.env.generate_address(n) for n in ("alice", "mallory", "carol"))
        with boa.env.prank(alice):
            a_alice = ident.register("")
        with boa.env.prank(mallory):
            a_mallory = ident.register("")
            for i in range(SPAM):
                val.validationRequest(carol, a_mallory, "", keccak(b"spam" + i.to_bytes(4, "big")))
        h = keccak(b"alice's real job")
        with boa.env.prank(alice):
            val.validationRequest(carol, a_alice, "ipfs://job", h)
        yield val, carol, a_alice, a_mallory, h


def test_f3_third_party_spam_makes_the_unpaged_spec_inbox_refuse(spammed):
    val, carol, *_ = spammed
    with boa.reverts("validation: list too long, use the paged view"):
        val.getValidatorRequests(carol)


def test_f3_the_paged_inbox_still_serves_the_real_request_and_it_is_answerable(spammed):
    val, carol, a_alice, a_mallory, h = spammed
    hashes, agents, total = val.getValidatorRequestsPaged(carol, 1_024, 1_024)
    assert (list(hashes), list(agents), total) == ([h], [a_alice], SPAM + 1)
    first, agents0, _ = val.getValidatorRequestsPaged(carol, 0, 1_024)
    assert len(first) == SPAM and set(agents0) == {a_mallory}
    with boa.env.anchor():
        val.validationResponse(h, 91, "", NO_HASH, "", sender=carol)
        assert val.getAttestation(a_alice, h)[:3] == (ANSWERED, carol, 91)
    assert val.getAttestation(a_alice, h)[0] == PENDING
