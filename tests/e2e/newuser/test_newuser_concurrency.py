"""New-user review (one key, many runs): what two runs of the same command at once still do twice.

The account's turn (`HASHTRUST_LOCK_DIR`) keeps nonces apart, but it is taken only while a
window is signed and handed to the node; the check "is this already on chain?" that makes a
rerun idempotent runs before it, outside any turn. Two runs of the *same* work started together
(two terminals, a cron job overlapping itself, a retry wrapper) both see nothing on chain and
both send it all. And the turn is named by chain id and address only, so every devnet (chain
31337) and every dev account 0 on the machine share one turn: a run whose node stopped
answering holds it for `unreachable_after` and stalls an unrelated devnet's commands.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cli_world.py, script_runs.py, private_node.py

import pytest  # noqa: E402
from cli_world import build_world, environ_of, stop_world  # noqa: E402
from private_node import private_anvil  # noqa: E402
from script_runs import free_port, many_agents  # noqa: E402
from web3 import Web3  # noqa: E402

from hashtrust.chain import devnet  # noqa: E402
from hashtrust.chain.accounts import devnet_signer  # noqa: E402
from hashtrust.chain.faults import FlakyRpcProxy  # noqa: E402
from hashtrust.chain.tx import TxSender  # noqa: E402


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("HASHTRUST_LOCK_DIR", str(tmp_path / "locks"))  # this test's turns only
    wd = build_world(tmp_path, free_port())
    wd.cli.env["HASHTRUST_LOCK_DIR"] = str(tmp_path / "locks")
    yield wd
    stop_world(wd)


@pytest.fixture
def slow_logs(world):
    """The devnet behind a proxy whose log reads answer 3 s late (a hosted node's slow
    `eth_getLogs`; the read itself sees the chain as it was when it arrived). It makes the
    window between a run's check and its first send wide enough to hit every time; the runs
    race the same way without it (by hand on a plain devnet: 3 of 3 pairs of `agents register`
    registered the list twice)."""
    with FlakyRpcProxy(devnet.url(world.port)) as proxy:
        proxy.delay("eth_getLogs", 3.0)
        yield proxy.url


def _start(wd, *args: str, rpc: str | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "hashtrust.cli", "--rpc", rpc or devnet.url(wd.port), *args]
    return subprocess.Popen(cmd, env=environ_of(wd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _together(wd, rpc: str, n: int, *args: str) -> list[subprocess.Popen]:
    """``n`` runs of one command, started half a second apart (two terminals)."""
    runs = []
    for _ in range(n):
        runs.append(_start(wd, *args, rpc=rpc))
        time.sleep(0.5)
    return runs


def _all(runs: list[subprocess.Popen]) -> list[str]:
    outs = [p.communicate(timeout=300)[0] for p in runs]
    assert [p.returncode for p in runs] == [0] * len(runs), outs
    return outs


def _count(wd, agent: int, *who: str) -> int:
    r = wd.cli("agents", "reputation", str(agent), *who, "--json")
    assert r.code == 0, r.out
    return json.loads(r.out)["overall"]["count"]


def test_newuser_one_agent_list_registered_twice_at_once_registers_each_once(world, slow_logs, tmp_path):
    path = tmp_path / "mine.json"
    n = many_agents(path, copies=1)
    owner = devnet_signer(0).address
    from hashtrust.erc8004.identity import IdentityClient

    identity = IdentityClient(world.w3, world.book.address("IdentityRegistry"))
    before = identity.contract.functions.balanceOf(owner).call()
    _all(_together(world, slow_logs, 2, "agents", "register", str(path), "--no-progress"))
    # was: 2 * n more agents, each key twice; both runs exit 0 and a rerun says "n already registered"
    assert identity.contract.functions.balanceOf(owner).call() - before == n


def test_newuser_give_with_one_id_three_times_at_once_gives_once(world, slow_logs):
    me = devnet_signer(4).address
    _all(_together(world, slow_logs, 3, "--account-index", "4", "agents", "give", "1", "71", "--id", "newuser-race"))
    # README: "`agents give ... --id ID` is idempotent (a feedback of yours with that id is not given twice)"
    assert _count(world, 1, "--client", me) == 1  # by hand on a plain devnet: 3 ids, 3 runs each -> 7 feedbacks


def test_newuser_same_rating_rows_twice_at_once_give_each_row_once(world, slow_logs):
    rows = ["agents", "rate", "--generate", "30", "--clients", "10", "--seed", "7", "--agents", "1,2", "--no-progress"]
    trusted = ("--trusted-clients", "0-9")
    before = _count(world, 1, *trusted) + _count(world, 2, *trusted)
    _all(_together(world, slow_logs, 2, *rows))
    # measured by hand: 40 rows -> 79 feedbacks ("40 sent" and "39 sent, 1 already on chain")
    assert _count(world, 1, *trusted) + _count(world, 2, *trusted) - before == 30


def test_newuser_a_stuck_run_on_another_devnet_does_not_stall_this_one(world, tmp_path):
    # A chain is its id and genesis hash; a fresh Anvil's genesis is dated at its start, in whole
    # seconds, so two fresh devnets started within one second are the same chain to the address
    # book and to the turns (1 run in 3 here: the world's devnet starts in well under a second).
    time.sleep(1.1)
    with private_anvil(tmp_path / "other-devnet") as (other_url, _), FlakyRpcProxy(other_url) as proxy:
        proxy.refuse("eth_sendRawTransaction", times=10**6)  # the other devnet's node stops taking sends
        stuck = TxSender(Web3(Web3.HTTPProvider(proxy.url)), devnet_signer(0), unreachable_after=20.0)
        errors: list[BaseException] = []

        def other_run():
            try:
                stuck.transact({"to": stuck.address, "data": "0x"})
            except BaseException as exc:  # in doubt after 20 s, as it should be
                errors.append(exc)

        t = threading.Thread(target=other_run, daemon=True)
        t.start()
        time.sleep(2.0)  # it holds account 0's turn on "chain 31337" now
        began = time.monotonic()
        r = world.cli("agents", "set-metadata", "1", "homepage", "https://newuser-turn.example")
        took = time.monotonic() - began
        t.join(60)
        assert r.code == 0, r.out
        assert errors, "the other devnet's send should end in doubt"
        # this devnet's command needs ~1 s; it waited for the other Anvil's send (~18 s)
        assert took < 8.0, f"set-metadata on its own devnet took {took:.1f}s"
