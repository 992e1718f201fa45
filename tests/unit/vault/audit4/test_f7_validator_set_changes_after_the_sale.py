"""F7 (medium): the admin can change who attests after holders have bought.

`add_validator` and `remove_validator` work for the whole term, and independence is checked
only against the operator agent (owner, approved, operator, wallet). So after the sale the
admin can list itself and the fee recipient (two addresses that profit from finalisation:
fees, no slash) and, with quorum 2, finalise an over-reported epoch on its own: 100 TH/s sold,
10 TH/s really delivered, reported as 100, finalised with 2 attestations and 100.00 % uptime
posted. Or it can delist validators below the quorum so that every epoch defaults (bond
drained to holders). Holders bought under one validator set and cannot leave when it changes.

Suggested fix: freeze the validator set (and quorum) once the sale ends, or put changes behind
a delay longer than `REPORT_GRACE` with a guaranteed exit; refuse as validators the vault's
admin, fee recipient, treasury and guardian as well as the agent's addresses.

Fixed by the trust split (docs/design/vault-trust-split.md §4): validators, quorum and min score are constructor terms of `VaultTrust` (no setter exists); independence also refuses the vault's owner, guardian, treasury, fee recipient, the vault and the trust.
"""

import boa
from boa_vault import deploy, deploy_trust, registries
from scenario import trust_vault

TRUST_WRITES = {"settle", "finalize_epoch", "post_record", "post_pending", "post_bond", "withdraw_bond"}


def _writes(c) -> set[str]:
    return {f["name"] for f in c.abi if f.get("type") == "function" and f.get("stateMutability") not in ("view", "pure")}


def test_f7_admin_lists_itself_and_the_fee_recipient_mid_term_and_finalises_a_false_report():
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    # the validator set holders bought under must not change during the term: nothing can change it
    assert _writes(tr) == TRUST_WRITES
    assert not any(hasattr(tr, f) for f in ("add_validator", "remove_validator", "set_quorum", "bind_agent"))
    assert not any(hasattr(env.vault, f) for f in ("add_validator", "remove_validator", "bind_agent", "validator_list"))
    assert list(tr.validator_list()) == t.validators and (tr.QUORUM(), tr.MIN_SCORE()) == (2, 98)
    # and the admin's own addresses cannot be listed in the first place
    for who in ("admin", "fee_recipient", "guardian", "treasury"):
        e2 = deploy(trust=False)
        bad = getattr(e2, who)
        with boa.reverts("trust: validator not independent"):
            deploy_trust(e2, validators=[bad, boa.env.generate_address("v1"), boa.env.generate_address("v2")])
    e3 = deploy(trust=False)
    with boa.reverts("trust: validator not independent"):
        deploy_trust(e3, validators=[e3.vault.address, boa.env.generate_address("v1")])


def test_f7_admin_delists_below_quorum_mid_term():
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    assert len(tr.validator_list()) >= tr.QUORUM() == 2
    e2 = deploy(trust=False)
    regs = registries(e2.operator)
    with boa.reverts("trust: quorum above validators"):
        deploy_trust(e2, validators=[boa.env.generate_address(f"w{i}") for i in range(3)], quorum=4, regs=regs)
