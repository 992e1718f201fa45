"""Hostile HTTP servers for the resolver's tests: each binds 127.0.0.1 on a free port, serves a
fixed set of routes, and is always shut down (`hostile_server` is a context manager; parked
handlers are released at shutdown so no thread outlives the test)."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server:
    def __init__(self, base: str, files: dict[str, bytes], hits: dict[str, int]):
        self.base = base
        self.files = files  # path -> body of the plain 200 routes (tests add their own)
        self.hits = hits

    def url(self, path: str) -> str:
        return self.base + path


@contextlib.contextmanager
def hostile_server(drip_interval: float = 0.5, drip_bytes: int = 120) -> Iterator[Server]:
    """Routes: ``/file/<name>`` (a served file), ``/drip`` (one byte every ``drip_interval``),
    ``/hang`` (headers never come), ``/slow-headers`` (a header line a byte at a time),
    ``/big`` (100 MB streamed), ``/liar`` (claims 100 MB in Content-Length), ``/gzip-bomb``
    (gzip-encoded zeros), ``/to-file``, ``/to-private``, ``/to-loopback`` (redirects),
    ``/loop`` (redirects to itself), ``/status/<code>``."""
    stop = threading.Event()
    files: dict[str, bytes] = {}
    hits: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, code: int, body: bytes = b"", headers: dict | None = None) -> None:
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: C901 - one branch per hostile behaviour
            path = self.path
            hits[path] = hits.get(path, 0) + 1
            try:
                if path.startswith("/file/") and path in files:
                    self._send(200, files[path], {"Content-Type": "text/html"})  # a content type no one should trust
                elif path == "/drip":
                    self.send_response(200)
                    self.end_headers()
                    for _ in range(drip_bytes):
                        if stop.wait(drip_interval):
                            return
                        self.wfile.write(b"x")
                        self.wfile.flush()
                elif path == "/hang":
                    stop.wait(120)
                elif path == "/slow-headers":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for ch in b"X-Slow: " + b"a" * 200:
                        if stop.wait(drip_interval):
                            return
                        self.wfile.write(bytes([ch]))
                        self.wfile.flush()
                elif path == "/big":
                    self.send_response(200)
                    self.send_header("Content-Length", str(100 * 1024 * 1024))
                    self.end_headers()
                    chunk = b"\0" * (1 << 20)
                    for _ in range(100):
                        if stop.is_set():
                            return
                        self.wfile.write(chunk)
                elif path == "/big-chunked":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"\0" * (1 << 20)
                    for _ in range(100):
                        if stop.is_set():
                            return
                        self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                elif path == "/liar":
                    self._send(200, b"{}", {"Content-Length": str(100 * 1024 * 1024)})
                elif path == "/gzip-bomb":
                    self._send(200, gzip.compress(b"\0" * (10 << 20)), {"Content-Encoding": "gzip"})
                elif path == "/to-file":
                    self._send(302, headers={"Location": "file:///etc/passwd"})
                elif path == "/to-private":
                    self._send(302, headers={"Location": "http://10.0.0.7/secret"})
                elif path == "/to-metadata":
                    self._send(307, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
                elif path == "/to-served":
                    self._send(301, headers={"Location": "/file/honest.json"})
                elif path == "/loop":
                    self._send(302, headers={"Location": "/loop"})
                elif path.startswith("/status/"):
                    self._send(int(path.rsplit("/", 1)[1]), b"nope")
                else:
                    self._send(404, b"not here")
            except OSError:  # the client hung up (what the resolver does at its cap or deadline)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_address[1]}", files, hits)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def elapsed(fn, *args, **kw) -> tuple[float, object]:
    """(seconds, result or the exception raised) of one call."""
    t = time.monotonic()
    try:
        out = fn(*args, **kw)
    except Exception as exc:  # noqa: BLE001 - the caller inspects it
        out = exc
    return time.monotonic() - t, out
