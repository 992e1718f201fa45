"""A registration file that is not UTF-8 is one clear ``Error:`` line (issue 15, item 6).

It was read with the locale's codec inside the agent-list loader, after connecting, and its
UnicodeDecodeError came out as "an unexpected failure". The node here is dead: the file is
checked before anything connects, so the answer names the file, not the node."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hashtrust.chain.files import read_utf8
from hashtrust.cli import main
from hashtrust.erc8004.agents import load_agent_file
from hashtrust.errors import InputError

LATIN1_STANDARD = '{"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "Caf\u00e9", "description": "x", "services": []}'.encode("latin-1")
LATIN1_LIST = '{"agents": [{"key": "cafe", "name": "Caf\u00e9 Agent"}]}'.encode("latin-1")


def run(*args):
    r = CliRunner(mix_stderr=True).invoke(main, ["--rpc", "http://127.0.0.1:1", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.output, [ln for ln in r.output.splitlines() if ln.startswith("Error:")]


@pytest.mark.parametrize("name, raw", [("agent.json", LATIN1_STANDARD), ("agents.json", LATIN1_LIST), ("agents.yaml", b"agents:\n  - name: Caf\xe9\n")])
def test_a_file_that_is_not_utf8_is_one_error_line_before_connecting(tmp_path, name, raw):
    f = tmp_path / name
    f.write_bytes(raw)
    code, out, errors = run("agents", "register", str(f), "--no-progress")
    bad = raw.index(b"\xe9")
    assert code == 1 and errors == [f"Error: {f}: is not UTF-8 text (byte {bad:,} is 0xe9): save it as UTF-8"], out
    assert "unexpected failure" not in out and "UnicodeDecodeError" not in out and "cannot reach" not in out


def test_the_sdk_loader_names_the_file(tmp_path):
    f = tmp_path / "agents.json"
    f.write_bytes(LATIN1_LIST)
    with pytest.raises(InputError) as exc:
        load_agent_file(f)
    assert exc.value.field == str(f) and "is not UTF-8 text" in exc.value.problem


def test_utf8_with_or_without_a_bom_reads(tmp_path):
    f = tmp_path / "a.json"
    f.write_bytes("\ufeff{\"name\": \"Caf\u00e9\"}".encode())
    assert read_utf8(f) == '{"name": "Caf\u00e9"}'
    f.write_bytes('{"name": "Caf\u00e9"}'.encode())
    assert read_utf8(f) == '{"name": "Caf\u00e9"}'
    with pytest.raises(InputError, match="cannot be read"):
        read_utf8(tmp_path / "missing.json")
