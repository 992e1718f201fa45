"""Ctrl-C means now, and the rerun finishes the job (issue 15, item 9).

Story: `hashtrust agents register` sends a window of registrations to a devnet that stops
mining at that moment (the proxy turns automine off when the first registration arrives), so
every one of them is pending. The user presses Ctrl-C. The command must end at once with one
line, ``Error: interrupted ... rerun it to finish the job``, and exit code 130 (it used to wait
up to two minutes for the pending transactions, then print click's "Aborted!" with exit 1).
Mining resumes; the rerun registers what is missing, and every agent of the file is on chain
exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from cli_world import environ_of, start_world, stop_world
from script_runs import free_port, many_agents

from hashtrust.chain import devnet
from hashtrust.chain.faults import FlakyRpcProxy


def test_ctrl_c_with_transactions_pending_ends_at_once_and_the_rerun_finishes(tmp_path):
    wd = start_world(tmp_path, free_port())
    n = many_agents(tmp_path / "agents.json", copies=2)
    assert wd.cli("deploy", "--only", "IdentityRegistry").code == 0
    url = devnet.url(wd.port)
    interrupted: list[float] = []
    try:
        with FlakyRpcProxy(url) as proxy:
            cmd = [sys.executable, "-m", "hashtrust.cli", "--rpc", proxy.url, "agents", "register", str(tmp_path / "agents.json"), "--no-progress", "--window", "8"]
            proc = subprocess.Popen(cmd, env=environ_of(wd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)

            def ctrl_c() -> None:
                interrupted.append(time.monotonic())
                proc.send_signal(signal.SIGINT)

            def freeze() -> None:  # the chain stops mining under the first window; Ctrl-C a second later
                devnet.rpc(url, "evm_setAutomine", [False])
                threading.Timer(1.0, ctrl_c).start()

            proxy.on("eth_sendRawTransaction", 1, freeze)
            out, _ = proc.communicate(timeout=300)
            ended = time.monotonic()
        assert interrupted, out
        errors = [ln for ln in out.splitlines() if ln.startswith("Error:")]
        assert proc.returncode == 130 and "Aborted!" not in out and "Traceback" not in out, out
        assert errors == ["Error: interrupted (Ctrl-C); nothing more was sent: every hashtrust command and script is resumable, rerun it to finish the job"], out
        assert ended - interrupted[0] < 10, f"Ctrl-C took {ended - interrupted[0]:.0f} s to end the command"
        devnet.rpc(url, "evm_setAutomine", [True])
        devnet.rpc(url, "evm_mine", [])
        rerun = wd.cli("agents", "register", str(tmp_path / "agents.json"), "--no-progress")
        assert rerun.code == 0, rerun.out
        from hashtrust.erc8004.agents import existing_agents
        from hashtrust.erc8004.identity import IdentityClient
        from hashtrust.chain.accounts import devnet_signer

        ident = IdentityClient.from_book(wd.w3, wd.book)
        assert ident.total_agents() == n
        assert len(existing_agents(ident, devnet_signer(0).address)) == n
        assert f"{n} registered now" not in rerun.out  # some came from the interrupted run
    finally:
        stop_world(wd)
