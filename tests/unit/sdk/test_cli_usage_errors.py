"""A usage error is one `Error:` line naming the help to read, exit 2 (issue 15, a new user's
item: click printed four lines -- usage, "Try ...", a blank line, the error)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hashtrust.cli import main as cli


@pytest.mark.parametrize(
    ("args", "message", "help_of"),
    [
        (["addresses", "--bogus"], "No such option: --bogus", "hashtrust addresses -h"),
        (["--bogus"], "No such option: --bogus", "hashtrust -h"),
        (["nosuch"], "No such command 'nosuch'", "hashtrust -h"),
        (["agents", "show"], "Missing argument 'AGENT_ID'", "hashtrust agents show -h"),
        (["vault", "fund", "--epoch", "-1"], "Invalid value for '--epoch'", "hashtrust vault fund -h"),
        (["addresses", "--rpc"], "Option '--rpc' requires an argument", "hashtrust -h"),
    ],
)
def test_a_usage_error_is_one_line(args, message, help_of):
    r = CliRunner().invoke(cli, args, prog_name="hashtrust")
    lines = r.output.strip().splitlines()
    assert r.exit_code == 2 and len(lines) == 1, r.output
    assert lines[0].startswith("Error: ") and message in lines[0] and f"(see '{help_of}')" in lines[0], lines[0]


def test_help_still_prints_the_usage():
    r = CliRunner().invoke(cli, ["agents", "show", "-h"], prog_name="hashtrust")
    assert r.exit_code == 0 and r.output.startswith("Usage: hashtrust agents show")
