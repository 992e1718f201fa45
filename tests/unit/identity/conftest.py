"""The identity story's cast: alice registers agents, bob buys one, carol operates for alice,
a contract wallet (ERC-1271) and an EOA wallet (dave) get paid; mallory tries everything she
should not be able to do."""

import pytest
from identity_helpers import URI


@pytest.fixture(scope="session")
def dave(accounts):
    """An EOA that becomes an agent's payment wallet."""
    return accounts[5]


@pytest.fixture(scope="session", autouse=True)
def _identity_actors(dave):
    """Session fixtures before any snapshot (ape pitfall P8)."""


@pytest.fixture(scope="module")
def registry(project, deployer):
    return project.IdentityRegistry.deploy(sender=deployer)


@pytest.fixture(scope="module")
def wallet_contract(project, dave):
    """An ERC-1271 wallet owned by dave (approves hashes)."""
    return project.MockERC1271Wallet.deploy(sender=dave)


@pytest.fixture
def agent(registry, alice):
    """Alice's first agent (id 1) with a URI."""
    registry.register(URI, sender=alice)
    return 1


