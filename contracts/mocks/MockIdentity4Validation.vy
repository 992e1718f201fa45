# pragma version ~=0.4.3
"""
@title Identity Registry stand-in for the Validation registry's tests
@custom:contract-name MockIdentity4Validation
@license MIT
@notice Implements the three views of `IIdentityRegistry` that the
        Validation registry reads (`ownerOf`, `isAuthorizedOrOwner`,
        `getAgentWallet`) with the reference's semantics: the first two
        revert for an agent that does not exist. Agents, operators and
        wallets are set directly by anyone. Never deploy outside tests.
"""

from ..interfaces import IIdentityRegistry

implements: IIdentityRegistry


# The owner of each agent (zero: the agent does not exist).
_owners: HashMap[uint256, address]
# Per-agent approved operators (stand-in for ERC-721 approvals).
_operators: HashMap[uint256, HashMap[address, bool]]
# The agent's verified wallet (zero when unset).
_wallets: HashMap[uint256, address]


@external
def mint(agent_id: uint256, owner: address):
    """
    @notice Create (or re-own) agent `agent_id`, owned by `owner`, wallet = owner.
    @param agent_id The agent id.
    @param owner The owner.
    """
    self._owners[agent_id] = owner
    self._wallets[agent_id] = owner


@external
def setOperator(agent_id: uint256, operator: address, approved: bool):
    """
    @notice Approve or revoke `operator` for agent `agent_id`.
    @param agent_id The agent id.
    @param operator The operator.
    @param approved True to approve.
    """
    self._operators[agent_id][operator] = approved


@external
def setWallet(agent_id: uint256, wallet: address):
    """
    @notice Set the agent wallet of `agent_id`.
    @param agent_id The agent id.
    @param wallet The wallet (zero to unset).
    """
    self._wallets[agent_id] = wallet


@external
def transfer(agent_id: uint256, to: address):
    """
    @notice Move agent `agent_id` to `to`; clears the wallet like the reference.
    @param agent_id The agent id.
    @param to The new owner.
    """
    assert self._owners[agent_id] != empty(address), "mock: unknown agent"
    self._owners[agent_id] = to
    self._wallets[agent_id] = empty(address)


@external
@view
def ownerOf(tokenId: uint256) -> address:
    """
    @notice The owner of `tokenId`; reverts for a missing agent.
    @param tokenId The agent id.
    @return address The owner.
    """
    owner: address = self._owners[tokenId]
    assert owner != empty(address), "mock: unknown agent"
    return owner


@external
@view
def isAuthorizedOrOwner(spender: address, agentId: uint256) -> bool:
    """
    @notice True for the owner or an approved operator; reverts for a missing agent.
    @param spender The address to check.
    @param agentId The agent id.
    @return bool Whether `spender` may act for the agent.
    """
    owner: address = self._owners[agentId]
    assert owner != empty(address), "mock: unknown agent"
    return spender == owner or self._operators[agentId][spender]


@external
@view
def getAgentWallet(agentId: uint256) -> address:
    """
    @notice The agent wallet (zero when unset or missing).
    @param agentId The agent id.
    @return address The wallet.
    """
    return self._wallets[agentId]
