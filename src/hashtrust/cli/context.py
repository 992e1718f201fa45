"""The command line's shared context: the node, the signer and the address book of one invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.errors import HashtrustError


@dataclass
class Ctx:
    rpc: str
    key_env: str | None
    account_index: int
    debug: bool
    _w3: Web3 | None = None
    _senders: dict[Any, TxSender] = field(default_factory=dict)

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            w3 = Web3(Web3.HTTPProvider(self.rpc, request_kwargs={"timeout": 30}))
            try:
                w3.eth.chain_id
            except Exception as exc:  # noqa: BLE001
                raise HashtrustError(f"cannot reach a node at {self.rpc} ({type(exc).__name__}); start one with `hashtrust devnet start` or pass --rpc") from None
            self._w3 = w3
        return self._w3

    @property
    def chain_id(self) -> int:
        return self.w3.eth.chain_id

    def book(self) -> AddressBook:
        return AddressBook(self.chain_id)

    def sender(self, index: int | None = None) -> TxSender:
        """The sender for the chosen account (or devnet account ``index``)."""
        from hashtrust.chain.accounts import devnet_signer, signer_from_env

        key = ("env", self.key_env) if self.key_env and index is None else ("dev", self.account_index if index is None else index)
        if key not in self._senders:
            if key[0] == "env":
                signer = signer_from_env(self.key_env)  # type: ignore[arg-type]
            else:  # Anvil's public dev key: `TxSender` refuses it on anything but a local devnet
                from hashtrust.chain.devnet import require_devnet

                require_devnet(self.w3, f"--account-index {key[1]} (Anvil's public dev keys)", hint="pass --private-key-env VAR naming your key")
                signer = devnet_signer(int(key[1]))
            self._senders[key] = TxSender(self.w3, signer)
        return self._senders[key]
