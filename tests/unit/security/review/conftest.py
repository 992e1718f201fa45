"""The outside review's tests (see README.md here): each asserts the behaviour the project
claims, and fails on the code as reviewed. They share the hostile-input helpers one folder up."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # hostile.py, servers.py
