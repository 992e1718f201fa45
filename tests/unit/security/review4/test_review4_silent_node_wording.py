"""New-user pass (tests/e2e/user22/README.md, finding 8): a node that accepts the connection and
never sends a byte was reported as "still sending its reply", which points the user at a slow
reply instead of a dead endpoint. The error says no complete reply came within the deadline."""

from __future__ import annotations

import socket
import threading
import time

import pytest


def test_a_silent_node_is_not_called_slow():
    from hashtrust.chain.provider import NodeReplyError, connect

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accept and hold every connection, never answer
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        w3 = connect(f"http://127.0.0.1:{srv.getsockname()[1]}", timeout=1)
        t0 = time.monotonic()
        with pytest.raises(NodeReplyError) as exc:
            w3.eth.chain_id
        assert time.monotonic() - t0 < 5
        text = str(exc.value)
        assert "gave no complete reply within 1 s" in text and "still sending" not in text, text
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()
