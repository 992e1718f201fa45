"""K1: `VaultTrust._overdue` scans only OVERDUE_SCAN = 64 epochs from the vault's settle cursor
(the attest cursor), but the unfunded cursor can run 64+ epochs ahead of it: every epoch that
ends during a pause shares one unpaused end, so a chain of pauses (the guardian's 8 x 7 days)
plus a report grace of 9 days puts epoch a+64 past its report deadline while epoch a still waits
for its attest deadline. `post_bond` then accepts a top-up while epoch 64 is overdue, so what its
settlement pays depends on who moves first (the property post_bond's overdue guard promises).

Figures: 100 TH/s, grace 9 d, bond_epochs 19, bond 80,356 sats (19 x 4,224 + 100: covers the sale),
epochs 0..63 unreported and settled (the bond runs out), epoch 64 unreported and overdue:
a supporter's post_bond(3,802) was accepted and epoch 64 then paid 3,802 instead of 0.

Fixed: the trust asks the vault's own O(1) question (a cursor past its record time), so the
top-up is refused ("trust: epochs overdue, call settle_due") and epoch 64 pays 0."""

import boa
import pytest
from boa_vault import settle_all
from scenario import trust_vault, warp

DAY = 86_400
NU = 3_802


def test_k1_post_bond_refused_while_epoch_64_is_overdue():
    env, t = trust_vault(holdings=(100,), n_epochs=80, grace=9 * DAY, bond_epochs=19, bond=19 * 4_224 + 100)
    v, tr = env.vault, t.trust
    warp(v.epoch_end(0) + 1)
    for _ in range(8):  # the guardian's whole budget, chained
        with boa.env.prank(env.guardian):
            v.pause()
        warp(boa.env.timestamp + 7 * DAY)
    warp(v.report_deadline(64) - 5)
    settle_all(env, sender=env.holders[-1])
    u, a = v.cursors()
    assert (u, a) == (64, 0), (u, a)  # 0..63 settled by the unfunded cursor, the attest cursor waits
    warp(v.report_deadline(64) + 1)
    assert boa.env.timestamp < v.attest_deadline(0)
    assert not tr.record(64).settled and boa.env.timestamp > v.record_time(64)  # overdue
    supporter = env.holders[2]
    env.wbtc.mint(supporter, NU)
    with boa.env.prank(supporter):
        env.wbtc.approve(tr.address, 2**256 - 1)
        refused = False
        try:
            tr.post_bond(NU)
        except boa.BoaError as exc:
            refused = "epochs overdue" in str(exc)
    with boa.env.prank(env.holders[-1]):
        v.settle_due(64)
    rec = tr.record(64)
    assert rec.settled
    # fair: the top-up is refused while epoch 64 is overdue (its settlement cannot depend on it)
    assert refused and rec.paid == 0, f"post_bond accepted while epoch 64 was overdue; it paid {rec.paid}"
