"""VaultTrust.finalize_epoch: quorum of listed, independent validators with final answers >= MIN_SCORE,
the attest deadline, F1 (authorised agent refused), F2 (gas floor), the uptime feedback and its retry."""

import boa
from trust_kit import (
    FB_PENDING,
    FB_POSTED,
    FEEDBACK_FLOOR,
    FINALIZED,
    FUNDED,
    GROSS_100,
    REPORT_HASH,
    REPORTED,
    SUPPLY,
    TH,
    ZERO,
    events,
    feedback_hashes,
    request_hash,
)


def test_finalise_posts_uptime(kit):
    t = kit.open()
    kit.funded_attested(t, 0, 50 * TH, GROSS_100 // 2)
    with boa.env.prank(kit.stranger):
        assert t.finalize_epoch(0) == 2
    (f,) = events(t, "EpochFinalized")
    assert (f.epoch, f.attestations, f.uptime_bps) == (0, 2, 5_000)
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 5_000, True)
    assert feedback_hashes(t, kit.reputation) == [REPORT_HASH]
    r = t.record(0)
    assert (r.kind, r.attestations, r.uptime_bps, r.owed, r.paid, r.feedback, r.settled) == (FINALIZED, 2, 5_000, 0, 0, FB_POSTED, False)
    value, decimals, tag1, tag2, revoked = kit.reputation.readFeedback(kit.agent_id, t.address, 1)
    assert (value, decimals, tag1, tag2) == (5_000, 2, "uptime", "epoch-0")
    assert not events(t, "EpochClosed")  # closed at settlement


def test_three_validators_count(kit):
    t = kit.open()
    kit.funded_attested(t, 0, who=kit.validators)
    assert t.finalize_epoch(0) == 3


def test_no_quorum(kit):
    t = kit.open()
    kit.funded_attested(t, 0, who=kit.validators[:1])
    with boa.reverts("trust: no quorum"):
        t.finalize_epoch(0)


def test_score_below_min_does_not_count(kit):
    t = kit.open()
    kit.funded_attested(t, 0, who=kit.validators[:1])
    kit.attest(t, 0, score=97, who=kit.validators[1:2])
    with boa.reverts("trust: no quorum"):
        t.finalize_epoch(0)
    kit.attest(t, 0, score=98, who=kit.validators[2:])
    assert t.finalize_epoch(0) == 2


def test_answer_not_final_does_not_count(kit):
    t = kit.open()
    kit.funded_attested(t, 0, who=kit.validators[:1])
    kit.attest(t, 0, who=kit.validators[1:2], final=False)
    with boa.reverts("trust: no quorum"):
        t.finalize_epoch(0)


def test_unlisted_validator_does_not_count(kit):
    t = kit.open()
    outsider = boa.env.generate_address("outsider")
    kit.funded_attested(t, 0, who=[kit.validators[0], outsider])
    with boa.reverts("trust: no quorum"):
        t.finalize_epoch(0)


def test_answer_on_another_report_does_not_count(kit):
    """The request hash binds delivered/gross/report hash: an answer on other figures is no attestation."""
    t = kit.open()
    kit.funded_attested(t, 0)
    kit.epoch(0, FUNDED, SUPPLY, GROSS_100 + 1)  # the report the vault holds differs from the attested one
    with boa.reverts("trust: no quorum"):
        t.finalize_epoch(0)


def test_validator_that_stops_being_independent_of_the_agent_stops_counting(kit):
    """F7 at finalisation: a validator the agent approves later (or makes its wallet) no longer counts."""
    t = kit.open()
    kit.funded_attested(t, 0)
    with boa.env.prank(kit.operator):
        kit.identity.setApprovalForAll(kit.validators[0], True)
    with boa.reverts("trust: no quorum"):
        t.finalize_epoch(0)
    with boa.env.prank(kit.operator):
        kit.identity.setApprovalForAll(kit.validators[0], False)
    assert t.finalize_epoch(0) == 2


def test_vault_roles_are_not_rechecked_at_finalisation(kit):
    """G2: vault roles are checked against the validators at construction only (the term lock): an
    admin that later names validators guardian, fee recipient or owner cannot stop them counting
    (the vault refuses the first two anyway; the owner hand-over is not checked)."""
    t = kit.open()
    kit.funded_attested(t, 0, who=kit.validators)
    kit.vault.set_roles(kit.validators[2], kit.validators[0], kit.treasury)
    kit.vault.set_params(kit.params(recipient=kit.validators[1]))
    assert t.finalize_epoch(0) == 3
    (f,) = events(t, "EpochFinalized")
    assert (f.epoch, f.attestations, f.uptime_bps) == (0, 3, 10_000)


def test_not_funded(kit):
    t = kit.open()
    with boa.reverts("trust: epoch not funded"):
        t.finalize_epoch(0)
    kit.epoch(0, REPORTED, SUPPLY, GROSS_100)
    with boa.reverts("trust: epoch not funded"):
        t.finalize_epoch(0)


def test_attest_deadline(kit):
    t = kit.open()
    kit.funded_attested(t, 0)
    deadline = kit.vault.attest_deadline(0)
    kit.warp_to(deadline + 1)
    with boa.reverts("trust: attest deadline passed"):
        t.finalize_epoch(0)
    # paused time pushes the deadline (the vault's attest_deadline), and the trust follows it
    kit.vault.set_deadline_shift(3_600)
    assert t.finalize_epoch(0) == 2


def test_finalise_at_the_deadline(kit):
    t = kit.open()
    kit.funded_attested(t, 0)
    kit.warp_to(kit.vault.attest_deadline(0))
    assert t.finalize_epoch(0) == 2


def test_finalise_twice_and_after_settlement(kit):
    t = kit.open()
    kit.funded_attested(t, 0)
    t.finalize_epoch(0)
    with boa.reverts("trust: epoch already finalised"):
        t.finalize_epoch(0)
    kit.funded_attested(t, 1)
    kit.vault.do_settle(1, False)  # settled unattested
    with boa.reverts("trust: epoch already settled"):
        t.finalize_epoch(1)


def test_f1_authorised_agent_is_refused(kit):
    """F1: while the agent has approved the trust or the vault (or set either as operator), finalising
    reverts; after the revoke a third party finalises and the bad epoch reaches the reputation."""
    t = kit.open()
    for e, delivered in ((0, SUPPLY), (1, 50 * TH), (2, SUPPLY)):
        kit.funded_attested(t, e, delivered, GROSS_100 * delivered // SUPPLY)
    t.finalize_epoch(0)
    for approve in (
        lambda: kit.identity.approve(t.address, kit.agent_id),
        lambda: kit.identity.approve(kit.vault.address, kit.agent_id),
        lambda: kit.identity.setApprovalForAll(t.address, True),
        lambda: kit.identity.setApprovalForAll(kit.vault.address, True),
    ):
        with boa.env.prank(kit.operator):
            approve()
        assert t.operator_wallet() == ZERO
        with boa.env.prank(kit.operator), boa.reverts("trust: agent has authorised the trust contract"):
            t.finalize_epoch(1)
        with boa.env.prank(kit.operator):
            kit.identity.approve(ZERO, kit.agent_id)
            kit.identity.setApprovalForAll(t.address, False)
            kit.identity.setApprovalForAll(kit.vault.address, False)
    assert t.operator_wallet() == kit.operator
    with boa.env.prank(kit.stranger):
        t.finalize_epoch(1)
    t.finalize_epoch(2)
    assert kit.summary(t) == (3, 8_333, 2)


def test_f2_gas_floor(kit):
    """F2: below FEEDBACK_GAS * 64 / 63 + 30,000 the call reverts instead of starving the post."""
    t = kit.open()
    kit.funded_attested(t, 0)
    with boa.reverts("trust: gas below the feedback floor"):
        t.finalize_epoch(0, gas=FEEDBACK_FLOOR)
    assert t.finalize_epoch(0, gas=FEEDBACK_FLOOR + 120_000) == 2
    assert t.record(0).feedback == FB_POSTED


def test_refused_uptime_stays_pending_and_post_record_retries(kit):
    """A registry that refuses the post: finalisation stands, feedback PENDING, post_record retries."""
    t = kit.open(reputation=kit.wbtc.address)  # no giveFeedback: every post fails
    kit.funded_attested(t, 0)
    assert t.finalize_epoch(0) == 2
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.value, fb.posted) == (10_000, False)
    assert t.record(0).feedback == FB_PENDING
    with boa.env.prank(kit.stranger):
        assert t.post_record(0) is False
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 10_000, False)
    assert t.record(0).feedback == FB_PENDING
    assert t.record(0).kind == FINALIZED


def test_request_hash_encoding(kit):
    t = kit.open()
    kit.epoch(4, FUNDED, 7 * TH, 300)
    v = kit.validators[1]
    assert t.request_hash(4, v) == request_hash(kit.vault.address, 4, 7 * TH, 300, REPORT_HASH, v)
    assert t.request_hash(5, v) == request_hash(kit.vault.address, 5, 0, 0, b"\x00" * 32, v)


def test_agent_without_wallet_can_still_be_finalised(kit):
    """Unsetting the wallet is no authorisation of the trust: a funded epoch is still finalised and posted."""
    t = kit.open()
    kit.funded_attested(t, 0)
    with boa.env.prank(kit.operator):
        kit.identity.unsetAgentWallet(kit.agent_id)
    assert t.operator_wallet() == ZERO
    assert t.finalize_epoch(0) == 2
    assert t.record(0).feedback == FB_POSTED
