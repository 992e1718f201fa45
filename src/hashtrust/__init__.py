"""hashtrust: ERC-8004 trust registries and a tokenized-hashrate vault, with a Python SDK.

The package is the one place every script, test, benchmark and the CLI get their
contract artifacts, signing, transaction sending and address book from.
"""

__version__ = "0.1.0"

from hashtrust.errors import (  # noqa: E402
    AddressBookError,
    HashtrustError,
    InputError,
    RevertError,
    TransactionError,
    TransactionInDoubt,
)

__all__ = [
    "AddressBookError",
    "HashtrustError",
    "InputError",
    "RevertError",
    "TransactionError",
    "TransactionInDoubt",
    "__version__",
]
