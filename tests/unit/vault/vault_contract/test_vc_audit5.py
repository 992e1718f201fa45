"""The vault's side of the audit5 fixes, against `MockVaultTrust`:
G2 the guardian and the fee recipient may never be a validator of the trust (set_trust, set_guardian,
queue_params); G3 `settle_due` has the trust post pending feedbacks (`post_pending`), also when nothing
is due; G5 `checkpoint` emits `Checkpointed`, a cursor move `CursorsMoved`."""

import boa
from vc_env import deploy, fund, logs, publish_before_end, report, warp

V0, V1 = (boa.env.generate_address(n) for n in ("validator0", "validator1"))


def _params_with(env, recipient):
    p = env.vault.params()
    return (p[0], p[1], p[2], p[3], recipient)


def test_set_guardian_refuses_a_validator():
    env = deploy()
    v = env.vault
    env.trust.set_validators([V0, V1])
    with boa.env.prank(env.admin):
        with boa.reverts("vault: guardian is a validator"):
            v.set_guardian(V1)
        assert v.guardian() == env.guardian
        other = boa.env.generate_address("other")
        v.set_guardian(other)
    (g,) = logs(v, "GuardianSet")
    assert g.guardian == other == v.guardian()


def test_queue_params_refuses_a_validator_as_fee_recipient():
    env = deploy()
    v = env.vault
    env.trust.set_validators([V0, V1])
    with boa.env.prank(env.admin):
        with boa.reverts("vault: fee recipient is a validator"):
            v.queue_params(_params_with(env, V0))
        assert v.pending_eta() == 0
        other = boa.env.generate_address("other")
        v.queue_params(_params_with(env, other))
    (q,) = logs(v, "ParamsQueued")
    assert q.params[4] == other


def test_without_a_trust_roles_are_not_checked():
    env = deploy(set_trust=False)
    v = env.vault
    with boa.env.prank(env.admin):
        v.set_guardian(V0)
        v.queue_params(_params_with(env, V1))
    assert v.guardian() == V0


def test_set_trust_refuses_validators_in_vault_roles():
    """The roles may change between the trust's construction (which checked them) and `set_trust`."""
    env = deploy(set_trust=False)
    v = env.vault
    env.trust.set_validators([V0, V1])
    with boa.env.prank(env.admin):
        v.set_guardian(V0)
        with boa.reverts("vault: guardian is a validator"):
            v.set_trust(env.trust.address)
        v.set_guardian(env.guardian)
        v.queue_params(_params_with(env, V1))  # queued, not applied: would apply after the check
        with boa.reverts("vault: fee recipient is a validator"):
            v.set_trust(env.trust.address)
    with boa.env.prank(env.admin):
        v.cancel_params()
        v.set_trust(env.trust.address)
    (t,) = logs(v, "TrustSet")
    assert t.trust == env.trust.address == v.trust()


def test_set_trust_refuses_a_validator_as_the_fee_recipient_in_force():
    env = deploy(set_trust=False)
    v = env.vault
    env.trust.set_validators([env.fee_recipient])
    with boa.env.prank(env.admin), boa.reverts("vault: fee recipient is a validator"):
        v.set_trust(env.trust.address)


def test_settle_due_asks_the_trust_to_post_pending_feedback():
    env = deploy()
    v, t = env.vault, env.trust
    with boa.env.prank(env.holders[0]):
        assert v.settle_due(5) == 0  # nothing due: still asks the trust to post
    assert (t.post_pending_calls(), t.post_pending_last()) == (1, 5)
    with boa.env.prank(env.holders[0]):
        v.settle_due(1_000)
    assert (t.post_pending_calls(), t.post_pending_last()) == (2, 64)  # clamped to MAX_SETTLE
    # a claim or a transfer settles without posting and does not ask
    warp(v.report_deadline(0) + 1)
    with boa.env.prank(env.holders[0]):
        v.claim()
    assert t.calls() == 1 and t.settled_post(0) is False
    assert t.post_pending_calls() == 2
    # a trust whose post_pending reverts makes settle_due revert (a plain call, as `settle`)
    t.set_refuse(True)
    with boa.env.prank(env.holders[0]), boa.reverts("trust: refused"):
        v.settle_due(5)


def test_checkpoint_emits_checkpointed():
    env = deploy(holdings=(100,))
    v, h = env.vault, env.holders[0]
    publish_before_end(env, 0)
    report(env, 0, 100, 100_000)
    fund(env, 0)
    warp(boa.env.timestamp + 3_600)
    v.checkpoint(h)
    (cp,) = logs(v, "Checkpointed")
    assert cp.account == h
    assert v.reward_per_share_paid(h) == v.reward_per_share() > 0
    # an account with nothing to account: still the event (the call is a state access anyone makes)
    other = boa.env.generate_address("other")
    v.checkpoint(other)
    assert [x.account for x in logs(v, "Checkpointed")] == [other]


def test_cursor_moves_emit_cursors_moved():
    env = deploy(holdings=(100,))
    v = env.vault
    publish_before_end(env, 0)
    report(env, 0, 100, 100_000)
    fund(env, 0)
    warp(v.report_deadline(0) + 1)  # epoch 0 funded: the unfunded cursor only skips it
    with boa.env.prank(env.holders[0]):
        assert v.settle_due(64) == 0
    (m,) = logs(v, "CursorsMoved")
    assert (m.unfunded, m.attest) == (1, 0)
    assert not logs(v, "EpochSettled")
    assert v.cursors() == (1, 0)
    # nothing moves: no event
    with boa.env.prank(env.holders[0]):
        v.settle_due(64)
    assert not logs(v, "CursorsMoved")
    # a settlement moves a cursor too: one CursorsMoved per call, after the EpochSettled
    warp(v.report_deadline(1) + 1)
    with boa.env.prank(env.holders[0]):
        assert v.settle_due(64) == 1
    names = [type(x).__name__ for x in v.get_logs(strict=False)]
    assert names.index("EpochSettled") < names.index("CursorsMoved")
    (m,) = logs(v, "CursorsMoved")
    assert (m.unfunded, m.attest) == (2, 0) == tuple(v.cursors())
