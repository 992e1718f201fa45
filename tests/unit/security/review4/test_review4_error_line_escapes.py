"""Fourth review, finding 3 (severity Medium): the command line's one ``Error:`` line prints
hostile text raw. `hashtrust.chain.failures.explain` (what the CLI and the ape scripts print for
every failure) only joins whitespace (``_one_line``): ANSI/OSC escape sequences in a message reach
the terminal. Such messages carry text the user did not write: a node's JSON-RPC error message
(``the node at URL answered eth_chainId with an error: <its message>``), an agent's paid service's
error body (``the agent's service failed (HTTP 500: <its body>)``), a registration file's
fields. A hostile RPC endpoint (or agent) clears the screen, rewrites the lines above, sets the
window title, or writes the clipboard (OSC 52) of anyone who runs a command against it. The
third review escaped the success paths (`display`); the error path was left out.

Fix: ``_one_line`` escapes what `hashtrust.chain.decode.display` escapes (C0/C1 controls,
Unicode Cf/Zl/Zp), so every error line, whatever its source, is terminal-safe.
"""

from __future__ import annotations

import json

from review2_helpers import post_server, run_cli

from hashtrust.chain.failures import explain
from hashtrust.errors import HashtrustError

HOSTILE = "\x1b[2J\x1b[1;1Hall good\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\u202eevil\u200b"


def _error_reply(_path, request):
    rid = json.loads(request).get("id", 0)
    body = json.dumps({"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": HOSTILE}}).encode()
    return 200, {"Content-Type": "application/json"}, body


def test_review4_a_node_error_message_reaches_the_terminal_escaped():
    with post_server(_error_reply) as (url, seen):
        proc, _took = run_cli("--rpc", url, "addresses")
    assert seen, "the node was never asked"
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and out.strip().splitlines()[-1].startswith("Error: "), out[-500:]
    for bad in ("\x1b", "\x07", "\u202e", "\u200b"):
        assert bad not in out, f"{bad!r} reached the terminal: {out[-300:]!r}"
    assert "\\x1b[2J" in out  # still shown, escaped


def test_review4_every_error_line_is_escaped_whatever_raised_it():
    for exc in (HashtrustError(f"the agent's service failed (HTTP 500: {HOSTILE})"), RuntimeError(HOSTILE)):
        line = explain(exc)
        assert not any(ch in line for ch in "\x1b\x07\u202e\u200b"), repr(line)
        assert "\n" not in line and "owned" in line
