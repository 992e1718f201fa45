"""A local x402 facilitator: ``POST /verify``, ``POST /settle``, ``GET /supported``.

    fac = Facilitator(rpc_url, facilitator_key, assets=[usd_address])
    with Served(facilitator_app(fac), port=8403) as srv:
        ...   # resource servers use HTTPFacilitatorClient(FacilitatorConfig(url=srv.url))

Built on the ``x402`` package's facilitator: `x402FacilitatorSync` with its exact-EVM scheme
(`ExactEvmFacilitatorScheme`) and `FacilitatorWeb3Signer` holding a devnet account, which
verifies the EIP-3009 signature, the recipient, the exact amount, the payer's balance and
simulates ``transferWithAuthorization`` before it settles. hashtrust's scheme wraps it
(`ChainClockScheme`) and refuses, before the package sees the payment:

* a network other than this chain's (``eip155:<chain id>``): ``network_mismatch``;
* a token other than the ones this facilitator settles, or requirements whose EIP-712
  ``extra.name`` / ``extra.version`` are not that token's: ``unsupported_asset``;
* a validity window closed on the **chain's** clock (`hashtrust.payments.clock`):
  ``invalid_exact_evm_payload_authorization_valid_before`` / ``..._valid_after``, with a
  message naming the chain's time and its skew from the host's clock.

A refused payment is never sent: ``/settle`` re-verifies and re-simulates before it sends
(``simulate_in_settle``), so a replayed or cancelled authorization costs no failed transaction.
The HTTP layer is FastAPI with sync routes (the package's EVM signer is blocking web3), each
request in Starlette's thread pool; the signer reserves nonces under a lock.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from web3 import Web3
from x402 import x402FacilitatorSync
from x402.mechanisms.evm import FacilitatorWeb3Signer
from x402.mechanisms.evm.constants import (
    ERR_NETWORK_MISMATCH,
    ERR_VALID_AFTER_FUTURE,
    ERR_VALID_BEFORE_EXPIRED,
)
from x402.mechanisms.evm.exact import ExactEvmFacilitatorScheme, ExactEvmSchemeConfig
from x402.mechanisms.evm.types import ExactEIP3009Payload
from x402.schemas import PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse

from hashtrust.chain import jsonsafe
from hashtrust.chain.checks import check_address
from hashtrust.chain.provider import connect
from hashtrust.errors import HashtrustError
from hashtrust.payments import clock
from hashtrust.payments.serving import MAX_REQUEST_BYTES, CapRequestBodies

log = logging.getLogger("hashtrust.payments.facilitator")

ERR_UNSUPPORTED_ASSET = "unsupported_asset"


def network_id(chain_id: int) -> str:
    """CAIP-2 network id of an EVM chain: ``eip155:<chain id>``."""
    return f"eip155:{int(chain_id)}"


class ChainClockScheme:
    """The package's exact-EVM facilitator scheme behind hashtrust's chain, token and clock checks.

    Implements the package's `SchemeNetworkFacilitator` protocol (``scheme``, ``caip_family``,
    ``get_extra``, ``get_signers``, ``verify``, ``settle``)."""

    scheme = "exact"
    caip_family = "eip155:*"

    def __init__(self, inner: ExactEvmFacilitatorScheme, w3: Web3, assets: dict[str, tuple[str, str]]):
        self._inner = inner
        self._w3 = w3
        self.chain_id = w3.eth.chain_id
        self.network = network_id(self.chain_id)
        self.assets = {a.lower(): dom for a, dom in assets.items()}  # token -> (EIP-712 name, version)

    def get_extra(self, network: str) -> dict[str, Any] | None:
        return self._inner.get_extra(network)

    def get_signers(self, network: str) -> list[str]:
        return self._inner.get_signers(network)

    def refusal(self, payload: PaymentPayload, requirements: PaymentRequirements) -> VerifyResponse | None:
        """Why hashtrust refuses this payment before the package looks at it, or None."""
        try:
            auth = ExactEIP3009Payload.from_dict(payload.payload).authorization
            payer = auth.from_address
        except Exception as exc:  # noqa: BLE001 - any malformed payload is a refusal
            return VerifyResponse(is_valid=False, invalid_reason="invalid_payload", invalid_message=f"not an EIP-3009 payload: {exc}")
        if str(requirements.network) != self.network or str(payload.accepted.network) != self.network:
            return VerifyResponse(is_valid=False, invalid_reason=ERR_NETWORK_MISMATCH, payer=payer,
                                  invalid_message=f"this facilitator settles on {self.network} only, not {requirements.network}")
        dom = self.assets.get(str(requirements.asset).lower())
        if dom is None or str(payload.accepted.asset).lower() != str(requirements.asset).lower():
            return VerifyResponse(is_valid=False, invalid_reason=ERR_UNSUPPORTED_ASSET, payer=payer,
                                  invalid_message=f"token {requirements.asset} is not one this facilitator settles ({', '.join(self.assets)})")
        extra = requirements.extra or {}
        if (extra.get("name"), extra.get("version")) != dom:
            return VerifyResponse(is_valid=False, invalid_reason=ERR_UNSUPPORTED_ASSET, payer=payer,
                                  invalid_message=f"EIP-712 domain {extra.get('name')!r}/{extra.get('version')!r} is not the token's {dom[0]!r}/{dom[1]!r}")
        try:
            bad = clock.check_window(clock.read(self._w3), int(auth.valid_after), int(auth.valid_before))
        except ValueError as exc:
            return VerifyResponse(is_valid=False, invalid_reason="invalid_payload", payer=payer, invalid_message=str(exc))
        if bad:
            reason = ERR_VALID_BEFORE_EXPIRED if bad[0] == "validBefore" else ERR_VALID_AFTER_FUTURE
            return VerifyResponse(is_valid=False, invalid_reason=reason, invalid_message=bad[1], payer=payer)
        return None

    def verify(self, payload: PaymentPayload, requirements: PaymentRequirements, context: Any = None) -> VerifyResponse:
        refused = self.refusal(payload, requirements)
        if refused is not None:
            log.warning("verify refused: %s (%s)", refused.invalid_reason, refused.invalid_message)
            return refused
        return self._inner.verify(payload, requirements, context)

    def settle(self, payload: PaymentPayload, requirements: PaymentRequirements, context: Any = None) -> SettleResponse:
        refused = self.refusal(payload, requirements)
        if refused is not None:
            log.warning("settle refused: %s (%s)", refused.invalid_reason, refused.invalid_message)
            return SettleResponse(success=False, error_reason=refused.invalid_reason, error_message=refused.invalid_message,
                                  payer=refused.payer, transaction="", network=str(requirements.network))
        return self._inner.settle(payload, requirements, context)


class Facilitator:
    """The x402 facilitator of one chain: the package's facilitator, a devnet account that pays
    the settlement gas, and the tokens it settles (``assets``)."""

    def __init__(self, rpc_url: str, private_key: str, assets: list[str], *, confirmation_timeout_s: float = 60.0):
        self.w3 = connect(rpc_url)
        try:
            self.chain_id = self.w3.eth.chain_id
        except Exception as exc:  # noqa: BLE001
            raise HashtrustError(f"facilitator: cannot reach a node at {rpc_url} ({type(exc).__name__})") from None
        self.network = network_id(self.chain_id)
        doms: dict[str, tuple[str, str]] = {}
        from hashtrust.payments.eip3009 import DevTokenClient

        for a in assets:
            token = DevTokenClient(self.w3, check_address(a, "asset"))
            if not self.w3.eth.get_code(token.address):
                raise HashtrustError(f"facilitator: no contract at token {token.address} on chain {self.chain_id}")
            doms[token.address] = (token.name(), token.version())
        self.assets = doms
        self.signer = FacilitatorWeb3Signer(private_key=private_key, rpc_url=rpc_url, confirmation_timeout_seconds=confirmation_timeout_s)
        # simulate_in_settle: /settle re-simulates transferWithAuthorization and refuses a payment that
        # would revert (replayed, cancelled, expired meanwhile) instead of sending a failing transaction
        inner = ExactEvmFacilitatorScheme(self.signer, ExactEvmSchemeConfig(simulate_in_settle=True))
        self.scheme = ChainClockScheme(inner, self.w3, doms)
        self.x402 = x402FacilitatorSync()
        self.x402.register([self.network], self.scheme)

    @property
    def address(self) -> str:
        return self.signer.address


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _parse(request: Request) -> tuple[PaymentPayload, PaymentRequirements] | JSONResponse:
    try:
        body = jsonsafe.loads(await request.body())  # nesting bounded (a client's body: anyone's)
    except ValueError:
        return _error(400, "body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object {x402Version, paymentPayload, paymentRequirements}")
    if body.get("x402Version") != 2:
        return _error(400, f"x402Version must be 2 (this facilitator speaks protocol v2), got {body.get('x402Version')!r}")
    try:
        return PaymentPayload.model_validate(body.get("paymentPayload")), PaymentRequirements.model_validate(body.get("paymentRequirements"))
    except ValidationError as exc:
        err = exc.errors()[0]
        return _error(400, f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}")


def facilitator_app(fac: Facilitator) -> FastAPI:
    """The facilitator's HTTP surface (x402 v2 facilitator API)."""
    app = FastAPI(title="hashtrust x402 facilitator", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(CapRequestBodies, limit=MAX_REQUEST_BYTES)  # bodies counted while they arrive (second review, finding 2)

    @app.get("/supported")
    def supported() -> dict:
        return fac.x402.get_supported().model_dump(by_alias=True, exclude_none=True)

    @app.post("/verify")
    async def verify(request: Request):
        parsed = await _parse(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        res = await run_in_threadpool(fac.x402.verify, *parsed)
        return res.model_dump(by_alias=True, exclude_none=True)

    @app.post("/settle")
    async def settle(request: Request):
        parsed = await _parse(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        res = await run_in_threadpool(fac.x402.settle, *parsed)
        return res.model_dump(by_alias=True, exclude_none=True)

    @app.get("/health")
    def health() -> dict:
        return {"ok": True, "network": fac.network, "signer": fac.address, "assets": list(fac.assets)}

    return app
