"""The audit PoCs run on titanoboa alone (`python -m pytest tests/unit/audit -p no:ape_test`)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session", autouse=True)
def _session_actors():
    """Overrides the root conftest's ape actors: these tests need no ape accounts."""
