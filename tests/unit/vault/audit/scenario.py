"""Shared titanoboa scenario of the issue-14 regressions: a bound vault, holders, a bond, helpers.

`VAULT_CONTRACTS=<dir>` (see `boa_vault`) runs the same tests against another copy of the
contracts, e.g. the unfixed ones, to see them fail.
"""

from __future__ import annotations

import boa
from boa_vault import DAY, bind_trust, deploy

TH = 10**18
BOND = 10**10  # 100 BTC: never the limit unless a test says so
REPORT_HASH = b"\x42" * 32


def trust_vault(*, holdings=(100,), sale_days: int = 1, term_start_in: int = DAY, bond: int = BOND, **kw):
    """A vault bound to the operator agent, `holdings` TH/s bought by holders 0.. before the term."""
    env = deploy(term_start_in=term_start_in, sale_days=sale_days, n_holders=max(4, len(holdings) + 1), **kw)
    t = bind_trust(env)
    for h, ths in zip(env.holders, holdings):
        with boa.env.prank(h):
            env.vault.buy(ths * TH, 2**255, h)
    if bond:
        with boa.env.prank(env.operator):
            env.vault.post_bond(bond)
    return env, t


def warp(ts: int) -> None:
    now = boa.env.timestamp
    if ts > now:
        boa.env.time_travel(seconds=ts - now)


def report(env, e: int, delivered: int, gross: int) -> None:
    """Warp just past epoch `e`'s end, refresh the price, report it."""
    warp(env.vault.epoch_end(e) + 60)
    env.feed.set_price(100_000 * 10**8)
    with boa.env.prank(env.operator):
        env.vault.report_epoch(e, delivered, gross, REPORT_HASH, "ipfs://pool")


def fund(env, e: int) -> None:
    with boa.env.prank(env.operator):
        env.vault.fund_epoch(e)


def attest(env, t, e: int, score: int = 100) -> None:
    """The operator files epoch `e`'s requests; two validators answer `score`, final."""
    for who in t.validators[:2]:
        h = env.vault.request_hash(e, who)
        with boa.env.prank(env.operator):
            t.validation.validationRequest(who, t.agent_id, "", h)
        with boa.env.prank(who):
            t.validation.validationResponseFor(t.agent_id, h, score, "", b"\x00" * 32, "", True)


def events(contract, name: str) -> list:
    """The `name` events of `contract`'s last call (child contracts' logs skipped when undecodable)."""
    return [e for e in contract.get_logs(strict=False) if type(e).__name__ == name]
