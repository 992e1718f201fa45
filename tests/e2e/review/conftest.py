"""The outside review's e2e tests (see tests/unit/security/review/README.md): each asserts the
behaviour the project claims, on a real Anvil, and fails on the code as reviewed.

They share one private Anvil devnet (``review_node``); every test uses its own keys, address
book and contracts on it, so they do not depend on one another."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # private_node.py, script_runs.py, public_chain.py

from private_node import private_anvil  # noqa: E402


@pytest.fixture(scope="session")
def review_node(tmp_path_factory):
    """(url, web3) of a private Anvil devnet (automine), for the review's e2e tests."""
    with private_anvil(tmp_path_factory.mktemp("review-devnet")) as n:
        yield n
