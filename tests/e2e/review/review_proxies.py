"""Two kinds of node the project's `FlakyRpcProxy` cannot play, both common in front of public
RPC providers: one that answers with an HTTP error status (a rate limiter's 429, a gateway's
502/504: after forwarding the request to the node, or without), and one that refuses
``eth_getLogs`` over more than a fixed number of blocks (every hosted provider caps the range)."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _post(url: str, body: bytes) -> bytes:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - loopback
        return resp.read()


class _Proxy:
    def __init__(self, upstream: str):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {}
                items = payload if isinstance(payload, list) else [payload]
                with proxy.lock:
                    for it in items:
                        m = it.get("method", "") if isinstance(it, dict) else ""
                        proxy.counts[m] = proxy.counts.get(m, 0) + 1
                status, reply = proxy.handle(body, payload, items)
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if status == 200 else "text/html")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, body: bytes, payload, items) -> tuple[int, bytes]:  # pragma: no cover - overridden
        return 200, _post(self.upstream, body)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


class HttpStatusProxy(_Proxy):
    """While `storm` is on for a method, every HTTP request carrying it is answered with an HTTP
    error status (or a JSON-RPC error) -- after forwarding it to the node (``forward=True``: the node acted, the reply is
    lost, as behind a gateway that times out) or without (the node never saw it)."""

    def __init__(self, upstream: str):
        super().__init__(upstream)
        self.rule: tuple[str, int, bool, str | None] | None = None
        self.answered: int = 0  # requests answered with the error

    def storm(self, method: str, status: int = 429, *, forward: bool, rpc_error: str | None = None) -> None:
        """Answer ``method`` with HTTP ``status`` -- or, with ``rpc_error``, with HTTP 200 and a
        JSON-RPC error of that message (what a provider's gateway says when its backend timed out)."""
        with self.lock:
            self.rule = (method, status, forward, rpc_error)

    def calm(self) -> None:
        with self.lock:
            self.rule = None

    def handle(self, body, payload, items):
        with self.lock:
            rule = self.rule
        methods = {it.get("method") for it in items if isinstance(it, dict)}
        if rule is None or rule[0] not in methods:
            return 200, _post(self.upstream, body)
        if rule[2]:
            _post(self.upstream, body)
        with self.lock:
            self.answered += 1
        if rule[3] is not None:
            errors = [{"jsonrpc": "2.0", "id": it.get("id"), "error": {"code": -32603, "message": rule[3]}} for it in items if isinstance(it, dict)]
            return 200, json.dumps(errors if isinstance(payload, list) else errors[0]).encode()
        return rule[1], b"<html><body>Too Many Requests</body></html>" if rule[1] == 429 else b"<html><body>Bad Gateway</body></html>"


class LogRangeProxy(_Proxy):
    """Forwards everything, except ``eth_getLogs`` spanning more than ``max_blocks`` blocks, which
    it answers with the JSON-RPC error hosted providers give (``latest`` is the node's head)."""

    def __init__(self, upstream: str, max_blocks: int):
        super().__init__(upstream)
        self.max_blocks = max_blocks
        self.refused: list[tuple[int, int]] = []

    def _span(self, params) -> tuple[int, int] | None:
        flt = params[0] if params else {}
        if not isinstance(flt, dict) or "blockHash" in flt:
            return None
        head = None

        def block(tag, default):
            nonlocal head
            tag = flt.get(tag, default)
            if isinstance(tag, str) and tag.startswith("0x"):
                return int(tag, 16)
            if isinstance(tag, int):
                return tag
            if tag == "earliest":
                return 0
            if head is None:
                head = int(json.loads(_post(self.upstream, json.dumps({"jsonrpc": "2.0", "id": 0, "method": "eth_blockNumber", "params": []}).encode()))["result"], 16)
            return head

        return block("fromBlock", "latest"), block("toBlock", "latest")

    def handle(self, body, payload, items):
        errors = {}
        for i, it in enumerate(items):
            if isinstance(it, dict) and it.get("method") == "eth_getLogs":
                span = self._span(it.get("params") or [])
                if span is not None and span[1] - span[0] + 1 > self.max_blocks:
                    with self.lock:
                        self.refused.append(span)
                    errors[i] = {"jsonrpc": "2.0", "id": it.get("id"), "error": {
                        "code": -32602, "message": f"query exceeds max block range {self.max_blocks} (requested {span[0]}..{span[1]})"}}
        if not errors:
            return 200, _post(self.upstream, body)
        forward = [it for i, it in enumerate(items) if i not in errors]
        replies = []
        if forward:
            got = json.loads(_post(self.upstream, json.dumps(forward if isinstance(payload, list) else forward[0]).encode()))
            replies = got if isinstance(got, list) else [got]
        by_id = {json.dumps(r.get("id")): r for r in replies}
        merged = [errors[i] if i in errors else by_id[json.dumps(it.get("id"))] for i, it in enumerate(items)]
        return 200, json.dumps(merged if isinstance(payload, list) else merged[0]).encode()
