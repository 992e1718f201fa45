"""Second review, finding 1: a node's JSON-RPC replies were decoded by web3's default provider
without limits. An endpoint answering ``eth_chainId`` with 150,000 nested ``[`` killed the
``hashtrust`` process by SIGSEGV; a 40 MB reply was read whole into memory; bytes that are not
UTF-8, or a 4,000-digit number, ended in a vague "cannot reach a node (JSONDecodeError)"; a node
dripping its reply a byte at a time held the command for ever (the timeout is per read).

Each must now end quickly in one ``Error:`` line naming the endpoint and what was wrong with its
reply, through the real command (`hashtrust addresses`) and through the SDK's `connect(url)`.
"""

from __future__ import annotations

import pytest
from review2_helpers import jsonrpc, post_server, run_cli

BIG = 40 * 1024 * 1024

REPLIES = {
    # name: (answer(path, request) -> reply, words the error must contain)
    "nested": (lambda _p, r: (200, {"Content-Type": "application/json"}, jsonrpc(r, b"[" * 150_000 + b"]" * 150_000)), "nested deeper"),
    "huge": (lambda _p, r: (200, {"Content-Type": "application/json"}, jsonrpc(r, b'"0x' + b"0" * BIG + b'"')), "larger than"),
    "huge-chunked": (lambda _p, r: (200, {"Content-Type": "application/json"}, [jsonrpc(r, b'"0x')[:-1]] + [b"0" * (1 << 20)] * 40, 0.0), "larger than"),
    "not-utf8": (lambda _p, r: (200, {"Content-Type": "application/json"}, jsonrpc(r, b'"\xff\xfe\x00"')), "not UTF-8"),
    "big-number": (lambda _p, r: (200, {"Content-Type": "application/json"}, jsonrpc(r, b"9" * 4000)), "not JSON"),
}


@pytest.mark.parametrize("name", list(REPLIES))
def test_the_command_refuses_a_hostile_reply_in_one_line(name):
    answer, words = REPLIES[name]
    with post_server(answer) as (url, _seen):
        proc, took = run_cli("--rpc", url, "addresses", timeout=120)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])  # not -11 (SIGSEGV)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), proc.stderr[-2000:]
    assert url in lines[0] and words in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    assert took < 60, took


def test_a_dripping_node_costs_at_most_the_deadline():
    """One byte every 0.2 s of a reply that never ends: each read returns in time, so only an
    overall deadline stops it."""
    from hashtrust.chain.provider import NodeReplyError, connect

    with post_server(lambda _p, r: (200, {"Content-Type": "application/json"}, [b" "] * 10_000, 0.2)) as (url, _seen):
        w3 = connect(url, timeout=2)
        import time

        t0 = time.monotonic()
        with pytest.raises(NodeReplyError, match="still sending its reply after 2 s"):
            w3.eth.chain_id
        assert time.monotonic() - t0 < 6


def test_honest_replies_still_decode():
    from hashtrust.chain.provider import connect

    with post_server(lambda _p, r: (200, {"Content-Type": "application/json"}, jsonrpc(r, b'"0x7a69"'))) as (url, seen):
        assert connect(url).eth.chain_id == 31337
        assert b"eth_chainId" in seen[0]


def test_the_cap_is_the_providers():
    """A reply of 2 MB is refused by a provider capped at 1 MiB and read by the default one (32 MiB)."""
    from hashtrust.chain.provider import MAX_REPLY_BYTES, NodeReplyError, connect

    assert MAX_REPLY_BYTES == 32 * 1024 * 1024
    body = b'"0x' + b"0" * (2 << 20) + b'1"'
    with post_server(lambda _p, r: (200, {"Content-Type": "application/json"}, jsonrpc(r, body))) as (url, _seen):
        with pytest.raises(NodeReplyError, match="larger than 1,048,576 bytes"):
            connect(url, max_reply_bytes=1 << 20).eth.chain_id
        assert connect(url).eth.chain_id == 1
