"""Writing files so that a crash leaves either the old file or the new one, never half of one
(`write_json`), one run at a time on a file (`locked`), and turns between runs that share a
resource (`turn`)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hashtrust.errors import HashtrustError


INPUT_FILE_CAP = 64 << 20  # bytes of a user's input file (agents, registration, rows, keys): the 10,000-row load file is ~2 MB


def read_utf8(path: str | Path, limit: int = INPUT_FILE_CAP) -> str:
    """The text of the file at ``path``, decoded as UTF-8 (a leading BOM is dropped), read through a
    cap of ``limit`` bytes (``/dev/zero`` or a FIFO fed for ever was read until memory ran out); a
    file that cannot be read, is larger or is not UTF-8 raises `InputError` naming the file (and
    the first bad byte: a registration file saved as Latin-1 raised UnicodeDecodeError, reported
    as an unexpected failure)."""
    from hashtrust.errors import InputError

    p = Path(path)
    try:
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(str(p), f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise InputError(str(p), f"is larger than {limit:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(p), f"is not UTF-8 text (byte {exc.start:,} is 0x{raw[exc.start]:02x}): save it as UTF-8") from None


def write_json(path: Path, payload: Any, *, indent: int | None = 2, default: Any = None, exclusive: bool = False) -> None:
    """Write ``payload`` as JSON to ``path`` atomically (temp file in the same folder, fsync,
    rename), creating the folder if needed. With ``exclusive`` an existing ``path`` is never
    replaced: the temp file is hard-linked into place, which fails with `FileExistsError`
    (leaving both files as they were) when ``path`` exists, even if it appeared a moment ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(payload, f, indent=indent, default=default)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            os.link(tmp, path)  # atomic, and refuses an existing path (os.replace would clobber it)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class LockedError(HashtrustError):
    """Another run holds the lock of a file (`locked`)."""


# Locks this process holds: (path, thread) -> [open lock file, depth]. `locked` is reentrant
# within a thread (a deploy that holds the book's lock records entries through
# `AddressBook.save`, which takes it again) and exclusive between threads and processes (each
# holder has its own open file, and flock locks belong to the open file).
_held: dict[str, list] = {}
_held_guard = threading.Lock()


def lock_path(path: Path) -> Path:
    """The lock file beside ``path`` (``<name>.lock``)."""
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def locked(path: Path, *, what: str = "") -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (an ``flock`` on ``<path>.lock`` beside it) for the
    block; when another process holds it, raise `LockedError` at once naming that run's pid
    (second review, finding 5: two runs on one address book deployed twice and lost entries).
    The kernel releases an ``flock`` when its holder dies, so a crashed run leaves no stale lock;
    the ``.lock`` file itself stays (removing it would race a run that just opened it)."""
    path = Path(path)
    key = f"{path.resolve()}|{threading.get_ident()}"
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            mine = True
        else:
            mine = False
    if mine:
        try:
            yield
        finally:
            with _held_guard:
                _held[key][1] -= 1
                if _held[key][1] == 0:
                    _release(_held.pop(key)[0])
        return
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
        except OSError:
            holder = "unknown"
        os.close(fd)
        raise LockedError(
            f"another run (pid {holder}) holds {what or path} (lock {lock}); wait for it to finish, then run this again "
            "(nothing was done)"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    with _held_guard:
        _held[key] = [fd, 1]
    try:
        yield
    finally:
        with _held_guard:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                _release(_held.pop(key)[0])


def _release(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_dir() -> Path:
    """Where turns between runs are taken (`turn`): ``$HASHTRUST_LOCK_DIR``, else a folder of this
    user's in the machine's temporary directory (every run on the machine sees the same one)."""
    return Path(os.environ.get("HASHTRUST_LOCK_DIR") or Path(tempfile.gettempdir()) / f"hashtrust-locks-{os.getuid()}")


# Turns this process holds: (path, thread) -> [open turn file, depth]. A turn is reentrant within
# a thread: a command holds its account's turn across "is this already on chain?" and the sends
# that follow (`hashtrust.chain.tx.TxSender.hold`), and the sender takes the same turn again
# around each window it signs. A second ``flock`` on another open file of the same process would
# wait for the first for ever, so the inner take is counted, not locked.
_turns: dict[str, list] = {}


def _turn_file(path: Path) -> int:
    """Open the turn file ``path`` (making its folder); a `HASHTRUST_LOCK_DIR` that cannot hold
    it is one line naming the variable and the path (new-user review: a folder that was a file
    printed a bare FileExistsError as "an unexpected failure")."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        where = os.environ.get("HASHTRUST_LOCK_DIR")
        source = f"HASHTRUST_LOCK_DIR={where}" if where else f"the lock folder {path.parent} (set HASHTRUST_LOCK_DIR to choose another)"
        raise HashtrustError(f"{source}: cannot open the turn file {path} ({exc.strerror or exc}); nothing was sent") from None


def _read_turn(fd: int) -> tuple[str, str]:
    """(tag the last holder left, pid of the run holding the turn now) from a turn file."""
    lines = os.pread(fd, 400, 0).decode("utf-8", "replace").split("\n")
    return lines[0].strip(), (lines[1].strip() if len(lines) > 1 else "")


def _write_turn(fd: int, tag: str, holder: int | None) -> None:
    """Replace a turn file's content: the tag, then the pid of the run holding it (none once given up)."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, (f"{tag}\n{holder}\n" if holder is not None else f"{tag}\n").encode(), 0)


@contextlib.contextmanager
def turn(name: str, me: str | None, *, wait: float, what: str, notice: Any = None, notice_after: float = 1.0) -> Iterator[str]:
    """Take the turn ``name`` (an exclusive ``flock`` on a file of `lock_dir`) for the block,
    waiting up to ``wait`` seconds for another holder to give it up; yields the tag the previous
    holder left (``""`` at first), and leaves ``me`` as the tag when the block ends (``None``:
    leave the tag as it is, for a holder that signs nothing itself).

    Unlike `locked`, a second run waits for its turn instead of stopping: a turn is held for
    moments (e.g. while a window of transactions is signed and handed to the node), and the tag
    tells the holder whether anyone else had the turn since it last had it. Reentrant within a
    thread (the inner take yields the tag as it is now, and leaves its own). When the turn is
    not free after ``notice_after`` seconds, ``notice(line)`` is called once with a line naming
    the holder's pid. Raises `LockedError` when the turn is not free after ``wait``."""
    path = lock_dir() / name
    key = f"{path}|{threading.get_ident()}"
    with _held_guard:
        entry = _turns.get(key)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        fd = entry[0]
        try:
            yield _read_turn(fd)[0]
        finally:
            if me is not None:
                _write_turn(fd, me, os.getpid())
            with _held_guard:
                entry[1] -= 1
        return
    fd = _turn_file(path)
    try:
        began = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - began
                if waited > wait or (not told and notice is not None and waited > notice_after):
                    holder = _read_turn(fd)[1] or "unknown"
                    if waited > wait:
                        raise LockedError(f"another run (pid {holder}) has held {what} for over {wait:.0f}s (lock {path}); nothing was done") from None
                    told = True
                    notice(f"waiting for another run (pid {holder}) that holds {what} (lock {path})")
                time.sleep(0.01)
        previous = _read_turn(fd)[0]
        _write_turn(fd, previous, os.getpid())
        with _held_guard:
            _turns[key] = [fd, 1]
        try:
            yield previous
        finally:
            with _held_guard:
                _turns.pop(key, None)
            _write_turn(fd, _read_turn(fd)[0] if me is None else me, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
