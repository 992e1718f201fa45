"""Each settlement rule of docs/design/vault-trust-split.md §4 with its exact sats, on the real
vault + trust (100 TH/s sold, $100k, difficulty 150e12, 3.15 BTC a block, perf 10 %, fee 3,100 per
100 TH/s-day; Nu = 3,802, Nr = 1,012). Every settlement logs the vault's `EpochSettled` and the
trust's `EpochDefaulted`/`EpochCompensated` then `EpochClosed`; the credit reaches the holders."""

import boa
import pytest
from scenario import TH, attest, events, fund, report, settle_until, trust_vault

FINALIZED, UNREPORTED, UNFUNDED, UNATTESTED = 1, 2, 3, 4
NU, NR = 3_802, 1_012


def _of(logs, name, e):
    return [x for x in logs if type(x).__name__ == name and x.epoch == e]


def _check(env, t, e, kind, owed, bond_before):
    """Epoch `e` was settled by the last `settle_due`: events, record, bond, credit (read the logs first)."""
    logs = env.vault.get_logs(strict=False)
    (s,) = _of(logs, "EpochSettled", e)
    (c,) = _of(logs, "EpochClosed", e)
    tr = t.trust
    paid = min(owed, bond_before)
    assert (s.credited, s.record_time) == (paid, env.vault.record_time(e))
    assert (c.kind, c.owed, c.paid, c.supply) == (kind, owed, paid, env.vault.term_supply())
    if kind == FINALIZED:
        (x,) = _of(logs, "EpochCompensated", e)
        assert (x.owed, x.paid) == (owed, paid)
        assert not _of(logs, "EpochDefaulted", e)
    else:
        (x,) = _of(logs, "EpochDefaulted", e)
        assert (x.kind, x.owed, x.paid) == (kind, owed, paid)
        assert not _of(logs, "EpochCompensated", e)
    r = tr.record(e)
    assert (r.kind, r.owed, r.paid, r.settled) == (kind, owed, paid, True)
    assert tr.bond() == bond_before - paid


def test_unreported_owes_nu():
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    bond = t.trust.bond()
    assert t.trust.expected_unreported(0) == NU
    settle_until(env, 0)
    _check(env, t, 0, UNREPORTED, NU, bond)
    assert env.vault.claimable(env.holders[0]) == NU


# G1 (audit5, 9c6a18a): an unfunded report proves no electricity: max(e.net, Nu), not max(e.net, Nr)
@pytest.mark.parametrize("gross, owed", [(8_000, 4_410), (0, NU), (4_224, NU)])
def test_reported_unfunded_owes_max_of_its_net_and_nu(gross, owed):
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    report(env, 0, 100 * TH, gross)
    bond = t.trust.bond()
    settle_until(env, 0)
    _check(env, t, 0, UNFUNDED, owed, bond)
    assert env.vault.record_time(0) == env.vault.report_deadline(0)


@pytest.mark.parametrize("gross, owed", [(2_000, NU), (6_000, NU - 2_610), (100_000, 0)])
def test_funded_unattested_owes_nu_less_its_net(gross, owed):
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    report(env, 0, 100 * TH, gross)
    fund(env, 0)
    bond = t.trust.bond()
    settle_until(env, 0)
    _check(env, t, 0, UNATTESTED, owed, bond)
    assert env.vault.record_time(0) == env.vault.attest_deadline(0)


@pytest.mark.parametrize("delivered_ths, owed", [(100, 0), (10, NR * 90 // 100), (0, NR), (99, NR * 1 // 100)])
def test_finalised_owes_the_undelivered_share_of_nr(delivered_ths, owed):
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    # the FPPS gross of the delivered hashrate at the binding value (42,244 msat/TH/s/day): no gross
    # shortfall (issue 16; 4,224 * 99 // 100 = 4,181 would be 1 sat short of FPPS's 4,182)
    report(env, 0, delivered_ths * TH, 42_244 * delivered_ths // 1_000)
    fund(env, 0)
    attest(env, t, 0)
    assert t.trust.finalize_epoch(0) == 2
    bond = t.trust.bond()
    settle_until(env, 0)
    _check(env, t, 0, FINALIZED, owed, bond)


def test_bond_pays_what_it_has_then_nothing():
    # 29,572 sats cover 100 TH/s for 7 epochs at the hashprice gross (G6, c164b01: 7 x 4,224.48)
    env, t = trust_vault(holdings=(100,), bond=29_572, n_epochs=9)
    tr = t.trust
    assert tr.coverage_bps() == 29_572 * 10_000 // (7 * 4_224)
    settle_until(env, 8)
    got = [(x.epoch, x.credited) for x in events(env.vault, "EpochSettled")]
    assert got == [(e, NU) for e in range(7)] + [(7, 29_572 - 7 * NU), (8, 0)]
    assert [(tr.record(e).owed, tr.record(e).paid) for e in (7, 8)] == [(NU, 2_958), (NU, 0)]
    assert tr.bond() == 0 and tr.coverage_bps() == 0
    assert env.vault.claimable(env.holders[0]) == 29_572


def test_settle_is_the_vaults_alone():
    env, t = trust_vault(holdings=(100,), n_epochs=1)
    for who in (env.admin, env.operator, env.holders[0]):
        with boa.env.prank(who), boa.reverts("trust: caller is not the vault"):
            t.trust.settle(0, True)


def test_honest_reporting_dominates():
    """Not reporting costs Nu, reporting 0 delivered costs Nr, truthful full delivery costs 0."""
    costs = {}
    for case in ("silent", "zero", "full"):
        env, t = trust_vault(holdings=(100,), n_epochs=1)
        bond = t.trust.bond()
        if case != "silent":
            d = 0 if case == "zero" else 100 * TH
            report(env, 0, d, 0 if case == "zero" else 4_224)
            fund(env, 0)
            attest(env, t, 0)
            t.trust.finalize_epoch(0)
        settle_until(env, 0)
        costs[case] = bond - t.trust.bond()
    assert costs == {"silent": NU, "zero": NR, "full": 0}
