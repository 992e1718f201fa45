"""VaultTrust.settle: each rule of the design's §4 table with exact sats (100 TH/s sold: gross 4,224,
Nu 3,802, Nr 1,012), the bond cap, the record, the events and the default feedback."""

import boa
import pytest
from trust_kit import (
    BTC_USD,
    FB_NONE,
    FB_PENDING,
    FB_POSTED,
    FINALIZED,
    FUNDED,
    GROSS_100,
    NR_100,
    NU_100,
    REPORTED,
    SUPPLY,
    TH,
    UNATTESTED,
    UNFUNDED,
    UNREPORTED,
    default_hash,
    events,
    feedback_hashes,
    gross,
    nu,
    split,
)


def _settle(kit, t, e, post=True):
    paid = kit.vault.do_settle(e, post)
    return paid


def _closed(kit):
    (c,) = events(kit.vault, "EpochClosed")
    return c


def test_figures_of_the_devnet():
    assert gross(SUPPLY) == GROSS_100 == 4_224
    assert nu(SUPPLY) == NU_100 == 3_802
    assert split(SUPPLY, GROSS_100, BTC_USD) == (3_100, 112, NR_100)


def test_only_the_vault(kit):
    t = kit.open()
    with boa.reverts("trust: caller is not the vault"):
        t.settle(0, True)
    with boa.env.prank(kit.operator), boa.reverts("trust: caller is not the vault"):
        t.settle(0, False)


def test_epoch_after_term_end(kit):
    t = kit.open()
    with boa.reverts("trust: epoch after term end"):
        kit.vault.do_settle(10, True)


def test_unreported_owes_nu(kit):
    """F4: Nu(e) = 3,802 whatever the feed or the params do later; F3: uptime 0 posted."""
    t = kit.open()
    bond = t.bond()
    assert t.expected_unreported(0) == NU_100
    # the version in force at the epoch's end prices it, not the params of the moment
    kit.vault.set_params_of(0, kit.params(perf_bps=1_000))
    kit.vault.set_params(kit.params(perf_bps=5_000))
    assert t.expected_unreported(0) == NU_100
    vault_before = kit.wbtc.balanceOf(kit.vault.address)
    assert _settle(kit, t, 0) == NU_100
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.epoch, d.kind, d.owed, d.paid) == (0, UNREPORTED, NU_100, NU_100)
    assert not events(kit.vault, "EpochCompensated")
    c = _closed(kit)
    assert (c.epoch, c.kind, c.delivered, c.supply, c.attestations, c.owed, c.paid, c.feedback) == (0, UNREPORTED, 0, SUPPLY, 0, NU_100, NU_100, FB_POSTED)
    (fb,) = events(kit.vault, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 0, True)
    assert t.bond() == bond - NU_100
    assert kit.wbtc.balanceOf(kit.vault.address) - vault_before == NU_100
    assert kit.wbtc.balanceOf(t.address) == bond - NU_100
    r = t.record(0)
    assert (r.kind, r.attestations, r.uptime_bps, r.owed, r.paid, r.feedback, r.settled) == (UNREPORTED, 0, 0, NU_100, NU_100, FB_POSTED, True)
    # the registry holds the default: uptime 0 for epoch 0, hash of (kind, owed, paid)
    value, decimals, tag1, tag2, revoked = kit.reputation.readFeedback(kit.agent_id, t.address, 1)
    assert (value, decimals, tag1, tag2, revoked) == (0, 2, "uptime", "epoch-0", False)
    assert kit.summary(t) == (1, 0, 2)
    assert feedback_hashes(kit.vault, kit.reputation) == [default_hash(UNREPORTED, NU_100, NU_100)]


def test_unreported_uses_the_params_in_force_at_the_epoch_end(kit):
    t = kit.open()
    kit.vault.set_params_of(1, kit.params(perf_bps=2_000))
    assert t.expected_unreported(1) == nu(SUPPLY, 2_000) == 4_224 - 844
    assert _settle(kit, t, 1) == 3_380


def test_reported_unfunded_owes_its_own_net(kit):
    """F10: reported gross 8,000 (net 4,410), never funded: owes max(4,410, Nu 3,802) = 4,410."""
    t = kit.open()
    net = kit.epoch(0, REPORTED, SUPPLY, 8_000)
    assert net == 4_410
    assert t.expected_reported(0) == NR_100
    assert _settle(kit, t, 0) == 4_410
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.kind, d.owed, d.paid) == (UNFUNDED, 4_410, 4_410)
    c = _closed(kit)
    assert (c.kind, c.delivered, c.owed, c.paid, c.feedback) == (UNFUNDED, SUPPLY, 4_410, 4_410, FB_POSTED)


def test_reported_unfunded_owes_at_least_nu(kit):
    """G1: an under-report (gross 100, delivered 0) never funded owes Nu = 3,802 (the old rule's
    Nr floor was 1,012: an unfunded report proves no electricity, like no report)."""
    t = kit.open()
    assert kit.epoch(0, REPORTED, 0, 100) == 90
    assert _settle(kit, t, 0) == NU_100
    r = t.record(0)
    assert (r.kind, r.owed, r.paid) == (UNFUNDED, NU_100, NU_100)


@pytest.mark.parametrize("btc_usd", [BTC_USD, BTC_USD // 5])
def test_reported_unfunded_fake_full_delivery_owes_nu_at_any_price(kit, btc_usd):
    """G1: `delivered = S, gross = 0`, never funded, owes Nu whatever the reported BTC/USD (at $20k
    the electricity exceeds the gross and the old `Nr` floor was 0)."""
    t = kit.open()
    assert kit.epoch(0, REPORTED, SUPPLY, 0, btc_usd=btc_usd) == 0
    assert t.expected_reported(0) == (NR_100 if btc_usd == BTC_USD else 0)
    assert _settle(kit, t, 0) == NU_100
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.kind, d.owed, d.paid) == (UNFUNDED, NU_100, NU_100)


def test_reported_unfunded_at_a_stale_price_has_no_electricity(kit):
    t = kit.open()
    kit.epoch(0, REPORTED, SUPPLY, 100, btc_usd=0)
    assert t.expected_reported(0) == NU_100
    assert _settle(kit, t, 0) == NU_100


def test_funded_never_attested_owes_nu_less_streamed(kit):
    t = kit.open()
    net = kit.epoch(0, FUNDED, 10 * TH, GROSS_100 // 10)
    assert net == 101
    assert _settle(kit, t, 0) == NU_100 - 101 == 3_701
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.kind, d.owed, d.paid) == (UNATTESTED, 3_701, 3_701)
    assert _closed(kit).feedback == FB_POSTED


def test_funded_never_attested_above_nu_owes_zero_but_defaults(kit):
    t = kit.open()
    bond = t.bond()
    kit.epoch(0, FUNDED, SUPPLY, 100_000)
    assert _settle(kit, t, 0) == 0
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.kind, d.owed, d.paid) == (UNATTESTED, 0, 0)
    assert t.bond() == bond
    assert kit.summary(t) == (1, 0, 2)  # still a default in the reputation


def test_finalised_under_delivery_is_compensated(kit):
    """F12: 10 of 100 TH/s delivered, attested, finalised: owes 1,012 * 90 / 100 = 910; holders get 101 + 910."""
    t = kit.open()
    net = kit.funded_attested(t, 0, 10 * TH, GROSS_100 // 10)
    assert t.finalize_epoch(0) == 2
    bond = t.bond()
    assert _settle(kit, t, 0) == 910
    assert net + 910 == 1_011  # of 1,012 (rounding)
    assert not events(kit.vault, "EpochDefaulted")
    (comp,) = events(kit.vault, "EpochCompensated")
    assert (comp.epoch, comp.owed, comp.paid) == (0, 910, 910)
    c = _closed(kit)
    assert (c.kind, c.delivered, c.supply, c.attestations, c.owed, c.paid, c.feedback) == (FINALIZED, 10 * TH, SUPPLY, 2, 910, 910, FB_POSTED)
    assert not events(kit.vault, "FeedbackPosted")  # the uptime was posted at finalisation
    assert t.bond() == bond - 910
    r = t.record(0)
    assert (r.kind, r.attestations, r.uptime_bps, r.owed, r.paid, r.feedback, r.settled) == (FINALIZED, 2, 1_000, 910, 910, FB_POSTED, True)
    assert kit.summary(t) == (1, 1_000, 2)


def test_zero_delivery_pays_full_expected(kit):
    t = kit.open()
    kit.funded_attested(t, 0, 0, 0)
    t.finalize_epoch(0)
    assert _settle(kit, t, 0) == NR_100


def test_full_delivery_owes_nothing(kit):
    t = kit.open()
    kit.funded_attested(t, 0)
    t.finalize_epoch(0)
    bond = t.bond()
    assert _settle(kit, t, 0) == 0
    (comp,) = events(kit.vault, "EpochCompensated")
    assert (comp.owed, comp.paid) == (0, 0)
    assert t.bond() == bond


def test_bond_caps_what_is_paid(kit):
    t = kit.open(bond=1_000)
    assert _settle(kit, t, 0) == 1_000
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.owed, d.paid) == (NU_100, 1_000)
    assert t.bond() == 0
    assert _settle(kit, t, 1) == 0
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.owed, d.paid) == (NU_100, 0)
    r = t.record(1)
    assert (r.owed, r.paid, r.settled) == (NU_100, 0, True)
    # the feedback hash records the unpaid claim
    assert feedback_hashes(kit.vault, kit.reputation) == [default_hash(UNREPORTED, NU_100, 0)]


def test_settle_twice_reverts(kit):
    t = kit.open()
    _settle(kit, t, 0)
    with boa.reverts("trust: epoch already settled"):
        _settle(kit, t, 0)
    with boa.reverts("trust: epoch already settled"):
        _settle(kit, t, 0, post=False)


def test_no_supply_owes_nothing(kit):
    t = kit.open(supply=0)
    assert _settle(kit, t, 0) == 0
    kit.funded_attested(t, 1, 0, 0)
    t.finalize_epoch(1)
    assert _settle(kit, t, 1) == 0


def test_huge_unfunded_report_is_clamped_not_stuck(kit):
    """A report of an absurd gross never funded must not brick the settlement (owed kept in 64 bits)."""
    t = kit.open()
    kit.vault.set_epoch(0, (REPORTED, SUPPLY, 10**30, 0, 0, 10**30, BTC_USD, b"\x42" * 32, SUPPLY))
    bond = t.bond()
    assert _settle(kit, t, 0) == bond
    assert t.record(0).owed == 2**64 - 1


@pytest.mark.parametrize("post", [False, True])
def test_default_feedback_pending_without_post(kit, post):
    t = kit.open()
    _settle(kit, t, 0, post=post)
    r = t.record(0)
    if post:
        assert r.feedback == FB_POSTED
        with boa.reverts("trust: no feedback pending"):
            t.post_record(0)
        return
    assert r.feedback == FB_PENDING
    assert not events(kit.vault, "FeedbackPosted")
    assert _closed(kit).feedback == FB_PENDING
    assert kit.summary(t) == (0, 0, 0)
    with boa.env.prank(kit.stranger):
        assert t.post_record(0) is True
    (fb,) = events(t, "FeedbackPosted")
    assert (fb.epoch, fb.value, fb.posted) == (0, 0, True)
    assert t.record(0).feedback == FB_POSTED
    assert kit.summary(t) == (1, 0, 2)
    with boa.reverts("trust: no feedback pending"):
        t.post_record(0)


def test_post_record_nothing_pending(kit):
    t = kit.open()
    with boa.reverts("trust: no feedback pending"):
        t.post_record(3)
    assert t.record(3).feedback == FB_NONE


def test_refused_default_feedback_stays_pending_and_is_retried(kit):
    """F1 at settlement: the agent authorises the trust (the registry would refuse): H1, the settlement
    does not try and queues the default; `post_record` (refused meanwhile) posts after the revoke."""
    t = kit.open()
    with boa.env.prank(kit.operator):
        kit.identity.approve(t.address, kit.agent_id)
    assert t.operator_wallet() == "0x0000000000000000000000000000000000000000"
    _settle(kit, t, 0)
    assert not events(kit.vault, "FeedbackPosted")
    assert [(q.head, q.tail) for q in events(kit.vault, "FeedbackQueue")] == [(0, 1)]
    assert _closed(kit).feedback == FB_PENDING
    assert t.record(0).feedback == FB_PENDING
    assert t.pending_feedback() == (0, 1)
    assert t.post_record(0) is False  # still refused: stays pending, no revert
    (fb,) = events(t, "FeedbackPosted")
    assert fb.posted is False
    assert t.record(0).feedback == FB_PENDING
    with boa.env.prank(kit.operator):
        kit.identity.approve("0x0000000000000000000000000000000000000000", kit.agent_id)
    with boa.env.prank(kit.stranger):
        assert t.post_record(0) is True
    assert t.record(0).feedback == FB_POSTED
    assert kit.summary(t) == (1, 0, 2)
    # the queue drops it as already posted, without a second post
    assert t.post_pending(64) == 1
    assert not events(t, "FeedbackPosted")
    assert [(q.head, q.tail) for q in events(t, "FeedbackQueue")] == [(1, 1)]
    assert kit.summary(t) == (1, 0, 2)


def test_settle_post_needs_the_gas_floor(kit):
    t = kit.open()
    with boa.reverts("trust: gas below the feedback floor"):
        kit.vault.do_settle(0, True, gas=300_000)
    # without a post, settle needs no floor
    kit.vault.do_settle(0, False, gas=300_000)
    assert t.record(0).settled


def test_settle_with_post_retries_a_refused_finalised_feedback(kit):
    t = kit.open(reputation=kit.wbtc.address)  # a "registry" that refuses every post
    kit.funded_attested(t, 0)
    t.finalize_epoch(0)
    assert t.record(0).feedback == FB_PENDING
    _settle(kit, t, 0)
    (fb,) = events(kit.vault, "FeedbackPosted")
    assert (fb.value, fb.posted) == (10_000, False)
    assert t.record(0).feedback == FB_PENDING


def test_post_record_needs_the_gas_floor(kit):
    t = kit.open()
    kit.vault.do_settle(0, False)
    with boa.reverts("trust: gas below the feedback floor"):
        t.post_record(0, gas=300_000)
    assert t.record(0).feedback == FB_PENDING
