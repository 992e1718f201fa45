"""EIP-3009 on the devnet tokens (`contracts/DevToken.vy`): typed data, signatures, a client.

    auth = Authorization.new(payer, payee, 250_000, valid_before=chain_now + 300)
    sig = sign(auth, payer_key, token=usd_address, chain_id=31337, name="USD Stablecoin (devnet)")
    token = DevTokenClient(w3, usd_address, sender)
    token.transfer_with_authorization(auth, sig)            # v, r, s form
    token.transfer_with_authorization(auth, sig, form="bytes")  # the bytes-signature overload

The token's EIP-712 domain is ``(name(), version(), chainId, token address)``; the three struct
types are EIP-3009's (`TransferWithAuthorization`, `ReceiveWithAuthorization`,
`CancelAuthorization`). Vyper has no overloading, so the contract serves the ``bytes
signature`` overloads from its fallback and they are missing from the compiled ABI:
`BYTES_OVERLOADS_ABI` declares them for web3.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import Web3

from hashtrust.chain.checks import check_address, check_bytes32
from hashtrust.chain.client import ContractClient
from hashtrust.errors import InputError

TRANSFER = "TransferWithAuthorization"
RECEIVE = "ReceiveWithAuthorization"
CANCEL = "CancelAuthorization"
_AUTH_FIELDS = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
TYPES = {
    TRANSFER: _AUTH_FIELDS,
    RECEIVE: _AUTH_FIELDS,
    CANCEL: [{"name": "authorizer", "type": "address"}, {"name": "nonce", "type": "bytes32"}],
}
MAX_SIGNATURE_LENGTH = 512  # the contract's MAX_SIGNATURE_LENGTH (bytes forms)

# keccak256 of the EIP-3009 events, for reading logs without an ABI
AUTHORIZATION_USED_TOPIC = keccak(text="AuthorizationUsed(address,bytes32)")
AUTHORIZATION_CANCELED_TOPIC = keccak(text="AuthorizationCanceled(address,bytes32)")
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")


def _fn(name: str, inputs: list[tuple[str, str]]) -> dict:
    return {"type": "function", "name": name, "stateMutability": "nonpayable", "outputs": [],
            "inputs": [{"name": n, "type": t} for n, t in inputs]}


_AUTH_INPUTS = [("from_", "address"), ("to", "address"), ("amount", "uint256"), ("validAfter", "uint256"),
                ("validBefore", "uint256"), ("nonce", "bytes32")]
BYTES_OVERLOADS_ABI = [
    _fn("transferWithAuthorization", _AUTH_INPUTS + [("signature", "bytes")]),
    _fn("receiveWithAuthorization", _AUTH_INPUTS + [("signature", "bytes")]),
    _fn("cancelAuthorization", [("authorizer", "address"), ("nonce", "bytes32"), ("signature", "bytes")]),
]


@dataclass(frozen=True)
class Authorization:
    """One EIP-3009 authorization: ``value`` from ``sender`` to ``to`` inside (valid_after, valid_before)."""

    sender: str  # the EIP-712 field "from"
    to: str
    value: int
    valid_after: int
    valid_before: int
    nonce: bytes

    @classmethod
    def new(cls, sender: str, to: str, value: int, *, valid_before: int, valid_after: int = 0, nonce: bytes | None = None) -> Authorization:
        """An authorization with a fresh random nonce (unless one is given)."""
        if not isinstance(value, int) or value < 0 or value >= 2**256:
            raise InputError("value", f"must be an amount in atomic units, got {value!r}")
        if valid_after < 0 or valid_before <= valid_after:
            raise InputError("validBefore", f"must be after validAfter ({valid_after}), got {valid_before}")
        return cls(check_address(sender, "from"), check_address(to, "to"), value, int(valid_after), int(valid_before),
                   check_bytes32(nonce if nonce is not None else os.urandom(32), "nonce"))

    def message(self) -> dict:
        return {"from": self.sender, "to": self.to, "value": self.value, "validAfter": self.valid_after,
                "validBefore": self.valid_before, "nonce": self.nonce}


def domain(*, name: str, version: str = "1", chain_id: int, token: str) -> dict:
    return {"name": name, "version": version, "chainId": int(chain_id), "verifyingContract": Web3.to_checksum_address(token)}


def typed_data(kind: str, message: dict, *, name: str, version: str = "1", chain_id: int, token: str) -> dict:
    """The full EIP-712 message (eth-account ``encode_typed_data(full_message=...)`` form)."""
    if kind not in TYPES:
        raise InputError("kind", f"must be one of {', '.join(TYPES)}, got {kind!r}")
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            kind: TYPES[kind],
        },
        "primaryType": kind,
        "domain": domain(name=name, version=version, chain_id=chain_id, token=token),
        "message": message,
    }


def digest(kind: str, message: dict, **dom: Any) -> bytes:
    """The 32-byte EIP-712 digest an ERC-1271 signer is asked to approve."""
    s = encode_typed_data(full_message=typed_data(kind, message, **dom))
    return keccak(b"\x19" + s.version + s.header + s.body)


def sign(auth: Authorization, key: Any, *, kind: str = TRANSFER, **dom: Any) -> bytes:
    """65-byte signature (r ‖ s ‖ v) of ``auth`` by ``key`` (a private key or eth-account account)."""
    signed = Account.sign_message(encode_typed_data(full_message=typed_data(kind, auth.message(), **dom)), private_key=getattr(key, "key", key))
    return bytes(signed.signature)


def sign_cancel(authorizer_key: Any, authorizer: str, nonce: bytes, **dom: Any) -> bytes:
    """65-byte signature of a `CancelAuthorization(authorizer, nonce)`."""
    msg = {"authorizer": check_address(authorizer, "authorizer"), "nonce": check_bytes32(nonce, "nonce")}
    signed = Account.sign_message(encode_typed_data(full_message=typed_data(CANCEL, msg, **dom)), private_key=getattr(authorizer_key, "key", authorizer_key))
    return bytes(signed.signature)


def split(signature: bytes) -> tuple[int, bytes, bytes]:
    """(v, r, s) of a 65-byte signature (v normalised to 27/28)."""
    if len(signature) != 65:
        raise InputError("signature", f"must be 65 bytes for the v, r, s form, got {len(signature)}")
    v = signature[64]
    return (v + 27 if v < 27 else v), bytes(signature[:32]), bytes(signature[32:64])


class DevTokenClient(ContractClient):
    """Client of a `DevToken` (ERC-20 + EIP-2612 + EIP-3009)."""

    CONTRACT = "DevToken"
    BOOK_NAME = "TestUSD"

    def __init__(self, w3: Web3, address: str, sender=None):
        super().__init__(w3, address, sender)
        self.overloads = w3.eth.contract(address=self.address, abi=BYTES_OVERLOADS_ABI)

    # ------------------------------------------------------------------ reads
    def name(self) -> str:
        return self._view("name")

    def version(self) -> str:
        return self._view("version")

    def decimals(self) -> int:
        return self._view("decimals")

    def balance_of(self, who: str) -> int:
        return self._view("balanceOf", check_address(who, "account", allow_zero=True))

    def authorization_state(self, authorizer: str, nonce: bytes) -> bool:
        """True once ``nonce`` of ``authorizer`` was used or cancelled."""
        return self._view("authorizationState", check_address(authorizer, "authorizer"), check_bytes32(nonce, "nonce"))

    def domain(self, chain_id: int | None = None) -> dict:
        """The token's EIP-712 domain fields, as `sign` takes them."""
        return {"name": self.name(), "version": self.version(), "chain_id": chain_id or self.w3.eth.chain_id, "token": self.address}

    # ------------------------------------------------------------------ writes
    def _auth_call(self, fn: str, auth: Authorization, signature: bytes, form: Literal["vrs", "bytes"]):
        args = (auth.sender, auth.to, auth.value, auth.valid_after, auth.valid_before, auth.nonce)
        if form == "bytes":
            if len(signature) > MAX_SIGNATURE_LENGTH:
                raise InputError("signature", f"is {len(signature)} bytes; at most {MAX_SIGNATURE_LENGTH}")
            return getattr(self.overloads.functions, fn)(*args, bytes(signature))
        return self._fn(fn, *args, *split(signature))

    def transfer_with_authorization(self, auth: Authorization, signature: bytes, *, form: Literal["vrs", "bytes"] = "vrs") -> Any:
        return self._require_sender().transact(self._auth_call("transferWithAuthorization", auth, signature, form), action="transferWithAuthorization")

    def receive_with_authorization(self, auth: Authorization, signature: bytes, *, form: Literal["vrs", "bytes"] = "vrs") -> Any:
        return self._require_sender().transact(self._auth_call("receiveWithAuthorization", auth, signature, form), action="receiveWithAuthorization")

    def cancel_authorization(self, authorizer: str, nonce: bytes, signature: bytes, *, form: Literal["vrs", "bytes"] = "vrs") -> Any:
        authorizer, nonce = check_address(authorizer, "authorizer"), check_bytes32(nonce, "nonce")
        if form == "bytes":
            call = self.overloads.functions.cancelAuthorization(authorizer, nonce, bytes(signature))
        else:
            call = self._fn("cancelAuthorization", authorizer, nonce, *split(signature))
        return self._require_sender().transact(call, action="cancelAuthorization")
