"""Second review, finding 3: the log scan (`hashtrust.chain.logs.get_logs`) treated every error
reply as "range too large" and every HTTP error as fatal. A node that rate-limits (HTTP 429, or
a JSON-RPC "rate limit exceeded" reply) or whose gateway fails once (502) made the scan either
fail at once (the ``requests.HTTPError`` escaped as it was) or halve its range down to one block
and raise, narrowing that connection's span for good because of an error that said nothing
about ranges.

Now range refusals halve the range (as before) while transient failures read the same piece
again after a doubling pause, a bounded number of times, then end in one `NodeError` naming the
node's answer and the blocks.
"""

from __future__ import annotations

import time

import pytest
import requests
from web3 import Web3
from web3.providers.base import BaseProvider

from hashtrust.chain import logs as chain_logs
from hashtrust.errors import NodeError

HEAD = 10_000


def _log(block: int) -> dict:
    return {"address": "0x" + "ab" * 20, "topics": [], "data": "0x", "blockNumber": hex(block), "transactionHash": "0x" + f"{block:064x}",
            "transactionIndex": "0x0", "blockHash": "0x" + "00" * 32, "logIndex": "0x0", "removed": False}


def _http_error(status: int) -> requests.HTTPError:
    resp = requests.Response()
    resp.status_code = status
    resp._content = b"<html>rate limited</html>"
    return requests.HTTPError(f"{status} Client Error", response=resp)


class FlakyLogsNode(BaseProvider):
    """A log every 100 blocks up to HEAD; ``fail(n)`` decides what the n-th eth_getLogs gets
    (None: the logs; an exception: raised; a dict: that error object as the reply)."""

    def __init__(self, fail, *, max_results: int | None = None):
        super().__init__()
        self.fail = fail
        self.max_results = max_results
        self.spans: list[int] = []

    def make_request(self, method, params):
        if method == "eth_chainId":
            return {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"}
        if method == "eth_blockNumber":
            return {"jsonrpc": "2.0", "id": 1, "result": hex(HEAD)}
        assert method == "eth_getLogs", method
        lo, hi = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
        self.spans.append(hi - lo + 1)
        got = self.fail(len(self.spans))
        if isinstance(got, BaseException):
            raise got
        if isinstance(got, dict):
            return {"jsonrpc": "2.0", "id": 1, "error": got}
        logs = [_log(b) for b in range(lo, hi + 1) if b % 100 == 0]
        if self.max_results is not None and len(logs) > self.max_results:
            return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": f"query returned more than {self.max_results} results"}}
        return {"jsonrpc": "2.0", "id": 1, "result": logs}

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True


def _scan(node) -> list[int]:
    got = chain_logs.get_logs(Web3(node), {"address": Web3.to_checksum_address("0x" + "ab" * 20), "fromBlock": 0, "toBlock": "latest"})
    return [int(lg["blockNumber"]) for lg in got]


EVERY_LOG = list(range(0, HEAD + 1, 100))


@pytest.mark.parametrize("transient", [
    _http_error(429), _http_error(502), _http_error(503),
    {"code": -32005, "message": "rate limit exceeded: too many requests per second"},
    {"code": 429, "message": "Too Many Requests"},
    {"code": -32000, "message": "upstream request timed out, please try again"},
], ids=["http-429", "http-502", "http-503", "rpc-rate-limit", "rpc-429", "rpc-try-again"])
def test_a_transient_failure_is_retried_and_leaves_the_range_alone(transient):
    node = FlakyLogsNode(lambda n: transient if n in (2, 3) else None)  # the second piece fails twice
    assert _scan(node) == EVERY_LOG
    assert node.spans == [2_000, 4_000, 4_000, 4_000, 4_001]  # the same piece read again, never halved; the span grew as usual


def test_a_failure_that_does_not_pass_ends_in_one_node_error_after_bounded_tries():
    node = FlakyLogsNode(lambda n: _http_error(429))
    t0 = time.monotonic()
    with pytest.raises(NodeError, match=r"kept failing eth_getLogs for blocks 0-1999 \(5 tries over about 3.75 s\): HTTP 429"):
        _scan(node)
    took = time.monotonic() - t0
    assert node.spans == [2_000] * chain_logs.ATTEMPTS  # bounded: 5 tries, no halving, no loop
    assert 3.5 < took < 10, took  # the pauses doubled: 0.25 + 0.5 + 1 + 2


def test_a_rate_limit_reply_that_does_not_pass_is_one_node_error_with_the_nodes_words():
    node = FlakyLogsNode(lambda n: {"code": -32005, "message": "daily request limit exceeded; rate limited"})
    with pytest.raises(NodeError, match="kept failing eth_getLogs .*daily request limit exceeded; rate limited"):
        _scan(node)
    assert node.spans == [2_000] * chain_logs.ATTEMPTS


def test_a_result_cap_halves_the_range_and_the_span_stops_growing():
    node = FlakyLogsNode(lambda n: None, max_results=5)  # more than 5 logs (500 blocks) refused
    assert _scan(node) == EVERY_LOG
    assert node.spans[:3] == [2_000, 1_000, 500]  # halved on each refusal; 500 blocks hold 5 logs
    assert set(node.spans[3:-1]) == {500} and node.spans[-1] <= 500  # the ceiling holds: never grows back into a refused span


def test_a_lost_connection_is_retried_then_raised_as_it_is():
    node = FlakyLogsNode(lambda n: requests.ConnectionError("connection reset") if n == 1 else None)
    assert _scan(node) == EVERY_LOG
    node = FlakyLogsNode(lambda n: requests.ConnectionError("connection reset"))
    with pytest.raises(requests.ConnectionError):
        _scan(node)
    assert len(node.spans) == chain_logs.ATTEMPTS
