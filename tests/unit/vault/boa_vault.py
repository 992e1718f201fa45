"""Titanoboa set-up shared by the vault's heavy tests (state machine, differential, audits).

Not a pytest plugin: the boa test files import `deploy()` and get a fresh vault with its
tokens, feed and named actors, and (by default) its `VaultTrust` (docs/design/vault-trust-split.md
§2, §9): the three ERC-8004 registries, the operator's agent (wallet = operator), three
independent validators, quorum 2, min score 98, 7 bond epochs, the bond posted by the operator
and `vault.set_trust(trust)` called, all before any buy. boa runs ~100x faster than ape's
in-process chain.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import boa

from hashtrust.hashrate.economics import FeeParams

ROOT = Path(__file__).resolve().parents[3]
# VAULT_CONTRACTS points the heavy tests at another copy of the sources (mutation testing)
C = Path(os.environ.get("VAULT_CONTRACTS", str(ROOT / "contracts")))
DAY = 86_400
PRICE_PER_TH = 15_000_000  # $15 per TH/s (6-decimal USD)
CAPS = (200_000, 500_000, 1_000_000, 5_000)  # 200 J/TH, $0.50/kWh, $1/TH/day, 50 %
DIFFICULTY = 150 * 10**12
SATS_PER_BLOCK = 315_000_000
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class TrustEnv:
    trust: object
    identity: object
    validation: object
    reputation: object
    agent_id: int
    validators: list[str]


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
    t: TrustEnv | None = None
    extra: dict = field(default_factory=dict)

    @property
    def trust(self):
        return self.t.trust if self.t else None


_PARTIALS: dict[str, object] = {}


def load(name: str, *args):
    """Deploy ``contracts/<name>.vy`` (or ``contracts/mocks/<name>.vy``); compiled once per process
    (boa.load recompiles every time)."""
    if name not in _PARTIALS:
        path = C / f"{name}.vy"
        if not path.exists():
            path = C / "mocks" / f"{name}.vy"
        _PARTIALS[name] = boa.load_partial(str(path))
    return _PARTIALS[name].deploy(*args)


def at(name: str, address):
    """The deployed contract ``name`` (loaded once by `load`) at ``address``."""
    return _PARTIALS[name].at(address)


def params_tuple(p: FeeParams, fee_recipient: str) -> tuple:
    return (p.mj_per_th, p.micro_usd_per_kwh, p.micro_usd_per_th_day, p.perf_bps, fee_recipient)


def registries(operator: str):
    """The three ERC-8004 registries and the operator's agent (registered by the operator: wallet = operator)."""
    identity = load("IdentityRegistry")
    validation = load("ValidationRegistry", identity.address)
    reputation = load("ReputationRegistry", identity.address)
    with boa.env.prank(operator):
        agent_id = identity.register("ipfs://operator")
    return identity, validation, reputation, agent_id


def deploy_trust(
    env: VaultEnv,
    *,
    validators: list[str] | None = None,
    quorum: int = 2,
    min_score: int = 98,
    difficulty: int = DIFFICULTY,
    sats_per_block: int = SATS_PER_BLOCK,
    bond_epochs: int = 7,
    regs=None,
    index: str | None = None,
    pool_fee_bps: int = 0,
):
    """Deploy a `VaultTrust` for `env.vault` (nothing posted, not set on the vault). Without `index`, a
    fresh `MockHashpriceIndex` with no final day: every epoch is priced at the binding value."""
    identity, validation, reputation, agent_id = regs or registries(env.operator)
    if validators is None:
        validators = [boa.env.generate_address(f"validator{i}") for i in range(3)]
    trust = load(
        "VaultTrust",
        env.vault.address,
        identity.address,
        validation.address,
        reputation.address,
        agent_id,
        validators,
        quorum,
        min_score,
        difficulty,
        sats_per_block,
        bond_epochs,
        index if index is not None else load("mocks/MockHashpriceIndex").address,
        pool_fee_bps,
    )
    return TrustEnv(trust, identity, validation, reputation, agent_id, list(validators))


def open_term(env: VaultEnv, t: TrustEnv, bond: int | None = None) -> int:
    """The operator posts `bond` (default `required_bond()`) and the admin sets the trust on the vault."""
    trust = t.trust
    with boa.env.prank(env.operator):
        env.wbtc.approve(trust.address, 2**256 - 1)
    amount = trust.required_bond() if bond is None else bond
    if amount:
        with boa.env.prank(env.operator):
            trust.post_bond(amount)
    with boa.env.prank(env.admin):
        env.vault.set_trust(trust.address)
    env.t = t
    return amount


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
    trust: bool = True,
    bond: int | None = None,
    **trust_terms,
) -> VaultEnv:
    """A vault (new constructor: no operator argument) and, unless `trust=False`, its trust with
    `bond` posted (default: the trust's `required_bond()`), set on the vault before any buy."""
    admin = boa.env.eoa
    operator, guardian, fee_recipient, treasury = (boa.env.generate_address(n) for n in ("operator", "guardian", "fees", "treasury"))
    holders = [boa.env.generate_address(f"holder{i}") for i in range(n_holders)]
    wbtc = load("DevToken", "Wrapped BTC (devnet)", "WBTC", 8)
    usd = load("DevToken", "USD Stablecoin (devnet)", "USDC", 6)
    feed = load("PriceFeed", 8, "BTC / USD", btc_usd)
    now = boa.env.timestamp
    term_start = now + term_start_in
    vault = load(
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
    env = VaultEnv(vault, wbtc, usd, feed, admin, operator, guardian, fee_recipient, treasury, holders)
    if trust:
        open_term(env, deploy_trust(env, **trust_terms), bond)
    return env


# ---------------------------------------------------------------- the feed's rounds


def round_at(env: VaultEnv, ts: int) -> int:
    """Id of the feed's round in force at `ts`: the newest round of the latest phase with
    `updatedAt <= ts` (what `report_epoch` must be given for an epoch ending at `ts`)."""
    r = env.feed.latest_round()
    phase = r >> 64
    while r >> 64 == phase and r & (2**64 - 1):
        rid, answer, started, updated, answered = env.feed.getRoundData(r)
        if updated <= ts:
            return r
        r -= 1
    raise AssertionError(f"no round of the feed's phase at or before {ts}")


def set_price_before(env: VaultEnv, e: int, answer: int, lead: int = 60) -> None:
    """Publish `answer` `lead` seconds before epoch `e` ends (or now, if that moment passed but the
    end has not), so that it is the round in force at the end."""
    end = env.vault.epoch_end(e)
    now = boa.env.timestamp
    if now < end - lead:
        boa.env.time_travel(seconds=end - lead - now)
    if boa.env.timestamp <= end:
        env.feed.set_price(answer)


def report_epoch(env: VaultEnv, e: int, delivered: int, gross: int, report_hash: bytes = b"\x01" * 32, uri: str = "ipfs://r", sender=None):
    """`report_epoch` with the round in force at epoch `e`'s end (the operator by default)."""
    rid = round_at(env, env.vault.epoch_end(e))
    with boa.env.prank(sender or env.operator):
        return env.vault.report_epoch(e, delivered, gross, report_hash, uri, rid)


def settle_all(env: VaultEnv, n: int = 64, sender=None) -> int:
    """`settle_due(n)` until the cursors stop moving (a call that only skips funded epochs on the
    unfunded cursor returns 0 settlements while epochs may still be due); the settlements made."""
    total = 0
    while True:
        before = env.vault.cursors()
        with boa.env.prank(sender or env.admin):
            total += env.vault.settle_due(n)
        if env.vault.cursors() == before:
            return total
