"""New-user review user7: the vault's commands off the demo path and with bad input (FINDINGS.md).

One devnet of our own (`cli_world.start_world` on a free port): the plan deployed with a 3-day
term, carol (dev account 3) registers the operator agent, the deployer opens the term
(`deploy_trust`, devnet terms), alice (account 1) buys 100 TH/s; then the story moves through
the term (tests run in file order).
"""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cli_world.py, script_runs.py

import pytest  # noqa: E402
from cli_world import start_world, stop_world  # noqa: E402
from script_runs import free_port  # noqa: E402

from hashtrust import deploy as plan  # noqa: E402
from hashtrust.chain import artifacts  # noqa: E402
from hashtrust.chain.accounts import devnet_signer  # noqa: E402
from hashtrust.chain.tx import TxSender  # noqa: E402
from hashtrust.deploy import VAULT_DEVNET, deploy  # noqa: E402
from hashtrust.erc8004.identity import IdentityClient  # noqa: E402
from hashtrust.hashrate.vault import HashrateVaultClient, PriceFeedClient, deploy_trust, ths_to_shares  # noqa: E402

ADMIN, ALICE, CAROL, DAN = 0, 1, 3, 4  # carol runs the operator agent, dan holds nothing
VALIDATORS = [devnet_signer(i).address for i in (6, 7, 8)]
TERM_DAYS = 3


def _token(wd, name):
    return wd.w3.eth.contract(address=wd.book.address(name), abi=artifacts.abi("DevToken"))


def warp_to(wd, ts):
    wd.w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    wd.w3.provider.make_request("evm_mine", [])


def priced_past(wd, last: int, extra: int = 600) -> None:
    """The feed publishes before each epoch up to ``last`` ends; then time moves past ``last``'s end."""
    v = HashrateVaultClient.from_book(wd.w3, wd.book)
    feed = PriceFeedClient.from_book(wd.w3, wd.book, TxSender(wd.w3, devnet_signer(ADMIN)))
    for e in range(last + 1):
        end = v.epoch_end(e)
        if v.now() < end - 600:
            warp_to(wd, end - 600)
            feed.set_price(95_000)
    warp_to(wd, max(v.now() + 1, v.epoch_end(last) + extra))


@pytest.fixture(scope="module")
def sale(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("user7-sale")
    wd = start_world(tmp, free_port())
    wd.cli.env["HASHTRUST_LOCK_DIR"] = str(tmp / "locks")
    w3, book = wd.w3, wd.book
    s0 = TxSender(w3, devnet_signer(ADMIN))
    with mock.patch.dict(plan.VAULT_DEVNET, term_days=TERM_DAYS):
        deploy(w3, s0, book)
    agent = IdentityClient.from_book(w3, wd.book, TxSender(w3, devnet_signer(CAROL))).register("ipfs://carol-mining-operator")
    s0.transact(_token(wd, "TestWBTC").functions.mint(devnet_signer(ADMIN).address, 10**9))
    s0.transact(_token(wd, "TestUSD").functions.mint(devnet_signer(ALICE).address, 10**12))
    v = HashrateVaultClient.from_book(w3, wd.book, s0)
    t = {k: VAULT_DEVNET[k] for k in ("quorum", "min_score", "difficulty", "sats_per_block", "bond_epochs")}
    deploy_trust(v, wd.book, agent_id=agent, validators=VALIDATORS, **t)
    HashrateVaultClient.from_book(w3, wd.book, TxSender(w3, devnet_signer(ALICE))).buy(ths_to_shares(100))
    yield wd
    stop_world(wd)


def _refused_and_unchanged(wd, *args: str):
    before = wd.state()
    r = wd.cli(*args)
    assert wd.state() == before, f"sent something: {r.out}"
    assert r.code != 0 and len(r.errors) == 1 and "Traceback" not in r.out, r.out
    return r


# ---------------------------------------------------------------- the sale (before the term)


# U1: a positive amount finer than 1e-18 TH/s is told it is "negative or finer than 1e-18"
def test_buy_too_fine_is_not_called_negative(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(ALICE), "vault", "buy", "--ths", "1.0000000000000000001")
    assert "negative" not in r.errors[0], r.errors[0]  # the value is positive: say only that it is finer than 1e-18


# U2: `--ths 1_0` (Python's digit separator) buys 10 TH/s; `0x10` is refused as not decimal
def test_buy_ths_with_underscore_is_refused(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(ALICE), "vault", "buy", "--ths", "1_0")
    assert "--ths" in r.errors[0], r.errors[0]


# U3: a buy of 1e-18 TH/s prints "bought 1E-18 TH/s" (Decimal's scientific notation)
def test_tiny_buy_prints_a_plain_decimal(sale):
    r = sale.cli("--account-index", str(ALICE), "vault", "buy", "--ths", "0.000000000000000001")
    assert r.code == 0, r.out
    assert "E-" not in r.out and "0.000000000000000001 TH/s" in r.out, r.out


# U4: `vault record -1` / `vault finalize -1` answer "No such option: -1"; docs/cli.md: negative numbers are values
@pytest.mark.parametrize("cmd", ["record", "finalize"])
def test_negative_epoch_is_a_value(sale, cmd):
    r = _refused_and_unchanged(sale, "vault", cmd, "-1")
    assert "No such option" not in r.errors[0] and "-1" in r.errors[0], r.errors[0]  # e.g. "EPOCH: -1 is outside the term"


# U5: `vault record E` says "settled at <date>" of an epoch that is not settled (its future record time)
def test_record_of_an_unsettled_epoch_does_not_say_settled_at(sale):
    r = sale.cli("vault", "record", "0")
    assert r.code == 0 and "not settled yet" in r.out, r.out
    assert "settled at" not in r.out, r.out  # "record time <date>" / "settles at <date>"


# ---------------------------------------------------------------- epoch 0 ended


def test_report_epoch0(sale):
    priced_past(sale, 0)
    r = sale.cli("--account-index", str(CAROL), "vault", "report", "--epoch", "0", "--delivered-ths", "100", "--gross-sats", "0")
    assert r.code == 0 and "gross 0" in r.out, r.out
    r = _refused_and_unchanged(sale, "--account-index", str(ALICE), "vault", "fund", "--epoch", "0")
    assert devnet_signer(CAROL).address in r.errors[0], r.errors[0]
    before = sale.state()
    r = sale.cli("--account-index", str(CAROL), "vault", "report", "--epoch", "0", "--delivered-ths", "100", "--gross-sats", "0")
    assert r.code == 0 and "nothing sent" in r.out and sale.state() == before, r.out
    r = _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "report", "--epoch", "0", "--delivered-ths", "99", "--gross-sats", "0")


# U6: a rerun with the same numbers but another --report-hash says "same figures: nothing sent", exit 0
def test_report_rerun_with_another_report_hash_is_an_error(sale):
    other = "0x" + "11" * 32
    r = _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "report", "--epoch", "0", "--delivered-ths", "100",
                               "--gross-sats", "0", "--report-hash", other)
    assert "hash" in r.errors[0], r.errors[0]  # the recorded hash (zero) is what the validators attest


# U7: a non-operator's report/fund refusal names `--account`, an option `hashtrust` does not have
def test_non_operator_refusal_names_an_option_that_exists(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(ALICE), "vault", "fund", "--epoch", "0")
    assert not r.errors[0].startswith("Error: --account:"), r.errors[0]


# U13: `vault finalize E` of a funded epoch nobody attested is the trust's revert text ("trust: no quorum")
def test_finalize_without_quorum_is_refused_in_words(sale):
    r = sale.cli("--account-index", str(CAROL), "vault", "fund", "--epoch", "0")  # gross 0: no token moves
    assert r.code == 0 and "funded" in r.out, r.out
    r = _refused_and_unchanged(sale, "vault", "finalize", "0")
    assert "reverted" not in r.errors[0] and "attest" in r.errors[0], r.errors[0]  # "epoch 0: 0 of 2 attestations ..."


# ---------------------------------------------------------------- after the term


def test_settle_due_after_the_term_frees_the_bond(sale):
    v = HashrateVaultClient.from_book(sale.w3, sale.book)
    warp_to(sale, v.epoch_end(TERM_DAYS - 1) + 7 * 86400)
    r = _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "bond", "withdraw")
    assert "settle-due" in r.errors[0], r.errors[0]
    r = sale.cli("vault", "settle-due")
    assert r.code == 0 and "settled" in r.out and not r.errors, r.out
    before = sale.state()
    r = sale.cli("vault", "settle-due")
    assert r.code == 0 and "nothing sent" in r.out and sale.state() == before, r.out
    r = sale.cli("--account-index", str(CAROL), "vault", "bond", "withdraw")
    assert r.code == 0 and not r.errors, r.out
    r = _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "bond", "withdraw")


# U8: after every epoch of the term is settled, settle-due says "the next record time has not passed"
def test_settle_due_after_everything_settled_says_so(sale):
    before = sale.state()
    r = sale.cli("vault", "settle-due")
    assert r.code == 0 and sale.state() == before, r.out
    assert "next record time" not in r.out and "all" in r.out, r.out  # e.g. "all 3 epochs settled; nothing sent"


# U10: a report after its deadline is the contract's revert text, not the deadline in words
def test_report_after_the_deadline_is_refused_in_words(sale):
    r = _refused_and_unchanged(sale, "--account-index", str(CAROL), "vault", "report", "--epoch", "1", "--delivered-ths", "100", "--gross-sats", "5")
    assert "reverted" not in r.errors[0] and "UTC" in r.errors[0], r.errors[0]  # "epoch 1's report deadline passed at <date>"


# U11: after the term, every epoch settled, `bond post` still takes anyone's sats (they can only go to the operator)
def test_bond_post_after_the_term_is_refused(sale):
    r = _refused_and_unchanged(sale, "vault", "bond", "post", "--sats", "5")
    assert "term" in r.errors[0], r.errors[0]


# U12: `vault claim --to R` prints "claimed N sats" without saying where they went (`--for H` names H)
def test_claim_to_names_the_receiver(sale):
    dan = devnet_signer(DAN).address
    r = sale.cli("--account-index", str(ALICE), "vault", "claim", "--to", dan)
    assert r.code == 0 and "claimed" in r.out, r.out
    assert dan in r.out, r.out  # "claimed N sats -> 0x15d3..."


# ---------------------------------------------------------------- no node


# U9: docs/cli.md: values are checked by their type before anything connects; decimal TH/s are not
@pytest.mark.parametrize("args", [("vault", "buy", "--ths", "abc"),
                                  ("vault", "report", "--epoch", "0", "--delivered-ths", "abc", "--gross-sats", "1")])
def test_decimal_ths_checked_before_connecting(sale, args):
    r = sale.cli(*args, rpc=f"http://127.0.0.1:{free_port()}")
    assert r.code != 0 and len(r.errors) == 1, r.out
    assert "-ths" in r.errors[0] and "cannot reach" not in r.errors[0], r.errors[0]
