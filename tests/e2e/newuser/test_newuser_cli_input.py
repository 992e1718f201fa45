"""New-user review: bad input that reaches the chain, and a bad lock folder.

- Every user command is built with click's ``ignore_unknown_options`` (so that `agents give 3
  -2.5` takes -2.5 as a value): a misspelt option is then taken as the next positional value
  and written on chain (`set-metadata 1 --name x` sets the metadata key "--name").
- Decimals drop every comma (`--usd 250,000`), wherever it is: `agents give 3 1,5` (1.5 written
  the European way) gives 15.
- `$HASHTRUST_LOCK_DIR` naming a file is "an unexpected failure" with a bare FileExistsError.
- `devnet faucet --json` prints an empty ETH balance as "0E-18".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cli_world.py, script_runs.py

import pytest  # noqa: E402
from cli_world import Cli, build_world, stop_world  # noqa: E402
from script_runs import free_port  # noqa: E402
from web3 import Web3  # noqa: E402

from hashtrust.chain.accounts import devnet_signer  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("newuser-cli")
    wd = build_world(tmp, free_port())
    wd.cli.env["HASHTRUST_LOCK_DIR"] = str(tmp / "locks")
    yield wd
    stop_world(wd)


def _refused_and_unchanged(wd, *args: str) -> None:
    before = wd.state()
    r = wd.cli(*args)
    assert wd.state() == before, f"sent something: {r.out}"
    assert r.code != 0 and len(r.errors) == 1, r.out


def test_newuser_set_metadata_unknown_option_is_refused(world):
    _refused_and_unchanged(world, "agents", "set-metadata", "1", "--name", "x")  # was: "metadata --name set to x", exit 0


def test_newuser_respond_unknown_option_is_refused(world):
    client = devnet_signer(3).address  # its feedback #1 to agent 1 is in the world
    _refused_and_unchanged(world, "agents", "respond", "1", client, "1", "--response-uri")  # was: response "--response-uri" appended


def test_newuser_give_value_with_a_decimal_comma_is_refused(world):
    _refused_and_unchanged(world, "--account-index", "4", "agents", "give", "1", "1,5", "--id", "newuser-comma")  # was: 15 given


def test_newuser_faucet_amount_with_misplaced_commas_is_refused(world):
    who = Web3.to_checksum_address(Web3.keccak(text="newuser-commas")[-20:])
    _refused_and_unchanged(world, "devnet", "faucet", who, "--usd", "1,2,3")


def test_newuser_lock_dir_that_is_a_file_names_the_variable(world, tmp_path):
    not_a_dir = tmp_path / "locks-file"
    not_a_dir.write_text("")
    cli = Cli(world.cli.rpc, {**world.cli.env, "HASHTRUST_LOCK_DIR": str(not_a_dir)})
    before = world.state()
    r = cli("agents", "set-metadata", "1", "homepage", "https://newuser-lockdir.example")
    assert world.state() == before and r.code == 1 and len(r.errors) == 1, r.out
    assert "HASHTRUST_LOCK_DIR" in r.errors[0] and "unexpected" not in r.errors[0], r.errors[0]


def test_newuser_faucet_json_prints_zero_plainly(world):
    who = Web3.to_checksum_address(Web3.keccak(text="newuser-zero")[-20:])
    r = world.cli("devnet", "faucet", who, "--eth", "1", "--usd", "0", "--wbtc", "0", "--json")
    assert r.code == 0, r.out
    eth = next(g for g in json.loads(r.out[r.out.index("{"):])["grants"] if g["asset"] == "ETH")
    assert "E" not in eth["before"], eth
