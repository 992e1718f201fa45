"""The vault's whole journey on a real Anvil, through the SDK only (the split vault: the term
opens with its trust contract, epochs are priced at the round in force at their end, and every
epoch settles at its record time).

Story: the deployer deploys the plan (tokens, BTC/USD feed, vault) and mints test money; nobody
can buy before the term is opened; carol registers the operator agent and three pool watchers
register theirs; the deployer opens the term (`deploy_trust`: the trust with every term, the
required bond posted by carol, `set_trust`), a rerun of it sends nothing; alice buys 25 TH/s and
bob 75 TH/s; the feed publishes before epoch 0 ends, carol reports (the SDK finds the round in
force at the end) and funds; a round published after the end is refused; epoch 1 is priced by a
round older than the feed's maximum age: accepted, no electricity or hosting charged; a day
later both holders claim exactly their pro-rata share of the net, which matches the simulator's
fee split; an epoch cannot be settled before its record time."""

import pytest
from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.demo.vault import open_devnet_term
from hashtrust.deploy import VAULT_DEVNET
from hashtrust.errors import InputError, RevertError
from hashtrust.hashrate.economics import FeeParams, fee_split
from hashtrust.hashrate.vault import (
    TH,
    PriceFeedClient,
    deploy_trust,
    expected_epoch_gross,
    required_bond_for,
    ths_to_shares,
)
from vault_world import sender, vault_world, warp_to


@pytest.fixture
def setup(w3, deployer, alice, bob, carol, accounts, tmp_path):
    vw = vault_world(w3, deployer, carol, accounts, tmp_path)
    book, admin, op, agent_id, validators, vault_admin, wbtc = vw.book, vw.admin, vw.op, vw.agent_id, vw.validators, vw.vault_admin, vw.wbtc
    usd = w3.eth.contract(address=book.address("TestUSD"), abi=artifacts.abi("DevToken"))
    for who in (alice, bob):
        admin.transact(usd.functions.mint(who.address, 10**12))
    users = {who: vault_admin.with_sender(sender(w3, who)) for who in (alice, bob)}
    return {"book": book, "admin": admin, "op": op, "agent_id": agent_id, "validators": [v.address for v in validators],
            "vault_admin": vault_admin, "vault_op": vault_admin.with_sender(op), "feed": PriceFeedClient.from_book(w3, book, admin),
            "users": users, "wbtc": wbtc}


def test_buy_report_fund_warp_claim(w3, setup, alice, bob):
    s = setup
    vault_admin, vault_op, feed, users, wbtc = s["vault_admin"], s["vault_op"], s["feed"], s["users"], s["wbtc"]
    with pytest.raises(InputError, match="term is not opened"):  # no trust, no sale (caught in Python, no gas)
        users[alice].buy(ths_to_shares(25))

    trust = open_devnet_term(vault_admin, s["book"], agent_id=s["agent_id"], validators=s["validators"], operator=s["op"], operator_sats=10**9)
    assert vault_admin.trust() == trust.address and trust.vault().address == vault_admin.address
    terms = trust.terms()
    assert (terms["agent_id"], terms["validators"], terms["quorum"], terms["min_score"], terms["bond_epochs"]) == (
        s["agent_id"], s["validators"], 2, 98, 7)
    # 7 epochs x G(10,000 TH/s) = 7 x 422,440 = 2,957,080 sats for the whole capacity at the binding
    # value 42,244 msat/TH/s/day (the devnet index has no final day yet; the gross: no fee change can
    # uncover it, audit5 G6); the trust takes the rate at 1e6 TH/s and rounds up
    required = trust.required_bond()
    assert required == required_bond_for(10_000 * TH, VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"], 7) == 2_957_080
    assert trust.bond() == required and trust.coverage_bps() == 10_000  # nothing sold yet: fully covered
    assert trust.operator_wallet() == Web3.to_checksum_address(s["op"].address)
    again = deploy_trust(vault_admin, s["book"], agent_id=s["agent_id"], validators=s["validators"], bond_from=s["op"],
                         **{k: VAULT_DEVNET[k] for k in ("quorum", "min_score", "difficulty", "sats_per_block", "bond_epochs")})
    assert again == {"trust": trust.address, "deployed": False, "bond_posted": 0, "set_trust": False, "required_bond": required, "bond": required}

    ev = users[alice].buy(ths_to_shares(25))
    assert ev["shares"] == 25 * TH and ev["payment"] == 25 * 15_000_000
    users[bob].buy(ths_to_shares("75"))
    st = vault_admin.status()
    assert st.total_supply == 100 * TH and st.capacity == VAULT_DEVNET["capacity_ths"] * TH and st.n_epochs == 365
    assert st.trust == trust.address and st.bond == required and st.settle_cursor == 0 and st.pauses == ()
    g100 = expected_epoch_gross(100 * TH, VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"])
    assert st.coverage_bps == required * 10_000 // (7 * g100) > 10_000  # a bond for 10,000 TH/s, 100 sold (at risk: the gross, G6)
    with pytest.raises(InputError):  # caught in Python, no gas spent
        users[bob].buy(st.capacity)

    end0 = vault_admin.epoch_end(0)
    warp_to(w3, end0 - 600)
    feed.set_price(95_000)  # in force at epoch 0's end
    with pytest.raises(InputError, match="has not ended yet"):
        vault_op.report(0, 98 * TH, 5_000, b"\x07" * 32, "ipfs://pool/epoch-0")
    warp_to(w3, end0 + 600)
    feed.set_price(120_000)  # after the end: cannot price epoch 0
    assert vault_admin.reportable_epochs() == [0]
    late = feed.latest_round().round_id
    assert vault_op.price_round(0).round_id == late - 1
    with pytest.raises(RevertError, match="vault: not the round at the epoch end"):
        vault_op.report(0, 98 * TH, 5_000, b"\x07" * 32, "ipfs://pool/epoch-0", round_id=late)
    with pytest.raises(RevertError, match="vault: not the round at the epoch end"):
        vault_op.report(0, 98 * TH, 5_000, b"\x07" * 32, "ipfs://pool/epoch-0", round_id=late - 2)  # the deployment's round, superseded before the end
    rep = vault_op.report(0, 98 * TH, 5_000, b"\x07" * 32, "ipfs://pool/epoch-0")
    fee, perf, net = fee_split(98 * TH, 5_000, FeeParams(*VAULT_DEVNET["params"]), 95_000 * 10**8)
    assert (rep["fee"], rep["perf"], rep["net"], rep["btc_usd"], rep["round_id"], rep["price_stale"]) == (fee, perf, net, 95_000 * 10**8, late - 1, False) and fee > 0 and net > 0
    funded = vault_op.fund(0)
    assert funded["net"] == net and vault_op.epoch(0).status == "funded"

    # epoch 2 (epoch 1 is left unreported): the round in force at its end is the 120k one, published
    # almost two days before (over the feed's one-day maximum age): accepted as stale, no
    # electricity/hosting fee, the performance fee only
    warp_to(w3, vault_admin.epoch_end(2) + 600)
    rep2 = vault_op.report(2, 100 * TH, 6_000, b"\x08" * 32, "ipfs://pool/epoch-2")
    assert (rep2["btc_usd"], rep2["price_stale"], rep2["round_id"], rep2["fee"], rep2["perf"], rep2["net"]) == (0, True, late, 0, 600, 5_400)
    vault_op.fund(2)

    with pytest.raises(InputError, match="settled at its record time"):
        vault_admin.declare_default(0)

    warp_to(w3, vault_op.status().period_finish + 1)
    total = net + 5_400
    a_owed, b_owed = vault_op.claimable(alice.address), vault_op.claimable(bob.address)
    assert total // 4 - 2 <= a_owed <= total // 4
    assert total * 3 // 4 - 2 <= b_owed <= total * 3 // 4
    assert users[alice].claim() == a_owed
    assert vault_op.with_sender(users[bob].sender).claim_for(bob.address) == b_owed
    assert wbtc.functions.balanceOf(alice.address).call() == a_owed
    assert vault_admin.withdraw_fees() == fee + perf + 600


def test_deploy_trust_refuses_bad_terms_before_sending(w3, setup, accounts):
    """Every term the trust's constructor would refuse is refused in Python, and nothing is sent."""
    s = setup
    vault_admin, book = s["vault_admin"], s["book"]
    base = dict(agent_id=s["agent_id"], validators=s["validators"], bond_from=s["op"],
                **{k: VAULT_DEVNET[k] for k in ("quorum", "min_score", "difficulty", "sats_per_block", "bond_epochs")})
    nonce = w3.eth.get_transaction_count(s["admin"].address)
    cases = [
        (dict(min_score=97), "min_score"),
        (dict(quorum=4), "quorum"),
        (dict(quorum=0), "quorum"),
        (dict(bond_epochs=6), "bond_epochs"),
        (dict(difficulty=0), "difficulty"),
        (dict(validators=s["validators"][:2] + [s["validators"][0]]), "validators"),
        (dict(validators=s["validators"][:2] + [s["op"].address]), "validators"),  # the agent's wallet
        (dict(validators=s["validators"][:2] + [s["admin"].address]), "validators"),  # the vault's admin
        (dict(agent_id=999), "agent_id"),
    ]
    for change, field in cases:
        with pytest.raises(InputError) as exc:
            deploy_trust(vault_admin, book, **(base | change))
        assert exc.value.field == field, (change, exc.value)
    poor = sender(w3, accounts[5])  # holds no TestWBTC: the bond cannot be posted
    with pytest.raises(InputError, match="the bond needs"):
        deploy_trust(vault_admin, book, **(base | {"bond_from": poor}))
    with pytest.raises(InputError, match="only the vault's admin"):
        deploy_trust(vault_admin.with_sender(s["op"]), book, **base)
    assert w3.eth.get_transaction_count(s["admin"].address) == nonce and vault_admin.trust() is None and "VaultTrust" not in book


def test_a_feed_phase_change_after_the_end_leaves_the_epoch_reportable(w3, setup, alice):
    """The feed's owner switches aggregators (a new phase) after epoch 0 ended: the round in force
    at the end is the old phase's last one, and the SDK reports with it; epoch 1 is priced in the
    new phase."""
    s = setup
    vault_admin, vault_op, feed, users = s["vault_admin"], s["vault_op"], s["feed"], s["users"]
    open_devnet_term(vault_admin, s["book"], agent_id=s["agent_id"], validators=s["validators"], operator=s["op"], operator_sats=10**9)
    users[alice].buy(ths_to_shares(10))
    end0 = vault_admin.epoch_end(0)
    warp_to(w3, end0 - 600)
    feed.set_price(95_000)
    in_force = feed.latest_round().round_id
    warp_to(w3, end0 + 600)
    receipt = feed._send("new_phase")
    assert feed.events(receipt, "PhaseStarted")[0]["phase"] == 1
    feed.set_price(97_000)
    assert feed.latest_round().round_id == (1 << 64) | 1
    with pytest.raises(RevertError, match="vault: not the round at the epoch end"):  # the new phase's round came after the end
        vault_op.report(0, 10 * TH, 1_000, b"\x09" * 32, "ipfs://pool/epoch-0", round_id=(1 << 64) | 1)
    assert vault_op.price_round(0).round_id == in_force
    rep = vault_op.report(0, 10 * TH, 1_000, b"\x09" * 32, "ipfs://pool/epoch-0")
    assert (rep["round_id"], rep["btc_usd"], rep["price_stale"]) == (in_force, 95_000 * 10**8, False)
    warp_to(w3, vault_admin.epoch_end(1) + 600)
    rep1 = vault_op.report(1, 10 * TH, 1_000, b"\x0a" * 32, "ipfs://pool/epoch-1")
    assert (rep1["round_id"], rep1["btc_usd"]) == ((1 << 64) | 1, 97_000 * 10**8)
