"""An agent's paid service over x402: FastAPI behind the ``x402`` package's payment middleware.

An agent sells a service when its registration file says ``"x402Support": true`` and lists a
service named ``"x402"`` (hashtrust's convention; extra fields are allowed by ERC-8004)::

    {"name": "x402", "endpoint": "http://127.0.0.1:8402/agents/3/summarize",
     "service": "summarize", "price": "250000", "method": "POST",
     "description": "Summarise a document"}

``price`` is in atomic units of the devnet USD token (6 decimals: 250000 = 0.25 USD); the
token and the network are the chain's (the address book's ``TestUSD``, ``eip155:<chain id>``);
the payee is always the agent's **on-chain** ``agentWallet``, read per request, never the file.

Per request (`paid_app`):

1. the outer middleware checks the agent is still served by this key (its on-chain wallet is
   the key's address; otherwise 503, nothing is verified or settled);
2. the package's middleware (`PaymentMiddlewareASGI`) answers 402 with ``PAYMENT-REQUIRED``, or
   verifies the ``PAYMENT-SIGNATURE`` with the facilitator, runs the handler, settles, and adds
   ``PAYMENT-RESPONSE`` (no settlement when the handler fails);
3. after a successful settlement the outer middleware signs the interaction attestation
   (`hashtrust.payments.attestation`) over the settlement transaction and the request and
   response hashes, and returns it in ``X-Interaction-Attestation``.

A facilitator that cannot be reached becomes a 502 with ``{"error": "facilitator ... is
unreachable ..."}`` (`ReachableFacilitatorClient`), before or after the 402, never a payment.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from web3 import Web3
from x402 import x402ResourceServer
from x402.http import FacilitatorConfig, HTTPFacilitatorClient
from x402.http.facilitator_client_base import FacilitatorResponseError
from x402.http.middleware.fastapi import PaymentMiddlewareASGI
from x402.http.types import PaymentOption, RouteConfig
from x402.http.utils import decode_payment_response_header, decode_payment_signature_header
from x402.mechanisms.evm.exact import ExactEvmServerScheme
from x402.mechanisms.evm.types import ExactEIP3009Payload

from hashtrust.chain.provider import connect
from hashtrust.erc8004.registration import X402_SERVICE, x402_entries
from hashtrust.errors import HashtrustError, InputError
from hashtrust.payments import attestation
from hashtrust.payments.serving import CapRequestBodies
from hashtrust.payments.facilitator import network_id

log = logging.getLogger("hashtrust.payments.server")

SERVICE_KIND = X402_SERVICE  # services[].name of a paid x402 service
MAX_TIMEOUT_S = 120  # maxTimeoutSeconds of the requirements: how long a signed payment stays usable
MAX_BODY = 1 << 20  # request bodies above 1 MiB are refused (413)

Handler = Callable[[int, str, bytes], Any]  # (agent id, service, request body) -> JSON-able or bytes


@dataclass(frozen=True)
class PaidService:
    """One x402 service of one agent, from its registration file."""

    agent_id: int
    service: str
    endpoint: str
    price: int
    method: str = "POST"
    description: str = ""

    @property
    def path(self) -> str:
        return urlparse(self.endpoint).path or "/"

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


def paid_services(agent_id: int, registration: Any) -> list[PaidService]:
    """The x402 services a registration file (a `RegistrationFile` or its dict) declares."""
    return [PaidService(agent_id, e["service"], e["endpoint"], e["price"], e["method"], e["description"])
            for e in x402_entries(registration, f"agent {agent_id} ")]


def default_handler(agent_id: int, service: str, body: bytes) -> dict:
    """The built-in service: a deterministic work receipt over the request (devnet stand-in for
    the agent's real work; pass ``--handler module:function`` for your own)."""
    return {"agentId": agent_id, "service": service, "requestSha256": hashlib.sha256(body).hexdigest(),
            "result": f"{service}: {len(body)} bytes processed"}


class ReachableFacilitatorClient(HTTPFacilitatorClient):
    """The package's HTTP facilitator client; a facilitator that does not answer raises
    `FacilitatorResponseError` (which the middleware turns into a 502 with the message)."""

    def _get_async_client(self) -> httpx.AsyncClient:
        # The package keeps one AsyncClient for good; it belongs to the event loop that made it,
        # so a server restarted in a new loop (a new uvicorn thread) would fail with "Event loop
        # is closed". One client per running loop.
        import asyncio

        loop = asyncio.get_running_loop()
        if getattr(self, "_client_loop", None) is not loop or self._http_client is None:
            self._http_client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=True)
            self._client_loop = loop
        return self._http_client

    def _down(self, exc: BaseException) -> FacilitatorResponseError:
        return FacilitatorResponseError(f"facilitator {self.url} is unreachable ({type(exc).__name__}); no payment was verified or settled")

    async def verify(self, payload, requirements):
        try:
            return await super().verify(payload, requirements)
        except httpx.TransportError as exc:
            raise self._down(exc) from None

    async def settle(self, payload, requirements):
        try:
            return await super().settle(payload, requirements)
        except httpx.TransportError as exc:
            raise FacilitatorResponseError(f"facilitator {self.url} did not answer the settlement ({type(exc).__name__})") from None

    def get_supported(self):
        try:
            return super().get_supported()
        except (httpx.TransportError, ValueError) as exc:
            raise self._down(exc) from None


@dataclass
class ServedAgent:
    """An agent this server sells for, signing with its wallet key."""

    agent_id: int
    services: list[PaidService]
    wallet_key: Any  # private key of the agent's on-chain agentWallet
    wallet: str = field(init=False)

    def __post_init__(self) -> None:
        from eth_account import Account

        self.wallet = Account.from_key(getattr(self.wallet_key, "key", self.wallet_key)).address


class _WalletWatch:
    """The agents' on-chain wallets, re-read at most every ``ttl`` seconds."""

    def __init__(self, identity: Any, ttl: float = 1.0):
        self.identity = identity
        self.ttl = ttl
        self._cache: dict[int, tuple[float, str]] = {}

    def wallet(self, agent_id: int) -> str:
        hit = self._cache.get(agent_id)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        w = self.identity.get_agent_wallet(agent_id)
        self._cache[agent_id] = (time.monotonic(), w)
        return w


def paid_app(*, w3: Web3, identity: Any, token: Any, agents: list[ServedAgent], facilitator_url: str,
             handler: Handler = default_handler, wallet_ttl_s: float = 1.0) -> FastAPI:
    """The FastAPI app selling ``agents``' services, paid to their wallets through the facilitator."""
    chain_id = w3.eth.chain_id
    network = network_id(chain_id)
    token_dom = {"name": token.name(), "version": token.version()}
    watch = _WalletWatch(identity, wallet_ttl_s)
    by_route: dict[str, tuple[ServedAgent, PaidService]] = {}
    for a in agents:
        on_chain = identity.get_agent_wallet(a.agent_id)
        if on_chain != a.wallet:
            raise HashtrustError(f"agent {a.agent_id}'s wallet is {on_chain}, not {a.wallet}: serve it with its wallet's key")
        for s in a.services:
            if s.route in by_route:
                other = by_route[s.route][1]
                raise InputError(f"agent {a.agent_id} service {s.service!r}", f"endpoint path {s.path} is also agent {other.agent_id}'s {other.service!r}")
            by_route[s.route] = (a, s)
    if not by_route:
        raise HashtrustError("no x402 service to serve (an agent needs x402Support and a services[] entry named \"x402\")")

    def pay_to_of(agent_id: int) -> Callable[[Any], str]:
        return lambda _ctx: watch.wallet(agent_id)

    routes = {
        route: RouteConfig(
            accepts=PaymentOption(scheme="exact", pay_to=pay_to_of(a.agent_id), network=network, max_timeout_seconds=MAX_TIMEOUT_S,
                                  price={"amount": str(s.price), "asset": token.address, "extra": dict(token_dom)}),
            description=s.description or f"agent {a.agent_id}: {s.service}",
            mime_type="application/json",
        )
        for route, (a, s) in by_route.items()
    }
    server = x402ResourceServer(ReachableFacilitatorClient(FacilitatorConfig(url=facilitator_url, timeout=30.0)))
    server.register(network, ExactEvmServerScheme())

    app = FastAPI(title="hashtrust agents (x402)", docs_url=None, redoc_url=None, openapi_url=None)

    def _make_endpoint(agent: ServedAgent, svc: PaidService):
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            try:  # in the thread pool: a slow handler does not hold up the event loop
                out = await run_in_threadpool(handler, agent.agent_id, svc.service, body)
            except Exception as exc:  # noqa: BLE001 - the handler's failure: no settlement (status >= 400)
                log.exception("handler failed for %s", svc.route)
                return JSONResponse({"error": f"the service failed: {type(exc).__name__}: {exc}"}, status_code=500)
            if isinstance(out, (bytes, bytearray)):
                return Response(bytes(out), media_type="application/octet-stream")
            return Response(json.dumps(out, separators=(",", ":"), sort_keys=True).encode(), media_type="application/json")

        return endpoint

    for route, (a, s) in by_route.items():
        app.add_api_route(s.path, _make_endpoint(a, s), methods=[s.method])

    @app.get("/agents")
    def listing() -> dict:
        return {"network": network, "asset": token.address,
                "services": [{"agentId": s.agent_id, "service": s.service, "route": s.route, "price": str(s.price)} for _, s in by_route.values()]}

    app.add_middleware(PaymentMiddlewareASGI, routes=routes, server=server)

    @app.middleware("http")
    async def attest(request: Request, call_next):
        hit = by_route.get(f"{request.method} {request.url.path}")
        if hit is None:
            return await call_next(request)
        agent, svc = hit
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return JSONResponse({"error": f"request body above {MAX_BODY} bytes"}, status_code=413)
        current = watch.wallet(agent.agent_id)
        if current != agent.wallet:
            return JSONResponse({"error": f"agent {agent.agent_id}'s wallet is now {current}; this server holds {agent.wallet} and stopped selling"}, status_code=503)
        body = await request.body()
        response = await call_next(request)
        settled = response.headers.get("payment-response")
        if response.status_code >= 400 or not settled:
            return response
        content = b"".join([chunk async for chunk in response.body_iterator])
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        try:
            sr = decode_payment_response_header(settled)
            if sr.success:
                pp = decode_payment_signature_header(request.headers["payment-signature"])
                auth = ExactEIP3009Payload.from_dict(pp.payload).authorization
                path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                att = attestation.Attestation.sign(
                    agent.wallet_key, chain_id=chain_id, identity_registry=identity.address, agent_id=agent.agent_id,
                    client=auth.from_address, pay_to=auth.to, asset=pp.accepted.asset, amount=int(auth.value),
                    settlement_tx=sr.transaction, nonce=auth.nonce, request_hash=attestation.request_hash(request.method, path, body),
                    response_hash=attestation.response_hash(content), resource=svc.route,
                )
                headers[attestation.HEADER] = att.header_value()
        except Exception:  # noqa: BLE001 - the payment stands; the client sees no attestation and says so
            log.exception("could not sign the interaction attestation for %s", svc.route)
        return Response(content=content, status_code=response.status_code, headers=headers)

    app.add_middleware(CapRequestBodies, limit=MAX_BODY)  # outermost: bodies counted while they arrive (finding 2)
    return app


def agents_of_wallet(identity: Any, key: Any, agent_ids: list[int] | None = None, *, fetch: Any = None, log: Callable[[str], None] = lambda _s: None) -> list[ServedAgent]:
    """The agents ``key`` can sell for: the given ``agent_ids`` (each must exist, have this key's
    address as its wallet, be active and list an x402 service, else `HashtrustError`), or,
    without ids, every agent that does (others are skipped)."""
    from eth_account import Account

    from hashtrust.erc8004.discovery import fetch_registration
    from hashtrust.erc8004.registration import RegistrationFile

    me = Account.from_key(getattr(key, "key", key)).address
    total = identity.total_agents()
    strict = bool(agent_ids)
    out: list[ServedAgent] = []
    for a in (agent_ids or range(1, total + 1)):
        if a < 1 or a > total:
            raise HashtrustError(f"agent {a} does not exist on chain {identity.w3.eth.chain_id}")
        wallet = identity.get_agent_wallet(a)
        if wallet != me:
            if strict:
                raise HashtrustError(f"agent {a}'s wallet is {wallet}, not this account {me}: serve it with the wallet's key")
            continue
        try:
            reg = RegistrationFile.from_json((fetch or fetch_registration)(identity.token_uri(a)), field=f"agent {a} registration")
            services = paid_services(a, reg)
        except HashtrustError as exc:
            if strict:
                raise
            log(f"skip agent {a}: {exc}")
            continue
        if not reg.active:
            if strict:
                raise HashtrustError(f"agent {a} is not active (its registration file says \"active\": false): nothing to sell")
            log(f"skip agent {a}: not active")
            continue
        if not services:
            if strict:
                raise HashtrustError(f"agent {a} lists no x402 service (needs x402Support and a services[] entry named \"x402\")")
            continue
        out.append(ServedAgent(a, services, key))
    if not out:
        raise HashtrustError(f"no agent with an x402 service has this account ({me}) as its wallet")
    return out


class Marketplace:
    """The agents' paid services and (unless ``facilitator_url`` is given) a local facilitator,
    started and stopped together: what ``hashtrust agents serve`` runs, usable in-process (a
    demo, a test, a benchmark). ``stop`` is idempotent and a stopped marketplace can be started
    again (its built-in facilitator too); starting a running one is refused.

        with Marketplace(rpc, book, wallet_key, facilitator_key=devnet_key(8), port=8402) as m:
            m.agents, m.url, m.facilitator_url
    """

    def __init__(self, rpc: str, book: Any, key: Any, *, agent_ids: list[int] | None = None, port: int = 8402,
                 facilitator_url: str = "", facilitator_key: Any = None, facilitator_port: int = 8403,
                 handler: Handler = default_handler, log: Callable[[str], None] = lambda _s: None):
        from hashtrust.erc8004.identity import IdentityClient
        from hashtrust.payments.eip3009 import DevTokenClient

        self.w3 = connect(rpc)
        self.rpc, self.book, self.key, self.port, self.handler, self.log = rpc, book, key, port, handler, log
        self.identity = IdentityClient.from_book(self.w3, book)
        self.token = DevTokenClient.from_book(self.w3, book)
        self.agents = agents_of_wallet(self.identity, key, agent_ids, log=log)
        self.external_facilitator = facilitator_url  # "" = start the built-in one
        self.facilitator_url = facilitator_url  # the facilitator in use (the built-in one's once started)
        self.facilitator_key = facilitator_key
        self.facilitator_port = facilitator_port
        self.facilitator = None
        self._fac_srv = None
        self._srv = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._srv is not None and self._srv.running and (self._fac_srv is None or self._fac_srv.running)

    def start(self) -> Marketplace:
        from hashtrust.payments.facilitator import Facilitator, facilitator_app
        from hashtrust.payments.serving import Served

        if self._srv is not None:
            raise HashtrustError("the marketplace is already running")
        if not self.external_facilitator:
            if self.w3.eth.chain_id not in (31337, 1337):
                raise HashtrustError(f"chain {self.w3.eth.chain_id} is not a devnet: name a facilitator URL (the built-in facilitator is devnet-only)")
            if self.facilitator_key is None:
                raise HashtrustError("the built-in facilitator needs a facilitator key (the account that pays the settlement gas)")
            self.facilitator = Facilitator(self.rpc, self.facilitator_key, [self.token.address])
            self._fac_srv = Served(facilitator_app(self.facilitator), port=self.facilitator_port, name="facilitator").start()
            self.facilitator_url = self._fac_srv.url
        try:
            app = paid_app(w3=self.w3, identity=self.identity, token=self.token, agents=self.agents,
                           facilitator_url=self.facilitator_url, handler=self.handler)
            self._srv = Served(app, port=self.port, name="agents").start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop both servers (idempotent); a later `start` starts them again, the built-in
        facilitator included."""
        if self._srv is not None:
            self._srv.stop()
        if self._fac_srv is not None:
            self._fac_srv.stop()
        self._srv = self._fac_srv = None
        if not self.external_facilitator:
            self.facilitator = None
            self.facilitator_url = ""

    def __enter__(self) -> Marketplace:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
