"""The vault verbs both command lines print (`hashtrust.vault.VaultCommands`, behind `hashtrust
vault ...` and `ape run vault ...`): alice buys, carol reports from her pool file and funds, a
second report or fund of the same epoch only says it is done, funding an unreported epoch is an
input error, alice claims, and the status shows her position, the feed's price and the bond."""

import hashlib

import pytest
from vault_setup import BTC_USD, PRICE_PER_TH

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.errors import InputError
from hashtrust.hashrate.vault import HashrateVaultClient, VaultCommands


def commands(w3, vault, who):
    return VaultCommands(HashrateVaultClient(w3, vault.address, TxSender(w3, LocalSigner.from_key(who.private_key))))


def test_buy_report_fund_claim_status(w3, vault, feed, deployer, alice, operator, warp, tmp_path):
    mine, op = commands(w3, vault, alice), commands(w3, vault, operator)
    assert mine.buy("25") == f"bought 25 TH/s for {25 * PRICE_PER_TH} payment units -> {alice.address}"

    warp(vault.epoch_end(0) + 60)
    feed.set_price(BTC_USD, sender=deployer)
    pool = tmp_path / "pool-epoch-0.json"
    pool.write_text('{"delivered_ths": "24.5", "gross_sats": 5000}')
    line = op.report(0, "24.5", 5_000, report_file=pool)
    assert line.startswith("epoch 0: gross 5000 = fee ") and line.endswith(" sats (BTC/USD 100,000.00)")
    assert op.vault.epoch(0).report_hash == hashlib.sha256(pool.read_bytes()).digest()
    assert op.report(0, "24.5", 5_000) == "epoch 0 already reported"
    with pytest.raises(InputError, match="report file or a report hash, not both"):
        op.report(1, "1", 1, report_file=pool, report_hash="0x" + "11" * 32)

    with pytest.raises(InputError, match="epoch 1 is none, not reported"):
        op.fund(1)
    net = op.vault.epoch(0).net
    assert op.fund(0) == f"epoch 0 funded: 5000 sats; {net} stream to holders over the next day"
    assert op.fund(0) == "epoch 0 already funded"

    warp(op.vault.status().period_finish + 1)
    owed = op.vault.claimable(alice.address)
    assert owed > 0 and mine.claim() == f"claimed {owed} sats"

    status = mine.status()
    assert f"you ({alice.address}): 25 TH/s, claimable 0 sats" in status
    assert "BTC/USD 100,000.00" in status and ", bond 0" in status and f"claimed {owed}," in status
    assert status.splitlines()[-1] == "reportable epochs: [1]"  # epoch 1 has ended meanwhile
