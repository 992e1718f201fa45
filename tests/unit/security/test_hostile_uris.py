"""Hostile URIs: the one resolver (`hashtrust.chain.fetch`) against every scheme and every kind
of server an attacker can name on chain.

Story: mallory controls the URIs the SDK is handed (a validation request's URI, an agent's
agentURI) and a web server on the validator's own machine (127.0.0.1, a free port). She names
local files (``file:``, plain paths, ``/dev/stdin``, ``/dev/zero``, a FIFO, ``..`` and symlink
escapes from a served directory), broken ``data:`` URIs, unknown schemes, and URLs of her server
that drip a byte at a time, never answer, send headers a byte at a time, stream 100 MB (with and
without a Content-Length, or a lying one), send a gzip bomb, redirect to ``file:``, to a private
address, to the cloud metadata address, or in a loop. Every one of them ends in a `FetchError`
(permanent when retrying cannot help) within the deadline and the byte cap, and the honest
``data:``, http-loopback, ipfs-gateway and served-directory URIs beside them are fetched.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest
from servers import elapsed, hostile_server

from hashtrust.chain import fetch as fetch_mod
from hashtrust.chain.decode import ChainText
from hashtrust.chain.fetch import ALLOWED, FetchError, FetchPolicy, fetch

DOCS = Path(__file__).resolve().parents[3] / "docs" / "identity.md"
FAST = FetchPolicy(deadline=1.5)
HONEST = b'{"type":"honest"}'


@pytest.fixture
def server():
    with hostile_server(drip_interval=0.2) as srv:
        srv.files["/file/honest.json"] = HONEST
        srv.files["/file/bafyhonest"] = HONEST
        yield srv


def _refused(uri, policy=FAST, *, permanent=True, match=""):
    seconds, out = elapsed(fetch, uri, policy)
    assert isinstance(out, FetchError), f"{uri!r} was fetched: {out!r:.80}"
    assert out.permanent is permanent, out
    assert match in str(out), out
    return seconds, out


# ---------------------------------------------------------------------------- local files
@pytest.mark.parametrize("uri", ["file:///etc/passwd", "/etc/passwd", "/dev/stdin", "/dev/zero", "file:///dev/zero", "./relative.json", "file://host/etc/passwd", "C:\\\\windows\\\\win.ini"])
def test_local_files_are_never_read_by_default(uri):
    seconds, out = _refused(uri, match="local files are not fetched")
    assert ALLOWED in str(out) and seconds < 0.5


def test_a_served_directory_serves_regular_files_inside_it_only(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "req.json").write_bytes(HONEST)
    (tmp_path / "secret").write_bytes(b"secret")
    os.symlink(tmp_path / "secret", root / "link")
    os.mkfifo(root / "fifo")
    os.symlink("/dev/zero", root / "zero")
    served = FetchPolicy(local_dir=root, deadline=1.5)
    assert fetch((root / "req.json").as_uri(), served) == HONEST
    assert fetch("req.json", served) == HONEST
    for uri, match in [
        ((tmp_path / "secret").as_uri(), "outside the served directory"),
        ("../secret", "outside the served directory"),
        ((root / "link").as_uri(), "outside the served directory"),
        ((root / "zero").as_uri(), "outside the served directory"),
        ("/dev/stdin", "outside the served directory"),
        ((root / "fifo").as_uri(), "not a regular file"),  # opened without blocking, then refused
        ((root / "missing").as_uri(), "cannot be read"),
    ]:
        seconds, _ = _refused(uri, served, match=match)
        assert seconds < 0.5
    (root / "big").write_bytes(b"x" * (FAST.max_bytes + 1))
    _refused((root / "big").as_uri(), served, match="at most")


# ---------------------------------------------------------------------------- data: and schemes
def test_data_uris_decode_and_broken_ones_are_refused():
    assert fetch("data:application/json;base64," + base64.b64encode(HONEST).decode()) == HONEST
    assert fetch("data:,%7B%7D") == b"{}"
    _refused("data:application/json;base64,@@@not base64", match="malformed base64")
    _refused("data:application/json;base64,eyJ", match="malformed base64")  # truncated
    _refused("data:application/json;base64", match="no comma")
    huge = "data:;base64," + base64.b64encode(b"\0" * (FAST.max_bytes + 10)).decode()
    _refused(huge, match="more than")
    _refused("data:," + "%00" * (FAST.max_bytes + 1), match="more than")


@pytest.mark.parametrize("uri", ["ftp://example.com/x", "ar://txid", "javascript:alert(1)", "gopher://127.0.0.1:70/", "ws://127.0.0.1/", "HTTPX://x"])
def test_other_schemes_are_refused_naming_the_allowed_ones(uri):
    _, out = _refused(uri, match="is not fetched")
    assert ALLOWED in str(out)


@pytest.mark.parametrize("uri", ["", "http://127.0.0.1/\x00", "https://a.example/\r\nX-Injected: 1", ChainText(b"https://\xff.example/")])
def test_malformed_uris_are_refused(uri):
    _refused(uri)


def test_the_docs_list_the_same_schemes_as_the_error():
    assert ALLOWED in DOCS.read_text().replace("\n", " ")


# ---------------------------------------------------------------------------- http(s) servers
def test_honest_http_to_loopback_and_ipfs_through_a_gateway_are_fetched(server):
    assert fetch(server.url("/file/honest.json"), FAST) == HONEST  # its text/html content type changes nothing
    gw = FAST.with_(ipfs_gateway=server.url("/file/"))
    assert fetch("ipfs://bafyhonest", gw) == HONEST
    assert fetch("ipfs://ipfs/bafyhonest", gw) == HONEST
    assert fetch(server.url("/to-served"), FAST) == HONEST  # a redirect inside the rules is followed
    _refused("ipfs://not-a-cid!", gw, match="ipfs://<content id>")


@pytest.mark.parametrize("path", ["/drip", "/hang", "/slow-headers"])
def test_slow_servers_cost_at_most_the_deadline(server, path):
    seconds, out = _refused(server.url(path), permanent=False, match="deadline")
    assert seconds < FAST.deadline + 1.0, seconds


@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/liar"])
def test_large_bodies_are_cut_at_the_cap(server, path):
    seconds, _ = _refused(server.url(path), match="bytes")
    assert seconds < 1.0


def test_a_gzip_bomb_is_returned_as_sent_never_expanded(server):
    body = fetch(server.url("/gzip-bomb"), FAST)
    assert len(body) < 64 * 1024  # 10 MB of zeros, compressed; nothing decompresses it


@pytest.mark.parametrize(("path", "match"), [
    ("/to-file", "a redirect to 'file'"),
    ("/to-private", "10.0.0.7 is a private address"),
    ("/to-metadata", "169.254.169.254 is a private address"),
    ("/loop", "more than 3 redirects"),
    ("/status/404", "HTTP 404"),
])
def test_redirects_and_refusals_are_judged_by_the_same_rules(server, path, match):
    _refused(server.url(path), match=match)


def test_server_errors_are_transient(server):
    _refused(server.url("/status/503"), permanent=False, match="HTTP 503")


def test_private_and_unspecified_addresses_are_refused_before_connecting():
    for uri in ["http://10.1.2.3/x", "https://192.168.0.1/x", "http://[fd00::1]/x", "http://100.64.0.1/x", "http://0.0.0.0:9/", "https://169.254.169.254/"]:
        seconds, _ = _refused(uri, match="private address")
        assert seconds < 0.5
    _refused("http://127.0.0.1:9/", FAST.with_(allow_loopback=False), match="loopback")


def test_plain_http_to_public_hosts_and_redirects_into_loopback_are_refused(monkeypatch):
    monkeypatch.setattr(fetch_mod, "_resolve", lambda uri, host, port, deadline: [("93.184.216.34", "public")])
    _refused("http://public.example/x", match="plain http to public.example is refused")
    with pytest.raises(FetchError, match="from a non-loopback host"):
        monkeypatch.setattr(fetch_mod, "_resolve", lambda uri, host, port, deadline: [("127.0.0.1", "loopback")])
        fetch_mod._check_target("https://public.example/", "http://127.0.0.1:8545/", FAST, time.monotonic() + 5, "public")


def test_a_host_that_resolves_to_a_private_address_among_public_ones_is_refused(monkeypatch):
    """DNS rebinding: every address a name resolves to must be allowed, and the connection goes
    to the one that was checked."""
    monkeypatch.setattr(fetch_mod, "_resolve", lambda uri, host, port, deadline: [("93.184.216.34", "public"), ("10.0.0.5", "private")])
    _refused("https://rebind.example/x", match="resolves to a private address (10.0.0.5)")


def test_ipfs_content_ids_are_ascii(server):
    """``"١٢٣".isalnum()`` is true: content ids of non-ASCII digits or letters are a permanent
    "not a content id", never a transient gateway failure retried five times."""
    gw = FAST.with_(ipfs_gateway=server.url("/file/"))
    for cid in ["١٢٣٤", "bafy٣", "ｂａｆｙ", "bafyé"]:
        _refused(f"ipfs://{cid}", gw, match="ipfs://<content id>")
    assert fetch("ipfs://bafyhonest", gw) == HONEST


def test_loopback_is_fetched_off_a_devnet_only_when_the_operator_opts_in(server, w3, monkeypatch):
    """`for_chain`: the in-process chain is a local devnet (loopback allowed); a chain that is not
    (the devnet guard's verdict) refuses loopback before connecting, unless ``allow_loopback``."""
    from hashtrust.chain import devnet
    from hashtrust.chain.fetch import for_chain

    assert for_chain(FAST, w3).allow_loopback
    assert fetch(server.url("/file/honest.json"), for_chain(FAST, w3)) == HONEST
    monkeypatch.setattr(devnet, "not_a_devnet", lambda _w3: "chain 11155111 is not a local devnet chain id")
    off = for_chain(FAST, w3)
    hits = dict(server.hits)
    _refused(server.url("/file/honest.json"), off, match="loopback address; refused")
    _refused("http://localhost:1/x", off, match="loopback address; refused")
    _refused("http://[::1]:1/x", off, match="loopback address; refused")
    assert dict(server.hits) == hits  # nothing reached the server
    assert fetch(server.url("/file/honest.json"), for_chain(FAST, w3, allow_loopback=True)) == HONEST


def test_a_hung_name_look_up_costs_its_own_fetch_only(monkeypatch):
    """Each look-up has its own thread: with many names hanging, another name resolves at once."""
    import socket
    import threading

    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host.endswith(".hang.test"):
            release.wait(30)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host == "fine.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    quick = FetchPolicy(deadline=0.5)
    try:
        hung = [threading.Thread(target=elapsed, args=(fetch, f"https://n{i}.hang.test/x", quick)) for i in range(16)]
        for t in hung:
            t.start()
        for t in hung:
            t.join(5)
        seconds, out = elapsed(fetch, "http://fine.test:1/x", quick)  # port 1: refused at once, after resolving
        assert isinstance(out, FetchError) and "cannot fetch" in str(out) and seconds < 0.4, (seconds, out)
    finally:
        release.set()
