"""Vault test constants and helpers shared by the ape vault tests (`from vault_setup import ...`).

A plain module with a unique name: `from conftest import ...` picks whichever conftest.py pytest
imported last (tests/unit/vault/audit4 has its own), which broke collection on a fresh clone.

Trust split (docs/design/vault-trust-split.md): a vault is deployed without an operator; the term
is opened by deploying its `VaultTrust` (registries, operator agent, validators, quorum 2, min
score 98, 7 bond epochs), posting `required_bond()` and calling `vault.set_trust` before any buy.
`report_epoch` takes the feed's round in force at the epoch's end (`round_at`).
"""

DAY = 86_400
PRICE_PER_TH = 15_000_000  # $15 per TH/s, 6-decimal USD
CAPACITY_THS = 10_000
BTC_USD = 100_000 * 10**8
PARAMS = (17_500, 50_000, 10_000, 1_000)  # 17.5 J/TH, $0.05/kWh, $0.01/TH/day, 10 %
CAPS = (200_000, 500_000, 1_000_000, 5_000)  # 200 J/TH, $0.50/kWh, $1/TH/day, 50 %
TH = 10**18
DIFFICULTY = 150 * 10**12
SATS_PER_BLOCK = 315_000_000  # 3.125 BTC subsidy + 0.025 BTC fees
QUORUM = 2
MIN_SCORE = 98
BOND_EPOCHS = 7
M64 = 2**64 - 1


def deploy_vault(project, deployer, reward, payment, feed, guardian, treasury, fee_recipient, chain, **kw):
    """A vault with the default terms (10 epochs of a day, 3 days of grace); no trust yet."""
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
        guardian,
        treasury,
        (*kw.get("params", PARAMS), fee_recipient),
        (*CAPS, fee_recipient),
        kw.get("grace", 3 * DAY),
        kw.get("max_price_age", 2 * DAY),
        kw.get("admin_delay", DAY),
        sender=deployer,
    )


def deploy_trust(project, deployer, vault, registries, agent_id, validators, **kw):
    """The vault's `VaultTrust` with the default terms (nothing posted, not set on the vault)."""
    ident, val, rep = registries
    return project.VaultTrust.deploy(
        vault,
        ident,
        val,
        rep,
        agent_id,
        list(validators),
        kw.get("quorum", QUORUM),
        kw.get("min_score", MIN_SCORE),
        kw.get("difficulty", DIFFICULTY),
        kw.get("sats_per_block", SATS_PER_BLOCK),
        kw.get("bond_epochs", BOND_EPOCHS),
        kw.get("index") or project.MockHashpriceIndex.deploy(sender=deployer),  # no final day: the binding value
        kw.get("pool_fee_bps", 0),
        sender=deployer,
    )


def open_term(project, deployer, vault, reward, operator, registries, agent_id, validators, bond=None, **kw):
    """Deploy the trust, let the operator post `bond` (default `required_bond()`), set it on the
    vault; returns the trust. The operator needs `reward` tokens for the bond."""
    trust = deploy_trust(project, deployer, vault, registries, agent_id, validators, **kw)
    amount = trust.required_bond() if bond is None else bond
    if amount:
        if reward.balanceOf(operator) < amount:
            reward.mint(operator, amount, sender=deployer)
        reward.approve(trust, 2**256 - 1, sender=operator)
        trust.post_bond(amount, sender=operator)
    vault.set_trust(trust, sender=deployer)
    return trust


def round_at(feed, ts):
    """The feed's round in force at `ts`: the newest round of the latest phase with updatedAt <= ts."""
    r = feed.latestRoundData()[0]
    phase = r >> 64
    while r >> 64 == phase and r & M64:
        if feed.getRoundData(r)[3] <= ts:
            return r
        r -= 1
    raise AssertionError(f"no round of the feed's phase at or before {ts}")


def gross_of(shares):
    """The hashprice gross of `shares` for one epoch at the default terms' binding value (VaultTrust
    `_gross_at(shares, HP_BINDING)`: an index with no final day)."""
    return shares * (10**15 * DAY * SATS_PER_BLOCK // (DIFFICULTY * 2**32)) // (TH * 1_000)
