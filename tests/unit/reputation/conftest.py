"""The reputation story's cast: carol runs agent 1 (with an operator and an agent wallet);
alice and bob are clients who rate it; mallory tries to game it."""

import pytest
from rep_helpers import AGENT


@pytest.fixture(scope="module")
def operator(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def agent_wallet(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def identity(project, deployer, carol, operator, agent_wallet):
    idr = deployer.deploy(project.MockIdentityRegistry)
    idr.setAgent(AGENT, carol, agent_wallet, sender=deployer)
    idr.setOperator(AGENT, operator, True, sender=deployer)
    idr.setAgent(2, carol, carol, sender=deployer)
    return idr


@pytest.fixture(scope="module")
def rep(project, deployer, identity):
    return deployer.deploy(project.ReputationRegistry, identity.address)
