"""Bitcoin Core's JSON-RPC as a source of headers and reward proofs.

Three calls, with the result shapes Bitcoin Core documents: ``getblockhash height`` -> hex hash;
``getblockheader hash false`` -> the 80-byte header as hex; ``getblock hash 2`` -> an object whose
``tx`` list holds each transaction as an object with ``txid`` and ``hex`` (the coinbase first).
`NodeSource` serves `relay.sync` like a header file; `reward_proof` builds a block-reward proof.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from hashtrust.bitcoin.consensus import HEADER_BYTES, RETARGET_INTERVAL, from_display
from hashtrust.bitcoin.proofs import RewardProof
from hashtrust.bitcoin.tx import coinbase_branch, strip_witness
from hashtrust.chain import jsonsafe
from hashtrust.errors import HashtrustError, InputError


class BitcoinRPCError(HashtrustError):
    """The node could not be reached or refused a call."""


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
        self._id += 1
        body = json.dumps({"jsonrpc": "1.0", "id": self._id, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        if self._auth:
            req.add_header("Authorization", f"Basic {self._auth}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                reply = jsonsafe.loads(resp.read())
        except urllib.error.HTTPError as exc:  # Bitcoin Core answers errors with HTTP 500 + a JSON body
            try:
                reply = jsonsafe.loads(exc.read())
            except Exception:  # noqa: BLE001
                raise BitcoinRPCError(f"bitcoin node {self.url}: HTTP {exc.code} on {method}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise BitcoinRPCError(f"cannot reach the bitcoin node at {self.url} ({getattr(exc, 'reason', exc)})") from None
        except ValueError:  # not JSON, nested too deep (jsonsafe), or not in a JSON encoding
            raise BitcoinRPCError(f"bitcoin node {self.url}: {method} answered something that is not JSON") from None
        if not isinstance(reply, dict):
            raise BitcoinRPCError(f"bitcoin node {self.url}: {method} answered a malformed reply")
        if reply.get("error"):
            err = reply["error"]
            raise BitcoinRPCError(f"bitcoin node: {method} failed: {err.get('message', err) if isinstance(err, dict) else err}")
        return reply.get("result")

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
    """Headers from a node for `relay.sync`: the epoch of ``from_height`` to ``to_height``."""

    def __init__(self, rpc: BitcoinRPC, from_height: int, to_height: int):
        if to_height < from_height:
            raise InputError("--to-height", "must not be below the start height")
        self.rpc = rpc
        self.first_epoch = from_height // RETARGET_INTERVAL
        self.to_height = to_height
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
            raise InputError("--to-height", f"{self.to_height:,} is below height {first + count - 1:,}")
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
