# pragma version ~=0.4.3
"""
@title A contract that cannot hold ERC-721 tokens (test-only)
@custom:contract-name MockNonReceiver
@license MIT
@notice Tries to register an agent for itself; it has no
        `onERC721Received`, so a safe mint to it must revert.
"""


interface IRegistry:
    def register() -> uint256: nonpayable


@external
def register_at(registry: address) -> uint256:
    """
    @dev Calls `register()` on `registry` as this contract.
    @param registry The Identity registry.
    @return uint256 The agent id (never reached: the mint reverts).
    """
    return extcall IRegistry(registry).register()
