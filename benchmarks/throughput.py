"""Raw Anvil throughput: pre-signed transactions sent back to back, as fast as Anvil takes them.

This is the physical limit the project's scripts are measured against: the same number of
the same transactions, signed beforehand (no estimation, no bookkeeping), one
``eth_sendRawTransaction`` after another over one keep-alive connection.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import requests
from web3 import Web3

from hashtrust.tx import LocalSigner


def raw_send_rate(w3: Web3, rpc: str, signer: LocalSigner, calls: Sequence[dict], *, gas: int) -> dict:
    """Pre-sign ``calls`` ({"to", "data"}) with explicit nonces and gas, send them, time it."""
    nonce = w3.eth.get_transaction_count(signer.address, "pending")
    base = int(w3.eth.get_block("latest")["baseFeePerGas"])
    chain_id = w3.eth.chain_id
    raws = []
    for i, c in enumerate(calls):
        tx = {
            "to": c["to"],
            "data": c["data"],
            "value": 0,
            "gas": gas,
            "nonce": nonce + i,
            "chainId": chain_id,
            "maxFeePerGas": 4 * base + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        raws.append(Web3.to_hex(signer.sign_transaction(tx)))
    session = requests.Session()
    t0 = time.perf_counter()
    last = None
    for i, raw in enumerate(raws):
        reply = session.post(rpc, json={"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}).json()
        if "error" in reply:
            raise RuntimeError(f"raw send {i} failed: {reply['error']}")
        last = reply["result"]
    while w3.eth.get_transaction_receipt(last) is None:  # pragma: no cover - automine answers at once
        time.sleep(0.001)
    elapsed = time.perf_counter() - t0
    return {"transactions": len(raws), "seconds": round(elapsed, 3), "tx_per_s": round(len(raws) / elapsed, 1)}
