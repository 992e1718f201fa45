"""The long-running devnet as a user lives with it (issue 15, items 1, 2 and 4, and `devnet reset`).

1. **A throwaway Anvil never clobbers the devnet's address book.** The user deploys on the
   devnet, then follows the README's "throwaway Anvil" line (`ape run deploy --network
   ethereum:local:foundry`: ape starts its own Anvil, also chain id 31337) and deploys once
   more on a second Anvil through the CLI. The devnet's book is byte for byte what it was, and a
   rerun on the devnet deploys nothing (before, the throwaway run overwrote
   ``deployments/31337.json`` and every later demo redeployed the vault).
2. **The devnet's clock never goes backwards.** The demo moves the clock 34 days ahead; after
   `hashtrust devnet stop` and `start` (twice) the next block is after the last one, and the
   chain's clock still runs as far ahead of the wall clock.
4. **`hashtrust devnet ...` honours --rpc, and one state file has one Anvil.** `--rpc
   http://127.0.0.1:P devnet start` starts the devnet on P; a start on another port is refused
   with one line naming P, and the first Anvil is still the only one on the state file;
   `status`, `stop` find it wherever it listens; a bad ``HASHTRUST_DEVNET_PORT`` is one line.
- **`devnet reset`** throws the chain away: a new genesis, the old chain's book removed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from cli_world import start_world, stop_world
from script_runs import free_port
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import PLAN

ROOT = Path(__file__).resolve().parents[2]


def _block(w3: Web3, n="latest") -> tuple[int, int]:
    b = w3.eth.get_block(n)
    return int(b["number"]), int(b["timestamp"])


def test_a_throwaway_anvil_never_clobbers_the_devnets_address_book(tmp_path):
    wd = start_world(tmp_path, free_port())
    other = tmp_path / "throwaway"
    port2 = free_port()
    try:
        # the devnet has a history of its own: its contracts sit at other addresses than a fresh chain's
        TxSender(wd.w3, devnet_signer(0)).transact({"to": devnet_signer(1).address, "value": 1})
        first = wd.cli("deploy")
        assert first.code == 0 and f"{len(PLAN)} deployed, 0 reused" in first.out, first.out
        book = AddressBook.for_chain(wd.w3, wd.books).path
        recorded = book.read_text()

        # the README's throwaway line: ape starts its own Anvil (chain id 31337 too) and deploys there
        env = {**os.environ, "HASHTRUST_DEPLOYMENTS": str(wd.books)}
        env.pop("APE_FOUNDRY_HOST", None)
        ape = subprocess.run([str(Path(sys.executable).with_name("ape")), "run", "deploy", "--network", "ethereum:local:foundry"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert ape.returncode == 0, ape.stdout + ape.stderr
        assert f"{len(PLAN)} deployed, 0 reused" in ape.stdout
        # and a second Anvil through the command line
        devnet.start(port2, home=other)
        again = wd.cli("--rpc", devnet.url(port2), "deploy")
        assert again.code == 0 and f"{len(PLAN)} deployed, 0 reused" in again.out, again.out

        assert book.read_text() == recorded
        names = sorted(p.name for p in (wd.books / "local").iterdir())
        books = [n for n in names if n.endswith(".json")]
        assert len(books) == 3, names  # one per chain: the devnet, ape's Anvil, the second Anvil
        assert sorted(set(names) - set(books)) == [b + ".lock" for b in books], names  # each book's lock file, nothing else
        nonce = wd.w3.eth.get_transaction_count(devnet_signer(0).address)
        rerun = wd.cli("deploy")
        assert rerun.code == 0 and f"0 deployed, {len(PLAN)} reused" in rerun.out, rerun.out
        assert wd.w3.eth.get_transaction_count(devnet_signer(0).address) == nonce
    finally:
        devnet.stop(home=other)
        stop_world(wd)


def test_the_devnet_clock_never_goes_backwards_across_stop_and_start(tmp_path):
    wd = start_world(tmp_path, free_port())
    try:
        ahead = 34 * 86_400
        devnet.rpc(devnet.url(wd.port), "evm_increaseTime", [ahead])
        devnet.rpc(devnet.url(wd.port), "evm_mine", [])
        number, ts = _block(wd.w3)
        assert ts >= time.time() + ahead - 60
        for _ in range(2):
            assert "stopped" in wd.cli("devnet", "stop").out
            started = wd.cli("devnet", "start")
            assert started.code == 0 and "state restored" in started.out and "clock continues" in started.out, started.out
            w3 = Web3(Web3.HTTPProvider(devnet.url(wd.port)))
            devnet.rpc(devnet.url(wd.port), "evm_mine", [])
            n2, ts2 = _block(w3)
            assert n2 == number + 1
            assert ts2 > ts, f"block {n2} at {ts2} is before block {number} at {ts}"
            assert ts2 >= time.time() + ahead - 120  # still as far ahead of the wall clock
            number, ts = n2, ts2
    finally:
        stop_world(wd)


def test_devnet_commands_honour_rpc_and_one_state_file_has_one_anvil(tmp_path):
    wd = start_world(tmp_path, free_port())  # (the world's own start; the CLI manages it from here)
    stop_world(wd)
    p, q = free_port(), free_port()
    try:
        r = wd.cli("--rpc", devnet.url(p), "devnet", "start")
        assert r.code == 0 and devnet.url(p) in r.out, r.out
        assert devnet.chain_id(p) == devnet.CHAIN_ID
        (pid, port), = devnet.running(wd.home)
        assert port == p

        second = wd.cli("--rpc", devnet.url(q), "devnet", "start")
        assert second.code != 0 and len(second.errors) == 1 and devnet.url(p) in second.errors[0], second.out
        assert devnet.chain_id(q) is None
        assert devnet.running(wd.home) == [(pid, p)]
        assert (wd.home / "anvil.pid").read_text() == str(pid)

        status = wd.cli("--rpc", devnet.url(p), "devnet", "status")
        assert f"devnet at {devnet.url(p)}" in status.out and f"pid {pid}" in status.out, status.out
        not_local = wd.cli("--rpc", "https://rpc.example.org", "devnet", "start")
        assert not_local.code != 0 and "not a local address" in not_local.errors[0]

        assert "stopped" in wd.cli("--rpc", devnet.url(q), "devnet", "stop").out  # found wherever it listens
        assert devnet.running(wd.home) == [] and devnet.chain_id(p) is None
        moved = wd.cli("--rpc", devnet.url(q), "devnet", "start")
        assert moved.code == 0 and "state restored" in moved.out, moved.out

        bad = subprocess.run([sys.executable, "-m", "hashtrust.chain.devnet", "start"], env={**os.environ, "HASHTRUST_DEVNET_PORT": "abc"},
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 1 and bad.stderr.strip() == "Error: HASHTRUST_DEVNET_PORT: must be a port number 1..65535, got 'abc'", bad.stderr
        make = subprocess.run(["make", "--no-print-directory", "demo", "DEVNET_PORT=abc"], cwd=ROOT, env={**os.environ, "HASHTRUST_DEVNET_DIR": str(wd.home)},
                              capture_output=True, text=True, timeout=120)
        assert make.returncode != 0 and "Traceback" not in make.stdout + make.stderr
        assert [ln for ln in (make.stdout + make.stderr).splitlines() if ln.startswith("Error:")] == [
            "Error: HASHTRUST_DEVNET_PORT: must be a port number 1..65535, got 'abc'"], make.stdout + make.stderr
    finally:
        devnet.stop(home=wd.home)


def test_devnet_reset_starts_a_new_chain_and_forgets_the_old_ones_book(tmp_path):
    wd = start_world(tmp_path, free_port())
    try:
        assert wd.cli("deploy", "--only", "IdentityRegistry").code == 0
        old_book = AddressBook.for_chain(wd.w3, wd.books).path
        old_genesis = wd.w3.eth.get_block(0)["hash"]
        assert old_book.exists()
        refused = wd.cli("devnet", "reset")  # stdin is not a terminal: --yes is required
        assert refused.code != 0 and "--yes" in refused.errors[0]
        assert old_book.exists()
        r = wd.cli("devnet", "reset", "--yes")
        assert r.code == 0, r.out
        w3 = Web3(Web3.HTTPProvider(devnet.url(wd.port)))
        assert w3.eth.block_number == 0 and w3.eth.get_block(0)["hash"] != old_genesis
        assert not old_book.exists() and str(old_book) in r.out
        assert "no IdentityRegistry recorded" in wd.cli("addresses").errors[0] or "nothing recorded" in wd.cli("addresses").errors[0]
        # resets in quick succession (within one second of Anvil's clock) still give new chains:
        # Anvil's genesis is a function of its time, so the new one is dated after the old one
        seen = {bytes(old_genesis), bytes(w3.eth.get_block(0)["hash"])}
        for _ in range(2):
            assert wd.cli("devnet", "reset", "--yes").code == 0
            w3 = Web3(Web3.HTTPProvider(devnet.url(wd.port)))
            g = bytes(w3.eth.get_block(0)["hash"])
            assert g not in seen, "devnet reset came back with a genesis seen before"
            seen.add(g)
    finally:
        stop_world(wd)
