"""The exceptions the SDK raises. Each carries one clear sentence for the user."""

from __future__ import annotations


class HashtrustError(Exception):
    """Base class of every error the SDK raises on purpose."""


class InputError(HashtrustError, ValueError):
    """Bad input caught in Python before any transaction is sent.

    ``field`` names the offending field (e.g. ``agents[3].name``) and ``limit`` the rule broken.
    """

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)  # no field: the problem alone


class RevertError(HashtrustError):
    """The contract refused the call; ``reason`` is its revert string (e.g. ``"identity: reserved key"``)."""

    def __init__(self, reason: str, *, action: str = "", tx_hash: str | None = None):
        self.reason = reason
        self.action = action
        self.tx_hash = tx_hash
        where = f"{action} reverted" if action else "reverted"
        super().__init__(f"{where}: {reason}" + (f" (tx {tx_hash})" if tx_hash else ""))


class TransactionError(HashtrustError):
    """A transaction could not be sent or confirmed (RPC down, timeout, dropped).

    ``failed`` lists the hashes of the transactions this error reports failed: none of them
    can ever execute (`TxSender` replaced or refused them before saying so)."""

    def __init__(self, message: str, *, failed: list[str] | None = None):
        self.failed = list(failed or [])
        super().__init__(message)


class TransactionInDoubt(TransactionError):
    """The node went away before a transaction's fate was known: it may still execute.

    ``in_doubt`` lists their hashes. Nothing is reported failed; the sender settles them (waits
    for them or cancels them with 0-value self-transfers) before it sends anything else, and a
    restarted run's `TxSender.settle` does the same. Do not retry the work blindly: read the
    chain first (the project's scripts do)."""

    def __init__(self, message: str, *, in_doubt: list[str] | None = None):
        self.in_doubt = list(in_doubt or [])
        super().__init__(message)


class NodeError(HashtrustError):
    """The node answered a request with a JSON-RPC error (a rate limit, a lagging or pruned
    backend, a log range it does not serve): ``message`` is the node's own words, ``method``
    the request. Nothing was sent; every command is resumable, so run it again later (or
    against another endpoint)."""

    def __init__(self, message: str, *, method: str = ""):
        self.method = method
        super().__init__(message)


class AddressBookError(HashtrustError):
    """The deployment address book is corrupt, foreign, or lacks a contract."""
