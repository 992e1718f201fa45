"""Vault fixtures on ape's in-process chain: tokens, BTC/USD feed, a vault, named roles.

Actors: ``deployer`` is the admin, ``carol`` the operator, ``alice``/``bob`` holders,
``mallory`` the attacker; ``guardian``, ``fee_recipient`` and ``treasury`` are extra test accounts.
Timeline of the default vault: the sale is open from deployment until epoch 0 starts, one day
after deployment (a vault refuses a sale that overlaps the term); 10 epochs; 3 days to report and fund an epoch after its end.
"""

import pytest

DAY = 86_400
PRICE_PER_TH = 15_000_000  # $15 per TH/s, 6-decimal USD
CAPACITY_THS = 10_000
BTC_USD = 100_000 * 10**8
PARAMS = (17_500, 50_000, 10_000, 1_000)  # 17.5 J/TH, $0.05/kWh, $0.01/TH/day, 10 %
CAPS = (200_000, 500_000, 1_000_000, 5_000)  # 200 J/TH, $0.50/kWh, $1/TH/day, 50 %
TH = 10**18


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


def deploy_vault(project, deployer, reward, payment, feed, operator, guardian, treasury, fee_recipient, chain, **kw):
    now = chain.pending_timestamp
    term_start = kw.get("term_start", now + DAY)
    return project.HashrateVault.deploy(
        "Hashrate TH/s",
        "HASH",
        reward,
        payment,
        feed,
        kw.get("capacity_ths", CAPACITY_THS),
        kw.get("price_per_th", PRICE_PER_TH),
        term_start,
        kw.get("sale_end", term_start),
        kw.get("term_end", term_start + kw.get("n_epochs", 10) * DAY),
        operator,
        guardian,
        treasury,
        (*kw.get("params", PARAMS), fee_recipient),
        (*CAPS, fee_recipient),
        kw.get("grace", 3 * DAY),
        kw.get("max_price_age", 2 * DAY),
        kw.get("admin_delay", DAY),
        sender=deployer,
    )


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
