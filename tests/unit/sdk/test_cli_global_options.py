"""Global options after the subcommand (issue 15, a new user's item): `hashtrust agents show 1
--rpc URL` was "Got unexpected extra arguments"; the global options are hoisted to the front,
with their values, up to a `--`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hashtrust.cli import hoist_global_options, main as cli


@pytest.mark.parametrize(
    ("given", "hoisted"),
    [
        (["agents", "show", "1", "--rpc", "http://h:1"], ["--rpc", "http://h:1", "agents", "show", "1"]),
        (["agents", "show", "--rpc=http://h:1", "1"], ["--rpc=http://h:1", "agents", "show", "1"]),
        (["deploy", "--account-index", "3", "--debug"], ["--account-index", "3", "--debug", "deploy"]),
        (["--rpc", "http://a:1", "addresses"], ["--rpc", "http://a:1", "addresses"]),
        (["agents", "give", "1", "5", "--", "--rpc", "x"], ["agents", "give", "1", "5", "--", "--rpc", "x"]),
        (["deploy", "--private-key-env", "KEY"], ["--private-key-env", "KEY", "deploy"]),
    ],
)
def test_hoist_global_options(given, hoisted):
    assert hoist_global_options(given) == hoisted


def test_rpc_after_the_subcommand_is_used():
    """The --rpc given after the subcommand is the one the command connects to (port 9: nothing
    listens, so the error names that URL), not an extra argument."""
    r = CliRunner().invoke(cli, ["addresses", "--rpc", "http://127.0.0.1:9"], env={"HASHTRUST_RPC": "http://127.0.0.1:8"})
    out = r.output.strip().splitlines()
    assert r.exit_code == 1 and len(out) == 1 and out[0].startswith("Error:"), r.output
    assert "127.0.0.1:9" in out[0] and "extra argument" not in out[0], out[0]


def test_a_global_option_without_its_value_is_one_usage_error():
    r = CliRunner().invoke(cli, ["addresses", "--rpc"])
    assert r.exit_code == 2 and r.output.strip().splitlines() == ["Error: Option '--rpc' requires an argument. (see 'main -h')"], r.output
