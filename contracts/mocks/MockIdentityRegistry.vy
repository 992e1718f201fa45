# pragma version ~=0.4.3
"""
@title Settable stand-in for the ERC-8004 Identity registry (tests only)
@custom:contract-name MockIdentityRegistry
@license MIT
@notice Implements `IIdentityRegistry` with agents, operators and wallets set directly, so
        the Reputation registry can be unit tested before the real Identity registry lands.
"""

from ..interfaces import IIdentityRegistry

implements: IIdentityRegistry

# @dev agentId => owner (zero: no such agent).
_owner: HashMap[uint256, address]
# @dev agentId => operator => approved.
_operator: HashMap[uint256, HashMap[address, bool]]
# @dev agentId => agent wallet.
_wallet: HashMap[uint256, address]


@external
def setAgent(agentId: uint256, owner: address, wallet: address):
    """
    @notice Creates (or rewrites) agent `agentId` with `owner` and `wallet`.
    @param agentId The agent.
    @param owner Its owner (zero deletes it).
    @param wallet Its agent wallet.
    """
    self._owner[agentId] = owner
    self._wallet[agentId] = wallet


@external
def setOperator(agentId: uint256, operator: address, approved: bool):
    """
    @notice Approves or removes an operator of `agentId`.
    @param agentId The agent.
    @param operator The operator.
    @param approved Whether it is approved.
    """
    self._operator[agentId][operator] = approved


@external
@view
def ownerOf(tokenId: uint256) -> address:
    """
    @notice The owner; reverts for a missing agent.
    @param tokenId The agent.
    @return The owner.
    """
    owner: address = self._owner[tokenId]
    assert owner != empty(address), "mock: no such agent"
    return owner


@external
@view
def isAuthorizedOrOwner(spender: address, agentId: uint256) -> bool:
    """
    @notice Owner or operator; reverts for a missing agent.
    @param spender The address asking.
    @param agentId The agent.
    @return Whether `spender` may act for the agent.
    """
    owner: address = self._owner[agentId]
    assert owner != empty(address), "mock: no such agent"
    return spender == owner or self._operator[agentId][spender]


@external
@view
def getAgentWallet(agentId: uint256) -> address:
    """
    @notice The agent wallet (zero when unset or missing).
    @param agentId The agent.
    @return The wallet.
    """
    return self._wallet[agentId]
