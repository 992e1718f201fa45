"""The operator's bond on the trust (docs/design/vault-trust-split.md §4 F9, §7): sized by
`required_bond()`, posted by anyone (`BondPosted`), refused while an epoch is overdue, limiting the
sale through `coverable_shares()`, released to the live operator wallet only after the term once
every epoch is settled (`BondReleased`)."""

import boa
from boa_vault import deploy
from scenario import TH, events, settle_until, trust_vault, warp

# G6 (audit5, c164b01): sized on the hashprice gross (perf 0): 7 x G(1e6 TH/s) x 10,000 / 1e6, at the
# binding value 42,244 msat/TH/s/day (issue 16: the index's unit; 2,957,136 from the unrounded inputs)
REQUIRED_CAPACITY = 2_957_080


def test_required_bond_and_coverage():
    env = deploy(bond=0)
    tr = env.trust
    assert tr.required_bond() == REQUIRED_CAPACITY
    assert tr.coverable_shares() == 0 and env.vault.max_buy(env.holders[0]) == 0
    with boa.env.prank(env.operator):
        tr.post_bond(REQUIRED_CAPACITY)
    (p,) = events(tr, "BondPosted")
    assert (p.sender, p.amount, p.bond) == (env.operator, REQUIRED_CAPACITY, REQUIRED_CAPACITY)
    assert tr.coverable_shares() >= 10_000 * TH
    h = env.holders[0]
    with boa.env.prank(h):
        env.vault.buy(150 * TH, 2**255, h)
    assert tr.coverage_bps() == REQUIRED_CAPACITY * 10_000 // (7 * 6_336) == 666_729  # 150 TH/s: gross 6,336


def test_post_bond_by_anyone_and_refusals():
    env, t = trust_vault(holdings=(100,))
    tr, mallory = t.trust, env.holders[2]
    env.wbtc.mint(mallory, 10**6)
    with boa.env.prank(mallory):
        env.wbtc.approve(tr.address, 2**256 - 1)
        with boa.reverts("trust: zero bond"):
            tr.post_bond(0)
        before = tr.bond()
        tr.post_bond(1_234)
    (p,) = events(tr, "BondPosted")
    assert (p.sender, p.amount, p.bond) == (mallory, 1_234, before + 1_234) and tr.bond() == before + 1_234
    warp(env.vault.record_time(0) + 1)  # epoch 0 overdue, not settled
    with boa.env.prank(mallory), boa.reverts("trust: epochs overdue, call settle_due"):
        tr.post_bond(1)
    env.vault.settle_due(1)
    with boa.env.prank(mallory):
        tr.post_bond(1)


def test_withdraw_bond_after_the_term_once_settled():
    env = deploy(n_epochs=3, bond=None)
    v, tr, op = env.vault, env.trust, env.operator
    h = env.holders[0]
    with boa.env.prank(h):
        v.buy(100 * TH, 2**255, h)
    with boa.env.prank(h), boa.reverts("trust: caller is not the operator"):
        tr.withdraw_bond()
    with boa.env.prank(op), boa.reverts("trust: term not over"):
        tr.withdraw_bond()
    warp(v.TERM_END())
    with boa.env.prank(op), boa.reverts("trust: epochs not settled"):
        tr.withdraw_bond()
    settle_until(env, 2)
    assert v.settle_cursor() == 0  # min of the two cursors: the attest cursor waits for A(0)
    with boa.env.prank(op), boa.reverts("trust: epochs not settled"):
        tr.withdraw_bond()
    warp(v.attest_deadline(2) + 1)
    assert v.settle_due(8) == 0  # nothing left to settle, the attest cursor only moves
    assert v.settle_cursor() == 3
    left = tr.bond()
    assert left == tr.required_bond() - 3 * 3_802
    before = env.wbtc.balanceOf(op)
    with boa.env.prank(op):
        assert tr.withdraw_bond() == left
    (r,) = events(tr, "BondReleased")
    assert (r.receiver, r.amount) == (op, left)
    assert env.wbtc.balanceOf(op) == before + left and tr.bond() == 0
    with boa.env.prank(op), boa.reverts("trust: no bond"):
        tr.withdraw_bond()
