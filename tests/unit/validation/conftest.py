"""Cast of the validation stories.

alice owns agent 1 (bob is her approved operator), carol and dave are independent validators,
mallory owns agent 7 and attacks. The Identity registry is a stand-in with the reference's
semantics (contracts/mocks/MockIdentity4Validation.vy)."""

import pytest
from validation_story import ALICE_AGENT, MALLORY_AGENT


@pytest.fixture(scope="session")
def dave(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def identity(project, deployer, alice, bob, mallory):
    ident = deployer.deploy(project.MockIdentity4Validation)
    ident.mint(ALICE_AGENT, alice, sender=deployer)
    ident.setOperator(ALICE_AGENT, bob, True, sender=alice)
    ident.mint(MALLORY_AGENT, mallory, sender=deployer)
    return ident


@pytest.fixture(scope="module")
def registry(project, deployer, identity):
    return deployer.deploy(project.ValidationRegistry, identity)


@pytest.fixture(scope="module", autouse=True)
def _module_setup(registry, dave, w3):
    """Deploy before the per-test snapshot (ape pitfall P8)."""
