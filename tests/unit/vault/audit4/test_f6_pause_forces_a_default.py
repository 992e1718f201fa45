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

Fixed by the trust split (docs/design/vault-trust-split.md §4): deadlines run in unpaused time (`report_deadline`/`attest_deadline` pushed by every paused second after the end); `settle_due` is never paused but nothing is due while paused.
"""

import boa
from scenario import PRICE, REPORT_HASH, TH, attest, fund, report_epoch, settle_until, trust_vault, warp


def test_f6_operator_blocked_by_pause_is_slashed():
    env, t = trust_vault(holdings=(100,), n_epochs=1)  # one epoch: the bond moves only for it
    v, tr, mallory = env.vault, t.trust, env.holders[2]
    bond = tr.bond()
    warp(v.epoch_end(0) - 60)
    env.feed.set_price(PRICE)
    warp(v.epoch_end(0) + 60)
    d0 = v.report_deadline(0)
    with boa.env.prank(env.guardian):
        v.pause()
    paused_at = boa.env.timestamp
    with boa.reverts("vault: paused"):
        report_epoch(env, 0, 100 * TH, 100_000, REPORT_HASH, "ipfs://pool")
    warp(d0 + 1)
    with boa.env.prank(mallory):
        assert v.settle_due(16) == 0  # nothing is due while paused
    v.unpause()  # admin
    assert v.report_deadline(0) == d0 + (boa.env.timestamp - paused_at)
    report_epoch(env, 0, 100 * TH, 100_000, REPORT_HASH, "ipfs://pool")
    fund(env, 0)
    attest(env, t, 0)
    tr.finalize_epoch(0)
    settle_until(env, 0, by=mallory)
    slashed = bond - tr.bond()
    # an operator blocked by a pause should not lose its bond for it
    assert slashed == 0, f"{slashed} sats slashed from an operator the pause kept from reporting"
    assert tr.record(0).settled and tr.record(0).paid == 0
