"""Primary sale: a buyer pays (rounded up) for TH/s shares up to the capacity, until the sale ends.

Story: the term is opened (trust set, carol's bond of `required_bond()` covers the whole
capacity); alice previews and buys 10 TH/s at $15; bob sets a slippage bound that is too tight;
mallory tries to buy past the capacity, after the sale, while paused, for nobody, or nothing.
(No trust / bond coverage refusals: tests/unit/vault/vault_contract/test_vc_trust_sale.py.)"""

import ape
import pytest
from vault_setup import CAPACITY_THS, DAY, PRICE_PER_TH, TH, deploy_vault


def test_preview_rounds_up(vault):
    assert vault.preview_buy(10 * TH) == 10 * PRICE_PER_TH
    assert vault.preview_buy(1) == 1  # 1 share unit still costs 1 payment unit (rounded up)
    assert vault.preview_buy(0) == 0
    assert vault.preview_buy(TH // 3) == (TH // 3 * PRICE_PER_TH + TH - 1) // TH


def test_alice_buys_with_event(vault, trust, usd, alice, bob):
    # the bond carol posted (required_bond) covers the whole capacity: the capacity is the limit
    assert trust.bond() == trust.required_bond() == 2_957_080  # sized on the gross (audit5 G6)
    assert trust.coverable_shares() >= CAPACITY_THS * TH
    assert vault.max_buy(bob) == CAPACITY_THS * TH
    before = usd.balanceOf(alice)
    tx = vault.buy(10 * TH, 150 * 10**6, bob, sender=alice)
    assert vault.balanceOf(bob) == 10 * TH and vault.totalSupply() == 10 * TH
    assert usd.balanceOf(alice) == before - 150 * 10**6
    assert vault.proceeds() == 150 * 10**6
    (ev,) = tx.decode_logs(vault.Bought)
    assert (ev.buyer, ev.receiver, ev.shares, ev.payment) == (alice, bob, 10 * TH, 150 * 10**6)
    (t,) = [e for e in tx.decode_logs(vault.Transfer) if e.contract_address == vault.address]
    assert (t.sender, t.receiver, t.value) == (ape.utils.ZERO_ADDRESS, bob, 10 * TH)
    assert vault.max_buy(bob) == (CAPACITY_THS - 10) * TH


def test_slippage_bound(vault, bob):
    with ape.reverts("vault: payment above max"):
        vault.buy(10 * TH, 150 * 10**6 - 1, bob, sender=bob)


def test_zero_shares_and_receiver(vault, mallory):
    with ape.reverts("vault: zero shares"):
        vault.buy(0, 10**9, mallory, sender=mallory)
    with ape.reverts("vault: zero receiver"):
        vault.buy(TH, 10**9, ape.utils.ZERO_ADDRESS, sender=mallory)
    assert vault.max_buy(ape.utils.ZERO_ADDRESS) == 0


def test_capacity(vault, alice, mallory):
    vault.buy(CAPACITY_THS * TH - 1, 2**256 - 1, alice, sender=alice)
    assert vault.max_buy(mallory) == 1
    with ape.reverts("vault: capacity exceeded"):
        vault.buy(2, 2**256 - 1, mallory, sender=mallory)
    vault.buy(1, 2**256 - 1, mallory, sender=mallory)
    assert vault.max_buy(mallory) == 0 and vault.totalSupply() == vault.CAPACITY()


def test_sale_end(vault, mallory, warp):
    warp(vault.SALE_END())
    assert vault.max_buy(mallory) == 0
    with ape.reverts("vault: sale ended"):
        vault.buy(TH, 2**256 - 1, mallory, sender=mallory)


def test_paused_sale(vault, guardian, mallory, deployer):
    vault.pause(sender=guardian)
    assert vault.max_buy(mallory) == 0
    with ape.reverts("vault: paused"):
        vault.buy(TH, 2**256 - 1, mallory, sender=mallory)
    vault.unpause(sender=deployer)
    assert vault.max_buy(mallory) == CAPACITY_THS * TH


def test_payment_without_allowance(vault, usd, deployer, accounts):
    poor = accounts[7]
    with ape.reverts("erc20: insufficient allowance"):
        vault.buy(TH, 2**256 - 1, poor, sender=poor)


def test_withdraw_proceeds_to_treasury(vault, usd, alice, mallory, treasury):
    vault.buy(2 * TH, 2**256 - 1, alice, sender=alice)
    tx = vault.withdraw_proceeds(sender=mallory)  # anyone may push the proceeds to the treasury
    assert usd.balanceOf(treasury) == 30 * 10**6 and vault.proceeds() == 0
    (ev,) = tx.decode_logs(vault.ProceedsWithdrawn)
    assert (ev.treasury, ev.amount) == (treasury, 30 * 10**6)
    tx = vault.withdraw_proceeds(sender=mallory)
    assert tx.decode_logs(vault.ProceedsWithdrawn)[0].amount == 0


def test_fee_on_transfer_payment_token_rejected(project, deployer, wbtc, feed, guardian, treasury, fee_recipient, chain, mallory, opener):
    fot = project.MockVaultToken.deploy(6, sender=deployer)
    fot.set_fee_bps(100, sender=deployer)
    v = deploy_vault(project, deployer, wbtc, fot, feed, guardian, treasury, fee_recipient, chain)
    opener(v, wbtc)
    fot.mint(mallory, 10**12, sender=deployer)
    fot.approve(v, 2**256 - 1, sender=mallory)
    with ape.reverts("vault: payment token fee-on-transfer"):
        v.buy(TH, 2**256 - 1, mallory, sender=mallory)


@pytest.mark.parametrize(
    "kw,reason",
    [
        (dict(capacity_ths=0), "vault: zero capacity or price"),
        (dict(price_per_th=0), "vault: zero capacity or price"),
        (dict(n_epochs=0), "vault: term shorter than an epoch"),
        (dict(sale_end=10**12), "vault: sale must end before the term"),
        (dict(max_price_age=0), "vault: zero price age"),
        (dict(params=(200_001, 0, 0, 0)), "vault: efficiency above cap"),
        (dict(params=(0, 500_001, 0, 0)), "vault: power price above cap"),
        (dict(params=(0, 0, 1_000_001, 0)), "vault: maintenance above cap"),
        (dict(params=(0, 0, 0, 5_001)), "vault: perf fee above cap"),
    ],
)
def test_constructor_rules(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, kw, reason):
    with ape.reverts(reason):
        deploy_vault(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, **kw)


def test_constructor_whole_epochs(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain):
    now = chain.pending_timestamp
    with ape.reverts("vault: term not whole epochs"):
        deploy_vault(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, term_start=now, term_end=now + DAY + 1)


def test_metadata(vault, trust, deployer, operator):
    assert vault.trust() == trust.address and trust.VAULT() == vault.address
    assert trust.operator_wallet() == operator  # the operator is the agent's live wallet, not a vault argument
    assert (vault.name(), vault.symbol(), vault.decimals()) == ("Hashrate TH/s", "HASH", 18)
    assert vault.owner() == deployer and vault.N_EPOCHS() == 10 and vault.EPOCH() == DAY
    assert vault.FEED_UNIT() == 10**8
