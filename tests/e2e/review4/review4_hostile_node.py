"""A JSON-RPC proxy in front of a real node that forwards every call but one method, which it
answers with a hostile reply: a JSON bomb (150 KB of ``[``), or headers then a body dripped a
byte a second for ever. What a hostile or compromised RPC endpoint does after answering the
handful of calls ape makes when it connects (chain id, client version, blocks) honestly."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _post(url: str, body: bytes) -> bytes:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - loopback
        return resp.read()


class HostileMethodProxy:
    """Forwards everything to ``upstream`` except ``method``, answered as ``mode`` says
    (``"bomb"``: a reply nested 150,000 deep; ``"drip"``: a reply that never ends)."""

    def __init__(self, upstream: str, method: str, mode: str):
        self.upstream, self.method, self.mode = upstream, method, mode
        self.hits = 0
        self.stop = threading.Event()
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
                if not any(isinstance(it, dict) and it.get("method") == proxy.method for it in items):
                    reply = _post(proxy.upstream, body)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
                proxy.hits += 1
                rid = json.dumps(items[0].get("id") if isinstance(items[0], dict) else 1).encode()
                head = b'{"jsonrpc":"2.0","id":' + rid + b',"result":'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if proxy.mode == "bomb":
                    reply = head + b"[" * 150_000 + b"]" * 150_000 + b"}"
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
                self.end_headers()  # no length: the body ends when the connection does
                try:
                    self.wfile.write(head + b'"0x')
                    self.wfile.flush()
                    while not proxy.stop.is_set():
                        self.wfile.write(b"0")
                        self.wfile.flush()
                        time.sleep(1.0)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)
