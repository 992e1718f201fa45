"""Fourth review, finding 2 (severity Low; Medium in a process that loaded py_ecc): the paying
client hands a 402's body, unchecked, to the ``x402`` package. When a 402 carries no
``PAYMENT-REQUIRED`` header, ``x402HTTPClientSync.get_payment_required_response`` falls back to
x402 v1 and runs the standard ``json.loads`` on the body (up to the payer's 8 MiB cap) and then
``data.get``: any agent's service ends ``hashtrust agents call`` with "RecursionError ... (an
unexpected failure)" for 150 KB of ``[`` and "AttributeError: 'list' object has no attribute
'get'" for a JSON list, instead of the payer's own refusal. In a process where py_ecc raised the
recursion limit to 100,000 (an ape process: `ape run`, `ape console`; see
`hashtrust.chain.jsonsafe`) the same body overflows the C stack: SIGSEGV, no cleanup. The
``PAYMENT-REQUIRED`` header (base64 JSON) has the same list case.

Fix: the payer parses the requirement itself first (`jsonsafe.loads`, depth-bounded) and hands
x402 only a JSON object; anything else is "no readable PAYMENT-REQUIRED", nothing is paid.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from payments_world import SUMMARIZE_PRICE, payments_world, registration
from review2_helpers import post_server

ROOT = Path(__file__).resolve().parents[3]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))

BODIES = {
    "json-bomb": b"[" * 150_000 + b"]" * 150_000,
    "json-list": b"[1, 2, 3]",
    "header-list": b"{}",  # with a PAYMENT-REQUIRED header of base64 "[1]"
}
HEADERS = {"header-list": {"PAYMENT-REQUIRED": "WzFd"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with payments_world(tmp_path_factory.mktemp("review4-x402-402")) as w:
        yield w


@pytest.mark.parametrize("name", list(BODIES))
def test_review4_a_402_body_the_payer_cannot_parse_is_one_error_line(world, name):
    body = BODIES[name]
    with post_server(lambda _p, _r: (402, {"Content-Type": "application/json", **HEADERS.get(name, {})}, body)) as (url, seen):
        port = int(url.rsplit(":", 1)[1])
        agent = world.identity.register(registration("Hostile", port, 0, "summarize", SUMMARIZE_PRICE).to_data_uri())
        index = world._next
        world.new_client()
        before = world.balance(world.wallet(world.summarizer))
        env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(world.book.folder), PYTHONPATH=str(ROOT / "src"))
        out = subprocess.run([HASHTRUST, "--rpc", world.rpc, "--account-index", str(index), "agents", "call", str(agent), "summarize"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert seen, "the hostile service was never asked"
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 1, f"exit {out.returncode} (-11 is SIGSEGV); last lines: {lines[-3:]}"
    assert "Traceback" not in out.stderr and lines[-1].startswith("Error: "), lines[-5:]
    assert "nothing was paid" in lines[-1], lines[-1]
    assert world.balance(world.wallet(world.summarizer)) == before
