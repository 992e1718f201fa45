"""G2 (medium, fixed): the admin could disqualify the validators after the sale and slash an honest operator.

The F7 fix froze the validator set, but `_independent(v)` is re-evaluated at every
`finalize_epoch` against addresses the vault's admin changes at will: `guardian`
(`set_guardian`, immediate, no acceptance) and `params().fee_recipient` (queue + ADMIN_DELAY).
Naming two of the three validators (quorum 2) as guardian and fee recipient makes them "not
independent": no epoch can be finalised any more, whatever the validators answered.

Figures (100 TH/s, devnet parameters): the operator reports epoch 0 truthfully (full delivery,
gross 4,224, net 1,012), funds it, and all three validators attest 100. The admin then calls
`set_guardian(v0)` and applies `fee_recipient = v1` (one day later, still inside the 6-day
attestation window): `finalize_epoch(0)` reverts "trust: no quorum", the epoch is settled at
A(0) as DEFAULT_UNATTESTED and the bond pays 2,790 sats (Nu 3,802 - net 1,012) for an epoch
that was delivered in full, and the operator's reputation gets uptime 0 for it. Repeated every
epoch it drains the bond (holders, or an admin that holds shares, gain it) and blackens the
operator's record; the reverse (an admin listing a validator as guardian to stop it counting
against a colluding operator's over-report) is limited by the quorum but follows the same path.

Suggested fix: take the vault-role part of independence (owner, guardian, treasury, fee
recipient) only at construction (the terms the holders bought), or make `set_guardian` and
`queue_params` refuse an address in `trust.validator_list()` ("vault: guardian is a validator",
"vault: fee recipient is a validator"); keep the live agent-side checks at finalisation.

Fixed: vault roles are checked against the validators at the trust's construction only (the term
lock); `finalize_epoch` re-checks only the agent's own addresses. The vault refuses to make a
listed validator its guardian (`set_guardian`: "vault: guardian is a validator") or fee recipient
(`queue_params`: "vault: fee recipient is a validator"). An ownership hand-over to a validator is
not checked: it no longer changes who counts at finalisation.
"""

import boa
from scenario import DAY, TH, attest, fund, report, settle_until, trust_vault, warp


def test_g2_admin_role_changes_cannot_make_an_honest_epoch_default():
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    v0, v1, v2 = t.validators
    report(env, 0, 100 * TH, 4_224)  # truthful, full delivery
    fund(env, 0)
    attest(env, t, 0, 100, who=[v0, v1, v2])  # every validator attests 100
    g, p = v.guardian(), v.params()
    with boa.env.prank(env.admin):
        with boa.reverts("vault: guardian is a validator"):
            v.set_guardian(v0)
        with boa.reverts("vault: fee recipient is a validator"):
            v.queue_params((p[0], p[1], p[2], p[3], v1))
        # the hand-over of the admin role itself is not checked: it no longer matters at finalisation
        v.transfer_ownership(v2)
    with boa.env.prank(v2):
        v.accept_ownership()
    assert (v.guardian(), v.params(), v.owner()) == (g, p, v2)
    warp(v.epoch_end(0) + DAY + 120)
    assert boa.env.timestamp <= v.attest_deadline(0)
    with boa.env.prank(env.holders[-1]):
        assert tr.finalize_epoch(0) == 3  # every validator still counts, the new admin too
    settle_until(env, 0, by=env.holders[-1])
    r = tr.record(0)
    # a fully delivered, attested epoch owes nothing and is finalised at 100 %
    assert (r.kind, r.uptime_bps, r.owed, r.paid) == (1, 10_000, 0, 0), (
        f"record kind {r.kind}, bond slashed {r.paid} sats (owed {r.owed}) for a fully delivered epoch"
    )
