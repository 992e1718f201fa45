"""The interaction attestation: the agent's EIP-712 statement that it served a paid request.

A payment alone proves that money moved, not that anything was served. After the settlement,
the agent's server signs, with the key of the agent's on-chain ``agentWallet``::

    domain  {name: "hashtrust x402 interaction", version: "1",
             chainId, verifyingContract: the IdentityRegistry}
    InteractionAttestation(
        uint256 agentId,        the agent that served
        address client,         who paid (the EIP-3009 authorization's "from")
        address payTo,          who was paid (the agent's wallet)
        address asset,          the token
        uint256 amount,         the price paid, atomic units
        bytes32 settlementTx,   the transaction that settled the payment
        bytes32 nonce,          the EIP-3009 authorization nonce (one payment, one nonce)
        bytes32 requestHash,    request_hash(method, path, body)
        bytes32 responseHash,   keccak256(response body)
        string  resource)       "<METHOD> <path>" of the paid service

It travels in the ``X-Interaction-Attestation`` response header as base64 of the JSON
`Attestation.as_dict()` (``message`` with hex strings for bytes32, decimal strings for
integers, ``signature``). The client checks it against what it sent and received
(`check_against`) and puts it in its feedback file; anyone can recover the signer
(`signer_of`) and compare it with the agent's wallet at the settlement's block.

``request_hash = keccak256(utf8(METHOD) ‖ 0x20 ‖ utf8(path[?query]) ‖ 0x0a ‖ body)``: method
and path as the client sent them (no host, so a proxy in between does not change it), body
the raw request bytes.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import Web3

from hashtrust.chain import jsonsafe
from hashtrust.errors import InputError

HEADER = "X-Interaction-Attestation"
DOMAIN_NAME = "hashtrust x402 interaction"
DOMAIN_VERSION = "1"
PRIMARY = "InteractionAttestation"
FIELDS = [
    {"name": "agentId", "type": "uint256"},
    {"name": "client", "type": "address"},
    {"name": "payTo", "type": "address"},
    {"name": "asset", "type": "address"},
    {"name": "amount", "type": "uint256"},
    {"name": "settlementTx", "type": "bytes32"},
    {"name": "nonce", "type": "bytes32"},
    {"name": "requestHash", "type": "bytes32"},
    {"name": "responseHash", "type": "bytes32"},
    {"name": "resource", "type": "string"},
]
_B32 = ("settlementTx", "nonce", "requestHash", "responseHash")
_ADDR = ("client", "payTo", "asset")
_INT = ("agentId", "amount")


def request_hash(method: str, path_and_query: str, body: bytes) -> bytes:
    return keccak(method.upper().encode() + b" " + path_and_query.encode() + b"\n" + bytes(body))


def response_hash(body: bytes) -> bytes:
    return keccak(bytes(body))


def _b32(v: Any, field: str) -> bytes:
    if isinstance(v, str):
        try:
            v = bytes.fromhex(v.removeprefix("0x"))
        except ValueError:
            raise InputError(f"attestation.{field}", "is not hex") from None
    if not isinstance(v, (bytes, bytearray)) or len(v) != 32:
        raise InputError(f"attestation.{field}", "must be 32 bytes")
    return bytes(v)


@dataclass(frozen=True)
class Attestation:
    """A signed interaction attestation."""

    chain_id: int
    identity_registry: str
    message: dict  # typed values: ints, checksummed addresses, 32-byte bytes, str
    signature: bytes

    # ------------------------------------------------------------------ building
    @staticmethod
    def build_message(*, agent_id: int, client: str, pay_to: str, asset: str, amount: int, settlement_tx: Any,
                      nonce: Any, request_hash: bytes, response_hash: bytes, resource: str) -> dict:
        return {
            "agentId": int(agent_id), "client": Web3.to_checksum_address(client), "payTo": Web3.to_checksum_address(pay_to),
            "asset": Web3.to_checksum_address(asset), "amount": int(amount), "settlementTx": _b32(settlement_tx, "settlementTx"),
            "nonce": _b32(nonce, "nonce"), "requestHash": _b32(request_hash, "requestHash"),
            "responseHash": _b32(response_hash, "responseHash"), "resource": str(resource),
        }

    @classmethod
    def sign(cls, key: Any, *, chain_id: int, identity_registry: str, **fields: Any) -> Attestation:
        msg = cls.build_message(**fields)
        typed = typed_data(chain_id, identity_registry, msg)
        sig = Account.sign_message(encode_typed_data(full_message=typed), private_key=getattr(key, "key", key)).signature
        return cls(int(chain_id), Web3.to_checksum_address(identity_registry), msg, bytes(sig))

    # ------------------------------------------------------------------ checking
    def digest(self) -> bytes:
        s = encode_typed_data(full_message=typed_data(self.chain_id, self.identity_registry, self.message))
        return keccak(b"\x19" + s.version + s.header + s.body)

    def signer_of(self) -> str:
        """The EOA that signed (ECDSA recovery); raises InputError for a malformed signature."""
        try:
            return Account._recover_hash(self.digest(), signature=self.signature)
        except Exception as exc:  # noqa: BLE001 - eth-keys raises several types for bad bytes
            raise InputError("attestation.signature", f"cannot be recovered ({exc})") from None

    def signed_by(self, w3: Web3 | None, wallet: str, *, block: Any = "latest") -> bool:
        """True when ``wallet`` signed: by ECDSA, or (a wallet with code) by ERC-1271 at ``block``."""
        wallet = Web3.to_checksum_address(wallet)
        try:
            if self.signer_of() == wallet:
                return True
        except InputError:
            pass
        if w3 is None or not w3.eth.get_code(wallet, block_identifier=block):
            return False
        abi = [{"type": "function", "name": "isValidSignature", "stateMutability": "view",
                "inputs": [{"name": "h", "type": "bytes32"}, {"name": "s", "type": "bytes"}], "outputs": [{"name": "", "type": "bytes4"}]}]
        try:
            out = w3.eth.contract(address=wallet, abi=abi).functions.isValidSignature(self.digest(), self.signature).call(block_identifier=block)
        except Exception:  # noqa: BLE001 - a reverting wallet refuses
            return False
        return bytes(out) == bytes.fromhex("1626ba7e")

    def check_against(self, *, agent_id: int, client: str, pay_to: str, asset: str, amount: int, settlement_tx: Any,
                      nonce: Any, request_hash: bytes, response_hash: bytes) -> str | None:
        """None when the attestation states exactly this interaction, else what differs."""
        want = self.build_message(agent_id=agent_id, client=client, pay_to=pay_to, asset=asset, amount=amount,
                                  settlement_tx=settlement_tx, nonce=nonce, request_hash=request_hash,
                                  response_hash=response_hash, resource=self.message["resource"])
        for k, v in want.items():
            if self.message[k] != v:
                shown = "0x" + self.message[k].hex() if isinstance(v, bytes) else self.message[k]
                return f"attestation {k} is {shown}, expected {'0x' + v.hex() if isinstance(v, bytes) else v}"
        return None

    # ------------------------------------------------------------------ encoding
    def as_dict(self) -> dict:
        m = {k: ("0x" + v.hex() if k in _B32 else str(v) if k in _INT else v) for k, v in self.message.items()}
        return {"version": 1, "primaryType": PRIMARY, "chainId": self.chain_id, "verifyingContract": self.identity_registry,
                "message": m, "signature": "0x" + self.signature.hex()}

    def header_value(self) -> str:
        return base64.b64encode(json.dumps(self.as_dict(), separators=(",", ":"), sort_keys=True).encode()).decode()

    @classmethod
    def from_dict(cls, d: Any) -> Attestation:
        try:
            if d.get("version") != 1 or d.get("primaryType") != PRIMARY:
                raise InputError("attestation", f"is not a version-1 {PRIMARY}")
            m = d["message"]
            msg = cls.build_message(agent_id=int(m["agentId"]), client=m["client"], pay_to=m["payTo"], asset=m["asset"],
                                    amount=int(m["amount"]), settlement_tx=m["settlementTx"], nonce=m["nonce"],
                                    request_hash=_b32(m["requestHash"], "requestHash"), response_hash=_b32(m["responseHash"], "responseHash"),
                                    resource=m["resource"])
            sig = bytes.fromhex(str(d["signature"]).removeprefix("0x"))
            return cls(int(d["chainId"]), Web3.to_checksum_address(d["verifyingContract"]), msg, sig)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError("attestation", f"is malformed ({type(exc).__name__}: {exc})") from None

    @classmethod
    def from_header(cls, value: str) -> Attestation:
        try:
            d = jsonsafe.loads(base64.b64decode(value, validate=True))
        except (ValueError, TypeError) as exc:
            raise InputError(HEADER, f"is not base64 JSON ({exc})") from None
        return cls.from_dict(d)


def typed_data(chain_id: int, identity_registry: str, message: dict) -> dict:
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            PRIMARY: FIELDS,
        },
        "primaryType": PRIMARY,
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": int(chain_id),
                   "verifyingContract": Web3.to_checksum_address(identity_registry)},
        "message": message,
    }
