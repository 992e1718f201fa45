"""The outside review's e2e tests (see tests/unit/security/review/README.md): each asserts the
behaviour the project claims, on a real Anvil, and fails on the code as reviewed.

They share one private Anvil devnet (``review_node``); every test uses its own keys, address
book and contracts on it, so they do not depend on one another."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # script_runs.py, public_chain.py

from script_runs import free_port  # noqa: E402
from web3 import Web3  # noqa: E402

from hashtrust.chain import devnet  # noqa: E402


@pytest.fixture(scope="session")
def review_node(tmp_path_factory):
    """(url, web3) of a private Anvil devnet (automine), for the review's e2e tests."""
    port, home = free_port(), tmp_path_factory.mktemp("review-devnet")
    devnet.start(port, home=home)
    try:
        yield devnet.url(port), Web3(Web3.HTTPProvider(devnet.url(port)))
    finally:
        devnet.stop(home=home)
