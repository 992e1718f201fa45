"""L1: `post_bond`'s "term over" guard is `settle_cursor() < N_EPOCHS`, the *lower* cursor (the
attest cursor). After the last report deadline every epoch of the term may already be settled
(the unfunded cursor settled the unfunded ones and is at N_EPOCHS) while the attest cursor still
waits, up to one more grace, at an epoch it only has to skip. In that window the trust accepts a
supporter's top-up that covers no epoch: no settlement is left to pay it, so it only goes to the
operator (`withdraw_bond`). docs/vault.md and the docstring: "once every epoch is settled,
'trust: term over': it would cover nothing". The SDK agrees with the contract: `settle-due` says
"nothing due: all 10 epochs of the term are settled" and `bond post` still sends the top-up.

Figures: 10 epochs, 100 TH/s, grace 3 d, bond 30,000 sats (covers the sale: 7 bond epochs x 4,224); no epoch reported (each owes Nu = 3,802;
epochs 0..6 paid 3,802 each, epoch 7 the last 3,386, epochs 8, 9 nothing). One second after
D(9) every epoch is settled, cursors (10, 7); a supporter posts 3,802 sats: accepted; nothing
ever pays it out to the holders; the operator withdraws exactly those 3,802 after A(9)."""

import boa
import pytest
from scenario import trust_vault, warp

NU = 3_802


def _settle(env):
    with boa.env.prank(env.holders[-1]):
        env.vault.settle_due(64)


def test_l1_top_up_after_the_last_settlement_is_refused():
    env, t = trust_vault(holdings=(100,), n_epochs=10, bond=30_000)
    v, tr, op = env.vault, t.trust, env.operator
    warp(v.report_deadline(9) + 1)
    _settle(env)
    u, a = v.cursors()
    assert (u, a) == (10, 7), (u, a)  # the attest cursor waits for A(a) with only skips left
    assert all(tr.record(e).settled for e in range(10))  # every epoch of the term is settled
    assert boa.env.timestamp < v.attest_deadline(a)
    paid_before = [tr.record(e).paid for e in range(10)]
    assert paid_before[:8] == [NU] * 7 + [30_000 - 7 * NU] and sum(paid_before) == 30_000
    supporter = env.holders[2]
    env.wbtc.mint(supporter, NU)
    accepted = True
    with boa.env.prank(supporter):
        env.wbtc.approve(tr.address, 2**256 - 1)
        try:
            tr.post_bond(NU)
        except boa.BoaError as exc:
            assert "term over" in str(exc)
            accepted = False
    if accepted:
        # the top-up covers nothing: no settlement is left; the operator takes it back
        assert tr.bond() == NU
        warp(v.attest_deadline(9) + 1)
        _settle(env)
        assert v.settle_cursor() == 10
        assert [tr.record(e).paid for e in range(10)] == paid_before
        before = env.wbtc.balanceOf(op)
        with boa.env.prank(op):
            tr.withdraw_bond()
        assert env.wbtc.balanceOf(op) - before == NU
    # safe: every epoch was settled, so a post is refused ("trust: term over")
    assert not accepted, "post_bond accepted 3,802 sats after every epoch was settled: it covers nothing and went to the operator"
