"""The `hashtrust` command line: help for every capability, one-line errors, a chain-free simulator."""

from click.testing import CliRunner

from hashtrust.cli import main


def test_every_capability_has_a_subcommand_with_help():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for cmd in ("deploy", "devnet", "agents", "validate", "vault", "simulate", "demo", "addresses"):
        assert cmd in r.output
    for group, subs in {"agents": ("register", "rate", "rank", "show"), "vault": ("buy", "report", "fund", "claim", "status")}.items():
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
