"""The fourth review's unit tests (one file per finding): each reproduces one finding and failed
on main before its fix. They reuse the second review's helpers (a loopback server answering each
request with a chosen function, and a way to run the real command in a fresh process)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review2"))  # review2_helpers.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # hostile.py, servers.py
