"""Titanoboa set-up of the vault side of the trust split, against `MockVaultTrust`.

The vault is tested alone: `MockVaultTrust` names the operator, reports the bond coverage and
pays whatever owed amount a test sets for an epoch, so every figure here is the vault's.
Timeline of `deploy()`: deployed at T0, sale open until T0 + 1 day = TERM_START, `n_epochs`
epochs of a day, REPORT_GRACE 3 days (D(e) = end + 3 d, A(e) = end + 6 d when nothing paused).
"""

from __future__ import annotations

from dataclasses import dataclass

import boa
from boa_vault import at, load  # noqa: F401 (re-exported: the tests here load mocks by name)

DAY = 86_400
TH = 10**18
PRICE_PER_TH = 15_000_000
BTC_USD = 100_000 * 10**8
CAPS = (200_000, 500_000, 1_000_000, 5_000)
PARAMS = (17_500, 50_000, 10_000, 1_000)  # 17.5 J/TH, $0.05/kWh, $0.01/TH/day, 10 %
GRACE = 3 * DAY
MAX_PRICE_AGE = 2 * DAY
HASH = b"\x42" * 32

@dataclass
class Env:
    vault: object
    trust: object
    wbtc: object
    usd: object
    feed: object
    admin: str
    operator: str
    guardian: str
    fee_recipient: str
    treasury: str
    holders: list
    t0: int


def deploy_vault(*, n_epochs=10, admin_delay=DAY, feed=None, params=PARAMS, grace=GRACE, max_price_age=MAX_PRICE_AGE, capacity_ths=10_000, wbtc=None):
    admin = boa.env.eoa
    guardian, fee_recipient, treasury = (boa.env.generate_address(n) for n in ("guardian", "fees", "treasury"))
    if wbtc is None:
        wbtc = load("DevToken", "Wrapped BTC (devnet)", "WBTC", 8)
    usd = load("DevToken", "USD Stablecoin (devnet)", "USDC", 6)
    if feed is None:
        feed = load("PriceFeed", 8, "BTC / USD", BTC_USD)
    t0 = boa.env.timestamp
    vault = load(
        "HashrateVault",
        "Hashrate TH/s",
        "HASH",
        wbtc.address,
        usd.address,
        feed.address,
        capacity_ths,
        PRICE_PER_TH,
        t0 + DAY,
        t0 + DAY,
        t0 + DAY + n_epochs * DAY,
        guardian,
        treasury,
        (*params, fee_recipient),
        (*CAPS, fee_recipient),
        grace,
        max_price_age,
        admin_delay,
    )
    return vault, wbtc, usd, feed, admin, guardian, fee_recipient, treasury, t0


def deploy(*, holdings=(100, 300), coverable=10_000 * TH, trust_funds=10**12, set_trust=True, **kw) -> Env:
    """A vault, its mock trust (coverage `coverable`, `trust_funds` sats to pay with) set on it,
    and holders who bought `holdings` TH/s each."""
    vault, wbtc, usd, feed, admin, guardian, fee_recipient, treasury, t0 = deploy_vault(**kw)
    operator = boa.env.generate_address("operator")
    trust = load("MockVaultTrust", vault.address, wbtc.address, operator, coverable)
    wbtc.mint(trust.address, trust_funds)
    wbtc.mint(operator, 10**15)
    with boa.env.prank(operator):
        wbtc.approve(vault.address, 2**256 - 1)
    holders = [boa.env.generate_address(f"holder{i}") for i in range(max(len(holdings), 3))]
    for h in holders:
        usd.mint(h, 10**15)
        with boa.env.prank(h):
            usd.approve(vault.address, 2**256 - 1)
    env = Env(vault, trust, wbtc, usd, feed, admin, operator, guardian, fee_recipient, treasury, holders, t0)
    if set_trust:
        vault.set_trust(trust.address)
        for h, ths in zip(holders, holdings):
            if ths:
                with boa.env.prank(h):
                    vault.buy(ths * TH, 2**256 - 1, h)
    return env


def now() -> int:
    return boa.env.timestamp


def warp(ts: int) -> None:
    """Move the chain's clock to `ts` (forward only)."""
    assert ts >= now(), f"cannot warp back to {ts} from {now()}"
    boa.env.time_travel(seconds=ts - now())


def round_at(feed, ts: int) -> int:
    """The feed's round in force at `ts` (newest of the latest phase with updatedAt <= ts)."""
    r = feed.latest_round()
    phase = r >> 64
    while r >> 64 == phase and r & (2**64 - 1):
        if feed.getRoundData(r)[3] <= ts:
            return r
        r -= 1
    raise AssertionError(f"no round at or before {ts}")


def publish_before_end(env: Env, e: int, answer: int = BTC_USD, lead: int = 60) -> int:
    """Publish `answer` `lead` seconds before epoch `e` ends; returns its round id."""
    warp(env.vault.epoch_end(e) - lead)
    env.feed.set_price(answer)
    return env.feed.latest_round()


def report(env: Env, e: int, delivered_ths: float, gross: int, *, rid=None, after: int = 60, sender=None):
    """The operator reports epoch `e` `after` seconds past its end (if not later already)."""
    end = env.vault.epoch_end(e)
    if now() < end + after:
        warp(end + after)
    if rid is None:
        rid = round_at(env.feed, end)
    with boa.env.prank(sender or env.operator):
        env.vault.report_epoch(e, int(delivered_ths * TH), gross, HASH, f"ipfs://pool/{e}", rid)
    return rid


def fund(env: Env, e: int):
    with boa.env.prank(env.operator):
        env.vault.fund_epoch(e)


def logs(contract, name: str):
    return [x for x in contract.get_logs(strict=False) if type(x).__name__ == name]
