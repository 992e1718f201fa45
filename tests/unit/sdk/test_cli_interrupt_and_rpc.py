"""Ctrl-C and a malformed ``--rpc`` are one clear line (issue 15, items 7 and 9).

Ctrl-C anywhere in a command printed click's "Aborted!" (exit 1) or a traceback; now one
``Error: interrupted ... rerun it to finish the job`` line and exit code 130 (128 + SIGINT), for
the ``hashtrust`` command line and the ape scripts alike (`one_line_errors`). ``--rpc notaurl``
and ``--rpc ftp://...`` reached the HTTP library and came back as "an unexpected failure"; now
the URL is checked before anything connects. tests/e2e/test_interrupt.py sends a real SIGINT to
a command with transactions pending."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from hashtrust.chain.ape_support import one_line_errors
from hashtrust.chain.failures import INTERRUPTED
from hashtrust.chain.provider import connect
from hashtrust.cli import main
from hashtrust.errors import InputError


def run(*args):
    r = CliRunner(mix_stderr=True).invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.output, [ln for ln in r.output.splitlines() if ln.startswith("Error:")]


def _ctrl_c(*_a, **_k):
    raise KeyboardInterrupt


def test_ctrl_c_in_a_command_is_one_line_and_exit_130(monkeypatch):
    monkeypatch.setattr("hashtrust.cli.hashrate._vault", _ctrl_c)
    code, out, errors = run("--rpc", "http://127.0.0.1:1", "vault", "status")
    assert code == 130 and errors == [f"Error: {INTERRUPTED}"], out
    assert "Aborted!" not in out and "Traceback" not in out and "rerun" in errors[0]
    assert out.strip() == errors[0]


def test_ctrl_c_in_an_ape_script_is_the_same_line():
    @click.command()
    @one_line_errors
    def script():
        raise KeyboardInterrupt

    r = CliRunner(mix_stderr=True).invoke(script, [])
    assert r.exit_code == 130 and r.output.strip() == f"Error: {INTERRUPTED}", r.output


@pytest.mark.parametrize("rpc, says", [
    ("notaurl", "'notaurl' has no scheme: give an http:// or https:// URL"),
    ("ftp://example.com/rpc", "uses ftp://, which is not a JSON-RPC transport hashtrust speaks"),
    ("ws://127.0.0.1:8545", "uses ws://"),
    ("http://", "'http://' names no host"),
    ("http://127.0.0.1:99999", "is not a valid URL"),
])
@pytest.mark.parametrize("command", [["addresses"], ["agents", "show", "1"], ["vault", "status"]])
def test_a_malformed_rpc_is_one_line_naming_the_option(rpc, says, command):
    code, out, errors = run("--rpc", rpc, *command)
    assert code == 1 and len(errors) == 1, out
    assert errors[0].startswith("Error: --rpc: ") and says in errors[0]
    assert "unexpected failure" not in out and "Traceback" not in out


def test_the_sdk_refuses_a_malformed_rpc_too():
    with pytest.raises(InputError, match="rpc: 'ftp://x' uses ftp://"):
        connect("ftp://x")
    assert connect("http://127.0.0.1:1") is not None  # a well-formed URL: no request is made yet


def test_sigterm_in_a_running_command_is_the_interrupted_line_and_exit_143(tmp_path):
    """New-user review: SIGTERM exited 143 with no line. A node that takes the connection and never
    answers keeps the command waiting; SIGTERM then ends it with one line naming the signal."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    from hashtrust.chain.failures import TERMINATED

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        env = {**os.environ, "HASHTRUST_LOCK_DIR": str(tmp_path / "locks")}
        proc = subprocess.Popen([sys.executable, "-m", "hashtrust.cli", "--rpc", f"http://127.0.0.1:{silent.getsockname()[1]}", "addresses"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        silent.settimeout(60)
        conn, _ = silent.accept()  # the command is waiting for the node's answer now
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        conn.close()
    lines = [ln for ln in out.decode().splitlines() if ln.strip()]
    assert proc.returncode == 143 and lines == [f"Error: {TERMINATED}"], (proc.returncode, lines)
    assert "(SIGTERM)" in TERMINATED


@pytest.mark.parametrize("rpc, devnet_hint", [("https://nonexistent.invalid", False), ("http://127.0.0.1:9", True), ("http://localhost:9", True)])
def test_devnet_start_is_suggested_only_for_a_local_url(rpc, devnet_hint):
    code, out, errors = run("--rpc", rpc, "addresses")
    assert code == 1 and len(errors) == 1 and "cannot reach a node" in errors[0], out
    assert ("hashtrust devnet start" in errors[0]) == devnet_hint, errors[0]


def test_payload_and_payload_file_together_say_only_one(tmp_path):
    f = tmp_path / "job.json"
    f.write_text("{}")
    code, out, errors = run("--rpc", "http://127.0.0.1:9", "validations", "request", "1", "0x" + "11" * 20, "--payload", "{}", "--payload-file", str(f))
    assert code != 0 and errors == ["Error: --payload/--payload-file: give only one of them (the job as JSON text, or as a file)"], out
