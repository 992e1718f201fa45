"""Issue 22, new-user review (s5/user22): `agents rate --file` with a row for an agent that is not
registered said `Error: isAuthorizedOrOwner reverted: erc721: invalid token ID` -- a contract's
internals, not the row at fault. It now names the row and the agent, and nothing is sent (no
client funded, no feedback)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cli_world.py, script_runs.py

import pytest  # noqa: E402
from cli_world import build_world, stop_world  # noqa: E402
from script_runs import free_port  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    wd = build_world(tmp_path_factory.mktemp("user22-rate"), free_port())
    yield wd
    stop_world(wd)


def test_a_row_for_an_unregistered_agent_names_the_row(world, tmp_path):
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps({"rows": [
        {"id": "ok-1", "client": 30, "agent": 1, "value": "70"},
        {"id": "ghost-1", "client": 31, "agent": 999, "value": "50"},
    ]}))
    before = world.state()
    r = world.cli("agents", "rate", "--file", str(rows), "--no-progress")
    assert r.code == 1, r.out
    assert r.errors == ["Error: row ghost-1: agent 999 is not registered"], r.out
    assert len(r.out.strip().splitlines()) == 1, r.out
    assert world.state() == before  # nothing sent: no client funded, no feedback
