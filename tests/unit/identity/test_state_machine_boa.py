"""Stateful property: random sequences of register / transfer / approve / operator changes /
setMetadata / setAgentURI / setAgentWallet (fresh and replayed signatures) / unsetAgentWallet /
time travel keep the registry equal to a plain Python model.

Invariants (checked after every step, all agents at teardown):
  I1 total_agents() == number of registrations; ids are 1..n, never reused.
  I2 per agent: ownerOf, tokenURI, getApproved equal the model.
  I3 balanceOf(a) == number of agents the model says a owns.
  I4 getAgentWallet: the registrant after register, zero after a transfer or unset, and only
     ever an address that produced a valid, fresh signature (never a replayed one).
  I5 last_wallet_deadline only grows: a used signature (deadline) is never accepted again.
  I6 every metadata key equals the model; the reserved "agentWallet" key mirrors I4 only.
  I7 isApprovedForAll equals the model's operator set.
  I8 a step changes no agent it did not touch (all agents re-checked at teardown).

Runs on titanoboa (in-process, ~1000x faster than a chain); step counts come from the
hypothesis profile (``ci`` by default, ``HYPOTHESIS_PROFILE=deep`` for >= 1,000 steps per
machine run). Collected by ``ape test tests/unit`` like the other files (or
``python -m pytest tests/unit/identity/test_state_machine_boa.py -p no:ape_test``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import boa
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from hashtrust.erc8004.identity import wallet_typed_data

CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "IdentityRegistry.vy"
ZERO = "0x0000000000000000000000000000000000000000"
ACTORS = [Account.from_key(bytes([i + 1]) * 32) for i in range(5)]
ADDRS = [a.address for a in ACTORS]
KEYS = ["name", "hashtrust.key", "blob", "v"]
VALUES = [b"", b"x", b"y" * 31, b"z" * 32, bytes(range(100)), b"w" * 1_024]
URIS = ["", "ipfs://a", "https://agent.example/registration.json", "data:application/json;base64," + "QUJD" * 300]
_registry_cache: dict[str, object] = {}


def _deployer():
    if "factory" not in _registry_cache:
        _registry_cache["factory"] = boa.load_partial(str(CONTRACT))
    return _registry_cache["factory"]


@dataclass
class AgentModel:
    owner: str
    uri: str
    wallet: str
    last_deadline: int = 0
    approved: str = ZERO
    metadata: dict[str, bytes] = field(default_factory=dict)


class IdentityMachine(RuleBasedStateMachine):
    @initialize()
    def deploy(self):
        self.reg = _deployer().deploy()
        self.agents: dict[int, AgentModel] = {}
        self.operators: set[tuple[str, str]] = set()
        self.used: list[tuple[int, str, int, bytes]] = []  # (agent, wallet, deadline, signature)
        self.chain_id = boa.env.evm.patch.chain_id
        self.touched: set[int] = set()  # agents to compare after this step

    # ------------------------------------------------------------------ helpers
    def _call(self, who: str, fn, *args) -> str | None:
        """Run a transaction as `who`; None on success, else the revert text."""
        try:
            with boa.env.prank(who):
                fn(*args)
            return None
        except boa.BoaError as exc:
            return str(exc)

    def _authorized(self, who: str, agent_id: int) -> bool:
        a = self.agents[agent_id]
        return who == a.owner or (a.owner, who) in self.operators or a.approved == who

    def _agent(self, data) -> int:
        agent_id = data.draw(st.sampled_from(sorted(self.agents)))
        self.touched.add(agent_id)
        return agent_id

    # ------------------------------------------------------------------ rules
    @rule(who=st.integers(0, 4), uri=st.sampled_from(URIS), md=st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)), max_size=3, unique_by=lambda t: t[0]))
    def register(self, who, uri, md):
        addr = ADDRS[who]
        with boa.env.prank(addr):
            if md:
                agent_id = self.reg.register(uri, md)
            elif uri:
                agent_id = self.reg.register(uri)
            else:
                agent_id = self.reg.register()
        assert agent_id == len(self.agents) + 1
        self.agents[agent_id] = AgentModel(owner=addr, uri=uri, wallet=addr, metadata={k: v for k, v in md})
        self.touched.add(agent_id)

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caller=st.integers(0, 4), to=st.integers(0, 4), safe=st.booleans())
    def transfer(self, data, caller, to, safe):
        agent_id = self._agent(data)
        a = self.agents[agent_id]
        who, dest = ADDRS[caller], ADDRS[to]
        fn = self.reg.safeTransferFrom if safe else self.reg.transferFrom
        err = self._call(who, fn, a.owner, dest, agent_id)
        if self._authorized(who, agent_id):
            assert err is None, err
            a.owner, a.wallet, a.approved = dest, ZERO, ZERO
        else:
            assert err is not None and "caller is not token owner or approved" in err

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caller=st.integers(0, 4), spender=st.integers(0, 4))
    def approve(self, data, caller, spender):
        agent_id = self._agent(data)
        a = self.agents[agent_id]
        who = ADDRS[caller]
        err = self._call(who, self.reg.approve, ADDRS[spender], agent_id)
        if who == a.owner or (a.owner, who) in self.operators:
            assert err is None, err
            a.approved = ADDRS[spender]
        else:
            assert err is not None and "approve caller" in err

    @rule(owner=st.integers(0, 4), operator=st.integers(0, 4), on=st.booleans())
    def set_operator(self, owner, operator, on):
        err = self._call(ADDRS[owner], self.reg.setApprovalForAll, ADDRS[operator], on)
        if owner == operator:
            assert err is not None and "approve to caller" in err
            return
        assert err is None, err
        (self.operators.add if on else self.operators.discard)((ADDRS[owner], ADDRS[operator]))
        assert self.reg.isApprovedForAll(ADDRS[owner], ADDRS[operator]) == on

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caller=st.integers(0, 4), key=st.sampled_from(KEYS + ["agentWallet"]), value=st.sampled_from(VALUES))
    def set_metadata(self, data, caller, key, value):
        agent_id = self._agent(data)
        who = ADDRS[caller]
        err = self._call(who, self.reg.setMetadata, agent_id, key, value)
        if not self._authorized(who, agent_id):
            assert err is not None and "identity: not authorized" in err
        elif key == "agentWallet":
            assert err is not None and "identity: reserved key" in err
        else:
            assert err is None, err
            self.agents[agent_id].metadata[key] = value

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caller=st.integers(0, 4), uri=st.sampled_from(URIS))
    def set_uri(self, data, caller, uri):
        agent_id = self._agent(data)
        who = ADDRS[caller]
        err = self._call(who, self.reg.setAgentURI, agent_id, uri)
        if self._authorized(who, agent_id):
            assert err is None, err
            self.agents[agent_id].uri = uri
        else:
            assert err is not None and "identity: not authorized" in err

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caller=st.integers(0, 4), wallet=st.integers(0, 4), signer=st.integers(0, 4), ahead=st.integers(-5, 305))
    def set_wallet(self, data, caller, wallet, signer, ahead):
        agent_id = self._agent(data)
        a = self.agents[agent_id]
        who, wallet_addr = ADDRS[caller], ADDRS[wallet]
        now = boa.env.timestamp
        deadline = max(now + ahead, 0)
        typed = wallet_typed_data(self.chain_id, self.reg.address, agent_id, wallet_addr, a.owner, deadline)
        sig = bytes(ACTORS[signer].sign_message(encode_typed_data(full_message=typed)).signature)
        err = self._call(who, self.reg.setAgentWallet, agent_id, wallet_addr, deadline, sig)
        if not self._authorized(who, agent_id):
            expected = "identity: not authorized"
        elif deadline < now:
            expected = "identity: signature expired"
        elif deadline > now + 300:
            expected = "identity: deadline too far"
        elif deadline <= a.last_deadline:
            expected = "identity: signature already used"
        elif signer != wallet:
            expected = "identity: invalid wallet signature"
        else:
            expected = None
        if expected is None:
            assert err is None, err
            a.wallet, a.last_deadline = wallet_addr, deadline
            self.used.append((agent_id, wallet_addr, deadline, sig))
        else:
            assert err is not None and expected in err, (expected, err)

    @precondition(lambda self: self.used)
    @rule(data=st.data())
    def replay_wallet_signature(self, data):
        agent_id, wallet_addr, deadline, sig = data.draw(st.sampled_from(self.used))
        self.touched.add(agent_id)
        owner = self.agents[agent_id].owner
        err = self._call(owner, self.reg.setAgentWallet, agent_id, wallet_addr, deadline, sig)
        assert err is not None  # never accepted twice: used, expired or for another owner
        assert any(r in err for r in ("already used", "expired", "invalid wallet signature")), err

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caller=st.integers(0, 4))
    def unset_wallet(self, data, caller):
        agent_id = self._agent(data)
        who = ADDRS[caller]
        err = self._call(who, self.reg.unsetAgentWallet, agent_id)
        if self._authorized(who, agent_id):
            assert err is None, err
            self.agents[agent_id].wallet = ZERO
        else:
            assert err is not None and "identity: not authorized" in err

    @rule(seconds=st.integers(1, 400))
    def time_passes(self, seconds):
        boa.env.time_travel(seconds=seconds)

    # ------------------------------------------------------------------ invariants
    def _check_agent(self, agent_id: int) -> None:
        a = self.agents[agent_id]
        assert self.reg.ownerOf(agent_id) == a.owner
        assert self.reg.tokenURI(agent_id) == a.uri
        assert self.reg.getAgentWallet(agent_id) == a.wallet
        expected_wallet_bytes = b"" if a.wallet == ZERO else bytes.fromhex(a.wallet[2:])
        assert self.reg.getMetadata(agent_id, "agentWallet") == expected_wallet_bytes
        assert self.reg.getApproved(agent_id) == a.approved
        assert self.reg.last_wallet_deadline(agent_id) == a.last_deadline
        for k in KEYS:
            assert self.reg.getMetadata(agent_id, k) == a.metadata.get(k, b"")

    @invariant()
    def registry_equals_model(self):
        """After each step: the agents the step touched and the balances."""
        if not hasattr(self, "reg"):
            return
        assert self.reg.total_agents() == len(self.agents)
        for agent_id in self.touched:
            self._check_agent(agent_id)
        self.touched.clear()
        for addr in ADDRS:
            assert self.reg.balanceOf(addr) == sum(a.owner == addr for a in self.agents.values())

    def teardown(self):
        """At the end of a run: every agent (a step must not change an agent it did not touch) and operator."""
        if hasattr(self, "reg"):
            for agent_id in self.agents:
                self._check_agent(agent_id)
            for addr in ADDRS:
                for other in ADDRS:
                    assert self.reg.isApprovedForAll(addr, other) == ((addr, other) in self.operators)


TestIdentityStateMachine = IdentityMachine.TestCase
