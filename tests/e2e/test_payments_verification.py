"""Payment-backed feedback, checked on chain (`hashtrust.payments.verification.verify_feedback`).

Story: a client pays the Summarizer, is served, and rates it with a feedback file carrying the
settlement (proofOfPayment) and the agent's attestation; the verifier finds the payment on
chain and says "verified". Then the cheats: a sybil copies someone else's proof, a client rates
twice on one payment, a proof points at a payment to another agent, the attestation is forged or
missing, the file does not match its on-chain hash. Each is "unverifiable", with the reason."""

from __future__ import annotations

import json

import pytest
from eth_account import Account
from payments_world import SUMMARIZE_PRICE, payments_world

from hashtrust.chain.accounts import devnet_key
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.feedback import FeedbackFile
from hashtrust.payments.attestation import Attestation
from hashtrust.payments.client import call_agent
from hashtrust.payments.feedback import give_paid_feedback, paid_feedback_file
from hashtrust.payments.verification import PaymentClaims, verify_feedback

BODY = b'{"text": "rate me"}'


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with payments_world(tmp_path_factory.mktemp("x402-verify"), clock_ahead_s=86_400) as w:
        yield w


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback-files")


def _paid(world, key=None, agent=1, service="summarize"):
    key = key or world.new_client()
    return key, call_agent(world.w3, world.book, key, agent_id=agent, service=service, body=BODY).receipt()


def _verify(world, data: bytes, client: str, agent_id: int = 1, **kw):
    return verify_feedback(world.w3, data, client=client, agent_id=agent_id, identity_registry=world.identity.address,
                           token=world.usd.address, **kw)


def _rep(world, key):
    return world.reputation.with_sender(TxSender(world.w3, LocalSigner.from_key(key)))


def test_paid_feedback_is_given_on_chain_and_verified(world, store):
    key, receipt = _paid(world)
    payer = Account.from_key(key).address
    f = paid_feedback_file(receipt, value=92, tag1="starred", tag2="x402")
    index, uri = give_paid_feedback(_rep(world, key), receipt, f, store_dir=store)
    assert index == 1
    # the file is published beside the registry's 1,024-byte URI limit, content-addressed
    assert uri.startswith("file://") and uri.endswith("0x" + f.feedback_hash().hex() + ".json")
    data = (store / uri.rsplit("/", 1)[1]).read_bytes()
    on_chain = world.reputation.read(1, payer, index)
    assert (on_chain.value, on_chain.tag1, on_chain.tag2) == (92, "starred", "x402")
    log = world.reputation.contract.events.NewFeedback().get_logs(from_block=0, argument_filters={"clientAddress": payer})[-1]["args"]
    assert log["feedbackURI"] == uri and bytes(log["feedbackHash"]) == f.feedback_hash()
    claims = PaymentClaims()
    v = _verify(world, data, payer, feedback_hash=bytes(log["feedbackHash"]), claims=claims, feedback_id=(1, payer, index))
    assert v.verified, v.reason
    assert v.payment.amount == SUMMARIZE_PRICE and v.payment.to == world.wallet(1) and v.payment.tx_hash == receipt["txHash"]
    # the file says what the spec asks for
    d = json.loads(data)
    assert d["proofOfPayment"] == {"fromAddress": payer, "toAddress": world.wallet(1), "chainId": "31337", "txHash": receipt["txHash"]}
    # verifying the same feedback again keeps its claim
    assert _verify(world, data, payer, claims=claims, feedback_id=(1, payer, index)).verified


def test_a_payment_backs_one_feedback_only(world):
    key, receipt = _paid(world)
    payer = Account.from_key(key).address
    claims = PaymentClaims()
    first = paid_feedback_file(receipt, value=90).canonical_bytes()
    second = paid_feedback_file(receipt, value=100, tag1="again").canonical_bytes()
    assert _verify(world, first, payer, claims=claims, feedback_id=(1, payer, 1)).verified
    v = _verify(world, second, payer, claims=claims, feedback_id=(1, payer, 2))
    assert not v.verified and v.reason == f"the payment already backs feedback {(1, payer, 1)}"


def test_someone_elses_payment_is_unverifiable(world):
    """A sybil that never paid cites a real client's settlement."""
    _key, receipt = _paid(world)
    sybil = Account.from_key(world.new_client()).address
    # the proof names the real payer: it is not the sybil's
    stolen = paid_feedback_file(receipt, value=100).model_copy(update={"clientAddress": f"eip155:31337:{sybil}"}).canonical_bytes()
    v = _verify(world, stolen, sybil)
    assert not v.verified and "proofOfPayment.fromAddress" in v.reason and "is not the feedback's client" in v.reason
    # rewriting the proof to name the sybil: the transaction holds no payment by the sybil
    fake = {**receipt, "payer": sybil}
    v = _verify(world, paid_feedback_file(fake, value=100).canonical_bytes(), sybil)
    assert not v.verified and v.reason.endswith(f"holds no EIP-3009 payment by {sybil} in the devnet USD token")


def test_payment_to_another_agent_is_unverifiable(world):
    """Paid the Translator, rates the Summarizer with that proof."""
    key, receipt = _paid(world, agent=2, service="translate")
    payer = Account.from_key(key).address
    moved = {**receipt, "agentId": 1}
    v = _verify(world, paid_feedback_file(moved, value=100).canonical_bytes(), payer, agent_id=1)
    assert not v.verified and "agent 1's wallet at that block was" in v.reason


def test_attestation_is_required_and_must_be_the_agents(world):
    key, receipt = _paid(world)
    payer = Account.from_key(key).address
    bare = paid_feedback_file(receipt, value=80).model_dump(mode="json", exclude_none=True)
    bare.pop("interactionAttestation")
    v = _verify(world, FeedbackFile.model_validate(bare).canonical_bytes(), payer)
    assert not v.verified and v.reason.startswith("no interactionAttestation")
    # the client forges an attestation with its own key
    att = Attestation.from_dict(receipt["attestation"])
    forged = Attestation.sign(key, chain_id=att.chain_id, identity_registry=att.identity_registry,
                              **{k: v for k, v in zip(("agent_id", "client", "pay_to", "asset", "amount", "settlement_tx", "nonce", "request_hash", "response_hash", "resource"), att.message.values())})
    v = _verify(world, paid_feedback_file({**receipt, "attestation": forged.as_dict()}, value=80).canonical_bytes(), payer)
    assert not v.verified and v.reason == f"the attestation is not signed by agent 1's wallet {world.wallet(1)}"
    # an attestation for another settlement (the agent's real signature, a different payment)
    _k2, other = _paid(world)
    v = _verify(world, paid_feedback_file({**receipt, "attestation": other["attestation"]}, value=80).canonical_bytes(), payer)
    assert not v.verified and v.reason == "the attestation's client does not match the payment"


def test_file_must_match_its_on_chain_hash_and_have_a_proof(world):
    key, receipt = _paid(world)
    payer = Account.from_key(key).address
    f = paid_feedback_file(receipt, value=70)
    v = _verify(world, f.canonical_bytes() + b" ", payer, feedback_hash=f.feedback_hash())
    assert not v.verified and v.reason == "the file does not hash to the on-chain feedbackHash"
    plain = FeedbackFile.build(chain_id=31337, registry=world.identity.address, agent_id=1, client=payer, value=70)
    v = _verify(world, plain.canonical_bytes(), payer)
    assert not v.verified and v.reason == "no proofOfPayment"
    v = _verify(world, b"not json", payer)
    assert not v.verified and v.reason.startswith("not a valid feedback file")


def test_unknown_or_reverted_transaction_is_unverifiable(world):
    key, receipt = _paid(world)
    payer = Account.from_key(key).address
    v = _verify(world, paid_feedback_file({**receipt, "txHash": "0x" + "ab" * 32}, value=70).canonical_bytes(), payer)
    assert not v.verified and v.reason == f"transaction 0x{'ab' * 32} is not on chain"
    # a transaction of the payer that is not a payment (a plain transfer of the token)
    sender = TxSender(world.w3, LocalSigner.from_key(key))
    r = sender.transact(world.usd.contract.functions.transfer(world.wallet(1), SUMMARIZE_PRICE))
    tx = "0x" + bytes(r["transactionHash"]).hex()
    v = _verify(world, paid_feedback_file({**receipt, "txHash": tx}, value=70).canonical_bytes(), payer)
    assert not v.verified and "holds no EIP-3009 payment" in v.reason


def test_wallet_at_the_time_of_payment_counts(world):
    """The agent moves its wallet after being paid: the old payment stays verified; a payment to
    the old wallet made after the move would not be the agent's."""
    key, receipt = _paid(world)
    payer = Account.from_key(key).address
    data = paid_feedback_file(receipt, value=95).canonical_bytes()
    from hashtrust.erc8004.identity import IdentityClient

    owner = IdentityClient.from_book(world.w3, world.book, world.deployer)
    owner.set_agent_wallet(1, devnet_key(6))
    try:
        v = _verify(world, data, payer)
        assert v.verified, v.reason
    finally:
        owner.set_agent_wallet(1, devnet_key(0))
