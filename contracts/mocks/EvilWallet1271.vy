# pragma version ~=0.4.3
"""
@title An ERC-1271 wallet that re-enters the registry (test-only)
@custom:contract-name EvilWallet1271
@license MIT
@notice A contract wallet that is also an operator of the agent it wants to
        be the wallet of. When the Identity registry asks it
        `isValidSignature` during `setAgentWallet`, it tries to re-enter
        the registry (set metadata, unset the wallet, register a new agent,
        or write its own storage) before answering the magic value.
        `mode` picks the attack:
        0 honest: answers the magic value, touches nothing;
        1 re-enters `setMetadata` and swallows the failure, then answers;
        2 re-enters `unsetAgentWallet` and lets a failure propagate;
        3 re-enters `register` and swallows the failure, then answers;
        4 writes its own storage (a counter), then answers.
        The registry calls it with STATICCALL, so no re-entry may change
        anything: modes 1 and 3 must end with only the wallet set, modes
        2 and 4 with the call refused.
"""


interface IRegistry:
    def setMetadata(agentId: uint256, metadataKey: String[64], metadataValue: Bytes[64]): nonpayable
    def unsetAgentWallet(agentId: uint256): nonpayable
    def register(agentURI: String[64]) -> uint256: nonpayable


# @dev The registry to attack.
registry: public(address)
# @dev The agent whose wallet this contract wants to become.
agent_id: public(uint256)
# @dev The attack (see the contract notice).
mode: public(uint256)
# @dev Bumped in mode 4 (must never move under STATICCALL).
counter: public(uint256)


@external
def arm(registry: address, agent_id: uint256, mode: uint256):
    """
    @dev Chooses the registry, the agent and the attack.
    @param registry The Identity registry.
    @param agent_id The agent.
    @param mode The attack (0..4).
    """
    self.registry = registry
    self.agent_id = agent_id
    self.mode = mode


@external
def isValidSignature(_hash: bytes32, _signature: Bytes[512]) -> bytes4:
    """
    @dev Tries the armed re-entry, then answers the ERC-1271 magic value.
    @param _hash The digest (ignored).
    @param _signature The signature bytes (ignored).
    @return bytes4 0x1626ba7e.
    """
    ok: bool = False
    if self.mode == 1:
        ok = raw_call(
            self.registry,
            abi_encode(self.agent_id, "evil", b"1", method_id=method_id("setMetadata(uint256,string,bytes)")),
            revert_on_failure=False,
        )
    elif self.mode == 2:
        extcall IRegistry(self.registry).unsetAgentWallet(self.agent_id)
    elif self.mode == 3:
        ok = raw_call(
            self.registry,
            abi_encode("ipfs://evil", method_id=method_id("register(string)")),
            revert_on_failure=False,
        )
    elif self.mode == 4:
        self.counter += 1
    if ok:
        # unreachable under STATICCALL; would make the outer call fail loudly
        raise "evil: re-entry succeeded"
    return 0x1626ba7e


@external
@view
def onERC721Received(_operator: address, _from: address, _token_id: uint256, _data: Bytes[1_024]) -> bytes4:
    """
    @dev Accepts agents (so the wallet may own one).
    @param _operator The caller of the transfer.
    @param _from The previous owner.
    @param _token_id The agent id.
    @param _data Extra data.
    @return bytes4 The ERC-721 receiver magic value.
    """
    return 0x150b7a02
