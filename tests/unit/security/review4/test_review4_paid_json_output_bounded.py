"""Fourth review, finding 4 (severity Low): ``hashtrust agents call`` pretty-prints a JSON answer
of the paid service with ``json.dumps(..., indent=2)`` whatever its nesting. Indentation costs
two spaces per level on every line, so an answer of nested lists (each 120 deep, within
`jsonsafe`'s 128) prints ~120 times its size: 1 MiB became 127 MB (6.5 s), the payer's 8 MiB cap
~1 GB built in memory and written to the terminal. The first review fixed exactly this for
``agents show`` (`hashtrust.cli.context.emit`: indented only up to `PRETTY_DEPTH` levels); the paid
answer kept the old print.

Fix: the paid answer is printed as `emit` prints JSON (indented only when it nests at most
`PRETTY_DEPTH` deep, compact otherwise): the output is about the size of the answer.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from hashtrust.cli import payments as cli_payments
from hashtrust.payments import client as payments_client
from hashtrust.payments.client import PaidCall

UNIT = b"[" * 120 + b"]" * 120
DEEP = b"[" + b",".join([UNIT] * 1000) + b"]"  # 241 KB, 121 levels deep


class _Obj:
    w3 = None

    def book(self):
        return None


def _paid(response: bytes) -> PaidCall:
    return PaidCall(chain_id=31337, identity_registry="0x" + "11" * 20, agent_id=1, service="svc", url="http://agent.example/svc",
                    method="POST", payer="0x" + "22" * 20, pay_to="0x" + "33" * 20, asset="0x" + "44" * 20, amount=5,
                    tx_hash="0x" + "ab" * 32, nonce="0x" + "00" * 32, request_hash="0x" + "00" * 32, response_hash="0x" + "00" * 32,
                    attestation={}, status=200, response=response)


def _call(monkeypatch, tmp_path, response: bytes) -> str:
    monkeypatch.setattr(payments_client, "call_agent", lambda *a, **k: _paid(response))
    monkeypatch.setattr(cli_payments, "_key", lambda obj: None)
    result = CliRunner().invoke(cli_payments.call, ["1", "svc", "--receipt", str(tmp_path / "r.json")], obj=_Obj())
    assert result.exit_code == 0, result.output[-500:]
    assert "paid 5 atomic USD" in result.output
    return result.output


def test_review4_a_deeply_nested_paid_answer_prints_about_its_own_size(monkeypatch, tmp_path):
    out = _call(monkeypatch, tmp_path, DEEP)
    assert len(out) < 3 * len(DEEP), f"{len(DEEP):,} bytes of answer printed as {len(out):,} characters"
    assert json.loads(out[out.index("\n", out.index("receipt")) + 1:]) == json.loads(DEEP)  # the same data, compact


def test_review4_a_shallow_paid_answer_is_still_pretty_printed(monkeypatch, tmp_path):
    out = _call(monkeypatch, tmp_path, b'{"summary": {"words": 3, "text": "hi"}}')
    assert '{\n  "summary": {\n    "words": 3,' in out
