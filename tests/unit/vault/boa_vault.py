"""Titanoboa set-up shared by the vault's heavy tests (state machine, differential).

Not a pytest plugin: the boa test files import `deploy()` and get a fresh vault with its
tokens, feed and named actors. boa runs ~100x faster than ape's in-process chain.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import boa

from hashtrust.hashrate.economics import FeeParams

ROOT = Path(__file__).resolve().parents[3]
# VAULT_CONTRACTS points the heavy tests at another copy of the sources (mutation testing)
C = Path(os.environ.get("VAULT_CONTRACTS", str(ROOT / "contracts")))
DAY = 86_400
PRICE_PER_TH = 15_000_000  # $15 per TH/s (6-decimal USD)
CAPS = (200_000, 500_000, 1_000_000, 5_000)  # 200 J/TH, $0.50/kWh, $1/TH/day, 50 %


@dataclass
class VaultEnv:
    vault: object
    wbtc: object
    usd: object
    feed: object
    admin: str
    operator: str
    guardian: str
    fee_recipient: str
    treasury: str
    holders: list[str]


_PARTIALS: dict[str, object] = {}


def _load(name: str, *args):
    """Deploy ``contracts/<name>.vy``; compiled once per process (boa.load recompiles every time)."""
    if name not in _PARTIALS:
        _PARTIALS[name] = boa.load_partial(str(C / f"{name}.vy"))
    return _PARTIALS[name].deploy(*args)


def params_tuple(p: FeeParams, fee_recipient: str) -> tuple:
    return (p.mj_per_th, p.micro_usd_per_kwh, p.micro_usd_per_th_day, p.perf_bps, fee_recipient)


def deploy(
    *,
    term_start_in: int = DAY,
    sale_days: int = 1,
    n_epochs: int = 400,
    capacity_ths: int = 10_000,
    params: FeeParams = FeeParams(),
    grace: int = 3 * DAY,
    max_price_age: int = 2 * DAY,
    admin_delay: int = DAY,
    n_holders: int = 4,
    btc_usd: int = 100_000 * 10**8,
) -> VaultEnv:
    admin = boa.env.eoa
    operator, guardian, fee_recipient, treasury = (boa.env.generate_address(n) for n in ("operator", "guardian", "fees", "treasury"))
    holders = [boa.env.generate_address(f"holder{i}") for i in range(n_holders)]
    wbtc = _load("DevToken", "Wrapped BTC (devnet)", "WBTC", 8)
    usd = _load("DevToken", "USD Stablecoin (devnet)", "USDC", 6)
    feed = _load("PriceFeed", 8, "BTC / USD", btc_usd)
    now = boa.env.timestamp
    term_start = now + term_start_in
    vault = _load(
        "HashrateVault",
        "Hashrate TH/s",
        "HASH",
        wbtc.address,
        usd.address,
        feed.address,
        capacity_ths,
        PRICE_PER_TH,
        term_start,
        now + sale_days * DAY,
        term_start + n_epochs * DAY,
        operator,
        guardian,
        treasury,
        params_tuple(params, fee_recipient),
        (*CAPS, fee_recipient),
        grace,
        max_price_age,
        admin_delay,
    )
    wbtc.mint(operator, 10**17)
    with boa.env.prank(operator):
        wbtc.approve(vault.address, 2**256 - 1)
    for h in holders:
        usd.mint(h, 10**15)
        with boa.env.prank(h):
            usd.approve(vault.address, 2**256 - 1)
    return VaultEnv(vault, wbtc, usd, feed, admin, operator, guardian, fee_recipient, treasury, holders)


@dataclass
class TrustEnv:
    identity: object
    validation: object
    reputation: object
    agent_id: int
    validators: list[str]


def bind_trust(env: VaultEnv, *, quorum: int = 2, min_score: int = 80, difficulty: int = 150 * 10**12, sats_per_block: int = 315_000_000) -> TrustEnv:
    """Deploy the three ERC-8004 registries, register the operator's agent (wallet = operator),
    bind the vault to it and list three independent validators."""
    identity = _load("IdentityRegistry")
    validation = _load("ValidationRegistry", identity.address)
    reputation = _load("ReputationRegistry", identity.address)
    with boa.env.prank(env.operator):
        agent_id = identity.register("ipfs://operator")
    env.vault.bind_agent(identity.address, validation.address, reputation.address, agent_id, quorum, min_score, difficulty, sats_per_block)
    validators = [boa.env.generate_address(f"validator{i}") for i in range(3)]
    for v in validators:
        env.vault.add_validator(v)
    return TrustEnv(identity, validation, reputation, agent_id, validators)
