"""The vault trusts no one: the operator is an ERC-8004 agent named by the term's `VaultTrust`,
epochs are attested by k-of-n validators fixed at construction, finalisation posts reputation,
and at each epoch's record time the vault settles it with the trust, whose bond pays holders
what a missed or short epoch owes (docs/design/vault-trust-split.md §4).

Cast: ``carol`` registers the operator agent (its wallet is carol); ``validators`` are
independent (quorum 2 of 3, min score 98); ``alice``/``bob`` hold 600/400 TH/s; ``mallory``
tries everything she should not; ``dana`` buys the agent mid-term.
Figures (1,000 TH/s sold, difficulty 150e12, 3.15 BTC a block, $100k, 17.5 J/TH, $0.05/kWh,
$0.01/TH/day, 10 % perf): hashprice gross G = 42,244 sats an epoch; Nu = 38,020 (no electricity);
Nr = 10,120 (full delivery at $100k); a 900 TH/s, 40,000-sat report nets 10,890.

Rules changed by the split, asserted here with exact figures: nothing is declared (`declare_default`
is gone): an unfunded epoch is settled after D(e), a funded one after A(e), by any balance change,
claim or `settle_due`; a reported-unfunded epoch owes max(net, Nu) = 38,020 (audit5 G1); a funded, unattested
one owes Nu - net; a finalised one owes the undelivered share of Nr (900 of 1,000 TH/s: 1,012);
min score 98 (95 no longer counts); a pause never blocks settlement.

Dropped as duplicates of trust_contract/ and split/ (same calls, messages, events): terms and
`set_trust` checks (old bind_agent cases) -> split/test_split_terms.py, trust_contract/test_terms.py;
validator independence / zero / duplicate (old add/remove_validator; the set is constructor-only
now) -> trust_contract/test_terms.py::test_validator_not_independent, test_zero_and_duplicate_validator;
no quorum / low score / unfinalised / unlisted answers / a validator that stops being independent
/ attest deadline -> trust_contract/test_finalize.py; post_bond measured / zero / without allowance
-> trust_contract/test_bond.py; a small bond pays what it has -> split/test_split_settle.py::
test_bond_pays_what_it_has_then_nothing; withdraw_bond rules -> trust_contract/test_bond.py::
test_withdraw_bond_rules, split/test_split_bond.py; settle of an epoch after the term ->
trust_contract/test_settle.py::test_epoch_after_term_end.
"""

import ape
import pytest
from vault_setup import BTC_USD, DAY, PARAMS, TH, deploy_vault, gross_of, round_at
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from hashtrust.erc8004.identity import wallet_typed_data
from hashtrust.hashrate.economics import FeeParams, fee_split

REPORT = b"\x42" * 32
ZERO = "0x" + "00" * 20
S = 1_000 * TH
G, NU, NR = 42_244, 38_020, 10_120


@pytest.fixture(scope="module")
def tvault(project, deployer, wbtc, usd, feed, operator, guardian, treasury, fee_recipient, chain, alice, bob, opener):
    v = deploy_vault(project, deployer, wbtc, usd, feed, guardian, treasury, fee_recipient, chain)
    wbtc.mint(operator, 10**12, sender=deployer)
    opener(v, wbtc)
    wbtc.approve(v, 2**256 - 1, sender=operator)
    for who in (alice, bob):
        usd.mint(who, 10**13, sender=deployer)
        usd.approve(v, 2**256 - 1, sender=who)
    v.buy(600 * TH, 2**255, alice, sender=alice)
    v.buy(400 * TH, 2**255, bob, sender=bob)
    return v


@pytest.fixture(scope="module")
def ttrust(project, tvault):
    return project.VaultTrust.at(tvault.trust())


def warp(chain, ts):
    chain.mine(1, timestamp=ts)


def publish(chain, v, feed, deployer, e, price=BTC_USD):
    """Publish `price` just before epoch `e` ends (the round in force at its end)."""
    end = v.epoch_end(e)
    if chain.pending_timestamp < end - 60:
        warp(chain, end - 60)
    assert chain.pending_timestamp <= end
    feed.set_price(price, sender=deployer)


def report(chain, v, feed, deployer, operator, e, delivered=900 * TH, gross=40_000, fund=True):
    publish(chain, v, feed, deployer, e)
    warp(chain, v.epoch_end(e) + 60)
    v.report_epoch(e, delivered, gross, REPORT, f"ipfs://pool/{e}", round_at(feed, v.epoch_end(e)), sender=operator)
    if fund:
        v.fund_epoch(e, sender=operator)


def attest(t, val, agent_id, filer, validators, e, scores=(100, 100, 100), finalize=True):
    for x, score in zip(validators, scores):
        h = t.request_hash(e, x)
        val.validationRequest(x, agent_id, f"vault://{e}", h, sender=filer)
        if score is not None:
            val.validationResponseFor(agent_id, h, score, "", b"\x00" * 32, "hashrate", finalize, sender=x)


def settled(tx, v):
    return [(s.epoch, s.credited, s.record_time) for s in tx.decode_logs(v.EpochSettled)]


def test_figures():
    assert gross_of(S) == G and G - G * PARAMS[3] // 10_000 == NU
    assert fee_split(S, G, FeeParams(*PARAMS), BTC_USD)[2] == NR
    assert fee_split(900 * TH, 40_000, FeeParams(*PARAMS), BTC_USD) == (27_900, 1_210, 10_890)


# ------------------------------------------------------------------ the operator


def test_only_the_agents_live_wallet_reports_and_a_transfer_removes_it(tvault, ttrust, feed, deployer, operator, mallory, chain, registries, agent_id):
    ident = registries[0]
    assert ttrust.operator_wallet() == operator and ttrust.AGENT_ID() == agent_id
    publish(chain, tvault, feed, deployer, 0)
    warp(chain, tvault.epoch_end(0) + 60)
    rid = round_at(feed, tvault.epoch_end(0))
    with ape.reverts("vault: caller is not the operator"):
        tvault.report_epoch(0, 900 * TH, 40_000, REPORT, "", rid, sender=mallory)
    with ape.reverts("vault: caller is not the operator"):
        tvault.report_epoch(0, 900 * TH, 40_000, REPORT, "", rid, sender=deployer)  # the admin is not the operator
    tvault.report_epoch(0, 900 * TH, 40_000, REPORT, "", rid, sender=operator)
    # carol sells the agent to mallory mid-term: the wallet is cleared, the vault has no operator at once
    ident.transferFrom(operator, mallory, agent_id, sender=operator)
    assert ident.getAgentWallet(agent_id) == ZERO and ttrust.operator_wallet() == ZERO
    with ape.reverts("vault: no operator wallet"):
        tvault.fund_epoch(0, sender=operator)
    with ape.reverts("vault: no operator wallet"):
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
    tvault, ttrust, feed, deployer, operator, chain, registries, agent_id, validators, mallory, wbtc, dana, dana_wallet, alice, bob
):
    ident, val, rep = registries
    bond0 = ttrust.bond()
    assert bond0 == ttrust.required_bond() == 2_957_080  # carol posted it when the term was opened (7 x G, audit5 G6)
    # carol runs epoch 0 (reported, funded, attested) and reports epoch 1
    report(chain, tvault, feed, deployer, operator, 0)
    attest(ttrust, val, agent_id, operator, validators, 0)
    publish(chain, tvault, feed, deployer, 1)
    warp(chain, tvault.epoch_end(1) + 60)
    tvault.report_epoch(1, 900 * TH, 40_000, REPORT, "ipfs://pool/1", round_at(feed, tvault.epoch_end(1)), sender=operator)
    publish(chain, tvault, feed, deployer, 2)  # the round in force at epoch 2's end

    # carol sells the agent NFT to dana: the registry clears the wallet in the same transaction
    tx = ident.transferFrom(operator, dana, agent_id, sender=operator)
    (moved,) = tx.events.filter(ident.Transfer)
    assert (moved.sender, moved.receiver, moved.token_id) == (operator, dana, agent_id)
    (cleared,) = tx.events.filter(ident.MetadataSet)
    assert (cleared.agentId, cleared.metadataKey, bytes(cleared.metadataValue)) == (agent_id, "agentWallet", b"")
    assert ident.ownerOf(agent_id) == dana and ident.getAgentWallet(agent_id) == ZERO

    # carol is refused at once, for every operator call; so is dana until she sets a wallet
    with ape.reverts("vault: no operator wallet"):
        tvault.fund_epoch(1, sender=operator)
    warp(chain, tvault.epoch_end(2) + 60)
    rid2 = round_at(feed, tvault.epoch_end(2))
    for who in (operator, dana):
        with ape.reverts("vault: no operator wallet"):
            tvault.report_epoch(2, 900 * TH, 40_000, REPORT, "", rid2, sender=who)
        with ape.reverts("vault: no operator wallet"):
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
    assert ident.getAgentWallet(agent_id) == dana_wallet == ttrust.operator_wallet()
    with ape.reverts("vault: caller is not the operator"):
        tvault.fund_epoch(1, sender=operator)  # carol stays out

    # the new wallet funds carol's epoch 1 report and reports and funds epoch 2
    wbtc.mint(dana_wallet, 10**9, sender=deployer)
    wbtc.approve(tvault, 2**256 - 1, sender=dana_wallet)
    tx = tvault.fund_epoch(1, sender=dana_wallet)
    (f1,) = tx.events.filter(tvault.EpochFunded)
    assert (f1.epoch, f1.gross, f1.fee, f1.perf, f1.net) == (1, 40_000, 27_900, 1_210, 10_890)
    assert tx.events.filter(tvault.RewardsNotified)[0].amount == f1.net
    tx = tvault.report_epoch(2, 950 * TH, 41_000, REPORT, "ipfs://pool/2", rid2, sender=dana_wallet)
    (r2,) = tx.events.filter(tvault.EpochReported)
    assert (r2.epoch, r2.delivered, r2.gross, r2.report_hash, r2.round_id) == (2, 950 * TH, 41_000, REPORT, rid2)
    before = wbtc.balanceOf(dana_wallet)
    tx = tvault.fund_epoch(2, sender=dana_wallet)
    (f2,) = tx.events.filter(tvault.EpochFunded)
    assert (f2.epoch, f2.gross, f2.net) == (2, 41_000, r2.net) and r2.net == 10_395
    assert before - wbtc.balanceOf(dana_wallet) == 41_000
    assert [tvault.epochs(e).status for e in range(3)] == [2, 2, 2]

    # the record belongs to the agent: epoch 0, attested before the sale, finalises after it, and
    # dana (the owner now) files epoch 2's requests; both count for the agent's uptime
    tx = ttrust.finalize_epoch(0, sender=mallory)
    assert [(x.epoch, x.attestations, x.uptime_bps) for x in tx.events.filter(ttrust.EpochFinalized)] == [(0, 3, 9_000)]
    with ape.reverts("validation: not authorized"):
        val.validationRequest(validators[0], agent_id, "", ttrust.request_hash(2, validators[0]), sender=operator)
    attest(ttrust, val, agent_id, dana, validators, 2)
    tx = ttrust.finalize_epoch(2, sender=mallory)
    (fin,) = tx.events.filter(ttrust.EpochFinalized)
    assert (fin.epoch, fin.attestations, fin.uptime_bps) == (2, 3, 9_500)
    (fp,) = tx.events.filter(ttrust.FeedbackPosted)
    assert (fp.epoch, fp.value, fp.posted) == (2, 9_500, True)
    (fb,) = tx.events.filter(rep.NewFeedback)
    assert (fb.agentId, fb.tag1, fb.tag2) == (agent_id, "uptime", "epoch-2")
    assert rep.getSummary(agent_id, [ttrust.address], "uptime", "")[0] == 2

    # after the term every epoch is settled at its record time (anyone calls); the bond pays
    with ape.reverts("trust: term not over"):
        ttrust.withdraw_bond(sender=dana_wallet)
    warp(chain, tvault.attest_deadline(9) + 1)
    with ape.reverts("trust: epochs not settled"):
        ttrust.withdraw_bond(sender=dana_wallet)
    tx = tvault.settle_due(64, sender=mallory)
    got = {e: c for e, c, _ in settled(tx, tvault)}
    # 0 and 2 finalised: the undelivered share of Nr (100 and 50 of 1,000 TH/s); 1 funded, never
    # attested: Nu - net; 3..9 never reported: Nu
    assert got == {0: 1_012, 1: NU - 10_890, 2: 506, **{e: NU for e in range(3, 10)}}
    kinds = [ttrust.record(e).kind for e in range(10)]
    assert kinds == [1, 4, 1] + [2] * 7
    paid = 1_012 + 27_130 + 506 + 7 * NU
    assert ttrust.bond() == bond0 - paid and tvault.settle_cursor() == 10
    # after the term the bond carol posted goes with the agent: only dana's wallet withdraws it
    left = ttrust.bond()
    with ape.reverts("trust: caller is not the operator"):
        ttrust.withdraw_bond(sender=operator)
    tx = ttrust.withdraw_bond(sender=dana_wallet)
    (rel,) = tx.events.filter(ttrust.BondReleased)
    assert (rel.receiver, rel.amount) == (dana_wallet, left) and ttrust.bond() == 0
    # solvency: the vault holds what it owes holders and the fee recipient
    assert wbtc.balanceOf(tvault) >= tvault.total_notified() - tvault.total_claimed() + tvault.fees_payable()


# ------------------------------------------------------------------ validators and finalisation


def test_request_hash_binds_chain_vault_epoch_report_and_validator(tvault, ttrust, feed, deployer, operator, chain, validators):
    report(chain, tvault, feed, deployer, operator, 0)
    v1 = validators[0]
    h = ttrust.request_hash(0, v1)
    types = ["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"]
    expect = keccak(encode(types, [chain.chain_id, tvault.address, 0, 900 * TH, 40_000, REPORT, v1.address]))
    assert h == expect  # the vault's address, not the trust's
    other_chain = keccak(encode(types, [chain.chain_id + 1, tvault.address, 0, 900 * TH, 40_000, REPORT, v1.address]))
    assert h != other_chain and h != ttrust.request_hash(1, v1) and h != ttrust.request_hash(0, validators[1])
    assert list(ttrust.validator_list()) == list(validators) and (ttrust.QUORUM(), ttrust.MIN_SCORE()) == (2, 98)


def test_quorum_finalises_posts_reputation_and_the_shortfall_is_settled_at_the_attest_deadline(tvault, ttrust, feed, deployer, operator, chain, registries, agent_id, validators, mallory, alice, bob):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(ttrust, val, agent_id, operator, validators, 0, scores=(100, 98, 97))  # 97 < min score 98
    tx = ttrust.finalize_epoch(0, sender=mallory)  # anyone
    (ev,) = tx.events.filter(ttrust.EpochFinalized)
    assert (ev.epoch, ev.attestations, ev.uptime_bps) == (0, 2, 9_000)
    (fp,) = tx.events.filter(ttrust.FeedbackPosted)
    assert (fp.epoch, fp.value, fp.posted) == (0, 9_000, True)
    (fb,) = tx.events.filter(rep.NewFeedback)
    assert fb.agentId == agent_id and fb.tag1 == "uptime" and fb.tag2 == "epoch-0"
    r = ttrust.record(0)
    assert (r.kind, r.attestations, r.uptime_bps, r.feedback, r.settled) == (1, 2, 9_000, 2, False)
    count, value, decimals = rep.getSummary(agent_id, [ttrust.address], "uptime", "")
    assert count == 1 and value / 10**decimals == 90
    with ape.reverts("trust: epoch already finalised"):
        ttrust.finalize_epoch(0, sender=mallory)
    # a validator changing its answer after finalisation: the registry refuses, the record is unchanged
    with ape.reverts("validation: finalized"):
        val.validationResponseFor(agent_id, ttrust.request_hash(0, validators[0]), 0, "", b"\x00" * 32, "", False, sender=validators[0])
    # finalised is not settled: at A(0) the undelivered 100 of 1,000 TH/s owes 10 % of Nr
    a0 = tvault.attest_deadline(0)
    assert tvault.record_time(0) == a0
    warp(chain, a0 - 1)  # the next transaction lands at A(0): not due yet (due strictly after)
    tx = tvault.settle_due(64, sender=mallory)
    assert settled(tx, tvault) == [(1, NU, tvault.report_deadline(1)), (2, NU, tvault.report_deadline(2))]  # unreported, past D(e)
    assert not ttrust.record(0).settled
    bond = ttrust.bond()
    tx = tvault.settle_due(64, sender=mallory)  # one second later: epoch 3's D(3) = A(0) and A(0) have passed
    assert settled(tx, tvault) == [(3, NU, tvault.report_deadline(3)), (0, 1_012, a0)]
    (c,) = tx.events.filter(ttrust.EpochCompensated)
    assert (c.epoch, c.owed, c.paid) == (0, 1_012, 1_012) and NR * 100 // 1_000 == 1_012
    (cl,) = [x for x in tx.events.filter(ttrust.EpochClosed) if x.epoch == 0]
    assert (cl.kind, cl.delivered, cl.supply, cl.attestations, cl.owed, cl.paid, cl.feedback) == (1, 900 * TH, S, 2, 1_012, 1_012, 2)
    assert ttrust.bond() == bond - NU - 1_012 and ttrust.record(0).settled
    with ape.reverts("trust: epoch already settled"):
        ttrust.finalize_epoch(0, sender=mallory)


def test_hash_replayed_from_another_epoch_or_vault_does_not_count(tvault, ttrust, feed, deployer, operator, chain, registries, agent_id, validators, wbtc, guardian):
    ident, val, rep = registries
    report(chain, tvault, feed, deployer, operator, 0)
    attest(ttrust, val, agent_id, operator, validators, 0)
    # answers for epoch 0 do not finalise epoch 1 with the same report
    report(chain, tvault, feed, deployer, operator, 1)
    with ape.reverts("trust: no quorum"):
        ttrust.finalize_epoch(1, sender=operator)
    # answers filed for another vault's hash (or another chain's: the chain id is in the hash), or
    # for the trust's own address in place of the vault's, do not count here
    types = ["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"]
    other = [keccak(encode(types, [chain.chain_id + 1, tvault.address, 1, 900 * TH, 40_000, REPORT, x.address])) for x in validators]
    other += [keccak(encode(types, [chain.chain_id, wbtc.address, 1, 900 * TH, 40_000, REPORT, x.address])) for x in validators]
    other += [keccak(encode(types, [chain.chain_id, ttrust.address, 1, 900 * TH, 40_000, REPORT, x.address])) for x in validators]
    for x, h in zip(validators * 3, other):
        val.validationRequest(x, agent_id, "", h, sender=operator)
        val.validationResponseFor(agent_id, h, 100, "", b"\x00" * 32, "", True, sender=x)
    with ape.reverts("trust: no quorum"):
        ttrust.finalize_epoch(1, sender=operator)
    tvault.pause(sender=guardian)  # a pause stops report and fund, never finalisation (§5)
    assert tvault.paused()
    assert ttrust.finalize_epoch(0, sender=operator).events.filter(ttrust.EpochFinalized)[0].attestations == 3


# ------------------------------------------------------------------ settlement from the bond


def test_unfunded_epoch_is_settled_after_its_report_deadline_and_pays_holders_from_the_bond(tvault, ttrust, wbtc, feed, deployer, guardian, operator, chain, mallory, alice, bob, registries, agent_id):
    report(chain, tvault, feed, deployer, operator, 0, fund=False)
    d0 = tvault.report_deadline(0)
    assert tvault.record_time(0) == d0 == tvault.epoch_end(0) + 3 * DAY
    warp(chain, d0 - 1)  # the next transaction runs at the deadline: nothing is due yet
    tx = tvault.settle_due(64, sender=mallory)
    assert settled(tx, tvault) == [] and tvault.settle_cursor() == 0 and not ttrust.record(0).settled
    warp(chain, d0 + 10)
    tvault.pause(sender=guardian)  # a pause after the deadline does not move it, and never blocks settlement
    assert tvault.paused() and tvault.report_deadline(0) == d0
    assert ttrust.expected_reported(0) == NR and tvault.epochs(0).net == 10_890
    bond, held = ttrust.bond(), wbtc.balanceOf(tvault)
    tx = tvault.settle_due(1, sender=mallory)
    # reported, never funded: owes max(its own net, Nu) = max(10,890, 38,020) (audit5 G1: nothing
    # in an unfunded report is verified, so it is priced as unreported at least)
    assert settled(tx, tvault) == [(0, NU, d0)]
    (ev,) = tx.events.filter(ttrust.EpochDefaulted)
    assert (ev.epoch, ev.kind, ev.owed, ev.paid) == (0, 3, NU, NU)
    (fp,) = tx.events.filter(ttrust.FeedbackPosted)
    assert (fp.epoch, fp.value, fp.posted) == (0, 0, True)  # a default reaches the reputation as uptime 0
    (fb,) = tx.events.filter(registries[2].NewFeedback)
    assert (fb.agentId, fb.clientAddress, fb.value, fb.tag1, fb.tag2) == (agent_id, ttrust.address, 0, "uptime", "epoch-0")
    assert fb.feedbackHash == keccak(encode(["uint8", "uint64", "uint64"], [3, NU, NU]))  # keccak(kind, owed, paid)
    assert ttrust.bond() == bond - NU and wbtc.balanceOf(tvault) == held + NU
    assert tvault.total_notified() == NU  # credited at once, never a new stream
    r = ttrust.record(0)
    assert (r.kind, r.owed, r.paid, r.feedback, r.settled) == (3, NU, NU, 2, True)
    a = tvault.claim(sender=alice).events.filter(tvault.Claimed)[0].amount
    b = tvault.claim(sender=bob).events.filter(tvault.Claimed)[0].amount
    assert (a, b) == (22_812, 15_208)  # 60 % and 40 % of 38,020 exactly: the holders at D(0)


def test_funded_but_unattested_epoch_is_settled_after_the_attestation_deadline_for_the_shortfall(tvault, ttrust, feed, deployer, operator, chain, mallory, alice):
    report(chain, tvault, feed, deployer, operator, 0, gross=10_000)
    assert tvault.epochs(0).net == 0  # 10,000 sats do not even cover the 27,900 of electricity and hosting
    warp(chain, tvault.report_deadline(0) + 1)
    tx = tvault.settle_due(64, sender=mallory)
    assert 0 not in [e for e, _, _ in settled(tx, tvault)]  # funded: it has until the attestation deadline
    assert tvault.cursors() == (1, 0) and tvault.record_time(0) == tvault.attest_deadline(0)
    warp(chain, tvault.attest_deadline(0) + 1)
    bond = ttrust.bond()
    tx = tvault.transfer(mallory, TH, sender=alice)  # any balance change settles what is due first (up to 4)
    d = tvault.report_deadline
    assert settled(tx, tvault) == [(1, NU, d(1)), (2, NU, d(2)), (3, NU, d(3)), (0, NU, tvault.attest_deadline(0))]
    (ev,) = [x for x in tx.events.filter(ttrust.EpochDefaulted) if x.epoch == 0]
    assert (ev.kind, ev.owed, ev.paid) == (4, NU - 0, NU)  # funded, never attested: Nu less the 0 streamed
    assert ttrust.record(0).feedback == 1  # settled by a transfer: the uptime 0 waits for post_record
    assert ttrust.bond() == bond - 4 * NU
    tx = ttrust.post_record(0, sender=mallory)
    assert [(x.epoch, x.value, x.posted) for x in tx.events.filter(ttrust.FeedbackPosted)] == [(0, 0, True)]
    assert ttrust.record(0).feedback == 2
