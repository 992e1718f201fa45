"""The local devnet: one long-running Anvil per project checkout.

``python -m hashtrust.chain.devnet start|stop|status|reset`` (used by ``make demo`` / ``make
stop``) and ``hashtrust devnet ...``. Anvil comes from the project's own ``node_modules`` (npm
package ``@foundry-rs/anvil``). It listens on a local port (``HASHTRUST_DEVNET_PORT``, default
8545; ``hashtrust --rpc http://127.0.0.1:PORT devnet ...`` picks another) and keeps its state in
``.devnet/state.json`` (dumped every few seconds and on a clean stop), so a later run finds
the same chain and the same contracts.

* **One Anvil per state file.** `start` finds every running Anvil whose ``--state`` is this
  folder's state file (by command line, not only by the pid file) and refuses to start a second
  one on another port; a lock on the folder keeps two concurrent starts from racing.
* **The clock never goes backwards.** Anvil restores the blocks of its state file but not its
  clock offset: a chain whose clock a demo moved days ahead would mine its next block at the
  wall clock's time, before its latest block. `stop` records how far ahead the chain's clock
  runs (``.devnet/clock.json``: the latest block's lead or the lead the last `start` gave it,
  whichever is larger, so an idle devnet keeps running with the wall clock); `start` sets the
  next block's time to at least one second after the latest block and as far ahead of the wall
  clock as it was.

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
import urllib.parse
import urllib.request
from collections.abc import Collection
from pathlib import Path
from typing import Any

from hashtrust.chain import jsonsafe
from hashtrust.chain.artifacts import PROJECT_ROOT
from hashtrust.chain.files import write_json
from hashtrust.errors import HashtrustError

DEVNET_DIR = PROJECT_ROOT / ".devnet"
HOME_ENV = "HASHTRUST_DEVNET_DIR"  # another folder for the devnet's state, pid, log and clock files
CLOCK_FILE = "clock.json"  # in the devnet's folder: how far the chain's clock runs ahead of the wall clock
PORT_ENV = "HASHTRUST_DEVNET_PORT"
CHAIN_ID = 31337
STATE_INTERVAL_S = 2
HISTORY_BLOCKS = 64  # states kept (in memory) for calls at recent past blocks; none on disk
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def parse_port(raw: object, field: str) -> int:
    """A TCP port 1..65535 from ``raw`` (an env value, an option); `HashtrustError` naming ``field``."""
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65_535:
        raise HashtrustError(f"{field}: must be a port number 1..65535, got {raw!r}")
    return int(text)


def default_port() -> int:
    """The devnet's port: ``$HASHTRUST_DEVNET_PORT`` (``make ... DEVNET_PORT=N`` sets it), else 8545."""
    return parse_port(os.environ.get(PORT_ENV, "8545"), PORT_ENV)


def default_home() -> Path:
    """The devnet's folder: ``$HASHTRUST_DEVNET_DIR``, else ``.devnet/`` of the project."""
    return Path(os.environ.get(HOME_ENV) or DEVNET_DIR)


def url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{default_port() if port is None else port}"


def port_of(endpoint: str) -> int:
    """The port of a loopback JSON-RPC URL (the devnet is always on this machine)."""
    parsed = urllib.parse.urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or (parsed.hostname or "") not in {h.strip("[]") for h in LOOPBACK_HOSTS}:
        raise HashtrustError(
            f"--rpc {endpoint} is not a local address: the devnet commands manage an Anvil on this machine "
            "(pass --rpc http://127.0.0.1:PORT, or unset HASHTRUST_RPC)"
        )
    try:
        port = parsed.port
    except ValueError:
        port = None
    if port is None:
        raise HashtrustError(f"--rpc {endpoint} names no port (e.g. http://127.0.0.1:8545)")
    return port


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
    from hashtrust.chain.failures import shown_url

    return shown_url(uri)


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
        reply = jsonsafe.loads(resp.read())
    if "error" in reply:
        raise HashtrustError(f"{method}: {reply['error']}")
    return reply["result"]


def chain_id(port: int | None = None) -> int | None:
    """The chain id answering on ``port``, or None when nothing answers."""
    try:
        return int(rpc(url(port), "eth_chainId"), 16)
    except (OSError, ValueError, HashtrustError):
        return None


# ---------------------------------------------------------------------------- our Anvil processes
def _cmdline(pid: int) -> list[str] | None:
    try:
        return [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return None


def _arg(args: list[str], flag: str) -> str | None:
    try:
        return args[args.index(flag) + 1]
    except (ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie (exited, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _pid(home: Path | None = None) -> int | None:
    home = default_home() if home is None else home
    try:
        pid = int((home / "anvil.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def running(home: Path | None = None) -> list[tuple[int, int | None]]:
    """(pid, port) of every live Anvil that keeps its state in ``home``'s state file, wherever it
    was started from (found by its command line; on systems without /proc, the pid file's)."""
    home = default_home() if home is None else home
    state = str((home / "state.json").resolve())
    out: dict[int, int | None] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for d in proc.iterdir():
            if not d.name.isdigit():
                continue
            args = _cmdline(int(d.name))
            if not args or Path(args[0]).name != "anvil" or not _alive(int(d.name)):
                continue
            st = _arg(args, "--state")
            if st is not None and str(Path(st).resolve()) == state:
                port = _arg(args, "--port")
                out[int(d.name)] = int(port) if port and port.isdigit() else None
    pid = _pid(home)
    if pid is not None and pid not in out:
        args = _cmdline(pid) or []
        port = _arg(args, "--port")
        out[pid] = int(port) if port and port.isdigit() else None
    return sorted(out.items())


class _Lock:
    """An exclusive lock on the devnet's folder while it is started or stopped (two `start` at
    once would otherwise both find no Anvil and start two on one state file)."""

    def __init__(self, home: Path):
        self.path = home / "lock"

    def __enter__(self) -> _Lock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "a")  # noqa: SIM115 - held until __exit__
        fcntl.flock(self._f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        fcntl.flock(self._f, fcntl.LOCK_UN)
        self._f.close()


# ---------------------------------------------------------------------------- the clock
def _latest_time(endpoint: str) -> int:
    return int(rpc(endpoint, "eth_getBlockByNumber", ["latest", False], timeout=5.0)["timestamp"], 16)


def _save_clock(home: Path, port: int | None) -> None:
    """Write how far the chain's clock runs ahead of the wall clock (Anvil forgets it on exit:
    its restored chain would mine its next block at wall-clock time, before the blocks a demo
    mined days ahead)."""
    if port is None:
        return
    try:
        latest = _latest_time(url(port))
        pending = int(rpc(url(port), "eth_getBlockByNumber", ["pending", False], timeout=5.0)["timestamp"], 16)
    except (OSError, ValueError, KeyError, TypeError, HashtrustError):
        return  # it no longer answers: the clock file of the last stop (if any) stays
    write_json(home / CLOCK_FILE, {"latest_block_time": latest, "offset_s": clock_offset(latest, pending, int(time.time()), _saved_offset(home))})


def _saved_offset(home: Path) -> int | None:
    try:
        return int(json.loads((home / CLOCK_FILE).read_text())["offset_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clock_offset(latest: int, pending: int, now: int, started_offset: int | None) -> int:
    """How far ahead of the wall clock ``now`` the chain's clock runs at a stop: the latest
    block's time, the pending block's, and -- since the last start -- the offset the start gave
    the clock (``started_offset``; the clock keeps running with the wall clock while no block is
    mined, so an idle devnet loses none of its lead: new-user review user15, V7)."""
    return max([latest - now, pending - now] + ([started_offset] if started_offset is not None else []))


def _restore_clock(endpoint: str, home: Path) -> str:
    """Make the restored chain's clock continue where it was: never before its latest block, and
    as far ahead of the wall clock as it was when it stopped. Returns what was done (or "").

    Always set: a restored Anvil started with ``--timestamp`` (`_pin_genesis`) counts from its
    genesis time, not from the wall clock, so its next block would otherwise be dated back there."""
    latest = _latest_time(endpoint)
    offset = _saved_offset(home) or 0
    now = int(time.time())
    target = max(latest + 1, now + offset, now)
    rpc(endpoint, "evm_setNextBlockTimestamp", [target], timeout=5.0)
    # the lead this start gave the clock: a stop before the next block keeps it (`clock_offset`)
    write_json(home / CLOCK_FILE, {"latest_block_time": latest, "offset_s": target - now})
    if target <= now + 1:
        return ""  # the wall clock is already past the chain's latest block
    return f"clock continues at {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(target))} UTC, {target - now:,} s ahead of the wall clock"


def _pin_genesis(state_file: Path) -> int | None:
    """Keep a restored chain's block 0 (its address book is named after its hash); return its time.

    Anvil 1.7.1 makes a new genesis block at every start, dated at the start unless ``--timestamp``
    says otherwise, and adds it to the blocks it restores: after the second restart the state
    holds several blocks numbered 0 and the node answers `eth_getBlockByNumber(0)` with any of
    them (measured: 4 starts, 4 block 0s, 3 different hashes served). The chain's real genesis is
    the oldest (each later one is dated at a later start); the others are dropped from the file
    and Anvil is started with the real one's time, so the block it makes is the same block (the
    genesis of a devnet is a function of its time and options). None when the file is not
    Anvil's state (Anvil then reports it)."""
    try:
        data = json.loads(state_file.read_text())
        blocks = data["blocks"]
        zeros = [b for b in blocks if int(b["header"]["number"], 16) == 0]
        stamps = [int(b["header"]["timestamp"], 16) for b in zeros]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not zeros:
        return None
    keep = zeros[stamps.index(min(stamps))]
    if len(zeros) > 1:
        data["blocks"] = [b for b in blocks if b is keep or int(b["header"]["number"], 16) != 0]
        write_json(state_file, data, indent=None)
    return min(stamps)


# ---------------------------------------------------------------------------- start / stop
def start(port: int | None = None, *, home: Path | None = None, wait_s: float = 30.0, genesis_time: int | None = None) -> str:
    """Make sure the devnet answers on ``port``; start Anvil in the background when none does.

    ``home`` holds the pid file, the log, the state file and the clock file. One state file is
    served by at most one Anvil: when this devnet already runs on another port, this refuses
    (two Anvils dumping into one file would each overwrite the other's chain). A restored chain's
    clock continues where it was (`_restore_clock`): block times never go backwards.
    """
    port = default_port() if port is None else port
    home = default_home() if home is None else home
    pid_file, log_file, state_file = home / "anvil.pid", home / "anvil.log", home / "state.json"
    home.mkdir(parents=True, exist_ok=True)
    with _Lock(home):
        ours = running(home)
        if ours:
            pid, on = ours[0]
            if on == port and chain_id(port) is not None:
                return f"devnet already running at {url(port)} (pid {pid}, state in {state_file})"
            where = url(on) if on is not None else "another port"
            raise HashtrustError(
                f"the devnet of {home} already runs at {where} (pid {pid}) on the same state file; "
                f"use --rpc {where} or stop it first (`hashtrust devnet stop`)"
            )
        cid = chain_id(port)
        if cid is not None:
            if cid != CHAIN_ID:
                raise HashtrustError(f"port {port} answers with chain id {cid}, not an Anvil devnet ({CHAIN_ID}); choose another port ({PORT_ENV} or --rpc)")
            return f"a devnet not started from {home} already answers at {url(port)} (chain {cid}); it is used as it is, its state is not kept"
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
        if restored:
            pinned = _pin_genesis(state_file)
            if pinned is not None:
                cmd += ["--timestamp", str(pinned)]  # the restored chain's own genesis (`_pin_genesis`)
        elif genesis_time is not None:
            cmd += ["--timestamp", str(int(genesis_time))]  # a new chain's genesis (`reset`)
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
                if not restored:
                    (home / CLOCK_FILE).unlink(missing_ok=True)  # a new chain: no lead of an old one
                clock = _restore_clock(url(port), home) if restored else ""
                return f"devnet started at {url(port)} (pid {proc.pid}; {how}" + (f"; {clock}" if clock else "") + ")"
            time.sleep(0.1)
        proc.terminate()
        raise HashtrustError(f"anvil did not answer on {url(port)} within {wait_s:.0f}s; see {log_file}")


def _stop_mining(port: int | None) -> None:
    """Turn automine off before Anvil writes its state on the way out.

    Anvil dumps its state while it keeps mining: a script still sending during the stop can
    leave the file with a sender's new nonce but without its transactions' effects (measured:
    an account restored with nonce 658 whose 657 mints had left 386 in the token). With mining
    off, late transactions stay in the pool and are dropped with it, so the restored chain is
    one consistent block and a rerun sends what is missing.
    """
    if port is None:
        return
    try:
        rpc(url(port), "evm_setAutomine", [False], timeout=5.0)
    except (OSError, ValueError, HashtrustError):
        pass  # it no longer answers: nothing to freeze


def stop(*, home: Path | None = None, wait_s: float = 15.0, say_kept: bool = True) -> str:
    """Stop the devnet kept in ``home`` (Anvil dumps its state on the way out; its clock offset
    goes to the clock file). ``say_kept=False``: the words leave out where the state is kept
    (`reset` removes it next)."""
    home = default_home() if home is None else home
    pid_file = home / "anvil.pid"
    ours = running(home)
    if not ours:
        pid_file.unlink(missing_ok=True)
        return "no devnet started by this project is running"
    for pid, port in ours:
        _stop_mining(port)
        _save_clock(home, port)
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            continue
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return f"devnet stopped (pid {', '.join(str(p) for p, _ in ours)})" + (f"; state kept in {home / 'state.json'}" if say_kept else "")


def reset(port: int | None = None, *, home: Path | None = None, books: Path | None = None) -> str:
    """Throw the devnet's chain away and start a new one: stop it, delete its state and clock
    files and its address book (``deployments/local/31337-<genesis>.json``), start again."""
    from hashtrust.chain.addressbook import LOCAL_DIR, default_dir

    port = default_port() if port is None else port
    home = default_home() if home is None else home
    genesis, genesis_ts = None, 0
    for _pid_, on in running(home):
        try:
            block0 = rpc(url(on), "eth_getBlockByNumber", ["0x0", False], timeout=5.0)
            genesis, genesis_ts = block0["hash"], int(block0["timestamp"], 16)
        except (OSError, ValueError, KeyError, TypeError, HashtrustError):
            pass
    stopped = stop(home=home, say_kept=False)  # not "state kept in ..." just before it is removed (user15)
    removed = []
    for name in ("state.json", CLOCK_FILE):
        f = home / name
        if f.exists():
            f.unlink()
            removed.append(str(f))
    if genesis:
        book = (books or default_dir()) / LOCAL_DIR / f"{CHAIN_ID}-{genesis[2:14].lower()}.json"
        if book.exists():
            book.unlink()
            removed.append(str(book))
    # Anvil's genesis block is a function of its time (in seconds) and options: a chain reset in
    # the second it was started would come back with the same genesis hash -- the same chain to
    # every address book. The new genesis is dated after the old one.
    started = start(port, home=home, genesis_time=max(int(time.time()), genesis_ts + 1))
    return "\n".join([stopped, "removed " + (", ".join(removed) if removed else "nothing (no state yet)"), started])


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


def status_info(port: int | None = None, *, home: Path | None = None) -> dict:
    """What `status` says, as data: the devnet processes of ``home`` (pid, port, url, chain id,
    block; ``answers`` False for one that does not answer) and any other node answering on ``port``."""
    port = default_port() if port is None else port
    home = default_home() if home is None else home
    ours = running(home)
    procs = []
    for pid, on in ours:
        cid = chain_id(on) if on is not None else None
        block = int(rpc(url(on), "eth_blockNumber"), 16) if cid is not None else None
        procs.append({"pid": pid, "port": on, "url": url(on) if on is not None else None, "answers": cid is not None, "chain_id": cid, "block": block})
    other = None
    if all(on != port for _, on in ours):
        cid = chain_id(port)
        if cid is not None:
            other = {"url": url(port), "chain_id": cid, "block": int(rpc(url(port), "eth_blockNumber"), 16)}
    return {"home": str(home), "state": str(home / "state.json"), "port": port, "url": url(port), "devnets": procs, "other_node": other}


def status(port: int | None = None, *, home: Path | None = None) -> str:
    info = status_info(port, home=home)
    lines = []
    for p in info["devnets"]:
        if p["answers"]:
            lines.append(f"devnet at {p['url']}: chain {p['chain_id']}, block {p['block']}, pid {p['pid']}, state in {info['state']}")
        else:
            lines.append(f"devnet process {p['pid']} (port {p['port']}) does not answer")
    if info["other_node"] is not None:
        o = info["other_node"]
        lines.append(f"a node not started from {info['home']} answers at {o['url']}: chain {o['chain_id']}, block {o['block']}")
    elif not info["devnets"]:
        lines.append(f"no devnet answers at {info['url']}")
    return "\n".join(lines)


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
        elif cmd == "reset":
            print(reset())
        elif cmd == "url":
            print(url())
        elif cmd == "clean":
            n, size = remove_orphan_snapshots()
            print(f"removed {n} snapshot folder(s) of stopped Anvils ({size / 1e6:,.0f} MB) from {SNAPSHOT_ROOT}")
        else:
            print("usage: python -m hashtrust.chain.devnet start|stop|status|reset|url|clean", file=sys.stderr)
            return 2
    except HashtrustError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
