"""The long-running devnet stays small on disk, however long it lives.

Story: a developer leaves `make demo`'s devnet up for days and reruns the demo again and again.
Anvil's default keeps a full state snapshot of every block in ``~/.foundry/anvil/tmp``; on this
project's machine that grew to tens of GB and filled the disk. The devnet keeps the last
``HISTORY_BLOCKS`` states in memory and none on disk: after hundreds of blocks no snapshot
folder appears, recent blocks still answer calls, older ones are refused with a clear error,
and the state file holds the current state only.
"""

import time
from pathlib import Path

import pytest
from script_runs import free_port

from hashtrust.chain import devnet
from hashtrust.errors import HashtrustError

SNAPSHOTS = Path.home() / ".foundry" / "anvil" / "tmp"
DEV0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # Anvil's first dev account


def _rpc(port: int, method: str, params: list):
    return devnet.rpc(devnet.url(port), method, params, timeout=30)


def _snapshot_dirs() -> set[str]:
    return {p.name for p in SNAPSHOTS.iterdir()} if SNAPSHOTS.exists() else set()


def test_devnet_writes_no_history_to_disk_and_refuses_old_blocks_clearly(tmp_path):
    port, home = free_port(), tmp_path / "devnet"
    before = _snapshot_dirs()
    try:
        assert "devnet started" in devnet.start(port, home=home)
        blocks = 5 * devnet.HISTORY_BLOCKS
        for _ in range(-(-blocks // 50)):  # value transfers and empty blocks: every block changes state
            _rpc(port, "eth_sendTransaction", [{"from": DEV0, "to": "0x" + "11" * 20, "value": "0x1"}])
            _rpc(port, "anvil_mine", [hex(49)])
        head = int(_rpc(port, "eth_blockNumber", []), 16)
        assert head >= blocks
        new = _snapshot_dirs() - before
        assert not any(any((SNAPSHOTS / d).iterdir()) for d in new), f"per-block snapshots on disk: {new}"
        assert int(_rpc(port, "eth_getBalance", [DEV0, hex(head - devnet.HISTORY_BLOCKS // 2)]), 16) > 0
        with pytest.raises(HashtrustError, match="BlockOutOfRange"):
            _rpc(port, "eth_getBalance", [DEV0, hex(1)])
        assert "stopped" in devnet.stop(home=home)
        assert (home / "state.json").stat().st_size < 5_000_000
    finally:
        devnet.stop(home=home)




def test_snapshot_folders_of_stopped_anvils_are_removed_and_running_ones_kept(tmp_path, monkeypatch):
    """`python -m hashtrust.chain.devnet clean` (and the end of every e2e session) removes what Anvils
    without --prune-history leave behind, never the folder of an Anvil that still runs."""
    port, home = free_port(), tmp_path / "devnet"
    root = tmp_path / "anvil-tmp"
    monkeypatch.setattr(devnet, "SNAPSHOT_ROOT", root)
    try:
        devnet.start(port, home=home)  # a running Anvil, started this minute
        running = root / f"anvil-state-{time.strftime('%d-%m-%Y-%H-%M')}Ab12Cd"
        orphan = root / "anvil-state-01-01-2020-00-00Zz99Yy"
        for d in (running, orphan):
            d.mkdir(parents=True)
            (d / "0xabc.json").write_bytes(b"{}" * 500)
        assert devnet.remove_orphan_snapshots() == (1, 1_000)
        assert running.exists() and not orphan.exists()
        pid = int((home / "anvil.pid").read_text())
        # counted as stopped (the e2e session does this for ape's own Anvil once its tests ran)
        devnet.remove_orphan_snapshots(exclude_pids=[pid])
        assert running.exists() == _other_anvil_this_minute(pid)
    finally:
        devnet.stop(home=home)


def _other_anvil_this_minute(pid: int) -> bool:
    """Another Anvil (a parallel test session) started within a minute keeps the folder too."""
    return bool(devnet._live_anvil_minutes(exclude_pids=[pid]) & {time.strftime("%d-%m-%Y-%H-%M")})
