"""F6 (medium): pausing turns into a slash of the operator's bond.

Pause stops `report_epoch` and `fund_epoch` but not the deadlines, and `declare_default` is
never paused. The guardian (or admin) pauses from the end of epoch 0 to just past its
deadline (3 days): the operator's report reverts (paused), after the
unpause it reverts "vault: epoch deadline passed", and anyone defaults the epoch: 3,802 sats
of the operator's bond go to holders for an epoch the operator tried to report in time
(the reverse abuse: a guardian pausing during a funded epoch's grace forces defaults for
epochs the operator had delivered). Pause is "stop the world", yet it moves value.

Suggested fix: extend every deadline by the time spent paused (track `paused_since` and a
cumulative `paused_total`, and add it to `epoch_deadline`/attest deadline), or let
`declare_default` revert while paused and for a grace after unpausing.
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from scenario import REPORT_HASH, TH, trust_vault, warp


def test_f6_operator_blocked_by_pause_is_slashed():
    env, _ = trust_vault(holdings=(100,))
    v, mallory = env.vault, env.holders[2]
    bond = v.bond()
    warp(v.epoch_end(0) + 60)
    with boa.env.prank(env.guardian):
        v.pause()
    env.feed.set_price(100_000 * 10**8)
    with boa.env.prank(env.operator), boa.reverts("pausable: contract is paused"):
        v.report_epoch(0, 100 * TH, 100_000, REPORT_HASH, "ipfs://pool")
    warp(v.epoch_deadline(0) + 1)
    v.unpause()  # admin
    with boa.env.prank(mallory):
        slashed = v.declare_default(0)
    assert slashed == 3_802 and v.bond() == bond - 3_802
    # an operator blocked by a pause should not lose its bond for it
    assert slashed == 0, f"{slashed} sats slashed from an operator the pause kept from reporting"
