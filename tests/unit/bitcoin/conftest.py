"""The Bitcoin tests run on titanoboa; with ape's plugin loaded (``ape test``) the session
actors are created as everywhere else, without it (``python -m pytest -p no:ape_test``) they
are not needed."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session", autouse=True)
def _session_actors(request):
    if request.config.pluginmanager.has_plugin("ape_test"):
        for name in ("deployer", "alice", "bob", "carol", "mallory"):
            request.getfixturevalue(name)
