"""What the second review's unit tests share: a loopback HTTP server whose every POST is answered
by a chosen function (a hostile "node", an x402 service), and a way to run the real `hashtrust`
command against it in a fresh process (a crash there must not take pytest down)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))

# A reply: (status, headers, body) or an iterable of body pieces sent with a pause between them.
Reply = tuple[int, dict[str, str], bytes]


@contextlib.contextmanager
def post_server(answer: Callable[[str, bytes], Reply | tuple[int, dict[str, str], list[bytes], float]]) -> Iterator[tuple[str, list[bytes]]]:
    """(URL, request bodies received) of a 127.0.0.1 server answering each POST (and GET) with
    ``answer(path, body)``: ``(status, headers, body)`` or ``(status, headers, pieces, pause)``
    (the pieces sent ``pause`` seconds apart, for a server that drips)."""
    seen: list[bytes] = []
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self, body: bytes) -> None:
            seen.append(body)
            got = answer(self.path, body)
            try:
                if len(got) == 3:
                    status, headers, data = got
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                        self.send_header("Content-Length", str(len(data)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    status, headers, pieces, pause = got
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for piece in pieces:
                        self.wfile.write(piece)
                        self.wfile.flush()
                        if stop.wait(pause):
                            return
            except OSError:
                pass
            self.close_connection = True

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            self._answer(self.rfile.read(n) if n else b"")

        def do_GET(self):
            self._answer(b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_cli(*args: str, timeout: float = 120, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """The real ``hashtrust`` command run in a fresh process: (the finished process, seconds)."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **(env or {}))
    t0 = time.monotonic()
    proc = subprocess.run([HASHTRUST, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - t0


def jsonrpc(request: bytes, result_json: bytes) -> bytes:
    """The JSON-RPC reply to ``request`` (its id) whose ``result`` is the given JSON text, inserted as it is."""
    import json

    try:
        rid = json.loads(request).get("id", 0)
    except (ValueError, AttributeError):
        rid = 0
    return b'{"jsonrpc":"2.0","id":' + json.dumps(rid).encode() + b',"result":' + result_json + b"}"
