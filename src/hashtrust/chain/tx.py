"""Signing and sending transactions: one sender per account, explicit nonces, batches.

Every script, test helper, benchmark and the CLI send transactions through `TxSender`:

* **Preflight.** Each call is gas-estimated first; a call the contract would refuse raises
  `RevertError` with the contract's revert reason, and nothing is sent.
* **Explicit nonces, no waiting in between.** `transact_many` preflights, signs and sends a
  window of transactions as JSON-RPC batches (one round trip for the preflight, one for the
  sends, one for the receipts) and collects a window's receipts while the next one is on its
  way (fast on Anvil and on real networks alike).
* **Nothing twice.** A dropped RPC reply is retried by re-sending the *same signed bytes*
  (same nonce, same hash), so a retry can never become a second transaction. `settle()` waits
  until transactions an earlier (crashed) run left in flight are mined, so resumable scripts
  read the chain only after it reflects everything they already sent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_checksum_address, is_hex_address
from eth_utils.abi import collapse_if_tuple
from web3 import Web3
from web3.exceptions import (
    CannotHandleRequest,
    ContractCustomError,
    ContractLogicError,
    TransactionNotFound,
    Web3TypeError,
)

from hashtrust.chain import files
from hashtrust.chain.decode import decode_logs, decode_output, event_topic
from hashtrust.chain.failures import http_status, node_message
from hashtrust.errors import NodeError, RevertError, TransactionError, TransactionInDoubt

log = logging.getLogger("hashtrust.chain.tx")

# Errors of the transport (node down, connection reset, reply lost, an HTTP error status): safe
# to retry with the same bytes. An HTTP error status (a rate limiter's 429, a gateway's 502/504)
# says nothing about whether the node took the request: gateways answer so after forwarding it.
try:  # requests is what web3's HTTPProvider uses
    from requests.exceptions import ConnectionError as _ReqConnErr
    from requests.exceptions import HTTPError as _ReqHttpErr
    from requests.exceptions import Timeout as _ReqTimeout

    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (_ReqConnErr, _ReqTimeout, _ReqHttpErr, ConnectionError, TimeoutError, CannotHandleRequest)
except ImportError:  # pragma: no cover
    _TRANSPORT_ERRORS = (ConnectionError, TimeoutError, CannotHandleRequest)
# (ape's web3 sits on an AutoProvider, which raises CannotHandleRequest once the node is gone.)

# Errors a node raises for a call the contract refuses. The in-process test chain (eth-tester,
# `--network ethereum:local:test`) raises its own `TransactionFailed` instead of a web3 error.
# eth-tester is not imported here: it pulls in py-evm (~0.4 s of every CLI start), and its error
# can only be raised once the in-process chain has imported it, so it is looked up when caught.
_NODE_CALL_ERRORS: tuple[type[BaseException], ...] = (ContractLogicError, ContractCustomError, ValueError)

# The most a transaction may pay per gas (max fee, tip, or legacy gas price), in gwei. The fees
# come from the node (its latest base fee, its suggested tip): a hostile or compromised endpoint
# could name any tip and the signed bytes would pay it, so nothing above this ceiling is signed.
# 500 gwei is above anything mainnet has needed outside extreme spikes and far above any devnet;
# override with ``TxSender(max_fee_gwei=...)`` or ``HASHTRUST_MAX_FEE_GWEI``.
MAX_FEE_ENV = "HASHTRUST_MAX_FEE_GWEI"
DEFAULT_MAX_FEE_GWEI = 500


def max_fee_ceiling(gwei: float | None = None) -> int:
    """The fee ceiling in wei: ``gwei`` if given, else ``$HASHTRUST_MAX_FEE_GWEI``, else 500 gwei."""
    if gwei is None:
        raw = os.environ.get(MAX_FEE_ENV, "").strip()
        if raw:
            try:
                gwei = float(raw)
            except ValueError:
                raise TransactionError(f"{MAX_FEE_ENV}={raw!r} is not a number of gwei") from None
        else:
            gwei = DEFAULT_MAX_FEE_GWEI
    if not gwei > 0 or gwei != gwei or gwei == float("inf"):
        raise TransactionError(f"the fee ceiling must be a positive number of gwei, not {gwei!r}")
    return int(gwei * 10**9)


def _gwei(wei: int) -> str:
    return f"{wei / 10**9:,.9f}".rstrip("0").rstrip(".")


def _call_errors() -> tuple[type[BaseException], ...]:
    """The errors a refused call raises: the node's, plus eth-tester's once it is loaded."""
    tester = sys.modules.get("eth_tester.exceptions")
    failed = getattr(tester, "TransactionFailed", None)
    return _NODE_CALL_ERRORS if failed is None else (*_NODE_CALL_ERRORS, failed)


class Signer(Protocol):
    """Anything that can sign a transaction dict for one address."""

    address: str

    def sign_transaction(self, tx: dict) -> bytes:  # pragma: no cover - protocol
        ...


# The fields of an EIP-1559 transaction as `TxSender` builds it; anything else goes through eth-account.
_EIP1559_FIELDS = {"chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gas", "to", "value", "data"}


class LocalSigner:
    """A signer holding a private key in memory (eth-account).

    The EIP-1559 transactions `TxSender` builds are serialised here (RLP) and signed with the
    account's eth-keys key: the same bytes as eth-account's ``sign_transaction`` (deterministic
    RFC 6979 signatures, low s), without its per-call validation and re-formatting, which cost
    more than the signature itself. Any other transaction (legacy, access lists, ...) is signed
    by eth-account.
    """

    def __init__(self, account: LocalAccount, *, devnet: bool = False):
        self.account = account
        self.address = account.address
        # A publicly known key (Anvil's mnemonic, ape's test accounts): `TxSender` refuses to
        # send with it anywhere but a local devnet (`hashtrust.chain.devnet.require_devnet`).
        self.devnet = devnet

    @classmethod
    def from_key(cls, key: str | bytes, *, devnet: bool = False) -> LocalSigner:
        return cls(Account.from_key(key), devnet=devnet)

    def sign_transaction(self, tx: dict) -> bytes:
        keys = set(tx)
        if keys <= _EIP1559_FIELDS and keys >= _EIP1559_FIELDS - {"to", "data", "value"} and (not tx.get("to") or is_checksum_address(tx["to"])):
            return self._sign_eip1559(tx)
        return bytes(self.account.sign_transaction(tx).raw_transaction)

    def _sign_eip1559(self, tx: dict) -> bytes:
        to = tx.get("to")
        data = tx.get("data") or b""
        fields = [
            int(tx["chainId"]),
            int(tx["nonce"]),
            int(tx["maxPriorityFeePerGas"]),
            int(tx["maxFeePerGas"]),
            int(tx["gas"]),
            bytes.fromhex(to[2:]) if to else b"",
            int(tx.get("value") or 0),
            bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else bytes(data),
            [],  # access list
        ]
        sig = self.account._key_obj.sign_msg_hash(Web3.keccak(b"\x02" + rlp.encode(fields)))
        return b"\x02" + rlp.encode(fields + [sig.v, sig.r, sig.s])

    def __repr__(self) -> str:
        return f"LocalSigner({self.address})"


def revert_reason(exc: BaseException) -> str | None:
    """Extract the contract's revert string from a web3 / provider exception, or None."""
    if isinstance(exc, ContractCustomError):
        return f"custom error {exc.data!r}"
    msg: Any
    if isinstance(exc, ContractLogicError):
        msg = exc.message or str(exc)
    else:
        msg = exc.args[0] if exc.args else str(exc)
        if isinstance(msg, dict):
            msg = msg.get("message", str(msg))
        msg = str(msg)
        if "revert" not in msg.lower():
            return None
    msg = str(msg)
    for prefix in ("execution reverted: ", "execution reverted:", "VM Exception while processing transaction: revert "):
        if msg.startswith(prefix):
            return msg[len(prefix) :].strip() or "execution reverted (no reason)"
    if msg.strip() == "execution reverted":
        return "execution reverted (no reason)"
    return msg


def call_view(fn: Any, *, action: str = "", block: Any = "latest") -> Any:
    """Call a view function; a revert becomes `RevertError` with the contract's reason.

    The return data is decoded by `hashtrust.chain.decode` (strings leniently, as `ChainText`),
    so a non-UTF-8 string returned by the contract never makes the call fail."""
    try:
        data = fn.w3.eth.call({"to": fn.address, "data": calldata(fn)}, block_identifier=block)
        return decode_output(fn.abi, data)
    except (*_call_errors(), _RpcError) as exc:
        reason = revert_reason(exc)
        if reason is not None:
            raise RevertError(reason, action=action or _describe(fn)) from None
        if isinstance(exc, _RpcError):  # the node's error reply (a rate limit, a lagging backend)
            raise NodeError(f"{action or _describe(fn)}: the node answered eth_call with an error: {_detail(exc)}", method="eth_call") from None
        raise


def _describe(fn: Any) -> str:
    name = getattr(fn, "fn_name", None) or getattr(fn, "abi_element_identifier", None) or "call"
    return str(name)


def calldata(call: Any) -> str:
    """The ABI-encoded input of a web3 contract function call, 0x-prefixed.

    Encoded by web3's own codec straight from the function's ABI; arguments the codec does not
    take as given (hex strings for bytes, ENS names, dicts for tuples) go through web3's
    normalising encoder instead. Both give the same bytes for the same call; the direct path
    skips web3's per-argument normalisation, which costs ~2 ms a call.
    """
    if _checksummed(call.arguments):
        try:
            types = [collapse_if_tuple(i) for i in call.abi.get("inputs", [])]
            return call.selector + call.w3.codec.encode(types, call.arguments).hex()
        except Exception:  # noqa: BLE001 - anything the strict codec refuses: web3 normalises it
            pass
    return call._encode_transaction_data()


def _checksummed(value: Any) -> bool:
    """False when ``value`` holds an address string web3 would refuse (not checksummed)."""
    if isinstance(value, str):
        return not is_hex_address(value) or is_checksum_address(value)
    if isinstance(value, (list, tuple)):
        return all(_checksummed(v) for v in value)
    return True


def _shape(tx: dict) -> tuple:
    """What calls sharing a gas limit have in common: target, selector, calldata length, value or not."""
    data = tx.get("data", "0x")
    return (tx.get("to"), data[:10], len(data), bool(tx.get("value")))


def _call_params(tx: dict) -> dict:
    """The JSON-RPC ``eth_call`` / ``eth_estimateGas`` object of a built transaction."""
    out = {"from": tx["from"], "value": hex(int(tx.get("value") or 0)), "data": tx.get("data", "0x")}
    if tx.get("to"):
        out["to"] = tx["to"]
    return out


def _int(v: Any) -> int:
    """A JSON-RPC quantity (hex string; the in-process test chain answers plain ints)."""
    return int(v, 16) if isinstance(v, str) else int(v)


class _Unreachable(Exception):
    """Internal: the node stopped answering while a nonce was being settled."""


class _NotMined(Exception):
    """Internal: the chain did not mine a nonce being settled within the timeout."""


@dataclass
class Pending:
    """A signed transaction that was handed to the node."""

    tx_hash: str
    nonce: int
    action: str
    tx: dict
    raw: bytes


@dataclass
class _Slot:
    """A nonce whose outcome is not known yet (`TxSender` settles it before anything new)."""

    candidates: list[Pending]  # our signed transactions at this nonce that the node may hold
    refused: bool = False  # the node refused what we sent at this nonce: none of it is in its pool


_KNOWN = ("already known", "already imported", "known transaction")
# How `TxSender.settle` reads the node's queued transactions of one account, best first.
_POOL_METHODS = ("txpool_contentFrom", "txpool_inspect", "txpool_content")
try:
    from web3.exceptions import Web3RPCError as _RpcError  # web3 7: an error reply from the node
except ImportError:  # pragma: no cover
    _RpcError = ValueError  # type: ignore[misc,assignment]

# A read while settling may meet a transport error or a node's error reply (a rate limit, a
# lagging backend): either way nothing is decided, and the doubt stays.
_READ_ERRORS: tuple[type[BaseException], ...] = (*_TRANSPORT_ERRORS, _RpcError)

# The only error replies to ``eth_sendRawTransaction`` that prove the node refused the
# transaction (it is not in its pool and it did not forward it): the transaction itself is
# invalid where it stands (geth's, Erigon's, Nethermind's, reth's and Anvil's wording; lower
# case substrings). Any other error reply -- "request timed out", "internal error", a
# gateway's own message, a revert some nodes report *after* mining -- proves nothing: the
# transaction is looked up, resent (same bytes) and, if still unknown, its nonce is settled
# before anything is reported (docs/reliability.md, "What proves a refusal").
REFUSALS: tuple[str, ...] = (
    "nonce too low",  # its nonce is taken (unless the transaction taking it is this one: looked up)
    "nonce too high",
    "insufficient funds",
    "invalid signature",
    "invalid sender",
    "invalid transaction signature",
    "underpriced",  # "transaction underpriced", "replacement transaction underpriced"
    "less than block base fee",  # "max fee per gas less than block base fee"
    "fee cap less than",
    "tip higher than fee cap",
    "max priority fee per gas higher than max fee per gas",
    "intrinsic gas too low",
    "gas too low",
    "exceeds block gas limit",
    "gas limit reached",
    "oversized data",
    "exceeds the configured cap",  # geth's --rpc.txfeecap
    "txpool is full",
    "transaction pool is full",
    "invalid chain id",
    "incorrect chain id",
    "chain id mismatch",
    "only replay-protected",
    "transaction type not supported",
    "tx type not supported",
)


def proves_refusal(message: str) -> bool:
    """Whether a node's error reply to ``eth_sendRawTransaction`` proves it refused the
    transaction (one of `REFUSALS`)."""
    msg = message.lower()
    return any(k in msg for k in REFUSALS)


def _why(exc: BaseException) -> str:
    """A short name of a transport failure: the exception type, with the HTTP status when there is one."""
    status = http_status(exc)
    return f"{type(exc).__name__} {status}" if status else type(exc).__name__


_detail = node_message  # the node's message of an error reply, on one line


# How long an automining Anvil may leave the account's next nonce unmined while it holds our
# transaction there before `TxSender` hands it back (`TxSender._unstrand`): automine mines in
# milliseconds, so one second without progress is a stranded transaction, not a busy node.
STALL_AFTER = 1.0

# How long a run waits for an account's turn (`TxSender._turn`) that another run holds: a turn
# lasts while one window is signed and handed to the node, which retries an unreachable node for
# up to ``unreachable_after`` (30 s by default).
TURN_WAIT = 120.0


def _stderr_line(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class TxSender:
    """Sends transactions for one signer on one chain with locally tracked nonces."""

    def __init__(
        self,
        w3: Web3,
        signer: Signer,
        *,
        gas_margin: float = 1.25,
        gas_extra: int = 10_000,
        poll_interval: float = 0.005,
        timeout: float = 120.0,
        send_retries: int = 6,
        unreachable_after: float = 30.0,
        max_fee_gwei: float | None = None,
    ):
        self.w3 = w3
        self.max_fee = max_fee_ceiling(max_fee_gwei)  # wei per gas; nothing above it is signed
        self.signer = signer
        self.address = Web3.to_checksum_address(signer.address)
        self.gas_margin = gas_margin
        self.gas_extra = gas_extra
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.send_retries = send_retries  # kept for callers; resends are bounded by `unreachable_after`
        self.unreachable_after = unreachable_after
        _cache_chain_id(w3)
        if getattr(signer, "devnet", False):
            from hashtrust.chain.devnet import require_devnet

            require_devnet(
                w3,
                f"signing with a publicly known dev key ({self.address})",
                hint="sign with your own key (--private-key-env VAR, or an ape account alias)",
            )
        self.chain_id = w3.eth.chain_id
        self._nonce: int | None = None
        self._fees: tuple[float, dict] | None = None
        self._gas_limit: int | None = None
        self._shape_gas: dict[tuple, int] = {}  # gas limit per call shape (`_preflight_many`)
        self._doubt: dict[int, _Slot] = {}  # nonces to settle before anything new is sent
        self._handed = -1  # highest nonce the node may hold a transaction of ours at
        self._pool_method = 0  # index in _POOL_METHODS of the first pool read the node may offer
        self._flight: dict[int, Pending] = {}  # nonce -> our latest transaction the node may hold there, not known mined
        self._anvil: bool | None = None  # does the node say it is Anvil (asked once, on the first stall)
        self.stall_after = STALL_AFTER
        self._me = f"{os.getpid()}:{secrets.token_hex(8)}"  # this sender's tag in its account's turn
        self._chain_key: str | None = None  # `chain_key`, read once
        self.notice: Callable[[str], Any] = _stderr_line  # told when its turn is not free after a second

    # ------------------------------------------------------------------ nonces
    def settle(self, timeout: float | None = None) -> int:
        """Make every transaction of this account that can still execute land, then return the next nonce.

        A crashed earlier run may have left transactions in flight, or queued behind a nonce
        that never reached the node (a gap: the node holds them, but cannot mine them until the
        gap is filled, and would mine them the moment anything fills it). A resumable script
        calls this before reading what is already done on chain, so it never sends the same
        work twice and nothing of an earlier run executes after it looked:

        1. nonces this sender could not settle earlier (`TransactionInDoubt`) are settled first;
        2. the node's queued transactions of this account are read (`_queued_nonces`:
           ``txpool_contentFrom`` where the node offers it, else ``txpool_inspect``, else
           ``txpool_content``; nothing where the node has no txpool namespace): each gap below a
           queued transaction of this account is filled with a 0-value self-transfer, so the
           queued ones can land;
        3. it waits until the account has nothing pending (``pending`` nonce == ``latest``).
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._settle_doubt()
        stalled_at = time.monotonic()
        while True:
            latest, pending = self._counts()
            queued = self._queued_nonces()
            gaps = [n for n in range(pending, max(queued) + 1) if n not in queued] if queued else []
            if gaps:
                for n in gaps:
                    self._doubt.setdefault(n, _Slot([]))
                self._handed = max(self._handed, max(queued))
                self._settle_doubt()
                continue
            if pending <= latest and not queued:
                self._nonce = latest
                self._flight.clear()  # nothing of ours is held: no earlier bytes may be handed back after this
                return latest
            if queued and not gaps and time.monotonic() - stalled_at > self.stall_after:
                self._unstrand(latest)  # queued with no gap below: a pool Anvil stranded (a restarted run has nothing in flight)
                stalled_at = time.monotonic()
            if time.monotonic() > deadline:
                raise TransactionError(
                    f"{pending - latest} transaction(s) of {self.address} still pending after "
                    f"{timeout or self.timeout:.0f}s; is the chain mining?"
                )
            time.sleep(0.2)

    def _counts(self) -> tuple[int, int]:
        """(latest, pending) transaction counts of the account."""
        try:
            return (
                self.w3.eth.get_transaction_count(self.address, "latest"),
                self.w3.eth.get_transaction_count(self.address, "pending"),
            )
        except _TRANSPORT_ERRORS as exc:
            raise TransactionError(f"{self.address}: could not reach the node ({_why(exc)})") from None
        except _RpcError as exc:
            raise TransactionError(f"{self.address}: the node answered reading the account's nonce with an error: {_detail(exc)}") from None

    def _queued_nonces(self) -> set[int]:
        """Nonces of this account's transactions the node holds queued (waiting behind a gap);
        empty when the node does not offer its pool.

        Asks for this account's transactions only (``txpool_contentFrom``: geth, reth, Erigon),
        else for the pool's one-line summaries (``txpool_inspect``: Anvil; measured with 2,001
        transactions in Anvil's pool: 186 KB in 3 ms instead of ``txpool_content``'s 1.2 MB in
        0.6-0.8 s), else for the whole pool (``txpool_content``); a node without a txpool
        namespace has no pool to read. The first method the node offers is remembered."""
        for i in range(self._pool_method, len(_POOL_METHODS)):
            method = _POOL_METHODS[i]
            params = [self.address] if method == "txpool_contentFrom" else []
            try:
                reply = self.w3.provider.make_request(method, params)
            except Exception:  # noqa: BLE001 - a transport failure or a provider refusing the method: try the next, this time
                continue
            result = reply.get("result") if isinstance(reply, dict) else None
            if not isinstance(result, dict):  # the node answered that it does not offer it: never again
                self._pool_method = max(self._pool_method, i + 1)
                continue
            if method == "txpool_contentFrom":
                mine = result.get("queued")
            else:
                queued = result.get("queued")
                mine = {str(k).lower(): v for k, v in queued.items()}.get(self.address.lower()) if isinstance(queued, dict) else None
            out = set()
            for k in mine if isinstance(mine, dict) else ():
                try:
                    out.add(int(k))
                except (TypeError, ValueError):
                    continue
            return out
        return set()

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.address, "pending")
        n = self._nonce
        self._nonce += 1
        return n

    # ------------------------------------------------------------------ fees
    def _fee_fields(self) -> dict:
        now = time.monotonic()
        if self._fees and now - self._fees[0] < 5:
            return self._fees[1]
        block = self.w3.eth.get_block("latest")
        self._gas_limit = int(block["gasLimit"])
        base = block.get("baseFeePerGas")
        if base is None:
            fields = {"gasPrice": self.w3.eth.gas_price}
        else:
            try:
                tip = int(self.w3.eth.max_priority_fee)
            except Exception:  # noqa: BLE001 - nodes without eth_maxPriorityFeePerGas
                tip = 10**9
            fields = {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}
        for key, value in fields.items():
            self._check_fee(key, int(value))
        self._fees = (now, fields)
        return fields

    def _check_fee(self, key: str, value: int) -> None:
        """Refuse (before signing) a fee per gas above the ceiling."""
        if value > self.max_fee:
            name = {"gasPrice": "a gas price", "maxFeePerGas": "a max fee", "maxPriorityFeePerGas": "a tip"}.get(key, key)
            raise TransactionError(
                f"the node asks {name} of {_gwei(value)} gwei per gas, above your cap of {_gwei(self.max_fee)} gwei: "
                f"nothing was signed (raise the cap with {MAX_FEE_ENV} if the network truly costs this)"
            )

    # ------------------------------------------------------------------ build/send
    def build(self, call: Any, *, value: int = 0, gas: int | None = None, action: str = "") -> dict:
        """Turn a contract function call (or a raw tx dict) into a full unsigned tx; preflights it."""
        action = action or _describe(call)
        if isinstance(call, dict):
            tx = dict(call)
            tx.setdefault("value", value)
        else:
            tx = {"to": call.address, "data": calldata(call), "value": value}
        tx["from"] = self.address
        tx["chainId"] = self.chain_id
        try:
            if gas is None:
                try:
                    est = self.w3.eth.estimate_gas({k: v for k, v in tx.items() if k in ("from", "to", "data", "value")})
                except _call_errors() as exc:
                    reason = revert_reason(exc)
                    if reason is None:
                        raise TransactionError(f"{action}: gas estimation failed: {exc}") from None
                    raise RevertError(reason, action=action) from None
                gas = int(est * self.gas_margin) + self.gas_extra
                self._fee_fields()  # also refreshes the block gas limit (same block, cached 5 s)
                if self._gas_limit is not None:
                    gas = min(gas, self._gas_limit)
            tx["gas"] = gas
            tx.update(self._fee_fields())
        except _TRANSPORT_ERRORS as exc:  # node down: one clear line, not the transport's traceback
            raise TransactionError(f"{action}: could not reach the node ({_why(exc)})") from None
        except _RpcError as exc:  # a node's error reply to a read (nothing was sent)
            raise TransactionError(f"{action}: the node answered with an error before anything was sent: {_detail(exc)}") from None
        return tx

    def submit(
        self, call: Any, *, value: int = 0, gas: int | None = None, action: str = "", on_signed: Callable[[Pending], None] | None = None
    ) -> Pending:
        """Preflight, sign with the next nonce and hand to the node; returns without waiting.

        ``on_signed(pending)`` runs after signing and before anything is sent (the nonce and the
        hash are final then): e.g. `hashtrust.deploy` journals a deployment there, so a run
        interrupted before its receipt finds it again."""
        action = action or _describe(call)
        self._settle_doubt()
        tx = self.build(call, value=value, gas=gas, action=action)
        with self._turn():
            pending = self._sign(tx, action)
            if on_signed is not None:
                on_signed(pending)
            self._send_raw(pending)
        return pending

    def chain_key(self) -> str:
        """This chain's identity in turn names: chain id and (the start of) its genesis hash, as
        the address book tells chains apart (every Anvil on a machine is chain 31337; keyed by
        chain id alone, a send stuck on one devnet made commands on another wait for it --
        new-user review)."""
        if self._chain_key is None:
            from hashtrust.chain.addressbook import genesis_hash

            try:
                genesis = genesis_hash(self.w3)[2:18]
            except _TRANSPORT_ERRORS as exc:
                raise TransactionError(f"could not reach the node ({_why(exc)}); nothing was sent") from None
            self._chain_key = f"{self.chain_id}-{genesis}"
        return self._chain_key

    def turn_name(self) -> str:
        """The name of this account's turn on this chain (`chain_key` and the address)."""
        return f"nonce-{self.chain_key()}-{self.address.lower()}"

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold this account's turn for a whole job: across the check "is this already on
        chain?" and the sends that follow, so that a second run of the same job waits, then
        finds the work done and sends nothing (new-user review: two `agents register FILE` at
        once with one key registered every agent twice). The sender's own turn around each
        window is taken inside it without waiting (`hashtrust.chain.files.turn` is reentrant)."""
        with files.turn(self.turn_name(), None, wait=TURN_WAIT, what=f"the turn of {self.address} on chain {self.chain_id}",
                        notice=self.notice):
            yield

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """This account's turn on this chain among the runs of this machine, for signing with
        new nonces and handing the result to the node (`hashtrust.chain.files.turn`).

        Two runs signing with one key at once (two `agents register` started together, two
        faucets) each numbered from the node's count when they started and signed the same
        nonces; one of them failed half-way with "nonce too low". In its turn a sender whose
        account was used by another sender since its last turn (the tag left in the turn says
        so) reads the node's count again and goes on from there; a sender alone on its account
        reads nothing more than before."""
        with files.turn(self.turn_name(), self._me, wait=TURN_WAIT,
                        what=f"the turn of {self.address} on chain {self.chain_id}", notice=self.notice) as previous:
            if self._nonce is not None and previous not in ("", self._me):
                self._nonce = max(self._nonce, self.w3.eth.get_transaction_count(self.address, "pending"))
            yield

    def _send_raw(self, p: Pending) -> None:
        """Hand one signed transaction to the node.

        A transport error (the reply lost, the node unreachable, an HTTP error status) or an
        error reply that does not prove a refusal (`proves_refusal`) is followed by a look-up and
        a resend of the *same signed bytes*, for up to ``unreachable_after`` seconds: a resend can
        never become a second transaction. If the node still does not hold it, its nonce is
        settled (`_conclude`: the receipt when it was mined after all, `TransactionError` once a
        replacement holds the nonce, `TransactionInDoubt` when that cannot be finished); if the
        node proves it refused it, its nonce is reused or filled (`_refused_many`)."""
        delay = 0.2
        give_up = time.monotonic() + self.unreachable_after
        last = ""
        while True:
            try:
                self.w3.eth.send_raw_transaction(p.raw)
                self._hand(p)
                return
            except _TRANSPORT_ERRORS as exc:  # reply lost or node unreachable: resend the same bytes
                last = f"could not reach the node to send {p.tx_hash} ({_why(exc)})"
            except (ValueError, _RpcError) as exc:
                verdict, err = self._judge_send_error(exc, p)
                if verdict == "held":
                    self._hand(p)
                    return
                if verdict == "refused":
                    assert err is not None
                    self._refused_many([p])
                    raise err from None
                last = f"the node answered sending {p.tx_hash} with an error that does not prove a refusal ({_detail(exc)})"
            time.sleep(delay)
            delay = min(delay * 2, 3.0)
            if self._known(p.tx_hash):
                self._hand(p)
                return
            if time.monotonic() > give_up:
                self._hand(p)
                self._doubt[p.nonce] = _Slot([p])
                self._conclude([p], last)
                return  # settled: the transaction itself was mined

    def _hand(self, p: Pending) -> None:
        """Record that the node may hold ``p`` (its nonce, and the signed bytes `_unstrand` hands back)."""
        self._handed = max(self._handed, p.nonce)
        self._flight[p.nonce] = p

    def _forget_mined(self, mined: int) -> None:
        """Drop the in-flight record below ``mined`` (the account's mined nonce: all of it is mined)."""
        for n in [n for n in self._flight if n < mined]:
            del self._flight[n]

    def _on_automining_anvil(self) -> bool:
        """Whether the node is an Anvil that mines every transaction as it arrives. Costs nothing
        once the node said it is something else (one ``web3_clientVersion`` per sender)."""
        if self._anvil is False:
            return False
        provider = self.w3.provider
        try:
            if self._anvil is None:
                version = provider.make_request("web3_clientVersion", []).get("result")
                self._anvil = isinstance(version, str) and version.lower().startswith("anvil/")
                if not self._anvil:
                    return False
            return provider.make_request("anvil_getAutomine", []).get("result") is True
        except Exception:  # noqa: BLE001 - no answer: not known to be Anvil, so nothing is done this time
            return False

    def _pool_raws(self) -> dict[int, bytes] | None:
        """nonce -> signed bytes of every transaction of this account in the node's pool (ready
        and queued), or None when any of them cannot be read back exactly (then nothing is
        taken out of the pool: what cannot be handed back stays where it is).

        Our own transactions come from the in-flight record; any other (the same key used by
        another run, a wallet, `cast`) from ``eth_getRawTransactionByHash``, accepted only when
        its bytes hash to the pool's hash and are signed by this account."""
        content = self.w3.provider.make_request("txpool_content", []).get("result")
        if not isinstance(content, dict):
            return None
        out: dict[int, bytes] = {}
        ours = {p.tx_hash.lower(): p.raw for p in self._flight.values()}
        for section in ("pending", "queued"):
            by_sender = content.get(section)
            if not isinstance(by_sender, dict):
                continue
            mine = {str(k).lower(): v for k, v in by_sender.items()}.get(self.address.lower())
            for k, tx in (mine.items() if isinstance(mine, dict) else ()):
                nonce, tx_hash = int(k), str(tx.get("hash", "")).lower() if isinstance(tx, dict) else ""
                raw = ours.get(tx_hash)
                if raw is None:
                    reply = self.w3.provider.make_request("eth_getRawTransactionByHash", [tx_hash]).get("result")
                    raw = bytes.fromhex(str(reply).removeprefix("0x")) if isinstance(reply, str) else b""
                    if not raw or Web3.to_hex(Web3.keccak(raw)).lower() != tx_hash or Account.recover_transaction(raw) != self.address:
                        return None
                out[nonce] = raw
        return out

    def _unstrand(self, mined: int | None = None) -> bool:
        """Hand back what an automining Anvil stranded or lost; whether anything was handed back.

        Anvil (1.7, and its master as of 2026-08) reads the sender's nonce before it takes its
        pool's lock (``EthApi::send_raw_transaction``, then ``Pool::add_transaction``). A
        transaction that arrives while the one before it is being mined can be filed behind
        that one's marker after the marker was pruned: it waits in the pool's queue for a
        transaction that will never come, and nothing mines it (or anything after it) until
        something replaces it. A pipelined window (`transact_many` sends the next window while
        the node mines the last) meets this about once in tens of thousands of transactions on
        a loaded machine: the load run's funding stalled 120 s and its nonce went to a cancel.

        On an automining Anvil only, and only in one of two states, both read from the node:
        the account's next nonce (``mined``) is *queued* in the pool (never the case unless
        stranded), or our in-flight transaction at that nonce is unknown to the node (lost, e.g.
        by an earlier hand-back cut short). Then every transaction of the account the node holds
        is read back (`_pool_raws`: ours and anyone else's with this key; nothing is done if one
        cannot be), taken out of the pool (``anvil_removePoolTransactions``) and sent again in
        nonce order, together with our in-flight ones from that nonce on: the same signed bytes,
        so no new signature, no new hash, nothing that could execute twice. Any other node, any
        read it cannot make sense of, or any doubt does nothing here: the wait goes on and its
        timeout settles what is not mined (`_conclude`). ``settle`` calls it too, with nothing
        in flight, for a run restarted over a stranded pool."""
        try:
            if not self._on_automining_anvil():  # no request at all once the node said it is not Anvil
                return False
            if mined is None:
                mined = self.w3.eth.get_transaction_count(self.address, "latest")
            self._forget_mined(mined)
            if mined not in self._queued_nonces():
                first = self._flight.get(mined)
                if first is None or self._known(first.tx_hash):
                    return False  # nothing of ours at the next nonce, or the node holds it unqueued
            pool = self._pool_raws()
        except Exception:  # noqa: BLE001 - a reply that makes no sense (hostile or broken node): nothing is done
            return False
        if pool is None:
            return False
        back = {n: p.raw for n, p in self._flight.items() if n >= mined}
        back.update(pool)  # what the node holds wins at its nonce
        log.info("%s: the node stranded nonce %d; handing back %d transaction(s)", self.address, mined, len(back))
        calls = [("eth_sendRawTransaction", [Web3.to_hex(back[n])]) for n in sorted(back)]
        for attempt in range(3):
            try:
                if attempt == 0 and pool:
                    self.w3.provider.make_request("anvil_removePoolTransactions", [self.address])
                self._batch(calls)  # the replies are not read: the wait sees what lands
                break
            except Exception:  # noqa: BLE001 - the removal's outcome, or the resend's, is unknown: send the same bytes again
                time.sleep(0.2)
        return True

    def _judge_send_error(self, exc: BaseException, p: Pending) -> tuple[str, BaseException | None]:
        """What a node's error reply to sending ``p`` proves: ``("held", None)`` when the node
        has the transaction (an earlier attempt got through), ``("refused", error to report)``
        when the reply proves a refusal (`REFUSALS`; it will never execute), else
        ``("unproven", None)``: the caller looks it up and settles its nonce."""
        msg = str(exc).lower()
        if any(k in msg for k in _KNOWN):
            return "held", None
        if "nonce too low" in msg and self._known(p.tx_hash):
            return "held", None
        if not proves_refusal(msg):
            return "unproven", None
        return "refused", TransactionError(
            f"{p.action}: the node refused transaction {p.tx_hash} (nonce {p.nonce}): {_detail(exc)}; it will never execute",
            failed=[p.tx_hash],
        )

    def _refused_many(self, refused: Sequence[Pending]) -> None:
        """Refused transactions are not in the node's pool, but their nonces are spent locally.

        When nothing of ours was handed to the node above them, the nonces are simply reused
        (the next transaction takes the lowest). Otherwise later transactions wait behind the
        gap, so each refused nonce is filled with a 0-value self-transfer (`_settle_doubt`),
        which lets them land and leaves the refused ones nothing to execute at."""
        for p in refused:
            slot = self._doubt.setdefault(p.nonce, _Slot([], refused=True))
            slot.refused = slot.refused and not slot.candidates
        try:
            self._settle_doubt()
        except TransactionInDoubt:
            pass  # the node went away meanwhile: the next send (or a restart's settle) fills the gap

    def _send_raw_many(self, pending: Sequence[Pending]) -> None:
        """Hand signed transactions to the node in one JSON-RPC batch, with `_send_raw`'s rules.

        A lost reply (or an HTTP error status) is followed by a look-up of each transaction; only
        those the node does not know are sent again, with the same signed bytes. An error reply
        is judged per transaction (`_judge_send_error`): "already known" is success; one that
        does not prove a refusal is treated like a lost reply; refused ones raise (the first)
        after their nonces are reused or filled (`_refused_many`), so the others can land. What
        the node still does not hold after ``unreachable_after`` is settled (`_conclude`).
        """
        todo = list(pending)
        refused: list[tuple[Pending, BaseException]] = []
        delay = 0.2
        give_up = time.monotonic() + self.unreachable_after
        last = ""
        while todo:
            retry: list[Pending] = []
            try:
                replies = self._batch([("eth_sendRawTransaction", [Web3.to_hex(p.raw)]) for p in todo])
            except _TRANSPORT_ERRORS as exc:  # reply lost or node unreachable
                last = f"could not reach the node to send {len(todo)} transaction(s) ({_why(exc)})"
                retry = todo
            except TransactionError as exc:  # the node (or a gateway) answered the whole batch with an error
                replies = [{"error": {"message": str(exc)}}] * len(todo)
            if not retry:
                for p, reply in zip(todo, replies):
                    if "error" not in reply:
                        self._hand(p)
                        continue
                    verdict, err = self._judge_send_error(ValueError(reply["error"]), p)
                    if verdict == "held":
                        self._hand(p)
                    elif verdict == "refused":
                        assert err is not None
                        refused.append((p, err))
                    else:
                        last = f"the node answered sending {p.tx_hash} with an error that does not prove a refusal ({_detail(ValueError(reply['error']))})"
                        retry.append(p)
            if not retry:
                break
            time.sleep(delay)
            delay = min(delay * 2, 3.0)
            todo = [p for p in retry if not self._known(p.tx_hash)]
            for p in retry:
                if p not in todo:
                    self._hand(p)
            if todo and time.monotonic() > give_up:
                for p in todo:
                    self._hand(p)
                    self._doubt[p.nonce] = _Slot([p])
                for p, _ in refused:  # settled with the others (filled, or reused above them)
                    self._doubt.setdefault(p.nonce, _Slot([], refused=True))
                self._conclude(todo, last)  # raises unless every one of them was mined after all
                todo = []
        if refused:
            self._refused_many([p for p, _ in refused])
            raise refused[0][1]

    # ------------------------------------------------------------------ settling doubt
    def _settle_doubt(self) -> None:
        """Settle every nonce in doubt before anything new is sent; `TransactionInDoubt` when
        the node is unreachable (nothing new is sent then)."""
        if not self._doubt:
            return
        pendings = [c for slot in self._doubt.values() for c in slot.candidates]
        try:
            self._resolve()
        except (_Unreachable, _NotMined) as exc:
            first = min(self._doubt)
            raise TransactionInDoubt(
                f"{self.address}: {len(self._doubt)} earlier transaction(s) from nonce {first} are still in doubt "
                f"({exc}); nothing new was sent: retry once the node answers (or run again: `settle` repairs it)",
                in_doubt=[p.tx_hash for p in pendings],
            ) from None

    def _resolve(self) -> dict[int, tuple[Pending | None, Any]]:
        """Decide every nonce in doubt: nonce -> (the transaction mined at it, its receipt) or
        (None, None) when nothing of ours was mined there (the nonce was reused, or used by
        another transaction of this key).

        The rule: a nonce already mined is looked up. Refused-only nonces above everything the
        node may hold are reused (the local nonce goes back to the lowest). Every other nonce
        is *replaced*: a 0-value self-transfer at that nonce, with both fees at least 12.5 %
        above every transaction of ours there, is sent and the chain is waited on until the
        nonce is mined; then exactly one transaction holds it, and what was reported failed can
        never execute. Raises `_Unreachable` / `_NotMined` (the doubt stays) when that cannot
        be finished."""
        out: dict[int, tuple[Pending | None, Any]] = {}
        try:
            latest = self.w3.eth.get_transaction_count(self.address, "latest")
        except _READ_ERRORS as exc:
            raise _Unreachable(f"node unreachable: {_why(exc)}") from None
        for n in sorted(self._doubt):
            if n < latest:
                out[n] = self._winner(self._doubt.pop(n).candidates)
        if not self._doubt:
            return out
        if all(s.refused for s in self._doubt.values()) and min(self._doubt) > self._handed:
            low = min(self._doubt)
            for n in self._doubt:
                out[n] = (None, None)
            self._doubt.clear()
            if self._nonce is not None:
                self._nonce = min(self._nonce, low)
            for n in [n for n in self._flight if n >= low]:
                del self._flight[n]  # these nonces are signed afresh: their old bytes are never handed back
            return out
        try:
            self._fees = None  # today's fees, not the cached ones
            fees = self._fee_fields()
        except _READ_ERRORS as exc:
            raise _Unreachable(f"node unreachable: {_why(exc)}") from None
        for n in sorted(self._doubt):
            slot = self._doubt[n]
            cancel = self._cancel_tx(n, slot, fees)
            slot.candidates.append(cancel)
            try:
                self.w3.eth.send_raw_transaction(cancel.raw)
            except _TRANSPORT_ERRORS as exc:
                raise _Unreachable(f"node unreachable: {_why(exc)}") from None
            except (ValueError, _RpcError) as exc:
                msg = str(exc).lower()
                # "already known" / "nonce too low" (the nonce is mined): the wait below decides;
                # an error that proves nothing may have been forwarded: the wait decides too.
                if not (any(k in msg for k in _KNOWN) or "nonce too low" in msg) and proves_refusal(msg):
                    raise _NotMined(f"the node refused the replacement at nonce {n}: {_detail(exc)}") from None
            self._hand(cancel)
        top = max(self._doubt)
        deadline = time.monotonic() + self.timeout
        unreachable_since: float | None = None
        interval = self.poll_interval
        stalled_at = time.monotonic()
        while True:
            try:
                mined = self.w3.eth.get_transaction_count(self.address, "latest")
                if mined > top:
                    break
                unreachable_since = None
                if time.monotonic() - stalled_at > self.stall_after:
                    self._unstrand(mined)
                    stalled_at = time.monotonic()
            except _READ_ERRORS as exc:
                unreachable_since = unreachable_since or time.monotonic()
                if time.monotonic() - unreachable_since > self.unreachable_after:
                    raise _Unreachable(f"node unreachable: {_why(exc)}") from None
            if time.monotonic() > deadline:
                raise _NotMined(f"nonce {top} not mined within {self.timeout:.0f}s")
            time.sleep(interval)
            interval = min(interval * 1.5, 0.5)
        for n in sorted(self._doubt):
            out[n] = self._winner(self._doubt.pop(n).candidates)
        if self._nonce is not None:
            self._nonce = max(self._nonce, top + 1)
        return out

    def _cancel_tx(self, nonce: int, slot: _Slot, fees: dict) -> Pending:
        """A signed 0-value self-transfer at ``nonce`` that outbids every candidate there."""

        def bump(key: str) -> int:
            seen = [int(c.tx[key]) for c in slot.candidates if key in c.tx]
            return max([int(fees[key])] + [v * 9 // 8 + 1 for v in seen])

        tx: dict = {"chainId": self.chain_id, "nonce": nonce, "gas": 21_000, "to": self.address, "value": 0, "data": "0x"}
        if "gasPrice" in fees:
            tx["gasPrice"] = bump("gasPrice")
        else:
            tx["maxPriorityFeePerGas"] = bump("maxPriorityFeePerGas")
            tx["maxFeePerGas"] = max(bump("maxFeePerGas"), tx["maxPriorityFeePerGas"])
        for key in ("gasPrice", "maxPriorityFeePerGas", "maxFeePerGas"):
            if key in tx:
                self._check_fee(key, tx[key])
        raw = self.signer.sign_transaction(dict(tx))
        return Pending(tx_hash=Web3.to_hex(Web3.keccak(raw)), nonce=nonce, action=f"cancel nonce {nonce}", tx=tx, raw=raw)

    def _winner(self, candidates: Sequence[Pending]) -> tuple[Pending | None, Any]:
        """Which of ``candidates`` (all at one mined nonce) was mined, with its receipt."""
        for c in candidates:
            try:
                r = self.w3.eth.get_transaction_receipt(c.tx_hash)
            except TransactionNotFound:
                continue
            except _READ_ERRORS as exc:
                raise _Unreachable(f"node unreachable: {_why(exc)}") from None
            if r is not None:
                return c, r
        return None, None

    def _conclude(self, pending: Sequence[Pending], problem: str) -> list[Any]:
        """Settle the nonces of ``pending`` (in doubt) and report: their receipts when the
        transactions themselves were mined; `TransactionError` (``failed``: they will never
        execute) when their nonces went to replacements; `TransactionInDoubt` when the node
        went away before that could be decided."""
        try:
            outcomes = self._resolve()
        except (_Unreachable, _NotMined) as exc:
            first = min(pending, key=lambda p: p.nonce)
            raise TransactionInDoubt(
                f"{first.action}: {problem}; {len(pending)} transaction(s) from nonce {first.nonce} (first {first.tx_hash}) "
                f"may still execute ({exc}): nothing is reported failed; this sender settles them before its next "
                "transaction (a restarted run's `settle` does the same)",
                in_doubt=[p.tx_hash for p in pending],
            ) from None
        receipts, failed = [], []
        for p in pending:
            won, receipt = outcomes.get(p.nonce, (None, None))
            if won is not None and won.tx_hash == p.tx_hash:
                receipts.append(receipt)
            else:
                failed.append((p, won))
        if failed:
            p, won = failed[0]
            how = (
                f"its nonce {p.nonce} went to the 0-value self-transfer {won.tx_hash}" if won is not None
                else f"its nonce {p.nonce} was used by another transaction of {self.address}"
            )
            raise TransactionError(
                f"{p.action}: {problem}; {len(failed)} transaction(s) will never execute: {p.tx_hash} ({how})",
                failed=[q.tx_hash for q, _ in failed],
            )
        return receipts

    # ------------------------------------------------------------------ batches
    def _batch(self, calls: Sequence[tuple[str, list]]) -> list[dict]:
        """The raw JSON-RPC replies (``{"result": ...}`` or ``{"error": ...}``) of ``calls``, in order.

        Sent as one JSON-RPC batch; a provider without batches (the in-process test chain) gets
        them one by one. Transport errors propagate (the callers retry or report them).
        """
        provider = self.w3.provider
        if not calls:
            return []
        batch = getattr(provider, "make_batch_request", None)
        if batch is None:  # one by one, through web3's request formatting (the in-process chain wants ints)
            return [self._one(method, params) for method, params in calls]
        replies = batch(list(calls))
        if isinstance(replies, dict):  # the node refused the whole batch
            raise TransactionError(f"the node refused a batch of {len(calls)} {calls[0][0]}: {replies.get('error', replies)}")
        return list(replies)

    def _one(self, method: str, params: list) -> dict:
        """One JSON-RPC call as a raw reply (``{"result": ...}`` or ``{"error": ...}``)."""
        try:
            return {"result": self.w3.manager.request_blocking(method, params)}
        except _TRANSPORT_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - the node's refusal, kept as the reply's error
            return {"error": {"message": str(exc)}}

    def _receipts(self, hashes: Sequence[str]) -> list[Any]:
        """The receipts of mined transactions, decoded as `w3.eth.get_transaction_receipt` does,
        fetched in one batch (one by one where the provider has no batches)."""
        try:
            with self.w3.batch_requests() as batch:
                for h in hashes:
                    batch.add(self.w3.eth.get_transaction_receipt(h))
                return list(batch.execute())
        except (Web3TypeError, NotImplementedError):  # no batches on this provider
            return [self.w3.eth.get_transaction_receipt(h) for h in hashes]

    def _known(self, tx_hash: str) -> bool:
        try:
            self.w3.eth.get_transaction(tx_hash)
            return True
        except TransactionNotFound:
            return False
        except _READ_ERRORS:  # not known to be held: the caller goes on settling
            return False

    def wait(self, pending: Pending, *, check: bool = True) -> Any:
        """Wait for the receipt; a failed transaction raises `RevertError` with its reason.

        Without a receipt after ``timeout`` (or with the node unreachable for
        ``unreachable_after``) the transaction is settled (`_conclude`): its receipt when it was
        mined after all, else `TransactionError` once a replacement holds its nonce (it will
        never execute), or `TransactionInDoubt` when the node is gone."""
        deadline = time.monotonic() + self.timeout
        interval = self.poll_interval
        unreachable_since: float | None = None
        stalled_at = time.monotonic()
        while True:
            try:
                receipt = self.w3.eth.get_transaction_receipt(pending.tx_hash)
                if receipt is not None:
                    self._forget_mined(pending.nonce + 1)
                    break
                unreachable_since = None
            except TransactionNotFound:
                unreachable_since = None
                if time.monotonic() - stalled_at > self.stall_after:
                    self._unstrand()
                    stalled_at = time.monotonic()
            except (*_TRANSPORT_ERRORS, _RpcError) as exc:
                unreachable_since = unreachable_since or time.monotonic()
                if time.monotonic() - unreachable_since > self.unreachable_after:
                    self._doubt.setdefault(pending.nonce, _Slot([pending]))
                    receipt = self._conclude([pending], f"node unreachable waiting for {pending.tx_hash} ({type(exc).__name__})")[0]
                    break
            if time.monotonic() > deadline:
                self._doubt.setdefault(pending.nonce, _Slot([pending]))
                receipt = self._conclude([pending], f"no receipt for {pending.tx_hash} after {self.timeout:.0f}s")[0]
                break
            time.sleep(interval)
            interval = min(interval * 1.5, 0.5)
        if check and receipt["status"] != 1:
            raise RevertError(self._failure_reason(pending, receipt), action=pending.action, tx_hash=pending.tx_hash)
        return receipt

    def _failure_reason(self, pending: Pending, receipt: Any) -> str:
        tx = {k: pending.tx[k] for k in ("to", "data", "value") if k in pending.tx}
        tx["from"] = self.address
        try:
            self.w3.eth.call(tx, block_identifier=receipt["blockNumber"] - 1)
        except _call_errors() as exc:
            return revert_reason(exc) or str(exc)
        if receipt["gasUsed"] >= pending.tx.get("gas", 0):
            return "out of gas"
        return "reverted (reason unavailable)"

    def transact(
        self, call: Any, *, value: int = 0, gas: int | None = None, action: str = "", on_signed: Callable[[Pending], None] | None = None
    ) -> Any:
        """Send one transaction and return its receipt (``on_signed``: see `submit`)."""
        return self.wait(self.submit(call, value=value, gas=gas, action=action, on_signed=on_signed))

    def transact_many(
        self,
        calls: Iterable[Any],
        *,
        action: str = "",
        window: int = 128,
        on_receipt: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """Send independent calls with explicit nonces, ``window`` at a time; returns the receipts.

        Each window is preflighted as a whole against the latest state (`_preflight_many`), then
        signed and sent in one JSON-RPC batch; its receipts are collected in one batch after the
        next window is sent (so the node mines one window while the next is prepared: at most two
        windows are unconfirmed). Calls must therefore not depend on each other's effects (e.g.
        an ``approve`` and the ``transferFrom`` that spends it belong in separate `transact`
        calls). A call may also be given as ``(call, value)``. ``on_receipt(i, receipt)`` is
        called in order.

        Raises on the first failure -- a preflight refusal (`RevertError` with the contract's
        reason; nothing of it or after it is sent), a failed receipt, a send the node refused
        (`TransactionError`; its nonce is reused or filled) -- after the transactions already
        handed to the node are mined (so a rerun sees them). Whatever it reports failed (the
        error's ``failed``) never executes; when the node goes away it raises
        `TransactionInDoubt` instead and settles those transactions before its next send.
        """
        receipts: list[Any] = []
        it = iter(calls)
        unconfirmed: list[Pending] = []  # the previous window, sent and not yet collected
        sent: list[Pending] = []
        self._settle_doubt()
        try:
            while True:
                chunk = [c if isinstance(c, tuple) else (c, 0) for c in islice(it, max(1, window))]
                refusal = None
                sent = []
                if chunk:
                    txs, refusal = self._preflight_many(chunk, action)
                    if txs:
                        with self._turn():
                            for tx in txs:
                                sent.append(self._sign(tx, tx.pop("action")))
                            self._send_raw_many(sent)
                previous, unconfirmed = unconfirmed, sent
                self._collect(previous, receipts, on_receipt)
                if refusal is not None or not chunk:
                    self._collect(unconfirmed, receipts, on_receipt)
                    unconfirmed = []
                    if refusal is not None:
                        raise refusal
                    return receipts
        except BaseException as exc:
            # Let what was already sent land before the error propagates (so a rerun sees it),
            # unless the node is gone or the user interrupted (Ctrl-C means now: the rerun's
            # `settle` waits for what is in flight).
            in_flight = [p for p in {p.nonce: p for p in unconfirmed + sent}.values() if p.nonce not in self._doubt]
            if in_flight and not isinstance(exc, (TransactionInDoubt, KeyboardInterrupt)):
                try:
                    self._wait_many(in_flight)
                except Exception:  # noqa: BLE001
                    pass
            raise

    def _collect(self, sent: Sequence[Pending], receipts: list[Any], on_receipt: Callable[[int, Any], None] | None) -> None:
        """Wait for a sent window's receipts and append them to ``receipts`` in order; a failed
        one raises `RevertError` with its reason."""
        for p, r in zip(sent, self._wait_many(sent)):  # raises after `timeout` without them
            if r["status"] != 1:
                raise RevertError(self._failure_reason(p, r), action=p.action, tx_hash=p.tx_hash)
            if on_receipt is not None:
                on_receipt(len(receipts), r)
            receipts.append(r)

    def _sign(self, tx: dict, action: str) -> Pending:
        """Sign a built transaction with the next nonce (nothing is sent)."""
        tx["nonce"] = self._next_nonce()
        tx.pop("from", None)
        raw = self.signer.sign_transaction(tx)
        return Pending(tx_hash=Web3.to_hex(Web3.keccak(raw)), nonce=tx["nonce"], action=action, tx=tx, raw=raw)

    def _preflight_many(self, chunk: Sequence[tuple[Any, int]], action: str) -> tuple[list[dict], BaseException | None]:
        """Preflight a window of calls in at most two JSON-RPC batches; returns the built
        transactions that passed (a prefix of the window) and the error of the first that did not.

        Calls of one *shape* (target, selector, calldata length, with or without value) share a
        gas limit: the first of a shape is estimated (``eth_estimateGas``, margin as in `build`).
        Every call is then executed once against the latest state with exactly the gas limit it
        will be sent with (``eth_call``): a call that passes will not fail for lack of gas. A call
        that does not pass goes through `build`, whose own estimate either finds its gas or
        raises `RevertError` with the contract's reason (or `TransactionError`).
        """
        txs = []
        for call, value in chunk:
            act = action or _describe(call)
            if isinstance(call, dict):
                tx = {**call, "value": call.get("value", value)}
            else:
                tx = {"to": call.address, "data": calldata(call), "value": value}
            txs.append({**tx, "from": self.address, "chainId": self.chain_id, "action": act})
        try:
            fees = self._fee_fields()
            new = {}
            for i, tx in enumerate(txs):
                if _shape(tx) not in self._shape_gas:
                    new.setdefault(_shape(tx), i)
            estimates = self._batch([("eth_estimateGas", [_call_params(txs[i])]) for i in new.values()])
            for shape, reply in zip(new, estimates):
                if "result" in reply:
                    gas = int(_int(reply["result"]) * self.gas_margin) + self.gas_extra
                    self._shape_gas[shape] = min(gas, self._gas_limit) if self._gas_limit else gas
            checked = [i for i, tx in enumerate(txs) if _shape(tx) in self._shape_gas]
            replies = self._batch([("eth_call", [{**_call_params(txs[i]), "gas": hex(self._shape_gas[_shape(txs[i])])}, "latest"]) for i in checked])
        except _TRANSPORT_ERRORS as exc:
            raise TransactionError(f"{txs[0]['action']}: could not reach the node ({_why(exc)})") from None
        except _RpcError as exc:  # a node's error reply to a read (nothing was sent)
            raise TransactionError(f"{txs[0]['action']}: the node answered with an error before anything was sent: {_detail(exc)}") from None
        passed = {i for i, reply in zip(checked, replies) if "result" in reply}
        out: list[dict] = []
        for i, (tx, (call, value)) in enumerate(zip(txs, chunk)):
            if i in passed:
                tx["gas"] = self._shape_gas[_shape(tx)]
                tx.update(fees)
            else:  # the single path names the reason (or finds the gas this call needs)
                try:
                    built = self.build(call, value=value, action=tx["action"])
                except (RevertError, TransactionError) as exc:
                    return out, exc
                tx = {**built, "action": tx["action"]}
            out.append(tx)
        return out, None

    def _wait_many(self, pending: Sequence[Pending]) -> list[Any]:
        """The receipts of a window sent by this account, in order (not checked).

        Polls one number, the account's mined nonce, until it passes the window's last nonce;
        then fetches every receipt in one batch. A receipt missing even so (the nonce was used by
        another transaction of the same key) is waited for as `wait` does, which reports it.
        Without the window mined after ``timeout`` (or with the node unreachable for
        ``unreachable_after``) what is not mined is settled (`_conclude`).
        """
        if not pending:
            return []
        last = max(p.nonce for p in pending)
        deadline = time.monotonic() + self.timeout
        interval = self.poll_interval
        unreachable_since: float | None = None
        seen, seen_at = -1, time.monotonic()  # the mined nonce last seen to move, and when
        while True:
            problem = ""
            try:
                mined = self.w3.eth.get_transaction_count(self.address, "latest")
                unreachable_since = None
                if mined > last:
                    self._forget_mined(mined)
                    try:
                        return self._receipts([p.tx_hash for p in pending])
                    except TransactionNotFound:
                        return [self.wait(p, check=False) for p in pending]
                if mined != seen:
                    seen, seen_at = mined, time.monotonic()
                elif time.monotonic() - seen_at > self.stall_after:
                    self._unstrand(mined)
                    seen_at = time.monotonic()
                if time.monotonic() > deadline:
                    problem = f"{len(pending)} transaction(s) from nonce {pending[0].nonce} not mined after {self.timeout:.0f}s"
            except (*_TRANSPORT_ERRORS, _RpcError) as exc:
                unreachable_since = unreachable_since or time.monotonic()
                if time.monotonic() - unreachable_since > self.unreachable_after:
                    problem = f"node unreachable waiting for {len(pending)} transaction(s) from nonce {pending[0].nonce} ({type(exc).__name__})"
                    mined = -1
            if problem:
                stuck = [p for p in pending if p.nonce >= mined]
                for p in stuck:
                    self._doubt.setdefault(p.nonce, _Slot([p]))
                self._conclude(stuck, problem)  # raises unless every one of them was mined after all
                deadline = time.monotonic() + self.timeout  # all mined: collect their receipts
                unreachable_since = None
                continue
            time.sleep(interval)
            interval = min(interval * 1.5, 0.5)

    # ------------------------------------------------------------------ deploy
    def deploy(self, abi: list, bytecode: str, *args: Any, action: str = "deploy", on_signed: Callable[[Pending], None] | None = None) -> Any:
        """Deploy a contract; returns the receipt (``receipt.contractAddress``; ``on_signed``: see `submit`)."""
        data = creation_input(abi, bytecode, *args, action=action)
        return self.transact({"data": data}, action=action, on_signed=on_signed)


def creation_input(abi: list, bytecode: str, *args: Any, action: str = "deploy") -> str:
    """The input of the contract-creation transaction of ``bytecode`` with constructor ``args``
    (hex): the build's bytecode followed by the ABI-encoded arguments."""
    from eth_abi import encode

    ctor = next((e for e in abi if e.get("type") == "constructor"), {"inputs": []})
    types = [collapse_if_tuple(i) for i in ctor["inputs"]]
    if len(types) != len(args):
        raise TypeError(f"{action}: constructor takes {len(types)} argument(s), got {len(args)}")
    return bytecode + encode(types, list(args)).hex()


def _cache_chain_id(w3: Web3) -> None:
    """Let the provider cache ``eth_chainId`` (and nothing else it does not cache already).

    web3's validation middleware asks the node for the chain id before every ``eth_call`` and
    ``eth_estimateGas``: one extra round trip per preflight. A connection's chain id does not
    change, so the answer is cached.
    """
    provider = getattr(w3, "provider", None)
    if provider is None or not hasattr(provider, "cacheable_requests") or provider.cache_allowed_requests:
        return
    try:
        from web3.types import RPCEndpoint

        provider.cacheable_requests = {RPCEndpoint("eth_chainId")}
        provider.cache_allowed_requests = True
    except Exception:  # noqa: BLE001 - a provider without request caching: nothing to gain
        pass


def decode_events(contract: Any, receipt: Any, name: str) -> list[dict]:
    """The ``name`` events ``contract`` emitted in ``receipt``, as dicts of their arguments
    (decoded leniently; a log that does not decode is skipped)."""
    event_abi = getattr(contract.events, name)().abi
    topic = None if event_abi.get("anonymous") else event_topic(event_abi)
    logs = [
        lg for lg in receipt["logs"]
        if lg["address"] == contract.address and (topic is None or (lg["topics"] and bytes(lg["topics"][0]) == topic))
    ]
    return [dict(ev["args"]) for ev in decode_logs(event_abi, logs)]


def chunks(seq: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    """Split ``seq`` into consecutive pieces of at most ``n`` items."""
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
