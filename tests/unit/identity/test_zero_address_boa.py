"""The zero address never controls an agent (issue 14, item 7).

An agent without a single-token approval has approval "zero", and main compared it with the
spender: `isAuthorizedOrOwner(0x0, id)` was true for every such agent. OpenZeppelin's
`_isAuthorized`, which the reference uses, returns false for the zero address; an integrator
checking `isAuthorizedOrOwner(ecrecover(digest, v, r, s), id)` (ecrecover answers zero for an
invalid signature) would have accepted any garbage signature as the owner's. The same
`0 == 0` reached every write guarded by the same check (a call simulated from 0x0 could set an
agent's URI, metadata and wallet and transfer it).

Runs on titanoboa (``python -m pytest tests/unit/identity/test_zero_address_boa.py -p no:ape_test``).
"""

from pathlib import Path

import boa
import pytest
from eth_keys import keys
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[3]
ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def reg():
    return boa.load(str(ROOT / "contracts" / "IdentityRegistry.vy"))


@pytest.fixture
def owner():
    return boa.env.generate_address("agent-owner")


@pytest.fixture
def agent(reg, owner):
    with boa.env.prank(owner):
        return reg.register("ipfs://agent")


def test_is_authorized_or_owner_of_the_zero_address_is_false(reg, agent, owner):
    """The regression: main answered True (no approval == approval 0 == spender 0)."""
    assert reg.getApproved(agent) == ZERO
    assert reg.isAuthorizedOrOwner(ZERO, agent) is False
    assert reg.isAuthorizedOrOwner(owner, agent) is True


def test_the_zero_address_stays_unauthorized_after_an_approval_is_cleared(reg, agent, owner):
    bob = boa.env.generate_address("bob")
    with boa.env.prank(owner):
        reg.approve(bob, agent)
        assert reg.isAuthorizedOrOwner(bob, agent) is True
        assert reg.isAuthorizedOrOwner(ZERO, agent) is False
        reg.approve(ZERO, agent)  # clears the approval: back to "approved == 0"
        reg.setApprovalForAll(bob, True)
    assert reg.getApproved(agent) == ZERO
    assert reg.isAuthorizedOrOwner(ZERO, agent) is False
    assert reg.isAuthorizedOrOwner(bob, agent) is True  # the operator, not the zero address


def test_an_invalid_signature_recovers_no_owner(reg, agent, owner):
    """What an integrator does: recover the signer of a digest and ask the registry. A
    signature that recovers to nothing (ecrecover's zero) must not pass."""
    digest = keccak(b"transfer agent 1 to mallory")
    good = keys.PrivateKey(keccak(b"some key")).sign_msg_hash(digest)
    # an r that is not on the curve: ecrecover fails and returns the zero address
    bad_r = 2**256 - 1
    recovered = boa.eval(f"ecrecover({'0x' + digest.hex()}, 27, {bad_r}, {good.s})")
    assert recovered == ZERO
    assert reg.isAuthorizedOrOwner(recovered, agent) is False


def test_a_missing_agent_still_reverts_for_the_zero_address(reg):
    with boa.reverts("erc721: invalid token ID"):
        reg.isAuthorizedOrOwner(ZERO, 404)


def test_writes_refuse_the_zero_address_as_caller(reg, agent):
    """`eth_call` can be made from 0x0: on main these simulated writes succeeded."""
    with boa.env.prank(ZERO):
        with boa.reverts("identity: not authorized"):
            reg.setAgentURI(agent, "ipfs://stolen")
        with boa.reverts("identity: not authorized"):
            reg.setMetadata(agent, "k", b"v")
        with boa.reverts("identity: not authorized"):
            reg.unsetAgentWallet(agent)
        with boa.reverts("erc721: caller is not token owner or approved"):
            reg.transferFrom(reg.ownerOf(agent), boa.env.generate_address("thief"), agent)
    assert reg.tokenURI(agent) == "ipfs://agent"
