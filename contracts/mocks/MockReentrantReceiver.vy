# pragma version ~=0.4.3
"""
@title A receiver that re-enters the registry (test-only)
@custom:contract-name MockReentrantReceiver
@license MIT
@notice Registers an agent; when the registry calls `onERC721Received`
        for it, registers a second agent from inside the callback and
        sets metadata on the first, then accepts. The registry must stay
        consistent (distinct ids, both owned by this contract).
"""


interface IRegistry:
    def register(agentURI: String[64]) -> uint256: nonpayable
    def setMetadata(agentId: uint256, metadataKey: String[64], metadataValue: Bytes[64]): nonpayable


# @dev The registry to re-enter.
registry: public(address)
# @dev Ids received by `onERC721Received`, in order.
received: public(DynArray[uint256, 8])
# @dev Ids returned by the outer and the inner `register`.
outer_id: public(uint256)
inner_id: public(uint256)


@external
def register_at(registry: address) -> uint256:
    """
    @dev Registers an agent owned by this contract (the callback re-enters).
    @param registry The Identity registry.
    @return uint256 The outer agent id.
    """
    self.registry = registry
    self.outer_id = extcall IRegistry(registry).register("ipfs://outer")
    return self.outer_id


@external
def onERC721Received(operator: address, sender: address, token_id: uint256, data: Bytes[1_024]) -> bytes4:
    """
    @dev On the first token: re-enters `register` and `setMetadata`.
    @param operator The caller of the mint.
    @param sender The previous owner (zero for a mint).
    @param token_id The token id.
    @param data Extra data.
    @return bytes4 The ERC-721 receiver selector.
    """
    assert msg.sender == self.registry, "reentrant: unknown registry"
    self.received.append(token_id)
    if len(self.received) == 1:
        extcall IRegistry(self.registry).setMetadata(token_id, "phase", b"callback")
        self.inner_id = extcall IRegistry(self.registry).register("ipfs://inner")
    return 0x150B7A02
