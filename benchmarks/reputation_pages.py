"""What one page of the Reputation registry's agent-wide reads costs as the agent gains clients.

    python -m benchmarks.reputation_pages       # a throwaway Anvil; prints the table
    (also part of `make bench`, section "scaling")

Issue 14 item 8: `readAllFeedbackPaged(agent, [], ...)` and `getResponseCount(agent, 0, 0, [])`
used to walk every client of the agent, so a 1-item page cost ~1M gas at 1,000 clients, and
anyone can add clients. This benchmark grows one agent to 1, 100 and 1,000 clients (one
feedback each, the reference workload: 7-byte tags, 34-byte endpoint, ipfs:// URI, a hash) and
one response to each of the first 10 feedbacks, and at each size estimates (``eth_estimateGas``:
21,000 base and calldata included):

- ``readAllFeedbackPaged(agent, [], "", "", False, 0, 1)``: the first 1-item page;
- ``readAllFeedbackPaged(agent, [], "", "", False, n - 1, 1)``: the last 1-item page;
- ``readAllFeedbackPaged(agent, [], "", "", False, 0, 10)``: a 10-item page;
- ``getResponseCount(agent, 0x0, 0, [])`` and ``getResponseCount(agent, 0x0, 0, [responder])``;
- ``getResponseCount(agent, client, 1, [])``: one feedback (the floor of a response count).

O(page) means each row stays flat while the clients grow. The floor beside each row is the
21,000 base + the call's calldata: a read cannot cost less.
"""

from __future__ import annotations

from web3 import Web3

from benchmarks.fill import derived_accounts, send_presigned
from benchmarks.harness import calldata_gas
from hashtrust.chain import artifacts
from hashtrust.chain.tx import TxSender

SIZES = (1, 100, 1_000)
TAG1, TAG2 = "starred", "quality"
ENDPOINT = "https://agent.example.com/api/v1/x"
URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
HASH = b"\x5a" * 32
ZERO = "0x" + "00" * 20


def _estimate(w3: Web3, frm: str, fn) -> int | None:
    try:
        return int(w3.eth.estimate_gas({"from": frm, "to": fn.address, "data": fn._encode_transaction_data()}))
    except Exception:  # noqa: BLE001 - over the node's cap: recorded as None
        return None


def run(env) -> dict:
    """``{"scaling": {"reputation_pages": {"by_clients": {read: [{clients, gas, floor}]}}}}``."""
    w3, rpc = env.w3, env.rpc
    dep = TxSender(w3, env.sender(0).signer)
    ia, ra = artifacts.load("IdentityRegistry"), artifacts.load("ReputationRegistry")
    ident = w3.eth.contract(address=dep.deploy(ia.abi, ia.bytecode)["contractAddress"], abi=ia.abi)
    rep = w3.eth.contract(address=dep.deploy(ra.abi, ra.bytecode, ident.address)["contractAddress"], abi=ra.abi)
    from web3.logs import DISCARD

    r = dep.transact(ident.get_function_by_signature("register()")())
    agent = int(ident.events.Registered().process_receipt(r, errors=DISCARD)[0]["args"]["agentId"])
    clients = derived_accounts(w3, rpc, SIZES[-1], "rep-pages")
    responder = derived_accounts(w3, rpc, 1, "rep-pages-responder")[0]
    give = rep.functions.giveFeedback(agent, 87, 0, TAG1, TAG2, ENDPOINT, URI, HASH)._encode_transaction_data()
    series: dict[str, list] = {}
    have = 0
    for n in SIZES:
        send_presigned(w3, rpc, [(clients[k], rep.address, give) for k in range(have, n)], gas=400_000)
        if have == 0:
            # one response on the first feedback, then nothing else changes but the client count
            data = rep.functions.appendResponse(agent, clients[0].address, 1, URI, HASH)._encode_transaction_data()
            send_presigned(w3, rpc, [(responder, rep.address, data)], gas=400_000)
        have = n
        got = rep.functions.getSummary(agent, [clients[0].address], "", "").call()
        total = rep.functions.readAllFeedbackPaged(agent, [], "", "", False, 0, 1).call()[-1]
        if got[0] != 1 or total != n:
            raise RuntimeError(f"reputation pages: expected {n} feedbacks, chain has {total}")
        reads = {
            "readAllFeedbackPaged_first_1": rep.functions.readAllFeedbackPaged(agent, [], "", "", False, 0, 1),
            "readAllFeedbackPaged_last_1": rep.functions.readAllFeedbackPaged(agent, [], "", "", False, n - 1, 1),
            "readAllFeedbackPaged_first_10": rep.functions.readAllFeedbackPaged(agent, [], "", "", False, 0, 10),
            "getResponseCount_all": rep.functions.getResponseCount(agent, ZERO, 0, []),
            "getResponseCount_all_by_responder": rep.functions.getResponseCount(agent, ZERO, 0, [responder.address]),
            "getResponseCount_one_feedback": rep.functions.getResponseCount(agent, clients[0].address, 1, []),
        }
        for name, fn in reads.items():
            point = {"clients": n, "gas": _estimate(w3, dep.address, fn), "floor": 21_000 + calldata_gas(fn._encode_transaction_data())}
            series.setdefault(name, []).append(point)
    return {"scaling": {"reputation_pages": {"by_clients": series}}}


def table(res: dict) -> str:
    series = res["scaling"]["reputation_pages"]["by_clients"]
    lines = [f"{'read':<36}" + "".join(f"{f'{n:,} clients':>16}" for n in SIZES) + f"{'floor':>10}"]
    for name, pts in series.items():
        lines.append(f"{name:<36}" + "".join(f"{p['gas']:>16,}" if p["gas"] is not None else f"{'refused':>16}" for p in pts) + f"{pts[0]['floor']:>10,}")
    return "\n".join(lines)


def main() -> int:
    import json

    from benchmarks.harness import bench_env

    with bench_env() as env:
        res = run(env)
    print(table(res))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
