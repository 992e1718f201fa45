"""Third review, finding 1 (severity Medium): the Bitcoin node client `hashtrust.bitcoin.rpc.BitcoinRPC`
bypasses every limit the second review put on node replies. It is a second entry point that talks
to a node by URL (``--bitcoin-rpc``) without `SafeHTTPProvider`: ``urllib.request.urlopen(...).read()``
reads the whole reply into memory with no byte cap (an HTTP 500 body too, through ``exc.read()``),
and its ``timeout`` is per socket read, so a node dripping one byte a second holds
``hashtrust bitcoin sync`` / ``reward-proof`` for ever.

Suggested fix: read the reply through `hashtrust.chain.fetch.read_capped` in pieces (``read1``)
under one overall deadline enforced by a watchdog that shuts the socket (as `SafeHTTPProvider._post`
does), refuse a larger ``Content-Length`` before reading, and decode with the same bounded
``parse_int`` as `hashtrust.chain.provider.decode_reply`. A cap of a few MiB is ample (a block with
``verbosity 2`` is the largest honest reply; 4 MB of witness data hex-encoded is ~8 MB, so 32 MiB).
"""

from __future__ import annotations

import time

import pytest
from review2_helpers import post_server

from hashtrust.bitcoin.rpc import BitcoinRPC, BitcoinRPCError

BIG = 48 * 1024 * 1024  # far above any honest Bitcoin Core reply


def _json(body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, body


def _refused_as_too_large(rpc: BitcoinRPC) -> None:
    try:
        rpc.call("getblockhash", 1)
    except BitcoinRPCError as exc:
        text = str(exc)
        assert "larger than" in text[:300], f"refused, but not as too large ({len(text):,} characters: {text[:120]!r}...)"
    else:
        raise AssertionError("a reply far larger than any honest one was read whole and accepted")


def test_a_dripping_bitcoin_node_is_cut_at_the_overall_timeout():
    """20 bytes 0.5 s apart: each read returns within the 2 s timeout, so urllib never times out."""
    reply = b'{"result":"' + b"0" * 64 + b'","error":null,"id":1}'
    with post_server(lambda _p, _r: (200, {"Content-Type": "application/json", "Content-Length": str(len(reply))},
                                     [reply[i:i + 1] for i in range(len(reply))], 0.5)) as (url, _seen):
        rpc = BitcoinRPC(url, timeout=2)
        t0 = time.monotonic()
        with pytest.raises(BitcoinRPCError):
            rpc.call("getblockhash", 1)
        took = time.monotonic() - t0
    assert took < 6, f"a node dripping its reply held the call {took:.1f} s with timeout=2"


def test_a_huge_bitcoin_node_reply_is_refused_without_reading_it_whole():
    """A 48 MB string result is read whole and parsed; it must be refused as too large."""
    body = b'{"result":"' + b"0" * BIG + b'","error":null,"id":1}'
    with post_server(lambda _p, _r: _json(body)) as (url, _seen):
        rpc = BitcoinRPC(url, timeout=30)
        _refused_as_too_large(rpc)


def test_a_huge_http_500_body_is_not_read_whole():
    """Bitcoin Core answers errors with HTTP 500; that body is read by ``exc.read()`` uncapped."""
    body = b'{"result":null,"error":{"code":-1,"message":"' + b"x" * BIG + b'"},"id":1}'
    with post_server(lambda _p, _r: (500, {"Content-Type": "application/json"}, body)) as (url, _seen):
        rpc = BitcoinRPC(url, timeout=30)
        _refused_as_too_large(rpc)
