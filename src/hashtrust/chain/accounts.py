"""Accounts for devnets and scripts.

Devnet accounts are derived from Anvil's well-known mnemonic (``test test ... junk``), the same
accounts ape's test accounts and a plain ``anvil`` fund. Never use them on a real network.
Real keys come from an environment variable (``--private-key-env``) or an ape account alias.
"""

from __future__ import annotations

import os
from functools import lru_cache

from eth_account import Account

from hashtrust.chain.tx import LocalSigner
from hashtrust.errors import InputError

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_FUNDED = 10  # anvil funds the first 10 accounts with 10,000 ETH each


@lru_cache(maxsize=4096)
def devnet_key(index: int, mnemonic: str = ANVIL_MNEMONIC) -> str:
    """Private key (0x hex) of account ``index`` of the devnet mnemonic (BIP-44 m/44'/60'/0'/0/i)."""
    if index < 0:
        raise InputError("index", f"must be >= 0, got {index}")
    Account.enable_unaudited_hdwallet_features()
    acct = Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")
    return acct.key.to_0x_hex()


def devnet_signer(index: int) -> LocalSigner:
    """Signer for devnet account ``index`` (0-9 are funded by Anvil; fund others yourself).

    Its key is public: a `TxSender` refuses it on anything but a local devnet."""
    return LocalSigner.from_key(devnet_key(index), devnet=True)


def signer_from_env(var: str) -> LocalSigner:
    """Signer from a private key held in environment variable ``var``."""
    key = os.environ.get(var)
    if not key:
        raise InputError(var, "environment variable is not set (it must hold a 0x private key)")
    try:
        return LocalSigner.from_key(key)
    except (ValueError, TypeError):
        raise InputError(var, "does not hold a valid private key") from None
