"""New-user review user15: my own agents, feedback, validations and the devnet off the demo path (FINDINGS.md).

One devnet of our own (`cli_world.build_world` on a free port): agent 1 owned by dev account 0,
agent 2 by account 1 (wallet account 6), account 3 gave agent 1 one feedback, account 0 asked
account 5 to validate a job of agent 1 (pending). Each finding is an `xfail(strict=True)` asserting
the behaviour the docs promise; the devnet restart test runs last (it restarts the world's Anvil).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cli_world.py, script_runs.py

import pytest  # noqa: E402
from cli_world import build_world, stop_world  # noqa: E402
from script_runs import free_port  # noqa: E402

from hashtrust.chain.accounts import devnet_key, devnet_signer  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
MY_FILE = {
    "type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1",
    "name": "Tide Forecaster",
    "description": "Predicts harbour tides for small boats.",
    "image": "https://tides.example/logo.png",
    "services": [{"name": "A2A", "endpoint": "https://tides.example/.well-known/agent-card.json", "version": "0.3.0",
                  "skills": ["tide-forecast"]}],
    "x402Support": False,
    "active": True,
    "registrations": [],
    "supportedTrust": ["reputation"],
}


@pytest.fixture(scope="module")
def wd(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("user15")
    w = build_world(tmp, free_port())
    w.cli.env["HASHTRUST_LOCK_DIR"] = str(tmp / "locks")
    w.tmp = tmp
    yield w
    stop_world(w)


def _refused_and_unchanged(wd, *args: str):
    before = wd.state()
    r = wd.cli(*args)
    assert wd.state() == before, f"sent something: {r.out}"
    assert r.code != 0 and len(r.errors) == 1 and "Traceback" not in r.out, r.out
    return r


def _my_file(wd) -> Path:
    p = wd.tmp / "my-agent.json"
    p.write_text(json.dumps(MY_FILE))
    return p


# V1: `agents register FILE --key ''` silently registers under the file's name; `--uri ''` is refused as empty
def test_empty_key_is_refused(wd):
    p = _my_file(wd)
    r = _refused_and_unchanged(wd, "--account-index", "4", "agents", "register", str(p), "--key", "")
    assert "--key" in r.errors[0], r.errors[0]


# V2: `agents give --id X` again with another value says "already on chain" and exits 0
def test_give_same_id_other_value_is_an_error(wd):
    r = wd.cli("--account-index", "4", "agents", "give", "1", "88", "--tag1", "accuracy", "--id", "u15-a")
    assert r.code == 0, r.out
    r = _refused_and_unchanged(wd, "--account-index", "4", "agents", "give", "1", "77", "--tag1", "accuracy", "--id", "u15-a")
    assert "88" in r.errors[0], r.errors[0]  # names what is recorded under that id


# V3: a value finer than 18 decimals: "Error: value: Decimal('1E-19') needs 19 decimals", exit 1
def test_give_too_many_decimals_is_told_in_plain_words(wd):
    r = _refused_and_unchanged(wd, "--account-index", "4", "agents", "give", "1", "0.0000000000000000001")
    assert "Decimal(" not in r.errors[0] and "VALUE" in r.errors[0] and r.code == 2, (r.code, r.errors[0])


# V4: `agents respond` to a client with no feedback tells the user to "revoke as the client who gave it"
def test_respond_refusal_does_not_talk_about_revoke(wd):
    r = _refused_and_unchanged(wd, "agents", "respond", "1", "0x0000000000000000000000000000000000000001", "1", "ipfs://x")
    assert "revoke" not in r.errors[0], r.errors[0]


# V5: `agents wallet-approval` gives its deadline as "before block time 1,799,759,251": no date
def test_wallet_approval_deadline_as_a_date(wd):
    r = wd.cli("agents", "wallet-approval", "1", devnet_signer(7).address)
    assert r.code == 0, r.out
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC", r.out.splitlines()[0]), r.out.splitlines()[0]


# V6: `validations list` shows a pending request with a score 0; --json says average 0 with none answered
def test_validations_list_pending_has_no_score(wd):
    r = wd.cli("validations", "list", "1", "--json")
    assert r.code == 0, r.out
    d = json.loads(r.out)
    assert d["answered"] == 0 and d["average"] is None, d
    r = wd.cli("validations", "list", "1")
    line = [ln for ln in r.out.splitlines() if "pending" in ln][0]
    assert not line.rstrip().endswith(" 0"), line


# V8: clearing a metadata entry with '' prints "metadata homepage set to ; tx ..."
def test_clearing_metadata_says_cleared(wd):
    assert wd.cli("agents", "set-metadata", "1", "homepage", "https://tides.example").code == 0
    r = wd.cli("agents", "set-metadata", "1", "homepage", "")
    assert r.code == 0, r.out
    assert "set to ;" not in r.out and "clear" in r.out, r.out


# V9: `agents set-wallet --deadline <far future>`: "setAgentWallet reverted: identity: deadline too far"
def test_set_wallet_deadline_too_far_in_words(wd):
    sig = "0x" + "ab" * 65
    r = _refused_and_unchanged(wd, "agents", "set-wallet", "1", "--wallet", devnet_signer(7).address,
                               "--deadline", "99999999999", "--signature", sig)
    assert "reverted" not in r.errors[0] and "--deadline" in r.errors[0], r.errors[0]


# V10: `validations request` naming the agent's own owner as validator: the contract's revert text
def test_self_validation_refused_in_words(wd):
    r = _refused_and_unchanged(wd, "validations", "request", "1", devnet_signer(0).address, "--payload", '{"job": 2}')
    assert "reverted" not in r.errors[0], r.errors[0]


# V11: an ape script's bad value prints click's usage block (Usage / Try / blank / Error), not one line
def test_ape_script_bad_value_is_one_line(wd):
    before = wd.state()
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(wd.books), PYTHONPATH=str(ROOT / "src"), APE_FOUNDRY_HOST=wd.cli.rpc)
    proc = subprocess.run(["ape", "run", "agents", "give", "1", "nan", "--account", "TEST::4", "--network", "ethereum:local:foundry"],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode != 0 and wd.state() == before, out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), out


# V7 (last: restarts the world's devnet): the devnet clock stands still while the devnet idles
def _clock(out: str) -> int:
    m = re.search(r"clock continues at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", out)
    assert m, out
    return int(time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")))


def test_devnet_clock_keeps_running_across_restarts(wd):
    w3 = wd.w3
    w3.provider.make_request("evm_setNextBlockTimestamp", [w3.eth.get_block("latest").timestamp + 86_400])
    w3.provider.make_request("evm_mine", [])
    assert wd.cli("devnet", "stop").code == 0
    r = wd.cli("devnet", "start")
    assert r.code == 0, r.out
    t1 = _clock(r.out)
    time.sleep(6)  # the devnet idles: no block
    assert wd.cli("devnet", "stop").code == 0
    r = wd.cli("devnet", "start")
    assert r.code == 0, r.out
    t2 = _clock(r.out)
    assert t2 >= t1 + 5, (t1, t2)  # "as far ahead of the wall clock as it was when it stopped"
