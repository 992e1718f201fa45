"""The vault's whole journey on a real Anvil, through the SDK only.

Story: the deployer deploys the plan (tokens, BTC/USD feed, vault) and mints test money; alice
buys 25 TH/s and bob 75 TH/s through `HashrateVaultClient.buy`; the chain is warped past epoch 0;
the operator refreshes the feed, reports and funds the epoch; a day later both claim exactly
their pro-rata share of the net, which matches the simulator's fee split."""

import pytest

from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import VAULT_DEVNET, deploy
from hashtrust.errors import InputError, RevertError
from hashtrust.hashrate.economics import FeeParams, fee_split
from hashtrust.hashrate.vault import (
    TH,
    HashrateVaultClient,
    PriceFeedClient,
    ths_to_shares,
)


def warp_to(w3, ts):
    w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    w3.provider.make_request("evm_mine", [])


@pytest.fixture
def setup(w3, deployer, alice, bob, tmp_path):
    op = TxSender(w3, LocalSigner.from_key(deployer.private_key))
    book = AddressBook.for_chain(w3, tmp_path)
    deploy(w3, op, book)
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    usd = w3.eth.contract(address=book.address("TestUSD"), abi=artifacts.abi("DevToken"))
    op.transact(wbtc.functions.mint(op.address, 10**10))
    for who in (alice, bob):
        op.transact(usd.functions.mint(who.address, 10**12))
    vault_op = HashrateVaultClient.from_book(w3, book, op)
    feed = PriceFeedClient.from_book(w3, book, op)
    users = {who: vault_op.with_sender(TxSender(w3, LocalSigner.from_key(who.private_key))) for who in (alice, bob)}
    return vault_op, feed, users, wbtc


def test_buy_report_fund_warp_claim(w3, setup, alice, bob):
    vault_op, feed, users, wbtc = setup
    ev = users[alice].buy(ths_to_shares(25))
    assert ev["shares"] == 25 * TH and ev["payment"] == 25 * 15_000_000
    users[bob].buy(ths_to_shares("75"))
    st = vault_op.status()
    assert st.total_supply == 100 * TH and st.capacity == VAULT_DEVNET["capacity_ths"] * TH and st.n_epochs == 365

    with pytest.raises(InputError):  # caught in Python, no gas spent
        users[bob].buy(st.capacity)

    warp_to(w3, vault_op.epoch_end(0) + 600)
    assert vault_op.reportable_epochs() == [0]
    with pytest.raises(RevertError, match="vault: oracle price stale"):
        vault_op.report(0, 100 * TH, 5_000, b"\x07" * 32, "ipfs://pool/epoch-0")
    feed.set_price(95_000)
    rep = vault_op.report(0, 98 * TH, 5_000, b"\x07" * 32, "ipfs://pool/epoch-0")
    fee, perf, net = fee_split(98 * TH, 5_000, FeeParams(*VAULT_DEVNET["params"]), 95_000 * 10**8)
    assert (rep["fee"], rep["perf"], rep["net"]) == (fee, perf, net) and net > 0
    funded = vault_op.fund(0)
    assert funded["net"] == net and vault_op.epoch(0).status == "funded"

    warp_to(w3, vault_op.status().period_finish + 1)
    a_owed, b_owed = vault_op.claimable(alice.address), vault_op.claimable(bob.address)
    assert a_owed == net // 4 or a_owed == net // 4 - 1
    assert b_owed in (net * 3 // 4, net * 3 // 4 - 1)
    assert users[alice].claim() == a_owed
    assert vault_op.with_sender(users[bob].sender).claim_for(bob.address) == b_owed
    assert wbtc.functions.balanceOf(alice.address).call() == a_owed
    assert vault_op.withdraw_fees() == fee + perf
