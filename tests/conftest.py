"""Shared fixtures: named actors, the devnet tokens and hypothesis profiles.

Actors (ape test accounts, funded with ETH on every local chain):
``deployer`` deploys everything, ``alice``/``bob``/``carol`` are users, ``mallory`` attacks.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

# Bounded profile for `make test`; `make test-deep` selects "deep" (>= 1,000 state-machine steps).
settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
settings.register_profile(
    "deep",
    max_examples=60,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def mallory(accounts):
    return accounts[9]


@pytest.fixture(scope="session", autouse=True)
def _session_actors(deployer, alice, bob, carol, mallory):
    """Create the session fixtures before any per-test snapshot (ape pitfall P8)."""


@pytest.fixture(scope="session")
def w3(chain):
    """The web3 connection of the chain ape runs the tests on (for SDK clients)."""
    return chain.provider.web3


@pytest.fixture(scope="module")
def wbtc(project, deployer):
    """The devnet wBTC (8 decimals), the vault's reward token."""
    return project.DevToken.deploy("Wrapped BTC (devnet)", "WBTC", 8, sender=deployer)


@pytest.fixture(scope="module")
def usd(project, deployer):
    """The devnet USD stablecoin (6 decimals), the vault's payment token."""
    return project.DevToken.deploy("USD Stablecoin (devnet)", "USDC", 6, sender=deployer)


def _titanoboa_safe_storage_dump():
    """Work around a titanoboa 0.2.8 bug: when a call reverts, boa builds the contract's repr with a
    storage dump, and decoding a HashMap whose value is another HashMap keyed by an integer raises
    AttributeError ('IntegerT' object has no attribute 'key_type'), which replaces the revert the
    test expects. Only the diagnostic dump changes: that one variable is shown as undecodable."""
    try:
        from boa.contracts.vyper import vyper_contract as vc
    except ImportError:  # pragma: no cover - titanoboa is pinned in pyproject
        return

    def dump(self):
        ret = vc.FrameDetail("storage")
        for k, v in vars(self).items():
            try:
                t = v.get(truncate_limit=1024)
            except AttributeError:
                t = "<not decodable by titanoboa 0.2.8>"
            ret[k] = "<truncated>" if t is None else t
        return ret

    vc.StorageModel.dump = dump


_titanoboa_safe_storage_dump()
