"""The sixth review's e2e tests: attacks on `TxSender`'s hand-back of what Anvil strands
(commit 620023d, `TxSender._unstrand`). Each test runs on its own private Anvil (automine), the
way tests/e2e/test_tx_faults.py does; a test that reproduces a defect is marked
``xfail(strict=True)`` and names the defect."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # script_runs.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # review6_strand.py

from script_runs import free_port  # noqa: E402
from web3 import Web3  # noqa: E402

from hashtrust.chain import devnet  # noqa: E402
from hashtrust.chain.faults import FlakyRpcProxy  # noqa: E402


@pytest.fixture
def r6_node(tmp_path):
    """A private Anvil (automine) for one test: (url, direct web3)."""
    port, home = free_port(), tmp_path / "devnet"
    devnet.start(port, home=home)
    try:
        yield devnet.url(port), Web3(Web3.HTTPProvider(devnet.url(port)))
    finally:
        devnet.stop(home=home)


@pytest.fixture
def r6_proxy(r6_node):
    with FlakyRpcProxy(r6_node[0]) as p:
        yield p
