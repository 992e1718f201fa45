"""The operator and pool-watcher agents' pure parts: pool-file parsing, the report hash both sides
compute, the pool watcher's verdicts, and the Python request hash against the trust contract's."""

import pytest

from hashtrust.errors import InputError
from hashtrust.hashrate.operator import PoolEpoch, parse_pool_report, report_hash
from hashtrust.hashrate.pool_watcher import judge
from hashtrust.hashrate.vault import TH, EpochInfo, expected_epoch_gross, request_hash

VAULT = "0x" + "ab" * 20


def info(e, delivered, gross, h):
    return EpochInfo(e, "funded", delivered, gross, 0, 0, 0, 0, h, 0, 0)


def test_pool_file_parses_decimal_ths_and_rejects_junk():
    pool = parse_pool_report({"epochs": {"0": {"delivered_ths": "950.5", "gross_sats": 40000}}})
    assert pool == {0: PoolEpoch(0, 950_500_000_000_000_000_000, 40_000)}
    for bad in ({}, {"epochs": []}, {"epochs": {"x": {"delivered_ths": 1, "gross_sats": 1}}}, {"epochs": {"0": {"gross_sats": 1}}}, {"epochs": {"0": {"delivered_ths": 1, "gross_sats": -1}}}):
        with pytest.raises(InputError):
            parse_pool_report(bad)


def test_report_hash_binds_vault_epoch_and_figures():
    entry = PoolEpoch(3, 900 * TH, 40_000)
    h = report_hash(VAULT, entry)
    assert len(h) == 32 and h == report_hash(VAULT.upper().replace("0X", "0x"), entry)
    assert h != report_hash(VAULT, PoolEpoch(4, 900 * TH, 40_000))
    assert h != report_hash(VAULT, PoolEpoch(3, 901 * TH, 40_000))
    assert h != report_hash("0x" + "cd" * 20, entry)


def reported(e, delivered, gross):
    """An on-chain report whose hash commits to its own figures, as `run_operator` files it."""
    return info(e, delivered, gross, report_hash(VAULT, PoolEpoch(e, delivered, gross)))


def test_pool_watcher_verdicts():
    entry = PoolEpoch(0, 900 * TH, 40_000)
    assert judge(VAULT, reported(0, 900 * TH, 40_000), entry).score == 100
    assert judge(VAULT, reported(0, 800 * TH, 40_000), entry).score == 100  # under-claiming is not a lie
    over = judge(VAULT, reported(0, 1_000 * TH, 40_000), entry)
    assert (over.score, over.reason) == (90, f"delivered {1_000 * TH} above pool {900 * TH}")  # over-claimed by 10 %
    assert judge(VAULT, reported(0, 900 * TH, 40_001), entry).score == 0  # gross differs
    assert judge(VAULT, info(0, 900 * TH, 40_000, b"\x01" * 32), entry).score == 0  # hash commits to nothing reported
    # a hash of other figures (the pool's, another epoch's) than the ones reported on chain
    assert judge(VAULT, info(0, 1_000 * TH, 40_000, report_hash(VAULT, entry)), entry).score == 0
    assert judge(VAULT, info(0, 900 * TH, 40_000, report_hash(VAULT, PoolEpoch(1, 900 * TH, 40_000))), entry).score == 0
    assert judge(VAULT, reported(0, 900 * TH, 40_000), None).score == 0  # epoch not in the pool file


def test_python_request_hash_matches_the_contract(chain, run_epoch, vault, trust, alice, validators):
    """The trust computes the hash (the vault no longer does); it still encodes the vault's
    address, not the trust's, so the SDK and the validators keep it."""
    vault.buy(100 * TH, 2**255, alice, sender=alice)
    run_epoch(0, 90 * TH, 5_000)
    e = vault.epochs(0)
    for who in [alice, *validators]:
        assert request_hash(chain.chain_id, vault.address, 0, e.delivered, e.gross, e.report_hash, who.address) == trust.request_hash(0, who)
    assert request_hash(chain.chain_id, trust.address, 0, e.delivered, e.gross, e.report_hash, alice.address) != trust.request_hash(0, alice)


def test_expected_gross_formula():
    # 1,000 TH/s at difficulty 150e12 and 3.15 BTC per block: ~42.2k sats a day
    assert expected_epoch_gross(1_000 * TH, 150 * 10**12, 315_000_000) == 1_000 * TH * 10**12 * 86_400 * 315_000_000 // (TH * 150 * 10**12 * 2**32)
    assert 42_000 < expected_epoch_gross(1_000 * TH, 150 * 10**12, 315_000_000) < 42_500
    with pytest.raises(InputError):
        expected_epoch_gross(TH, 0, 1)
