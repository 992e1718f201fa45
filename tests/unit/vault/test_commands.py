"""The vault verbs both command lines print (`hashtrust.vault.VaultCommands`, behind `hashtrust
vault ...` and `ape run vault ...`) against the real vault and its trust: alice buys, carol
reports from her pool file at the round in force at the epoch's end and funds, a second report or
fund of the same epoch only says it is done, funding an unreported epoch is an input error, alice
claims, the status shows her position, the feed's price and the bond in the trust; settle-due
says when nothing is due and, after epoch 1's report deadline, what it settled and credited."""

import hashlib

import pytest
from eth_account import Account
from types import SimpleNamespace
from vault_setup import BTC_USD, PRICE_PER_TH, TH, gross_of

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.errors import InputError
from hashtrust.hashrate.vault import HashrateVaultClient, VaultCommands, _when, btc_words


def commands(w3, vault, who):
    return VaultCommands(HashrateVaultClient(w3, vault.address, TxSender(w3, LocalSigner.from_key(who.private_key))))


def test_buy_report_fund_claim_status_settle(w3, vault, trust, feed, deployer, alice, mallory, operator, warp, tmp_path):
    mine, op = commands(w3, vault, alice), commands(w3, vault, operator)
    assert mine.buy("25") == f"bought 25 TH/s for {25 * PRICE_PER_TH / 10**6:,.2f} USD -> {alice.address}"
    with pytest.raises(InputError, match=r"^--max-payment: 1\.00 USD \(1,000,000 payment-token units\) is below the price, 15\.00 USD \(15,000,000 units\)$"):
        mine.buy("1", max_payment=1_000_000)  # user7 note: was "1000000 is below the price 15000000" where buy speaks USD
    fresh = Account.create()
    broke = SimpleNamespace(address=fresh.address, private_key=fresh.key)  # holds no USD (mallory was given some)
    with pytest.raises(InputError, match=f"buying 1 TH/s costs 15.00 USD; {broke.address} holds 0.00 USD of the payment token: nothing sent"):
        commands(w3, vault, broke).buy("1")  # newuser14 N2: refused before any approve

    warp(vault.epoch_end(0) - 60)
    feed.set_price(BTC_USD, sender=deployer)  # the round in force at epoch 0's end
    warp(vault.epoch_end(0) + 60)
    feed.set_price(BTC_USD // 2, sender=deployer)  # published after the end: cannot price epoch 0
    pool = tmp_path / "pool-epoch-0.json"
    pool.write_text('{"delivered_ths": "24.5", "gross_sats": 5000}')
    line = op.report(0, "24.5", 5_000, report_file=pool)
    e0 = op.vault.epoch(0)
    assert line == f"epoch 0: gross 5000 = fee {e0.fee} + perf {e0.perf} + net {e0.net} sats (BTC/USD 100,000.00)"
    assert e0.report_hash == hashlib.sha256(pool.read_bytes()).digest()
    assert op.report(0, "24.5", 5_000) == "epoch 0 is already reported, not funded yet (same figures: nothing sent)"
    with pytest.raises(InputError, match="already reported, not funded yet with 24.5 TH/s delivered and a gross of 5,000 sats, not 60 TH/s and 9,999 sats: a report cannot be changed"):
        op.report(0, "60", 9_999)  # newuser14 N3: other figures are an error, not "already reported"
    with pytest.raises(InputError, match=f"only the operator's wallet \\({operator.address}\\) may fund epoch 0, not {alice.address}: nothing sent"):
        mine.fund(0)  # newuser14 N8: refused before any approve
    with pytest.raises(InputError, match="report file or a report hash, not both"):
        op.report(1, "1", 1, report_file=pool, report_hash="0x" + "11" * 32)

    with pytest.raises(InputError, match="epoch 1 is not reported yet, so there is nothing to fund"):
        op.fund(1)
    assert op.fund(0) == f"epoch 0 funded: 5000 sats; {e0.net} stream to holders over the next day"
    assert op.fund(0) == "epoch 0 is already funded (its net streams to holders)"

    warp(op.vault.status().period_finish + 1)
    owed = op.vault.claimable(alice.address)
    assert owed > 0 and mine.claim() == f"claimed {owed} sats"
    assert mine.claim() == f"nothing claimable for {alice.address}; nothing sent"
    with pytest.raises(InputError, match="give --for or --to, not both"):
        mine.claim(alice.address, mallory.address)  # newuser14 N5: --to was ignored

    status = mine.status()
    assert f"you ({alice.address}): 25 TH/s, claimable 0.00000000 BTC (0 sats)" in status
    assert "BTC/USD 50,000.00" in status  # the latest answer (epoch 0 kept the round at its end)
    assert f"trust {trust.address}: bond 0.02957080 BTC (2,957,080 sats)" in status
    assert "settlement: no epoch settled yet; never paused" in status
    assert status.splitlines()[-1] == "reportable epochs: [1]"  # epoch 1 has ended meanwhile

    # nobody reports epoch 1: once its report deadline has passed, anyone settles it
    keeper = commands(w3, vault, mallory)
    when = _when(keeper.vault.record_time(0))
    assert keeper.settle_due(4) == f"nothing due: 0 epochs settled, the next record time (epoch 0) is {when}; nothing sent"  # user15: its date
    warp(vault.report_deadline(1) + 1)
    nu = trust.expected_unreported(1)
    g = gross_of(25 * TH)
    assert nu == g - g * 1_000 // 10_000 == 951  # Nu: the hashprice gross of 25 TH/s (1,056) less 10 % perf
    out = keeper.settle_due(4)
    assert out.startswith(f"epoch 1 settled (defaulted: never reported): {nu:,} sats credited to the holders at ")
    assert trust.record(1).kind == 2 and trust.record(1).paid == nu


def test_user7_refusals_in_words(w3, vault, trust, feed, deployer, operator, alice, warp):
    """tests/e2e/user7/FINDINGS.md: alice buys 25 TH/s, carol reports epoch 0 (zero report hash)
    and funds it; then the refusals checked before sending, in words."""
    op = commands(w3, vault, operator)
    v = op.vault
    commands(w3, vault, alice).buy("25")
    warp(vault.epoch_end(0) - 60)
    feed.set_price(BTC_USD, sender=deployer)
    warp(vault.epoch_end(0) + 60)
    op.report(0, "24.5", 5_000)
    assert op.report(0, "24.5", 5_000, report_hash="0x" + "00" * 32).endswith("(same figures: nothing sent)")
    with pytest.raises(InputError, match=r"^--account-index: only the operator's wallet"):  # U7: the option given, not "--account"
        VaultCommands(HashrateVaultClient(w3, vault.address, TxSender(w3, LocalSigner.from_key(alice.private_key))), signer_option="--account-index").fund(0)
    with pytest.raises(InputError, match=r"^only the operator's wallet"):  # no signer option given: none named
        VaultCommands(HashrateVaultClient(w3, vault.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))).fund(0)
    op.fund(0)
    with pytest.raises(InputError, match=r"with report hash 0x[0-9a-f]{64}, not 0x(11){32}: a report cannot be changed") as exc:
        op.report(0, "24.5", 5_000, report_hash="0x" + "11" * 32)  # U6: was "same figures: nothing sent"
    assert exc.value.field == "--report-hash"
    with pytest.raises(InputError, match=r"^--delivered-ths: 1000 TH/s exceeds the sold hashrate, 25 TH/s$"):
        op.report(5, "1000", 1)  # noted: neither figure was named

    assert v.now() <= v.attest_deadline(0)
    with pytest.raises(InputError, match=rf"^EPOCH: epoch 0 has 0 of the 2 attestations its quorum needs .*; they may attest by 20[0-9-]+ [0-9:]+ UTC: nothing sent$"):
        op.finalize(0)  # U13: was "finalize_epoch reverted: trust: no quorum"

    warp(v.report_deadline(2) + 1)
    with pytest.raises(InputError, match=r"^--epoch: epoch 2's report deadline passed at 20[0-9-]+ [0-9:]+ UTC"):
        op.report(2, "25", 1_000)  # U10: was "report_epoch reverted: vault: epoch deadline passed"
    op.report(3, "25", 1_000)
    warp(v.report_deadline(3) + 1)
    with pytest.raises(InputError, match=r"^--epoch: epoch 3's report deadline passed at .*: it can no longer be funded"):
        op.fund(3)

    n = vault.N_EPOCHS()
    warp(max(v.attest_deadline(n - 1), v.report_deadline(n - 1)) + 1)
    while v.settle_cursor() < n:
        op.settle_due(64)
    with pytest.raises(InputError, match=r"^--sats: every epoch of the term is settled \(it ended .*\): a post now covers no epoch"):
        op.bond_post(5)  # U11: was posted, for the operator to withdraw (audit8 J1: a post still covers the epochs settled after the term's end)


def test_bond_top_up_waits_for_the_cursor_settle_due_moves(w3, vault, trust, feed, deployer, operator, alice, mallory, warp):
    """audit9 K1: the trust refuses a top-up while a settlement cursor is past its record time,
    even when it only has a skip to make (epoch 0 funded, past D(0), waits for A(0)). `bond post`
    says so before sending and names the way out; `settle-due`, with nothing due, moves the
    cursors (it said "nothing due; nothing sent": a dead end); then the top-up goes through."""
    op, keeper = commands(w3, vault, operator), commands(w3, vault, mallory)
    v = op.vault
    commands(w3, vault, alice).buy("25")
    warp(vault.epoch_end(0) - 60)
    feed.set_price(BTC_USD, sender=deployer)
    warp(vault.epoch_end(0) + 60)
    op.report(0, "24.5", 5_000)
    op.fund(0)
    warp(v.report_deadline(0) + 1)
    assert v.now() < v.attest_deadline(0) and v.now() < v.report_deadline(1)
    assert v.cursors() == (0, 0) and v.cursor_due() and v.due_epochs() == []
    bond, nonce = trust.bond(), w3.eth.get_transaction_count(operator.address)
    with pytest.raises(InputError, match=r"^an epoch's record time has passed and the vault has not settled it yet .*run `vault settle-due` first .*nothing sent$"):
        op.bond_post(5)
    assert trust.bond() == bond and w3.eth.get_transaction_count(operator.address) == nonce
    n = vault.N_EPOCHS()
    assert keeper.settle_due(4) == f"no epoch was due; the settlement cursors moved past epochs settled or funded (now at epochs 1 and 0 of {n})"
    assert not v.cursor_due()
    assert keeper.settle_due(4) == f"nothing due: 0 epochs settled, the next record time (epoch 0) is {_when(v.record_time(0))}; nothing sent"
    assert op.bond_post(5) == f"posted 0.00000005 BTC (5 sats); bond is now {btc_words(bond + 5)}"
