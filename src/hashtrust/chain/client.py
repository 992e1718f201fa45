"""Base class of the SDK's contract clients (identity, reputation, validation, vault)."""

from __future__ import annotations

from typing import Any, ClassVar

from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.decode import decode_logs, event_topic
from hashtrust.chain.logs import get_logs
from hashtrust.chain.tx import Pending, TxSender, call_view, decode_events
from hashtrust.errors import AddressBookError, HashtrustError


class ContractClient:
    """A typed wrapper over one deployed contract.

    Subclasses set ``CONTRACT`` (the artifact, ``contracts/**/<CONTRACT>.vy``) and ``BOOK_NAME``
    (its name in the address book), validate inputs in Python before sending (raising
    `InputError`) and return decoded results. Reads go through `call_view` and writes through
    the `TxSender`, so every revert surfaces as `RevertError` with the contract's reason.
    """

    CONTRACT: ClassVar[str] = ""
    BOOK_NAME: ClassVar[str] = ""
    # (book name, view) of the contract this one is bound to at deployment, e.g. the registries'
    # ("IdentityRegistry", "getIdentityRegistry"): `from_book` checks that the book names the same one.
    BOUND_TO: ClassVar[tuple[str, str] | None] = None

    def __init__(self, w3: Web3, address: str, sender: TxSender | None = None):
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.sender = sender
        self.contract = w3.eth.contract(address=self.address, abi=artifacts.abi(self.CONTRACT))

    @classmethod
    def from_book(cls, w3: Web3, book: AddressBook, sender: TxSender | None = None, name: str | None = None):
        """The client of the deployment recorded under ``name`` (default ``BOOK_NAME``), after
        checking that the chain holds that contract (`AddressBook.verified_address`) and, for a
        contract bound to another at deployment (``BOUND_TO``, e.g. a registry's
        IdentityRegistry), that it is bound to the one the book records (checked the same way):
        otherwise `AddressBookError` names both addresses."""
        client = cls(w3, book.verified_address(w3, name or cls.BOOK_NAME, cls.CONTRACT), sender)
        if cls.BOUND_TO is not None and cls.BOUND_TO[0] in book:
            other, view = cls.BOUND_TO
            expected = book.verified_address(w3, other)
            actual = Web3.to_checksum_address(client._view(view))
            if actual != Web3.to_checksum_address(expected):
                raise AddressBookError(
                    f"{name or cls.BOOK_NAME} at {client.address} (recorded in {book.path}) is bound to the {other} at {actual}, "
                    f"not the book's {other} at {expected}; refusing to mix two deployments (fix the book, or redeploy)"
                )
        return client

    def with_sender(self, sender: TxSender):
        """The same client, sending from another account."""
        return type(self)(self.w3, self.address, sender)

    # ------------------------------------------------------------------ plumbing
    def _fn(self, name: str, *args: Any, signature: str | None = None):
        if signature is not None:  # overloaded functions, e.g. "register(string)"
            return self.contract.get_function_by_signature(signature)(*args)
        return getattr(self.contract.functions, name)(*args)

    def _view(self, name: str, *args: Any, signature: str | None = None, block: Any = "latest") -> Any:
        return call_view(self._fn(name, *args, signature=signature), action=name, block=block)

    def _require_sender(self) -> TxSender:
        if self.sender is None:
            raise HashtrustError(f"{type(self).__name__} has no sender: pass a TxSender to send transactions")
        return self.sender

    def _send(self, name: str, *args: Any, signature: str | None = None, value: int = 0, action: str = "") -> Any:
        """Send and wait; returns the receipt."""
        return self._require_sender().transact(self._fn(name, *args, signature=signature), value=value, action=action or name)

    def _submit(self, name: str, *args: Any, signature: str | None = None, value: int = 0, action: str = "") -> Pending:
        """Send without waiting (pipelining); pair with ``self.sender.wait(pending)``."""
        return self._require_sender().submit(self._fn(name, *args, signature=signature), value=value, action=action or name)

    def _send_event(self, call: Any, event: str, *, value: int = 0, action: str = "") -> dict:
        """Send a prepared call (``self._fn(...)`` or a checked ``*_call``), wait, and return the
        first ``event`` this contract emitted in the receipt (`HashtrustError` when there is none)."""
        action = action or call.fn_name
        receipt = self._require_sender().transact(call, value=value, action=action)
        evs = self.events(receipt, event)
        if not evs:
            raise HashtrustError(f"{action}: no {event} event in tx {Web3.to_hex(receipt['transactionHash'])}")
        return evs[0]

    def events(self, receipt: Any, name: str) -> list[dict]:
        """The ``name`` events this contract emitted in ``receipt``."""
        return decode_events(self.contract, receipt, name)

    def logs(self, name: str, topics: list | None = None, *, from_block: int = 0, to_block: Any = "latest") -> list[Any]:
        """The ``name`` events of this contract (web3 ``EventData``: ``ev["args"]``, block,
        transaction), decoded leniently; ``topics`` are the indexed-argument filters after the
        event's own topic (hex strings, lists of them, or None). A log that does not decode is
        skipped, never fatal to the others. Read in block ranges the node accepts
        (`hashtrust.chain.logs.get_logs`: hosted providers cap ``eth_getLogs`` ranges)."""
        event_abi = getattr(self.contract.events, name)().abi
        flt = {
            "address": self.address,
            "fromBlock": from_block,
            "toBlock": to_block,
            "topics": [Web3.to_hex(event_topic(event_abi)), *(topics or [])],
        }
        return decode_logs(event_abi, get_logs(self.w3, flt))
