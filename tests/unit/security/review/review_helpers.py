"""What the review's unit tests share: a loopback server of chosen bodies, a way to run a piece
of SDK code in a fresh process (a crash there must not take pytest down), and address-book
entries for contracts deployed on the in-process chain."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from hashtrust.chain.addressbook import Entry

ROOT = Path(__file__).resolve().parents[4]


@contextlib.contextmanager
def body_server(bodies: dict[str, bytes]) -> Iterator[tuple[str, dict[str, int]]]:
    """(base URL, hits per path) of a 127.0.0.1 server answering ``GET path`` with ``bodies[path]``."""
    hits: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            hits[self.path] = hits.get(self.path, 0) + 1
            body = bodies.get(self.path)
            code = 200 if body is not None else 404
            body = body if body is not None else b"not here"
            try:
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_fresh(code: str, *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter of this venv that has imported what every `hashtrust`
    process imports (`hashtrust.cli`), so it has the same interpreter settings as the real
    commands (py_ecc, imported by web3's stack, raises the recursion limit to 100,000)."""
    prelude = "import hashtrust.cli  # what a `hashtrust` process has imported\n"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def book_entry(w3, name: str, contract, contract_type: str | None = None, *, block: int | None = None) -> Entry:
    """An address-book entry for an ape contract instance deployed on the in-process chain."""
    code = bytes(w3.eth.get_code(contract.address))
    tx = contract.txn_hash if isinstance(contract.txn_hash, str) else "0x" + bytes(contract.txn_hash).hex()
    receipt = w3.eth.get_transaction_receipt(tx)
    return Entry(
        name=name,
        address=contract.address,
        contract_type=contract_type or name,
        block=int(receipt["blockNumber"]) if block is None else block,
        deployer=receipt["from"],
        tx=tx,
        code_hash="0x" + w3.keccak(code).hex().removeprefix("0x"),
    )
