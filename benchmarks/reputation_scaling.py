"""How the Reputation registry's aggregate and paged reads grow with the number of feedbacks.

Two agents grow side by side to 10, 100, 1,000 and 10,000 feedbacks (``HASHTRUST_BENCH_SCALE``
caps the largest count, e.g. for a quick run): one fed by a single client, one by many clients
(``min(n, 200)``, so 10 and 100 feedbacks come from 10 and 100 distinct clients as in the
reference rows, then 200 clients with 5 and 50 feedbacks each; the reads take at most 256
addresses). The workload of every feedback is the reference's (7-byte tags, 34-byte endpoint,
ipfs:// URI, hash). At each count the reads are measured with ``eth_estimateGas`` (includes the
21,000 base and calldata); a read the node refuses because it would need more than the block gas
limit (30M on Anvil) is recorded as ``null`` with the node's reason.
"""

from __future__ import annotations

import os

from web3 import Web3

from benchmarks.fill import derived_accounts, send_presigned
from hashtrust.chain import artifacts
from hashtrust.chain.tx import TxSender

COUNTS = (10, 100, 1_000, 10_000)
MANY = 200
TAG1, TAG2 = "starred", "quality"
ENDPOINT = "https://agent.example.com/api/v1/x"
URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
HASH = b"\x5a" * 32
ZERO = "0x" + "00" * 20


def counts() -> tuple[int, ...]:
    cap = int(os.environ.get("HASHTRUST_BENCH_SCALE", COUNTS[-1]))
    return tuple(n for n in COUNTS if n <= cap)


def _estimate(w3: Web3, frm: str, fn) -> tuple[int | None, str]:
    try:
        return int(w3.eth.estimate_gas({"from": frm, "to": fn.address, "data": fn._encode_transaction_data()})), ""
    except Exception as exc:  # noqa: BLE001 - the node's refusal is the figure
        return None, str(exc)[:160]


def _clients(rep, agent: int) -> list[str]:
    """The agent's clients in `getClients` order (what a caller passes to getSummary)."""
    out: list[str] = []
    while True:
        page, total = rep.functions.getClientsPaged(agent, len(out), 128).call()
        out += page
        if len(out) >= total or not page:
            return out


def setup(env):
    """Deploy Identity + Reputation, register two agents; returns (rep contract, agent_one, agent_many)."""
    dep = TxSender(env.w3, env.sender(0).signer)
    ia, ra = artifacts.load("IdentityRegistry"), artifacts.load("ReputationRegistry")
    ident = env.w3.eth.contract(address=dep.deploy(ia.abi, ia.bytecode)["contractAddress"], abi=ia.abi)
    rep = env.w3.eth.contract(address=dep.deploy(ra.abi, ra.bytecode, ident.address)["contractAddress"], abi=ra.abi)
    ids = []
    for _ in range(2):
        r = dep.transact(ident.get_function_by_signature("register()")())
        from web3.logs import DISCARD

        ids.append(int(ident.events.Registered().process_receipt(r, errors=DISCARD)[0]["args"]["agentId"]))
    return dep, rep, ids[0], ids[1]


def run(env) -> dict:
    """``{"scaling": {"reputation": {series: {read: [{n, gas, note?}]}}}}``."""
    w3, rpc = env.w3, env.rpc
    dep, rep, a_one, a_many = setup(env)
    one = derived_accounts(w3, rpc, 1, "rep-one")[0]
    many = derived_accounts(w3, rpc, MANY, "rep-many")
    data = {
        k: rep.functions.giveFeedback(a, 0, 0, TAG1, TAG2, ENDPOINT, URI, HASH)._encode_transaction_data()
        for k, a in (("one", a_one), ("many", a_many))
    }
    series: dict[str, dict[str, list]] = {"1_client": {}, "many_clients": {}}
    have = 0
    for n in counts():
        # grow both agents to n feedbacks: client k % MANY for the many-client agent
        txs = []
        for k in range(have, n):
            txs.append((one, rep.address, data["one"]))
            txs.append((many[k % MANY], rep.address, data["many"]))
        send_presigned(w3, rpc, txs, gas=400_000)
        have = n
        for label, agent, clients in (("1_client", a_one, [one.address]), ("many_clients", a_many, _clients(rep, a_many))):
            got = rep.functions.getSummary(agent, clients, "", "").call()
            if got[0] != n:
                raise RuntimeError(f"reputation scaling: expected {n} feedbacks on agent {agent}, chain has {got[0]}")
            reads = {
                "getSummary": rep.functions.getSummary(agent, clients, "", ""),
                "getSummary_tag1_filter": rep.functions.getSummary(agent, clients, TAG1, ""),
                "readAllFeedbackPaged_first_128": rep.functions.readAllFeedbackPaged(agent, [], "", "", False, 0, 128),
                "readAllFeedbackPaged_last_128": rep.functions.readAllFeedbackPaged(agent, [], "", "", False, max(0, n - 128), 128),
                "getClientsPaged_first_128": rep.functions.getClientsPaged(agent, 0, 128),
                "getResponseCount_all": rep.functions.getResponseCount(agent, ZERO, 0, []),
            }
            if len(clients) > 1:
                reads["getSummary_client_subset_order"] = rep.functions.getSummary(agent, clients[::-1], "", "")
            if n <= 128:
                reads["readAllFeedback"] = rep.functions.readAllFeedback(agent, [], "", "", False)
            for name, fn in reads.items():
                gas, note = _estimate(w3, dep.address, fn)
                point = {"n": n, "clients": len(clients), "gas": gas}
                if note:
                    point["note"] = note
                series[label].setdefault(name, []).append(point)
    return {"scaling": {"reputation": series}}
