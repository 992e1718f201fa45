"""Client of the ERC-8004 Identity registry (`contracts/IdentityRegistry.vy`).

    ident = IdentityClient.from_book(w3, book, sender)
    agent_id = ident.register("data:application/json;base64,...", {"hashtrust.key": b"pool-watcher-1"})
    ident.set_agent_wallet(agent_id, wallet_account)          # EOA wallet signs the EIP-712 data
    ident.get_agent_wallet(agent_id)

Inputs are checked against the contract's published limits before anything is sent
(`InputError` naming the field and the limit); a contract refusal raises `RevertError` with
the contract's reason (e.g. ``identity: reserved key``).

Wallet signatures are one-time: the contract accepts a signature only if its deadline is
strictly greater than the last deadline used for that agent (`last_wallet_deadline`) and at
most 300 s ahead of the block. `next_wallet_deadline` picks a valid one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from hashtrust.chain.checks import check_address, check_text
from hashtrust.chain.client import ContractClient
from hashtrust.chain.tx import Pending
from hashtrust.errors import HashtrustError, InputError

# The contract's published limits (IdentityRegistry.vy constants).
MAX_URI_LENGTH = 8_192
MAX_KEY_LENGTH = 64
MAX_VALUE_LENGTH = 1_024
MAX_ENTRIES = 16
MAX_SIGNATURE_LENGTH = 512
MAX_DEADLINE_DELAY = 300
WALLET_LANDING_S = 30  # the least time a new wallet signature leaves the transaction to land
WALLET_KEY = "agentWallet"
DOMAIN_NAME = "ERC8004IdentityRegistry"
DOMAIN_VERSION = "1"
WALLET_TYPES = {
    "AgentWalletSet": [
        {"name": "agentId", "type": "uint256"},
        {"name": "newWallet", "type": "address"},
        {"name": "owner", "type": "address"},
        {"name": "deadline", "type": "uint256"},
    ]
}


@dataclass(frozen=True)
class Agent:
    """What the registry holds for one agent."""

    agent_id: int
    owner: str
    uri: str
    wallet: str  # zero address when unset


@dataclass(frozen=True)
class WalletApproval:
    """What a wallet must sign (EOA) or approve (ERC-1271) for `setAgentWallet`."""

    agent_id: int
    new_wallet: str
    owner: str
    deadline: int
    typed_data: dict  # EIP-712 full message (eth-account `encode_typed_data(full_message=...)`)
    digest: bytes  # the 32-byte hash an ERC-1271 wallet's isValidSignature receives


# ---------------------------------------------------------------------------- input checks
def _as_bytes(value: bytes | str, field: str) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise InputError(field, f"must be bytes or str, not {type(value).__name__}")


def check_uri(uri: str, field: str = "agentURI") -> str:
    """A URI the contract accepts (<= 8,192 UTF-8 bytes)."""
    return check_text(uri, field, MAX_URI_LENGTH)


def check_key(key: str, field: str = "metadataKey") -> str:
    """A metadata key the contract accepts: 1..64 UTF-8 bytes, not the reserved "agentWallet"."""
    if not check_text(key, field, MAX_KEY_LENGTH):
        raise InputError(field, "must not be empty")
    if key == WALLET_KEY:
        raise InputError(field, '"agentWallet" is reserved: use set_agent_wallet / unset_agent_wallet')
    return key


def check_value(value: bytes | str, field: str = "metadataValue") -> bytes:
    """A metadata value the contract accepts (<= 1,024 bytes; str is UTF-8 encoded)."""
    b = _as_bytes(value, field)
    if len(b) > MAX_VALUE_LENGTH:
        raise InputError(field, f"is {len(b):,} bytes; values are at most {MAX_VALUE_LENGTH:,}")
    return b


def check_metadata(metadata: Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str]] | None, field: str = "metadata") -> list[tuple[str, bytes]]:
    """Metadata entries as the contract's (key, value) tuples, checked."""
    if metadata is None:
        return []
    items = list(metadata.items()) if isinstance(metadata, Mapping) else list(metadata)
    if len(items) > MAX_ENTRIES:
        raise InputError(field, f"has {len(items)} entries; register accepts at most {MAX_ENTRIES}")
    out: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        try:
            key, value = item
        except (TypeError, ValueError):
            raise InputError(f"{field}[{i}]", "must be a (key, value) pair") from None
        check_key(key, f"{field}[{i}].key")
        if key in seen:
            raise InputError(f"{field}[{i}].key", f"duplicate key {key!r}")
        seen.add(key)
        out.append((key, check_value(value, f"{field}[{i}].value")))
    return out


def check_agent_id(agent_id: Any, field: str = "agentId") -> int:
    if isinstance(agent_id, bool) or not isinstance(agent_id, int) or agent_id < 1 or agent_id >= 2**128:
        raise InputError(field, f"must be a positive integer agent id (ids start at 1), got {agent_id!r}")
    return agent_id


# ---------------------------------------------------------------------------- EIP-712
def wallet_typed_data(chain_id: int, registry: str, agent_id: int, new_wallet: str, owner: str, deadline: int) -> dict:
    """The EIP-712 message `AgentWalletSet` a new wallet signs."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            **WALLET_TYPES,
        },
        "primaryType": "AgentWalletSet",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": int(chain_id),
            "verifyingContract": Web3.to_checksum_address(registry),
        },
        "message": {
            "agentId": int(agent_id),
            "newWallet": Web3.to_checksum_address(new_wallet),
            "owner": Web3.to_checksum_address(owner),
            "deadline": int(deadline),
        },
    }


def wallet_digest(typed_data: dict) -> bytes:
    """The 32-byte EIP-712 digest of ``typed_data`` (what ERC-1271 `isValidSignature` gets)."""
    signable = encode_typed_data(full_message=typed_data)
    return Web3.keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_wallet_approval(approval: WalletApproval, key_or_account: Any) -> bytes:
    """The 65-byte signature of ``approval`` by an EOA (private key or eth-account account)."""
    acct = key_or_account if hasattr(key_or_account, "sign_message") else Account.from_key(key_or_account)
    if Web3.to_checksum_address(acct.address) != approval.new_wallet:
        raise InputError("wallet", f"signer {acct.address} is not the new wallet {approval.new_wallet}")
    signed = acct.sign_message(encode_typed_data(full_message=approval.typed_data))
    return bytes(signed.signature)


# ---------------------------------------------------------------------------- client
class IdentityClient(ContractClient):
    """Typed access to one IdentityRegistry deployment."""

    CONTRACT = "IdentityRegistry"
    BOOK_NAME = "IdentityRegistry"

    # ------------------------------------------------------------------ registration
    def _register_call(self, uri: str, metadata: Any):
        uri = check_uri(uri)
        entries = check_metadata(metadata)
        if entries:
            return self._fn("register", uri, entries, signature="register(string,(string,bytes)[])")
        if uri:
            return self._fn("register", uri, signature="register(string)")
        return self._fn("register", signature="register()")

    def register(self, uri: str = "", metadata: Any = None) -> int:
        """Register an agent owned by the sender; returns its id.

        ``metadata``: a mapping or (key, value) pairs; values are bytes or str (UTF-8).
        """
        return int(self._send_event(self._register_call(uri, metadata), "Registered", action="register")["agentId"])

    def submit_register(self, uri: str = "", metadata: Any = None) -> Pending:
        """Send a registration without waiting (pipelining); read the id with `agent_id_from_receipt`."""
        return self._require_sender().submit(self._register_call(uri, metadata), action="register")

    def register_call(self, uri: str = "", metadata: Any = None):
        """The checked contract call of a registration (for `TxSender.transact_many`)."""
        return self._register_call(uri, metadata)

    def agent_id_from_receipt(self, receipt: Any) -> int:
        evs = self.events(receipt, "Registered")
        if len(evs) != 1:
            raise HashtrustError(f"expected one Registered event in {Web3.to_hex(receipt['transactionHash'])}, found {len(evs)}")
        return int(evs[0]["agentId"])

    def set_agent_uri(self, agent_id: int, uri: str) -> Any:
        """Replace the agent's URI (owner, operator or approved address); returns the receipt."""
        return self._send("setAgentURI", check_agent_id(agent_id), check_uri(uri, "newURI"))

    # ------------------------------------------------------------------ metadata
    def set_metadata(self, agent_id: int, key: str, value: bytes | str) -> Any:
        """Set one metadata entry; returns the receipt."""
        return self._send("setMetadata", check_agent_id(agent_id), check_key(key), check_value(value))

    def get_metadata(self, agent_id: int, key: str) -> bytes:
        """The metadata value (b"" when never set)."""
        return bytes(self._view("getMetadata", check_agent_id(agent_id), check_text(key, "metadataKey", MAX_KEY_LENGTH)))

    # ------------------------------------------------------------------ wallet
    def last_wallet_deadline(self, agent_id: int) -> int:
        return int(self._view("last_wallet_deadline", check_agent_id(agent_id)))

    def next_wallet_deadline(self, agent_id: int, *, ahead: int = 240) -> int:
        """A deadline the contract will accept now: ~``ahead`` s after the block the transaction
        lands in, above the last used one.

        Times are the chain's, never the wall clock's (a devnet's clock may run ahead of it, e.g.
        Anvil after ``evm_increaseTime``, or behind it). The transaction lands in the ``pending``
        block and nodes estimate its gas on the ``latest`` block; the contract checks the deadline
        at both, so it must be no earlier than either block's time and at most 300 s after both.
        """
        pending, latest = (int(self.w3.eth.get_block(b)["timestamp"]) for b in ("pending", "latest"))
        lo, hi = max(pending, latest), min(pending, latest) + MAX_DEADLINE_DELAY
        if hi - lo < WALLET_LANDING_S:
            raise InputError(
                "deadline",
                f"the chain's next block (time {pending}) is {pending - latest}s from its latest block (time {latest}); "
                f"a deadline must be within {MAX_DEADLINE_DELAY}s of both: retry once a block is mined",
            )
        last = self.last_wallet_deadline(agent_id)
        deadline = max(min(lo + ahead, hi), last + 1)
        if deadline > hi:
            raise InputError(
                "deadline",
                f"the last wallet signature of agent {agent_id} used deadline {last}; a new one must be later "
                f"but at most {MAX_DEADLINE_DELAY}s ahead: retry after {last + 1 - hi}s",
            )
        return deadline

    def wallet_approval(self, agent_id: int, new_wallet: str, *, deadline: int | None = None, owner: str | None = None) -> WalletApproval:
        """What ``new_wallet`` must sign (EOA) or approve (ERC-1271 digest) to become the agent's wallet."""
        agent_id = check_agent_id(agent_id)
        new_wallet = check_address(new_wallet, "newWallet")
        owner = check_address(owner, "owner") if owner is not None else self.owner_of(agent_id)
        if deadline is None:
            deadline = self.next_wallet_deadline(agent_id)
        typed = wallet_typed_data(self.w3.eth.chain_id, self.address, agent_id, new_wallet, owner, deadline)
        return WalletApproval(agent_id, new_wallet, owner, int(deadline), typed, wallet_digest(typed))

    def set_agent_wallet(
        self,
        agent_id: int,
        wallet: Any,
        *,
        signature: bytes | None = None,
        deadline: int | None = None,
    ) -> Any:
        """Make ``wallet`` the agent's wallet; returns the receipt.

        ``wallet`` is either an eth-account account / private key (the SDK signs the EIP-712 data),
        or an address together with ``signature`` (and its ``deadline``): a 65-byte EOA signature
        or the data an ERC-1271 contract wallet accepts for `WalletApproval.digest`.
        """
        if signature is None:
            acct = wallet if hasattr(wallet, "sign_message") else None
            if acct is None:
                try:
                    acct = Account.from_key(wallet)
                except Exception:  # noqa: BLE001
                    raise InputError("wallet", "pass an account / private key to sign with, or an address and its signature") from None
            approval = self.wallet_approval(agent_id, acct.address, deadline=deadline)
            signature = sign_wallet_approval(approval, acct)
        else:
            if deadline is None:
                raise InputError("deadline", "a given signature needs the deadline it was made for")
            approval = self.wallet_approval(agent_id, wallet, deadline=deadline)
        if not isinstance(signature, (bytes, bytearray)) or not 0 < len(signature) <= MAX_SIGNATURE_LENGTH:
            raise InputError("signature", f"must be 1..{MAX_SIGNATURE_LENGTH} bytes")
        return self._send("setAgentWallet", approval.agent_id, approval.new_wallet, approval.deadline, bytes(signature))

    def unset_agent_wallet(self, agent_id: int) -> Any:
        """Clear the agent's wallet; returns the receipt."""
        return self._send("unsetAgentWallet", check_agent_id(agent_id))

    def get_agent_wallet(self, agent_id: int) -> str:
        """The agent's wallet (zero address when unset or the agent does not exist)."""
        return Web3.to_checksum_address(self._view("getAgentWallet", check_agent_id(agent_id)))

    # ------------------------------------------------------------------ reads
    def owner_of(self, agent_id: int) -> str:
        return Web3.to_checksum_address(self._view("ownerOf", check_agent_id(agent_id)))

    def token_uri(self, agent_id: int) -> str:
        return self._view("tokenURI", check_agent_id(agent_id))

    def is_authorized_or_owner(self, spender: str, agent_id: int) -> bool:
        return bool(self._view("isAuthorizedOrOwner", check_address(spender, "spender"), check_agent_id(agent_id)))

    def total_agents(self) -> int:
        return int(self._view("total_agents"))

    def balance_of(self, owner: str) -> int:
        return int(self._view("balanceOf", check_address(owner, "owner")))

    def agent(self, agent_id: int) -> Agent:
        """Owner, URI and wallet of one agent (reverts with `RevertError` when it does not exist)."""
        owner = self.owner_of(agent_id)
        return Agent(agent_id, owner, self.token_uri(agent_id), self.get_agent_wallet(agent_id))

    def version(self) -> str:
        return self._view("getVersion")

    # ------------------------------------------------------------------ transfers
    def transfer(self, agent_id: int, to: str, *, safe: bool = True) -> Any:
        """Transfer the agent to ``to`` (clears its wallet); returns the receipt."""
        owner = self.owner_of(agent_id)
        to = check_address(to, "to")
        if safe:
            return self._send("safeTransferFrom", owner, to, agent_id, signature="safeTransferFrom(address,address,uint256)")
        return self._send("transferFrom", owner, to, agent_id)

    # ------------------------------------------------------------------ logs
    def metadata_logs(self, key: str, *, from_block: int = 0) -> list[tuple[int, bytes, bytes]]:
        """(agentId, value, transaction hash) of every `MetadataSet` of ``key``, oldest first."""
        check_key(key)
        topic = Web3.to_hex(Web3.keccak(text=key))
        return [
            (int(ev["args"]["agentId"]), bytes(ev["args"]["metadataValue"]), bytes(ev["transactionHash"]))
            for ev in self.logs("MetadataSet", [None, topic], from_block=from_block)
        ]

    def registrations_by(self, registrant: str, *, from_block: int = 0) -> dict[int, bytes]:
        """agentId -> registration transaction of every agent ``registrant`` registered itself
        (the `Registered` event's owner is the registering caller)."""
        topic = "0x" + "00" * 12 + check_address(registrant, "registrant")[2:].lower()
        return {int(ev["args"]["agentId"]): bytes(ev["transactionHash"]) for ev in self.logs("Registered", [None, topic], from_block=from_block)}

    def registrant_of(self, agent_id: int, *, from_block: int = 0) -> str | None:
        """Who registered ``agent_id`` (the `Registered` event's owner), or None when not found."""
        topic = "0x" + int(check_agent_id(agent_id)).to_bytes(32, "big").hex()
        evs = self.logs("Registered", [topic], from_block=from_block)
        return Web3.to_checksum_address(evs[0]["args"]["owner"]) if evs else None

    def transferred_to(self, owner: str, *, from_block: int = 0) -> set[int]:
        """Agents ever transferred to ``owner`` by someone else (ERC-721 `Transfer`, mints excluded)."""
        topic = "0x" + "00" * 12 + check_address(owner, "owner")[2:].lower()
        return {int(ev["args"]["token_id"]) for ev in self.logs("Transfer", [None, topic], from_block=from_block) if int(ev["args"]["sender"], 16) != 0}

    def agents_with_metadata(self, key: str, *, owner: str | None = None, from_block: int = 0) -> dict[bytes, list[int]]:
        """Value -> agent ids, from the `MetadataSet` logs of ``key`` (latest value per agent wins).

        With ``owner``, only agents currently owned by ``owner`` (whoever registered them: the
        bulk registration script recognises its own agents with `hashtrust.erc8004.agents.existing_agents`).
        """
        latest: dict[int, bytes] = {}
        for agent_id, value, _tx in self.metadata_logs(key, from_block=from_block):
            latest[agent_id] = value
        out: dict[bytes, list[int]] = {}
        owner_cs = check_address(owner, "owner") if owner is not None else None
        for agent_id, value in sorted(latest.items()):
            if owner_cs is not None and self.owner_of(agent_id) != owner_cs:
                continue
            out.setdefault(value, []).append(agent_id)
        return out
