"""`agents rank` takes `--client` like every other reputation command (issue 15, a new user's
item: the docs and the other commands say --client, rank only knew --trusted), and says why it
has no --all-clients."""

from __future__ import annotations

from click.testing import CliRunner

from hashtrust.cli import main as cli

DEAD = ["--rpc", "http://127.0.0.1:9"]  # nothing listens: a value error must come before connecting


def _errors(args):
    r = CliRunner().invoke(cli, DEAD + args, prog_name="hashtrust")
    return r.exit_code, [ln for ln in r.output.splitlines() if ln.startswith("Error:")], r.output


def test_client_is_the_same_option_as_trusted():
    for spelling in ("--client", "--trusted"):
        code, errors, out = _errors(["agents", "rank", "search", spelling, "0x123"])
        assert code == 2 and len(errors) == 1 and "--trusted' / '--client'" in errors[0], out
    # a well-formed --client passes the option checks and reaches the node (port 9: refused)
    code, errors, out = _errors(["agents", "rank", "search", "--client", "0x" + "11" * 20])
    assert code == 1 and len(errors) == 1 and "127.0.0.1:9" in errors[0], out


def test_no_clients_says_which_options_name_them():
    code, errors, out = _errors(["agents", "rank", "search"])
    assert code == 1 and len(errors) == 1 and "--trusted/--client ADDR" in errors[0] and "never counts every client" in errors[0], out
