# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title ERC-8004 Identity Registry (hashtrust)
@custom:contract-name IdentityRegistry
@license MIT
@notice Every agent is an ERC-721 token ("AgentIdentity", "AGENT") whose
        `tokenURI` is the agent's registration file (`agentURI`). Owners and
        their operators attach metadata; `agentWallet` is a reserved metadata
        key proven by an EIP-712 / ERC-1271 signature of the wallet.
        ABI-compatible with the ERC-8004 reference (contracts 2.0.0): every
        selector and event topic matches.

        Published limits (larger inputs revert):
        - agentURI: at most 8,192 bytes (`MAX_URI_LENGTH`), enough for a
          `data:application/json;base64,...` registration file of ~6 KB JSON;
        - metadata key: 1..64 bytes (`MAX_KEY_LENGTH`), never "agentWallet";
        - metadata value: at most 1,024 bytes (`MAX_VALUE_LENGTH`);
        - metadata entries per `register` call: at most 16 (`MAX_ENTRIES`);
        - wallet signature: at most 512 bytes (`MAX_SIGNATURE_LENGTH`).
        Inside the ABI bounds the contract reverts with "identity: ..."
        reasons; an input longer than its ABI bound is refused by the ABI
        decoder before any code runs (no reason string; the SDK checks first).

        Agent ids start at 1 and increase by one per registration, so 0 never
        names an agent ("no agent" in other contracts).

        Storage design (why it is cheaper than the reference):
        - one packed word per agent: owner (bits 0..159), the CREATE nonce of
          the contract holding its URI (bits 160..223, 0 = empty URI) and the
          wallet mode (bits 224..255: default or none);
        - a URI is stored as the code of a small data contract (one CREATE,
          200 gas per byte) instead of one storage slot per 32 bytes; its
          address is derived from the nonce, never stored;
        - `agentWallet` equal to the owner is derived, not written; a different
          wallet is one slot (wallet + last used signature deadline);
        - metadata values of at most 31 bytes live in one slot with their
          length; longer values in a data contract whose address is the slot.
@dev The ERC-721 core is the lean, non-enumerable `agent_nft` module.
"""


# @dev What the Reputation / Validation registries and the vault call:
# checked at compile time against the shared interface.
from .interfaces import IIdentityRegistry

implements: IIdentityRegistry

# @dev ERC-721 core (ownership, balances, approvals).
from .modules import agent_nft

initializes: agent_nft

exports: (
    agent_nft.balanceOf,
    agent_nft.ownerOf,
    agent_nft.approve,
    agent_nft.getApproved,
    agent_nft.setApprovalForAll,
    agent_nft.isApprovedForAll,
    agent_nft.name,
    agent_nft.symbol,
)


################################################################
#                          INTERFACES                          #
################################################################


# @dev ERC-1271 contract-wallet signature check.
interface IERC1271:
    def isValidSignature(_hash: bytes32, _signature: Bytes[512]) -> bytes4: view


################################################################
#                            EVENTS                            #
################################################################


# @dev A new agent `agentId` was registered by `owner` with `agentURI`.
event Registered:
    agentId: indexed(uint256)
    agentURI: String[8_192]
    owner: indexed(address)


# @dev Metadata `metadataKey` of agent `agentId` was set to `metadataValue`
# (empty when cleared, e.g. `agentWallet` after a transfer).
event MetadataSet:
    agentId: indexed(uint256)
    indexedMetadataKey: indexed(String[64])
    metadataKey: String[64]
    metadataValue: Bytes[1_024]


# @dev The agent's URI was changed by `updatedBy`.
event URIUpdated:
    agentId: indexed(uint256)
    newURI: String[8_192]
    updatedBy: indexed(address)


# @dev ERC-4906: the token's metadata (its URI) changed.
event MetadataUpdate:
    _tokenId: uint256


################################################################
#                           STRUCTS                            #
################################################################


# @dev One metadata entry of `register(string, MetadataEntry[])`.
struct MetadataEntry:
    metadataKey: String[64]
    metadataValue: Bytes[1_024]


################################################################
#                          CONSTANTS                           #
################################################################


# @dev Published input limits (see the contract NatSpec).
MAX_URI_LENGTH: public(constant(uint256)) = 8_192
MAX_KEY_LENGTH: public(constant(uint256)) = 64
MAX_VALUE_LENGTH: public(constant(uint256)) = 1_024
MAX_ENTRIES: public(constant(uint256)) = 16
MAX_SIGNATURE_LENGTH: public(constant(uint256)) = 512
# @dev A wallet signature's deadline may be at most this far ahead.
MAX_DEADLINE_DELAY: public(constant(uint256)) = 300

# @dev The reserved metadata key.
_WALLET_KEY: constant(String[11]) = "agentWallet"
_WALLET_KEY_HASH: constant(bytes32) = keccak256("agentWallet")

# @dev ERC-165 identifiers: ERC-165, ERC-721, ERC-721 metadata, ERC-4906.
_SUPPORTED_INTERFACES: constant(bytes4[4]) = [0x01FFC9A7, 0x80AC58CD, 0x5B5E139F, 0x49064906]

# @dev EIP-712 (domain "ERC8004IdentityRegistry", version "1").
_DOMAIN_TYPE_HASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
_NAME_HASH: constant(bytes32) = keccak256("ERC8004IdentityRegistry")
_VERSION_HASH: constant(bytes32) = keccak256("1")
_WALLET_TYPE_HASH: constant(bytes32) = keccak256(
    "AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)"
)
# @dev ERC-1271 magic value `isValidSignature.selector` as the 32-byte word
# a wallet returns (left-aligned, zero padded), the only answer accepted.
_ERC1271_MAGIC_WORD: constant(bytes32) = 0x1626BA7E00000000000000000000000000000000000000000000000000000000
# @dev secp256k1n / 2: larger `s` values are malleable duplicates.
_MAX_S: constant(uint256) = 57_896_044_618_658_097_711_785_492_504_343_953_926_418_782_139_537_452_191_302_581_570_759_080_747_168

# @dev Packed agent word: bits 160..223 URI nonce, 224..255 wallet mode.
_NONCE_SHIFT: constant(uint256) = 160
_NONCE_MASK: constant(uint256) = (1 << 64) - 1
_MODE_SHIFT: constant(uint256) = 224
_LOW_224: constant(uint256) = (1 << 224) - 1
_LOW_128: constant(uint256) = (1 << 128) - 1
_LOW_160: constant(uint256) = (1 << 160) - 1
# @dev Wallet modes. DEFAULT: the wallet slot's address when one was set,
# else the owner (derived, never written). NONE: no wallet (after an unset
# or a transfer; a transfer rewrites the word anyway, so clearing is free).
_MODE_DEFAULT: constant(uint256) = 0
_MODE_NONE: constant(uint256) = 1

# @dev Metadata slot: bytes in the high 31 bytes, length in the low byte;
# low byte 0xFF marks a data-contract address in bits 8..167.
_PTR_TAG: constant(uint256) = 255

# @dev Data-contract runtime header: PUSH2 len DUP1 PUSH1 10 PUSH0
# CODECOPY PUSH0 RETURN, i.e. "return the bytes that follow me".
_HEADER_LENGTH: constant(uint256) = 10


################################################################
#                           STORAGE                            #
################################################################


# @dev Next agent id (bits 0..127) and this contract's next CREATE nonce
# (bits 128..255), in one slot so a registration updates both with one write.
_counters: uint256
# @dev Agent id -> wallet (bits 0..159) and the last deadline of a used
# wallet signature (bits 160..223), kept across unset and transfer so a
# signature can be used once only.
_wallets: HashMap[uint256, uint256]
# @dev Agent id -> keccak256(key) -> packed short value or data pointer.
_metadata: HashMap[uint256, HashMap[bytes32, uint256]]
# @dev Chain id and domain separator cached at deployment.
_CACHED_CHAIN_ID: immutable(uint256)
_CACHED_DOMAIN_SEPARATOR: immutable(bytes32)


@deploy
def __init__():
    """
    @dev Agent ids start at 1; a new contract's CREATE nonce is 1 (EIP-161).
    """
    agent_nft.__init__("AgentIdentity", "AGENT")
    self._counters = (1 << 128) | 1
    _CACHED_CHAIN_ID = chain.id
    _CACHED_DOMAIN_SEPARATOR = keccak256(
        abi_encode(_DOMAIN_TYPE_HASH, _NAME_HASH, _VERSION_HASH, chain.id, self)
    )


################################################################
#                       REGISTRATION                           #
################################################################


@external
def register(
    agentURI: String[8_192] = "", metadata: DynArray[MetadataEntry, 16] = []
) -> uint256:
    """
    @dev Registers a new agent owned by the caller (safe mint: a contract
         caller must implement `onERC721Received`), stores its URI, sets
         `agentWallet` to the caller and stores the given metadata. One
         function, three selectors: `register()`, `register(string)`,
         `register(string,(string,bytes)[])`.
         Events, in order: `Transfer`, `MetadataUpdate` (when a URI is
         given), `Registered`, `MetadataSet("agentWallet")`, then one
         `MetadataSet` per entry.
    @notice Limits: URI <= 8,192 bytes, <= 16 entries, keys 1..64 bytes
            and not "agentWallet", values <= 1,024 bytes.
    @param agentURI The registration file URI (may be empty).
    @param metadata Metadata entries to set.
    @return uint256 The new agent id.
    """
    counters: uint256 = self._counters
    agent_id: uint256 = counters & _LOW_128
    nonce: uint256 = counters >> 128
    uri_nonce: uint256 = 0
    if len(agentURI) != 0:
        uri_nonce = nonce
        # Data contract: header(len + 10) ++ header(len) ++ bytes, where
        # header(n) = PUSH2 n DUP1 PUSH1 10 PUSH0 CODECOPY PUSH0 RETURN.
        pointer: address = raw_create(
            concat(
                b"\x61",
                convert(convert(len(agentURI) + _HEADER_LENGTH, uint16), bytes2),
                b"\x80\x60\x0a\x5f\x39\x5f\xf3\x61",
                convert(convert(len(agentURI), uint16), bytes2),
                b"\x80\x60\x0a\x5f\x39\x5f\xf3",
                convert(agentURI, Bytes[8_192]),
            )
        )
        assert pointer == self._create_address(nonce), "identity: create nonce out of sync"
        nonce = unsafe_add(nonce, 1)
    for entry: MetadataEntry in metadata:
        assert len(entry.metadataKey) != 0, "identity: empty key"
        assert keccak256(entry.metadataKey) != _WALLET_KEY_HASH, "identity: reserved key"
        if len(entry.metadataValue) > 31:
            nonce = unsafe_add(nonce, 1)
    self._counters = (nonce << 128) | unsafe_add(agent_id, 1)

    agent_nft._mint(msg.sender, agent_id, uri_nonce << _NONCE_SHIFT)
    if uri_nonce != 0:
        log MetadataUpdate(_tokenId=agent_id)
    log Registered(agentId=agent_id, agentURI=agentURI, owner=msg.sender)
    log MetadataSet(
        agentId=agent_id,
        indexedMetadataKey=_WALLET_KEY,
        metadataKey=_WALLET_KEY,
        metadataValue=concat(convert(msg.sender, bytes20), b""),
    )
    for entry: MetadataEntry in metadata:
        self._write_metadata(agent_id, entry.metadataKey, entry.metadataValue)
    assert agent_nft._check_on_erc721_received(empty(address), msg.sender, agent_id, b""), (
        "erc721: transfer to non-IERC721Receiver implementer"
    )
    return agent_id


@external
def setAgentURI(agentId: uint256, newURI: String[8_192]):
    """
    @dev Replaces the agent's URI (a new data contract; the old one stays
         on chain, unreferenced). Emits `URIUpdated` and `MetadataUpdate`.
    @notice Only the owner, an operator of the owner or the approved
            address may call. URI at most 8,192 bytes (may be empty).
    @param agentId The agent id.
    @param newURI The new URI.
    """
    word: uint256 = agent_nft._word(agentId)
    self._check_authorized(msg.sender, agentId, word)
    uri_nonce: uint256 = 0
    if len(newURI) != 0:
        counters: uint256 = self._counters
        uri_nonce = counters >> 128
        pointer: address = raw_create(
            concat(
                b"\x61",
                convert(convert(len(newURI) + _HEADER_LENGTH, uint16), bytes2),
                b"\x80\x60\x0a\x5f\x39\x5f\xf3\x61",
                convert(convert(len(newURI), uint16), bytes2),
                b"\x80\x60\x0a\x5f\x39\x5f\xf3",
                convert(newURI, Bytes[8_192]),
            )
        )
        assert pointer == self._create_address(uri_nonce), "identity: create nonce out of sync"
        self._counters = counters + (1 << 128)
    agent_nft._set_word(agentId, (word & ~(_NONCE_MASK << _NONCE_SHIFT)) | (uri_nonce << _NONCE_SHIFT))
    log URIUpdated(agentId=agentId, newURI=newURI, updatedBy=msg.sender)
    log MetadataUpdate(_tokenId=agentId)


@external
@view
def tokenURI(tokenId: uint256) -> String[8_192]:
    """
    @dev The agent's URI (its registration file), ERC-721 metadata.
    @notice Reverts for an agent that does not exist.
    @param tokenId The agent id.
    @return String The URI (empty when none was set).
    """
    word: uint256 = agent_nft._word(tokenId)
    assert word != 0, "erc721: invalid token ID"
    uri_nonce: uint256 = (word >> _NONCE_SHIFT) & _NONCE_MASK
    if uri_nonce == 0:
        return ""
    return convert(self._read_data(self._create_address(uri_nonce)), String[8_192])


################################################################
#                           METADATA                           #
################################################################


@external
@view
def getMetadata(agentId: uint256, metadataKey: String[64]) -> Bytes[1_024]:
    """
    @dev The value of metadata `metadataKey` of agent `agentId`; for
         "agentWallet" the 20 address bytes (empty when unset).
    @notice Returns empty bytes for a key never set or a missing agent.
    @param agentId The agent id.
    @param metadataKey The key.
    @return Bytes The value.
    """
    key_hash: bytes32 = keccak256(metadataKey)
    if key_hash == _WALLET_KEY_HASH:
        wallet: address = self._wallet_of(agentId)
        if wallet == empty(address):
            return b""
        return concat(convert(wallet, bytes20), b"")
    slot: uint256 = self._metadata[agentId][key_hash]
    if slot == 0:
        return b""
    tag: uint256 = slot & 255
    if tag == _PTR_TAG:
        return raw_call(convert((slot >> 8) & _LOW_160, address), b"", max_outsize=1_024, is_static_call=True)
    return slice(convert(slot, bytes32), 0, tag)


@external
def setMetadata(agentId: uint256, metadataKey: String[64], metadataValue: Bytes[1_024]):
    """
    @dev Sets metadata `metadataKey` of agent `agentId`; emits `MetadataSet`.
    @notice Only the owner, an operator of the owner or the approved
            address may call. Key 1..64 bytes and not "agentWallet";
            value at most 1,024 bytes (empty clears it).
    @param agentId The agent id.
    @param metadataKey The key.
    @param metadataValue The value.
    """
    self._check_authorized(msg.sender, agentId, agent_nft._word(agentId))
    assert len(metadataKey) != 0, "identity: empty key"
    assert keccak256(metadataKey) != _WALLET_KEY_HASH, "identity: reserved key"
    slot: uint256 = 0
    n: uint256 = len(metadataValue)
    if n > 31:
        self._counters = self._counters + (1 << 128)
        pointer: address = raw_create(
            concat(
                b"\x61",
                convert(convert(len(metadataValue) + _HEADER_LENGTH, uint16), bytes2),
                b"\x80\x60\x0a\x5f\x39\x5f\xf3\x61",
                convert(convert(len(metadataValue), uint16), bytes2),
                b"\x80\x60\x0a\x5f\x39\x5f\xf3",
                metadataValue,
            )
        )
        slot = (convert(pointer, uint256) << 8) | _PTR_TAG
    elif n != 0:
        slot = convert(convert(slice(concat(metadataValue, empty(bytes32)), 0, 32), bytes32), uint256) | n
    self._metadata[agentId][keccak256(metadataKey)] = slot
    log MetadataSet(agentId=agentId, indexedMetadataKey=metadataKey, metadataKey=metadataKey, metadataValue=metadataValue)


################################################################
#                         AGENT WALLET                         #
################################################################


@external
def setAgentWallet(agentId: uint256, newWallet: address, deadline: uint256, signature: Bytes[512]):
    """
    @dev Sets the agent's payment wallet after `newWallet` proved control:
         an EIP-712 signature of `AgentWalletSet(uint256 agentId,address
         newWallet,address owner,uint256 deadline)` (domain
         "ERC8004IdentityRegistry", version "1") by the EOA `newWallet`, or
         ERC-1271 `isValidSignature` == 0x1626ba7e from the contract
         `newWallet`, accepted exactly as OpenZeppelin's
         `isValidERC1271SignatureNow` does (at least 32 bytes returned, the
         first word 0x1626ba7e padded with zeros).
         Emits `MetadataSet("agentWallet", 20 address bytes)`.
    @notice One-time signatures: `deadline` must be strictly greater than the
            deadline of the last signature used for this agent
            (`last_wallet_deadline`), so a signature can never be replayed,
            also not after an unset or a transfer. The deadline must not have
            passed and may be at most 300 seconds ahead. Only the owner, an
            operator or the approved address may call.
    @param agentId The agent id.
    @param newWallet The wallet; not the zero address.
    @param deadline Unix time after which the signature is void.
    @param signature 65-byte (r, s, v) signature, or the wallet's ERC-1271 data.
    """
    word: uint256 = agent_nft._word(agentId)
    self._check_authorized(msg.sender, agentId, word)
    assert newWallet != empty(address), "identity: zero wallet"
    assert block.timestamp <= deadline, "identity: signature expired"
    assert deadline <= block.timestamp + MAX_DEADLINE_DELAY, "identity: deadline too far"
    assert deadline > self._wallets[agentId] >> 160, "identity: signature already used"
    owner: address = agent_nft._owner_in(word)
    digest: bytes32 = self._wallet_digest(agentId, newWallet, owner, deadline)
    assert self._valid_signature(newWallet, digest, signature), "identity: invalid wallet signature"
    self._wallets[agentId] = (deadline << 160) | convert(newWallet, uint256)
    if (word >> _MODE_SHIFT) == _MODE_NONE:
        agent_nft._set_word(agentId, (word & _LOW_224) | (_MODE_DEFAULT << _MODE_SHIFT))
    log MetadataSet(
        agentId=agentId,
        indexedMetadataKey=_WALLET_KEY,
        metadataKey=_WALLET_KEY,
        metadataValue=concat(convert(newWallet, bytes20), b""),
    )


@external
def unsetAgentWallet(agentId: uint256):
    """
    @dev Clears the agent's wallet (`getAgentWallet` returns zero);
         emits `MetadataSet("agentWallet", empty)`.
    @notice Only the owner, an operator or the approved address may call.
    @param agentId The agent id.
    """
    word: uint256 = agent_nft._word(agentId)
    self._check_authorized(msg.sender, agentId, word)
    if (word >> _MODE_SHIFT) != _MODE_NONE:
        agent_nft._set_word(agentId, (word & _LOW_224) | (_MODE_NONE << _MODE_SHIFT))
    log MetadataSet(agentId=agentId, indexedMetadataKey=_WALLET_KEY, metadataKey=_WALLET_KEY, metadataValue=b"")


@external
@view
def getAgentWallet(agentId: uint256) -> address:
    """
    @dev The agent's verified payment wallet.
    @notice Zero when unset, cleared by a transfer, or the agent is missing.
    @param agentId The agent id.
    @return address The wallet.
    """
    return self._wallet_of(agentId)


@external
@view
def last_wallet_deadline(agentId: uint256) -> uint256:
    """
    @dev The deadline of the last wallet signature used for `agentId`
         (0 when none); a new signature needs a strictly larger deadline.
    @notice Clients pick max(now + ~240 s, this + 1), at most now + 300 s.
    @param agentId The agent id.
    @return uint256 The last used deadline.
    """
    return self._wallets[agentId] >> 160


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @dev The EIP-712 domain separator wallet signatures are made in.
    @notice Domain name "ERC8004IdentityRegistry", version "1", this chain and contract.
    @return bytes32 The domain separator of the current chain.
    """
    return self._domain_separator()


################################################################
#                       ERC-721 TRANSFERS                      #
################################################################


@external
def transferFrom(owner: address, to: address, tokenId: uint256):
    """
    @dev Moves agent `tokenId` from `owner` to `to`; clears its approval
         and its `agentWallet` (emits `MetadataSet("agentWallet", empty)`).
    @notice The caller must be the owner, an operator or the approved address.
    @param owner The current owner.
    @param to The receiver; not the zero address.
    @param tokenId The agent id.
    """
    self._transfer(owner, to, tokenId)


@external
def safeTransferFrom(owner: address, to: address, tokenId: uint256, data: Bytes[1_024] = b""):
    """
    @dev As `transferFrom`, then a contract receiver must accept the token
         with `onERC721Received` (two selectors: with and without `data`).
    @notice Clears the agent wallet like `transferFrom`; the receiver callback runs last.
    @param owner The current owner.
    @param to The receiver; not the zero address.
    @param tokenId The agent id.
    @param data Extra data passed to the receiver.
    """
    self._transfer(owner, to, tokenId)
    assert agent_nft._check_on_erc721_received(owner, to, tokenId, data), (
        "erc721: transfer to non-IERC721Receiver implementer"
    )


@external
@view
def supportsInterface(interfaceId: bytes4) -> bool:
    """
    @dev ERC-165: ERC-165, ERC-721, ERC-721 metadata and ERC-4906.
    @notice Not ERC721Enumerable: the registry keeps no token lists.
    @param interfaceId The 4-byte interface identifier.
    @return bool True when supported.
    """
    return interfaceId in _SUPPORTED_INTERFACES


################################################################
#                            VIEWS                             #
################################################################


@external
@view
def isAuthorizedOrOwner(spender: address, agentId: uint256) -> bool:
    """
    @dev Whether `spender` is the owner, an operator of the owner or the
         approved address of agent `agentId`. False for the zero address
         (as OpenZeppelin's ERC-721 `_isAuthorized`, which the reference
         uses), so `isAuthorizedOrOwner(ecrecover(...), id)` never accepts
         an invalid signature.
    @notice Reverts for an agent that does not exist.
    @param spender The address to check.
    @param agentId The agent id.
    @return bool True when `spender` may manage the agent.
    """
    owner: address = agent_nft._owner_of(agentId)
    return agent_nft._is_authorized(spender, owner, agentId)


@external
@view
def total_agents() -> uint256:
    """
    @dev The number of agents registered so far (ids 1..total_agents).
    @notice Agent ids start at 1; 0 never names an agent.
    @return uint256 The count.
    """
    return unsafe_sub(self._counters & _LOW_128, 1)


@external
@pure
def getVersion() -> String[8]:
    """
    @dev The ERC-8004 reference version this registry is ABI-compatible with.
    @notice Same selector and answer as the reference's `getVersion()`.
    @return String "2.0.0".
    """
    return "2.0.0"


################################################################
#                      INTERNAL FUNCTIONS                      #
################################################################


@internal
@view
def _check_authorized(spender: address, agent_id: uint256, word: uint256):
    """
    @dev Reverts unless `spender` may manage the agent (which must exist).
    @param spender The caller.
    @param agent_id The agent id.
    @param word The agent's packed word.
    """
    owner: address = agent_nft._owner_in(word)
    assert owner != empty(address), "erc721: invalid token ID"
    assert agent_nft._is_authorized(spender, owner, agent_id), "identity: not authorized"


@internal
def _transfer(owner: address, to: address, token_id: uint256):
    """
    @dev Checks authorisation, moves the token keeping its URI, sets the
         wallet mode to none and emits `MetadataSet("agentWallet", empty)`.
    @param owner The claimed current owner.
    @param to The receiver.
    @param token_id The agent id.
    """
    word: uint256 = agent_nft._word(token_id)
    current: address = agent_nft._owner_in(word)
    assert current != empty(address), "erc721: invalid token ID"
    assert agent_nft._is_authorized(msg.sender, current, token_id), "erc721: caller is not token owner or approved"
    host_bits: uint256 = (word & (_NONCE_MASK << _NONCE_SHIFT)) | (_MODE_NONE << _MODE_SHIFT)
    agent_nft._move(owner, to, token_id, host_bits)
    log MetadataSet(agentId=token_id, indexedMetadataKey=_WALLET_KEY, metadataKey=_WALLET_KEY, metadataValue=b"")


@internal
@view
def _wallet_of(agent_id: uint256) -> address:
    """
    @dev The effective wallet from the packed word and the wallet slot.
    @param agent_id The agent id.
    @return address The wallet (zero when none or the agent is missing).
    """
    word: uint256 = agent_nft._word(agent_id)
    if word == 0 or (word >> _MODE_SHIFT) == _MODE_NONE:
        return empty(address)
    wallet: address = convert(self._wallets[agent_id] & _LOW_160, address)
    if wallet != empty(address):
        return wallet
    return agent_nft._owner_in(word)


@internal
def _write_metadata(agent_id: uint256, key: String[64], val: Bytes[1_024]):
    """
    @dev Stores a val (short: packed in the slot; long: in a data contract
         at the nonce the caller reserved, i.e. the current CREATE nonce)
         and emits `MetadataSet`.
    @param agent_id The agent id.
    @param key The key (already checked).
    @param val The value.
    """
    n: uint256 = len(val)
    slot: uint256 = 0
    if n > 31:
        pointer: address = raw_create(
            concat(
            b"\x61",
            convert(convert(len(val) + _HEADER_LENGTH, uint16), bytes2),
            b"\x80\x60\x0a\x5f\x39\x5f\xf3\x61",
            convert(convert(len(val), uint16), bytes2),
            b"\x80\x60\x0a\x5f\x39\x5f\xf3",
            val,
        )
        )
        slot = (convert(pointer, uint256) << 8) | _PTR_TAG
    elif n != 0:
        slot = convert(convert(slice(concat(val, empty(bytes32)), 0, 32), bytes32), uint256) | n
        # The bytes occupy the high n bytes; the low byte holds n < 32.
    self._metadata[agent_id][keccak256(key)] = slot
    log MetadataSet(agentId=agent_id, indexedMetadataKey=key, metadataKey=key, metadataValue=val)


@internal
@view
def _read_data(pointer: address) -> Bytes[8_192]:
    """
    @dev The bytes held by a data contract.
    @param pointer The data contract.
    @return Bytes Its data.
    """
    return raw_call(pointer, b"", max_outsize=8_192, is_static_call=True)


@internal
@view
def _create_address(nonce: uint256) -> address:
    """
    @dev The address of this contract's CREATE with `nonce`:
         keccak256(rlp([self, nonce]))[12:], for 1 <= nonce < 2**64.
    @param nonce The CREATE nonce.
    @return address The created address.
    """
    packed: Bytes[55] = b""
    if nonce < 128:
        packed = concat(b"\xd6\x94", convert(self, bytes20), slice(convert(nonce, bytes32), 31, 1))
    else:
        length: uint256 = 1
        for i: uint256 in range(1, 8):
            if nonce >> (8 * i) == 0:
                break
            length = i + 1
        full: Bytes[55] = concat(
            slice(convert(214 + length, bytes32), 31, 1),
            b"\x94",
            convert(self, bytes20),
            slice(convert(128 + length, bytes32), 31, 1),
            convert(nonce << (256 - 8 * length), bytes32),
        )
        packed = slice(full, 0, 23 + length)
    return convert(convert(keccak256(packed), uint256) & _LOW_160, address)


@internal
@view
def _domain_separator() -> bytes32:
    """
    @dev The EIP-712 domain separator (recomputed after a chain fork).
    @return bytes32 The domain separator.
    """
    if chain.id == _CACHED_CHAIN_ID:
        return _CACHED_DOMAIN_SEPARATOR
    return keccak256(abi_encode(_DOMAIN_TYPE_HASH, _NAME_HASH, _VERSION_HASH, chain.id, self))


@internal
@view
def _wallet_digest(agent_id: uint256, wallet: address, owner: address, deadline: uint256) -> bytes32:
    """
    @dev The EIP-712 digest of `AgentWalletSet`.
    @param agent_id The agent id.
    @param wallet The new wallet.
    @param owner The agent's owner.
    @param deadline The signature deadline.
    @return bytes32 The digest to sign.
    """
    struct_hash: bytes32 = keccak256(abi_encode(_WALLET_TYPE_HASH, agent_id, wallet, owner, deadline))
    return keccak256(concat(b"\x19\x01", self._domain_separator(), struct_hash))


@internal
@view
def _valid_signature(wallet: address, digest: bytes32, signature: Bytes[512]) -> bool:
    """
    @dev True when `signature` is `wallet`'s: an ECDSA (r, s, v) signature
         with low `s` recovering `wallet`, or else, for a contract `wallet`,
         ERC-1271 `isValidSignature` returning the magic value. The ERC-1271
         answer is judged exactly as OpenZeppelin's
         `SignatureChecker.isValidERC1271SignatureNow`: the static call
         succeeded, returned at least 32 bytes, and its first 32-byte word is
         0x1626ba7e followed by 28 zero bytes (bytes after the first word
         are ignored). Refused: a revert, fewer than 32 bytes (e.g. a bare
         4-byte 0x1626ba7e), the magic value with non-zero low bytes, and a
         contract that echoes its calldata (its first word is the selector
         followed by the digest).
    @param wallet The claimed signer.
    @param digest The EIP-712 digest.
    @param signature The signature bytes.
    @return bool Whether the signature is valid.
    """
    if len(signature) == 65:
        r: uint256 = convert(slice(signature, 0, 32), uint256)
        s: uint256 = convert(slice(signature, 32, 32), uint256)
        v: uint256 = convert(slice(signature, 64, 1), uint256)
        if s <= _MAX_S and (v == 27 or v == 28):
            if ecrecover(digest, v, r, s) == wallet:
                return True
    if wallet.is_contract:
        success: bool = False
        response: Bytes[32] = b""
        success, response = raw_call(
            wallet,
            abi_encode(digest, signature, method_id=method_id("isValidSignature(bytes32,bytes)")),
            max_outsize=32,
            is_static_call=True,
            revert_on_failure=False,
        )
        # `max_outsize=32` keeps the first 32 bytes of a longer answer, so
        # `len(response) == 32` means "at least 32 bytes were returned".
        return success and len(response) == 32 and convert(response, bytes32) == _ERC1271_MAGIC_WORD
    return False
