"""The local devnet: one long-running Anvil per project checkout.

``python -m hashtrust.chain.devnet start|stop|status`` (used by ``make demo`` / ``make stop``).
Anvil comes from the project's own ``node_modules`` (npm package ``@foundry-rs/anvil``). It
listens on a fixed local port (``HASHTRUST_DEVNET_PORT``, default 8545) and keeps its state in
``.devnet/state.json`` (dumped every few seconds and on a clean stop), so a later run finds
the same chain and the same contracts.

It keeps the last ``HISTORY_BLOCKS`` states for calls at past blocks and nothing older: by
default Anvil writes a full state snapshot for *every* block to a temporary folder
(``~/.foundry/anvil/tmp``), which for a devnet that lives for days and runs the demo again and
again grows without bound (tens of GB were measured on this project's machine). The dumped
state holds the current state only, so the file stays small.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Collection
from pathlib import Path
from typing import Any

from hashtrust.chain.artifacts import PROJECT_ROOT
from hashtrust.errors import HashtrustError

DEVNET_DIR = PROJECT_ROOT / ".devnet"
PID_FILE = DEVNET_DIR / "anvil.pid"
LOG_FILE = DEVNET_DIR / "anvil.log"
STATE_FILE = DEVNET_DIR / "state.json"
DEFAULT_PORT = int(os.environ.get("HASHTRUST_DEVNET_PORT", "8545"))
CHAIN_ID = 31337
STATE_INTERVAL_S = 2
HISTORY_BLOCKS = 64  # states kept (in memory) for calls at recent past blocks; none on disk


# ---------------------------------------------------------------------------- the devnet guard
DEVNET_CHAIN_IDS = (31337, 1337)
# `web3_clientVersion` prefixes (lower case) of local development nodes: Anvil, Hardhat's
# network and the in-process test chain (eth-tester, what `ape test --network ethereum:local:test` uses).
DEVNET_CLIENTS = ("anvil/", "hardhatnetwork/", "ethereumtester/")
_LOOPBACK_HOSTS = ("localhost", "localhost.")


class DevnetOnlyError(HashtrustError):
    """A devnet-only action was asked of a chain that is not a local devnet."""


def endpoint(w3: Any) -> str | None:
    """The RPC endpoint ``w3`` talks to: an http(s)/ws URL, ``ipc:<path>``, ``in-process`` for a
    provider with no transport (eth-tester), or None when it cannot be told."""
    provider = getattr(w3, "provider", None)
    for _ in range(4):  # AutoProvider wraps the provider it picked
        if provider is None:
            return None
        if any(c.__name__ == "EthereumTesterProvider" for c in type(provider).__mro__):
            return "in-process"  # eth-tester (ape's test chain subclasses it): no transport at all
        uri = getattr(provider, "endpoint_uri", None)
        if uri:
            return str(uri)
        ipc = getattr(provider, "ipc_path", None)
        if ipc:
            return f"ipc:{ipc}"
        provider = getattr(provider, "_active_provider", None)
    return None


def _loopback_endpoint(uri: str) -> bool:
    if uri == "in-process" or uri.startswith("ipc:"):
        return True  # no network between us and the node: it runs on this machine
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(uri).hostname or "").lower()
    if host in _LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def not_a_devnet(w3: Any) -> str | None:
    """None when ``w3`` is a local devnet; otherwise why not (one phrase).

    A local devnet is recognised by all three of: chain id 31337 or 1337; a development
    client answering ``web3_clientVersion`` (Anvil, Hardhat, the in-process eth-tester); and an
    RPC endpoint on this machine (a loopback URL, an IPC socket or an in-process provider).
    The chain id alone is not enough (any public chain may use 31337), nor the client version
    (a remote node can claim anything): a remote endpoint is never a local devnet.
    """
    uri = endpoint(w3)
    cached = getattr(w3, "_hashtrust_devnet_verdict", None)
    if cached is not None and cached[0] == uri:
        return cached[1]
    verdict: str | None = None
    try:
        cid = int(w3.eth.chain_id)
    except Exception as exc:  # noqa: BLE001 - a node that does not answer is no devnet we can vouch for
        return f"the node at {_redact(uri)} does not answer eth_chainId ({type(exc).__name__})"
    if cid not in DEVNET_CHAIN_IDS:
        verdict = f"chain {cid} is not a local devnet chain id ({' or '.join(map(str, DEVNET_CHAIN_IDS))})"
    elif uri is None or not _loopback_endpoint(uri):
        verdict = f"chain {cid} is reached at {_redact(uri)}, not a loopback RPC URL"
    else:
        try:
            version = str(w3.client_version)
        except Exception:  # noqa: BLE001
            version = ""
        if not version.lower().startswith(DEVNET_CLIENTS):
            verdict = f"chain {cid} at {_redact(uri)} runs {version[:60] or 'an unknown client'!r}, not a development node (Anvil, Hardhat, eth-tester)"
    try:
        w3._hashtrust_devnet_verdict = (uri, verdict)  # one look per connection
    except AttributeError:  # pragma: no cover - a connection object without attributes
        pass
    return verdict


def _redact(uri: str | None) -> str:
    """scheme://host[:port] of an endpoint (a URL's path and query may hold an API key)."""
    if not uri:
        return "an unknown endpoint"
    if uri == "in-process" or uri.startswith("ipc:"):
        return uri
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


def require_devnet(w3: Any, action: str, *, hint: str = "") -> None:
    """Raise `DevnetOnlyError` (one line) unless ``w3`` is a local devnet (`not_a_devnet`).

    Every devnet-only action calls this first: signing with Anvil's public keys (the CLI's
    ``--account-index``, ape's test accounts, the rating clients derived from the public
    mnemonic), funding those accounts, the demo, refreshing the devnet price feed, deploying
    test tokens and devnet vault terms.
    """
    why = not_a_devnet(w3)
    if why is not None:
        raise DevnetOnlyError(f"{action} is devnet-only and was refused: {why}" + (f"; {hint}" if hint else ""))


def url(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}"


def anvil_binary() -> str:
    """Path of the Anvil binary installed by npm into this project (falls back to PATH)."""
    for cand in sorted((PROJECT_ROOT / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil")):
        if os.access(cand, os.X_OK):
            return str(cand)
    found = shutil.which("anvil")
    if found:
        return found
    raise HashtrustError("anvil not found: run `make setup` (npm installs @foundry-rs/anvil into node_modules)")


def rpc(endpoint: str, method: str, params: list | None = None, timeout: float = 2.0):
    """One JSON-RPC call; returns the result or raises OSError/HashtrustError."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback only
        reply = json.loads(resp.read())
    if "error" in reply:
        raise HashtrustError(f"{method}: {reply['error']}")
    return reply["result"]


def chain_id(port: int = DEFAULT_PORT) -> int | None:
    """The chain id answering on ``port``, or None when nothing answers."""
    try:
        return int(rpc(url(port), "eth_chainId"), 16)
    except (OSError, ValueError, HashtrustError):
        return None


def _pid(home: Path = DEVNET_DIR) -> int | None:
    try:
        pid = int((home / "anvil.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def start(port: int = DEFAULT_PORT, *, home: Path = DEVNET_DIR, wait_s: float = 30.0) -> str:
    """Make sure a devnet answers on ``port``; start Anvil in the background when none does.

    ``home`` holds the pid file, the log and the state file.
    """
    pid_file, log_file, state_file = home / "anvil.pid", home / "anvil.log", home / "state.json"
    cid = chain_id(port)
    if cid is not None:
        if cid != CHAIN_ID:
            raise HashtrustError(f"port {port} answers with chain id {cid}, not an Anvil devnet ({CHAIN_ID}); set HASHTRUST_DEVNET_PORT")
        return f"devnet already running at {url(port)} (chain {cid})"
    home.mkdir(parents=True, exist_ok=True)
    cmd = [
        anvil_binary(),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--state", str(state_file),
        "--state-interval", str(STATE_INTERVAL_S),
        "--chain-id", str(CHAIN_ID),
        "--prune-history", str(HISTORY_BLOCKS),
    ]
    restored = state_file.exists() and state_file.stat().st_size > 0
    log = open(log_file, "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_file.read_text(errors="replace")[-2000:]
            raise HashtrustError(f"anvil exited at start (code {proc.returncode}); log {log_file}:\n{tail}")
        if chain_id(port) == CHAIN_ID:
            how = f"state restored from {state_file}" if restored else f"new chain, state kept in {state_file}"
            return f"devnet started at {url(port)} (pid {proc.pid}; {how})"
        time.sleep(0.1)
    proc.terminate()
    raise HashtrustError(f"anvil did not answer on {url(port)} within {wait_s:.0f}s; see {log_file}")


def _stop_mining(pid: int) -> None:
    """Turn automine off before Anvil writes its state on the way out.

    Anvil dumps its state while it keeps mining: a script still sending during the stop can
    leave the file with a sender's new nonce but without its transactions' effects (measured:
    an account restored with nonce 658 whose 657 mints had left 386 in the token). With mining
    off, late transactions stay in the pool and are dropped with it, so the restored chain is
    one consistent block and a rerun sends what is missing.
    """
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        port = int(args[args.index(b"--port") + 1])
        rpc(url(port), "evm_setAutomine", [False], timeout=5.0)
    except (OSError, ValueError, IndexError, HashtrustError):
        pass  # not our Anvil's command line, or it no longer answers: nothing to freeze


def stop(*, home: Path = DEVNET_DIR, wait_s: float = 15.0) -> str:
    """Stop the devnet this checkout started (Anvil dumps its state on the way out)."""
    pid_file = home / "anvil.pid"
    pid = _pid(home)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return "no devnet started by this project is running"
    _stop_mining(pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return f"devnet stopped (pid {pid}); state kept in {home / 'state.json'}"


SNAPSHOT_ROOT = Path.home() / ".foundry" / "anvil" / "tmp"
_SNAPSHOT_MINUTE = "%d-%m-%Y-%H-%M"  # anvil-state-<day-month-year-hour-minute><random>


def _live_anvil_minutes(exclude_pids: Collection[int] = ()) -> set[str] | None:
    """The start minutes (±1) of every running Anvil process, as in its snapshot folder's name;
    None when the process table cannot be read (not Linux)."""
    try:
        btime = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
    except (OSError, StopIteration):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    minutes: set[str] = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) in exclude_pids:
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if name != "anvil" or fields[0] == "Z":
            continue
        started = btime + int(fields[19]) / tick  # field 22 of /proc/<pid>/stat: start time in ticks
        minutes |= {time.strftime(_SNAPSHOT_MINUTE, time.localtime(started + d_s)) for d_s in (-60, 0, 60)}
    return minutes


def remove_orphan_snapshots(*, exclude_pids: Collection[int] = ()) -> tuple[int, int]:
    """Delete the per-block state snapshots (``~/.foundry/anvil/tmp/anvil-state-*``) that Anvils
    without ``--prune-history`` (ape-foundry's, for one) leave behind when they stop: a few
    hundred MB per test session. Folders of a running Anvil are kept (matched by start minute;
    ``exclude_pids`` counts as stopped). Returns (folders, bytes) removed."""
    live = _live_anvil_minutes(exclude_pids)
    if live is None or not SNAPSHOT_ROOT.is_dir():
        return 0, 0
    folders = freed = 0
    for d in SNAPSHOT_ROOT.glob("anvil-state-*"):
        stamp = d.name[len("anvil-state-") :][:16]
        if not d.is_dir() or stamp in live:
            continue
        size = sum(f.stat().st_size for f in d.iterdir() if f.is_file())
        shutil.rmtree(d, ignore_errors=True)
        if not d.exists():
            folders, freed = folders + 1, freed + size
    return folders, freed


def status(port: int = DEFAULT_PORT) -> str:
    cid = chain_id(port)
    if cid is None:
        return f"no devnet answers at {url(port)}"
    block = int(rpc(url(port), "eth_blockNumber"), 16)
    return f"devnet at {url(port)}: chain {cid}, block {block}, pid {_pid() or 'not ours'}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cmd = argv[0] if argv else "status"
    try:
        if cmd == "start":
            print(start())
        elif cmd == "stop":
            print(stop())
        elif cmd == "status":
            print(status())
        elif cmd == "url":
            print(url())
        elif cmd == "clean":
            n, size = remove_orphan_snapshots()
            print(f"removed {n} snapshot folder(s) of stopped Anvils ({size / 1e6:,.0f} MB) from {SNAPSHOT_ROOT}")
        else:
            print("usage: python -m hashtrust.chain.devnet start|stop|status|url|clean", file=sys.stderr)
            return 2
    except HashtrustError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
