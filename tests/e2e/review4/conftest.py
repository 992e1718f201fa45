"""The fourth review's e2e tests (see tests/unit/security/review4/README.md): each runs a real
command on a real Anvil, and failed on main before its fix.

They share one private Anvil devnet (``review4_node``); every test uses its own address book."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # private_node.py, script_runs.py

from private_node import private_anvil  # noqa: E402


@pytest.fixture(scope="session")
def review4_node(tmp_path_factory):
    """(url, web3) of a private Anvil devnet (automine), for the fourth review's e2e tests."""
    with private_anvil(tmp_path_factory.mktemp("review4-devnet")) as n:
        yield n


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "security" / "review2"))  # review2_helpers.py
