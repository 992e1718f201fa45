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


@pytest.mark.parametrize(
    ("args", "message", "help_of"),
    [
        # new-user review: a user command took a misspelt option as the next value and wrote it on chain
        (["agents", "set-metadata", "1", "--name", "x"], "No such option: --name", "hashtrust agents set-metadata -h"),
        (["agents", "respond", "1", "0x" + "11" * 20, "1", "--response-uri"], "No such option: --response-uri",
         "hashtrust agents respond -h"),
        (["agents", "give", "3", "2", "--idd", "x"], "No such option: --idd", "hashtrust agents give -h"),
        (["agents", "give", "3", "-x"], "No such option: -x", "hashtrust agents give -h"),
        (["agents", "give", "3", "2", "--tag1=a", "--nope=b"], "No such option: --nope", "hashtrust agents give -h"),
    ],
)
def test_an_unknown_option_of_a_user_command_is_refused(args, message, help_of):
    test_a_usage_error_is_one_line(args, message, help_of)


def test_a_user_command_still_takes_negative_numbers_and_dashed_values(monkeypatch):
    """`agents give 3 -2.5`, an option's value that starts with '-', and anything after `--` are
    values: they reach the command (which then fails to reach the node: nothing to refuse here)."""
    for args in (["agents", "give", "3", "-2.5"], ["agents", "give", "3", "-.5", "--tag1", "-x"],
                 ["agents", "set-metadata", "1", "--", "--name", "x"]):
        r = CliRunner().invoke(cli, ["--rpc", "http://127.0.0.1:9", *args], prog_name="hashtrust")
        assert "No such option" not in r.output and "cannot reach a node" in r.output, (args, r.output)
