"""The second review's e2e tests (one file per finding): each reproduces one finding on a real
Anvil and fails on the code as reviewed."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # payments_world.py, script_runs.py
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "security" / "review2"))  # review2_helpers.py
