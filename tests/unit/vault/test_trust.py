"""The vault trusts no one: the operator is an ERC-8004 agent, epochs are attested by k-of-n
listed validators, finalisation posts reputation, and a bond pays holders when an epoch defaults.

Cast: ``carol`` registers the operator agent (its wallet is carol); ``val1..val3`` are
independent validators; ``alice``/``bob`` hold shares; ``mallory`` tries everything she should not.
"""

import ape
import pytest
from vault_setup import BTC_USD, DAY, PARAMS, TH, deploy_vault
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from hashtrust.erc8004.identity import wallet_typed_data
from hashtrust.hashrate.economics import FeeParams, fee_split

DIFFICULTY = 150 * 10**12
SATS_PER_BLOCK = 315_000_000  # 3.125 BTC subsidy + 0.025 BTC fees
REPORT = b"\x42" * 32
ZERO = "0x" + "00" * 20


@pytest.fixture(scope="module")
def validators(accounts):
    # accounts 7 and 8 are free; 6 (the treasury) has no tie to the operator agent either
    return [accounts[7], accounts[8], accounts[6]]


@pytest.fixture(scope="module")
def registries(project, deployer):
    ident = project.IdentityRegistry.deploy(sender=deployer)
    val = project.ValidationRegistry.deploy(ident, sender=deployer)
    rep = project.ReputationRegistry.deploy(ident, sender=deployer)
    return ident, val, rep


@pytest.fixture(scope="module")
def agent_id(registries, operator):
    ident = registries[0]
    receipt = ident.register("ipfs://operator", sender=operator)
    return receipt.events.filter(ident.Registered)[0].agentId


@pytest.fixture(scope="module")
def tvault(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, bob, registries, agent_id, validators):
    ident, val, rep = registries
    v = deploy_vault(project, deployer, wbtc, usd, feed, deployer, guardian, treasury, fee_recipient, chain)
    v.bind_agent(ident, val, rep, agent_id, 2, 80, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)
    for x in validators:
        v.add_validator(x, sender=deployer)
    wbtc.mint(operator, 10**12, sender=deployer)
    wbtc.approve(v, 2**256 - 1, sender=operator)
    for who in (alice, bob):
        usd.mint(who, 10**13, sender=deployer)
        usd.approve(v, 2**256 - 1, sender=who)
    v.buy(600 * TH, 2**255, alice, sender=alice)
    v.buy(400 * TH, 2**255, bob, sender=bob)
    return v


def attest_deadline(v, e):
    return v.epoch_deadline(e) + v.REPORT_GRACE()


def warp(chain, ts):
    chain.mine(1, timestamp=ts)


def report(chain, v, feed, deployer, operator, e, delivered=900 * TH, gross=40_000, fund=True):
    warp(chain, v.epoch_end(e) + 60)
    feed.set_price(BTC_USD, sender=deployer)
    v.report_epoch(e, delivered, gross, REPORT, f"ipfs://pool/{e}", sender=operator)
    if fund:
        v.fund_epoch(e, sender=operator)


def attest(v, val, agent_id, operator, validators, e, scores=(100, 100, 100), finalize=True):
    for x, score in zip(validators, scores):
        h = v.request_hash(e, x)
        val.validationRequest(x, agent_id, f"vault://{e}", h, sender=operator)
        if score is not None:
            val.validationResponseFor(agent_id, h, score, "", b"\x00" * 32, "hashrate", finalize, sender=x)


# ------------------------------------------------------------------ binding / operator


def test_binding_is_once_admin_only_and_before_the_term(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, registries, agent_id, mallory):
    ident, val, rep = registries
    v = deploy_vault(project, deployer, wbtc, usd, feed, deployer, guardian, treasury, fee_recipient, chain)
    with ape.reverts("ownable: caller is not the owner"):
        v.bind_agent(ident, val, rep, agent_id, 2, 80, DIFFICULTY, SATS_PER_BLOCK, sender=mallory)
    with ape.reverts("vault: bad quorum"):
        v.bind_agent(ident, val, rep, agent_id, 0, 80, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)
    with ape.reverts("vault: bad min score"):
        v.bind_agent(ident, val, rep, agent_id, 2, 101, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)
    with ape.reverts("vault: zero difficulty"):
        v.bind_agent(ident, val, rep, agent_id, 2, 80, 0, SATS_PER_BLOCK, sender=deployer)
    with ape.reverts("vault: agent has no wallet"):
        v.bind_agent(ident, val, rep, 999, 2, 80, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)
    with ape.reverts("vault: agent not bound"):
        v.add_validator(mallory, sender=deployer)
    tx = v.bind_agent(ident, val, rep, agent_id, 2, 80, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)
    ev = tx.events.filter(v.AgentBound)[0]
    assert (ev.agent_id, ev.quorum, ev.min_score, ev.difficulty) == (agent_id, 2, 80, DIFFICULTY)
    assert v.agent_bound() and v.operator() == "0x" + "00" * 20
    with ape.reverts("vault: agent already bound"):
        v.bind_agent(ident, val, rep, agent_id, 2, 80, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)
    with ape.reverts("vault: agent bound"):
        v.set_operator(mallory, sender=deployer)


def test_binding_after_epoch0_end_is_refused(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain, registries, agent_id):
    ident, val, rep = registries
    v = deploy_vault(project, deployer, wbtc, usd, feed, deployer, guardian, treasury, fee_recipient, chain)
    warp(chain, v.epoch_end(0))
    with ape.reverts("vault: term running"):
        v.bind_agent(ident, val, rep, agent_id, 2, 80, DIFFICULTY, SATS_PER_BLOCK, sender=deployer)


def test_only_the_agents_live_wallet_reports_and_a_transfer_removes_it(tvault, feed, deployer, operator, mallory, chain, registries, agent_id, wbtc):
    ident = registries[0]
    warp(chain, tvault.epoch_end(0) + 60)
    feed.set_price(BTC_USD, sender=deployer)
    with ape.reverts("vault: caller is not the operator"):
        tvault.report_epoch(0, 900 * TH, 40_000, REPORT, "", sender=mallory)
    with ape.reverts("vault: caller is not the operator"):
        tvault.report_epoch(0, 900 * TH, 40_000, REPORT, "", sender=deployer)  # the admin is not the operator
    tvault.report_epoch(0, 900 * TH, 40_000, REPORT, "", sender=operator)
    # carol sells the agent to mallory mid-term: the wallet is cleared, carol is out at once
    ident.transferFrom(operator, mallory, agent_id, sender=operator)
    assert ident.getAgentWallet(agent_id) == "0x" + "00" * 20
    with ape.reverts("vault: caller is not the operator"):
        tvault.fund_epoch(0, sender=operator)
    with ape.reverts("vault: caller is not the operator"):
        tvault.fund_epoch(0, sender=mallory)  # the new owner too, until it sets a wallet


@pytest.fixture(scope="module")
def dana(accounts, deployer):
    """Buys carol's operator agent mid-term."""
    a = accounts.generate_test_account()
    deployer.transfer(a, 10**18)
    return a


@pytest.fixture(scope="module")
def dana_wallet(accounts, deployer):
    """The operating wallet dana gives the agent (a separate hot key)."""
    a = accounts.generate_test_account()
    deployer.transfer(a, 10**18)
    return a


def wallet_signature(ident, chain, agent_id, wallet, owner, deadline):
    """`wallet` signs the EIP-712 `AgentWalletSet` approval for `owner`'s agent."""
    typed = wallet_typed_data(chain.chain_id, ident.address, agent_id, wallet.address, owner.address, deadline)
    return bytes(Account.from_key(wallet.private_key).sign_message(encode_typed_data(full_message=typed)).signature)


def test_the_agent_is_sold_mid_term_the_old_wallet_is_out_at_once_and_the_new_owners_wallet_runs_the_vault(
    tvault, feed, deployer, operator, chain, registries, agent_id, validators, mallory, wbtc, dana, dana_wallet
):
    ident, val, rep = registries
    tvault.post_bond(1_000_000, sender=operator)
    # carol runs epoch 0 (reported, funded, attested) and reports epoch 1
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0)
    report(chain, tvault, feed, deployer, operator, 1, fund=False)

    # carol sells the agent NFT to dana: the registry clears the wallet in the same transaction
    tx = ident.transferFrom(operator, dana, agent_id, sender=operator)
    (moved,) = tx.events.filter(ident.Transfer)
    assert (moved.sender, moved.receiver, moved.token_id) == (operator, dana, agent_id)
    (cleared,) = tx.events.filter(ident.MetadataSet)
    assert (cleared.agentId, cleared.metadataKey, bytes(cleared.metadataValue)) == (agent_id, "agentWallet", b"")
    assert ident.ownerOf(agent_id) == dana and ident.getAgentWallet(agent_id) == ZERO

    # carol is refused at once, for every operator call; so is dana until she sets a wallet
    with ape.reverts("vault: caller is not the operator"):
        tvault.fund_epoch(1, sender=operator)
    warp(chain, tvault.epoch_end(2) + 60)
    feed.set_price(BTC_USD, sender=deployer)
    for who in (operator, dana):
        with ape.reverts("vault: caller is not the operator"):
            tvault.report_epoch(2, 900 * TH, 40_000, REPORT, "", sender=who)
        with ape.reverts("vault: caller is not the operator"):
            tvault.fund_epoch(1, sender=who)
    # carol cannot set a wallet for the agent she sold, not even with a valid signature of her own
    deadline = chain.pending_timestamp + 120
    with ape.reverts("identity: not authorized"):
        ident.setAgentWallet(agent_id, operator, deadline, wallet_signature(ident, chain, agent_id, operator, operator, deadline), sender=operator)
    # dana proves control of her new wallet by its EIP-712 signature and sets it
    sig = wallet_signature(ident, chain, agent_id, dana_wallet, dana, deadline)
    tx = ident.setAgentWallet(agent_id, dana_wallet, deadline, sig, sender=dana)
    (ws,) = tx.events.filter(ident.MetadataSet)
    assert (ws.agentId, ws.metadataKey, bytes(ws.metadataValue)) == (agent_id, "agentWallet", bytes.fromhex(dana_wallet.address[2:]))
    assert ident.getAgentWallet(agent_id) == dana_wallet
    with ape.reverts("vault: caller is not the operator"):
        tvault.fund_epoch(1, sender=operator)  # carol stays out

    # the new wallet funds carol's epoch 1 report and reports and funds epoch 2
    wbtc.mint(dana_wallet, 10**9, sender=deployer)
    wbtc.approve(tvault, 2**256 - 1, sender=dana_wallet)
    tx = tvault.fund_epoch(1, sender=dana_wallet)
    (f1,) = tx.events.filter(tvault.EpochFunded)
    assert (f1.epoch, f1.gross) == (1, 40_000) and f1.fee + f1.perf + f1.net == 40_000
    assert tx.events.filter(tvault.RewardsNotified)[0].amount == f1.net
    tx = tvault.report_epoch(2, 950 * TH, 41_000, REPORT, "ipfs://pool/2", sender=dana_wallet)
    (r2,) = tx.events.filter(tvault.EpochReported)
    assert (r2.epoch, r2.delivered, r2.gross, r2.report_hash) == (2, 950 * TH, 41_000, REPORT)
    before = wbtc.balanceOf(dana_wallet)
    tx = tvault.fund_epoch(2, sender=dana_wallet)
    (f2,) = tx.events.filter(tvault.EpochFunded)
    assert (f2.epoch, f2.gross, f2.net) == (2, 41_000, r2.net)
    assert before - wbtc.balanceOf(dana_wallet) == 41_000
    assert [tvault.epochs(e).status for e in range(3)] == [2, 2, 2]

    # the record belongs to the agent: epoch 0, attested before the sale, finalises after it, and
    # dana (the owner now) files epoch 2's requests; both count for the agent's uptime
    tx = tvault.finalize_epoch(0, sender=mallory)
    assert tx.events.filter(tvault.EpochFinalized)[0].epoch == 0
    with ape.reverts("validation: not authorized"):
        val.validationRequest(validators[0], agent_id, "", tvault.request_hash(2, validators[0]), sender=operator)
    attest(tvault, val, agent_id, dana, validators, 2)
    tx = tvault.finalize_epoch(2, sender=mallory)
    (fin,) = tx.events.filter(tvault.EpochFinalized)
    assert (fin.epoch, fin.attestations, fin.uptime_bps) == (2, 3, 9_500)
    (fb,) = tx.events.filter(rep.NewFeedback)
    assert (fb.agentId, fb.tag1, fb.tag2) == (agent_id, "uptime", "epoch-2")
    assert rep.getSummary(agent_id, [tvault.address], "uptime", "")[0] == 2

    # after the term the bond carol posted goes with the agent: only dana's wallet withdraws it
    warp(chain, attest_deadline(tvault, 9) + 1)
    for e in [1] + list(range(3, 10)):
        tvault.declare_default(e, sender=mallory)
    left = tvault.bond()
    with ape.reverts("vault: caller is not the operator"):
        tvault.withdraw_bond(sender=operator)
    tx = tvault.withdraw_bond(sender=dana_wallet)
    (rel,) = tx.events.filter(tvault.BondReleased)
    assert (rel.receiver, rel.amount) == (dana_wallet, left) and tvault.bond() == 0


# ------------------------------------------------------------------ validators


def test_validators_must_be_independent_of_the_operator(tvault, deployer, operator, registries, agent_id, accounts, validators):
    ident = registries[0]
    with ape.reverts("vault: validator not independent"):
        tvault.add_validator(operator, sender=deployer)  # owner and wallet
    helper = accounts[2]
    ident.setApprovalForAll(helper, True, sender=operator)
    with ape.reverts("vault: validator not independent"):
        tvault.add_validator(helper, sender=deployer)  # operator of the agent
    with ape.reverts("vault: validator listed"):
        tvault.add_validator(validators[0], sender=deployer)
    with ape.reverts("vault: zero validator"):
        tvault.add_validator("0x" + "00" * 20, sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        tvault.add_validator(accounts[1], sender=operator)
    tx = tvault.add_validator(accounts[5], sender=deployer)  # the fee recipient: no tie to the agent
    ev = tx.events.filter(tvault.ValidatorSet)[0]
    assert ev.validator == accounts[5] and ev.listed
    tvault.remove_validator(accounts[5], sender=deployer)
    tx = tvault.remove_validator(validators[2], sender=deployer)
    assert not tx.events.filter(tvault.ValidatorSet)[0].listed
    assert list(tvault.validator_list()) == validators[:2]
    with ape.reverts("vault: validator not listed"):
        tvault.remove_validator(validators[2], sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        tvault.remove_validator(validators[0], sender=operator)


def test_request_hash_binds_chain_vault_epoch_report_and_validator(tvault, feed, deployer, operator, chain, validators):
    report(chain, tvault, feed, deployer, operator, 0)
    v1 = validators[0]
    h = tvault.request_hash(0, v1)
    expect = keccak(encode(["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"], [chain.chain_id, tvault.address, 0, 900 * TH, 40_000, REPORT, v1.address]))
    assert h == expect
    other_chain = keccak(encode(["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"], [chain.chain_id + 1, tvault.address, 0, 900 * TH, 40_000, REPORT, v1.address]))
    assert h != other_chain and h != tvault.request_hash(1, v1) and h != tvault.request_hash(0, validators[1])


# ------------------------------------------------------------------ finalisation


def test_quorum_finalises_posts_reputation_and_is_a_snapshot(tvault, feed, deployer, operator, chain, registries, agent_id, validators, mallory):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0, scores=(100, 95, None))
    tx = tvault.finalize_epoch(0, sender=mallory)  # anyone
    ev = tx.events.filter(tvault.EpochFinalized)[0]
    assert (ev.epoch, ev.attestations, ev.uptime_bps) == (0, 2, 9_000)
    fb = tx.events.filter(rep.NewFeedback)[0]
    assert fb.agentId == agent_id and fb.tag1 == "uptime" and fb.tag2 == "epoch-0"
    assert tvault.epochs(0).status == 4 and tvault.attestations(0) == 2 and tvault.settled_epochs() == 1
    count, value, decimals = rep.getSummary(agent_id, [tvault.address], "uptime", "")
    assert count == 1 and value / 10**decimals == 90
    with ape.reverts("vault: epoch not funded"):
        tvault.finalize_epoch(0, sender=mallory)
    # a validator changing its answer after finalisation: the registry refuses, the vault is unchanged
    with ape.reverts("validation: finalized"):
        val.validationResponseFor(agent_id, tvault.request_hash(0, validators[0]), 0, "", b"\x00" * 32, "", False, sender=validators[0])
    tvault.remove_validator(validators[0], sender=deployer)
    assert tvault.attestations(0) == 2 and tvault.epochs(0).status == 4
    with ape.reverts("vault: epoch already settled"):
        tvault.declare_default(0, sender=mallory)


def test_no_quorum_low_scores_unfinalised_and_unlisted_answers_do_not_count(tvault, feed, deployer, operator, chain, registries, agent_id, validators, accounts):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0, scores=(100, 79, None))  # 79 < min score 80
    with ape.reverts("vault: no quorum"):
        tvault.finalize_epoch(0, sender=operator)
    # an unfinalised (progressive) 100 does not count either
    h3 = tvault.request_hash(0, validators[2])  # requested by attest(), not answered yet
    val.validationResponseFor(agent_id, h3, 100, "", b"\x00" * 32, "", False, sender=validators[2])
    with ape.reverts("vault: no quorum"):
        tvault.finalize_epoch(0, sender=operator)
    # an unlisted validator's perfect answer does not count
    stranger = accounts[2]
    hs = tvault.request_hash(0, stranger)
    val.validationRequest(stranger, agent_id, "", hs, sender=operator)
    val.validationResponseFor(agent_id, hs, 100, "", b"\x00" * 32, "", True, sender=stranger)
    with ape.reverts("vault: no quorum"):
        tvault.finalize_epoch(0, sender=operator)
    val.finalizeValidation(agent_id, h3, sender=validators[2])
    assert tvault.finalize_epoch(0, sender=operator).events.filter(tvault.EpochFinalized)[0].attestations == 2


def test_validator_that_becomes_the_operators_operator_is_not_counted(tvault, feed, deployer, operator, chain, registries, agent_id, validators):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0, scores=(100, 100, None))
    ident.setApprovalForAll(validators[1], True, sender=operator)  # collusion after listing
    with ape.reverts("vault: no quorum"):
        tvault.finalize_epoch(0, sender=operator)


def test_hash_replayed_from_another_epoch_or_vault_does_not_count(project, tvault, feed, deployer, operator, chain, registries, agent_id, validators, wbtc, usd, guardian, treasury, fee_recipient):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0)
    # answers for epoch 0 do not finalise epoch 1 with the same report
    report(chain, tvault, feed, deployer, operator, 1)
    with ape.reverts("vault: no quorum"):
        tvault.finalize_epoch(1, sender=operator)
    # answers filed for another vault's hash (e.g. on another chain: chain id is in the hash) do not count here
    types = ["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"]
    other = [keccak(encode(types, [chain.chain_id + 1, tvault.address, 1, 900 * TH, 40_000, REPORT, x.address])) for x in validators]
    other += [keccak(encode(types, [chain.chain_id, wbtc.address, 1, 900 * TH, 40_000, REPORT, x.address])) for x in validators]  # another vault
    for x, h in zip(validators * 2, other):
        val.validationRequest(x, agent_id, "", h, sender=operator)
        val.validationResponseFor(agent_id, h, 100, "", b"\x00" * 32, "", True, sender=x)
    with ape.reverts("vault: no quorum"):
        tvault.finalize_epoch(1, sender=operator)
    tvault.finalize_epoch(0, sender=operator)


def test_finalisation_deadline(tvault, feed, deployer, operator, chain, registries, agent_id, validators):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0)
    warp(chain, attest_deadline(tvault, 0) + 1)
    with ape.reverts("vault: attest deadline passed"):
        tvault.finalize_epoch(0, sender=operator)


# ------------------------------------------------------------------ bond and default


def test_bond_is_measured_and_outside_liabilities(tvault, wbtc, operator, mallory):
    liab = liabilities(tvault)
    tx = tvault.post_bond(1_000_000, sender=operator)
    assert tx.events.filter(tvault.BondPosted)[0].amount == 1_000_000
    assert tvault.bond() == 1_000_000 and liabilities(tvault) == liab
    with ape.reverts("vault: zero bond"):
        tvault.post_bond(0, sender=operator)
    with ape.reverts():
        tvault.post_bond(1, sender=mallory)  # no allowance / balance


def test_unfunded_epoch_defaults_after_its_deadline_and_pays_holders_from_the_bond(tvault, feed, deployer, operator, chain, mallory, alice, bob, wbtc):
    tvault.post_bond(1_000_000, sender=operator)
    report(chain, tvault, feed, deployer, operator, 0, fund=False)
    warp(chain, tvault.epoch_deadline(0) - 1)  # the next transaction runs at the deadline
    with ape.reverts("vault: default too early"):
        tvault.declare_default(0, sender=mallory)
    tvault.pause(sender=deployer)  # pause never blocks a default
    warp(chain, max(chain.pending_timestamp, tvault.epoch_deadline(0) + 1))
    expected = tvault.expected_reward(0)
    # 1000 TH/s at 150T difficulty and 3.15 BTC/block: ~42.3k sats gross, then fees and 10 % perf
    gross = 1000 * TH * 10**12 * DAY * SATS_PER_BLOCK // (TH * DIFFICULTY * 2**32)
    fee, perf, net = fee_split(1000 * TH, gross, FeeParams(*PARAMS), BTC_USD)
    assert expected == net > 0
    tx = tvault.declare_default(0, sender=mallory)
    ev = tx.events.filter(tvault.EpochDefaulted)[0]
    assert (ev.epoch, ev.expected, ev.slashed) == (0, expected, expected)
    assert tx.events.filter(tvault.RewardsNotified)[0].amount == expected
    assert tvault.bond() == 1_000_000 - expected and tvault.epochs(0).status == 8
    with ape.reverts("vault: epoch already settled"):
        tvault.declare_default(0, sender=mallory)
    warp(chain, chain.pending_timestamp + 2 * DAY)
    a = tvault.claim(sender=alice).events.filter(tvault.Claimed)[0].amount
    b = tvault.claim(sender=bob).events.filter(tvault.Claimed)[0].amount
    assert expected - 2 <= a + b <= expected and abs(a * 4 - b * 6) <= 10


def test_unreported_epoch_defaults_and_a_small_bond_pays_what_it_has(tvault, chain, mallory, operator):
    tvault.post_bond(1_000, sender=operator)
    warp(chain, tvault.epoch_deadline(0) + 1)
    expected = tvault.expected_reward(0)
    assert expected > 1_000
    ev = tvault.declare_default(0, sender=mallory).events.filter(tvault.EpochDefaulted)[0]
    assert ev.slashed == 1_000 and ev.expected == expected and tvault.bond() == 0
    warp(chain, tvault.epoch_deadline(1) + 1)
    ev = tvault.declare_default(1, sender=mallory).events.filter(tvault.EpochDefaulted)[0]
    assert ev.slashed == 0  # empty bond: the default is still recorded


def test_funded_but_unattested_epoch_defaults_after_the_attestation_deadline_for_the_shortfall(tvault, feed, deployer, operator, chain, mallory):
    tvault.post_bond(1_000_000, sender=operator)
    report(chain, tvault, feed, deployer, operator, 0, gross=10_000)
    warp(chain, tvault.epoch_deadline(0) + 1)
    with ape.reverts("vault: default too early"):
        tvault.declare_default(0, sender=mallory)  # funded: it has until the attestation deadline
    warp(chain, attest_deadline(tvault, 0) + 1)
    paid = tvault.epochs(0).net
    expected = tvault.expected_reward(0)
    ev = tvault.declare_default(0, sender=mallory).events.filter(tvault.EpochDefaulted)[0]
    assert ev.slashed == expected and expected > 0
    assert tvault.bond() == 1_000_000 - expected
    full = 1000 * TH * 10**12 * DAY * SATS_PER_BLOCK // (TH * DIFFICULTY * 2**32)
    assert expected == fee_split(1000 * TH, full, FeeParams(*PARAMS), BTC_USD)[2] - paid


def test_default_after_term_end_rejects_out_of_range(tvault, chain, mallory):
    with ape.reverts("vault: epoch after term end"):
        tvault.declare_default(10, sender=mallory)


def test_bond_release_only_after_term_when_every_epoch_is_settled(tvault, feed, deployer, operator, chain, mallory, registries, agent_id, validators, wbtc):
    ident, val, rep = registries
    tvault.post_bond(5_000_000, sender=operator)
    report(chain, tvault, feed, deployer, operator, 0)
    attest(tvault, val, agent_id, operator, validators, 0)
    tvault.finalize_epoch(0, sender=mallory)
    with ape.reverts("vault: term not over"):
        tvault.withdraw_bond(sender=operator)
    warp(chain, tvault.TERM_END())
    with ape.reverts("vault: epochs not settled"):
        tvault.withdraw_bond(sender=operator)
    warp(chain, tvault.epoch_deadline(9) + 1)
    for e in range(1, 10):
        tvault.declare_default(e, sender=mallory)
    assert tvault.settled_epochs() == 10
    with ape.reverts("vault: caller is not the operator"):
        tvault.withdraw_bond(sender=mallory)
    left = tvault.bond()
    before = wbtc.balanceOf(operator)
    tx = tvault.withdraw_bond(sender=operator)
    assert tx.events.filter(tvault.BondReleased)[0].amount == left
    assert wbtc.balanceOf(operator) - before == left and tvault.bond() == 0
    # solvency: what is left covers every liability
    assert wbtc.balanceOf(tvault) >= liabilities(tvault)


def liabilities(v):
    """What the vault owes holders and the fee recipient (the bond kept out)."""
    return v.total_notified() - v.total_claimed() + v.fees_payable()
