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
        super().__init__(f"{field}: {problem}")


class RevertError(HashtrustError):
    """The contract refused the call; ``reason`` is its revert string (e.g. ``"identity: reserved key"``)."""

    def __init__(self, reason: str, *, action: str = "", tx_hash: str | None = None):
        self.reason = reason
        self.action = action
        self.tx_hash = tx_hash
        where = f"{action} reverted" if action else "reverted"
        super().__init__(f"{where}: {reason}" + (f" (tx {tx_hash})" if tx_hash else ""))


class TransactionError(HashtrustError):
    """A transaction could not be sent or confirmed (RPC down, timeout, dropped)."""


class AddressBookError(HashtrustError):
    """The deployment address book is corrupt, foreign, or lacks a contract."""
