"""Every bad payment is refused with a clear reason, and nothing is settled.

Story: mallory replays a client's signed payment, pays less than the price, signs windows that
are closed on the chain's clock, forges a client's signature, and runs lying servers (payTo not
the agent's wallet, another chain, another token); the agent's facilitator goes down before and
after the 402. Each time the token balances and the nonce state are checked: nothing moved."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from eth_account import Account
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from payments_world import SUMMARIZE_PRICE, TRANSLATOR_WALLET, payments_world, refusing_port
from x402.http.utils import encode_payment_signature_header
from x402.mechanisms.evm.types import ExactEIP3009Authorization, ExactEIP3009Payload
from x402.schemas import PaymentPayload, PaymentRequirements

from hashtrust.chain.accounts import devnet_key
from hashtrust.payments import clock, eip3009
from hashtrust.payments.client import PaymentRefused, call_agent
from hashtrust.payments.serving import Served

BODY = b'{"text": "pay me"}'


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with payments_world(tmp_path_factory.mktemp("x402-refusals"), clock_ahead_s=2 * 86_400) as w:
        yield w


def _requirement(world) -> PaymentRequirements:
    r = httpx.post(world.endpoint(world.summarizer), content=BODY)
    assert r.status_code == 402
    return PaymentRequirements.model_validate(json.loads(base64.b64decode(r.headers["PAYMENT-REQUIRED"]))["accepts"][0])


def _payload(world, key, req: PaymentRequirements, *, signer_key=None, value=None, after=None, before=None, nonce=None,
             sign_value=None) -> tuple[PaymentPayload, eip3009.Authorization]:
    payer = Account.from_key(key).address
    now = clock.read(world.w3).chain
    auth = eip3009.Authorization.new(payer, req.pay_to, int(req.amount) if value is None else value,
                                     valid_after=0 if after is None else after, valid_before=now + 300 if before is None else before, nonce=nonce)
    signed = auth if sign_value is None else eip3009.Authorization(auth.sender, auth.to, sign_value, auth.valid_after, auth.valid_before, auth.nonce)
    sig = eip3009.sign(signed, signer_key or key, **world.usd.domain())
    inner = ExactEIP3009Payload(authorization=ExactEIP3009Authorization(
        from_address=auth.sender, to=auth.to, value=str(auth.value), valid_after=str(auth.valid_after),
        valid_before=str(auth.valid_before), nonce="0x" + auth.nonce.hex()), signature="0x" + sig.hex())
    return PaymentPayload(x402_version=2, payload=inner.to_dict(), accepted=req), auth


def _pay(world, payload: PaymentPayload) -> httpx.Response:
    return httpx.post(world.endpoint(world.summarizer), content=BODY, headers={"PAYMENT-SIGNATURE": encode_payment_signature_header(payload)})


def _error_of(resp: httpx.Response) -> str:
    if "PAYMENT-RESPONSE" in resp.headers:
        return json.loads(base64.b64decode(resp.headers["PAYMENT-RESPONSE"]))["errorReason"]
    return json.loads(base64.b64decode(resp.headers["PAYMENT-REQUIRED"]))["error"]


def _verify(world, payload: PaymentPayload, req: PaymentRequirements | None = None) -> dict:
    body = {"x402Version": 2, "paymentPayload": payload.model_dump(by_alias=True, exclude_none=True),
            "paymentRequirements": (req or payload.accepted).model_dump(by_alias=True, exclude_none=True)}
    return httpx.post(world.fac_srv.url + "/verify", json=body).json()


def _settle(world, payload: PaymentPayload, req: PaymentRequirements | None = None) -> dict:
    body = {"x402Version": 2, "paymentPayload": payload.model_dump(by_alias=True, exclude_none=True),
            "paymentRequirements": (req or payload.accepted).model_dump(by_alias=True, exclude_none=True)}
    return httpx.post(world.fac_srv.url + "/settle", json=body).json()


def _nothing_moved(world, key, auth) -> None:
    payer = Account.from_key(key).address
    assert world.balance(payer) == 10_000_000
    assert not world.usd.authorization_state(payer, auth.nonce)


# ---------------------------------------------------------------------------- replay
def test_replayed_authorization_is_refused(world):
    key = world.new_client()
    payload, auth = _payload(world, key, _requirement(world))
    ok = _pay(world, payload)
    assert ok.status_code == 200
    wallet_balance = world.balance(world.wallet(world.summarizer))
    again = _pay(world, payload)  # the same PAYMENT-SIGNATURE a second time
    assert again.status_code == 402 and _error_of(again) == "invalid_exact_evm_nonce_already_used"
    assert world.balance(world.wallet(world.summarizer)) == wallet_balance
    assert world.balance(Account.from_key(key).address) == 10_000_000 - SUMMARIZE_PRICE
    s = _settle(world, payload)  # straight to the facilitator's /settle: the same answer, no transaction
    assert s["success"] is False and s["errorReason"] == "invalid_exact_evm_nonce_already_used" and s["transaction"] == ""


# ---------------------------------------------------------------------------- amount
def test_payment_below_the_price_is_refused(world):
    key = world.new_client()
    payload, auth = _payload(world, key, _requirement(world), value=SUMMARIZE_PRICE - 1)
    r = _pay(world, payload)
    assert r.status_code == 402 and _error_of(r) == "invalid_exact_evm_payload_authorization_value_mismatch"
    _nothing_moved(world, key, auth)


def test_signature_over_a_smaller_value_is_refused(world):
    """The payload says the price, but the payer signed less: the signature does not match."""
    key = world.new_client()
    payload, auth = _payload(world, key, _requirement(world), sign_value=SUMMARIZE_PRICE - 1)
    r = _pay(world, payload)
    assert r.status_code == 402 and _error_of(r) == "invalid_exact_evm_payload_signature"
    _nothing_moved(world, key, auth)


# ---------------------------------------------------------------------------- the window (chain clock)
def test_valid_before_in_the_past_is_refused(world):
    key = world.new_client()
    now = clock.read(world.w3)
    # in the chain's past but in the host's future: the x402 package alone would pass it
    payload, auth = _payload(world, key, _requirement(world), before=now.chain - 10)
    assert int(payload.payload["authorization"]["validBefore"]) > now.wall
    r = _pay(world, payload)
    assert r.status_code == 402 and _error_of(r) == "invalid_exact_evm_payload_authorization_valid_before"
    v = _verify(world, payload)
    assert v["isValid"] is False and "has passed on the chain's clock" in v["invalidMessage"]
    _nothing_moved(world, key, auth)


def test_valid_after_in_the_future_is_refused(world):
    key = world.new_client()
    now = clock.read(world.w3).chain
    payload, auth = _payload(world, key, _requirement(world), after=now + 600, before=now + 900)
    r = _pay(world, payload)
    assert r.status_code == 402 and _error_of(r) == "invalid_exact_evm_payload_authorization_valid_after"
    v = _verify(world, payload)
    assert "is not yet reached on the chain's clock" in v["invalidMessage"]
    _nothing_moved(world, key, auth)


# ---------------------------------------------------------------------------- signature
def test_forged_signature_is_refused(world):
    key = world.new_client()
    mallory = world.new_client()
    payload, auth = _payload(world, key, _requirement(world), signer_key=mallory)  # mallory signs the client's payment
    r = _pay(world, payload)
    assert r.status_code == 402 and _error_of(r) == "invalid_exact_evm_payload_signature"
    s = _settle(world, payload)
    assert s["success"] is False and s["transaction"] == ""
    _nothing_moved(world, key, auth)


# ---------------------------------------------------------------------------- chain and token at the facilitator
def test_facilitator_refuses_another_chain_or_token(world, tmp_path):
    key = world.new_client()
    req = _requirement(world)
    payload, auth = _payload(world, key, req)
    other_chain = req.model_copy(update={"network": "eip155:1"})
    v = _verify(world, payload.model_copy(update={"accepted": other_chain}), other_chain)
    assert v["isValid"] is False and v["invalidReason"] == "network_mismatch" and "eip155:31337 only" in v["invalidMessage"]
    other_token = req.model_copy(update={"asset": world.book.address("IdentityRegistry")})
    v = _verify(world, payload.model_copy(update={"accepted": other_token}), other_token)
    assert v["isValid"] is False and v["invalidReason"] == "unsupported_asset"
    wrong_domain = req.model_copy(update={"extra": {"name": "USD Coin", "version": "2"}})
    v = _verify(world, payload.model_copy(update={"accepted": wrong_domain}), wrong_domain)
    assert v["isValid"] is False and v["invalidReason"] == "unsupported_asset"
    _nothing_moved(world, key, auth)


def test_facilitator_refuses_malformed_requests(world):
    assert httpx.post(world.fac_srv.url + "/verify", content=b"not json").status_code == 400
    r = httpx.post(world.fac_srv.url + "/settle", json={"x402Version": 1, "paymentPayload": {}, "paymentRequirements": {}})
    assert r.status_code == 400 and "x402Version must be 2" in r.json()["error"]
    r = httpx.post(world.fac_srv.url + "/verify", json={"x402Version": 2, "paymentPayload": {"x": 1}, "paymentRequirements": {}})
    assert r.status_code == 400


# ---------------------------------------------------------------------------- lying servers: the client refuses before paying
def _liar(world, *, pay_to=None, network="eip155:31337", asset=None, extra=None) -> Served:
    """A server that asks for payment on its own terms: a well-formed v2 402 (``PAYMENT-REQUIRED``)."""
    from x402.http.utils import encode_payment_required_header
    from x402.schemas import PaymentRequired

    req = PaymentRequirements(scheme="exact", network=network, asset=asset or world.usd.address, amount=str(SUMMARIZE_PRICE),
                              pay_to=pay_to or world.wallet(1), max_timeout_seconds=120,
                              extra=extra or {"name": world.usd.name(), "version": "1"})
    header = encode_payment_required_header(PaymentRequired(accepts=[req]))
    app = FastAPI()

    @app.post("/agents/1/summarize")
    def served() -> JSONResponse:
        return JSONResponse({}, status_code=402, headers={"PAYMENT-REQUIRED": header})

    return Served(app, port=world.agent_port, name="liar")


@pytest.fixture
def swap_server(world):
    """Stop the honest agents' server for one test (the liar takes its port), then restart it."""
    world.agents_srv.stop()
    yield
    world.agents_srv.start()


@pytest.mark.parametrize("lie, reason", [
    ("pay_to", r"payTo 0x[0-9a-fA-F]{40} is not the agent's on-chain wallet"),
    ("network", r"the price is on network eip155:1, not this chain \(eip155:31337\)"),
    ("asset", r"the price is in token 0x[0-9a-fA-F]{40}, not the devnet USD token"),
    ("extra", r"the token's EIP-712 domain is 'USD Stablecoin \(devnet\)'/'1', the price says 'USD Coin'/'2'"),
])
def test_client_refuses_a_lying_price_before_signing(world, swap_server, lie, reason):
    key = world.new_client()
    mallory = Account.from_key(devnet_key(9)).address
    lies = {"pay_to": {"pay_to": mallory}, "network": {"network": "eip155:1"},
            "asset": {"asset": world.book.address("IdentityRegistry")}, "extra": {"extra": {"name": "USD Coin", "version": "2"}}}[lie]
    with _liar(world, **lies):
        before = world.w3.eth.block_number
        with pytest.raises(PaymentRefused, match=reason + r".*nothing was signed"):
            call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
        assert world.w3.eth.block_number == before  # not a single transaction
    assert world.balance(Account.from_key(key).address) == 10_000_000


# ---------------------------------------------------------------------------- facilitator down
def test_facilitator_down_before_the_402(world, tmp_path):
    """A server whose facilitator never answered: a 502 before any price; the client says so."""
    with refusing_port() as port:
        _facilitator_down_before_the_402(world, f"http://127.0.0.1:{port}")


def _facilitator_down_before_the_402(world, dead: str) -> None:
    from hashtrust.payments.server import ServedAgent, paid_app, paid_services

    world.agents_srv.stop()
    try:
        app = paid_app(w3=world.w3, identity=world.identity, token=world.usd, facilitator_url=dead,
                       agents=[ServedAgent(1, paid_services(1, world.regs[1]), devnet_key(0))])
        with Served(app, port=world.agent_port, name="agents-no-facilitator"):
            key = world.new_client()
            with pytest.raises(PaymentRefused, match=rf"failed before any payment \(HTTP 502: facilitator {dead} is unreachable.*nothing was paid"):
                call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
            assert world.balance(Account.from_key(key).address) == 10_000_000
    finally:
        world.agents_srv.start()


def test_facilitator_down_after_the_402_leaves_nothing_half_made(world):
    """The facilitator stops between the 402 and the paid request: the server cannot verify
    (502); the client finds its authorization unused on chain and cancels it, so the signed
    payment can never be settled later."""
    httpx.post(world.endpoint(world.summarizer), content=BODY)  # the server has its requirements
    world.fac_srv.stop()
    try:
        key = world.new_client()
        payer = Account.from_key(key).address
        with pytest.raises(PaymentRefused, match=r"the agent refused the payment: facilitator http://127\.0\.0\.1:\d+ is unreachable \(\w+\); no payment was verified or settled; nothing was paid \(the signed authorization was cancelled in tx 0x[0-9a-f]{64}\)") as err:
            call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
        assert world.balance(payer) == 10_000_000
        tx = str(err.value).rsplit("tx ", 1)[1].rstrip(")")
        (ev,) = world.usd.events(world.w3.eth.get_transaction_receipt(tx), "AuthorizationCanceled")
        assert ev["authorizer"] == payer and world.usd.authorization_state(payer, ev["nonce"])
    finally:
        world.fac_srv.start()
    # and with the facilitator back, a new call is paid normally
    key = world.new_client()
    call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
    assert world.balance(Account.from_key(key).address) == 10_000_000 - SUMMARIZE_PRICE


def test_failed_service_is_not_charged(tmp_path):
    """A handler that fails: the middleware does not settle; the client cancels its authorization."""
    def broken(agent_id, service, body):
        raise RuntimeError("model not loaded")

    with payments_world(tmp_path, handler=broken) as world:
        key = world.new_client()
        with pytest.raises(PaymentRefused, match=r"the agent's service failed \(HTTP 500: the service failed: RuntimeError: model not loaded\); nothing was paid \(the signed authorization was cancelled"):
            call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
        assert world.balance(Account.from_key(key).address) == 10_000_000


def test_client_without_gas_keeps_nothing_half_made_and_says_so(world):
    """No ETH to cancel with: the client says the authorization was not used and until when it
    stays valid (nothing was paid)."""
    httpx.post(world.endpoint(world.summarizer), content=BODY)
    key = world.new_client(eth=0)
    world.fac_srv.stop()
    try:
        with pytest.raises(PaymentRefused, match=r"nothing was paid, but cancelling the signed authorization failed .* stays usable until \d+"):
            call_agent(world.w3, world.book, key, agent_id=world.summarizer, service="summarize", body=BODY)
    finally:
        world.fac_srv.start()
    assert world.balance(Account.from_key(key).address) == 10_000_000


# ---------------------------------------------------------------------------- the server's own refusals
def test_server_stops_selling_when_the_agents_wallet_moves(world):
    """The translator's wallet is moved to another key while its server runs: the server holds the
    old wallet's key, so it answers 503 before any price (nothing verified or settled), and sells
    again once the wallet is back."""
    from hashtrust.payments.server import ServedAgent, paid_app, paid_services

    translator = world.translator
    hot = devnet_key(TRANSLATOR_WALLET)
    world.agents_srv.stop()
    try:
        # wallet_ttl_s=0: the on-chain wallet is read on every request (no cache to wait out)
        app = paid_app(w3=world.w3, identity=world.identity, token=world.usd, facilitator_url=world.fac_srv.url, wallet_ttl_s=0,
                       agents=[ServedAgent(translator, paid_services(translator, world.regs[translator]), hot)])
        with Served(app, port=world.agent_port, name="agents-wallet-watch"):
            assert httpx.post(world.endpoint(translator), content=BODY).status_code == 402
            elsewhere = devnet_key(7)
            world.identity.set_agent_wallet(translator, elsewhere)
            try:
                key = world.new_client()
                blocks = world.w3.eth.block_number
                r = httpx.post(world.endpoint(translator), content=BODY)
                assert r.status_code == 503 and "PAYMENT-REQUIRED" not in r.headers
                assert r.json()["error"] == (f"agent {translator}'s wallet is now {Account.from_key(elsewhere).address}; "
                                             f"this server holds {Account.from_key(hot).address} and stopped selling")
                with pytest.raises(PaymentRefused, match=r"failed before any payment \(HTTP 503: agent 2's wallet is now .*stopped selling\); nothing was paid"):
                    call_agent(world.w3, world.book, key, agent_id=translator, service="translate", body=BODY)
                assert world.w3.eth.block_number == blocks and world.balance(Account.from_key(key).address) == 10_000_000
            finally:
                world.identity.set_agent_wallet(translator, hot)
            assert httpx.post(world.endpoint(translator), content=BODY).status_code == 402
    finally:
        world.agents_srv.start()


def test_request_body_above_the_limit_is_refused_before_any_price(world):
    from hashtrust.payments.server import MAX_BODY

    key = world.new_client()
    payload, auth = _payload(world, key, _requirement(world))
    big = b"x" * (MAX_BODY + 1)
    r = httpx.post(world.endpoint(world.summarizer), content=big, headers={"PAYMENT-SIGNATURE": encode_payment_signature_header(payload)})
    assert r.status_code == 413 and r.json()["error"] == f"request body above {MAX_BODY} bytes"
    assert "PAYMENT-RESPONSE" not in r.headers
    _nothing_moved(world, key, auth)
