"""The sixth review's e2e tests: attacks on `TxSender`'s hand-back of what Anvil strands
(commit 620023d, `TxSender._unstrand`). Each test runs on its own private Anvil (automine), the
way tests/e2e/test_tx_faults.py does; a test that reproduces a defect is marked
``xfail(strict=True)`` and names the defect."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # private_node.py, script_runs.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # review6_strand.py

from private_node import node, proxy  # noqa: E402,F401 - the review's tests use the shared private Anvil
