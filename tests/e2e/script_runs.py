"""What the e2e tests that run ape scripts as subprocesses share: a free port, an agent file long
enough to kill a run in the middle, and ``ape run <script>`` against a node with its own
address book (in its own session, so the test can kill it and its children as a group)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
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


def ape_run(script: str, url: str, book_dir: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """``ape run <script> --network <url> <args>``, its address book in ``book_dir``; stdout and
    stderr together in ``proc.stdout`` (text)."""
    env = dict(os.environ, **(env or {}), HASHTRUST_DEPLOYMENTS=str(book_dir), PYTHONPATH=str(ROOT / "src"))
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


@contextlib.contextmanager
def held_run(script: str, upstream: str, book_dir: Path, *args: str, nth: int, method: str = "eth_sendRawTransaction", env: dict | None = None):
    """Run ``ape run <script>`` through a `FlakyRpcProxy` in front of ``upstream`` and park it at
    its ``nth`` ``method`` call (counted per JSON-RPC call, batches included): yields
    ``(proc, proxy, hold)`` once the script is known to be waiting right there, so the test acts
    (kills it, stops the node) at an exact point of the run instead of racing it. A script that
    ends before reaching that point fails the test with its output. On exit the script's
    process group is killed if still running, and the proxy is stopped."""
    from hashtrust.chain.faults import FlakyRpcProxy

    with FlakyRpcProxy(upstream) as proxy:
        hold = proxy.hold(method, nth)
        proc = ape_run(script, proxy.url, book_dir, *args, env=env)
        try:
            deadline = time.monotonic() + 300
            while not hold.reached.wait(0.05):
                if proc.poll() is not None:
                    raise AssertionError(f"{script} ended before its {method} call #{nth} (rc={proc.returncode}):\n{proc.communicate()[0]}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"{script} did not reach its {method} call #{nth} within 300 s")
            yield proc, proxy, hold
        finally:
            if proc.poll() is None:
                kill(proc)
            hold.release()


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the script's whole process group and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
