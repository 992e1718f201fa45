"""x402 payments: the settlement's gas beside a plain ERC-20 transfer, and paid calls per second.

    python -m benchmarks.run payments          # this module only, on a fresh private Anvil

Gas (receipt ``gasUsed``, same token, same warm balances: payer and payee hold tokens before,
so every row updates two existing balances):

* ``erc20_transfer`` -- ``transfer(to, amount)`` by the payer itself: the peer.
* ``transferWithAuthorization_vrs`` -- the x402 settlement (what the facilitator sends): a fresh
  nonce slot (22,100), an ecrecover (3,000), the ``AuthorizationUsed`` log and six more words
  of calldata. ``_bytes`` -- the ``bytes signature`` overload (decoded by the fallback).
  ``receiveWithAuthorization_vrs`` -- the payee submits. ``cancelAuthorization_vrs``.
* ``x402_settlement_via_facilitator`` -- the transaction a real paid call produced (the
  package's facilitator signer: legacy gas price, fixed 500k gas limit; gasUsed is what counts).

Floor of an authorization row = 21,000 + its calldata + its logs + 22,100 (the nonce slot) +
2 x 5,000 (two balance updates) + 3,000 (ecrecover); of the transfer = 21,000 + calldata +
log + 2 x 5,000.

Throughput: ``N`` sequential calls by one client (`hashtrust.payments.client.Payer`, reused)
(402, sign, verify, handler, settle, attestation, the client's on-chain and attestation
checks) to the agent's paid service with a local facilitator, beside the same handler served
unpaid (plain FastAPI under uvicorn, its own process, same path and body) in the same run.
The servers run in their own processes (``hashtrust agents serve``), as users run them, so the
client does not share a Python interpreter (and its lock) with them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from eth_account import Account
from fastapi import FastAPI, Request, Response

from benchmarks.harness import G_SSTORE_NEW, G_SSTORE_UPDATE, G_TX, calldata_gas, log_gas, row
from hashtrust.chain.accounts import devnet_key, devnet_signer
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import RegistrationFile
from hashtrust.payments import eip3009
from hashtrust.payments.client import Payer
from hashtrust.payments.server import default_handler
from hashtrust.payments.serving import free_port

ROOT = Path(__file__).resolve().parents[1]
PRICE = 250_000
N_PAID = int(os.environ.get("HASHTRUST_BENCH_PAID_CALLS", "60"))
N_UNPAID = int(os.environ.get("HASHTRUST_BENCH_UNPAID_CALLS", "300"))
G_ECRECOVER = 3_000


def _floor(w3, receipt, *, nonce_slot: bool, ecrecover: bool) -> int:
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    return (G_TX + calldata_gas(bytes(tx["input"])) + log_gas(receipt) + 2 * G_SSTORE_UPDATE
            + (G_SSTORE_NEW if nonce_slot else 0) + (G_ECRECOVER if ecrecover else 0))


def gas_rows(w3, book, s0: TxSender) -> dict:
    payer_key, payee_key, relayer = devnet_key(1), devnet_key(2), TxSender(w3, devnet_signer(3))
    payer, payee = Account.from_key(payer_key).address, Account.from_key(payee_key).address
    usd = eip3009.DevTokenClient.from_book(w3, book, relayer)
    for who in (payer, payee):
        s0.transact(usd.contract.functions.mint(who, 10**12))
    dom = usd.domain()
    now = int(w3.eth.get_block("latest")["timestamp"])
    out = {}
    r = TxSender(w3, LocalSigner.from_key(payer_key)).transact(usd.contract.functions.transfer(payee, PRICE))
    out["erc20_transfer"] = row(r["gasUsed"], floor=_floor(w3, r, nonce_slot=False, ecrecover=False))
    base = r["gasUsed"]
    for name, kind, form, sender in (("transferWithAuthorization_vrs", eip3009.TRANSFER, "vrs", relayer),
                                     ("transferWithAuthorization_bytes", eip3009.TRANSFER, "bytes", relayer),
                                     ("receiveWithAuthorization_vrs", eip3009.RECEIVE, "vrs", TxSender(w3, LocalSigner.from_key(payee_key)))):
        a = eip3009.Authorization.new(payer, payee, PRICE, valid_before=now + 3_600)
        sig = eip3009.sign(a, payer_key, kind=kind, **dom)
        tok = usd.with_sender(sender)
        r = tok.transfer_with_authorization(a, sig, form=form) if kind == eip3009.TRANSFER else tok.receive_with_authorization(a, sig, form=form)
        out[name] = row(r["gasUsed"], floor=_floor(w3, r, nonce_slot=True, ecrecover=True), note=f"{r['gasUsed'] / base:.2f}x erc20_transfer")
    a = eip3009.Authorization.new(payer, payee, PRICE, valid_before=now + 3_600)
    r = usd.cancel_authorization(payer, a.nonce, eip3009.sign_cancel(payer_key, payer, a.nonce, **dom))
    tx = w3.eth.get_transaction(r["transactionHash"])
    out["cancelAuthorization_vrs"] = row(r["gasUsed"], floor=G_TX + calldata_gas(bytes(tx["input"])) + log_gas(r) + G_SSTORE_NEW + G_ECRECOVER)
    return out


def unpaid_app() -> FastAPI:
    """The same handler as the paid service, on the same path, without x402 (the baseline)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/agents/1/summarize")
    async def summarize(request: Request) -> Response:
        body = await request.body()
        return Response(json.dumps(default_handler(1, "summarize", body), separators=(",", ":"), sort_keys=True).encode(), media_type="application/json")

    return app


def _wait_line(proc: subprocess.Popen, prefix: str, timeout: float = 60.0) -> str:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ln = proc.stdout.readline()
        if not ln and proc.poll() is not None:
            break
        lines.append(ln)
        if ln.startswith(prefix):
            return "".join(lines)
    raise RuntimeError(f"server did not start: {''.join(lines)[-1000:]}")


def _wait_port(port: int, timeout: float = 30.0) -> None:
    from hashtrust.payments.serving import port_in_use

    deadline = time.monotonic() + timeout
    while not port_in_use("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port}")
        time.sleep(0.05)


def run(env) -> dict:
    """Servers in their own processes, as users run them: ``hashtrust agents serve`` (the paid
    service and the facilitator) and uvicorn serving `unpaid_app`; the client in this one."""
    w3, book = env.w3, env.book
    s0 = TxSender(w3, devnet_signer(0))
    deploy(w3, s0, book, only=("ReputationRegistry", "TestUSD"), log=lambda _s: None)
    gas = gas_rows(w3, book, s0)
    ident = IdentityClient.from_book(w3, book, s0)
    port, fport, uport = free_port(), free_port(), free_port()
    reg = RegistrationFile.model_validate({"name": "Bench Summarizer", "description": "x402 benchmark agent", "x402Support": True,
                                           "services": [{"name": "x402", "endpoint": f"http://127.0.0.1:{port}/agents/1/summarize",
                                                         "service": "summarize", "price": str(PRICE)}]})
    agent = ident.register(reg.to_data_uri())
    usd = eip3009.DevTokenClient.from_book(w3, book, s0)
    client_key = devnet_key(5)
    s0.transact(usd.contract.functions.mint(Account.from_key(client_key).address, PRICE * (N_PAID + 10)))
    body = b'{"text": "benchmark request: summarise this paragraph about trust and payment."}'
    env_vars = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(book.folder))
    bin_dir = Path(sys.executable).parent
    serve = subprocess.Popen([str(bin_dir / "hashtrust"), "--rpc", env.rpc, "agents", "serve", str(agent), "--port", str(port),
                              "--facilitator-port", str(fport)], env=env_vars, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    unpaid = subprocess.Popen([sys.executable, "-m", "uvicorn", "benchmarks.payments:unpaid_app", "--factory", "--host", "127.0.0.1",
                               "--port", str(uport), "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env_vars,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_line(serve, "serving")
        _wait_port(uport)
        with Payer(w3, book, client_key) as payer:
            payer.call(agent, "summarize", body)  # warm-up: the agent's first income, the server's first facilitator sync
            t0 = time.perf_counter()
            for _ in range(N_PAID):
                last = payer.call(agent, "summarize", body)
            paid_s = time.perf_counter() - t0
        settle_receipt = w3.eth.get_transaction_receipt(last.tx_hash)
        gas["x402_settlement_via_facilitator"] = row(settle_receipt["gasUsed"], floor=_floor(w3, settle_receipt, nonce_slot=True, ecrecover=True),
                                                     note="a paid call's settlement (the wallet already held tokens)")
        with httpx.Client() as http:
            http.post(f"http://127.0.0.1:{uport}/agents/1/summarize", content=body)
            t0 = time.perf_counter()
            for _ in range(N_UNPAID):
                assert http.post(f"http://127.0.0.1:{uport}/agents/1/summarize", content=body).status_code == 200
            unpaid_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _ in range(N_UNPAID):
                assert http.post(f"http://127.0.0.1:{port}/agents/1/summarize", content=body).status_code == 402
            quote_s = time.perf_counter() - t0
    finally:
        for p in (serve, unpaid):
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
    paid_rate, unpaid_rate = N_PAID / paid_s, N_UNPAID / unpaid_s
    return {
        "gas": {"payments": gas},
        "throughput": {"x402_calls": {
            "paid": {"calls": N_PAID, "seconds": round(paid_s, 2), "calls_per_s": round(paid_rate, 1), "ms_per_call": round(1000 * paid_s / N_PAID, 1)},
            "unpaid": {"calls": N_UNPAID, "seconds": round(unpaid_s, 2), "calls_per_s": round(unpaid_rate, 1), "ms_per_call": round(1000 * unpaid_s / N_UNPAID, 2)},
            "quote_402": {"calls": N_UNPAID, "seconds": round(quote_s, 2), "calls_per_s": round(N_UNPAID / quote_s, 1), "ms_per_call": round(1000 * quote_s / N_UNPAID, 2)},
            "paid_over_unpaid": round(paid_rate / unpaid_rate, 4),
        }},
    }
