"""F10 (medium): an operator that reports an epoch and then does not fund it keeps the difference
between what it reported and the hashprice estimate.

For a REPORTED-but-unfunded epoch, `declare_default` slashes `min(bond, _expected(e))`, the
hashprice estimate (bound difficulty and sats per block), ignoring the net the operator itself
reported and the epoch's own split. 100 TH/s, a lucky day: the operator reports gross 8,000
sats (fee 3,100, perf 490, net 4,410 due to holders), never funds it, and after the deadline
the default pays holders 1,012 sats (the hashprice net at $100k): the operator keeps the 8,000
it mined and pays 1,012, holders lose 3,398 sats (77 %) of what the operator's own report owes
them. The better the real reward is than the estimate, the more not funding pays.

Suggested fix: for a reported epoch, slash `max(e.net, _expected(e))` (the operator's own
figure is an admission of what holders are owed), computed with the epoch's stored split.
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from scenario import TH, report, trust_vault, warp


def test_f10_reported_net_is_not_what_the_default_pays():
    env, _ = trust_vault(holdings=(100,))
    v, mallory = env.vault, env.holders[2]
    report(env, 0, 100 * TH, 8_000)
    e = v.epochs(0)
    assert (e.fee, e.perf, e.net) == (3_100, 490, 4_410)
    warp(v.epoch_deadline(0) + 1)
    with boa.env.prank(mallory):
        slashed = v.declare_default(0)
    assert slashed == 1_012
    # holders should get at least what the operator reported they were owed
    assert slashed >= e.net, f"reported net {e.net} sats, default paid {slashed}"
