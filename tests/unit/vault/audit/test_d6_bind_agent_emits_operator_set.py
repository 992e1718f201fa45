"""Issue 14, defect 6 (low): `bind_agent` set `operator` to zero without an `OperatorSet` event.

On the unfixed vault the binding logged only `AgentBound`: an indexer following `OperatorSet`
kept showing the constructor's operator (0 `OperatorSet` events in the binding). Fixed: the
binding logs `OperatorSet(0x0)` whenever it changes the operator.

After the trust split (docs/design/vault-trust-split.md): `bind_agent` and `operator` are gone; the terms are logged once, by the trust's constructor (`TermsFixed`, one `ValidatorSet` per validator), and `set_trust` logs `TrustSet`.
"""

import boa
from boa_vault import deploy, deploy_trust, open_term
from scenario import events

ZERO = "0x0000000000000000000000000000000000000000"


def test_d6_binding_logs_the_operator_cleared():
    env = deploy(trust=False)
    assert not hasattr(env.vault, "operator") and not hasattr(env.vault, "set_operator")
    t = deploy_trust(env)
    tr = t.trust
    logs = [x for x in tr.get_logs(strict=False) if type(x).__name__ in ("TermsFixed", "ValidatorSet")]
    (terms,) = [x for x in logs if type(x).__name__ == "TermsFixed"]
    assert (terms.vault, terms.identity, terms.validation, terms.reputation, terms.agent_id) == (
        env.vault.address, t.identity.address, t.validation.address, t.reputation.address, t.agent_id)
    assert (terms.quorum, terms.min_score, terms.difficulty, terms.sats_per_block, terms.bond_epochs) == (2, 98, 150 * 10**12, 315_000_000, 7)
    assert [(x.validator, x.listed) for x in logs if type(x).__name__ == "ValidatorSet"] == [(w, True) for w in t.validators]


def test_d6_binding_logs_nothing_when_the_operator_was_already_zero():
    env = deploy(trust=False)
    t = deploy_trust(env)
    open_term(env, t, bond=0)
    (ts,) = events(env.vault, "TrustSet")
    assert ts.trust == t.trust.address and env.vault.trust() == t.trust.address
