"""Third review, finding 4 (severity Medium): ``hashtrust agents call`` prints the paid service's
answer to the terminal as it came. When the answer is not JSON it is echoed with
``paid.response.decode(errors="replace")``: ANSI/OSC escape sequences from the agent's server reach
the user's terminal unescaped (clear the screen, rewrite the "paid ... in tx ..." line above it, set
the window title, OSC 52 to write the clipboard, OSC 8 hyperlinks on some terminals). Everything
else the CLI prints from hostile sources goes through `hashtrust.chain.decode.display`; this does not.
(The JSON branch is safe: ``json.dumps`` escapes control characters.)

The paid call itself is replaced here by a `PaidCall` carrying the hostile answer (the payment
flow is tested elsewhere); the printing is the real command's.

Suggested fix: print a non-JSON answer through `display` with a generous limit (or write it to
a file next to the receipt and print its path and size), escaping C0/C1 controls and bidi marks.
"""

from __future__ import annotations

from click.testing import CliRunner

from hashtrust.cli import payments as cli_payments
from hashtrust.payments import client as payments_client
from hashtrust.payments.client import PaidCall

HOSTILE = b"\x1b[2J\x1b[1;1Hpaid 0 atomic USD (refunded)\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07"


class _Obj:
    w3 = None

    def book(self):
        return None


def test_a_non_json_paid_answer_reaches_the_terminal_escaped(monkeypatch, tmp_path):
    paid = PaidCall(chain_id=31337, identity_registry="0x" + "11" * 20, agent_id=1, service="svc", url="http://agent.example/svc",
                    method="POST", payer="0x" + "22" * 20, pay_to="0x" + "33" * 20, asset="0x" + "44" * 20, amount=5,
                    tx_hash="0x" + "ab" * 32, nonce="0x" + "00" * 32, request_hash="0x" + "00" * 32, response_hash="0x" + "00" * 32,
                    attestation={}, status=200, response=HOSTILE)
    monkeypatch.setattr(payments_client, "call_agent", lambda *a, **k: paid)
    monkeypatch.setattr(cli_payments, "_key", lambda obj: None)
    result = CliRunner().invoke(cli_payments.call, ["1", "svc", "--receipt", str(tmp_path / "r.json")], obj=_Obj())
    assert result.exit_code == 0, result.output[-500:]
    assert "paid 5 atomic USD" in result.output  # the command ran to the printing
    assert "\x1b" not in result.output and "\x07" not in result.output, f"escape sequences printed raw: {result.output[-200:]!r}"


def test_display_block_keeps_lines_and_escapes_the_rest():
    from hashtrust.chain.decode import display_block

    assert display_block("a\nb\x1b[2J\rc") == "a\nb\\x1b[2J\\x0dc"
    long = display_block("x" * 50 + "\n" + "y" * 50, 60)
    assert long.startswith("x" * 50 + "\n" + "y" * 9) and long.endswith("(101 bytes)")
