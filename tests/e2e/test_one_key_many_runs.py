"""Two runs signing with one key at once both finish, and a faucet run twice at once tops up
once (issue 15, new-user items).

Story: an operator starts two `hashtrust agents register` runs at the same moment, each with its
own agent list, both signing with dev account 0 (two terminals, or a script that backgrounds
each list). Each run numbered its transactions from the node's count of the account's
transactions when it started, so both signed the same nonces and one of them failed (`the node
refused ... nonce too low`) with its list half done. Now a run takes the account's turn (a lock
per chain and account, held only while it signs and hands a window to the node) and reads the
node's count again in it, so the two runs interleave and both finish: every agent of both lists
is on chain exactly once. The same for `devnet faucet ADDRESS` run twice at once: each used to
see the balance missing and send it, so ADDRESS held twice what it asked for; now the second
sees what the first sent and sends nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

from cli_world import environ_of, start_world, stop_world
from script_runs import free_port, many_agents
from web3 import Web3

from hashtrust.chain import devnet


def _start(wd, *args: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "hashtrust.cli", "--rpc", devnet.url(wd.port), *args]
    return subprocess.Popen(cmd, env=environ_of(wd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_two_register_runs_with_one_key_at_once_both_finish(tmp_path):
    wd = start_world(tmp_path, free_port())
    try:
        assert wd.cli("deploy", "--only", "IdentityRegistry").code == 0
        lists = []
        for name in ("north", "south"):
            path = tmp_path / f"{name}.json"
            many_agents(path, copies=3)
            data = json.loads(path.read_text())
            for a in data["agents"]:
                a["key"] = f"{name}-{a['key']}"
            path.write_text(json.dumps(data))
            lists.append((path, [a["key"] for a in data["agents"]]))
        runs = [_start(wd, "agents", "register", str(path), "--no-progress", "--window", "4") for path, _ in lists]
        outs = [p.communicate(timeout=300)[0] for p in runs]
        assert [p.returncode for p in runs] == [0, 0], outs
        from hashtrust.erc8004.agents import holdings
        from hashtrust.erc8004.identity import IdentityClient

        identity = IdentityClient(wd.w3, wd.book.address("IdentityRegistry"))
        owner = Web3.to_checksum_address(wd.w3.eth.accounts[0])
        held = holdings(identity, owner)
        keys = [k for _, ks in lists for k in ks]
        assert sorted(held.mine) == sorted(keys)  # each once: a key registered twice would show up once here...
        assert identity.contract.functions.balanceOf(owner).call() == len(keys)  # ...and twice here
    finally:
        stop_world(wd)


def test_two_faucet_runs_for_one_address_at_once_top_up_once(tmp_path):
    wd = start_world(tmp_path, free_port())
    try:
        assert wd.cli("deploy", "--only", "TestUSD").code == 0
        who = Web3.to_checksum_address(Web3.keccak(text="faucet-twice")[-20:])
        runs = [_start(wd, "devnet", "faucet", who, "--eth", "3", "--usd", "500", "--wbtc", "0", "--json") for _ in range(2)]
        outs = [p.communicate(timeout=300)[0] for p in runs]
        assert [p.returncode for p in runs] == [0, 0], outs
        assert wd.w3.eth.get_balance(who) == 3 * 10**18
        from hashtrust.chain import artifacts

        usd = wd.w3.eth.contract(address=wd.book.address("TestUSD"), abi=artifacts.abi("DevToken"))
        assert usd.functions.balanceOf(who).call() == 500 * 10**6
        sent = [sum(Decimal(g["sent"]) for g in json.loads(out[out.index("{"):])["grants"]) for out in outs]
        assert sorted(sent) == [Decimal(0), Decimal(503)], outs  # one run sent it all, the other nothing
    finally:
        stop_world(wd)
