"""What a node (or the gateway in front of it) answers, and what the SDK makes of it.

A scripted JSON-RPC node (`ScriptedNode`, a web3 provider) plays the hosted providers' habits:
``eth_getLogs`` capped to a block range, error replies that prove nothing, pools of different
shapes. The real-node stories are in tests/e2e/review/ (HTTP 429s, a gateway's "request timed
out", a capped log range, a rate-limited ``eth_call``) and tests/e2e/test_tx_faults.py.

    ape test tests/unit/sdk/test_node_replies.py --network ethereum:local:test
"""

from __future__ import annotations

import pytest
import requests
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.providers.base import BaseProvider

from hashtrust.chain import logs as chain_logs
from hashtrust.chain.failures import explain
from hashtrust.chain.tx import REFUSALS, LocalSigner, TxSender, call_view, proves_refusal
from hashtrust.errors import NodeError

ME = LocalSigner.from_key("0x" + "11" * 32)
CONTRACT = Web3.to_checksum_address("0x" + "ab" * 20)
HEAD = 10_000


def _log(block: int) -> dict:
    return {
        "address": "0x" + "ab" * 20, "topics": [], "data": "0x", "blockNumber": hex(block), "transactionHash": "0x" + f"{block:064x}",
        "transactionIndex": "0x0", "blockHash": "0x" + "00" * 32, "logIndex": "0x0", "removed": False,
    }


class ScriptedNode(BaseProvider):
    """A node with a log every 100 blocks up to `HEAD`; ``max_span`` caps eth_getLogs ranges."""

    def __init__(self, *, max_span: int | None = None, pool: dict | None = None, refuse_block: int | None = None):
        super().__init__()
        self.max_span = max_span
        self.pool = pool or {}  # method -> result (a method missing: "Method not found")
        self.refuse_block = refuse_block
        self.calls: list[tuple[str, list]] = []

    def make_request(self, method, params):
        self.calls.append((method, params))
        if method == "eth_chainId":
            return {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"}
        if method == "eth_blockNumber":
            return {"jsonrpc": "2.0", "id": 1, "result": hex(HEAD)}
        if method == "eth_getLogs":
            lo, hi = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
            if self.max_span is not None and hi - lo + 1 > self.max_span:
                return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": f"block range too wide (max {self.max_span})"}}
            if self.refuse_block is not None and lo <= self.refuse_block <= hi:
                return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "header not found"}}
            return {"jsonrpc": "2.0", "id": 1, "result": [_log(b) for b in range(lo, hi + 1) if b % 100 == 0]}
        if method in self.pool:
            return {"jsonrpc": "2.0", "id": 1, "result": self.pool[method]}
        return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "Method not found"}}

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True


def _spans(node: ScriptedNode) -> list[int]:
    return [int(p[0]["toBlock"], 16) - int(p[0]["fromBlock"], 16) + 1 for m, p in node.calls if m == "eth_getLogs"]


# ---------------------------------------------------------------------------- log ranges
def test_logs_are_read_in_ranges_the_node_accepts_and_the_narrowing_is_remembered():
    node = ScriptedNode(max_span=25)
    w3 = Web3(node)
    got = chain_logs.get_logs(w3, {"address": CONTRACT, "fromBlock": 0, "toBlock": "latest"})
    assert [int(lg["blockNumber"]) for lg in got] == list(range(0, HEAD + 1, 100))  # every log, once, in order
    spans = _spans(node)
    assert spans[:8] == [2_000, 1_000, 500, 250, 125, 62, 31, 15] and set(spans[8:-1]) == {15} and spans[-1] <= 15  # halved to 15, then kept
    node.calls.clear()
    again = chain_logs.get_logs(w3, {"address": CONTRACT, "fromBlock": 0, "toBlock": HEAD})
    assert again == got and max(_spans(node)) <= 25  # the connection remembers: nothing refused the second time


def test_logs_on_a_node_without_caps_take_few_requests():
    node = ScriptedNode()
    got = chain_logs.get_logs(Web3(node), {"fromBlock": 0, "toBlock": "latest"})
    assert len(got) == HEAD // 100 + 1
    assert _spans(node) == [2_000, 4_000, 4_001]  # the span doubles while accepted (the last piece is what is left)


def test_a_block_the_node_refuses_on_its_own_is_one_node_error_naming_its_message():
    node = ScriptedNode(refuse_block=4_321)
    with pytest.raises(NodeError, match=r"eth_getLogs for block 4321: header not found \(code -32000\)"):
        chain_logs.get_logs(Web3(node), {"fromBlock": 0, "toBlock": "latest"})


# ---------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("message", [
    "nonce too low", "nonce too low: next nonce 5, tx nonce 4", "insufficient funds for gas * price + value",
    "transaction underpriced", "replacement transaction underpriced", "invalid signature", "invalid sender",
    "max fee per gas less than block base fee", "intrinsic gas too low", "exceeds block gas limit", "txpool is full",
    "tx fee (1.20 ether) exceeds the configured cap (1.00 ether)", "invalid chain id for signer", "only replay-protected (EIP-155) transactions allowed over RPC",
])
def test_errors_that_prove_the_node_refused_the_transaction(message):
    assert proves_refusal(message) and proves_refusal(message.upper())


@pytest.mark.parametrize("message", [
    "request timed out", "internal error", "upstream connect error", "daily request count exceeded, request rate limited",
    "execution reverted: identity: reserved key",  # some nodes say so after mining it
    "node refuses: overloaded", "backend unavailable", "",
])
def test_errors_that_prove_nothing_are_not_refusals(message):
    assert not proves_refusal(message)


def test_the_refusal_allow_list_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "reliability.md").read_text()
    missing = [k for k in REFUSALS if f"`{k}`" not in doc]
    assert not missing, f"docs/reliability.md does not list {missing}"


# ---------------------------------------------------------------------------- the pool
def test_settle_reads_only_this_accounts_transactions_where_the_node_offers_it():
    node = ScriptedNode(pool={"txpool_contentFrom": {"pending": {}, "queued": {"7": {}, "9": {}}}, "txpool_content": {"queued": {}}})
    sender = TxSender(Web3(node), ME)
    assert sender._queued_nonces() == {7, 9}
    pool_calls = [c for c in node.calls if c[0].startswith("txpool")]
    assert pool_calls == [("txpool_contentFrom", [ME.address])]  # never the whole pool


def test_settle_falls_back_to_inspect_then_content_and_remembers_what_the_node_lacks():
    addr = ME.address.lower()
    node = ScriptedNode(pool={"txpool_inspect": {"pending": {}, "queued": {addr: {"3": "summary"}}}})
    sender = TxSender(Web3(node), ME)
    assert sender._queued_nonces() == {3}
    node.calls.clear()
    assert sender._queued_nonces() == {3}
    assert [c[0] for c in node.calls] == ["txpool_inspect"]  # contentFrom is not asked again
    bare = ScriptedNode(pool={"txpool_content": {"queued": {ME.address: {"4": {}}}}})
    assert TxSender(Web3(bare), ME)._queued_nonces() == {4}
    assert TxSender(Web3(ScriptedNode()), ME)._queued_nonces() == set()  # no txpool namespace at all


# ---------------------------------------------------------------------------- one line
def test_an_error_reply_to_a_view_is_a_node_error_naming_the_message():
    class Fn:  # the parts of a web3 ContractFunction `call_view` uses
        abi = {"type": "function", "name": "totalAgents", "inputs": [], "outputs": [{"type": "uint256", "name": ""}]}
        address = "0x" + "ab" * 20
        fn_name = "totalAgents"
        arguments: tuple = ()
        selector = "0x12345678"

        class w3:  # noqa: N801 - stands for fn.w3
            class eth:  # noqa: N801
                @staticmethod
                def call(*a, **k):
                    raise Web3RPCError("{'code': -32005, 'message': 'rate limited'}", rpc_response={"error": {"code": -32005, "message": "rate limited"}})

        class codec:  # noqa: N801
            @staticmethod
            def encode(types, args):
                return b""

    Fn.w3.codec = Fn.codec
    with pytest.raises(NodeError, match=r"totalAgents: the node answered eth_call with an error: rate limited \(code -32005\)"):
        call_view(Fn())


def test_http_statuses_and_error_replies_the_sdk_did_not_convert_are_one_line():
    resp = requests.Response()
    resp.status_code = 429
    line = explain(requests.HTTPError("429 Client Error: Too Many Requests", response=resp), rpc="https://rpc.example")
    assert line.startswith("the node at https://rpc.example answered HTTP 429 (rate limited)") and "\n" not in line
    rpc = explain(Web3RPCError("x", rpc_response={"error": {"code": -32000, "message": "header not found"}}))
    assert rpc.startswith("the node answered with an error: header not found (code -32000)") and "unexpected" not in rpc
