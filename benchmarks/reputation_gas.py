"""Gas of the Reputation registry on a real Anvil, next to the Solidity reference.

    python benchmarks/reputation_gas.py          # starts a throwaway Anvil, prints a table

`measure(w3, deployer_key)` returns ``{row: gas}`` (receipt gasUsed for writes, eth_estimateGas
for views; both include the 21,000 base cost and calldata, like the reference table in
``/work/shared/spec/reference-gas.json``). The workload is the reference's: tags of 7 bytes,
a 34-byte endpoint, an ipfs:// feedbackURI and a feedbackHash.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
from pathlib import Path

from eth_account import Account
from web3 import Web3

from hashtrust.chain import artifacts, devnet
from hashtrust.chain.tx import LocalSigner, TxSender

ANVIL_KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

REFERENCE = {
    "giveFeedback_first_from_client": 214_344,
    "giveFeedback_second_same_client": 112_085,
    "giveFeedback_new_client_no_tags_no_uri": 152_793,
    "revokeFeedback": 36_232,
    "appendResponse_first_by_responder": 125_395,
    "appendResponse_repeat": 43_345,
    "getSummary_10_feedbacks_10_clients": 100_181,
    "getSummary_10_feedbacks_tag1_filter": 126_944,
    "getSummary_100_feedbacks_100_clients": 694_108,
    "getSummary_100_feedbacks_tag1_filter": 959_575,
    "getSummary_100_feedbacks_1_client": 394_697,
    "readAllFeedback_10": 199_800,
    "readAllFeedback_100": 1_693_389,
    "getResponseCount_all_100": 810_496,
}

TAG1, TAG2 = "starred", "quality"  # 7 bytes each
ENDPOINT = "https://agent.example.com/api/v1/x"  # 34 bytes
URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
HASH = b"\x5a" * 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Identity:
    """The real IdentityRegistry when it is in contracts/, else the settable mock."""

    def __init__(self, w3: Web3, sender: TxSender):
        self.w3, self.sender = w3, sender
        try:
            art = artifacts.load("IdentityRegistry")
            self.real = True
        except Exception:  # noqa: BLE001 - not merged yet
            art = artifacts.load("MockIdentityRegistry")
            self.real = False
        r = sender.deploy(art.abi, art.bytecode)
        self.address = r["contractAddress"]
        self.c = w3.eth.contract(address=self.address, abi=art.abi)
        self._next = 1

    def new_agent(self) -> int:
        if self.real:
            r = self.sender.transact(self.c.get_function_by_signature("register()")())
            from web3.logs import DISCARD

            ev = self.c.events.Registered().process_receipt(r, errors=DISCARD)
            return int(ev[0]["args"]["agentId"])
        aid = self._next
        self._next += 1
        self.sender.transact(self.c.functions.setAgent(aid, self.sender.address, self.sender.address))
        return aid


def _clients(w3: Web3, n: int, salt: str) -> list[TxSender]:
    out = []
    for i in range(n):
        acct = Account.from_key(Web3.keccak(text=f"bench-client-{salt}-{i}"))
        w3.provider.make_request("anvil_setBalance", [acct.address, hex(10**20)])
        out.append(TxSender(w3, LocalSigner(acct)))
    return out


def measure(w3: Web3, deployer_key: str = ANVIL_KEY0, *, receipts: dict | None = None) -> dict:
    """Run the workload on the connected (Anvil) chain; returns gas figures (write receipts into ``receipts``)."""
    rec: dict = {} if receipts is None else receipts

    def g(name: str, receipt) -> int:
        rec[name] = receipt
        return int(receipt["gasUsed"])

    dep = TxSender(w3, LocalSigner.from_key(deployer_key))
    ident = _Identity(w3, dep)
    art = artifacts.load("ReputationRegistry")
    r = dep.deploy(art.abi, art.bytecode, ident.address)
    rep = w3.eth.contract(address=r["contractAddress"], abi=art.abi)
    out: dict = {"deploy_reputation": int(r["gasUsed"]), "identity": "IdentityRegistry" if ident.real else "MockIdentityRegistry"}
    out["runtime_bytes"] = len(bytes(w3.eth.get_code(rep.address)))

    def give(s: TxSender, agent: int, value: int = 87, dec: int = 0, t1: str = TAG1, t2: str = TAG2, ep: str = ENDPOINT, uri: str = URI, h: bytes = HASH):
        return rep.functions.giveFeedback(agent, value, dec, t1, t2, ep, uri, h)

    def est(call, frm: str) -> int:
        return int(w3.eth.estimate_gas({"from": frm, "to": rep.address, "data": call._encode_transaction_data()}))

    # writes: a fresh agent's very first feedback (worst case), then the same client's second
    a1 = ident.new_agent()
    c = _clients(w3, 3, "w")
    out["giveFeedback_first_from_client"] = g("giveFeedback_first_from_client", c[0].transact(give(c[0], a1)))
    out["giveFeedback_second_same_client"] = g("giveFeedback_second_same_client", c[0].transact(give(c[0], a1, 91)))
    out["giveFeedback_third_other_decimals"] = int(c[0].transact(give(c[0], a1, 9977, 2))["gasUsed"])
    out["giveFeedback_first_from_second_client"] = int(c[1].transact(give(c[1], a1))["gasUsed"])
    out["giveFeedback_new_client_no_tags_no_uri"] = g("giveFeedback_new_client_no_tags_no_uri", c[2].transact(give(c[2], a1, 50, 0, "", "", "", "", b"\0" * 32)))
    out["revokeFeedback"] = g("revokeFeedback", c[0].transact(rep.functions.revokeFeedback(a1, 1)))
    resp = rep.functions.appendResponse(a1, c[1].address, 1, URI, HASH)
    out["appendResponse_first_by_responder"] = g("appendResponse_first_by_responder", dep.transact(resp))
    out["appendResponse_repeat"] = g("appendResponse_repeat", dep.transact(resp))

    def populate(n_clients: int, per_client: int, salt: str, mixed: bool = True) -> tuple[int, list[str]]:
        agent = ident.new_agent()
        senders = _clients(w3, n_clients, salt)
        pend = []
        for s in senders:
            for k in range(per_client):
                pend.append((s, s.submit(give(s, agent, 50 + k % 50, k % 3 if mixed else 0))))
        for s, p in pend:
            s.wait(p)
        return agent, [s.address for s in senders]

    frm = dep.address
    a10, cl10 = populate(10, 1, "10")
    out["getSummary_10_feedbacks_10_clients"] = est(rep.functions.getSummary(a10, cl10, "", ""), frm)
    out["getSummary_10_feedbacks_10_clients_subset_path"] = est(rep.functions.getSummary(a10, cl10[::-1], "", ""), frm)
    out["getSummary_10_feedbacks_tag1_filter"] = est(rep.functions.getSummary(a10, cl10, TAG1, ""), frm)
    out["readAllFeedback_10"] = est(rep.functions.readAllFeedback(a10, [], "", "", False), frm)

    a100, cl100 = populate(100, 1, "100")
    out["getSummary_100_feedbacks_100_clients"] = est(rep.functions.getSummary(a100, cl100, "", ""), frm)
    out["getSummary_100_feedbacks_100_clients_subset_path"] = est(rep.functions.getSummary(a100, cl100[::-1], "", ""), frm)
    out["getSummary_100_feedbacks_tag1_filter"] = est(rep.functions.getSummary(a100, cl100, TAG1, ""), frm)
    out["readAllFeedback_100"] = est(rep.functions.readAllFeedback(a100, [], "", "", False), frm)
    out["readAllFeedbackPaged_100_page_50"] = est(rep.functions.readAllFeedbackPaged(a100, [], "", "", False, 0, 50), frm)
    out["getClientsPaged_100_page_100"] = est(rep.functions.getClientsPaged(a100, 0, 100), frm)
    out["getResponseCount_all_100"] = est(rep.functions.getResponseCount(a100, "0x" + "00" * 20, 0, []), frm)

    a1u, cl1u = populate(1, 100, "1x100u", mixed=False)
    out["getSummary_100_feedbacks_1_client"] = est(rep.functions.getSummary(a1u, cl1u, "", ""), frm)
    a1c, cl1 = populate(1, 100, "1x100")
    out["getSummary_100_feedbacks_1_client_mixed_decimals"] = est(rep.functions.getSummary(a1c, cl1, "", ""), frm)
    out["getSummary_100_feedbacks_1_client_tag1_filter"] = est(rep.functions.getSummary(a1c, cl1, TAG1, ""), frm)
    return out


# Storage writes (new slots, updates) each write cannot avoid, whatever the layout, for the
# floor column: what `readFeedback`, `getLastIndex`, `getClients` and `getResponseCount` must be
# able to answer. A feedback = its value word (value, decimals, revoked) + one tag word (both
# 7-byte tags); a new client = its last-index slot + its entry in the agent's client list + the
# list length (new for the agent's first client, an update after).
FLOORS = {
    "giveFeedback_first_from_client": (5, 0),
    "giveFeedback_second_same_client": (2, 1),
    "giveFeedback_new_client_no_tags_no_uri": (3, 1),
    "revokeFeedback": (0, 1),
    # the responder's count for that feedback + its entry in the feedback's responder list
    "appendResponse_first_by_responder": (2, 0),
    "appendResponse_repeat": (0, 1),
}


def run(env) -> dict:
    """`make bench` entry point (benchmarks/harness.py): rows with the reference, ratio and floor."""
    from benchmarks.harness import floor_gas, row

    receipts: dict = {}
    fig = measure(env.w3, receipts=receipts)
    ref = env.ref.get("reputation", REFERENCE)
    rows = {}
    for k, v in fig.items():
        if not isinstance(v, int) or k == "runtime_bytes":
            continue
        fl = None
        if k in FLOORS:
            new, upd = FLOORS[k]
            fl = floor_gas(env.w3, receipts[k], sstore_new=new, sstore_update=upd)
        rows[k] = row(v, ref.get(k), fl)
    return {"gas": {"reputation": rows}, "sizes": {"ReputationRegistry": fig["runtime_bytes"]}}


def table(figures: dict) -> str:
    lines = [f"{'row':<52} {'hashtrust':>10} {'reference':>10} {'ratio':>7}"]
    for k, v in figures.items():
        if not isinstance(v, int):
            continue
        ref = REFERENCE.get(k)
        ratio = f"{v / ref:.3f}" if ref else ""
        lines.append(f"{k:<52} {v:>10,} {ref or '':>10} {ratio:>7}")
    return "\n".join(lines)


def main() -> int:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        devnet.start(port, home=home)
        try:
            w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
            fig = measure(w3)
        finally:
            devnet.stop(home=home)
    print(table(fig))
    print(json.dumps(fig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
