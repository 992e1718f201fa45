"""Fault injection for testing scripts against an unreliable RPC endpoint.

`FlakyRpcProxy` listens on a local port and forwards JSON-RPC to a real node. Rules decide,
per method, whether a request is

* **dropped** after the node processed it (`drop`: the transaction is in, the sender never
  hears so -- the nastiest failure);
* **refused** before the node sees it (`refuse`: the connection is cut);
* **rejected** by a JSON-RPC error reply (`reject`: what a node that says no looks like;
  inside a batch only the chosen items are rejected, the others are forwarded);
* **delayed** (`delay`);
* **answered by the proxy itself** (`answer`: it plays another node).

The whole endpoint can **go away** and come back (`go_down` / `come_up`: every request is cut
while it is down), and a test can act at an exact point of a run instead of racing it: `on`
runs a callback when the n-th request of a method arrives (before it is handled), and `hold`
parks that request until the test releases it. Requests are counted per JSON-RPC call, so a
batch of eight ``eth_sendRawTransaction`` counts eight.

    with FlakyRpcProxy(upstream="http://127.0.0.1:8545") as proxy:
        proxy.drop("eth_sendRawTransaction", times=1)
        proxy.on("eth_sendRawTransaction", 5, proxy.go_down)   # the node "dies" at the 5th send
        w3 = Web3(Web3.HTTPProvider(proxy.url))
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hold:
    """A request parked by `FlakyRpcProxy.hold`: ``reached`` is set when it arrives; it stays
    parked until `release` (then it is handled, or cut when ``cut`` is True)."""

    def __init__(self, cut: bool):
        self.reached = threading.Event()
        self._released = threading.Event()
        self.cut = cut

    def wait(self, timeout: float = 300.0) -> None:
        """Block until the parked request arrived (AssertionError after ``timeout``)."""
        if not self.reached.wait(timeout):
            raise AssertionError(f"the held request did not arrive within {timeout:.0f} s")

    def release(self) -> None:
        self._released.set()


class FlakyRpcProxy:
    """A loopback JSON-RPC proxy that drops, refuses, rejects, delays or parks chosen requests."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0):
        self.upstream = upstream
        self._drops: dict[str, int] = {}
        self._refusals: dict[str, int] = {}
        self._rejects: dict[str, list] = {}  # method -> [times left, message]
        self._delays: dict[str, float] = {}
        self._answers: dict[str, object] = {}  # method -> the result the proxy answers itself
        self._hooks: list[list] = []  # [method, count at which to fire, callback]
        self._counts: dict[str, int] = {}
        self._down = threading.Event()
        self._down_left: int | None = None  # cut requests left before the endpoint comes back
        self._holds: list[Hold] = []
        self._lock = threading.Lock()
        self.seen: list[str] = []  # methods forwarded to the node, in order
        self.dropped: list[str] = []  # methods whose reply was dropped
        self.refused: list[str] = []  # methods never forwarded (connection cut)
        self.rejected: list[str] = []  # methods answered with a JSON-RPC error, never forwarded
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

            def _reply(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {}
                items = payload if isinstance(payload, list) else [payload]
                methods = [p.get("method", "") if isinstance(p, dict) else "" for p in items]
                for cb in proxy._count(methods):  # exact points of the run: before anything else
                    cb()
                if proxy._down.is_set():
                    with proxy._lock:
                        proxy.refused.extend(methods)
                        if proxy._down_left is not None:
                            proxy._down_left -= 1
                            if proxy._down_left <= 0:
                                proxy._down_left = None
                                proxy._down.clear()
                    self._hang_up()
                    return
                with proxy._lock:
                    refuse = [m for m in methods if proxy._refusals.get(m, 0) > 0]
                    for m in refuse:
                        proxy._refusals[m] -= 1
                        proxy.refused.append(m)
                    rejected: dict[int, dict] = {}
                    for i, (m, it) in enumerate(zip(methods, items)):
                        if m in proxy._answers:  # answered here, as another node would
                            rejected[i] = {"jsonrpc": "2.0", "id": it.get("id"), "result": proxy._answers[m]}
                            continue
                        rule = proxy._rejects.get(m)
                        if not refuse and rule and rule[0] > 0:
                            rule[0] -= 1
                            proxy.rejected.append(m)
                            rejected[i] = {"jsonrpc": "2.0", "id": it.get("id"), "error": {"code": -32000, "message": rule[1]}}
                if refuse:  # the node never sees the request
                    self._hang_up()
                    return
                forward = [it for i, it in enumerate(items) if i not in rejected]
                replies: list = []
                if forward:
                    out = json.dumps(forward if isinstance(payload, list) else forward[0]).encode()
                    req = urllib.request.Request(proxy.upstream, data=out, headers={"Content-Type": "application/json"})
                    try:
                        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - loopback
                            got = json.loads(resp.read())
                    except OSError:  # the node itself is gone: so are we, for this request
                        self._hang_up()
                        return
                    replies = got if isinstance(got, list) else [got]
                drop, delay = False, 0.0
                with proxy._lock:
                    proxy.seen.extend(m for i, m in enumerate(methods) if i not in rejected)
                    for i, m in enumerate(methods):
                        if i in rejected:
                            continue
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
                if isinstance(payload, list):
                    by_id = {json.dumps(r.get("id")): r for r in replies if isinstance(r, dict)}
                    merged = [rejected[i] if i in rejected else by_id.get(json.dumps(it.get("id")), {"jsonrpc": "2.0", "id": it.get("id"), "error": {"code": -32603, "message": "no reply"}}) for i, it in enumerate(items)]
                    self._reply(json.dumps(merged).encode())
                else:
                    self._reply(json.dumps(rejected[0] if 0 in rejected else replies[0]).encode())

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _count(self, methods: list[str]) -> list[Callable[[], None]]:
        """Count the calls of a request; the callbacks whose point it reaches (each fires once)."""
        fire = []
        with self._lock:
            for m in methods:
                self._counts[m] = self._counts.get(m, 0) + 1
                for hook in list(self._hooks):
                    if hook[0] == m and self._counts[m] >= hook[1]:
                        self._hooks.remove(hook)
                        fire.append(hook[2])
        return fire

    # ------------------------------------------------------------------ rules
    def drop(self, method: str, times: int = 1) -> None:
        """Drop the next ``times`` replies to ``method`` (after forwarding the request)."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + times

    def refuse(self, method: str, times: int = 1) -> None:
        """Cut the connection of the next ``times`` ``method`` requests without forwarding them."""
        with self._lock:
            self._refusals[method] = self._refusals.get(method, 0) + times

    def reject(self, method: str, times: int = 1, message: str = "txpool is full") -> None:
        """Answer the next ``times`` ``method`` calls with a JSON-RPC error (never forwarded)."""
        with self._lock:
            rule = self._rejects.setdefault(method, [0, message])
            rule[0] += times
            rule[1] = message

    def answer(self, method: str, result: object) -> None:
        """Answer every ``method`` call with ``result`` (never forwarded): the proxy plays another
        node, e.g. ``answer("web3_clientVersion", "Geth/v1.14.0")``."""
        with self._lock:
            self._answers[method] = result

    def delay(self, method: str, seconds: float) -> None:
        """Delay every reply to ``method`` by ``seconds``."""
        with self._lock:
            self._delays[method] = seconds

    def go_down(self, requests: int | None = None) -> None:
        """The endpoint goes away: every request from now on is cut, unforwarded -- until
        `come_up`, or, with ``requests``, until that many HTTP requests were cut (an outage
        measured in the client's own attempts, not in seconds)."""
        with self._lock:
            self._down_left = requests
        self._down.set()

    def come_up(self) -> None:
        with self._lock:
            self._down_left = None
        self._down.clear()

    @property
    def down(self) -> bool:
        return self._down.is_set()

    def count(self, method: str) -> int:
        """How many ``method`` calls arrived so far (forwarded or not)."""
        with self._lock:
            return self._counts.get(method, 0)

    def on(self, method: str, nth: int, callback: Callable[[], None]) -> None:
        """Run ``callback`` (in the proxy's thread, before the request is handled) when the
        ``nth`` ``method`` call since the proxy started arrives (at once, on the next one, when
        that many already arrived)."""
        with self._lock:
            self._hooks.append([method, nth, callback])

    def hold(self, method: str, nth: int, *, cut: bool = False) -> Hold:
        """Park the request carrying the ``nth`` ``method`` call until the returned `Hold` is
        released (then forward it, or cut it unforwarded when ``cut``). The test acts -- kills
        the client, stops the node -- while the client is known to be waiting right there."""
        hold = Hold(cut)
        self._holds.append(hold)

        def park() -> None:
            hold.reached.set()
            hold._released.wait(600)
            if hold.cut:
                self.refuse(method, 1)

        self.on(method, nth, park)
        return hold

    # ------------------------------------------------------------------ life
    def start(self) -> FlakyRpcProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        for h in self._holds:  # nothing stays parked past the proxy's life
            h.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FlakyRpcProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
