"""The fourth review's e2e tests (see tests/unit/security/review4/README.md): each runs a real
command on a real Anvil, and failed on main before its fix.

They share one private Anvil devnet (``review4_node``); every test uses its own address book."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # script_runs.py

from script_runs import free_port  # noqa: E402
from web3 import Web3  # noqa: E402

from hashtrust.chain import devnet  # noqa: E402


@pytest.fixture(scope="session")
def review4_node(tmp_path_factory):
    """(url, web3) of a private Anvil devnet (automine), for the fourth review's e2e tests."""
    port, home = free_port(), tmp_path_factory.mktemp("review4-devnet")
    devnet.start(port, home=home)
    try:
        yield devnet.url(port), Web3(Web3.HTTPProvider(devnet.url(port)))
    finally:
        devnet.stop(home=home)


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "security" / "review2"))  # review2_helpers.py
