"""Vault test constants and `deploy_vault`, shared by the vault tests (`from vault_setup import ...`).

A plain module with a unique name: `from conftest import ...` picks whichever conftest.py pytest
imported last (tests/unit/vault/audit4 has its own), which broke collection on a fresh clone.
"""

DAY = 86_400
PRICE_PER_TH = 15_000_000  # $15 per TH/s, 6-decimal USD
CAPACITY_THS = 10_000
BTC_USD = 100_000 * 10**8
PARAMS = (17_500, 50_000, 10_000, 1_000)  # 17.5 J/TH, $0.05/kWh, $0.01/TH/day, 10 %
CAPS = (200_000, 500_000, 1_000_000, 5_000)  # 200 J/TH, $0.50/kWh, $1/TH/day, 50 %
TH = 10**18


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
