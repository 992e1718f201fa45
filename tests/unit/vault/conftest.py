"""Vault fixtures on ape's in-process chain: tokens, BTC/USD feed, a vault, named roles.

Actors: ``deployer`` is the admin, ``carol`` the operator, ``alice``/``bob`` holders,
``mallory`` the attacker; ``guardian``, ``fee_recipient`` and ``treasury`` are extra test accounts.
Timeline of the default vault: the sale is open from deployment until epoch 0 starts, one day
after deployment (a vault refuses a sale that overlaps the term); 10 epochs; 3 days to report and fund an epoch after its end.
"""

import pytest

from vault_setup import BTC_USD, CAPACITY_THS, CAPS, DAY, PARAMS, PRICE_PER_TH, TH, deploy_vault  # noqa: F401 (fixtures below use them)


@pytest.fixture(scope="session")
def operator(carol):
    return carol


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def fee_recipient(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[6]


@pytest.fixture(scope="session", autouse=True)
def _vault_roles(operator, guardian, fee_recipient, treasury):
    """Session fixtures before any snapshot (ape pitfall P8)."""


@pytest.fixture(scope="module")
def feed(project, deployer):
    return project.PriceFeed.deploy(8, "BTC / USD", BTC_USD, sender=deployer)


@pytest.fixture(scope="module")
def vault(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, bob, mallory):
    v = deploy_vault(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain)
    wbtc.mint(operator, 10**12, sender=deployer)
    wbtc.approve(v, 2**256 - 1, sender=operator)
    for who in (alice, bob, mallory):
        usd.mint(who, 10**13, sender=deployer)
        usd.approve(v, 2**256 - 1, sender=who)
    return v


@pytest.fixture
def warp(chain):
    """Mine a block at an absolute time."""

    def _warp(ts):
        chain.mine(1, timestamp=ts)

    return _warp


@pytest.fixture
def run_epoch(vault, feed, operator, deployer, warp):
    """Warp to just after epoch ``e`` ends, refresh the price, report and fund it."""

    def _run(e, delivered, gross, price=BTC_USD, offset=60):
        warp(vault.epoch_end(e) + offset)
        feed.set_price(price, sender=deployer)
        vault.report_epoch(e, delivered, gross, b"\x42" * 32, f"ipfs://pool/{e}", sender=operator)
        return vault.fund_epoch(e, sender=operator)

    return _run
