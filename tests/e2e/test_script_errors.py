"""Bad input to the ape scripts ends in one clear line, a non-zero exit and nothing sent.

Story: the registries are deployed on a fresh Anvil. A careless operator then runs every script
of `scripts/` (deploy, demo, register_agents, rate_agents, rank_agents, validate, pool_watcher)
with a broken file or option value: malformed JSON and YAML (the line and column named), a
missing file, values of the wrong type, an unknown contract, a corrupt address book, a check
that does not load. Each run must exit non-zero with one ``Error: ...`` line naming the file or
field (a bad option value: that line alone, exit 2, as in ``hashtrust``), print no traceback, and leave the chain as it was (same block number, same nonce of the
funding account: Anvil mines every transaction at once, so anything sent would show).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from script_runs import free_port
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))
FUNDER = devnet_signer(0).address  # ape's test account 0 on local chains: every script's default sender
ROW = {"id": "a", "client": 0, "agent": 1, "value": "87", "tag1": "starred"}


@pytest.fixture(scope="module")
def devchain(tmp_path_factory):
    """A fresh Anvil with the three registries, its address book, and a folder of bad files."""
    tmp = tmp_path_factory.mktemp("script-errors")
    port, home = free_port(), tmp / "devnet"
    devnet.start(port, home=home)
    try:
        w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
        books = tmp / "deployments"
        deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook.for_chain(w3, books),
               only=["IdentityRegistry", "ReputationRegistry", "ValidationRegistry"])
        from hashtrust.erc8004.identity import IdentityClient

        IdentityClient.from_book(w3, AddressBook.for_chain(w3, books), TxSender(w3, devnet_signer(0))).register("ipfs://agent-1")
        files = tmp / "files"
        files.mkdir()
        (files / "ratings-truncated.json").write_text('{"rows": [\n  {"id": "a", "client": 0 "agent": 1, "value": 87}\n]}')
        (files / "ratings-tag-int.json").write_text(json.dumps({"rows": [dict(ROW, tag1=5)]}))
        (files / "ratings-client-fraction.json").write_text(json.dumps({"rows": [dict(ROW, client=1.5)]}))
        (files / "ratings-rows-not-list.json").write_text(json.dumps({"rows": {"a": ROW}}))
        (files / "agents-bad.yaml").write_text("agents:\n  - key: a\n    uri: [unclosed\n")
        (files / "agents-uri-int.json").write_text(json.dumps({"agents": [{"key": "a", "uri": 5}]}))
        (files / "pool-truncated.json").write_text('{"epochs": {"0": {"delivered_ths": 1,')
        (files / "pool-epochs-list.json").write_text(json.dumps({"epochs": [1, 2]}))
        (files / "check_broken.py").write_text("def check(job:\n    return 100\n")
        (files / "check_fails.py").write_text("LIMIT = undefined_name\n\ndef check(job, data):\n    return LIMIT\n")
        corrupt = tmp / "corrupt-book"
        book_path = AddressBook.for_chain(w3, corrupt).path  # this chain's book in that folder
        book_path.parent.mkdir(parents=True)
        book_path.write_text('{"format": ')
        yield {"w3": w3, "port": port, "books": books, "files": files, "corrupt": corrupt}
    finally:
        devnet.stop(home=home)


def _run(devchain, script: list[str], *, books: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books or devchain["books"]), PYTHONPATH=str(ROOT / "src"))
    env.pop("APE_FOUNDRY_HOST", None)
    cmd = [APE, "run", script[0], *script[1:], "--network", devnet.url(devchain["port"])]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


F = "{files}"  # replaced by the fixture's folder of bad files
CASES = [
    # (id, script and arguments, text the one error line must contain)
    ("rate-truncated-json", ["rate_agents", "--file", f"{F}/ratings-truncated.json", "--no-progress"],
     "ratings-truncated.json: is not valid JSON: Expecting ',' delimiter at line 2, column 27"),
    ("rate-tag-not-a-string", ["rate_agents", "--file", f"{F}/ratings-tag-int.json"], "ratings-tag-int.json: rows[0].tag1: must be a string, not int"),
    ("rate-fractional-client", ["rate_agents", "--file", f"{F}/ratings-client-fraction.json"], "rows[0].client: must be a whole number >= 0, not 1.5"),
    ("rate-rows-not-a-list", ["rate_agents", "--file", f"{F}/ratings-rows-not-list.json"], 'rows: must be a list of rows or an object {"rows": [...]}'),
    ("rate-missing-file", ["rate_agents", "--file", f"{F}/no-such-ratings.json"], "no-such-ratings.json' does not exist"),
    ("rate-bad-agent-ids", ["rate_agents", "--generate", "5", "--agents", "1,x"], '--agents: must be "all" or agent ids'),
    ("rate-window-zero", ["rate_agents", "--generate", "5", "--window", "0"], "Invalid value for '--window': 0 is not >= 1"),
    ("rate-no-rows-given", ["rate_agents", "--no-progress"], "give --file or --generate"),
    ("register-bad-yaml", ["register_agents", "--file", f"{F}/agents-bad.yaml", "--no-progress"], "agents-bad.yaml: is not valid YAML"),
    ("register-uri-not-a-string", ["register_agents", "--file", f"{F}/agents-uri-int.json"], "agents[0].uri: must be a string"),
    ("register-missing-file", ["register_agents", "--file", f"{F}/no-such-agents.json"], "no-such-agents.json: cannot be read (No such file or directory)"),
    ("rank-bad-client-range", ["rank_agents", "--capability", "summarize", "--trusted-clients", "0-x"], "Invalid value for '--trusted-clients': must be client indexes"),
    ("rank-bad-address", ["rank_agents", "--capability", "summarize", "--trusted", "0x1234"], "Invalid value for '--trusted': '0x1234' is not a 20-byte hex address"),
    ("validate-missing-check", ["validate", "--once", "--check", f"{F}/no_such_check.py:check"], "--check: no check file"),
    ("validate-check-does-not-compile", ["validate", "--once", "--check", f"{F}/check_broken.py:check"], "check_broken.py does not compile"),
    ("validate-check-fails-at-import", ["validate", "--once", "--check", f"{F}/check_fails.py:check"],
     "check_fails.py: NameError: name 'undefined_name' is not defined"),
    ("validate-check-no-module", ["validate", "--once", "--check", "no_such_module_xyz:check"], "--check: cannot import 'no_such_module_xyz'"),
    ("pool-truncated-json", ["pool_watcher", "run", "--pool-file", f"{F}/pool-truncated.json"], "pool-truncated.json: cannot read pool report"),
    ("pool-missing-file", ["pool_watcher", "run", "--pool-file", f"{F}/no-such-pool.json"], "no-such-pool.json' does not exist"),
    ("pool-epochs-not-an-object", ["pool_watcher", "run", "--pool-file", f"{F}/pool-epochs-list.json"], 'must be an object with an "epochs" object'),
    ("validate-unknown-account", ["validate", "--once", "--account", "my-validator"], "--account my-validator: no ape account has this alias"),
    ("rate-generate-negative", ["rate_agents", "--generate", "-5"], "Invalid value for '--generate': -5 is not >= 1"),
    ("rank-too-many-clients", ["rank_agents", "--capability", "x", "--trusted-clients", "0-100000"], "names more than 256 clients"),
    ("agents-give-not-a-number", ["agents", "give", "1", "abc"], "Invalid value for 'VALUE': 'abc' is not a decimal"),
    ("agents-show-unknown-agent", ["agents", "show", "999999"], "agent 999999 does not exist"),
    ("agents-revoke-never-given", ["agents", "revoke", "1", "1", "--account", "TEST::4"], "there is no feedback #1"),
    ("validations-show-bad-hash", ["validations", "show", "1", "0x1234"], "Invalid value for 'REQUEST_HASH': must be 32 bytes"),
    ("validations-request-no-payload", ["validations", "request", "1", "0x" + "11" * 20], "--payload: give the job to check"),
    ("deploy-unknown-contract", ["deploy", "--only", "NoSuchRegistry"], "unknown contract(s) ['NoSuchRegistry']"),
    ("deploy-corrupt-address-book", ["deploy", "--book:corrupt"], "is not valid JSON"),
    ("demo-corrupt-address-book", ["demo", "--book:corrupt"], "is not valid JSON"),
    ("faucet-bad-address", ["faucet", "0x1234"], "Invalid value for 'ADDRESS': '0x1234' is not a 20-byte hex address"),
    ("faucet-too-many-decimals", ["faucet", "0x" + "5a" * 20, "--usd", "0.0000001"], "--usd: 0.0000001 has more than 6 decimals"),
    ("faucet-no-test-tokens", ["faucet", "0x" + "5a" * 20], "no TestUSD recorded for chain 31337"),
]


VAULT_SCRIPTS = {"vault", "operator"}  # their cases come with the vault's rework (issue 14 first)


def test_every_script_has_a_bad_input_case():
    scripts = {c[1][0] for c in CASES}
    assert scripts == {p.stem for p in (ROOT / "scripts").glob("*.py")} - VAULT_SCRIPTS


@pytest.mark.parametrize("case_id, script, text", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line_and_sends_nothing(devchain, case_id, script, text):
    w3 = devchain["w3"]
    books = devchain["corrupt"] if "--book:corrupt" in script else None
    args = [a.replace(F, str(devchain["files"])) for a in script if a != "--book:corrupt"]
    block, nonce = w3.eth.block_number, w3.eth.get_transaction_count(FUNDER)

    out = _run(devchain, args, books=books)

    text_out = out.stdout + out.stderr
    assert out.returncode != 0, text_out
    assert "Traceback" not in text_out, text_out
    errors = [ln for ln in text_out.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], text_out
    if text.startswith("Invalid value for"):  # a bad value is a usage error: that one line is the whole output, exit 2
        lines = [ln for ln in text_out.splitlines() if ln.strip()]  # (click's Usage / Try / blank block is not: user15 V11)
        assert lines == errors and out.returncode == 2, text_out
    assert (w3.eth.block_number, w3.eth.get_transaction_count(FUNDER)) == (block, nonce)


def test_a_script_pointed_at_a_devnet_that_is_not_running_says_so(devchain, tmp_path):
    """`APE_FOUNDRY_HOST` names a port where nothing runs: ape starts a new, empty Anvil there.
    The script says so, finds no contracts for that chain (its own address book), and ends with
    one line instead of ape's `BlockOutOfRangeError` traceback."""
    port = free_port()
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(devchain["books"]), PYTHONPATH=str(ROOT / "src"), APE_FOUNDRY_HOST=f"http://127.0.0.1:{port}")
    out = subprocess.run([APE, "run", "register_agents", "--network", "ethereum:local:foundry", "--no-progress"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    text_out = out.stdout + out.stderr
    assert out.returncode != 0 and "Traceback" not in text_out, text_out
    assert f"nothing answered at APE_FOUNDRY_HOST=http://127.0.0.1:{port}" in text_out, text_out
    errors = [ln for ln in text_out.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "no IdentityRegistry recorded" in errors[0], text_out
