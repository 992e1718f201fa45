"""`hashtrust.chain.files.turn`: reentrant within a thread (a job holds its account's turn across
check-and-send and the sender takes it again around each window), exclusive between processes,
a line naming the holder's pid when a run has to wait, and a bad HASHTRUST_LOCK_DIR named."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from hashtrust.chain import files
from hashtrust.errors import HashtrustError


def _hold(lock_dir: str, held, release) -> None:
    os.environ["HASHTRUST_LOCK_DIR"] = lock_dir
    with files.turn("t", "other", wait=5, what="the turn t"):
        held.set()
        release.wait(10)


def test_turn_is_reentrant_and_keeps_the_last_tag(tmp_path, monkeypatch):
    monkeypatch.setenv("HASHTRUST_LOCK_DIR", str(tmp_path))
    with files.turn("t", None, wait=1, what="t") as outer:
        assert outer == ""
        with files.turn("t", "sender-a", wait=1, what="t") as inner:  # would wait for ever if not reentrant
            assert inner == ""
        with files.turn("t", "sender-b", wait=1, what="t") as inner:
            assert inner == "sender-a"
    with files.turn("t", "sender-c", wait=1, what="t") as later:
        assert later == "sender-b"  # the job's own take (me=None) left the senders' tag


def test_a_second_process_waits_with_a_line_naming_the_holder(tmp_path, monkeypatch):
    monkeypatch.setenv("HASHTRUST_LOCK_DIR", str(tmp_path))
    ctx = multiprocessing.get_context("fork")
    held, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold, args=(str(tmp_path), held, release))
    p.start()
    try:
        assert held.wait(10)
        lines: list[str] = []
        with pytest.raises(files.LockedError, match=rf"pid {p.pid}"):
            with files.turn("t", "me", wait=1.5, what="the turn t", notice=lines.append, notice_after=0.3):
                pass
        assert len(lines) == 1 and f"pid {p.pid}" in lines[0] and "the turn t" in lines[0], lines
        release.set()
        began = time.monotonic()
        with files.turn("t", "me", wait=10, what="the turn t") as previous:
            assert previous == "other"
        assert time.monotonic() - began < 10
    finally:
        release.set()
        p.join(10)


@pytest.mark.parametrize("kind", ["file", "under-dev-null", "lock-is-a-dir"])
def test_a_bad_lock_dir_is_one_line_naming_it(tmp_path, monkeypatch, kind):
    if kind == "file":
        where = tmp_path / "f"
        where.write_text("")
    elif kind == "under-dev-null":
        where = "/dev/null/x"
    else:
        where = tmp_path
        (tmp_path / "t").mkdir()
    monkeypatch.setenv("HASHTRUST_LOCK_DIR", str(where))
    with pytest.raises(HashtrustError, match=rf"^HASHTRUST_LOCK_DIR={where}: cannot open the turn file") as e:
        with files.turn("t", "me", wait=1, what="t"):
            pass
    assert "\n" not in str(e.value)
