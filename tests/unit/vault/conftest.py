"""Vault fixtures on ape's in-process chain: tokens, BTC/USD feed, registries, a vault opened
with its `VaultTrust`, named roles.

Actors: ``deployer`` is the admin, ``carol`` the operator (she registers the operator agent, whose
wallet is hers), ``alice``/``bob`` holders, ``mallory`` the attacker; ``guardian``,
``fee_recipient`` and ``treasury`` are extra test accounts; ``validators`` are accounts 7, 8 and a
fresh one (independent of the agent and of the vault's roles).
Timeline of the default vault: the sale is open from deployment until epoch 0 starts, one day
after deployment (a vault refuses a sale that overlaps the term); 10 epochs; 3 days (unpaused) to
report and fund an epoch after its end (D(e)), 6 days to finalise a funded one (A(e)).
The term is opened before any buy: the trust (quorum 2 of 3, min score 98, 7 bond epochs) is
deployed, carol posts `required_bond()` (2,957,080 sats: 7 epochs of the hashprice gross
of the whole capacity, audit5 G6) and the admin calls `set_trust`.
"""

import pytest

from vault_setup import BTC_USD, CAPACITY_THS, CAPS, DAY, PARAMS, PRICE_PER_TH, TH, deploy_vault, open_term, round_at  # noqa: F401


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


@pytest.fixture(scope="session")
def validators(accounts, deployer):
    extra = accounts.generate_test_account()
    deployer.transfer(extra, 10**18)
    return [accounts[7], accounts[8], extra]


@pytest.fixture(scope="session", autouse=True)
def _vault_roles(operator, guardian, fee_recipient, treasury, validators):
    """Session fixtures before any snapshot (ape pitfall P8)."""


@pytest.fixture(scope="module")
def feed(project, deployer):
    return project.PriceFeed.deploy(8, "BTC / USD", BTC_USD, sender=deployer)


@pytest.fixture(scope="module")
def registries(project, deployer):
    ident = project.IdentityRegistry.deploy(sender=deployer)
    val = project.ValidationRegistry.deploy(ident, sender=deployer)
    rep = project.ReputationRegistry.deploy(ident, sender=deployer)
    return ident, val, rep


@pytest.fixture(scope="module")
def agent_id(registries, operator):
    ident = registries[0]
    receipt = ident.register("ipfs://operator", sender=operator)
    return receipt.events.filter(ident.Registered)[0].agentId


@pytest.fixture(scope="module")
def opener(project, deployer, operator, registries, agent_id, validators):
    """`opener(vault, reward, bond=None, **terms)`: open a vault's term with its own trust."""

    def _open(v, reward, bond=None, **kw):
        return open_term(project, deployer, v, reward, operator, registries, agent_id, validators, bond=bond, **kw)

    return _open


@pytest.fixture(scope="module")
def vault(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, bob, mallory, opener):
    v = deploy_vault(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain)
    wbtc.mint(operator, 10**12, sender=deployer)
    opener(v, wbtc)
    wbtc.approve(v, 2**256 - 1, sender=operator)
    for who in (alice, bob, mallory):
        usd.mint(who, 10**13, sender=deployer)
        usd.approve(v, 2**256 - 1, sender=who)
    return v


@pytest.fixture(scope="module")
def trust(project, vault):
    return project.VaultTrust.at(vault.trust())


@pytest.fixture
def warp(chain):
    """Mine a block at an absolute time."""

    def _warp(ts):
        chain.mine(1, timestamp=ts)

    return _warp


@pytest.fixture
def publish(feed, deployer, warp, chain):
    """Publish `price` `lead` seconds before `end` (the round in force at the end); returns its id."""

    def _publish(end, price=BTC_USD, lead=60):
        if chain.pending_timestamp < end - lead:
            warp(end - lead)
        assert chain.pending_timestamp <= end, "too late to publish the round in force at the end"
        feed.set_price(price, sender=deployer)
        return feed.latestRoundData()[0]

    return _publish


@pytest.fixture
def report(vault, feed, operator):
    """`report_epoch` with the round in force at the epoch's end (the operator by default)."""

    def _report(e, delivered, gross, report_hash=b"\x42" * 32, uri="ipfs://pool/report", sender=None, v=None):
        v = v or vault
        return v.report_epoch(e, delivered, gross, report_hash, uri, round_at(feed, v.epoch_end(e)), sender=sender or operator)

    return _report


@pytest.fixture
def run_epoch(vault, operator, warp, publish, report, chain):
    """Publish `price` just before epoch ``e`` ends, warp to just after the end, report and fund it."""

    def _run(e, delivered, gross, price=BTC_USD, offset=60):
        end = vault.epoch_end(e)
        publish(end, price)
        warp(end + offset)
        report(e, delivered, gross, uri=f"ipfs://pool/{e}")
        return vault.fund_epoch(e, sender=operator)

    return _run
