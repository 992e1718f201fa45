"""Issue 22, new-user review (s5/user22): input files are read through a cap.

`hashtrust agents rate --file /dev/zero` and `--client-keys /dev/zero` read for ever (killed by
`timeout 30`, 27 s of system time allocating memory). They now stop at 64 MiB with one line.
`hashtrust agents register /dev/zero` did too; every user input file is now read through one
capped reader (`chain.files.read_utf8`). That case runs in a subprocess whose address space is
capped, so that a regression cannot take the machine's memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest
from click.testing import CliRunner

from hashtrust.cli import main as cli


def _one_error(args):
    r = CliRunner().invoke(cli, ["--rpc", "http://127.0.0.1:9", *args])
    lines = r.output.strip().splitlines()
    return r.exit_code, lines


def test_a_rows_file_that_never_ends_is_refused():
    code, lines = _one_error(["agents", "rate", "--file", "/dev/zero", "--no-progress"])
    assert code == 1 and lines == ["Error: /dev/zero: is larger than 67,108,864 bytes"], lines


def test_a_client_keys_file_that_never_ends_is_refused(tmp_path):
    rows = tmp_path / "rows.json"
    rows.write_text('{"rows": [{"id": "a", "client": 0, "agent": 1, "value": "5"}]}')
    code, lines = _one_error(["agents", "rate", "--file", str(rows), "--client-keys", "/dev/zero", "--no-progress"])
    assert code == 1 and lines == ["Error: /dev/zero: is larger than 67,108,864 bytes"], lines


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def test_a_registration_file_that_never_ends_is_refused():
    env = {**os.environ, "HASHTRUST_RPC": "http://127.0.0.1:9"}
    try:
        p = subprocess.run([sys.executable, "-m", "hashtrust.cli", "agents", "register", "/dev/zero"], env=env,
                           capture_output=True, text=True, timeout=60, preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("agents register /dev/zero did not return within 60 s")
    lines = (p.stdout + p.stderr).strip().splitlines()
    assert p.returncode == 1 and len(lines) == 1 and "larger than" in lines[0], lines
