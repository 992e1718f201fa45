"""Issue 16 item 4 (docs/design/vault-reads-the-index.md): the trust prices every epoch from the
hashprice index of its UTC day(s), time-weighted; a day not final at the record time takes the latest
final value before it, floored at the binding value (never blocked); the bond is sized at
max(binding, latest); a finalised epoch's gross is checked against FPPS at the index (1 - pool fee),
the shortfall owed from the bond. Index: contracts/mocks/MockHashpriceIndex.vy."""

import boa
import pytest
from trust_kit import (
    BINDING,
    BTC_USD,
    CAPACITY,
    DAY,
    FINALIZED,
    FUNDED,
    REPORTED,
    SUPPLY,
    TH,
    UNATTESTED,
    UNFUNDED,
    UNREPORTED,
    ZERO,
    events,
    gross,
    gross_w,
    nu,
    split,
)

REF = 10**6 * TH


def _days(kit, e: int = 0):
    """(first UTC day of epoch e, its seconds on that day) from the mock vault's term start."""
    s = kit.vault.TERM_START() + e * DAY
    d0 = s // DAY
    return d0, min(DAY * (d0 + 1) - s, DAY)


def _nu_w(w: int, perf_bps: int = 1_000) -> int:
    g = gross_w(SUPPLY, w)
    return g - g * perf_bps // 10_000


def _priced(kit):
    (p,) = events(kit.vault, "EpochPriced")
    return p.epoch, p.day, p.value0, p.value1, p.final


# ---------------------------------------------------------------- terms


def test_binding_value_and_index_terms(kit):
    t = kit.deploy_trust(pool_fee_bps=250)
    (terms,) = events(t, "TermsFixed")
    assert (terms.index, terms.pool_fee_bps, terms.binding_value) == (kit.index.address, 250, BINDING)
    assert BINDING == 42_244 and t.HP_BINDING() == BINDING
    assert (t.INDEX(), t.POOL_FEE_BPS()) == (kit.index.address, 250)


def test_zero_index_refused(kit):
    with boa.reverts("trust: zero index"):
        kit.deploy_trust(index=ZERO)


def test_pool_fee_above_ten_percent_refused(kit):
    with boa.reverts("trust: pool fee above 10%"):
        kit.deploy_trust(pool_fee_bps=1_001)
    assert kit.deploy_trust(pool_fee_bps=1_000).POOL_FEE_BPS() == 1_000


def test_kit_epoch_spans_two_days(kit):
    """The kit's term does not start at midnight: epoch 0 meets two UTC days."""
    d0, a = _days(kit)
    assert 0 < a < DAY


# ---------------------------------------------------------------- default pricing


def test_unreported_priced_by_its_two_days(kit):
    t = kit.open()
    d0, a = _days(kit)
    kit.index.set_day(d0, 40_000)
    kit.index.set_day(d0 + 1, 50_000)
    w = a * 40_000 + (DAY - a) * 50_000
    want = _nu_w(w)
    assert t.epoch_value(0) == (d0, 40_000, 50_000, True)
    assert t.expected_unreported(0) == want
    assert kit.vault.do_settle(0, True) == want
    assert _priced(kit) == (0, d0, 40_000, 50_000, True)
    (d,) = events(kit.vault, "EpochDefaulted")
    assert (d.kind, d.owed, d.paid) == (UNREPORTED, want, want)
    assert t.record(0).owed == want


def test_a_final_day_below_the_binding_value_counts(kit):
    """Final values are the truth, also below the binding figures (the floor is only for late days)."""
    t = kit.open()
    d0, a = _days(kit)
    kit.index.set_day(d0, 20_000)
    kit.index.set_day(d0 + 1, 20_000)
    assert kit.vault.do_settle(0, True) == _nu_w(DAY * 20_000)
    assert _nu_w(DAY * 20_000) < nu(SUPPLY)


def test_day_aligned_epoch_reads_one_day(kit):
    """An epoch that starts at midnight reads one day: value1 0, no second call."""
    from trust_kit import GRACE, N_EPOCHS, PARAMS, load

    ts = (boa.env.timestamp // DAY + 2) * DAY
    vault = load("mocks/MockTrustVault", kit.wbtc.address, ts, N_EPOCHS, GRACE, CAPACITY, (*PARAMS, kit.fee_recipient))
    vault.set_roles(kit.admin, kit.guardian, kit.treasury)
    kit.vault = vault
    t = kit.open()
    d0 = ts // DAY
    kit.index.set_day(d0 + 3, 30_000)
    assert t.epoch_value(3) == (d0 + 3, 30_000, 0, True)
    assert vault.do_settle(3, True) == _nu_w(DAY * 30_000)


def test_late_second_day_takes_the_latest_final_floored(kit):
    """Day d0 final at 40,000, d0 + 1 late: the latest final (d0, 40,000) is below the binding value,
    so d0 + 1 is priced at 42,244; never blocked."""
    t = kit.open()
    d0, a = _days(kit)
    kit.index.set_day(d0, 40_000)
    assert t.epoch_value(0) == (d0, 40_000, BINDING, False)
    want = _nu_w(a * 40_000 + (DAY - a) * BINDING)
    assert kit.vault.do_settle(0, True) == want
    assert _priced(kit) == (0, d0, 40_000, BINDING, False)


def test_late_day_takes_a_latest_above_the_binding_value(kit):
    t = kit.open()
    d0, a = _days(kit)
    kit.index.set_day(d0, 60_000)
    assert t.epoch_value(0) == (d0, 60_000, 60_000, False)
    assert kit.vault.do_settle(0, True) == _nu_w(DAY * 60_000)


def test_no_final_value_before_the_day_takes_the_binding_value(kit):
    """The index's latest is after the epoch's days (they precede its first day): binding value."""
    t = kit.open()
    d0, a = _days(kit)
    kit.index.set_latest(d0 + 5, 90_000)
    assert t.epoch_value(0) == (d0, BINDING, BINDING, False)
    assert kit.vault.do_settle(0, True) == nu(SUPPLY)


def test_empty_index_is_the_binding_figures(kit):
    t = kit.open()
    assert t.epoch_value(0)[1:] == (BINDING, BINDING, False)
    assert kit.vault.do_settle(0, True) == nu(SUPPLY) == 3_802


def test_unfunded_and_unattested_read_the_index(kit):
    t = kit.open()
    d0, a = _days(kit)
    for d in range(d0, d0 + 3):
        kit.index.set_day(d, 80_000)
    nu80 = _nu_w(DAY * 80_000)
    net = kit.epoch(0, REPORTED, SUPPLY, 4_224)
    assert kit.vault.do_settle(0, True) == max(net, nu80) == nu80
    assert t.record(0).kind == UNFUNDED
    net = kit.epoch(1, FUNDED, SUPPLY, 4_224)
    assert kit.vault.do_settle(1, True) == nu80 - net
    assert t.record(1).kind == UNATTESTED


# ---------------------------------------------------------------- bond sizing


def test_bond_sized_at_the_higher_of_binding_and_latest(kit):
    t = kit.open(bond=1_000_000, supply=SUPPLY)
    assert t.required_bond() == 2_957_080
    kit.index.set_day(1, 2 * BINDING)  # a rise after binding
    per_ref = 7 * gross(REF, 2 * BINDING)
    assert t.required_bond() == (per_ref * CAPACITY + REF - 1) // REF == 2 * 2_957_080
    assert t.coverable_shares() == 1_000_000 * REF // per_ref
    assert t.coverage_bps() == 1_000_000 * 10_000 // (7 * gross(SUPPLY, 2 * BINDING))
    kit.index.set_day(2, BINDING // 2)  # a fall never shrinks it below the terms
    assert t.required_bond() == 2_957_080


# ---------------------------------------------------------------- the gross check


def _finalised(kit, t, delivered, g):
    net = kit.funded_attested(t, 0, delivered, g)
    assert t.finalize_epoch(0) == 2
    return net


def test_gross_below_fpps_owes_the_shortfall(kit):
    """Full delivery at an index of 60,000 with a 2 % pool fee: FPPS pays 5,880; the operator reported
    (and funded) the binding 4,224: the net difference is owed from the bond."""
    t = kit.open(pool_fee_bps=200)
    d0, a = _days(kit)
    kit.index.set_day(d0, 60_000)
    kit.index.set_day(d0 + 1, 60_000)
    net = _finalised(kit, t, SUPPLY, 4_224)
    fpps = gross(SUPPLY, 60_000)
    fpps -= fpps * 200 // 10_000
    assert fpps == 5_880
    want = split(SUPPLY, fpps, BTC_USD)[2] - net
    assert want > 0
    assert kit.vault.do_settle(0, True) == want
    (gc,) = events(kit.vault, "GrossChecked")
    assert (gc.epoch, gc.reported, gc.expected, gc.shortfall) == (0, 4_224, fpps, want)
    (comp,) = events(kit.vault, "EpochCompensated")
    assert (comp.owed, comp.paid) == (want, want)
    assert t.record(0).kind == FINALIZED and t.record(0).owed == want


def test_gross_at_or_above_fpps_owes_nothing(kit):
    t = kit.open(pool_fee_bps=200)
    d0, a = _days(kit)
    kit.index.set_day(d0, 42_244)
    kit.index.set_day(d0 + 1, 42_244)
    _finalised(kit, t, SUPPLY, 4_224)
    assert kit.vault.do_settle(0, True) == 0
    (gc,) = events(kit.vault, "GrossChecked")
    assert (gc.reported, gc.expected, gc.shortfall) == (4_224, 4_224 - 4_224 * 200 // 10_000, 0)


def test_partial_delivery_owes_undelivered_share_plus_shortfall(kit):
    """50 of 100 TH/s at an index of 60,000, pool fee 0, reported gross 1,000 (FPPS pays 3,000 for
    50 TH/s): the undelivered half of Nr plus the net shortfall of the delivered half."""
    t = kit.open()
    d0, a = _days(kit)
    kit.index.set_day(d0, 60_000)
    kit.index.set_day(d0 + 1, 60_000)
    net = _finalised(kit, t, 50 * TH, 1_000)
    nr = split(SUPPLY, gross(SUPPLY, 60_000), BTC_USD)[2]
    undelivered = nr * 50 // 100
    fpps = gross(50 * TH, 60_000)
    assert fpps == 3_000
    short = split(50 * TH, fpps, BTC_USD)[2] - net
    assert kit.vault.do_settle(0, True) == undelivered + short
    (gc,) = events(kit.vault, "GrossChecked")
    assert gc.shortfall == short


def test_the_shortfall_is_capped_by_the_bond(kit):
    t = kit.open(bond=100)
    d0, a = _days(kit)
    kit.index.set_day(d0, 100_000)
    kit.index.set_day(d0 + 1, 100_000)
    _finalised(kit, t, SUPPLY, 4_224)
    assert kit.vault.do_settle(0, True) == 100
    (comp,) = events(kit.vault, "EpochCompensated")
    assert comp.owed > 100 and comp.paid == 100
    assert t.bond() == 0


def test_epoch_longer_than_a_day_refused(kit):
    """`_priced` splits an epoch over at most two UTC days: a vault whose EPOCH exceeds a day is refused."""
    from trust_kit import C, GRACE, N_EPOCHS, PARAMS

    src = (C / "mocks" / "MockTrustVault.vy").read_text().replace("EPOCH: public(constant(uint256)) = 86_400", "EPOCH: public(constant(uint256)) = 86_401")
    assert "86_401" in src
    two_day = boa.loads_partial(src, name="MockTrustVault2", filename=str(C / "mocks" / "MockTrustVault2.vy"))
    vault = two_day.deploy(kit.wbtc.address, boa.env.timestamp + DAY, N_EPOCHS, GRACE, CAPACITY, (*PARAMS, kit.fee_recipient))
    vault.set_roles(kit.admin, kit.guardian, kit.treasury)
    kit.vault = vault
    with boa.reverts("trust: epoch longer than a day"):
        kit.deploy_trust()
