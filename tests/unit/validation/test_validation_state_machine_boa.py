"""Hypothesis state machine (titanoboa, in-process): request / respond / finalise / cancel by
every kind of caller, against a Python model of the registry's rules.

A small pool of request hashes makes agents collide on the same hash (squatting), and a
small pool of callers makes unauthorised calls frequent. After every step the contract's
views must equal the model's. Step counts come from the hypothesis profile (ci / deep).

Invariants:
  V1 every (agent, hash) record: status, validator, response, final == the model.
  V2 the hash-only views show the first requester's record (a squatter cannot hijack a
     later requester's record, and the later requester is not blocked); the hash-only answer
     and `getRequestAgent(h, validator)` reach the one record of h naming that validator, and
     refuse ("ambiguous") when several do, so a squatter never takes another agent's answer.
  V3 getValidationStatusFor == the validator's last answer (hash and tag included).
  V4 getAgentValidations(agent) == the model's list, in request order.
  V5 getSummary (all validators / one validator, any tag / one tag) == (count, integer mean).
  V6 each validator's inbox (getValidatorRequestsPaged) == the model's, with its agents.
  V7 finalized records never change again; unauthorised calls change nothing.
  V8 a cancel erases nothing: a cancelled request still takes its validator's answers (and
     finalisation), which read and count like any other (status: an answer outranks the
     cancel); isCancelled stays true once set.
"""

from dataclasses import dataclass
from pathlib import Path

import boa
from eth_utils import keccak
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

ROOT = Path(__file__).resolve().parents[3]
Z = b"\x00" * 32
ZERO = "0x" + "00" * 20
NONE, PENDING, ANSWERED, FINALIZED, CANCELLED = 0, 1, 2, 3, 4

OWNERS = [boa.env.generate_address(f"owner{i}") for i in range(2)]
OPERATOR = boa.env.generate_address("operator")
VALIDATORS = [boa.env.generate_address(f"validator{i}") for i in range(2)]
STRANGER = boa.env.generate_address("stranger")
CALLERS = OWNERS + [OPERATOR] + VALIDATORS + [STRANGER]
AGENTS = [0, 1]  # agent i owned by OWNERS[i]; OPERATOR operates agent 0
HASHES = [keccak(text=f"req{i}") for i in range(3)]
TAGS = ["", "a", "b"]


@dataclass
class Rec:
    validator: str
    response: int = 0
    answered: bool = False
    final: bool = False
    cancelled: bool = False
    tag: str = ""
    rh: bytes = Z

    @property
    def status(self):
        if self.final:
            return FINALIZED
        if self.answered:
            return ANSWERED
        return CANCELLED if self.cancelled else PENDING


_DEPLOYERS = {}


def _contracts():
    """Fresh contracts per example (compiled once): boa rolls state back between examples."""
    if not _DEPLOYERS:
        _DEPLOYERS["ident"] = boa.load_partial(str(ROOT / "contracts/mocks/MockIdentity4Validation.vy"))
        _DEPLOYERS["reg"] = boa.load_partial(str(ROOT / "contracts/ValidationRegistry.vy"))
    ident = _DEPLOYERS["ident"].deploy()
    for a, o in zip(AGENTS, OWNERS):
        ident.mint(a, o)
    ident.setOperator(0, OPERATOR, True)
    return ident, _DEPLOYERS["reg"].deploy(ident.address)


class ValidationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.ident, self.reg = _contracts()
        self.recs: dict[tuple[int, bytes], Rec] = {}
        self.primary: dict[bytes, int] = {}
        self.agent_list: dict[int, list[bytes]] = {a: [] for a in AGENTS}
        self.validator_list: dict[str, list[tuple[bytes, int]]] = {v: [] for v in CALLERS}
        self.touched: set[tuple[int, bytes]] = set()  # records a rule aimed at since the last check
        self.dirty = False  # a rule changed state since the last check
        self.steps = 0

    @initialize(validators=st.lists(st.sampled_from(VALIDATORS), min_size=4, max_size=4))
    def open_requests(self, validators):
        """Both agents start with requests on the same two hashes (a collision each), so
        answers, finalisation and cancellation are exercised from the first step; the third
        hash is left for the request rule."""
        for (agent, h), v in zip([(0, HASHES[0]), (1, HASHES[0]), (1, HASHES[1]), (0, HASHES[1])], validators):
            self.request(0, OWNERS[agent], v, agent, h)

    def _authorized(self, caller, agent):
        return caller == OWNERS[agent] or (agent == 0 and caller == OPERATOR)

    # ------------------------------------------------------------------ rules
    @rule(
        wrong=st.integers(0, 3),
        caller=st.sampled_from(CALLERS),
        validator=st.sampled_from(VALIDATORS * 3 + CALLERS + [ZERO]),
        agent=st.sampled_from(AGENTS),
        h=st.sampled_from(HASHES),
    )
    def request(self, wrong, caller, validator, agent, h):
        self.touched.add((agent, h))
        if wrong < 3:  # mostly the agent's owner (or operator), sometimes anyone
            caller = OPERATOR if agent == 0 and wrong == 2 else OWNERS[agent]
        key = (agent, h)
        if not self._authorized(caller, agent):
            err = "validation: not authorized"
        elif validator == ZERO:
            err = "validation: bad validator"
        elif self._authorized(validator, agent):  # owner/operator; wallet == owner in the mock
            err = "validation: self-validation"
        elif key in self.recs:
            err = "validation: request exists"
        else:
            err = None
        if err:
            with boa.reverts(err):
                self.reg.validationRequest(validator, agent, "uri", h, sender=caller)
            return
        self.reg.validationRequest(validator, agent, "uri", h, sender=caller)
        self.dirty = True
        self.recs[key] = Rec(validator)
        is_primary = h not in self.primary
        self.primary.setdefault(h, agent)
        self.agent_list[agent].append(h)
        self.validator_list[validator].append((h, agent))
        assert is_primary or self.primary[h] != agent

    def _respond_error(self, caller, key, response):
        rec = self.recs.get(key)
        if rec is None:
            return "validation: unknown request"
        if caller != rec.validator:
            return "validation: not validator"
        if rec.final:
            return "validation: finalized"
        if response > 100:
            return "validation: response > 100"
        return None

    def _caller(self, key, wrong, caller):
        """Mostly the record's validator, sometimes anyone (hypothesis favours wrong=0)."""
        rec = self.recs.get(key)
        return rec.validator if wrong < 3 and rec is not None else caller

    def _resolve(self, h, validator):
        """(agent, None) for the one record of h naming `validator`, else (None, error)."""
        if h not in self.primary:
            return None, "validation: unknown request"
        agents = [a for (a, hh), r in self.recs.items() if hh == h and r.validator == validator]
        if not agents:
            return None, "validation: not validator"
        if len(agents) > 1:
            return None, "validation: ambiguous request, use validationResponseFor"
        return agents[0], None

    @rule(wrong=st.integers(0, 3), caller=st.sampled_from(CALLERS), h=st.sampled_from(HASHES), response=st.integers(0, 110), tag=st.sampled_from(TAGS))
    def respond_spec(self, wrong, caller, h, response, tag):
        """The spec's hash-only function answers the one record of h naming its caller."""
        named = sorted({r.validator for (_, hh), r in self.recs.items() if hh == h})
        if named and wrong < 3:  # mostly a validator some record of h names
            caller = named[wrong % len(named)]
        agent, err = self._resolve(h, caller)
        if err:
            self.touched.update((a, h) for a in AGENTS)
            with boa.reverts(err):
                self.reg.validationResponse(h, response, "", Z, tag, sender=caller)
            return
        self._respond((agent, h), caller, response, tag, False, spec=True)

    @rule(
        wrong=st.integers(0, 3),
        caller=st.sampled_from(CALLERS),
        agent=st.sampled_from(AGENTS),
        h=st.sampled_from(HASHES),
        response=st.integers(0, 110),
        tag=st.sampled_from(TAGS),
        final=st.booleans(),
    )
    def respond_for(self, wrong, caller, agent, h, response, tag, final):
        caller = self._caller((agent, h), wrong, caller)
        self._respond((agent, h), caller, response, tag, final, spec=False)

    def _respond(self, key, caller, response, tag, final, spec):
        self.touched.add(key)
        rh = keccak(text=f"{response}{tag}")
        err = self._respond_error(caller, key, response)
        call = (lambda: self.reg.validationResponse(key[1], response, "", rh, tag, sender=caller)) if spec else (
            lambda: self.reg.validationResponseFor(key[0], key[1], response, "", rh, tag, final, sender=caller)
        )
        if err:
            with boa.reverts(err):
                call()
            return
        call()
        self.dirty = True
        rec = self.recs[key]
        rec.response, rec.tag, rec.rh, rec.answered = response, tag, rh, True
        rec.final = rec.final or final

    @rule(wrong=st.integers(0, 3), caller=st.sampled_from(CALLERS), agent=st.sampled_from(AGENTS), h=st.sampled_from(HASHES))
    def finalize(self, wrong, caller, agent, h):
        key = (agent, h)
        self.touched.add(key)
        caller = self._caller(key, wrong, caller)
        rec = self.recs.get(key)
        err = self._respond_error(caller, key, 0)
        if err is None and not rec.answered:
            err = "validation: no response"
        if err:
            with boa.reverts(err):
                self.reg.finalizeValidation(agent, h, sender=caller)
            return
        self.reg.finalizeValidation(agent, h, sender=caller)
        self.dirty = True
        rec.final = True

    @rule(wrong=st.integers(0, 2), caller=st.sampled_from(CALLERS), agent=st.sampled_from(AGENTS), h=st.sampled_from(HASHES))
    def cancel(self, wrong, caller, agent, h):
        key = (agent, h)
        self.touched.add(key)
        if wrong < 2:
            caller = OWNERS[agent]
        rec = self.recs.get(key)
        if not self._authorized(caller, agent):
            err = "validation: not authorized"
        elif rec is None:
            err = "validation: unknown request"
        elif rec.answered:
            err = "validation: not pending"
        elif rec.cancelled:
            err = "validation: cancelled"
        else:
            err = None
        if err:
            with boa.reverts(err):
                self.reg.cancelValidation(agent, h, sender=caller)
            return
        self.reg.cancelValidation(agent, h, sender=caller)
        self.dirty = True
        rec.cancelled = True

    # ------------------------------------------------------------------ invariants
    @invariant()
    def views_match_model(self):
        """After each step: the records the step aimed at, their hashes' primary views, and
        (when state changed) lists and summaries; every 5th step: everything."""
        self.steps += 1
        if self.steps % 5 == 0:
            keys, hashes, dirty = {(a, h) for a in AGENTS for h in HASHES}, set(HASHES), True
        else:
            keys, hashes, dirty = self.touched, {h for _, h in self.touched}, self.dirty
        self.touched, self.dirty = set(), False
        self._records_match(keys)
        self._primary_views_match(hashes)
        if dirty:
            self._lists_and_summaries_match()

    def _records_match(self, keys):
        for agent, h in sorted(keys):
            rec = self.recs.get((agent, h))
            status, validator, response, final, _ = self.reg.getAttestation(agent, h)
            if rec is None:
                assert (status, validator, response, final) == (NONE, ZERO, 0, False)
                assert self.reg.isCancelled(agent, h) is False
                continue
            assert (status, validator, response, final) == (rec.status, rec.validator, rec.response, rec.final)
            assert self.reg.isCancelled(agent, h) == rec.cancelled
            if not rec.answered:
                continue
            v = self.reg.getValidationStatusFor(agent, h)
            assert (v[0], v[1], v[2], v[3], v[4]) == (rec.validator, agent, rec.response, rec.rh, rec.tag)

    def _primary_views_match(self, hashes):
        for h in sorted(hashes):
            if h not in self.primary:
                assert self.reg.getRequestState(h)[0] == NONE
                continue
            a = self.primary[h]
            rec = self.recs[(a, h)]
            assert self.reg.getRequestState(h) == (rec.status, a, rec.validator, rec.response, rec.final)
            assert self.reg.getValidationStatus(h)[:3] == (rec.validator, a, rec.response)
            for v in VALIDATORS:
                agent, err = self._resolve(h, v)
                if err:
                    with boa.reverts(err):
                        self.reg.getRequestAgent(h, v)
                else:
                    assert self.reg.getRequestAgent(h, v) == agent

    def _lists_and_summaries_match(self):
        for a in AGENTS:
            assert self.reg.getAgentValidations(a) == self.agent_list[a]
            for vs, tag in (([], ""), ([VALIDATORS[0]], "a")):
                rs = [
                    r.response
                    for (ra, _), r in self.recs.items()
                    if ra == a and r.answered and (not vs or r.validator in vs) and (not tag or r.tag == tag)
                ]
                want = (len(rs), sum(rs) // len(rs)) if rs else (0, 0)
                assert self.reg.getSummary(a, vs, tag) == want
        for v in VALIDATORS:
            hs, agents, total = self.reg.getValidatorRequestsPaged(v, 0, 100)
            assert list(zip(hs, agents)) == self.validator_list[v] and total == len(self.validator_list[v])


TestValidationMachine = ValidationMachine.TestCase
