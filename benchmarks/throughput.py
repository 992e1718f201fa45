"""Raw Anvil throughput: pre-signed transactions sent back to back, as fast as Anvil takes them.

This is the physical limit the project's scripts are measured against: the same number of
the same transactions, signed beforehand (no estimation, no bookkeeping, no receipts but the
last), sent over one keep-alive connection -- one ``eth_sendRawTransaction`` after another, or
in JSON-RPC batches of the script's window. Anvil (automine) seals whatever is in its pool when
it mines, so transactions that arrive together share blocks: batches are the faster way to
feed it, and the stricter baseline.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import requests
from web3 import Web3

from hashtrust.chain.tx import LocalSigner


def raw_send_rate(w3: Web3, rpc: str, signer: LocalSigner, calls: Sequence[dict], *, gas: int, batch: int = 1) -> dict:
    """Pre-sign ``calls`` ({"to", "data"}) with explicit nonces and gas, send them ``batch`` per
    request, wait for the last receipt; returns the time, the rate and the blocks they took."""
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
    first_block = w3.eth.block_number
    t0 = time.perf_counter()
    last = None
    for start in range(0, len(raws), batch):
        body = [{"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]} for i, raw in enumerate(raws[start : start + batch], start)]
        replies = session.post(rpc, json=body if batch > 1 else body[0]).json()
        for reply in replies if isinstance(replies, list) else [replies]:
            if "error" in reply:
                raise RuntimeError(f"raw send {reply.get('id')} failed: {reply['error']}")
            if reply["id"] == len(raws) - 1:
                last = reply["result"]
    receipt = w3.eth.wait_for_transaction_receipt(last, timeout=600, poll_latency=0.005)  # automine: in nonce order
    elapsed = time.perf_counter() - t0
    return {"transactions": len(raws), "seconds": round(elapsed, 3), "tx_per_s": round(len(raws) / elapsed, 1), "blocks": receipt["blockNumber"] - first_block}


# ---------------------------------------------------------------------------- make bench
AGENTS = 1_000
WINDOW = 32  # `register_agents`' default window; the batched raw path sends as many per request


def agent_specs(n: int, salt: str):
    """``n`` agent-file entries: a 100-byte https URI and one metadata entry each (plus hashtrust.key)."""
    from hashtrust.erc8004.agents import parse_agents

    entries = [
        {"key": f"{salt}-{i:05d}", "uri": f"https://agents.example.com/registry/{salt}-{i:05d}.json?v=" + "a" * 40, "metadata": {"version": "1.0.0"}}
        for i in range(n)
    ]
    return parse_agents({"agents": entries})


def run(env, n: int = AGENTS) -> dict:
    """Bulk registration of ``n`` agents through `hashtrust.agents.register_agents` (the script
    path of ``ape run register_agents``) against the same ``n`` register transactions pre-signed
    and sent raw, on the same Anvil in the same run. Reports agents/s and the ratio to the faster
    raw path (one transaction per request, or batches of ``WINDOW``).

    Every path starts from the same chain state: each raw run is taken from an ``evm_snapshot``
    and reverted afterwards (Anvil's cost per block grows with its state, so a path measured on
    a grown chain would be handicapped). Each path registers into a fresh registry and the count
    of agents it left is read back from the chain.
    """
    import os

    from hashtrust.chain import artifacts
    from hashtrust.erc8004.agents import register_agents
    from hashtrust.erc8004.identity import IdentityClient

    n = int(os.environ.get("HASHTRUST_BENCH_AGENTS", n))
    w3 = env.w3
    art = artifacts.load("IdentityRegistry")
    snapshot = _rpc(w3, "evm_snapshot")

    def raw(batch: int) -> dict:
        """The same transactions (same calldata shape) pre-signed by the same sender; then back to the snapshot."""
        nonlocal snapshot
        raw_addr = env.sender(0).deploy(art.abi, art.bytecode)["contractAddress"]
        raw_client = IdentityClient(w3, raw_addr, env.sender(1))
        calls = [{"to": raw_addr, "data": raw_client.register_call(s.uri, s.entries())._encode_transaction_data()} for s in agent_specs(n, "raw")]
        gas = int(w3.eth.estimate_gas({"from": raw_client.sender.address, **calls[0]}) * 1.25)
        out = raw_send_rate(w3, env.rpc, raw_client.sender.signer, calls, gas=gas, batch=batch)
        ids = raw_client.agents_with_metadata("hashtrust.key", owner=raw_client.sender.address)
        if len(ids) != n:
            raise RuntimeError(f"raw registration left {len(ids)} agents, expected {n}")
        if _rpc(w3, "evm_revert", snapshot) is not True:
            raise RuntimeError("evm_revert to the pre-raw snapshot failed")
        snapshot = _rpc(w3, "evm_snapshot")
        return {"agents": n, "seconds": out["seconds"], "agents_per_s": out["tx_per_s"], "blocks": out["blocks"], "per_request": batch}

    raw_one, raw_batched = raw(1), raw(WINDOW)
    best = max(raw_one, raw_batched, key=lambda r: r["agents_per_s"])

    # the project's script path, from the same state: validation, settle, existing-agent scan,
    # preflight, signing, batched sends, receipts, agent ids decoded
    addr = env.sender(0).deploy(art.abi, art.bytecode)["contractAddress"]
    client = IdentityClient(w3, addr, env.sender(1))
    specs = agent_specs(n, "sdk")
    first_block = w3.eth.block_number
    t0 = time.perf_counter()
    outcomes = register_agents(client, specs, window=WINDOW, progress=False)
    elapsed = time.perf_counter() - t0
    if sum(o.status == "registered" for o in outcomes) != n or client.total_agents() != n:
        raise RuntimeError("script path did not register every agent")
    script = {"agents": n, "seconds": round(elapsed, 3), "agents_per_s": round(n / elapsed, 1), "blocks": w3.eth.block_number - first_block, "window": WINDOW}
    return {
        "throughput": {
            "bulk_registration": {
                "script": script,
                "raw": best,
                "raw_one_per_request": raw_one,
                "raw_batched": raw_batched,
                "ratio": round(script["agents_per_s"] / best["agents_per_s"], 3),
                "aim": 0.5,
            }
        }
    }


def _rpc(w3: Web3, method: str, *params):
    reply = w3.provider.make_request(method, list(params))
    if "error" in reply:
        raise RuntimeError(f"{method} failed: {reply['error']}")
    return reply["result"]
