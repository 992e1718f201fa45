# pragma version ~=0.4.3
"""
@title A receiver that answers with the wrong selector (test-only)
@custom:contract-name MockWrongAnswerReceiver
@license MIT
@notice Implements `onERC721Received` but returns 0xdeadbeef instead of
        0x150b7a02: a safe mint or safe transfer to it must revert with
        "erc721: transfer to non-IERC721Receiver implementer".
"""


interface IRegistry:
    def register() -> uint256: nonpayable


@external
def register_at(registry: address) -> uint256:
    """
    @dev Calls `register()` on `registry` as this contract.
    @param registry The Identity registry.
    @return uint256 The agent id (never reached).
    """
    return extcall IRegistry(registry).register()


@external
def onERC721Received(operator: address, sender: address, token_id: uint256, data: Bytes[1_024]) -> bytes4:
    """
    @dev Answers with a wrong selector.
    @param operator The caller of the transfer.
    @param sender The previous owner.
    @param token_id The token id.
    @param data Extra data.
    @return bytes4 0xdeadbeef.
    """
    return 0xDEADBEEF
