"""Run an ASGI app (the facilitator, an agent's paid service) on localhost in a background thread.

    with Served(app, port=8403) as srv:   # returns once the socket accepts connections
        httpx.get(srv.url + "/supported")
    # stopped: the thread has exited and the port is free

uvicorn in a daemon thread, so one process (``hashtrust agents serve``, a test, a benchmark)
can run the facilitator and the agents' app side by side and stop both cleanly.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from hashtrust.chain.fetch import BodyTooLarge, CappedBody
from hashtrust.errors import HashtrustError

MAX_REQUEST_BYTES = 1 << 20
"""The largest request body the served apps read (bytes); a larger one is answered 413."""


class CapRequestBodies:
    """ASGI middleware: read each HTTP request's body through the byte cap (`CappedBody`, counted
    while it arrives, so a chunked body without ``Content-Length`` is cut too), answer 413 when
    it is over ``limit``, else hand the app the body that was read. Second review, finding 2:
    the x402 apps read bodies whole (``await request.body()``) before any size check."""

    def __init__(self, app: Any, limit: int = MAX_REQUEST_BYTES):
        self.app = app
        self.limit = int(limit)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        body = CappedBody(self.limit)
        length = dict(scope.get("headers") or []).get(b"content-length", b"").strip()
        try:
            if length.isdigit() and int(length) > self.limit:
                raise BodyTooLarge(self.limit)
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body.add(message.get("body", b""))
                more = message.get("more_body", False)
        except BodyTooLarge:
            await _json_reply(send, 413, f"request body above {self.limit} bytes")
            return
        data, sent = body.bytes(), False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        await self.app(scope, replay, send)


async def _json_reply(send: Any, status: int, error: str) -> None:
    import json

    payload = json.dumps({"error": error}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


class Served:
    """One uvicorn server on ``host:port`` in a daemon thread."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "server", start_timeout: float = 15.0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise HashtrustError(f"{name}: only loopback hosts are served (got {host!r})")
        self.app = app
        self.host = host
        self.port = port or free_port()
        self.name = name
        self.start_timeout = start_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Served:
        if port_in_use(self.host, self.port):
            raise HashtrustError(f"{self.name}: port {self.port} is already in use; pick another one")
        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # the caller owns the signals
        self._thread = threading.Thread(target=self._server.run, name=f"hashtrust-{self.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise HashtrustError(f"{self.name}: could not listen on {self.url}")
            if time.monotonic() > deadline:
                self.stop()
                raise HashtrustError(f"{self.name}: did not start on {self.url} within {self.start_timeout:.0f} s")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # in-flight requests past the grace period
                assert self._server is not None
                self._server.force_exit = True
                self._thread.join(timeout)
        self._server = self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
