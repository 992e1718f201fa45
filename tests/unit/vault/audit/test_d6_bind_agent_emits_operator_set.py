"""Issue 14, defect 6 (low): `bind_agent` set `operator` to zero without an `OperatorSet` event.

On the unfixed vault the binding logged only `AgentBound`: an indexer following `OperatorSet`
kept showing the constructor's operator (0 `OperatorSet` events in the binding). Fixed: the
binding logs `OperatorSet(0x0)` whenever it changes the operator.
"""

import boa
from boa_vault import _load, deploy
from scenario import events

ZERO = "0x0000000000000000000000000000000000000000"


def _registries(env):
    identity = _load("IdentityRegistry")
    validation = _load("ValidationRegistry", identity.address)
    reputation = _load("ReputationRegistry", identity.address)
    with boa.env.prank(env.operator):
        agent_id = identity.register("ipfs://operator")
    return identity, validation, reputation, agent_id


def test_d6_binding_logs_the_operator_cleared():
    env = deploy()
    identity, validation, reputation, agent_id = _registries(env)
    assert env.vault.operator() == env.operator
    env.vault.bind_agent(identity.address, validation.address, reputation.address, agent_id, 2, 80, 150 * 10**12, 315_000_000)
    op_set, bound = events(env.vault, "OperatorSet"), events(env.vault, "AgentBound")
    assert [e.operator for e in op_set] == [ZERO] and len(bound) == 1
    assert env.vault.operator() == ZERO


def test_d6_binding_logs_nothing_when_the_operator_was_already_zero():
    env = deploy()
    identity, validation, reputation, agent_id = _registries(env)
    env.vault.set_operator(ZERO)
    env.vault.bind_agent(identity.address, validation.address, reputation.address, agent_id, 2, 80, 150 * 10**12, 315_000_000)
    op_set, bound = events(env.vault, "OperatorSet"), events(env.vault, "AgentBound")
    assert op_set == [] and len(bound) == 1
