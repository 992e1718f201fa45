"""What the e2e tests that run ape scripts as subprocesses share: a free port, an agent file long
enough to kill a run in the middle, and ``ape run <script>`` against a node with its own
address book (in its own session, so the test can kill it and its children as a group)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "agents.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def many_agents(path: Path, copies: int) -> int:
    """Write the example agents ``copies`` times over (distinct keys) to ``path``; their number."""
    base = json.loads(EXAMPLES.read_text())["agents"]
    agents = []
    for c in range(copies):
        for a in base:
            a = json.loads(json.dumps(a))
            a["key"] = f"{a['key']}-{c}"
            agents.append(a)
    path.write_text(json.dumps({"agents": agents}))
    return len(agents)


def ape_run(script: str, url: str, book_dir: Path, *args: str) -> subprocess.Popen:
    """``ape run <script> --network <url> <args>``, its address book in ``book_dir``; stdout and
    stderr together in ``proc.stdout`` (text)."""
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(book_dir), PYTHONPATH=str(ROOT / "src"))
    env.pop("APE_FOUNDRY_HOST", None)
    return subprocess.Popen(
        ["ape", "run", script, "--network", url, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
