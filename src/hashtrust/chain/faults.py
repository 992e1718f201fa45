"""Fault injection for testing scripts against an unreliable RPC endpoint.

`FlakyRpcProxy` listens on a local port and forwards JSON-RPC to a real node. Rules decide,
per method, whether a reply is delayed or *dropped after the node has processed the
request* (the nastiest failure: the transaction is in, the sender never hears so).

    with FlakyRpcProxy(upstream="http://127.0.0.1:8545") as proxy:
        proxy.drop("eth_sendRawTransaction", times=1)
        w3 = Web3(Web3.HTTPProvider(proxy.url))
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FlakyRpcProxy:
    """A loopback JSON-RPC proxy that drops or delays chosen replies."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0):
        self.upstream = upstream
        self._drops: dict[str, int] = {}
        self._refusals: dict[str, int] = {}
        self._delays: dict[str, float] = {}
        self._lock = threading.Lock()
        self.seen: list[str] = []  # methods received, in order
        self.dropped: list[str] = []  # methods whose reply was dropped
        self.refused: list[str] = []  # methods never forwarded
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _hang_up(self):
                """Close the connection without a reply (what a lost reply looks like to the caller)."""
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    payload = json.loads(body)
                    methods = [p.get("method", "") for p in payload] if isinstance(payload, list) else [payload.get("method", "")]
                except ValueError:
                    methods = [""]
                with proxy._lock:
                    refuse = [m for m in methods if proxy._refusals.get(m, 0) > 0]
                    for m in refuse:
                        proxy._refusals[m] -= 1
                        proxy.refused.append(m)
                if refuse:  # the node never sees the request
                    self._hang_up()
                    return
                req = urllib.request.Request(proxy.upstream, data=body, headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - loopback
                    reply = resp.read()
                drop, delay = False, 0.0
                with proxy._lock:
                    proxy.seen.extend(methods)
                    for m in methods:
                        if proxy._drops.get(m, 0) > 0:
                            proxy._drops[m] -= 1
                            proxy.dropped.append(m)
                            drop = True
                        delay = max(delay, proxy._delays.get(m, 0.0))
                if delay:
                    time.sleep(delay)
                if drop:  # the node did the work; the caller never hears of it
                    self._hang_up()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def drop(self, method: str, times: int = 1) -> None:
        """Drop the next ``times`` replies to ``method`` (after forwarding the request)."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + times

    def refuse(self, method: str, times: int = 1) -> None:
        """Cut the connection of the next ``times`` ``method`` requests without forwarding them."""
        with self._lock:
            self._refusals[method] = self._refusals.get(method, 0) + times

    def delay(self, method: str, seconds: float) -> None:
        """Delay every reply to ``method`` by ``seconds``."""
        with self._lock:
            self._delays[method] = seconds

    def start(self) -> FlakyRpcProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FlakyRpcProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
