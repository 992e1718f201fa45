"""Pay an agent over x402 on a devnet whose clock runs three days ahead of this host's.

Story: a client finds the Summarizer's x402 service in its on-chain registration file, gets a
402 (v2 ``PAYMENT-REQUIRED``), checks the price is in the devnet USD token on this chain and
payable to the agent's on-chain wallet, signs an EIP-3009 authorization, and is served with a
``PAYMENT-RESPONSE`` naming the settlement and an attestation signed by the agent's wallet.
The same devnet refuses the x402 package's own wall-clock authorizations, explicitly and before
anything is sent. Every refusal below moves no token."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from eth_account import Account
from payments_world import SUMMARIZE_PRICE, TRANSLATE_PRICE, payments_world
from x402 import x402ClientSync
from x402.http import x402HTTPClientSync
from x402.mechanisms.evm.exact import ExactEvmClientScheme

from hashtrust.payments import attestation, clock, eip3009
from hashtrust.payments.client import Payer, PaymentRefused, call_agent

AHEAD = 3 * 86_400
BODY = b'{"text": "ERC-8004 says whom to trust; x402 says how to pay."}'


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with payments_world(tmp_path_factory.mktemp("x402-flow"), clock_ahead_s=AHEAD) as w:
        yield w


def test_the_devnet_clock_is_days_ahead(world):
    c = clock.read(world.w3)
    assert c.skew > AHEAD - 120, c


def test_unpaid_request_gets_a_v2_402(world):
    r = httpx.post(world.endpoint(world.summarizer), content=BODY)
    assert r.status_code == 402
    required = json.loads(base64.b64decode(r.headers["PAYMENT-REQUIRED"]))
    assert required["x402Version"] == 2
    (req,) = required["accepts"]
    assert req["scheme"] == "exact" and req["network"] == "eip155:31337"
    assert req["asset"] == world.usd.address and req["amount"] == str(SUMMARIZE_PRICE)
    assert req["payTo"] == world.wallet(world.summarizer)
    assert req["extra"] == {"name": "USD Stablecoin (devnet)", "version": "1"}


def test_paid_call_is_settled_served_and_attested(world):
    key = world.new_client()
    payer = Account.from_key(key).address
    wallet = world.wallet(world.summarizer)
    before_payer, before_wallet = world.balance(payer), world.balance(wallet)
    paid = call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
    assert world.balance(payer) == before_payer - SUMMARIZE_PRICE
    assert world.balance(wallet) == before_wallet + SUMMARIZE_PRICE
    out = json.loads(paid.response)
    assert out["agentId"] == world.summarizer and out["service"] == "summarize"
    # the settlement: AuthorizationUsed then Transfer, sent by the facilitator's account
    receipt = world.w3.eth.get_transaction_receipt(paid.tx_hash)
    assert receipt["status"] == 1 and receipt["from"] == world.facilitator.address
    assert [bytes(lg["topics"][0]) for lg in receipt["logs"]] == [eip3009.AUTHORIZATION_USED_TOPIC, eip3009.TRANSFER_TOPIC]
    nonce = bytes.fromhex(paid.nonce[2:])
    assert world.usd.authorization_state(payer, nonce)
    # the attestation: the agent's wallet signed this request, this response, this settlement
    att = attestation.Attestation.from_dict(paid.attestation)
    assert att.signer_of() == wallet
    assert att.message["settlementTx"].hex() == paid.tx_hash[2:]
    assert att.message["requestHash"] == attestation.request_hash("POST", "/agents/1/summarize", BODY)
    assert att.message["responseHash"] == attestation.response_hash(paid.response)
    assert (att.message["client"], att.message["payTo"], att.message["amount"]) == (payer, wallet, SUMMARIZE_PRICE)
    # on this devnet the window had to follow the chain's clock, not the host's
    block_ts = world.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    tx = world.w3.eth.get_transaction(paid.tx_hash)
    args = world.usd.contract.decode_function_input(tx["input"])[1]
    assert args["validBefore"] > block_ts > clock.read(world.w3).wall


def test_agent_with_a_hot_wallet_is_paid_there(world):
    key = world.new_client()
    paid = call_agent(world.w3, world.book, key, agent_id=world.translator, service="translate", body=b'{"to": "fr"}')
    assert paid.pay_to == world.wallet(world.translator) != world.identity.owner_of(world.translator)
    assert paid.amount == TRANSLATE_PRICE
    assert attestation.Attestation.from_dict(paid.attestation).signer_of() == paid.pay_to


def test_the_packages_wall_clock_authorization_is_refused_on_this_devnet(world):
    """The x402 package's own client signs validBefore = host time + timeout: three days in the
    chain's past. The facilitator refuses it on the chain's clock, names it, and sends nothing."""
    key = world.new_client()
    payer = Account.from_key(key).address
    x = x402ClientSync()
    x.register("eip155:31337", ExactEvmClientScheme(Account.from_key(key)))
    x.set_spend_controls(False)
    h = x402HTTPClientSync(x)
    url = world.endpoint(world.summarizer)
    first = httpx.post(url, content=BODY)
    headers, payload = h.handle_402_response(dict(first.headers), first.content, url)
    r = httpx.post(url, content=BODY, headers=headers)
    assert r.status_code == 402
    failure = json.loads(base64.b64decode(r.headers["PAYMENT-REQUIRED"]))
    assert failure["error"] == "invalid_exact_evm_payload_authorization_valid_before"
    assert world.balance(payer) == 10_000_000
    nonce = bytes.fromhex(payload.payload["authorization"]["nonce"][2:])
    assert not world.usd.authorization_state(payer, nonce)
    # the facilitator says why, in terms of the chain's clock
    body = {"x402Version": 2, "paymentPayload": payload.model_dump(by_alias=True, exclude_none=True),
            "paymentRequirements": payload.accepted.model_dump(by_alias=True, exclude_none=True)}
    v = httpx.post(world.fac_srv.url + "/verify", json=body).json()
    assert v["isValid"] is False and v["invalidReason"] == "invalid_exact_evm_payload_authorization_valid_before"
    assert "chain's clock" in v["invalidMessage"] and "+2" in v["invalidMessage"]  # skew of +2xx,xxx s


def test_facilitator_supported_lists_this_chain(world):
    s = httpx.get(world.fac_srv.url + "/supported").json()
    assert {"x402Version": 2, "scheme": "exact", "network": "eip155:31337"} in [{k: v for k, v in k_.items() if k != "extra"} for k_ in s["kinds"]]
    assert s["signers"]["eip155:*"] == [world.facilitator.address]


def test_inactive_agent_is_not_paid(world):
    key = world.new_client()
    with pytest.raises(PaymentRefused, match=r"agent 3 is not active"):
        call_agent(world.w3, world.book, key, agent_id=world.retired, service="summarize", body=BODY)
    assert world.balance(Account.from_key(key).address) == 10_000_000


def test_price_above_the_clients_limit_is_refused_before_signing(world):
    key = world.new_client()
    with pytest.raises(PaymentRefused, match=r"the price 250000 is above the most you allow \(249999\); nothing was signed"):
        call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY, max_price=SUMMARIZE_PRICE - 1)
    assert world.balance(Account.from_key(key).address) == 10_000_000


def test_unknown_service_and_agent_are_refused(world):
    key = world.new_client()
    with pytest.raises(PaymentRefused, match=r"offers no x402 service 'translate' \(it offers: summarize\)"):
        call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="translate")
    with pytest.raises(PaymentRefused, match=r"agent 99 does not exist"):
        call_agent(world.w3, world.book, key, agent_id=99, service="summarize")


def test_one_payer_makes_many_calls_each_checked_and_paid(world):
    """A `Payer` reuses its registry, token and HTTP connections; every call is a new payment
    (new nonce, new settlement, new attestation)."""
    key = world.new_client()
    with Payer(world.w3, world.book, key) as payer:
        calls = [payer.call(world.summarizer, "summarize", b'{"n": %d}' % i) for i in range(3)]
    assert len({c.tx_hash for c in calls}) == len({c.nonce for c in calls}) == 3
    assert world.balance(payer.address) == 10_000_000 - 3 * SUMMARIZE_PRICE
    assert len({c.request_hash for c in calls}) == 3


def test_marketplace_sells_what_a_wallet_may_sell(world):
    """`Marketplace` (what `agents serve` runs): without ids it takes every active agent whose
    wallet is the key, with ids it refuses the others by name; it starts its own facilitator
    (or uses the one named), stops both, can be started again, and refuses a second start."""
    from hashtrust.chain.accounts import devnet_key
    from hashtrust.errors import HashtrustError
    from hashtrust.payments.server import Marketplace, agents_of_wallet
    from payments_world import TRANSLATOR_WALLET

    assert [a.agent_id for a in agents_of_wallet(world.identity, devnet_key(0))] == [world.summarizer]  # 3 is retired
    assert [a.agent_id for a in agents_of_wallet(world.identity, devnet_key(TRANSLATOR_WALLET))] == [world.translator]
    with pytest.raises(HashtrustError, match="agent 3 is not active"):
        agents_of_wallet(world.identity, devnet_key(0), [world.retired])
    with pytest.raises(HashtrustError, match="no agent with an x402 service has this account"):
        agents_of_wallet(world.identity, devnet_key(7))
    from hashtrust.payments.serving import free_port

    # on the agents' port (their registration files' endpoints), in place of the world's server
    world.agents_srv.stop()
    try:
        m = Marketplace(world.rpc, world.book, devnet_key(TRANSLATOR_WALLET), port=world.agent_port, facilitator_key=devnet_key(6), facilitator_port=free_port())
        assert m.facilitator is None and not m.running
        for _ in range(2):  # started, stopped, started again: its own facilitator each time, and a call paid through both
            with m:
                assert m.running and m.facilitator is not None
                assert httpx.post(world.endpoint(world.summarizer), content=BODY).status_code == 404  # the summarizer's wallet is not this key
                paid = call_agent(world.w3, world.book, world.new_client(), agent_id=world.translator, service="translate", body=BODY)
                assert paid.amount == TRANSLATE_PRICE and paid.pay_to == world.wallet(world.translator)
                assert world.w3.eth.get_transaction(paid.tx_hash)["from"] == m.facilitator.address != world.facilitator.address
                with pytest.raises(HashtrustError, match="already running"):
                    m.start()
            assert not m.running and m.facilitator is None
        # an external facilitator (here the world's): none started, the given one settles
        ext = Marketplace(world.rpc, world.book, devnet_key(TRANSLATOR_WALLET), port=world.agent_port, facilitator_url=world.fac_srv.url)
        with ext:
            assert ext.running and ext.facilitator is None and ext.facilitator_url == world.fac_srv.url
            paid = call_agent(world.w3, world.book, world.new_client(), agent_id=world.translator, service="translate", body=BODY)
            assert world.w3.eth.get_transaction(paid.tx_hash)["from"] == world.facilitator.address
        assert not ext.running and ext.facilitator_url == world.fac_srv.url
        with pytest.raises(HashtrustError, match="the built-in facilitator needs a facilitator key"):
            Marketplace(world.rpc, world.book, devnet_key(TRANSLATOR_WALLET), port=world.agent_port, facilitator_port=free_port()).start()
    finally:
        world.agents_srv.start()
