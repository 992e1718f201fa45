"""Is this feedback backed by a payment? The on-chain check of ``proofOfPayment``.

    claims = PaymentClaims()                      # the indexer keeps one per chain, persisted
    v = verify_feedback(w3, file_bytes, client=row.client, agent_id=row.agent_id,
                        identity_registry=identity, token=usd, feedback_hash=row.feedback_hash,
                        claims=claims, feedback_id=(row.agent_id, row.client, row.index))
    v.verified, v.reason, v.payment

One function, `verify_feedback`, returns a `Verdict`: ``verified`` with the payment it rests on,
or ``unverifiable`` with the first rule that failed. A feedback (its file's bytes, and the
client and agent of the on-chain ``NewFeedback``) is **verified** when all of these hold:

1. the file is a valid ERC-8004 feedback file whose keccak256 is the on-chain ``feedbackHash``
   (when given), naming this agent, this identity registry and this client;
2. it carries ``proofOfPayment {fromAddress, toAddress, chainId, txHash}`` with
   ``chainId`` = this chain and ``fromAddress`` = the feedback's client;
3. the transaction exists and succeeded;
4. in its receipt the token logs ``AuthorizationUsed(client, nonce)`` immediately followed by
   ``Transfer(client, to, amount)`` (the order `DevToken` emits them, one EIP-3009 settlement),
   ``to`` = ``toAddress`` = the agent's ``agentWallet`` **at that transaction** (the last
   ``MetadataSet(agentId, "agentWallet")`` at or before it) and ``amount`` >= the price (the
   attested amount, and ``min_amount`` when given);
5. the file's ``interactionAttestation`` (`hashtrust.payments.attestation`) is signed by that
   wallet (ECDSA, or ERC-1271 for a wallet with code) and states this agent, this client,
   this wallet, this token, this amount, this transaction and this authorization nonce;
6. the payment (chain, transaction, log index of its ``AuthorizationUsed``) backs no other
   feedback: `PaymentClaims` records the first feedback to claim it (the indexer processes
   feedback in chain order, so the earliest claim wins); a feedback re-verified keeps its claim.

Anything else is ``unverifiable`` with a reason (``"no proofOfPayment"``, ``"the payment
already backs feedback ..."``, ...): shown as such, never silently trusted.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak
from web3 import Web3

from hashtrust.chain.logs import get_logs
from hashtrust.errors import InputError
from hashtrust.payments import eip3009
from hashtrust.payments.attestation import Attestation

VERIFIED = "verified"
UNVERIFIABLE = "unverifiable"
WALLET_KEY_TOPIC = keccak(text="agentWallet")  # indexed metadata key of MetadataSet
METADATA_SET_TOPIC = keccak(text="MetadataSet(uint256,string,string,bytes)")


@dataclass(frozen=True)
class Payment:
    """One EIP-3009 settlement found in a receipt."""

    chain_id: int
    tx_hash: str
    log_index: int  # of its AuthorizationUsed
    block_number: int
    token: str
    sender: str
    to: str
    amount: int
    nonce: str

    @property
    def key(self) -> tuple[int, str, int]:
        """What identifies the payment (one payment backs at most one feedback)."""
        return (self.chain_id, self.tx_hash.lower(), self.log_index)


@dataclass(frozen=True)
class Verdict:
    status: str  # VERIFIED or UNVERIFIABLE
    reason: str
    payment: Payment | None = None

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED


def _no(reason: str, payment: Payment | None = None) -> Verdict:
    return Verdict(UNVERIFIABLE, reason, payment)


class PaymentClaims:
    """Which feedback each payment backs (first claim wins). In memory; an indexer mirrors
    `claimed` into its database (key -> feedback id) and loads it back on start."""

    def __init__(self, claimed: dict[tuple[int, str, int], Hashable] | None = None):
        self.claimed: dict[tuple[int, str, int], Hashable] = dict(claimed or {})

    def holder(self, payment: Payment) -> Hashable | None:
        return self.claimed.get(payment.key)

    def claim(self, payment: Payment, feedback_id: Hashable) -> Hashable:
        """Record ``feedback_id`` as the payment's feedback unless another holds it; returns the holder."""
        return self.claimed.setdefault(payment.key, feedback_id)


def _addr_topic(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(Web3.to_checksum_address(address)[2:])


def payment_in_receipt(receipt: Any, token: str, *, payer: str, nonce: bytes | None = None, tx_hash: str | None = None,
                       chain_id: int = 0) -> Payment | None:
    """The first ``AuthorizationUsed(payer[, nonce])`` of ``token`` in ``receipt`` immediately
    followed by that token's ``Transfer(payer, to, amount)``, or None."""
    token = Web3.to_checksum_address(token)
    logs = sorted(receipt["logs"], key=lambda lg: lg["logIndex"])
    for i, lg in enumerate(logs):
        topics = [bytes(t) for t in lg["topics"]]
        if Web3.to_checksum_address(lg["address"]) != token or len(topics) != 3 or topics[0] != eip3009.AUTHORIZATION_USED_TOPIC:
            continue
        if topics[1] != _addr_topic(payer) or (nonce is not None and topics[2] != bytes(nonce)):
            continue
        nxt = logs[i + 1] if i + 1 < len(logs) else None
        if nxt is None or nxt["logIndex"] != lg["logIndex"] + 1 or Web3.to_checksum_address(nxt["address"]) != token:
            continue
        t = [bytes(x) for x in nxt["topics"]]
        if len(t) != 3 or t[0] != eip3009.TRANSFER_TOPIC or t[1] != _addr_topic(payer):
            continue
        return Payment(chain_id=chain_id, tx_hash=tx_hash or Web3.to_hex(receipt["transactionHash"]), log_index=int(lg["logIndex"]),
                       block_number=int(receipt["blockNumber"]), token=token, sender=Web3.to_checksum_address(payer),
                       to=Web3.to_checksum_address("0x" + t[2][-20:].hex()), amount=int.from_bytes(bytes(nxt["data"])[-32:], "big"),
                       nonce="0x" + topics[2].hex())
    return None


def wallet_at(w3: Web3, identity_registry: str, agent_id: int, block: int, log_index: int, *, from_block: int = 0) -> str | None:
    """The agent's ``agentWallet`` just before log ``log_index`` of ``block``: the value of the
    last ``MetadataSet(agentId, "agentWallet", value)`` at or before it (None: never set)."""
    logs = get_logs(w3, {"address": Web3.to_checksum_address(identity_registry), "fromBlock": from_block, "toBlock": block,
                            "topics": ["0x" + METADATA_SET_TOPIC.hex(), "0x" + int(agent_id).to_bytes(32, "big").hex(), "0x" + WALLET_KEY_TOPIC.hex()]})
    before = [lg for lg in logs if (lg["blockNumber"], lg["logIndex"]) < (block, log_index)]
    if not before:
        return None
    last = max(before, key=lambda lg: (lg["blockNumber"], lg["logIndex"]))
    from eth_abi import decode

    _key, value = decode(["string", "bytes"], bytes(last["data"]))
    return Web3.to_checksum_address(value) if len(value) == 20 else "0x" + "00" * 20


def verify_feedback(w3: Web3, file: bytes | Any, *, client: str, agent_id: int, identity_registry: str, token: str,
                    feedback_hash: bytes | None = None, claims: PaymentClaims | None = None, feedback_id: Hashable | None = None,
                    min_amount: int = 0, registry_block: int = 0) -> Verdict:
    """The verdict on one feedback's payment backing (rules in the module docstring).

    ``file`` is the feedback file's bytes (or a parsed `FeedbackFile`, then ``feedback_hash`` is
    not checked); ``client`` / ``agent_id`` come from the on-chain feedback; ``claims`` with
    ``feedback_id`` enforce one payment, one feedback (without them rule 6 is skipped);
    ``registry_block`` (the identity registry's deployment block) bounds the wallet-history scan."""
    from hashtrust.erc8004.feedback import FeedbackFile, caip10

    chain_id = w3.eth.chain_id
    client = Web3.to_checksum_address(client)
    # 1. the file
    if isinstance(file, (bytes, bytearray)):
        if feedback_hash is not None and keccak(bytes(file)) != bytes(feedback_hash):
            return _no("the file does not hash to the on-chain feedbackHash")
        try:
            fb = FeedbackFile.from_bytes(bytes(file))
        except Exception as exc:  # noqa: BLE001 - json / pydantic errors
            return _no(f"not a valid feedback file ({type(exc).__name__})")
    else:
        fb = file
    if fb.agentId != agent_id:
        return _no(f"the file is about agent {fb.agentId}, the feedback about agent {agent_id}")
    if fb.agentRegistry != caip10(chain_id, identity_registry):
        return _no(f"the file names registry {fb.agentRegistry}, not {caip10(chain_id, identity_registry)}")
    if fb.clientAddress != caip10(chain_id, client):
        return _no(f"the file names client {fb.clientAddress}, the feedback was given by {client}")
    # 2. the proof
    pop = fb.proofOfPayment
    if pop is None:
        return _no("no proofOfPayment")
    if str(pop.chainId) not in (str(chain_id), f"eip155:{chain_id}"):
        return _no(f"proofOfPayment.chainId {pop.chainId} is not this chain ({chain_id})")
    if not Web3.is_address(pop.fromAddress) or Web3.to_checksum_address(pop.fromAddress) != client:
        return _no(f"proofOfPayment.fromAddress {pop.fromAddress} is not the feedback's client {client}")
    if not Web3.is_address(pop.toAddress):
        return _no(f"proofOfPayment.toAddress {pop.toAddress!r} is not an address")
    # 3. the transaction
    try:
        receipt = w3.eth.get_transaction_receipt(pop.txHash)
    except Exception:  # noqa: BLE001 - TransactionNotFound, or a malformed hash
        return _no(f"transaction {pop.txHash} is not on chain")
    if receipt["status"] != 1:
        return _no(f"transaction {pop.txHash} reverted")
    # 4. the settlement in it
    pay = payment_in_receipt(receipt, token, payer=client, tx_hash=Web3.to_hex(receipt["transactionHash"]), chain_id=chain_id)
    if pay is None:
        return _no(f"transaction {pop.txHash} holds no EIP-3009 payment by {client} in the devnet USD token")
    if pay.to != Web3.to_checksum_address(pop.toAddress):
        return _no(f"the payment went to {pay.to}, not proofOfPayment.toAddress {pop.toAddress}", pay)
    wallet = wallet_at(w3, identity_registry, agent_id, pay.block_number, pay.log_index, from_block=registry_block)
    if wallet is None or wallet != pay.to:
        return _no(f"the payment went to {pay.to}, but agent {agent_id}'s wallet at that block was {wallet}", pay)
    # 5. the attestation
    raw_att = (fb.model_extra or {}).get("interactionAttestation")
    if raw_att is None:
        return _no("no interactionAttestation: the payment is shown, the service is not", pay)
    try:
        att = Attestation.from_dict(raw_att)
    except InputError as exc:
        return _no(str(exc), pay)
    if (att.chain_id, att.identity_registry) != (chain_id, Web3.to_checksum_address(identity_registry)):
        return _no("the attestation is for another chain or registry", pay)
    if int(att.message["amount"]) > pay.amount:
        return _no(f"the payment moved {pay.amount}, less than the attested price {att.message['amount']}", pay)
    if pay.amount < min_amount:
        return _no(f"the payment moved {pay.amount}, less than the required {min_amount}", pay)
    want = Attestation.build_message(agent_id=agent_id, client=client, pay_to=pay.to, asset=pay.token, amount=int(att.message["amount"]),
                                     settlement_tx=pay.tx_hash, nonce=pay.nonce, request_hash=att.message["requestHash"],
                                     response_hash=att.message["responseHash"], resource=att.message["resource"])
    for k in ("agentId", "client", "payTo", "asset", "settlementTx", "nonce"):
        if att.message[k] != want[k]:
            return _no(f"the attestation's {k} does not match the payment", pay)
    if not att.signed_by(w3, wallet, block=pay.block_number if _has_state(w3, pay.block_number) else "latest"):
        return _no(f"the attestation is not signed by agent {agent_id}'s wallet {wallet}", pay)
    # 6. one payment, one feedback
    if claims is not None and feedback_id is not None:
        holder = claims.claim(pay, feedback_id)
        if holder != feedback_id:
            return _no(f"the payment already backs feedback {holder}", pay)
    return Verdict(VERIFIED, f"paid {pay.amount} to agent {agent_id}'s wallet in tx {pay.tx_hash}, service attested", pay)


def _has_state(w3: Web3, block: int) -> bool:
    """Whether the node still answers calls at ``block`` (Anvil prunes old states)."""
    try:
        w3.eth.get_balance("0x" + "00" * 20, block_identifier=block)
        return True
    except Exception:  # noqa: BLE001
        return False
