"""Bitcoin Core's JSON-RPC as a source of headers and reward proofs.

Three calls, with the result shapes Bitcoin Core documents: ``getblockhash height`` -> hex hash;
``getblockheader hash false`` -> the 80-byte header as hex; ``getblock hash 2`` -> an object whose
``tx`` list holds each transaction as an object with ``txid`` and ``hex`` (the coinbase first).
`NodeSource` serves `relay.sync` like a header file; `reward_proof` builds a block-reward proof.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from urllib.parse import urlsplit, urlunsplit

from hashtrust.bitcoin.consensus import HEADER_BYTES, RETARGET_INTERVAL, from_display
from hashtrust.bitcoin.proofs import RewardProof
from hashtrust.bitcoin.tx import coinbase_branch, strip_witness
from hashtrust.chain import jsonsafe
from hashtrust.chain.decode import display
from hashtrust.chain.fetch import REDIRECTS, BodyTooLarge, arm_watchdog, read_capped
from hashtrust.errors import HashtrustError, InputError


MAX_REPLY_BYTES = 32 << 20
"""The largest reply read from a Bitcoin node (bytes): ``getblock hash 2`` of a 4 MB block, hex, is
~8 MB plus its JSON; anything larger is refused."""
_CHUNK = 64 * 1024


class BitcoinRPCError(HashtrustError):
    """The node could not be reached or refused a call."""


class _Expired(Exception):
    """The overall deadline of a call passed."""


class BitcoinRPC:
    """A minimal JSON-RPC 1.0 client (``user:password@`` in the URL becomes basic auth)."""

    def __init__(self, url: str, *, timeout: float = 30):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError("--bitcoin-rpc", f"{url!r} is not an http(s) URL")
        self._auth = None
        if parts.username is not None:
            self._auth = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
            netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
            parts = parts._replace(netloc=netloc)
        self.url = urlunsplit(parts)
        self.timeout = timeout
        self._id = 0

    def call(self, method: str, *params):
        """One JSON-RPC call. The reply is read through a byte cap (`MAX_REPLY_BYTES`, checked
        against ``Content-Length`` first and counted while it arrives) within one overall deadline
        (``timeout`` seconds from connecting to the last byte, a watchdog shutting the socket), and
        a redirect is refused, never followed: the credentials go to the node's URL only (third
        review, findings 1 and 2)."""
        self._id += 1
        body = json.dumps({"jsonrpc": "1.0", "id": self._id, "method": method, "params": list(params)}).encode()
        try:
            status, location, raw = self._post(body)
        except BodyTooLarge:
            raise BitcoinRPCError(f"bitcoin node {self.url}: {method} sent a reply larger than {MAX_REPLY_BYTES:,} bytes") from None
        except _Expired:
            raise BitcoinRPCError(f"bitcoin node {self.url}: {method} was still answering after {self.timeout:g} s") from None
        except (http.client.HTTPException, OSError, TimeoutError) as exc:
            raise BitcoinRPCError(f"cannot reach the bitcoin node at {self.url} ({display(exc, 120) or type(exc).__name__})") from None
        if status in REDIRECTS:
            raise BitcoinRPCError(f"the bitcoin node {self.url} redirected {method} to {display(location or '?', 120)}; not followed "
                                  "(a JSON-RPC endpoint has no reason to redirect, and the credentials go to the node only)")
        try:
            reply = jsonsafe.loads(raw)
        except ValueError:  # not JSON, nested too deep (jsonsafe), or not in a JSON encoding
            if status >= 400:  # Bitcoin Core answers errors with HTTP 500 + a JSON body; this one has none
                raise BitcoinRPCError(f"bitcoin node {self.url}: HTTP {status} on {method}") from None
            raise BitcoinRPCError(f"bitcoin node {self.url}: {method} answered something that is not JSON") from None
        if not isinstance(reply, dict):
            raise BitcoinRPCError(f"bitcoin node {self.url}: {method} answered a malformed reply")
        if reply.get("error"):
            err = reply["error"]
            raise BitcoinRPCError(f"bitcoin node: {method} failed: {err.get('message', err) if isinstance(err, dict) else err}")
        return reply.get("result")

    def _post(self, body: bytes) -> tuple[int, str | None, bytes]:
        """(status, Location, body) of one POST, all of it within ``timeout`` seconds."""
        parts = urlsplit(self.url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        deadline = time.monotonic() + self.timeout
        conn = cls(parts.hostname, parts.port, timeout=self.timeout)
        watchdog, expired = arm_watchdog(conn, self.timeout)
        try:
            headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
            if self._auth:
                headers["Authorization"] = f"Basic {self._auth}"
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            if resp.status in REDIRECTS:
                return resp.status, resp.getheader("Location"), b""
            length = (resp.getheader("Content-Length") or "").strip()
            if length.isdigit() and int(length) > MAX_REPLY_BYTES:
                raise BodyTooLarge(MAX_REPLY_BYTES)

            def pieces():
                while not expired.is_set():
                    piece = resp.read1(_CHUNK)
                    if not piece:
                        return
                    yield piece

            raw = read_capped(pieces(), MAX_REPLY_BYTES, deadline=deadline)
            if expired.is_set():
                raise _Expired
            return resp.status, None, raw
        except (OSError, http.client.HTTPException, TimeoutError):
            if expired.is_set() or time.monotonic() > deadline:
                raise _Expired from None
            raise
        finally:
            watchdog.cancel()
            conn.close()

    # ------------------------------------------------------------------ the three calls
    def block_hash(self, height: int) -> str:
        h = self.call("getblockhash", height)
        if not isinstance(h, str) or len(h) != 64:
            raise BitcoinRPCError(f"getblockhash {height}: not a block hash")
        return h

    def header(self, height: int) -> bytes:
        raw = self.call("getblockheader", self.block_hash(height), False)
        try:
            b = bytes.fromhex(raw)
        except (TypeError, ValueError):
            raise BitcoinRPCError(f"getblockheader at {height}: not hex") from None
        if len(b) != HEADER_BYTES:
            raise BitcoinRPCError(f"getblockheader at {height}: {len(b)} bytes, not 80")
        return b

    def block(self, height: int) -> dict:
        blk = self.call("getblock", self.block_hash(height), 2)
        if not isinstance(blk, dict) or not isinstance(blk.get("tx"), list) or not blk["tx"]:
            raise BitcoinRPCError(f"getblock at {height}: no transactions in the reply")
        return blk


class NodeSource:
    """Headers from a node for `relay.sync`: the epoch of ``from_height`` to ``to_height``, or to
    the node's tip (`getblockcount`) when that is lower: a watcher's fixed ``--to-height`` far
    ahead then waits for the next boundary instead of failing on blocks not mined yet."""

    def __init__(self, rpc: BitcoinRPC, from_height: int, to_height: int):
        if from_height < 0:
            raise InputError("--from-height", "must not be negative")
        if to_height < from_height:
            raise InputError("--to-height", "must not be below the start height")
        tip = rpc.call("getblockcount")
        if not isinstance(tip, int) or isinstance(tip, bool) or tip < 0:
            raise BitcoinRPCError(f"getblockcount answered {tip!r}, not a height")
        if from_height > tip:
            raise InputError("--from-height", f"{from_height:,} is above the node's tip {tip:,}")
        self.rpc = rpc
        self.first_epoch = from_height // RETARGET_INTERVAL
        self.to_height = min(to_height, tip)
        self.tip = tip
        self._cache: dict[int, bytes] = {}

    @property
    def epoch_start(self) -> tuple[int, bytes]:
        h = self.first_epoch * RETARGET_INTERVAL
        return h, self._header(h)

    def _header(self, h: int) -> bytes:
        if h not in self._cache:
            self._cache[h] = self.rpc.header(h)
        return self._cache[h]

    def boundaries(self) -> list[int]:
        return list(range((self.first_epoch + 1) * RETARGET_INTERVAL, self.to_height + 1, RETARGET_INTERVAL))

    def run(self, first: int, count: int) -> bytes:
        if first + count - 1 > self.to_height:
            why = f"the node's tip is {self.tip:,}" if self.to_height == self.tip else f"--to-height {self.to_height:,}"
            raise InputError("headers", f"height {first + count - 1:,} is not available yet ({why})")
        return b"".join(self._header(h) for h in range(first, first + count))

    def coinbase(self, height: int) -> tuple[bytes, list[bytes]] | None:
        """The block's coinbase (witness stripped) and its branch, from ``getblock hash 2``."""
        if height > self.to_height:
            return None
        txids, coinbase = _coinbase_and_txids(self.rpc.block(height), height)
        return coinbase, coinbase_branch(txids)


def _coinbase_and_txids(blk: dict, height: int) -> tuple[list[bytes], bytes]:
    try:
        return [from_display(t["txid"]) for t in blk["tx"]], strip_witness(blk["tx"][0]["hex"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BitcoinRPCError(f"getblock at {height}: malformed transaction list ({exc})") from None


def reward_proof(rpc: BitcoinRPC, height: int, confirmations: int) -> RewardProof:
    """The reward proof of the block at ``height`` with ``confirmations`` headers on top."""
    txids, coinbase = _coinbase_and_txids(rpc.block(height), height)
    headers = b"".join(rpc.header(h) for h in range(height, height + confirmations + 1))
    return RewardProof(height=height, headers=headers, coinbase=coinbase, branch=coinbase_branch(txids))
