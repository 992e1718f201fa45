"""`devnet reset` asks before it deletes a chain; every answer but "y" ends in one line and
deletes nothing (issue 15, new-user item: Ctrl-C at the prompt printed click's "Aborted!",
exit 1, unlike Ctrl-C anywhere else; "n" printed "Aborted!" too).

The command runs on a real terminal (a pseudo-terminal as its stdin: without one it refuses
and asks for --yes, tests/e2e/test_devnet_story.py), against a devnet folder of its own with a
file in it that must still be there afterwards."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


READ_SYSCALL = {"x86_64": 0, "aarch64": 63}[os.uname().machine]  # read(2)'s number
PROMPT = "and start a new one? [y/N]: "  # all of it: then the command is reading its answer


def _at_the_prompt(tmp_path: Path) -> tuple[subprocess.Popen, int, Path]:
    home = tmp_path / "devnet"
    home.mkdir()
    (home / "state.json").write_text("{}")
    master, slave = pty.openpty()
    env = {**os.environ, "HASHTRUST_DEVNET_DIR": str(home), "HASHTRUST_RPC": "http://127.0.0.1:1"}
    proc = subprocess.Popen([sys.executable, "-m", "hashtrust.cli", "devnet", "reset"], stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True)
    os.close(slave)
    seen, deadline = b"", time.monotonic() + 60
    while PROMPT.encode() not in seen and time.monotonic() < deadline:
        seen += os.read(proc.stdout.fileno(), 4096)  # the prompt goes to stdout, its answer comes from the terminal
    assert PROMPT.encode() in seen, seen
    return proc, master, home


def _end(proc: subprocess.Popen, master: int) -> tuple[int, list[str]]:
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    lines = [ln for ln in out.decode().splitlines() if ln.strip()]
    return proc.returncode, lines


def _reading(proc: subprocess.Popen) -> None:
    """Wait until the command sleeps in its read of the terminal. A SIGINT that lands between the
    prompt's write and that read is handled before the read starts, and the read then waits for
    a line (a Python race no person pressing Ctrl-C can hit: it is microseconds wide)."""
    deadline = time.monotonic() + 30
    while Path(f"/proc/{proc.pid}/syscall").read_text().split()[0] != str(READ_SYSCALL):  # blocked in read(2)
        assert time.monotonic() < deadline, "the command never sat reading its answer"
        time.sleep(0.01)


@pytest.mark.parametrize(("sig", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_at_the_prompt_is_the_interrupted_line_and_its_exit_code(tmp_path, sig, code, name):
    """Ctrl-C (exit 130) and SIGTERM (exit 143) at the prompt: one line naming the signal, nothing
    deleted (new-user review: it said "nothing more was sent ... rerun it to finish the job",
    though nothing was being sent)."""
    proc, master, home = _at_the_prompt(tmp_path)
    _reading(proc)
    proc.send_signal(sig)
    got, lines = _end(proc, master)
    assert got == code, lines
    assert lines == [f"Error: devnet reset: interrupted ({name}) at the prompt: nothing was deleted"], lines
    assert (home / "state.json").exists()


def test_no_at_the_prompt_deletes_nothing_and_says_so(tmp_path):
    proc, master, home = _at_the_prompt(tmp_path)
    os.write(master, b"n\n")
    code, lines = _end(proc, master)
    assert code == 1, lines
    assert lines == ["Error: devnet reset: not confirmed: nothing was deleted"], lines
    assert (home / "state.json").exists()


def test_end_of_input_at_the_prompt_deletes_nothing_and_says_so(tmp_path):
    proc, master, home = _at_the_prompt(tmp_path)
    os.write(master, b"\x04")  # Ctrl-D: end of input on the terminal
    code, lines = _end(proc, master)
    assert code == 1, lines
    assert lines == ["Error: devnet reset: no answer (stdin closed): nothing was deleted"], lines
    assert (home / "state.json").exists()
