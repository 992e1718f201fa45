"""The vault's attacker-review regressions (issue 14) import the titanoboa set-up one folder up."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
