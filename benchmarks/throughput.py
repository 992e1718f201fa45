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
    w3.eth.wait_for_transaction_receipt(last, timeout=600, poll_latency=0.005)  # automine: in order
    elapsed = time.perf_counter() - t0
    return {"transactions": len(raws), "seconds": round(elapsed, 3), "tx_per_s": round(len(raws) / elapsed, 1)}


# ---------------------------------------------------------------------------- make bench
AGENTS = 1_000


def agent_specs(n: int, salt: str):
    """``n`` agent-file entries: a 100-byte https URI and one metadata entry each (plus hashtrust.key)."""
    from hashtrust.agents import parse_agents

    entries = [
        {"key": f"{salt}-{i:05d}", "uri": f"https://agents.example.com/registry/{salt}-{i:05d}.json?v=" + "a" * 40, "metadata": {"version": "1.0.0"}}
        for i in range(n)
    ]
    return parse_agents({"agents": entries})


def run(env, n: int = AGENTS) -> dict:
    """Bulk registration of ``n`` agents through `hashtrust.agents.register_agents` (the script
    path of ``ape run register_agents``) against the same ``n`` register transactions pre-signed
    and sent raw, on the same Anvil in the same run. Reports agents/s and the ratio.

    Both paths start from the same chain state: the raw run is taken from an ``evm_snapshot``
    and reverted afterwards (Anvil's cost per block grows with its state, so the path measured
    second on a grown chain would be handicapped). Each path registers into a fresh registry and
    the count of agents it left is read back from the chain.
    """
    import os

    from hashtrust import artifacts
    from hashtrust.agents import register_agents
    from hashtrust.identity import IdentityClient

    n = int(os.environ.get("HASHTRUST_BENCH_AGENTS", n))
    w3 = env.w3
    art = artifacts.load("IdentityRegistry")
    snapshot = _rpc(w3, "evm_snapshot")

    # raw: the same transactions (same calldata shape), signed beforehand
    raw_addr = env.sender(0).deploy(art.abi, art.bytecode)["contractAddress"]
    raw_signer = env.sender(1).signer
    raw_client = IdentityClient(w3, raw_addr, env.sender(1))
    raw_specs = agent_specs(n, "raw")
    calls = [{"to": raw_addr, "data": raw_client.register_call(s.uri, s.entries())._encode_transaction_data()} for s in raw_specs]
    gas = int(w3.eth.estimate_gas({"from": raw_signer.address, **calls[0]}) * 1.25)
    raw = raw_send_rate(w3, env.rpc, raw_signer, calls, gas=gas)
    ids = raw_client.agents_with_metadata("hashtrust.key", owner=raw_signer.address)
    if len(ids) != n:
        raise RuntimeError(f"raw registration left {len(ids)} agents, expected {n}")
    if _rpc(w3, "evm_revert", snapshot) is not True:
        raise RuntimeError("evm_revert to the pre-raw snapshot failed")

    # the project's script path, from the same state: validation, settle, existing-agent scan,
    # preflight, signing, batched sends, receipts, agent ids decoded
    addr = env.sender(0).deploy(art.abi, art.bytecode)["contractAddress"]
    client = IdentityClient(w3, addr, env.sender(1))
    specs = agent_specs(n, "sdk")
    t0 = time.perf_counter()
    outcomes = register_agents(client, specs, progress=False)
    elapsed = time.perf_counter() - t0
    if sum(o.status == "registered" for o in outcomes) != n or client.total_agents() != n:
        raise RuntimeError("script path did not register every agent")
    script = {"agents": n, "seconds": round(elapsed, 3), "agents_per_s": round(n / elapsed, 1)}
    raw_rate = raw["tx_per_s"]
    return {
        "throughput": {
            "bulk_registration": {
                "script": script,
                "raw": {"agents": n, "seconds": raw["seconds"], "agents_per_s": raw_rate},
                "ratio": round(script["agents_per_s"] / raw_rate, 3),
                "aim": 0.5,
            }
        }
    }


def _rpc(w3: Web3, method: str, *params):
    reply = w3.provider.make_request(method, list(params))
    if "error" in reply:
        raise RuntimeError(f"{method} failed: {reply['error']}")
    return reply["result"]
