"""`hashtrust agents call` checks what the user typed before it pays (issue 15, items 2 and 3).

The node is dead (`DEAD`): a check that happens before anything connects answers with its own
``Error:`` line; one that happened only after paying would answer "cannot reach a node". The
e2e story (tests/e2e/test_payments_cli.py) shows the same refusals cost nothing on a live node."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hashtrust.chain.files import write_json
from hashtrust.cli import main

DEAD = ["--rpc", "http://127.0.0.1:1"]


def run(*args, cwd=None):
    r = CliRunner(mix_stderr=True).invoke(main, [*DEAD, *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.output, [ln for ln in r.output.splitlines() if ln.startswith("Error:")]


@pytest.mark.parametrize("body", ["{bad", '{"text": "hi"', "", "{'single': 1}", "[1, 2,]", "NaN-ish"])
def test_malformed_json_body_is_refused_before_paying(body):
    code, out, errors = run("agents", "call", "1", "summarize", "--body", body)
    assert code == 1 and len(errors) == 1, out
    assert errors[0].startswith("Error: --body: the text is not valid JSON (") and "nothing was paid" in errors[0]
    assert "cannot reach" not in out and "Traceback" not in out


def test_malformed_json_body_file_is_refused_before_paying(tmp_path):
    bad = tmp_path / "body.json"
    bad.write_text('{"text": ')
    code, out, errors = run("agents", "call", "1", "summarize", "--body", f"@{bad}")
    assert code == 1 and errors == [f"Error: --body: the file {bad} is not valid JSON (Expecting value at line 1, column 10); nothing was paid"], out
    bad.write_bytes(b'{"text": "\xff"}')
    code, out, errors = run("agents", "call", "1", "summarize", "--body", f"@{bad}")
    assert code == 1 and len(errors) == 1 and "not UTF-8" in errors[0], out


def test_well_formed_body_gets_past_the_checks(tmp_path):
    good = tmp_path / "body.json"
    good.write_text('{"text": "hi"}')
    for body in ('{"text": "hi"}', f"@{good}", "{}"):
        code, out, errors = run("agents", "call", "1", "summarize", "--body", body)
        assert code == 1 and len(errors) == 1 and "cannot reach a node at http://127.0.0.1:1" in errors[0], out


def test_an_existing_receipt_is_not_overwritten(tmp_path):
    receipt = tmp_path / "r1.json"
    receipt.write_text('{"txHash": "0xabc", "backs": "feedback 1"}')
    code, out, errors = run("agents", "call", "1", "summarize", "--receipt", str(receipt))
    assert code == 1 and len(errors) == 1, out
    assert errors[0].startswith(f"Error: --receipt: {receipt} already exists") and "--overwrite-receipt" in errors[0]
    assert "cannot reach" not in out
    assert receipt.read_text() == '{"txHash": "0xabc", "backs": "feedback 1"}'
    # with the flag, the command goes on (here: to the dead node)
    code, out, errors = run("agents", "call", "1", "summarize", "--receipt", str(receipt), "--overwrite-receipt")
    assert code == 1 and "cannot reach a node" in errors[0], out


def test_exclusive_write_never_replaces_a_file(tmp_path):
    path = tmp_path / "r.json"
    write_json(path, {"a": 1}, exclusive=True)
    assert path.read_text() == '{\n  "a": 1\n}\n'
    with pytest.raises(FileExistsError):
        write_json(path, {"a": 2}, exclusive=True)
    assert path.read_text() == '{\n  "a": 1\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temp file left behind
    write_json(path, {"a": 3})  # the default still replaces atomically
    assert '"a": 3' in path.read_text()
