"""New-user review user15 (tests/e2e/user15/FINDINGS.md): the decisions taken before anything is
sent, checked without a node -- a rerun of `agents give --id` with other figures, values finer than
18 decimals, times as UTC dates and the wording of the refusals."""

from __future__ import annotations

import pytest

from hashtrust.erc8004.commands import check_same_feedback
from hashtrust.errors import InputError


# V2: the same --id with another value is an error naming both; the same value is "already given"
def test_give_same_id_other_value_names_both():
    check_same_feedback("u15-a", 1, 22, (88, 0, "accuracy", ""), (88, 0, "accuracy", ""))
    check_same_feedback("u15-a", 1, 22, (880, 1, "accuracy", ""), (88, 0, "accuracy", ""))  # 88.0 is 88
    with pytest.raises(InputError, match=r"--id: .*already on chain for agent 22 with 88 \(tag1='accuracy'\), not 77 \(tag1='accuracy'\)"):
        check_same_feedback("u15-a", 1, 22, (77, 0, "accuracy", ""), (88, 0, "accuracy", ""))
    with pytest.raises(InputError, match=r"with 88 \(tag1='accuracy'\), not 88 \(tag1='speed'\)"):
        check_same_feedback("u15-a", 1, 22, (88, 0, "speed", ""), (88, 0, "accuracy", ""))


# V7: the devnet's clock keeps its lead over the wall clock while no block is mined
def test_devnet_clock_offset_keeps_running_while_idle():
    from hashtrust.chain.devnet import clock_offset

    now = 1_800_000_000
    # started 100 s ahead, idle since (latest block 60 s old): the lead stays 100 s
    assert clock_offset(now - 60, now - 60, now, 100) == 100
    # a block mined a day ahead after the start: its lead counts
    assert clock_offset(now + 86_400, now + 86_401, now, 100) == 86_401
    # no start recorded (a new chain): the blocks alone
    assert clock_offset(now - 5, now, now, None) == 0


# V3: a VALUE finer than 18 decimals is a usage error in words naming VALUE (exit 2)
def test_give_value_with_too_many_decimals_is_a_usage_error():
    from click.testing import CliRunner

    from hashtrust.cli import main
    from hashtrust.cli.erc8004 import MAX_DECIMALS
    from hashtrust.erc8004.reputation import MAX_DECIMALS as REGISTRY_DECIMALS

    assert MAX_DECIMALS == REGISTRY_DECIMALS
    r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:9", "agents", "give", "1", "0.0000000000000000001"])
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Invalid value for 'VALUE': 0.0000000000000000001 has 19 decimals (at most 18)" in lines[0], r.output
    assert "Decimal(" not in r.output


# V5: times as UTC dates
def test_wallet_approval_text_gives_the_deadline_as_a_date():
    from hashtrust.erc8004.commands import ApprovalView, utc_time

    assert utc_time(1_799_759_251) == "2027-01-12 13:07:31 UTC"
    v = ApprovalView(22, "0x" + "14" * 20, "0x" + "00" * 19 + "01", 1_799_759_251, "0x" + "ab" * 32, {})
    first, *_, last = v.text().splitlines()
    assert "before 2027-01-12 13:07:31 UTC" in first and "1,799,759,251" not in first, first
    assert last.endswith("--deadline 1799759251 --signature 0x..."), last  # the raw number only where --deadline needs it


# V9: a wallet signature's deadline too far ahead (or passed) is told in words naming --deadline
def test_wallet_deadline_too_far_or_passed_in_words():
    from hashtrust.erc8004.commands import check_wallet_deadline

    now = 1_799_759_000
    check_wallet_deadline(now + 300, now, now)
    with pytest.raises(InputError, match=r"^--deadline: 99999999999 \(5138-11-16 09:46:39 UTC\) is too far ahead: at most 300 s after the chain's time 2027-01-12"):
        check_wallet_deadline(99_999_999_999, now, now + 1)
    with pytest.raises(InputError, match=r"^--deadline: 5 \(1970-01-01 00:00:05 UTC\) has passed: the chain's time is 2027-01-12"):
        check_wallet_deadline(5, now, now)


# V10: self-validation is refused in words before anything is estimated
class _Identity:
    def __init__(self, owner: str, wallet: str):
        self.owner, self.wallet = owner, wallet

    def is_authorized_or_owner(self, who, agent_id):
        return who == self.owner

    def get_agent_wallet(self, agent_id):
        return self.wallet


def test_self_validation_is_refused_in_words():
    from hashtrust.erc8004.commands import check_not_self_validation

    owner, wallet, other = "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20
    ident = _Identity(owner, wallet)
    check_not_self_validation(ident, 1, other)
    with pytest.raises(InputError, match="VALIDATOR: .* owns or operates agent 1: .*choose another validator"):
        check_not_self_validation(ident, 1, owner)
    with pytest.raises(InputError, match="VALIDATOR: .* is agent 1's wallet: .*choose another validator"):
        check_not_self_validation(ident, 1, wallet)


# V1: `agents register FILE --key ''` is refused naming --key (as `--uri ''` is), exit 2
def test_empty_key_is_refused(tmp_path):
    from click.testing import CliRunner

    from hashtrust.cli import main

    f = tmp_path / "my-agent.json"
    f.write_text('{"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "x", "description": "y", "services": []}')
    for bad in ("", "has space"):
        r = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:9", "agents", "register", str(f), "--key", bad])
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert r.exit_code == 2 and len(lines) == 1 and "'--key'" in lines[0], r.output
    assert "must not be empty" in CliRunner().invoke(main, ["agents", "register", str(f), "--key", ""]).output


# V4: the respond refusal's hint is about CLIENT, not about revoking
def test_respond_refusal_hint_fits_respond():
    from hashtrust.erc8004.commands import RESPOND_HINT, REVOKE_HINT, no_feedback_words

    assert "revoke" not in RESPOND_HINT and "CLIENT" in RESPOND_HINT
    assert "revoke" in REVOKE_HINT
    assert no_feedback_words("0xC", 22, 0, 1, RESPOND_HINT).endswith(f"there is no feedback #1 ({RESPOND_HINT})")
    assert RESPOND_HINT not in no_feedback_words("0xC", 22, 2, 3, RESPOND_HINT)  # the client has feedback: no hint


# V6: a pending validation has no score (text: "pending" alone; --json: null), nor an average of none
def test_pending_validation_has_no_score():
    from hashtrust.erc8004.commands import ValidationList, ValidationView

    pending = ValidationView("0x" + "aa" * 32, "0x" + "11" * 20, "PENDING", 0, False, 0)
    done = ValidationView("0x" + "bb" * 32, "0x" + "11" * 20, "FINALIZED", 0, True, 5)
    lst = ValidationList(1, [pending], 1, 0, 0)
    d = lst.to_json()
    assert d["average"] is None and d["requests"][0]["response"] is None, d
    line = [ln for ln in lst.text().splitlines() if "pending" in ln][0]
    assert line.endswith("pending"), line
    both = ValidationList(1, [pending, done], 2, 1, 0)
    assert both.to_json()["average"] == 0 and both.to_json()["requests"][1]["response"] == 0  # a real 0 stays a score
    assert [ln for ln in both.text().splitlines() if "finalized" in ln][0].endswith("  0")


# V8: clearing a metadata entry (an empty value) is said as cleared / already unset
def test_clearing_metadata_says_cleared():
    from hashtrust.erc8004.commands import UpdateResult

    assert UpdateResult(22, "metadata homepage", True, "", "0xabc").text() == "agent 22: metadata homepage cleared; tx 0xabc"
    assert UpdateResult(22, "metadata homepage", False, "").text() == "agent 22: metadata homepage is already unset (nothing sent)"
    assert UpdateResult(22, "metadata homepage", True, "https://x", "0xabc").text() == "agent 22: metadata homepage set to https://x; tx 0xabc"


# V11: an ape script's usage error is one `Error:` line (click prints Usage / Try / blank / Error)
def test_script_usage_errors_are_one_line():
    import click
    from click.testing import CliRunner

    from hashtrust.chain.failures import one_line_usage

    @click.group()
    def cli():
        pass

    @cli.command()
    @click.argument("value", type=int)
    def give(value):
        click.echo(value)

    one_line_usage(cli)
    for args in (["give", "nan"], ["give"], ["give", "1", "--nope"], ["gve"]):
        r = CliRunner().invoke(cli, args, prog_name="ape run agents")
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert r.exit_code == 2 and len(lines) == 1 and lines[0].startswith("Error: "), (args, r.output)
    assert "Invalid value for 'VALUE': 'nan' is not a valid integer" in CliRunner().invoke(cli, ["give", "nan"]).output
    assert CliRunner().invoke(cli, ["give", "3"]).output == "3\n"


def test_every_script_makes_its_usage_errors_one_line():
    from pathlib import Path

    scripts = Path(__file__).resolve().parents[3] / "scripts"
    missing = [p.name for p in scripts.glob("*.py") if "\none_line_usage(cli)" not in p.read_text()]
    assert not missing, missing


# cosmetic (FINDINGS.md, no e2e test): a huge bond in BTC is grouped like its sats
def test_btc_words_groups_the_whole_bitcoins():
    from hashtrust.hashrate.vault import btc_words

    assert btc_words(10**29 - 1) == "999,999,999,999,999,999,999.99999999 BTC (99,999,999,999,999,999,999,999,999,999 sats)"
    assert btc_words(1_234_567) == "0.01234567 BTC (1,234,567 sats)"


# cosmetic: `devnet reset --yes` does not say "state kept in ..." and then "removed ..." of the same file
def test_devnet_reset_does_not_say_state_kept_before_removing_it(tmp_path, monkeypatch):
    import subprocess

    from hashtrust.chain import devnet

    child = subprocess.Popen(["sleep", "30"])  # stands in for the devnet's Anvil
    try:
        (tmp_path / "state.json").write_text("{}")
        alive = [(child.pid, None)]
        monkeypatch.setattr(devnet, "running", lambda home: alive)
        monkeypatch.setattr(devnet, "start", lambda port, home, genesis_time: (alive.clear(), "devnet started")[1])
        out = devnet.reset(8631, home=tmp_path, books=tmp_path / "books")
    finally:
        child.kill()
        child.wait()
    assert out.splitlines() == [f"devnet stopped (pid {child.pid})", f"removed {tmp_path / 'state.json'}", "devnet started"], out
    assert "state kept" not in out
