"""The second review's unit tests (one file per finding): each reproduces one finding and fails on
the code as reviewed. They share the helpers here and one folder up (hostile.py, servers.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # review2_helpers.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # hostile.py, servers.py
