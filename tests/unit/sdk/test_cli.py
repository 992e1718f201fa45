"""The `hashtrust` command line: help for every capability, one-line errors, a chain-free simulator."""

from click.testing import CliRunner

from hashtrust.cli import main


def test_every_capability_has_a_subcommand_with_help():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for cmd in ("deploy", "devnet", "agents", "validate", "vault", "simulate", "demo", "addresses"):
        assert cmd in r.output
    for group, subs in {"agents": ("register", "rate", "rank", "show"), "vault": ("buy", "report", "fund", "claim", "status", "settle-due", "record", "finalize", "bond")}.items():
        r = CliRunner().invoke(main, [group, "--help"])
        assert r.exit_code == 0 and all(s in r.output for s in subs), r.output


def test_unreachable_node_is_one_clear_line_not_a_traceback():
    r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "addresses"])
    assert r.exit_code == 1
    assert "cannot reach a node at http://127.0.0.1:1" in r.output
    assert "Traceback" not in r.output


def test_simulate_prints_the_contract_math():
    from hashtrust.hashrate.economics import TH, random_days, simulate_epochs

    r = CliRunner().invoke(main, ["simulate", "--days", "4", "--seed", "3", "--ths", "500"])
    assert r.exit_code == 0, r.output
    res = simulate_epochs(random_days(4, 3, difficulty=150e12, btc_usd=90_000), {"holder": 500 * TH})
    assert f"net to holders {res.net_sats:,} sats" in r.output
    assert len([line for line in r.output.splitlines() if line.strip()[:1].isdigit()]) == 4


# Commands that change the chain or run a process: their words are a log, not a read.
ACTIONS = {
    ("agents", "rate"), ("demo",), ("deploy",), ("devnet", "reset"), ("devnet", "start"), ("devnet", "stop"), ("validate",),
    ("relay", "deploy"), ("index", "deploy"), ("relay", "prove-reward"), ("relay", "sync"), ("agents", "serve"), ("agents", "call"),
    ("vault", "buy"), ("vault", "claim"), ("vault", "fund"), ("vault", "report"),
    ("vault", "settle-due"), ("vault", "finalize"), ("vault", "bond", "post"), ("vault", "bond", "withdraw"),
}


def _commands(group, prefix=()):
    import click

    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


def test_every_read_command_takes_json():
    """Issue 15: `--json` on every read command, for scripting. A new command must be either a
    read (then it has --json) or listed as an action above."""
    missing = [p for p, cmd in _commands(main) if p not in ACTIONS and not any(q.name == "as_json" for q in cmd.params)]
    assert not missing, f"read commands without --json: {missing}"
    assert not ACTIONS - {p for p, _ in _commands(main)}, "a listed command no longer exists"


def test_devnet_status_and_url_as_json(tmp_path):
    import json

    env = {"HASHTRUST_DEVNET_DIR": str(tmp_path), "HASHTRUST_RPC": ""}
    r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "devnet", "status", "--json"], env=env)
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["devnets"] == [] and info["other_node"] is None and info["url"] == "http://127.0.0.1:1" and info["home"] == str(tmp_path)
    r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "devnet", "url", "--json"], env=env)
    assert json.loads(r.output) == {"url": "http://127.0.0.1:1"}


def test_vault_epoch_and_amounts_are_typed_one_error_line_before_connecting():
    """`vault report --epoch -1` printed web3's multi-line "Could not identify the intended
    function"; now the value is refused by its type, before any node is asked (DEAD rpc)."""
    dead = ["--rpc", "http://127.0.0.1:1"]
    for args, option in [
        (["vault", "report", "--epoch", "-1", "--delivered-ths", "1", "--gross-sats", "1"], "--epoch"),
        (["vault", "report", "--epoch", "1", "--delivered-ths", "1", "--gross-sats", "-5"], "--gross-sats"),
        (["vault", "report", "--epoch", "1", "--delivered-ths", "1", "--gross-sats", "1", "--btc-usd", "95000"], "--btc-usd"),  # gone: the round at the end prices it
        (["vault", "fund", "--epoch", "1e90"], "--epoch"),
        (["vault", "settle-due", "--n", "0"], "--n"),
        (["vault", "settle-due", "--n", "65"], "--n"),
        (["vault", "record", "1.5"], "EPOCH"),
        (["vault", "record", "x"], "EPOCH"),
        (["vault", "finalize", "1e90"], "EPOCH"),
        (["vault", "bond", "post", "--sats", "0"], "--sats"),
        (["vault", "bond", "post", "--sats", "abc"], "--sats"),
        (["vault", "buy", "--ths", "1", "--max-payment", "-1"], "--max-payment"),
    ]:
        r = CliRunner().invoke(main, dead + args)
        errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
        assert r.exit_code == 2 and len(errors) == 1 and option in errors[0] and "Traceback" not in r.output, (args, r.output)


def test_rank_names_the_agents_it_could_not_read():
    from hashtrust.cli.erc8004 import unreadable_note

    assert unreadable_note([]) == ""
    note = unreadable_note([(a, f"https://a{a}.example: not fetched within the 5 s deadline") for a in range(1, 13)])
    lines = note.splitlines()[1:]
    assert lines[0] == "12 agent(s) not ranked: their registration file could not be read"
    assert lines[1] == "  agent 1: https://a1.example: not fetched within the 5 s deadline"
    assert len(lines) == 12 and lines[-1] == "  ... and 2 more (--json lists them all)"
