"""Second review, finding 7: when the first RPC call to a node fails, the command line printed a
vague line: ``--rpc`` pointing at a web page, an API that is not a node, or a server answering
404 all gave "cannot reach a node at URL (JSONDecodeError)" / "(HTTPError)", which neither says
what came back nor that the URL is wrong (it was reached).

Now each ends in exactly one ``Error:`` line (exit 1, no traceback) naming the URL and what the
endpoint answered: its HTTP status, or the first characters of what it sent.
"""

from __future__ import annotations

import socket

import pytest
from review2_helpers import post_server, run_cli

HTML = b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>hello</body></html>"

ANSWERS = {
    # name: (answer, words the error line must contain)
    "html-page": (lambda _p, _r: (200, {"Content-Type": "text/html"}, HTML), "'<!DOCTYPE html><html><head><title>Welcome to nginx!"),
    "not-found": (lambda _p, _r: (404, {"Content-Type": "text/html"}, b"<html>404 Not Found</html>"), "answered HTTP 404"),
    "server-error": (lambda _p, _r: (502, {"Content-Type": "text/plain"}, b"Bad Gateway"), "answered HTTP 502 ('Bad Gateway')"),
    "other-json-api": (lambda _p, _r: (200, {"Content-Type": "application/json"}, b'{"status":"ok","version":3}'), "not a JSON-RPC reply"),
    "plain-text": (lambda _p, _r: (200, {"Content-Type": "text/plain"}, b"OK"), "'OK'"),
}


def _one_error_line(proc) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), proc.stderr[-2000:]
    return lines[0]


@pytest.mark.parametrize("name", list(ANSWERS))
def test_an_endpoint_that_is_not_a_node_is_named_with_its_answer(name):
    answer, words = ANSWERS[name]
    with post_server(answer) as (url, seen):
        proc, took = run_cli("--rpc", url, "addresses")
    line = _one_error_line(proc)
    assert url in line and words in line, line
    assert len(seen) == 1  # the first call; nothing after it
    assert took < 60


def test_nothing_listening_says_it_cannot_reach_the_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}"
    line = _one_error_line(run_cli("--rpc", url, "addresses")[0])
    assert f"cannot reach a node at {url}" in line, line
