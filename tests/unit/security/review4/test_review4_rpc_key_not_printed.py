"""Fourth review, finding 5 (severity Low): an RPC URL's API key is printed in error lines.
Hosted providers put the key in the URL's path or query (``https://eth-mainnet.example/v2/KEY``,
``...?apikey=KEY``). When the node fails (a hostile or flaky endpoint decides when), every error
of `SafeHTTPProvider` (`NodeReplyError`: too slow, too large, not JSON) and of `check_node`
("the node at URL answered HTTP 404 ...", "cannot reach a node at URL") names the whole URL, key
included, on the user's terminal and in the logs of long-running agents and CI runs, which are
shared. The devnet guard already shows only ``scheme://host:port`` (`devnet._redact`, "a URL's
path and query may hold an API key"); these messages did not.

Fix: `failures.shown_url` (scheme, host and port only) names the endpoint in every message of
`hashtrust.chain.provider`; the full URL stays in ``NodeReplyError.url`` for the program.
"""

from __future__ import annotations

import time

import pytest
from review2_helpers import post_server, run_cli

from hashtrust.chain.provider import NodeReplyError, connect

KEY = "sEcReTkEy0123456789"

ANSWERS = {
    "html-page": lambda _p, _r: (200, {"Content-Type": "text/html"}, b"<html>hello</html>"),
    "not-found": lambda _p, _r: (404, {"Content-Type": "text/html"}, b"<html>404</html>"),
}


@pytest.mark.parametrize("name", list(ANSWERS))
@pytest.mark.parametrize("where", ["path", "query"])
def test_review4_the_rpc_key_is_not_in_the_error_line(name, where):
    with post_server(ANSWERS[name]) as (url, seen):
        rpc = f"{url}/v2/{KEY}" if where == "path" else f"{url}/?apikey={KEY}"
        proc, _took = run_cli("--rpc", rpc, "addresses")
    assert seen, "the endpoint was never asked"
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and out.strip().splitlines()[-1].startswith("Error: "), out[-400:]
    assert KEY not in out, out.strip().splitlines()[-1]
    assert url in out  # the endpoint is still named (scheme, host and port)


def test_review4_a_slow_node_error_names_the_host_not_the_key():
    drip = lambda _p, _r: (200, {"Content-Type": "application/json"}, [b" "] * 100, 0.2)  # noqa: E731
    with post_server(drip) as (url, _seen):
        w3 = connect(f"{url}/v2/{KEY}", timeout=1.0)
        t0 = time.monotonic()
        with pytest.raises(NodeReplyError) as info:
            w3.eth.block_number
    assert time.monotonic() - t0 < 10
    assert KEY not in str(info.value) and url in str(info.value), str(info.value)
    assert info.value.url.endswith(KEY)  # the program still has the whole URL
