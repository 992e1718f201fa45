"""`VaultTrust.finalize_epoch` on the real vault (design §2, §4 F1/F7): anyone, a funded epoch,
before the attest deadline, `QUORUM` final answers >= `MIN_SCORE` from validators still
independent; `EpochFinalized(epoch, attestations, uptime_bps)` and the uptime feedback; every
refusal with its message."""

import boa
from scenario import TH, attest, events, fund, report, settle_until, trust_vault, warp

ZERO = "0x0000000000000000000000000000000000000000"


def test_finalise_counts_every_validator_and_logs():
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    report(env, 0, 97 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0, who=t.validators)
    with boa.env.prank(env.holders[3]):
        assert tr.finalize_epoch(0) == 3
    (f,) = events(tr, "EpochFinalized")
    assert (f.epoch, f.attestations, f.uptime_bps) == (0, 3, 9_700)
    (fb,) = events(tr, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 9_700, True)
    r = tr.record(0)
    assert (r.kind, r.attestations, r.uptime_bps, r.feedback, r.settled) == (1, 3, 9_700, 2, False)
    with boa.reverts("trust: epoch already finalised"):
        tr.finalize_epoch(0)
    settle_until(env, 0)
    with boa.reverts("trust: epoch already settled"):
        tr.finalize_epoch(0)


def test_finalise_refusals():
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    with boa.reverts("trust: epoch not funded"):
        tr.finalize_epoch(0)  # not reported
    report(env, 0, 100 * TH, 100_000)
    with boa.reverts("trust: epoch not funded"):
        tr.finalize_epoch(0)
    fund(env, 0)
    with boa.reverts("trust: no quorum"):
        tr.finalize_epoch(0)
    attest(env, t, 0, who=t.validators[:1])
    with boa.reverts("trust: no quorum"):
        tr.finalize_epoch(0)  # one of two
    attest(env, t, 0, score=97, who=t.validators[1:2])
    with boa.reverts("trust: no quorum"):
        tr.finalize_epoch(0)  # 97 < MIN_SCORE 98
    attest(env, t, 0, score=98, who=t.validators[2:3])
    with boa.env.anchor():
        assert tr.finalize_epoch(0) == 2  # 100 and 98 count
    # a validator that stops being independent stops counting
    with boa.env.prank(env.operator):
        t.identity.approve(t.validators[2], t.agent_id)
    with boa.reverts("trust: no quorum"):
        tr.finalize_epoch(0)
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)
    warp(env.vault.attest_deadline(0) + 1)
    with boa.reverts("trust: attest deadline passed"):
        tr.finalize_epoch(0)


def test_finalise_refused_while_the_trust_or_the_vault_is_authorised():
    env, t = trust_vault(holdings=(100,))
    tr = t.trust
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    for target in (tr.address, env.vault.address):
        with boa.env.prank(env.operator):
            t.identity.approve(target, t.agent_id)
        assert tr.operator_wallet() == ZERO
        with boa.reverts("trust: agent has authorised the trust contract"):
            tr.finalize_epoch(0)
    with boa.env.prank(env.operator):
        t.identity.approve(ZERO, t.agent_id)
    assert tr.operator_wallet() == env.operator
    assert tr.finalize_epoch(0) == 2
