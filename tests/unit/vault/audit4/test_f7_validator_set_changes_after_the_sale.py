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
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from scenario import TH, events, fund, report, trust_vault


def test_f7_admin_lists_itself_and_the_fee_recipient_mid_term_and_finalises_a_false_report():
    env, t = trust_vault(holdings=(100,))
    v, admin, fees = env.vault, env.admin, env.fee_recipient
    report(env, 0, 100 * TH, 100_000)  # the operator really delivered 10 TH/s
    fund(env, 0)
    assert boa.env.timestamp > v.SALE_END()
    listed = True
    try:
        for who in (admin, fees):
            with boa.env.prank(admin):
                v.add_validator(who)
    except boa.BoaError:
        listed = False
    if listed:
        for who in (admin, fees):
            h = v.request_hash(0, who)
            with boa.env.prank(env.operator):
                t.validation.validationRequest(who, t.agent_id, "", h)
            with boa.env.prank(who):
                t.validation.validationResponseFor(t.agent_id, h, 100, "", b"\x00" * 32, "", True)
        assert v.finalize_epoch(0) == 2
        (fin,) = events(v, "EpochFinalized")
        assert fin.uptime_bps == 10_000
    # the validator set holders bought under must not change during the term
    assert not listed, "admin and fee recipient listed as validators mid-term and finalised epoch 0"


def test_f7_admin_delists_below_quorum_mid_term():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    report(env, 0, 100 * TH, 100_000)
    removed = 0
    for who in t.validators[:2]:
        try:
            v.remove_validator(who)
            removed += 1
        except boa.BoaError:
            break
    assert len(v.validator_list()) >= v.quorum(), f"{removed} validators delisted mid-term: {len(v.validator_list())} left, quorum {v.quorum()}"
