"""Third review, finding 10 (severity Medium): `SafeHTTPProvider`'s overall deadline (second review,
finding 1) starts only once the reply's headers have arrived. Until then the only limit is
requests' per-read timeout, so a node that sends its status line and then one header byte every
half second (each read returns well within the timeout) holds every call for as long as it likes:
http.client accepts 100 header lines of 64 KiB each, ~6.5 MB at 2 bytes a second is over a month.
The command (`hashtrust --rpc URL ...`) hangs instead of failing in ``timeout`` seconds.

The payer's `_request` has the same gap (second test).

Suggested fix: start the watchdog before sending (arm a ``threading.Timer`` that shuts the
session's socket, or send through a connection whose socket the timer can reach, as
`hashtrust.chain.fetch._get` does: its watchdog covers connect, headers and body).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from hashtrust.chain.provider import connect

TIMEOUT = 2.0


def _slow_header_node(stop: threading.Event) -> tuple[str, socket.socket]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve() -> None:
        while not stop.is_set():
            try:
                srv.settimeout(0.2)
                conn, _ = srv.accept()
            except (TimeoutError, OSError):
                continue
            def drip(c: socket.socket) -> None:
                try:
                    c.recv(65536)
                    c.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not stop.wait(0.5):
                        c.sendall(b"a")
                except OSError:
                    pass
                finally:
                    c.close()
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{srv.getsockname()[1]}", srv


def test_a_node_dripping_its_headers_is_cut_at_the_overall_timeout():
    stop = threading.Event()
    url, srv = _slow_header_node(stop)
    result: list[object] = []

    def call() -> None:
        try:
            result.append(connect(url, timeout=TIMEOUT).eth.chain_id)
        except Exception as exc:  # noqa: BLE001 - any refusal ends the call; the time is what is checked
            result.append(exc)

    t = threading.Thread(target=call, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(TIMEOUT * 5)
    took = time.monotonic() - t0
    stop.set()
    srv.close()
    t.join(10)
    if t.is_alive() or took >= TIMEOUT * 5:
        pytest.fail(f"a node dripping its header held eth_chainId {took:.0f} s with timeout={TIMEOUT:g} s (still waiting)")
    assert took < TIMEOUT * 3, took


def test_an_x402_service_dripping_its_headers_is_cut_at_the_overall_timeout():
    """The same gap in the payer (`hashtrust.payments.client._request`): its deadline is computed
    after ``http.stream`` has returned the headers; httpx's timeout is per read."""
    import httpx

    from hashtrust.payments.client import _request

    stop = threading.Event()
    url, srv = _slow_header_node(stop)
    result: list[object] = []

    def call() -> None:
        try:
            result.append(_request(httpx.Client(timeout=TIMEOUT), "POST", url + "/svc", b"{}"))
        except Exception as exc:  # noqa: BLE001 - any refusal ends the call; the time is what is checked
            result.append(exc)

    t = threading.Thread(target=call, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(TIMEOUT * 5)
    took = time.monotonic() - t0
    stop.set()
    srv.close()
    t.join(10)
    if t.is_alive() or took >= TIMEOUT * 5:
        pytest.fail(f"an x402 service dripping its header held the payer {took:.0f} s with timeout={TIMEOUT:g} s (still waiting)")
    assert took < TIMEOUT * 3, took
