"""F1 (medium): the operator still chooses which finalised epochs reach its reputation.

`finalize_epoch` is permissionless, so the operator finalises its own epochs. Just before
finalising a bad epoch it approves the vault on its agent (`IdentityRegistry.approve`); the
ReputationRegistry then refuses the vault's feedback ("self-feedback not allowed"), the
`raw_call` fails quietly, and the operator revokes the approval in the same block. Numbers:
epoch 0 delivered 100 % (posted, 10,000), epoch 1 delivered 50 % (hidden), epoch 2 100 %
(posted): `getSummary(agent, [vault], "uptime", "")` reads count 2, average 100.00 %, where
the term's truth is 3 epochs averaging 83.33 %. The only trace is `EpochClosed.feedback_posted
= False`, which no reputation consumer reads.

Suggested fix: make the post unconditional for the operator: refuse `finalize_epoch` while the
vault is an approved address of the agent (`isAuthorizedOrOwner(vault, agent_id)`), or let the
ReputationRegistry accept feedback from a vault registered for the agent (a trusted-client
list) so approval cannot block it; at least retry a refused post (a `post_feedback(e)` anyone
may call while `feedback_posted` is false).

Fixed by the trust split (docs/design/vault-trust-split.md §4): `finalize_epoch` reverts and `operator_wallet()` reads zero while the trust or the vault is authorised on the agent; anyone finalises once the approval is revoked; a refused post stays PENDING and `post_record` retries.
"""

import boa
from scenario import TH, attest, fund, report, settle_until, trust_vault

ZERO = "0x0000000000000000000000000000000000000000"
POSTED = 2


def _finalise(env, t, e, delivered, *, hide: bool):
    tr = t.trust
    report(env, e, delivered, 100_000)
    fund(env, e)
    attest(env, t, e)
    if hide:
        for target in (tr.address, env.vault.address):
            with boa.env.prank(env.operator):
                t.identity.approve(target, t.agent_id)
            assert tr.operator_wallet() == ZERO
            with boa.env.prank(env.operator), boa.reverts("trust: agent has authorised the trust contract"):
                tr.finalize_epoch(e)
        with boa.env.prank(env.operator):
            t.identity.approve(ZERO, t.agent_id)
        assert tr.operator_wallet() == env.operator
        with boa.env.prank(env.holders[-1]):  # a third party finalises after the revoke
            return tr.finalize_epoch(e)
    with boa.env.prank(env.operator):
        return tr.finalize_epoch(e)


def test_f1_operator_toggles_approval_around_a_bad_epoch():
    env, t = trust_vault(holdings=(100,), n_epochs=3)  # the term is these 3 epochs
    tr = t.trust
    assert _finalise(env, t, 0, 100 * TH, hide=False) == 2
    assert _finalise(env, t, 1, 50 * TH, hide=True) == 2
    bad = tr.record(1)
    assert (bad.uptime_bps, bad.attestations) == (5_000, 2)
    assert _finalise(env, t, 2, 100 * TH, hide=False) == 2
    settle_until(env, 2)
    assert [tr.record(e).feedback for e in range(3)] == [POSTED] * 3
    assert not t.identity.isAuthorizedOrOwner(tr.address, t.agent_id)  # approval gone again
    count, value, decimals = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    # every finalised epoch of the term should be in the operator's public record
    assert (count, value, decimals) == (3, 8_333, 2), f"reputation shows {count} epochs averaging {value}"
