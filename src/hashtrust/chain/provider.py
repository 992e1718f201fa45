"""The one way the SDK and the command line connect to a node by URL: `connect(url)`.

A node's JSON-RPC replies are input the SDK did not write: the endpoint may be hostile, a
misconfigured proxy, or not a node at all. web3's default ``HTTPProvider`` reads the whole reply
into memory and decodes it with the standard library's ``json``, so a reply of 150 KB of ``[``
kills the process (SIGSEGV, see `hashtrust.chain.jsonsafe`), a 2 GB reply exhausts memory, and a
node dripping a byte every few seconds holds a call for ever (the timeout is per read). Second
review of the Python side, finding 1.

`SafeHTTPProvider` is web3's ``HTTPProvider`` with the transport and the decoding replaced:

* the reply is streamed and refused past `MAX_REPLY_BYTES` (32 MiB: far above any honest reply,
  an ``eth_getLogs`` page included) and past one overall deadline (the provider's ``timeout``,
  from sending the request: a node dripping its headers is cut too, third review finding 10);
* it is decoded as strict UTF-8 by `jsonsafe.loads` (nesting bounded), and integers longer than
  `MAX_INT_DIGITS` digits are refused (JSON-RPC quantities are hex strings; an id is small);
* a reply that is not a JSON-RPC object (an HTML page, a list for a single call) is refused.

Each refusal is a `NodeReplyError` naming the URL and what came back, so the user sees one line.
HTTP error statuses stay ``requests.HTTPError`` (`hashtrust.chain.failures.explain` names them).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from web3 import Web3
from web3.providers.rpc import HTTPProvider

from hashtrust.chain import jsonsafe
from hashtrust.chain.failures import shown_url
from hashtrust.chain.fetch import BodyTooLarge, read_capped
from hashtrust.errors import NodeError

MAX_REPLY_BYTES = 32 * 1024 * 1024
"""The largest JSON-RPC reply read from a node (bytes); a larger one is refused."""
MAX_INT_DIGITS = 80
"""The most digits a JSON integer in a reply may have (2**256 has 78)."""
DEFAULT_TIMEOUT = 30.0
"""Seconds one request may take in all (connect, headers and the whole body)."""
_CHUNK = 64 * 1024


class NodeReplyError(NodeError, ConnectionError):
    """The endpoint's reply could not be a node's: too large, too slow, not UTF-8, not JSON, or
    not a JSON-RPC object. ``url`` is the endpoint.

    Also a ``ConnectionError``: a reply that cannot be read is a lost reply, so what the SDK does
    for a lost reply holds (`TxSender` resends the same signed bytes and reports a transaction
    in doubt rather than failed; reads are retried), and its message is the one shown."""

    def __init__(self, url: str, problem: str, *, method: str = ""):
        self.url = url
        self.problem = problem
        super().__init__(f"the node at {shown_url(url)} {problem}" + (f" (to {method})" if method else ""), method=method)


def _preview(raw: bytes, limit: int = 60) -> str:
    text = " ".join(raw[:limit].decode("utf-8", "replace").split())
    return repr(text + ("…" if len(raw) > limit else ""))


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits")
    return int(text)


def decode_reply(raw: bytes, url: str = "the endpoint", *, method: str = "", batch: bool = False) -> Any:
    """A node's raw reply decoded, or `NodeReplyError` saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NodeReplyError(url, f"answered bytes that are not UTF-8 (at byte {exc.start}): not a JSON-RPC node", method=method) from None
    try:
        reply = jsonsafe.loads(text, parse_int=_parse_int, parse_constant=_no_constant)
    except ValueError as exc:
        if "nested deeper than" in str(exc):
            raise NodeReplyError(url, f"answered JSON nested deeper than {jsonsafe.MAX_DEPTH} levels: not a JSON-RPC node", method=method) from None
        raise NodeReplyError(url, f"answered something that is not JSON ({exc.args[0] if exc.args else exc}; it began {_preview(raw)}): is it a JSON-RPC node?", method=method) from None
    ok = isinstance(reply, list) and all(isinstance(r, dict) for r in reply) if batch else isinstance(reply, dict)
    if batch and isinstance(reply, dict) and "error" in reply:
        ok = True  # a node refusing the whole batch answers one error object
    if not ok or (isinstance(reply, dict) and "result" not in reply and "error" not in reply):
        raise NodeReplyError(url, f"answered JSON that is not a JSON-RPC reply (it began {_preview(raw)}): is it a JSON-RPC node?", method=method)
    return reply


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Holder:
    """The connection one request of this thread went out on (for its watchdog)."""

    conn: Any = None


_active = threading.local()  # .holder: the `_Holder` of the request this thread is sending


class _WatchedHTTP(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> Any:
        holder = getattr(_active, "holder", None)
        if holder is not None:
            holder.conn = self
        return super().request(*args, **kwargs)


class _WatchedHTTPS(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> Any:
        holder = getattr(_active, "holder", None)
        if holder is not None:
            holder.conn = self
        return super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


# (named as urllib3's own in the messages of its errors: "HTTPConnectionPool(host=...)")
_WatchedHTTP.__name__, _WatchedHTTPS.__name__ = "HTTPConnection", "HTTPSConnection"
_WatchedHTTPPool.__name__, _WatchedHTTPSPool.__name__ = "HTTPConnectionPool", "HTTPSConnectionPool"


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections tell the request's watchdog which socket to shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class SafeHTTPProvider(HTTPProvider):
    """web3's ``HTTPProvider`` reading replies with a byte cap and one overall deadline, and
    decoding them through `decode_reply` (see the module docstring)."""

    def __init__(self, endpoint_uri: str, *, timeout: float = DEFAULT_TIMEOUT, max_reply_bytes: int = MAX_REPLY_BYTES, **kwargs: Any):
        request_kwargs = dict(kwargs.pop("request_kwargs", None) or {})
        request_kwargs["timeout"] = timeout
        super().__init__(endpoint_uri, request_kwargs=request_kwargs, **kwargs)
        self.timeout = float(timeout)
        self.max_reply_bytes = int(max_reply_bytes)
        self._method = ""

    def _post(self, request_data: bytes) -> bytes:
        url = str(self.endpoint_uri)
        deadline = time.monotonic() + self.timeout
        kwargs = {**dict(self.get_request_kwargs()), "stream": True}
        session = self._request_session_manager.cache_and_return_session(self.endpoint_uri, request_timeout=kwargs.get("timeout"))
        if not getattr(session, "_hashtrust_watched", False):
            session.mount("http://", _WatchedAdapter())
            session.mount("https://", _WatchedAdapter())
            session._hashtrust_watched = True
        # The deadline covers connect, headers and body (third review, finding 10): the watchdog
        # is armed before sending and shuts the socket of the connection the request went out on.
        holder = _Holder()
        expired = threading.Event()

        def cut() -> None:  # the deadline: shut the socket under whatever read is waiting
            expired.set()
            sock = getattr(holder.conn, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
        watchdog.daemon = True
        _active.holder = holder
        watchdog.start()
        try:
            try:
                response = session.post(self.endpoint_uri, data=request_data, **kwargs)
            except Exception:
                if expired.is_set() or time.monotonic() > deadline:
                    raise NodeReplyError(url, f"gave no complete reply within {self.timeout:g} s (no reply, or its headers never ended)", method=self._method) from None
                raise
            finally:
                _active.holder = None
            with response:
                return self._read(response, url, deadline, expired)
        finally:
            watchdog.cancel()

    def _read(self, response: Any, url: str, deadline: float, expired: threading.Event) -> bytes:
        if response.status_code >= 400:  # keep what arrived first of the body, to name it (finding 7)
            try:
                response._content = response.raw.read1(512, decode_content=True)
            except Exception:  # noqa: BLE001 - the status alone is named then
                response._content = b""
            response.raise_for_status()
        length = response.headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_reply_bytes:
            raise NodeReplyError(url, f"announced a reply larger than {self.max_reply_bytes:,} bytes ({int(length):,}); it was not read", method=self._method)
        raw = response.raw

        def pieces():
            while not expired.is_set():
                piece = raw.read1(_CHUNK, decode_content=True)  # whatever has arrived, at most _CHUNK
                if not piece:
                    return
                yield piece

        try:
            body = read_capped(pieces(), self.max_reply_bytes, deadline=deadline)
        except BodyTooLarge:
            raise NodeReplyError(url, f"sent a reply larger than {self.max_reply_bytes:,} bytes", method=self._method) from None
        except Exception:
            if expired.is_set() or time.monotonic() > deadline:
                raise NodeReplyError(url, f"was still sending its reply after {self.timeout:g} s", method=self._method) from None
            raise
        if expired.is_set():
            raise NodeReplyError(url, f"was still sending its reply after {self.timeout:g} s", method=self._method)
        return body

    def _make_request(self, method: Any, request_data: bytes) -> bytes:
        self._method = str(method)
        return self._post(request_data)

    def make_request(self, method: Any, params: Any) -> Any:
        self._method = str(method)
        return super().make_request(method, params)

    def decode_rpc_response(self, raw_response: bytes) -> Any:  # type: ignore[override]
        return decode_reply(raw_response, str(self.endpoint_uri), method=self._method)

    def make_batch_request(self, batch_requests: Any) -> Any:
        from web3._utils.batching import sort_batch_response_by_response_ids

        self._method = "batch"
        raw = self._post(self.encode_batch_rpc_request(batch_requests))
        reply = decode_reply(raw, str(self.endpoint_uri), method="batch", batch=True)
        if not isinstance(reply, list):
            return reply
        return sort_batch_response_by_response_ids(reply)


def rpc_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a JSON-RPC endpoint for `connect`, or None: it must be an
    ``http://`` or ``https://`` URL with a host (``notaurl`` and ``ftp://...`` reached requests
    and came back as an "unexpected failure")."""
    import urllib.parse

    shown = repr(url if len(url) <= 80 else url[:80] + "...")
    try:
        parsed = urllib.parse.urlparse(url)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        return f"{shown} is not a valid URL (check the host and port)"
    if parsed.scheme.lower() not in ("http", "https"):
        why = "has no scheme" if not parsed.scheme else f"uses {parsed.scheme}://, which is not a JSON-RPC transport hashtrust speaks"
        return f"{shown} {why}: give an http:// or https:// URL, e.g. http://127.0.0.1:8545"
    if not parsed.hostname:
        return f"{shown} names no host: give a URL like http://127.0.0.1:8545"
    return None


def connect(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_reply_bytes: int = MAX_REPLY_BYTES) -> Web3:
    """A ``Web3`` for the node at ``url`` through `SafeHTTPProvider` (no request is made yet;
    `check_node` makes the first). A ``url`` that is not an http(s) URL raises `InputError`."""
    from hashtrust.errors import InputError

    if (why := rpc_url_problem(url)) is not None:
        raise InputError("rpc", why)
    return Web3(SafeHTTPProvider(url, timeout=timeout, max_reply_bytes=max_reply_bytes))


def check_node(w3: Web3, url: str) -> int:
    """The chain id of the node ``w3`` talks to, read once; when that first call fails, a
    `NodeError` of one line naming ``url`` and what it answered (finding 7: a wrong URL, an HTML
    page or a server that is not a node must not end in a traceback or a vague message)."""
    from hashtrust.chain.failures import explain, http_status, is_transport_error, node_message

    url = shown_url(url)
    try:
        return int(w3.eth.chain_id)
    except NodeReplyError:
        raise
    except Exception as exc:  # noqa: BLE001 - turned into one line below
        status = http_status(exc)
        if status is not None:
            body = getattr(getattr(exc, "response", None), "content", b"") or b""
            what = f"answered HTTP {status}" + (f" ({_preview(body)})" if body else "")
            raise NodeError(f"the node at {url} {what} to eth_chainId: is it a JSON-RPC node? (check --rpc)", method="eth_chainId") from None
        if is_transport_error(exc):
            from hashtrust.chain.devnet import _loopback_endpoint

            # the devnet runs on this machine: suggest starting it only for a local URL
            hint = "start one with `hashtrust devnet start` or pass --rpc" if _loopback_endpoint(url) else "check --rpc (or $HASHTRUST_RPC)"
            raise NodeError(f"cannot reach a node at {url} ({type(exc).__name__}); {hint}", method="eth_chainId") from None
        if hasattr(exc, "rpc_response"):
            raise NodeError(f"the node at {url} answered eth_chainId with an error: {node_message(exc)}", method="eth_chainId") from None
        raise NodeError(f"the node at {url} gave no chain id: {explain(exc)}", method="eth_chainId") from None
