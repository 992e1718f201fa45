"""Signing and sending transactions: one sender per account, explicit nonces, pipelining.

Every script, test helper, benchmark and the CLI send transactions through `TxSender`:

* **Preflight.** Each call is gas-estimated first; a call the contract would refuse raises
  `RevertError` with the contract's revert reason, and nothing is sent.
* **Explicit nonces, no waiting in between.** `transact_many` signs and sends a window of
  transactions back to back and collects the receipts afterwards (fast on Anvil and on real
  networks alike).
* **Nothing twice.** A dropped RPC reply is retried by re-sending the *same signed bytes*
  (same nonce, same hash), so a retry can never become a second transaction. `settle()` waits
  until transactions an earlier (crashed) run left in flight are mined, so resumable scripts
  read the chain only after it reflects everything they already sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import CannotHandleRequest, ContractCustomError, ContractLogicError, TimeExhausted, TransactionNotFound

from hashtrust.errors import RevertError, TransactionError

# Errors of the transport (node down, connection reset, reply lost): safe to retry with the same bytes.
try:  # requests is what web3's HTTPProvider uses
    from requests.exceptions import ConnectionError as _ReqConnErr
    from requests.exceptions import Timeout as _ReqTimeout

    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (_ReqConnErr, _ReqTimeout, ConnectionError, TimeoutError, CannotHandleRequest)
except ImportError:  # pragma: no cover
    _TRANSPORT_ERRORS = (ConnectionError, TimeoutError, CannotHandleRequest)
# (ape's web3 sits on an AutoProvider, which raises CannotHandleRequest once the node is gone.)

# Errors a node raises for a call the contract refuses. The in-process test chain (eth-tester,
# `--network ethereum:local:test`) raises its own `TransactionFailed` instead of a web3 error.
_CALL_ERRORS: tuple[type[BaseException], ...] = (ContractLogicError, ContractCustomError, ValueError)
try:
    from eth_tester.exceptions import TransactionFailed as _TesterFailed

    _CALL_ERRORS += (_TesterFailed,)
except ImportError:  # pragma: no cover - eth-tester is a test-only dependency of ape
    pass


class Signer(Protocol):
    """Anything that can sign a transaction dict for one address."""

    address: str

    def sign_transaction(self, tx: dict) -> bytes:  # pragma: no cover - protocol
        ...


class LocalSigner:
    """A signer holding a private key in memory (eth-account)."""

    def __init__(self, account: LocalAccount):
        self.account = account
        self.address = account.address

    @classmethod
    def from_key(cls, key: str | bytes) -> LocalSigner:
        return cls(Account.from_key(key))

    def sign_transaction(self, tx: dict) -> bytes:
        return bytes(self.account.sign_transaction(tx).raw_transaction)

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
    """Call a view function; a revert becomes `RevertError` with the contract's reason."""
    try:
        return fn.call(block_identifier=block)
    except _CALL_ERRORS as exc:
        reason = revert_reason(exc)
        if reason is None:
            raise
        raise RevertError(reason, action=action or _describe(fn)) from None


def _describe(fn: Any) -> str:
    name = getattr(fn, "fn_name", None) or getattr(fn, "abi_element_identifier", None) or "call"
    return str(name)


@dataclass
class Pending:
    """A signed transaction that was handed to the node."""

    tx_hash: str
    nonce: int
    action: str
    tx: dict
    raw: bytes


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
    ):
        self.w3 = w3
        self.signer = signer
        self.address = Web3.to_checksum_address(signer.address)
        self.gas_margin = gas_margin
        self.gas_extra = gas_extra
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.send_retries = send_retries
        _cache_chain_id(w3)
        self.chain_id = w3.eth.chain_id
        self._nonce: int | None = None
        self._fees: tuple[float, dict] | None = None
        self._gas_limit: int | None = None

    # ------------------------------------------------------------------ nonces
    def settle(self, timeout: float | None = None) -> int:
        """Wait until no transaction of this account is pending, then return the next nonce.

        A crashed earlier run may have left transactions in flight; a resumable script calls this
        before reading what is already done on chain, so it never sends the same work twice.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            latest = self.w3.eth.get_transaction_count(self.address, "latest")
            pending = self.w3.eth.get_transaction_count(self.address, "pending")
            if pending <= latest:
                self._nonce = latest
                return latest
            if time.monotonic() > deadline:
                raise TransactionError(
                    f"{pending - latest} transaction(s) of {self.address} still pending after "
                    f"{timeout or self.timeout:.0f}s; is the chain mining?"
                )
            time.sleep(0.2)

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
        self._fees = (now, fields)
        return fields

    # ------------------------------------------------------------------ build/send
    def build(self, call: Any, *, value: int = 0, gas: int | None = None, action: str = "") -> dict:
        """Turn a contract function call (or a raw tx dict) into a full unsigned tx; preflights it."""
        action = action or _describe(call)
        if isinstance(call, dict):
            tx = dict(call)
            tx.setdefault("value", value)
        else:
            tx = {"to": call.address, "data": call._encode_transaction_data(), "value": value}
        tx["from"] = self.address
        tx["chainId"] = self.chain_id
        try:
            if gas is None:
                try:
                    est = self.w3.eth.estimate_gas({k: v for k, v in tx.items() if k in ("from", "to", "data", "value")})
                except _CALL_ERRORS as exc:
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
            raise TransactionError(f"{action}: could not reach the node ({type(exc).__name__})") from None
        return tx

    def submit(self, call: Any, *, value: int = 0, gas: int | None = None, action: str = "") -> Pending:
        """Preflight, sign with the next nonce and hand to the node; returns without waiting."""
        action = action or _describe(call)
        tx = self.build(call, value=value, gas=gas, action=action)
        tx["nonce"] = self._next_nonce()
        tx.pop("from", None)
        raw = self.signer.sign_transaction(tx)
        tx_hash = Web3.to_hex(Web3.keccak(raw))
        self._send_raw(raw, tx_hash, action)
        return Pending(tx_hash=tx_hash, nonce=tx["nonce"], action=action, tx=tx, raw=raw)

    def _send_raw(self, raw: bytes, tx_hash: str, action: str) -> None:
        delay = 0.2
        last: BaseException | None = None
        for _attempt in range(self.send_retries):
            try:
                self.w3.eth.send_raw_transaction(raw)
                return
            except _TRANSPORT_ERRORS as exc:  # reply lost or node unreachable: resend the same bytes
                last = exc
            except ValueError as exc:
                msg = str(exc).lower()
                if "already known" in msg or "already imported" in msg or "known transaction" in msg:
                    return  # an earlier attempt got through
                if "nonce too low" in msg and self._known(tx_hash):
                    return
                reason = revert_reason(exc)
                if reason is not None:
                    raise RevertError(reason, action=action, tx_hash=tx_hash) from None
                raise TransactionError(f"{action}: node refused transaction {tx_hash}: {exc}") from None
            time.sleep(delay)
            delay = min(delay * 2, 3.0)
            if self._known(tx_hash):
                return
        raise TransactionError(f"{action}: could not reach the node to send {tx_hash}: {last}")

    def _known(self, tx_hash: str) -> bool:
        try:
            self.w3.eth.get_transaction(tx_hash)
            return True
        except TransactionNotFound:
            return False
        except _TRANSPORT_ERRORS:
            return False

    def wait(self, pending: Pending, *, check: bool = True) -> Any:
        """Wait for the receipt; a failed transaction raises `RevertError` with its reason."""
        deadline = time.monotonic() + self.timeout
        interval = self.poll_interval
        while True:
            try:
                receipt = self.w3.eth.get_transaction_receipt(pending.tx_hash)
                if receipt is not None:
                    break
            except TransactionNotFound:
                pass
            except _TRANSPORT_ERRORS as exc:
                if time.monotonic() > deadline:
                    raise TransactionError(f"{pending.action}: node unreachable waiting for {pending.tx_hash}: {exc}") from None
            if time.monotonic() > deadline:
                raise TransactionError(f"{pending.action}: no receipt for {pending.tx_hash} after {self.timeout:.0f}s")
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
        except _CALL_ERRORS as exc:
            return revert_reason(exc) or str(exc)
        if receipt["gasUsed"] >= pending.tx.get("gas", 0):
            return "out of gas"
        return "reverted (reason unavailable)"

    def transact(self, call: Any, *, value: int = 0, gas: int | None = None, action: str = "") -> Any:
        """Send one transaction and return its receipt."""
        return self.wait(self.submit(call, value=value, gas=gas, action=action))

    def transact_many(
        self,
        calls: Iterable[Any],
        *,
        action: str = "",
        window: int = 128,
        on_receipt: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """Send independent calls back to back (explicit nonces), at most ``window`` unconfirmed.

        Calls must not depend on each other's effects unless the chain mines each transaction
        as it arrives (Anvil's automine). ``on_receipt(i, receipt)`` is called in order.
        Raises on the first failure, after the transactions already handed to the node are mined.
        """
        receipts: list[Any] = []
        in_flight: list[Pending] = []

        def drain(keep: int) -> None:
            while len(in_flight) > keep:
                p = in_flight.pop(0)
                r = self.wait(p)
                if on_receipt is not None:
                    on_receipt(len(receipts), r)
                receipts.append(r)

        try:
            for call in calls:
                value = 0
                if isinstance(call, tuple):
                    call, value = call
                in_flight.append(self.submit(call, value=value, action=action))
                drain(window - 1)
            drain(0)
        except BaseException:
            # Let what was already sent land before the error propagates (so a rerun sees it).
            for p in in_flight:
                try:
                    self.wait(p, check=False)
                except Exception:  # noqa: BLE001
                    pass
            raise
        return receipts

    # ------------------------------------------------------------------ deploy
    def deploy(self, abi: list, bytecode: str, *args: Any, action: str = "deploy") -> Any:
        """Deploy a contract; returns the receipt (``receipt.contractAddress``)."""
        from eth_abi import encode
        from eth_utils.abi import collapse_if_tuple

        ctor = next((e for e in abi if e.get("type") == "constructor"), {"inputs": []})
        types = [collapse_if_tuple(i) for i in ctor["inputs"]]
        if len(types) != len(args):
            raise TypeError(f"{action}: constructor takes {len(types)} argument(s), got {len(args)}")
        data = bytecode + encode(types, list(args)).hex()
        return self.transact({"data": data}, action=action)


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
    """The ``name`` events ``contract`` emitted in ``receipt``, as dicts of their arguments."""
    from web3.logs import DISCARD

    evs = getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return [dict(e["args"]) for e in evs if e["address"] == contract.address]


def chunks(seq: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    """Split ``seq`` into consecutive pieces of at most ``n`` items."""
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
