"""A stand-in for a public network in e2e tests: an Anvil with Sepolia's chain id (11155111) on a
free loopback port, and "the user's own key" funded on it (Anvil's account 0 plays the faucet).

Every devnet-only action must refuse it: its chain id is not a devnet's, so the devnet guard
(`hashtrust.chain.devnet.not_a_devnet`) says no although the node is an Anvil on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from eth_account import Account
from script_runs import free_port
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.tx import LocalSigner, TxSender

SEPOLIA = 11155111
USER_KEY = "0x" + "5e" * 32  # "the user's own key" (funded on the fake public chain)
FAUCET_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # anvil's account 0


@contextlib.contextmanager
def fake_sepolia(tmp_path: Path, *, user_eth: int = 50) -> Iterator[tuple[str, Web3]]:
    """(url, w3) of an Anvil with Sepolia's chain id; USER_KEY holds ``user_eth`` ETH. Killed on exit."""
    port = free_port()
    log = open(tmp_path / "anvil-sepolia.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [devnet.anvil_binary(), "--port", str(port), "--chain-id", str(SEPOLIA)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while devnet.chain_id(port) != SEPOLIA:
            assert proc.poll() is None, "anvil exited: " + (tmp_path / "anvil-sepolia.log").read_text()
            assert time.monotonic() < deadline, "anvil did not start"
            time.sleep(0.1)
        w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
        TxSender(w3, LocalSigner.from_key(FAUCET_KEY)).transact({"to": Account.from_key(USER_KEY).address, "value": user_eth * 10**18})
        yield devnet.url(port), w3
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
        log.close()
