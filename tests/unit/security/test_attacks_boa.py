"""Attacks on the Identity registry's wallet proof (titanoboa, in-process).

Story 1 -- a hostile ERC-1271 wallet: mallory's contract wallet `EvilWallet1271` is an operator of
alice's agent, so any call it makes to the registry would be authorized. When alice (honestly)
makes it the agent wallet, the registry asks it `isValidSignature`, and it tries to re-enter:
set metadata, unset the wallet, register an agent, or just write its own storage. The registry
asks with STATICCALL, so nothing it tries may change state: either it answers after its failed
attempt (the wallet is set, nothing else moved), or its failure propagates and the whole
`setAgentWallet` is refused with "identity: invalid wallet signature" (nothing moved at all).
A control shows the re-entry is real when the wallet is called normally.

Story 2 -- replay of a wallet signature across chains and contracts: dave signs "make me agent
1's wallet" for registry A on this chain. The same bytes are refused by registry B (another
contract, same owner, same agent id), by A after a chain-id change (a fork), and by A a second
time. (Replay across agents, owners, transfers and unsets: tests/unit/identity/test_wallet.py;
front-running of validation request hashes:
tests/unit/validation/test_validation_request.py::test_squatter_cannot_block_or_hijack_the_victims_hash;
a re-entering ERC-721 receiver on register: tests/unit/identity/test_register.py.)
"""

from __future__ import annotations

from pathlib import Path

import boa
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from hashtrust.erc8004.identity import wallet_typed_data

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = ROOT / "contracts" / "IdentityRegistry.vy"
EVIL = ROOT / "contracts" / "mocks" / "EvilWallet1271.vy"
ALICE = Account.from_key(b"\xa1" * 32)
MALLORY = Account.from_key(b"\x4d" * 32)
DAVE = Account.from_key(b"\x0d" * 32)
_cache: dict[str, object] = {}


def _deployer(path: Path):
    if str(path) not in _cache:
        _cache[str(path)] = boa.load_partial(str(path))
    return _cache[str(path)]


@pytest.fixture
def registry():
    with boa.env.anchor():
        with boa.env.prank(ALICE.address):
            reg = _deployer(REGISTRY).deploy()
            agent = reg.register("ipfs://alice")
        assert agent == 1
        yield reg


def _state(reg, evil) -> tuple:
    return (
        reg.total_agents(),
        reg.getAgentWallet(1),
        reg.last_wallet_deadline(1),
        reg.getMetadata(1, "evil"),
        reg.balanceOf(evil.address),
        evil.counter(),
    )


@pytest.mark.parametrize(
    "mode, accepted",
    [(0, True), (1, True), (2, False), (3, True), (4, False)],
    ids=["honest", "reenter-setMetadata-swallowed", "reenter-unsetAgentWallet-propagated", "reenter-register-swallowed", "write-own-storage"],
)
def test_erc1271_wallet_cannot_reenter_during_set_agent_wallet(registry, mode, accepted):
    with boa.env.prank(MALLORY.address):
        evil = _deployer(EVIL).deploy()
    evil.arm(registry.address, 1, mode)
    with boa.env.prank(ALICE.address):
        registry.setApprovalForAll(evil.address, True)  # evil may act on agent 1 ... outside a static call
    before = _state(registry, evil)
    deadline = boa.env.timestamp + 60
    with boa.env.prank(ALICE.address):
        if accepted:
            registry.setAgentWallet(1, evil.address, deadline, b"\x00")
        else:
            with boa.reverts("identity: invalid wallet signature"):
                registry.setAgentWallet(1, evil.address, deadline, b"\x00")
    after = _state(registry, evil)
    if accepted:  # only the wallet and its deadline moved; the re-entry left no trace
        assert after == (before[0], evil.address, deadline, b"", 0, 0)
    else:
        assert after == before


def test_control_the_reentry_is_real_outside_a_static_call(registry):
    """Called normally (not by the registry), the armed wallet does reach the registry: proof
    that the attacks above are refused by the STATICCALL, not by a broken mock."""
    with boa.env.prank(MALLORY.address):
        evil = _deployer(EVIL).deploy()
    evil.arm(registry.address, 1, 1)
    with boa.env.prank(ALICE.address):
        registry.setApprovalForAll(evil.address, True)
    with boa.reverts("evil: re-entry succeeded"):
        evil.isValidSignature(b"\x00" * 32, b"")
    evil.arm(registry.address, 1, 4)
    evil.isValidSignature(b"\x00" * 32, b"")
    assert evil.counter() == 1


def _sign(chain_id: int, reg, deadline: int) -> bytes:
    typed = wallet_typed_data(chain_id, reg.address, 1, DAVE.address, ALICE.address, deadline)
    return bytes(DAVE.sign_message(encode_typed_data(full_message=typed)).signature)


def test_wallet_signature_cannot_be_replayed_across_contracts_chains_or_twice(registry):
    with boa.env.prank(ALICE.address):
        other = _deployer(REGISTRY).deploy()
        assert other.register("ipfs://alice-on-B") == 1  # same owner, same agent id
    chain_id = boa.env.evm.patch.chain_id
    deadline = boa.env.timestamp + 60
    sig = _sign(chain_id, registry, deadline)

    with boa.env.prank(ALICE.address):
        with boa.reverts("identity: invalid wallet signature"):  # another contract
            other.setAgentWallet(1, DAVE.address, deadline, sig)
        with boa.reverts("identity: invalid wallet signature"):  # made for another chain
            registry.setAgentWallet(1, DAVE.address, deadline, _sign(chain_id + 1, registry, deadline))
        boa.env.evm.patch.chain_id = chain_id + 1  # the chain forks: the domain follows block.chainid
        try:
            with boa.reverts("identity: invalid wallet signature"):
                registry.setAgentWallet(1, DAVE.address, deadline, sig)
        finally:
            boa.env.evm.patch.chain_id = chain_id
        assert registry.getAgentWallet(1) == ALICE.address and other.getAgentWallet(1) == ALICE.address

        registry.setAgentWallet(1, DAVE.address, deadline, sig)  # where it was made for: accepted once
        assert registry.getAgentWallet(1) == DAVE.address
        registry.unsetAgentWallet(1)
        with boa.reverts("identity: signature already used"):
            registry.setAgentWallet(1, DAVE.address, deadline, sig)
    assert registry.getAgentWallet(1) == "0x0000000000000000000000000000000000000000"
    assert other.getAgentWallet(1) == ALICE.address and other.last_wallet_deadline(1) == 0
