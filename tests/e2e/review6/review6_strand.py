"""Helpers of the sixth review's tests (the shared ones live in tests/e2e/private_node.py)."""

from __future__ import annotations

from private_node import ETH, self_transfers, strand_first_send  # noqa: F401 - re-exported for the review's tests
from private_node import payees as _payees
from private_node import sender as _sender

PAYER = 6  # devnet account (Anvil funds 0-9)


def sender(url: str, **kw):
    kw.setdefault("timeout", 10.0)
    return _sender(url, PAYER, **kw)


def payees(n: int, salt: int) -> list[str]:
    return _payees(n, salt, prefix="review6-payee")
