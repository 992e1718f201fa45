# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Lean ERC-721 core with one packed slot per token
@custom:contract-name agent_nft
@license MIT
@notice The ERC-721 ownership and approval core of the hashtrust Identity
        registry: `balanceOf`, `ownerOf`, `approve`, `getApproved`,
        `setApprovalForAll`, `isApprovedForAll`, `name`, `symbol`, plus the
        internal mint / move / receiver-check helpers the host contract
        builds its transfer functions and hooks on.
        Unlike an ERC721Enumerable implementation it keeps no per-owner or
        global token lists (about five extra storage writes per mint), and it
        stores each token's owner in the low 160 bits of one packed word whose
        high 96 bits belong to the host contract (the Identity registry keeps
        its per-agent URI pointer and wallet mode there), so a mint writes one
        slot for the token instead of several.
        Written from EIP-721 (https://eips.ethereum.org/EIPS/eip-721); the
        behaviour follows OpenZeppelin's ERC721 (MIT), the naming, NatSpec
        style and revert-string format follow snekmate's conventions. No
        AGPL source was copied.
@dev The host contract defines `transferFrom` / `safeTransferFrom` itself
     (Vyper modules have no virtual hooks), by calling `_move` and
     `_check_on_erc721_received`.
"""


# @dev The built-in ERC-721 interface (events `Transfer`, `Approval`,
# `ApprovalForAll`).
from ethereum.ercs import IERC721


# @dev The receiver interface a contract must implement to accept a safe
# mint or safe transfer.
interface IERC721Receiver:
    def onERC721Received(
        _operator: address, _from: address, _tokenId: uint256, _data: Bytes[1_024]
    ) -> bytes4: nonpayable


# @dev The selector `onERC721Received` must return.
_ERC721_RECEIVED: constant(bytes4) = 0x150B7A02
# @dev The low 160 bits of a packed token word hold the owner.
_OWNER_MASK: constant(uint256) = (1 << 160) - 1


# @dev The token collection name (ERC-721 metadata).
name: public(immutable(String[25]))
# @dev The token collection symbol (ERC-721 metadata).
symbol: public(immutable(String[5]))

# @dev Token id -> packed word: owner in bits 0..159, the host's data in
# bits 160..255. Zero means the token does not exist.
_tokens: HashMap[uint256, uint256]
# @dev Owner -> number of tokens held.
_balances: HashMap[address, uint256]
# @dev Token id -> the single approved address (cleared on transfer).
_token_approvals: HashMap[uint256, address]
# @dev Owner -> operator -> approved for all of the owner's tokens.
isApprovedForAll: public(HashMap[address, HashMap[address, bool]])


@deploy
def __init__(name_: String[25], symbol_: String[5]):
    """
    @dev Sets the immutable collection name and symbol.
    @param name_ The collection name, at most 25 characters.
    @param symbol_ The collection symbol, at most 5 characters.
    """
    name = name_
    symbol = symbol_


@external
@view
def balanceOf(owner: address) -> uint256:
    """
    @dev Returns the number of tokens held by `owner`.
    @notice Reverts for the zero address (EIP-721).
    @param owner The 20-byte owner address.
    @return uint256 The number of tokens `owner` holds.
    """
    assert owner != empty(address), "erc721: the zero address is not a valid owner"
    return self._balances[owner]


@external
@view
def ownerOf(tokenId: uint256) -> address:
    """
    @dev Returns the owner of token `tokenId`.
    @notice Reverts for a token that does not exist.
    @param tokenId The 32-byte token identifier.
    @return address The 20-byte owner address.
    """
    return self._owner_of(tokenId)


@external
def approve(to: address, tokenId: uint256):
    """
    @dev Approves `to` to transfer token `tokenId` (the zero address
         clears the approval). Cleared on every transfer.
    @notice Only the owner or one of the owner's operators may approve.
    @param to The 20-byte address to approve.
    @param tokenId The 32-byte token identifier.
    """
    owner: address = self._owner_of(tokenId)
    assert msg.sender == owner or self.isApprovedForAll[owner][msg.sender], (
        "erc721: approve caller is not token owner or approved for all"
    )
    self._token_approvals[tokenId] = to
    log IERC721.Approval(owner=owner, approved=to, token_id=tokenId)


@external
@view
def getApproved(tokenId: uint256) -> address:
    """
    @dev Returns the address approved for token `tokenId`.
    @notice Reverts for a token that does not exist.
    @param tokenId The 32-byte token identifier.
    @return address The approved address (zero when none).
    """
    self._owner_of(tokenId)
    return self._token_approvals[tokenId]


@external
def setApprovalForAll(operator: address, approved: bool):
    """
    @dev Lets `operator` manage all of the caller's tokens (or stops it).
    @notice Operators may transfer, approve and (in the registry) manage every agent of the caller.
    @param operator The 20-byte operator address; not the caller.
    @param approved True to approve, False to revoke.
    """
    assert operator != msg.sender, "erc721: approve to caller"
    assert operator != empty(address), "erc721: approve to the zero address"
    self.isApprovedForAll[msg.sender][operator] = approved
    log IERC721.ApprovalForAll(owner=msg.sender, operator=operator, approved=approved)


@internal
@view
def _word(token_id: uint256) -> uint256:
    """
    @dev The packed word of `token_id` (zero when it does not exist).
    @param token_id The 32-byte token identifier.
    @return uint256 The packed word.
    """
    return self._tokens[token_id]


@internal
def _set_word(token_id: uint256, word: uint256):
    """
    @dev Overwrites the packed word of an existing token; the owner bits
         must be kept by the caller (use `_move` to change the owner).
    @param token_id The 32-byte token identifier.
    @param word The new packed word.
    """
    self._tokens[token_id] = word


@internal
@pure
def _owner_in(word: uint256) -> address:
    """
    @dev The owner address held in a packed word.
    @param word The packed word.
    @return address The owner (zero for a missing token).
    """
    return convert(word & _OWNER_MASK, address)


@internal
@view
def _owner_of(token_id: uint256) -> address:
    """
    @dev The owner of `token_id`; reverts for a missing token.
    @param token_id The 32-byte token identifier.
    @return address The owner.
    """
    owner: address = convert(self._tokens[token_id] & _OWNER_MASK, address)
    assert owner != empty(address), "erc721: invalid token ID"
    return owner


@internal
@view
def _is_authorized(spender: address, owner: address, token_id: uint256) -> bool:
    """
    @dev Whether `spender` is `owner`, one of its operators, or the
         approved address of `token_id` (the token must exist). The zero
         address is never authorised (as OpenZeppelin's `_isAuthorized`):
         a token without a single approval has approval "zero", and
         `0 == 0` must not make `ecrecover`'s failure value an owner.
    @param spender The 20-byte address to check.
    @param owner The current owner of `token_id`.
    @param token_id The 32-byte token identifier.
    @return bool True when `spender` may manage `token_id`.
    """
    if spender == empty(address):
        return False
    return (
        spender == owner
        or self.isApprovedForAll[owner][spender]
        or self._token_approvals[token_id] == spender
    )


@internal
def _mint(to: address, token_id: uint256, host_bits: uint256):
    """
    @dev Creates `token_id` for `to` (no receiver check; see
         `_check_on_erc721_received`) and emits `Transfer`.
    @param to The 20-byte receiver; not the zero address.
    @param token_id The 32-byte identifier of a token that does not exist.
    @param host_bits The host's data, already shifted into bits 160..255.
    """
    assert to != empty(address), "erc721: mint to the zero address"
    assert self._tokens[token_id] == 0, "erc721: token already minted"
    self._tokens[token_id] = host_bits | convert(to, uint256)
    self._balances[to] = unsafe_add(self._balances[to], 1)
    log IERC721.Transfer(sender=empty(address), receiver=to, token_id=token_id)


@internal
def _move(owner: address, to: address, token_id: uint256, host_bits: uint256):
    """
    @dev Moves `token_id` from `owner` to `to`: balances, approval clearing,
         the packed word (with the host's new data) and `Transfer`. The
         caller checks authorisation.
    @param owner The current owner (checked).
    @param to The 20-byte receiver; not the zero address.
    @param token_id The 32-byte token identifier.
    @param host_bits The host's data for the new word, in bits 160..255.
    """
    assert to != empty(address), "erc721: transfer to the zero address"
    assert self._owner_of(token_id) == owner, "erc721: transfer from incorrect owner"
    if self._token_approvals[token_id] != empty(address):
        self._token_approvals[token_id] = empty(address)
    # Balances cannot overflow: there are fewer than 2**256 tokens.
    self._balances[owner] = unsafe_sub(self._balances[owner], 1)
    self._balances[to] = unsafe_add(self._balances[to], 1)
    self._tokens[token_id] = host_bits | convert(to, uint256)
    log IERC721.Transfer(sender=owner, receiver=to, token_id=token_id)


@internal
def _check_on_erc721_received(owner: address, to: address, token_id: uint256, data: Bytes[1_024]) -> bool:
    """
    @dev Calls `onERC721Received` when `to` is a contract and checks the
         answer; an EOA always accepts. A receiver that reverts makes the
         whole transaction revert with its reason.
    @param owner The previous owner (zero for a mint).
    @param to The 20-byte receiver.
    @param token_id The 32-byte token identifier.
    @param data Extra data passed to the receiver.
    @return bool True when `to` accepts the token.
    """
    if to.is_contract:
        return extcall IERC721Receiver(to).onERC721Received(msg.sender, owner, token_id, data) == _ERC721_RECEIVED
    return True
