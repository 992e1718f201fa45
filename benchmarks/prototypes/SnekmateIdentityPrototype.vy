# pragma version ~=0.4.3
"""
@title Measurement prototype: ERC-8004 register on snekmate's erc721
@custom:contract-name SnekmateIdentityPrototype
@license MIT
@notice NOT part of hashtrust. Only `benchmarks/identity_gas.py` compiles it,
        to measure what `register(string)` costs when the agent NFT is
        snekmate 0.1.2's `erc721` (ERC721Enumerable, token URIs in storage,
        at most 432 characters) and `agentWallet` is stored like the
        reference (20 bytes in a metadata mapping). Same events as the
        real registry. Kept so the design decision in docs/identity.md can be
        re-measured.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc721

initializes: ownable
initializes: erc721[ownable := ownable]


event Registered:
    agentId: indexed(uint256)
    agentURI: String[432]
    owner: indexed(address)


event MetadataSet:
    agentId: indexed(uint256)
    indexedMetadataKey: indexed(String[64])
    metadataKey: String[64]
    metadataValue: Bytes[1_024]


_metadata: HashMap[uint256, HashMap[bytes32, Bytes[1_024]]]
_next_id: uint256


@deploy
def __init__():
    """
    @dev Ids start at 1 like the real registry.
    """
    ownable.__init__()
    erc721.__init__("AgentIdentity", "AGENT", "", "ERC8004IdentityRegistry", "1")
    self._next_id = 1


@external
def register(agentURI: String[432]) -> uint256:
    """
    @dev Safe-mints to the caller, stores the URI and `agentWallet`.
    @param agentURI The URI (at most 432 characters: snekmate's bound).
    @return uint256 The agent id.
    """
    agent_id: uint256 = self._next_id
    self._next_id = agent_id + 1
    erc721._safe_mint(msg.sender, agent_id, b"")
    erc721._set_token_uri(agent_id, agentURI)
    log Registered(agentId=agent_id, agentURI=agentURI, owner=msg.sender)
    self._metadata[agent_id][keccak256("agentWallet")] = concat(convert(msg.sender, bytes20), b"")
    log MetadataSet(agentId=agent_id, indexedMetadataKey="agentWallet", metadataKey="agentWallet", metadataValue=concat(convert(msg.sender, bytes20), b""))
    return agent_id
