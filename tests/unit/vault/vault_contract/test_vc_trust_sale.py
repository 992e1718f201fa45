"""Opening the term: `set_trust` (once, admin, before the sale ends, for this vault), the sale
needs the trust and stays within its bond coverage, and the operator is the trust's live wallet."""

import boa
import pytest
from vc_env import DAY, TH, deploy, deploy_vault, fund, load, logs, publish_before_end, report, warp

OWNER_ONLY = "ownable: caller is not the owner"


def test_set_trust_emits_and_is_read_back():
    env = deploy(set_trust=False)
    v = env.vault
    assert v.trust() == "0x" + "00" * 20
    v.set_trust(env.trust.address)
    (ev,) = logs(v, "TrustSet")
    assert ev.trust == env.trust.address and v.trust() == env.trust.address


def test_set_trust_refusals():
    env = deploy(set_trust=False)
    v, t = env.vault, env.trust
    with boa.env.prank(env.holders[0]), boa.reverts(OWNER_ONLY):
        v.set_trust(t.address)
    with boa.reverts("vault: zero trust"):
        v.set_trust("0x" + "00" * 20)
    t.set_vault(env.holders[0])
    with boa.reverts("vault: trust of another vault"):
        v.set_trust(t.address)
    t.set_vault(v.address)
    v.set_trust(t.address)
    other = load("MockVaultTrust", v.address, env.wbtc.address, env.operator, 10**30)
    with boa.reverts("vault: trust already set"):
        v.set_trust(other.address)


def test_set_trust_after_the_sale_refused():
    env = deploy(set_trust=False)
    warp(env.vault.SALE_END())
    with boa.reverts("vault: sale ended"):
        env.vault.set_trust(env.trust.address)


def test_buy_needs_the_trust():
    env = deploy(set_trust=False)
    v, h = env.vault, env.holders[0]
    assert v.max_buy(h) == 0
    with boa.env.prank(h), boa.reverts("vault: term not opened"):
        v.buy(TH, 2**256 - 1, h)


def test_buy_limited_by_bond_coverage():
    env = deploy(holdings=(), coverable=150 * TH)
    v, (a, b, c) = env.vault, env.holders[:3]
    assert v.max_buy(a) == 150 * TH
    with boa.env.prank(a):
        v.buy(100 * TH, 2**256 - 1, a)
    assert v.max_buy(b) == 50 * TH
    with boa.env.prank(b), boa.reverts("vault: bond does not cover the sale"):
        v.buy(50 * TH + 1, 2**256 - 1, b)
    with boa.env.prank(b):
        v.buy(50 * TH, 2**256 - 1, b)
    assert v.max_buy(c) == 0 and v.totalSupply() == 150 * TH
    # coverage that shrinks below the supply: nothing more to buy, max_buy saturates at 0
    env.trust.set_coverable_shares(10 * TH)
    assert v.max_buy(c) == 0
    with boa.env.prank(c), boa.reverts("vault: bond does not cover the sale"):
        v.buy(1, 2**256 - 1, c)


def test_max_buy_is_the_smaller_of_capacity_and_coverage():
    env = deploy(holdings=(), coverable=10**9 * TH, capacity_ths=500)
    v, a = env.vault, env.holders[0]
    assert v.max_buy(a) == 500 * TH
    with boa.env.prank(a), boa.reverts("vault: capacity exceeded"):
        v.buy(500 * TH + 1, 2**256 - 1, a)


def test_constructor_refuses_admin_delay_below_an_epoch():
    with boa.reverts("vault: admin delay below an epoch"):
        deploy_vault(admin_delay=DAY - 1)
    deploy_vault(admin_delay=DAY)


def test_constructor_refuses_a_term_beyond_the_cursor_width():
    with boa.reverts("vault: term too long"):
        deploy_vault(n_epochs=2**32)


def test_operator_is_the_trusts_live_wallet():
    env = deploy()
    v = env.vault
    publish_before_end(env, 0)
    with boa.reverts("vault: caller is not the operator"):
        report(env, 0, 400, 1000, sender=env.holders[0])
    env.trust.set_operator_wallet("0x" + "00" * 20)
    with boa.reverts("vault: no operator wallet"):
        report(env, 0, 400, 1000)
    new = boa.env.generate_address("new-wallet")
    env.trust.set_operator_wallet(new)
    with boa.reverts("vault: caller is not the operator"):
        report(env, 0, 400, 1000)  # the old wallet no longer acts
    report(env, 0, 400, 0, sender=new)
    with boa.reverts("vault: caller is not the operator"):
        fund(env, 0)
    env.trust.set_operator_wallet("0x" + "00" * 20)
    with boa.env.prank(new), boa.reverts("vault: no operator wallet"):
        v.fund_epoch(0)
    env.trust.set_operator_wallet(new)
    with boa.env.prank(new):
        v.fund_epoch(0)
    assert v.epochs(0)[0] == 2  # FUNDED


def test_operator_calls_without_a_trust_revert():
    env = deploy(set_trust=False)
    warp(env.vault.epoch_end(0) + 60)
    with boa.env.prank(env.operator), boa.reverts("vault: term not opened"):
        env.vault.report_epoch(0, 0, 0, b"\x00" * 32, "", 1)
    with boa.env.prank(env.operator), boa.reverts("vault: term not opened"):
        env.vault.fund_epoch(0)
    with boa.reverts("vault: term not opened"):
        env.vault.settle_due(1)
    # no trust, no supply: a (zero) transfer has nothing to settle
    with boa.env.prank(env.holders[0]):
        assert env.vault.transfer(env.holders[1], 0)


def test_epochs_view_fills_the_term_supply():
    env = deploy()
    v = env.vault
    assert v.epochs(0)[8] == 0 and v.term_supply() == 400 * TH
    publish_before_end(env, 0)
    report(env, 0, 400, 1000)
    assert v.epochs(0)[8] == 400 * TH and v.epochs(0)[1] == 400 * TH
