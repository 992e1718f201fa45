"""Shared titanoboa scenario of the issue-14 regressions: a vault with its trust, holders, a bond, helpers.

`VAULT_CONTRACTS=<dir>` (see `boa_vault`) runs the same tests against another copy of the
contracts, e.g. the unfixed ones, to see them fail.
"""

from __future__ import annotations

import boa
from boa_vault import DAY, deploy, report_epoch, round_at, set_price_before  # noqa: F401

TH = 10**18
BOND = 10**10  # 100 BTC: never the limit unless a test says so
REPORT_HASH = b"\x42" * 32
PRICE = 100_000 * 10**8


def trust_vault(*, holdings=(100,), sale_days: int = 1, term_start_in: int = DAY, bond: int = BOND, **kw):
    """A vault with its `VaultTrust` (bond `bond` posted before the sale, `None` = `required_bond()`),
    `holdings` TH/s bought by holders 0.. before the term."""
    env = deploy(term_start_in=term_start_in, sale_days=sale_days, n_holders=max(4, len(holdings) + 1), bond=bond, **kw)
    for h, ths in zip(env.holders, holdings):
        with boa.env.prank(h):
            env.vault.buy(ths * TH, 2**255, h)
    return env, env.t


def warp(ts: int) -> None:
    now = boa.env.timestamp
    if ts > now:
        boa.env.time_travel(seconds=ts - now)


def report(env, e: int, delivered: int, gross: int, price: int = PRICE) -> None:
    """Publish `price` just before epoch `e`'s end (when that is still ahead), warp just past the
    end and report with the round in force at the end."""
    set_price_before(env, e, price)
    warp(env.vault.epoch_end(e) + 60)
    report_epoch(env, e, delivered, gross, REPORT_HASH, "ipfs://pool")


def fund(env, e: int) -> None:
    with boa.env.prank(env.operator):
        env.vault.fund_epoch(e)


def attest(env, t, e: int, score: int = 100, who=None) -> None:
    """The operator files epoch `e`'s requests; two validators (or `who`) answer `score`, final."""
    for w in who or t.validators[:2]:
        h = t.trust.request_hash(e, w)
        with boa.env.prank(env.operator):
            t.validation.validationRequest(w, t.agent_id, "", h)
        with boa.env.prank(w):
            t.validation.validationResponseFor(t.agent_id, h, score, "", b"\x00" * 32, "", True)


def settle_until(env, e: int, by=None) -> int:
    """Warp just past epoch `e`'s record time and settle every due epoch (anyone); returns the count."""
    warp(env.vault.record_time(e) + 1)
    with boa.env.prank(by or env.holders[-1]):
        return env.vault.settle_due(64)


def events(contract, name: str) -> list:
    """The `name` events of `contract`'s last call (child contracts' logs included)."""
    return [e for e in contract.get_logs(strict=False) if type(e).__name__ == name]
