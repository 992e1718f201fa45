# pragma version ~=0.4.3
"""
@title ERC-1271 contract wallet (test-only)
@custom:contract-name MockERC1271Wallet
@license MIT
@notice A contract wallet whose owner approves message hashes one by one
        (`approve_hash`), as a Safe does with "approved hashes". It answers
        `isValidSignature(hash, signature)` with 0x1626ba7e for an approved
        hash and 0xffffffff otherwise; the signature bytes are ignored. It
        also accepts ERC-721 tokens, so it can own agents.
"""

# @dev The EOA allowed to approve hashes.
owner: public(address)
# @dev Hash -> approved.
approved: public(HashMap[bytes32, bool])


@deploy
def __init__():
    """
    @dev The deployer owns the wallet.
    """
    self.owner = msg.sender


@external
def approve_hash(message_hash: bytes32, ok: bool):
    """
    @dev Approves (or revokes) `message_hash`.
    @param message_hash The 32-byte hash.
    @param ok True to approve.
    """
    assert msg.sender == self.owner, "wallet: not owner"
    self.approved[message_hash] = ok


@external
@view
def isValidSignature(message_hash: bytes32, signature: Bytes[512]) -> bytes4:
    """
    @dev ERC-1271: 0x1626ba7e when `message_hash` was approved.
    @param message_hash The 32-byte hash.
    @param signature Ignored.
    @return bytes4 The magic value or 0xffffffff.
    """
    if self.approved[message_hash]:
        return 0x1626BA7E
    return 0xFFFFFFFF


@external
def onERC721Received(operator: address, sender: address, token_id: uint256, data: Bytes[1_024]) -> bytes4:
    """
    @dev Accepts every ERC-721 token.
    @param operator The caller of the transfer.
    @param sender The previous owner.
    @param token_id The token id.
    @param data Extra data.
    @return bytes4 The ERC-721 receiver selector.
    """
    return 0x150B7A02
