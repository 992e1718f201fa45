"""The paying client: find an agent's x402 service on chain, check the price, pay, keep a receipt.

    paid = call_agent(w3, book, payer_key, agent_id=3, service="summarize", body=b'{"text": "..."}',
                      max_price=300_000)
    paid.response          # the service's answer
    paid.receipt()         # what `hashtrust agents rate --paid-call` attaches to a feedback

Before it signs anything it checks (each refusal raises `PaymentRefused`, nothing is signed):

* the agent exists, its registration file says ``active`` and ``x402Support`` and lists the
  x402 service ``service`` (`hashtrust.payments.server.paid_services`);
* the 402's requirement is the "exact" scheme on **this** chain (``eip155:<chain id>``), in the
  **devnet USD token** of the address book with that token's EIP-712 name and version, its
  ``payTo`` is the agent's **on-chain** ``agentWallet`` (not whatever the server says), and its
  amount is at most ``max_price`` (default: the price the registration file advertises).

It then pays with the ``x402`` package's client (`x402ClientSync`, its spend controls capped
at the same price) and a scheme that signs the EIP-3009 window on both clocks
(`ChainClockEvmScheme`, see `hashtrust.payments.clock`). After the paid request:

* success: the ``PAYMENT-RESPONSE`` names a transaction whose ``AuthorizationUsed`` and
  ``Transfer`` logs move the price from the payer to the wallet, and the
  ``X-Interaction-Attestation`` is the wallet's signature over that transaction and the
  hashes of this request and this response; either check failing is a `PaymentRefused`
  naming what (the payment stands on chain and the receipt says so);
* failure (the agent, its facilitator or the network failed): nothing is left half-made; if
  the authorization was not used on chain the client cancels it (``cancelAuthorization``)
  so it can never be settled later, and says so; if it was used, the error names the
  settlement transaction.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
from eth_account import Account
from web3 import Web3
from x402 import x402ClientSync
from x402.http import x402HTTPClientSync
from x402.mechanisms.evm.types import ExactEIP3009Authorization, ExactEIP3009Payload
from x402.schemas import PaymentRequired, PaymentRequirements

from hashtrust.chain import jsonsafe
from hashtrust.chain.decode import display
from hashtrust.chain.fetch import BodyTooLarge, read_capped
from hashtrust.chain.logs import get_logs
from hashtrust.chain.tx import TxSender
from hashtrust.errors import HashtrustError
from hashtrust.payments import attestation, clock, eip3009
from hashtrust.payments.facilitator import network_id
from hashtrust.payments.server import PaidService, paid_services

MAX_REPLY_BYTES = 8 << 20
"""The largest reply read from an agent's paid service (bytes); a larger one is refused."""
RECEIPT_VERSION = 1


class PaymentRefused(HashtrustError):
    """The client refused to pay, or a paid call did not deliver what was paid for."""


class ChainClockEvmScheme:
    """The x402 client scheme "exact" for EIP-3009, signing a window open on both clocks.

    Implements the package's `SchemeNetworkClient` protocol (``scheme``,
    ``create_payment_payload``); the package wraps the inner payload into the v2
    `PaymentPayload`. Permit2 requirements are refused (the devnet token speaks EIP-3009)."""

    scheme = "exact"

    def __init__(self, key: Any, w3: Web3):
        self._account = Account.from_key(getattr(key, "key", key))
        self._w3 = w3
        self.last_authorization: eip3009.Authorization | None = None

    @property
    def address(self) -> str:
        return self._account.address

    def create_payment_payload(self, requirements: PaymentRequirements, extensions: dict | None = None) -> dict:
        extra = requirements.extra or {}
        if extra.get("assetTransferMethod") not in (None, "eip3009"):
            raise PaymentRefused(f"asset transfer method {extra.get('assetTransferMethod')!r} is not supported (EIP-3009 only)")
        after, before = clock.window(clock.read(self._w3), int(requirements.max_timeout_seconds or 60))
        auth = eip3009.Authorization.new(self.address, requirements.pay_to, int(requirements.amount), valid_after=after, valid_before=before)
        chain_id = int(str(requirements.network).split(":")[1])
        sig = eip3009.sign(auth, self._account.key, name=extra["name"], version=extra["version"], chain_id=chain_id, token=requirements.asset)
        self.last_authorization = auth
        return ExactEIP3009Payload(
            authorization=ExactEIP3009Authorization(from_address=auth.sender, to=auth.to, value=str(auth.value),
                                                    valid_after=str(auth.valid_after), valid_before=str(auth.valid_before),
                                                    nonce="0x" + auth.nonce.hex()),
            signature="0x" + sig.hex(),
        ).to_dict()


@dataclass
class PaidCall:
    """A paid, served, attested call."""

    chain_id: int
    identity_registry: str
    agent_id: int
    service: str
    url: str
    method: str
    payer: str
    pay_to: str
    asset: str
    amount: int
    tx_hash: str
    nonce: str
    request_hash: str
    response_hash: str
    attestation: dict
    status: int
    response: bytes = field(repr=False)

    def receipt(self) -> dict:
        """The JSON receipt `hashtrust agents call` writes and `agents rate --paid-call` reads."""
        return {
            "version": RECEIPT_VERSION, "chainId": self.chain_id, "identityRegistry": self.identity_registry,
            "agentId": self.agent_id, "service": self.service, "url": self.url, "method": self.method,
            "payer": self.payer, "payTo": self.pay_to, "asset": self.asset, "amount": str(self.amount),
            "txHash": self.tx_hash, "nonce": self.nonce, "requestHash": self.request_hash,
            "responseHash": self.response_hash, "attestation": self.attestation,
        }


@dataclass(frozen=True)
class Offer:
    """An agent's x402 service as the chain describes it."""

    agent_id: int
    service: PaidService
    wallet: str


def find_offer(identity: Any, agent_id: int, service: str, *, fetch: Any = None) -> Offer:
    """The agent's x402 service ``service``; refuses inactive agents, agents without a wallet,
    and registration files without that service."""
    from hashtrust.erc8004.discovery import fetch_registration
    from hashtrust.erc8004.registration import RegistrationFile

    if agent_id < 1 or agent_id > identity.total_agents():
        raise PaymentRefused(f"agent {agent_id} does not exist on chain {identity.w3.eth.chain_id}")
    uri = identity.token_uri(agent_id)
    try:
        raw = (fetch or fetch_registration)(uri)
        reg = RegistrationFile.from_json(raw, field=f"agent {agent_id} registration")
    except HashtrustError as exc:
        raise PaymentRefused(f"agent {agent_id}'s registration file cannot be read: {exc}") from None
    if not reg.active:
        raise PaymentRefused(f"agent {agent_id} is not active (its registration file says \"active\": false); not paying")
    if not reg.x402Support:
        raise PaymentRefused(f"agent {agent_id} does not accept x402 payments (x402Support is false)")
    services = paid_services(agent_id, reg)
    match = [s for s in services if s.service == service]
    if not match:
        have = ", ".join(s.service for s in services) or "none"
        raise PaymentRefused(f"agent {agent_id} offers no x402 service {service!r} (it offers: {have})")
    wallet = identity.get_agent_wallet(agent_id)
    if int(wallet, 16) == 0:
        raise PaymentRefused(f"agent {agent_id} has no agentWallet on chain: nobody to pay")
    return Offer(agent_id, match[0], wallet)


def check_requirement(req: PaymentRequirements, *, chain_id: int, token: str, token_domain: tuple[str, str], wallet: str, max_price: int) -> str | None:
    """None when this requirement is one we pay, else why not."""
    if req.scheme != "exact":
        return f"scheme {req.scheme!r} is not 'exact'"
    if str(req.network) != network_id(chain_id):
        return f"the price is on network {req.network}, not this chain ({network_id(chain_id)})"
    if str(req.asset).lower() != token.lower():
        return f"the price is in token {req.asset}, not the devnet USD token {token}"
    extra = req.extra or {}
    if (extra.get("name"), extra.get("version")) != token_domain:
        return f"the token's EIP-712 domain is {token_domain[0]!r}/{token_domain[1]!r}, the price says {extra.get('name')!r}/{extra.get('version')!r}"
    if not Web3.is_address(req.pay_to) or Web3.to_checksum_address(req.pay_to) != Web3.to_checksum_address(wallet):
        return f"payTo {req.pay_to} is not the agent's on-chain wallet {wallet}"
    try:
        amount = int(req.amount)
    except ValueError:
        return f"amount {req.amount!r} is not in atomic units"
    if amount <= 0:
        return f"amount {amount} is not positive"
    if amount > max_price:
        return f"the price {amount} is above the most you allow ({max_price})"
    try:
        timeout_s = int(req.max_timeout_seconds or 60)
    except (TypeError, ValueError):
        return f"maxTimeoutSeconds {display(req.max_timeout_seconds, 40)} is not a number of seconds"
    if timeout_s > clock.MAX_VALIDITY_S:
        return (f"the payment would stay valid for {timeout_s:,} s (maxTimeoutSeconds), longer than the "
                f"{clock.MAX_VALIDITY_S:,} s an authorization is signed for")
    if timeout_s <= clock.SETTLE_MARGIN_S:
        return f"maxTimeoutSeconds {timeout_s} leaves no time to settle (must be more than {clock.SETTLE_MARGIN_S} s)"
    return None


def _request(http: httpx.Client, method: str, url: str, body: bytes, headers: dict[str, str] | None = None,
             *, max_bytes: int = MAX_REPLY_BYTES, paid: bool = False) -> httpx.Response:
    """One request to an agent's service, its reply read through the byte cap (`read_capped`,
    counted while it arrives; second review, finding 2) within one overall deadline (the
    client's read timeout), so a service that streams for ever or drips cannot hold the payer.

    The reply must come unencoded (``Accept-Encoding: identity`` is asked for; third review,
    finding 3): a compressed body is refused before it is read, since decompression happens
    before the cap can count (1 KB of stacked gzip inflates to GBs)."""
    h = {"Content-Type": "application/json", **(headers or {}), "Accept-Encoding": "identity"}
    timeout = http.timeout.read or 60.0
    deadline = time.monotonic() + timeout
    # The deadline covers connect, headers and body (third review, finding 10): the watchdog is
    # armed before sending; it shuts the socket the request went out on (caught by httpcore's
    # trace hook when the connection is opened), else closes the client's connections.
    socks: list[Any] = []
    expired = threading.Event()

    def trace(event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                socks.append(sock)

    def cut() -> None:
        expired.set()
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if not socks:
            http.close()

    watchdog = threading.Timer(timeout, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        with http.stream(method, url, content=body if method != "GET" else None, headers=h, extensions={"trace": trace}) as resp:
            encoding = resp.headers.get("content-encoding", "").strip().lower()
            if encoding not in ("", "identity"):
                raise PaymentRefused(f"the agent's service at {url} sent a reply encoded as {display(encoding, 40)!s}, "
                                     "though only an unencoded one was accepted" + (" (after the payment was sent)" if paid else ""))
            length = resp.headers.get("content-length", "").strip()
            if length.isdigit() and int(length) > max_bytes:
                raise BodyTooLarge(max_bytes)
            content = read_capped(resp.iter_raw(), max_bytes, deadline=deadline)
        if expired.is_set():
            raise TimeoutError
    except (httpx.TransportError, RuntimeError) as exc:
        if expired.is_set() or time.monotonic() > deadline:
            raise PaymentRefused(f"the agent's service at {url} was still sending its reply after {timeout:g} s") from None
        if isinstance(exc, RuntimeError):
            raise
        raise PaymentRefused(f"the agent's service at {url} is unreachable ({type(exc).__name__})") from None
    except BodyTooLarge:
        raise PaymentRefused(f"the agent's service at {url} sent a reply larger than {max_bytes:,} bytes" + (" after the payment was sent" if paid else "")) from None
    except TimeoutError:
        raise PaymentRefused(f"the agent's service at {url} was still sending its reply after {timeout:g} s") from None
    finally:
        watchdog.cancel()
    return httpx.Response(resp.status_code, headers=resp.headers, content=content, request=resp.request)


def _error_text(resp: httpx.Response) -> str:
    try:
        data = jsonsafe.loads(resp.content)
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
    except ValueError:
        pass
    return (resp.text or "").strip()[:200] or resp.reason_phrase


def _payment_required(http402: x402HTTPClientSync, resp: httpx.Response) -> Any:
    """The payment requirement of a 402, or ``ValueError`` when it cannot be read.

    The ``x402`` package decodes the ``PAYMENT-REQUIRED`` header, or without one the body (x402
    v1), with the standard ``json.loads`` and expects an object: a body of 150 KB of ``[``
    overflows the C stack (py_ecc raised the recursion limit; see `hashtrust.chain.jsonsafe`) and a
    JSON list raises ``AttributeError`` (fourth review, finding 2). Both are parsed here first with
    `jsonsafe.loads`, and only a JSON object is handed on."""
    import base64
    import binascii

    header = resp.headers.get("PAYMENT-REQUIRED")
    if header:
        try:
            text = base64.b64decode(header.encode("ascii"), validate=False).decode("utf-8")
        except (binascii.Error, UnicodeError) as exc:
            raise ValueError(f"the PAYMENT-REQUIRED header is not base64 JSON ({type(exc).__name__})") from None
    else:
        text = resp.content
    data = jsonsafe.loads(text)  # ValueError: not JSON, or nested too deep
    if not isinstance(data, dict):
        raise ValueError("the payment requirement is not a JSON object")
    if header:
        return http402.get_payment_required_response(lambda n: resp.headers.get(n))
    return http402.get_payment_required_response(lambda _n: None, data)


def _required_error(http402: x402HTTPClientSync, resp: httpx.Response) -> str:
    """The ``error`` of a 402's PAYMENT-REQUIRED (why the payment was refused), else the body's."""
    try:
        err = _payment_required(http402, resp).error
    except (ValueError, AttributeError):
        err = None
    return display(err, 200) if err else _error_text(resp)


def _settlement_tx(w3: Web3, token: str, payer: str, nonce: bytes, from_block: int) -> str | None:
    logs = get_logs(w3, {"address": Web3.to_checksum_address(token), "fromBlock": from_block, "toBlock": "latest",
                            "topics": ["0x" + eip3009.AUTHORIZATION_USED_TOPIC.hex(), "0x" + bytes(12).hex() + payer[2:].lower(), "0x" + nonce.hex()]})
    return Web3.to_hex(logs[0]["transactionHash"]) if logs else None


def _unwind(w3: Web3, token: eip3009.DevTokenClient, key: Any, auth: eip3009.Authorization, from_block: int, why: str, *, cancel: bool) -> PaymentRefused:
    """After a failed paid request: make sure no payment is left half-made, and say what happened."""
    if token.authorization_state(auth.sender, auth.nonce):
        tx = _settlement_tx(w3, token.address, auth.sender, auth.nonce, from_block)
        if tx:
            return PaymentRefused(f"{why}; the payment was settled in tx {tx} but nothing was delivered: keep this as proof and contact the agent")
        return PaymentRefused(f"{why}; the authorization is already cancelled: nothing was paid")
    if not cancel:
        return PaymentRefused(f"{why}; nothing was paid (the signed authorization stays usable until {auth.valid_before}: --cancel-unused voids it)")
    sender = TxSender(w3, _local_signer(key))
    sig = eip3009.sign_cancel(key, auth.sender, auth.nonce, **token.domain())
    try:
        receipt = token.with_sender(sender).cancel_authorization(auth.sender, auth.nonce, sig)
    except Exception as exc:  # noqa: BLE001 - used meanwhile (a late settlement), no gas, or the node is gone
        if token.authorization_state(auth.sender, auth.nonce):
            tx = _settlement_tx(w3, token.address, auth.sender, auth.nonce, from_block)
            return PaymentRefused(f"{why}; the payment was settled meanwhile in tx {tx}: keep this as proof")
        return PaymentRefused(f"{why}; nothing was paid, but cancelling the signed authorization failed ({exc}); it stays usable until {auth.valid_before}")
    return PaymentRefused(f"{why}; nothing was paid (the signed authorization was cancelled in tx {Web3.to_hex(receipt['transactionHash'])})")


def _local_signer(key: Any):
    from hashtrust.chain.tx import LocalSigner

    return LocalSigner.from_key(getattr(key, "key", key))


class Payer:
    """A paying client bound to one account: the registry, the token and its EIP-712 domain, the
    x402 client and one keep-alive HTTP connection pool, reused across calls (one call at a time).

        with Payer(w3, book, key) as payer:
            for doc in docs:
                payer.call(3, "summarize", body=doc)

    Every call still reads what it must check fresh: the agent's registration file, its
    ``active`` flag and its on-chain wallet."""

    def __init__(self, w3: Web3, book: Any, key: Any, *, cancel_unused: bool = True, timeout_s: float = 60.0, fetch: Any = None):
        from hashtrust.erc8004.identity import IdentityClient

        self.w3 = w3
        self.key = key
        self.cancel_unused = cancel_unused
        self.fetch = fetch
        self.chain_id = w3.eth.chain_id
        self.identity = IdentityClient.from_book(w3, book)
        self.token = eip3009.DevTokenClient.from_book(w3, book)
        self.token_domain = (self.token.name(), self.token.version())
        self.scheme = ChainClockEvmScheme(key, w3)
        self.x402 = x402ClientSync()
        self.x402.register(network_id(self.chain_id), self.scheme)
        self.http402 = x402HTTPClientSync(self.x402)
        self.http = httpx.Client(timeout=timeout_s)

    @property
    def address(self) -> str:
        return self.scheme.address

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Payer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def call(self, agent_id: int, service: str, body: bytes = b"{}", max_price: int | None = None) -> PaidCall:
        """Call ``service`` of agent ``agent_id``, paying at most ``max_price`` atomic units of the
        devnet USD token (default: the price its registration file advertises)."""
        w3, token, identity, http402, http = self.w3, self.token, self.identity, self.http402, self.http
        chain_id, key, cancel_unused = self.chain_id, self.key, self.cancel_unused
        offer = find_offer(identity, agent_id, service, fetch=self.fetch)
        svc = offer.service
        cap = svc.price if max_price is None else int(max_price)
        if cap <= 0:
            raise PaymentRefused(f"--max-price must be positive, got {cap}")
        token_domain = self.token_domain
        scheme = self.scheme
        self.x402.set_spend_controls({"allowed_assets": [{"network": network_id(chain_id), "asset": token.address, "max_amount_per_payment": str(cap)}]})
        path = urlparse(svc.endpoint)
        path_q = (path.path or "/") + (f"?{path.query}" if path.query else "")

        first = _request(http, svc.method, svc.endpoint, body)
        if first.status_code != 402:
            if first.status_code < 400:
                raise PaymentRefused(f"agent {agent_id}'s service {service!r} answered {first.status_code} without asking for payment; nothing was paid")
            raise PaymentRefused(f"agent {agent_id}'s service {service!r} failed before any payment (HTTP {first.status_code}: {_error_text(first)}); nothing was paid")
        try:
            required = _payment_required(http402, first)
        except ValueError as exc:
            raise PaymentRefused(f"the 402 carries no readable PAYMENT-REQUIRED header ({exc}); nothing was paid") from None
        if not isinstance(required, PaymentRequired):
            raise PaymentRefused("the agent speaks x402 v1 (X-PAYMENT); this client pays with protocol v2 only; nothing was paid")
        reasons = []
        chosen = None
        for req in required.accepts:
            why = check_requirement(req, chain_id=chain_id, token=token.address, token_domain=token_domain, wallet=offer.wallet, max_price=cap)
            if why is None:
                chosen = req
                break
            reasons.append(why)
        if chosen is None:
            raise PaymentRefused(f"refusing to pay agent {agent_id}: {reasons[0] if reasons else 'the 402 offers no way to pay'}; nothing was signed")
        offer_402 = required.model_copy(update={"accepts": [chosen]})
        payload = http402.create_payment_payload(offer_402)
        auth = scheme.last_authorization
        assert auth is not None
        from_block = w3.eth.block_number
        try:
            paid = _request(http, svc.method, svc.endpoint, body, http402.encode_payment_signature_header(payload), paid=True)
        except PaymentRefused as exc:
            raise _unwind(w3, token, key, auth, from_block, str(exc), cancel=cancel_unused) from None

        settle = None
        try:
            settle = http402.get_payment_settle_response(lambda n: paid.headers.get(n))
        except ValueError:
            pass
        if paid.status_code != 200 or settle is None or not settle.success:
            if settle is not None and not settle.success:
                why = f"the payment was refused ({settle.error_reason}{': ' + settle.error_message if settle.error_message else ''})"
            elif paid.status_code == 402:
                why = f"the agent refused the payment: {_required_error(http402, paid)}"
            else:
                why = f"the agent's service failed (HTTP {paid.status_code}: {_error_text(paid)})"
            raise _unwind(w3, token, key, auth, from_block, why, cancel=cancel_unused)

        tx = settle.transaction
        problem = check_settlement(w3, token.address, tx, payer=auth.sender, pay_to=offer.wallet, amount=auth.value, nonce=auth.nonce)
        if problem:
            raise PaymentRefused(f"the settlement {tx} does not show this payment: {problem}")
        req_h = attestation.request_hash(svc.method, path_q, body if svc.method != "GET" else b"")
        resp_h = attestation.response_hash(paid.content)
        header = paid.headers.get(attestation.HEADER)
        if not header:
            raise PaymentRefused(f"paid in tx {tx} and served, but the agent sent no {attestation.HEADER}: the feedback could not prove the service")
        att = attestation.Attestation.from_header(header)
        mismatch = att.check_against(agent_id=agent_id, client=auth.sender, pay_to=offer.wallet, asset=token.address, amount=auth.value,
                                     settlement_tx=tx, nonce=auth.nonce, request_hash=req_h, response_hash=resp_h)
        if mismatch is None and (att.chain_id, att.identity_registry) != (chain_id, identity.address):
            mismatch = f"attestation domain is chain {att.chain_id} / {att.identity_registry}, expected {chain_id} / {identity.address}"
        if mismatch is None and not att.signed_by(w3, offer.wallet):
            mismatch = f"the attestation is not signed by the agent's wallet {offer.wallet}"
        if mismatch:
            raise PaymentRefused(f"paid in tx {tx}, but the interaction attestation is wrong: {mismatch}")
        return PaidCall(chain_id=chain_id, identity_registry=identity.address, agent_id=agent_id, service=service, url=svc.endpoint,
                        method=svc.method, payer=auth.sender, pay_to=offer.wallet, asset=token.address, amount=auth.value, tx_hash=tx,
                        nonce="0x" + auth.nonce.hex(), request_hash="0x" + req_h.hex(), response_hash="0x" + resp_h.hex(),
                        attestation=att.as_dict(), status=paid.status_code, response=paid.content)


def call_agent(w3: Web3, book: Any, key: Any, *, agent_id: int, service: str, body: bytes = b"{}", max_price: int | None = None,
               cancel_unused: bool = True, timeout_s: float = 60.0, fetch: Any = None) -> PaidCall:
    """One paid call (`Payer.call` with a payer made for it)."""
    with Payer(w3, book, key, cancel_unused=cancel_unused, timeout_s=timeout_s, fetch=fetch) as payer:
        return payer.call(agent_id, service, body, max_price)


def check_settlement(w3: Web3, token: str, tx_hash: str, *, payer: str, pay_to: str, amount: int, nonce: bytes) -> str | None:
    """None when ``tx_hash`` succeeded and its logs hold ``AuthorizationUsed(payer, nonce)`` followed
    by ``Transfer(payer, pay_to, >= amount)`` from ``token``, else what is missing."""
    from hashtrust.payments.verification import payment_in_receipt

    try:
        receipt = w3.eth.get_transaction_receipt(tx_hash)
    except Exception:  # noqa: BLE001 - not found / malformed hash
        return f"transaction {tx_hash} is not on chain"
    if receipt["status"] != 1:
        return f"transaction {tx_hash} reverted"
    pay = payment_in_receipt(receipt, token, payer=payer, nonce=nonce)
    if pay is None:
        return f"no AuthorizationUsed({payer}, 0x{nonce.hex()}) followed by its Transfer in {tx_hash}"
    if Web3.to_checksum_address(pay.to) != Web3.to_checksum_address(pay_to):
        return f"the transfer went to {pay.to}, not {pay_to}"
    if pay.amount < amount:
        return f"the transfer moved {pay.amount}, less than {amount}"
    return None


def load_receipt(path: str) -> dict:
    try:
        with open(path) as f:
            data = jsonsafe.loads(f.read())
    except OSError as exc:
        raise HashtrustError(f"cannot read the paid-call receipt {path}: {exc.strerror}") from None
    except ValueError:
        raise HashtrustError(f"{path} is not a JSON paid-call receipt") from None
    if not isinstance(data, dict) or data.get("version") != RECEIPT_VERSION:
        raise HashtrustError(f"{path} is not a version-{RECEIPT_VERSION} paid-call receipt")
    return data
