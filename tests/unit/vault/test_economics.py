"""The mining-economics functions against Bitcoin's own rules and published hashprice figures."""

import pytest

from hashtrust.hashrate import economics as ec


def test_block_subsidy_halvings():
    assert ec.block_subsidy_sats(0) == 5_000_000_000
    assert ec.block_subsidy_sats(209_999) == 5_000_000_000
    assert ec.block_subsidy_sats(210_000) == 2_500_000_000
    assert ec.block_subsidy_sats(840_000) == 312_500_000  # 3.125 BTC since April 2024
    assert ec.block_subsidy_sats(64 * 210_000) == 0
    with pytest.raises(ValueError):
        ec.block_subsidy_sats(-1)


def test_network_hashrate_and_sats_per_th_day():
    assert ec.network_hashrate_ths(150e12) == pytest.approx(1.0737e9, rel=1e-4)  # ~1.07 ZH/s
    # research brief: D=150T with 0.02 BTC fees per block -> 42.18 sats/TH/day
    assert ec.sats_per_th_day(150e12, 312_500_000, 2_000_000) == pytest.approx(42.18, abs=0.01)
    # same as 144 blocks/day * reward / network TH/s
    assert ec.sats_per_th_day(150e12, 312_500_000, 2_000_000) == pytest.approx(144 * 314_500_000 / ec.network_hashrate_ths(150e12))
    with pytest.raises(ValueError):
        ec.sats_per_th_day(0, 1, 1)


def test_hashprice_matches_luxor_order():
    # D=152T at $91k: $37.9/PH/day (Luxor published $38.2 for the same conditions)
    assert ec.hashprice_usd_per_ph_day(152e12, 91_000, 0.02, 880_000) == pytest.approx(37.9, abs=0.05)


def test_retarget_clamped():
    two_weeks = ec.RETARGET_TIMESPAN_S
    assert ec.retarget(1_000, two_weeks) == 1_000
    assert ec.retarget(1_000, two_weeks // 2) == 2_000
    assert ec.retarget(1_000, 1) == 4_000  # clamped at 4x
    assert ec.retarget(1_000, two_weeks * 100) == 250  # clamped at 1/4
    assert ec.retarget(100.0, two_weeks * 2) == pytest.approx(50.0)
    with pytest.raises(ValueError):
        ec.retarget(1, 0)


def test_fee_split_rounding_and_caps():
    p = ec.FeeParams.from_usd(17.5, 0.05, 0.01, 10)
    assert p == ec.FeeParams(17_500, 50_000, 10_000, 1_000)
    assert ec.fee_split(100 * ec.TH, 4_000, p, 100_000 * 10**8) == (3_100, 90, 810)
    assert ec.fee_split(100 * ec.TH, 1_000, p, 100_000 * 10**8) == (1_000, 0, 0)  # fee capped at gross
    with pytest.raises(ValueError):
        ec.fee_split(1, 1, p, -1)  # a feed answer is never negative
    assert ec.preview_buy(1, 15_000_000) == 1 and ec.preview_buy(ec.TH, 15_000_000) == 15_000_000


def test_fee_split_without_a_price_charges_perf_only_as_the_vault():
    """The vault's `split_of(e, d, g, 0)` (a stale round: no electricity/maintenance, perf still;
    vault_contract/test_vc_params.py asserts (0, 10,000, 90,000)): the SDK mirror agrees."""
    p = ec.FeeParams.from_usd(17.5, 0.05, 0.01, 10)
    assert ec.fee_split(400 * ec.TH, 100_000, p, 0) == (0, 10_000, 90_000)


def test_hashprice_figures_of_the_trust_split_design():
    """docs/design/vault-trust-split.md §4: per 100 TH/s at difficulty 150e12 and 3.15 BTC a block,
    not reporting costs Nu = 3,802 sats (no electricity), reporting 0 delivered costs Nr = 1,012.
    Since issue 16 the gross is priced at the binding value HP_BINDING = 42,244 msat/TH/s/day (the
    index's unit and rounding: docs/design/vault-reads-the-index.md §1)."""
    from hashtrust.hashrate.vault import expected_epoch_gross

    p = ec.FeeParams.from_usd(17.5, 0.05, 0.01, 10)
    g = expected_epoch_gross(100 * ec.TH, 150 * 10**12, 315_000_000)
    assert g == 4_224
    assert g - g * p.perf_bps // ec.MAX_BPS == 3_802  # Nu
    assert ec.fee_split(100 * ec.TH, g, p, 100_000 * 10**8) == (3_100, 112, 1_012)  # Nr
    # devnet: G(10,000 TH/s) = 422,440 a day at the binding value (7 epochs: the required bond
    # 2,957,080), Nu = 380,196
    assert ec.binding_value(150 * 10**12, 315_000_000) == 42_244
    g10k = expected_epoch_gross(10_000 * ec.TH, 150 * 10**12, 315_000_000)
    assert (g10k, g10k - g10k * p.perf_bps // ec.MAX_BPS, 7 * g10k) == (422_440, 380_196, 2_957_080)


def test_ledger_streams_and_keeps_zero_supply_rewards():
    lg = ec.RewardLedger()
    lg.notify(1_000, 0)  # nobody holds (and, the sale being over, nobody can buy in)
    lg.update_global(ec.DAY_S)
    assert lg.unallocated == (1_000 * ec.STREAM // ec.DAY_S) * ec.DAY_S and lg.rps == 0
    lg.notify(0, ec.DAY_S)  # the next notification streams what went to nobody again, nothing lost
    assert lg.unallocated == 0 and lg.unstreamed == 1_000 * ec.STREAM and lg.period_finish == 2 * ec.DAY_S


def test_ledger_rounds_once_at_claim():
    lg = ec.RewardLedger()
    lg.buy("a", ec.TH, 0)
    lg.buy("b", 9_999 * ec.TH, 0)
    lg.notify(620_000, 0)  # "a" earns 62 sats over the day, under a sat per 15 minutes
    for t in range(900, ec.DAY_S + 900, 900):
        lg.checkpoint("a", t)  # anyone checkpointing "a" rounds nothing away
    assert lg.claim("a", ec.DAY_S + 1) == 61  # 61.99...: floored once, at claim
    assert 0 < lg.accrued["a"] < ec.ACC  # the fraction stays the holder's


def test_simulate_epochs_year():
    days = ec.random_days(365, seed=7)
    res = ec.simulate_epochs(days, {"a": 3 * ec.TH, "b": ec.TH}, ec.FeeParams())
    assert len(res.epochs) == 365
    assert all(e.gross == e.fee + e.perf + e.net and e.fee <= e.gross for e in res.epochs)
    assert res.net_sats - 2 <= sum(res.sats_by_holder.values()) <= res.net_sats
    assert res.sats_by_holder["a"] // 3 - 1 <= res.sats_by_holder["b"] <= res.sats_by_holder["a"] // 3 + 1
