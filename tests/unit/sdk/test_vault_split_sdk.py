"""The SDK side of the vault/trust split (docs/design/vault-trust-split.md §3, §7, §8), without
a chain: the price round the SDK reports with (binary search over the feed's rounds of its
current phase), the bond sizing mirror, the deployment plan's trust step, the words of `vault
record`/`settle-due`/`bond`/`fund`, and the command line's one-line errors. Stand-ins record
every transaction they are asked to send; the contracts' own behaviour is tested in
tests/unit/vault and on Anvil in tests/e2e/test_vault_flow.py and test_vault_trust.py."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hashtrust.cli import main
from hashtrust.deploy import AGENT_PLAN, PLAN, VAULT_DEVNET, DeployContext, plan_step, trust_args
from hashtrust.errors import HashtrustError, InputError
from hashtrust.hashrate.vault import (
    TH,
    EpochInfo,
    Record,
    Round,
    VaultCommands,
    VaultTrustClient,
    expected_epoch_gross,
    format_record,
    record_data,
    required_bond_for,
    round_at,
    settlement_lag_epochs,
    status_name,
)

ME = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
T0 = 1_790_000_000
PHASE = 3 << 64


# ------------------------------------------------------------------ the round in force at the end (§3)
class Feed:
    """Rounds of one phase published at ``times``; counts the reads."""

    def __init__(self, times, answers=None, phase=PHASE, answered_lag=0):
        self.rounds = {phase | (i + 1): Round(phase | (i + 1), (answers or [9_500_000_000_000] * len(times))[i], t, t, (phase | (i + 1)) - answered_lag)
                       for i, t in enumerate(times)}
        self.reads = 0

    def get(self, rid):
        self.reads += 1
        return self.rounds.get(rid)

    @property
    def latest(self):
        return self.rounds[max(self.rounds)]


@pytest.mark.parametrize("ts, expected", [(T0 + 5, 1), (T0 + 10, 2), (T0 + 10_005, 5), (T0 + 3_000 * 7 + 9, 8), (T0 + 10**9, 1_000)])
def test_round_at_is_the_newest_round_published_at_or_before_the_end(ts, expected):
    times = [T0 + 10 + 3_000 * (i - 1) if i else T0 for i in range(1_000)]  # round 1 at T0, round k at T0 + 10 + 3000 (k - 2)
    feed = Feed(times)
    r = round_at(feed.get, feed.latest, ts)
    assert r.round_id == PHASE | expected and r.updated_at <= ts
    nxt = feed.rounds.get(r.round_id + 1)
    assert nxt is None or nxt.updated_at > ts  # the vault's rule: the next round is after the end (or there is none)
    assert feed.reads <= 12  # a binary search, not a walk over 1,000 rounds


def test_round_at_with_equal_timestamps_takes_the_last_of_them():
    feed = Feed([T0, T0 + 5, T0 + 5, T0 + 9])
    assert round_at(feed.get, feed.latest, T0 + 5).round_id == PHASE | 3


def test_no_round_at_or_before_the_end_in_the_phase_is_an_input_error():
    feed = Feed([T0 + 100, T0 + 200])  # the phase started after the end
    with pytest.raises(InputError) as exc:
        round_at(feed.get, feed.latest, T0 + 50)
    assert exc.value.field == "btc_usd round" and "no round at or before the epoch end" in str(exc.value)


@pytest.mark.parametrize("answer", [0, -1])
def test_a_round_without_a_valid_answer_is_refused(answer):
    feed = Feed([T0, T0 + 10], answers=[9_000_000_000_000, answer])
    with pytest.raises(InputError, match="no valid answer"):
        round_at(feed.get, feed.latest, T0 + 20)
    assert round_at(feed.get, feed.latest, T0 + 5).round_id == PHASE | 1


def test_a_round_answered_earlier_is_refused():
    feed = Feed([T0, T0 + 10], answered_lag=1)
    with pytest.raises(InputError, match="answered in an earlier round"):
        round_at(feed.get, feed.latest, T0 + 20)


def test_a_phase_started_after_the_end_falls_back_to_the_phase_before():
    """An aggregator upgrade between the epoch's end and the report: the round in force at the
    end is the newest of the old phase at or before the end (the vault accepts it when the new
    phase's first round came after the end)."""
    old = Feed([T0 + 10 * i for i in range(300)], phase=2 << 64)  # old phase: rounds 1..300, every 10 s
    new = Feed([T0 + 5_000, T0 + 5_010], phase=3 << 64)
    rounds = old.rounds | new.rounds
    reads = []

    def get(rid):
        reads.append(rid)
        return rounds.get(rid)

    r = round_at(get, new.latest, T0 + 1_234)
    assert r.round_id == (2 << 64) | 124 and r.updated_at == T0 + 1_230 and len(reads) <= 40
    assert round_at(get, new.latest, T0 + 4_999).round_id == (2 << 64) | 300  # the old phase's last round
    assert round_at(get, new.latest, T0 + 5_005).round_id == (3 << 64) | 1
    with pytest.raises(InputError, match="or the one before"):
        round_at(get, new.latest, T0 - 1)


def test_missing_rounds_inside_the_phase_count_as_after_the_end():
    """A feed that reverts (None) for a round id inside the phase never makes the search pick
    a round it could not read."""
    feed = Feed([T0, T0 + 10, T0 + 20, T0 + 30])
    del feed.rounds[PHASE | 3]
    r = round_at(feed.get, feed.latest, T0 + 25)
    assert r.round_id == PHASE | 2


# ------------------------------------------------------------------ bond sizing (§7)
def test_required_bond_is_the_gross_of_the_capacity_rounded_up_from_the_reference_rate():
    """Bond sizing on the hashprice gross (performance fee 0, audit5 G6) at the binding value
    42,244 msat/TH/s/day (issue 16: the index's unit): 7 x G(10,000 TH/s) = 7 x 422,440 = 2,957,080
    sats, as `VaultTrust.required_bond` (the SDK mirrors the contract); an index latest above the
    binding value sizes it higher, one below it does not."""
    g = expected_epoch_gross(10_000 * TH, VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"])
    assert g == 422_440 and 7 * g == 2_957_080
    assert required_bond_for(10_000 * TH, VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"], 7) == 2_957_080
    assert required_bond_for(10_000 * TH, VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"], 7, 84_488) == 2 * 2_957_080
    assert required_bond_for(10_000 * TH, VAULT_DEVNET["difficulty"], VAULT_DEVNET["sats_per_block"], 7, 30_000) == 2_957_080
    assert settlement_lag_epochs(VAULT_DEVNET["report_grace"]) == VAULT_DEVNET["bond_epochs"] == 7
    assert settlement_lag_epochs(3 * 86_400 + 1) == 8  # rounded up, as the trust's constructor


def test_devnet_trust_terms():
    assert (VAULT_DEVNET["validators"], VAULT_DEVNET["quorum"], VAULT_DEVNET["min_score"], VAULT_DEVNET["bond_epochs"]) == (3, 2, 98, 7)
    assert VAULT_DEVNET["admin_delay"] >= 86_400  # the vault refuses less than an epoch


# ------------------------------------------------------------------ the plan
def test_the_trust_waits_for_the_operator_agent_outside_the_plain_plan():
    assert "VaultTrust" not in {s.name for s in PLAN} and [s.name for s in AGENT_PLAN] == ["VaultTrust"]
    step = plan_step("VaultTrust")
    assert step.depends[0] == "HashrateVault" and step.devnet_only
    with pytest.raises(HashtrustError, match="deploy-trust"):
        trust_args(DeployContext(w3=None, sender=None, book=None))  # type: ignore[arg-type]
    terms = {"vault": ME, "identity": ME, "validation": ME, "reputation": ME, "agent_id": 4, "validators": [ME.lower()], "quorum": 1,
             "min_score": 98, "difficulty": 5, "sats_per_block": 6, "bond_epochs": 7, "index": ME.lower(), "pool_fee_bps": 200}
    args = trust_args(DeployContext(w3=None, sender=None, book=None, terms=terms))  # type: ignore[arg-type]
    assert args == (ME, ME, ME, ME, 4, [ME], 1, 98, 5, 6, 7, ME, 200)


def test_the_vault_constructor_has_no_operator_any_more():
    import inspect

    from hashtrust import deploy as d

    assert "operator" not in inspect.getsource(d.vault_args)


# ------------------------------------------------------------------ words
def _info(status="none", **kw):
    base = dict(epoch=5, status=status, delivered=0, gross=0, fee=0, perf=0, net=0, btc_usd=0, report_hash=b"\0" * 32,
                end=T0 + 86_400, deadline=T0 + 4 * 86_400, attest_deadline=T0 + 7 * 86_400, record_time=T0 + 4 * 86_400)
    return EpochInfo(**(base | kw))


def test_status_names_read_the_flag_set():
    assert [status_name(x) for x in (0, 1, 2, 3, 4, 8, 10)] == ["none", "reported", "funded", "funded", "finalized", "defaulted", "defaulted"]


def test_record_in_words_and_json():
    rec = Record(5, 2, 0, 0, 38_020, 38_020, 2, True)
    text = format_record(_info(), rec)
    assert text.startswith("epoch 5 (ended 2026-09-22 14:13 UTC): not reported yet")
    assert "settled: defaulted: never reported; the bond paid 0.00038020 BTC (38,020 sats) to the holders; reputation feedback posted" in text
    short = Record(5, 2, 0, 0, 38_020, 1_000, 1, True)
    assert "(it owed 0.00038020 BTC (38,020 sats); the bond ran short)" in format_record(_info(), short) and "feedback pending" in format_record(_info(), short)
    data = record_data(_info(), rec)
    assert data["record"] == {"epoch": 5, "kind": "defaulted: never reported", "attestations": 0, "uptime_bps": 0, "owed_sats": 38_020,
                              "paid_sats": 38_020, "feedback": "posted", "settled": True}
    assert data["record_time"] == T0 + 4 * 86_400 and json.dumps(data)
    fin = Record(3, 1, 3, 9_500, 0, 0, 2, False)
    info = _info("funded", delivered=950 * TH, gross=40_000, fee=100, perf=3_990, net=35_910, btc_usd=95_000 * 10**8)
    text = format_record(info, fin)
    assert "reported 950 TH/s delivered, gross 0.00040000 BTC (40,000 sats) = fee 100 + perf 3,990 + net 35,910 sats at BTC/USD 95,000.00" in text
    assert "trust record: finalized by 3 validators, uptime 95%; not settled yet" in text
    assert "no price in force at the end" in format_record(_info("funded", gross=1), None) and "trust: none" in format_record(_info(), None)


# ------------------------------------------------------------------ commands over stand-ins
class FakeTrust:
    def __init__(self, records=None):
        self.records = records or {}
        self.sent: list = []
        self.sender = None
        self.address = ME

    def record(self, e):
        return self.records.get(e, Record(e, 0, 0, 0, 0, 0, 0, False))

    def finalize(self, e):
        self.sent.append(("finalize", e))
        return {"attestations": 3, "uptime_bps": 9_500}

    def bond(self):
        return 1_000

    def post_bond(self, amount):
        self.sent.append(("post_bond", amount))
        return {"amount": amount, "bond": 1_000 + amount}


class FakeVault:
    def __init__(self, trust=None, status="funded", due=(), now=T0 + 2 * 86_400):
        self.t = trust or FakeTrust()
        self.sent: list = []
        self._status, self._due, self._now = status, list(due), now
        self.sender = None

    def _check_epoch(self, e, field="epoch"):
        if not 0 <= e < 365:
            raise InputError(field, f"{e} is outside the term (epochs 0..364)")
        return e

    def trust_client(self):
        return self.t

    def epoch(self, e):
        return _info(self._status, epoch=e)

    def now(self):
        return self._now

    def _view(self, name, *a):  # settle-due reads the term's end and length (nothing due after it: the cursors may lag)
        return {"TERM_END": T0 + 365 * 86_400, "N_EPOCHS": 365}[name]

    def due_epochs(self):
        return self._due

    def cursor_due(self):  # a cursor past its record time with nothing to settle (audit9 K1): none here
        return False

    def settle_cursor(self):
        return 4

    def settled_epochs(self):
        return 4, ()

    def record_time(self, e):
        return T0 + (e + 1) * 86_400 + 2 * 3_600  # the epoch's end and its report grace

    def settle_due(self, n=16):
        self.sent.append(("settle_due", n))
        return [{"epoch": e, "credited": 38_020, "record_time": T0} for e in self._due]

    def fund(self, e):
        raise InputError("epoch", f"epoch {e} is not reported yet, so there is nothing to fund: nobody has reported it yet (report it first)")


class SkippingVault(FakeVault):
    """`settle_due`'s first ``skips`` calls only move the cursors (they settle nothing)."""

    def __init__(self, skips, **kw):
        super().__init__(**kw)
        self.skips = skips

    def settle_due(self, n=16):
        if self.skips:
            self.skips -= 1
            self.sent.append(("settle_due", n))
            return []
        return super().settle_due(n)


def test_settle_due_calls_again_when_a_call_only_moved_the_cursors():
    t = FakeTrust({5: Record(5, 2, 0, 0, 38_020, 38_020, 2, True)})
    v = SkippingVault(2, trust=t, due=[5])
    assert VaultCommands(v).settle_due(1).startswith("epoch 5 settled (defaulted: never reported): 38,020 sats")
    assert v.sent == [("settle_due", 1)] * 3


def test_settle_due_stops_after_a_few_calls_that_settle_nothing_and_says_so():
    v = SkippingVault(99, due=[5])
    assert VaultCommands(v).settle_due(1) == "nothing settled: 4 calls moved the settlement cursors past epochs still waiting for their attest deadline; run it again"
    assert v.sent == [("settle_due", 1)] * 4


def test_settle_due_with_nothing_due_sends_nothing():
    v = FakeVault()
    assert VaultCommands(v).settle_due(16) == "nothing due: 4 epochs settled, the next record time (epoch 4) is 2026-09-26 16:13 UTC; nothing sent" and v.sent == []


class TermOverVault(FakeVault):
    """After the term: every epoch settled, the attest cursor still at the last one (until a call)."""

    def __init__(self):
        super().__init__(now=T0 + 400 * 86_400)
        self.cursor = 364

    def _view(self, name, *a):
        return {"TERM_END": T0 + 365 * 86_400, "N_EPOCHS": 365}[name]

    def attest_deadline(self, e):
        return T0 + (e + 7) * 86_400

    def settle_cursor(self):
        return self.cursor

    def cursor_due(self):
        return self.cursor < 365 and self.now() > self.attest_deadline(self.cursor)

    def settled_epochs(self):
        return self.cursor, ()

    def settle_due(self, n=16):
        self.sent.append(("settle_due", n))
        self.cursor = 365
        return []


def test_settle_due_after_the_term_moves_the_cursors_bond_withdraw_waits_for():
    v = TermOverVault()  # before: "nothing due; nothing sent", while `bond withdraw` said "run settle-due first"
    assert VaultCommands(v).settle_due(16) == "every epoch was settled already; the settlement cursors moved to epoch 365 of 365" and v.sent == [("settle_due", 16)]
    assert VaultCommands(v).settle_due(16) == "nothing due: all 365 epochs of the term are settled; nothing sent" and v.sent == [("settle_due", 16)]  # user7 U8


def test_settle_due_says_what_each_epoch_was_and_what_holders_got():
    t = FakeTrust({5: Record(5, 2, 0, 0, 38_020, 38_020, 2, True)})
    v = FakeVault(t, due=[5])
    assert VaultCommands(v).settle_due(3) == "epoch 5 settled (defaulted: never reported): 38,020 sats credited to the holders at 2026-09-21 14:13 UTC"
    assert v.sent == [("settle_due", 3)]
    with pytest.raises(InputError) as exc:
        VaultCommands(v).settle_due(0)
    assert exc.value.field == "--n"


def test_finalize_checks_before_sending():
    t = FakeTrust({2: Record(2, 1, 3, 9_500, 0, 0, 2, False)})
    v = FakeVault(t)
    assert VaultCommands(v).finalize(2) == "epoch 2 is already finalized" and t.sent == []
    assert VaultCommands(v).finalize(3) == "epoch 3 finalised by 3 validators, uptime 95%" and t.sent == [("finalize", 3)]
    with pytest.raises(InputError, match="only a funded epoch can be finalised"):
        VaultCommands(FakeVault(FakeTrust(), status="reported")).finalize(1)
    late = FakeVault(FakeTrust(), now=T0 + 8 * 86_400)
    with pytest.raises(InputError, match="attest deadline passed"):
        VaultCommands(late).finalize(1)
    with pytest.raises(InputError) as exc:
        VaultCommands(v).finalize(400)
    assert exc.value.field == "EPOCH" and late.t.sent == []


def test_fund_of_an_unreported_epoch_speaks_words_not_status_codes():
    """Issue 15: "epoch 1 is none, not reported"."""
    with pytest.raises(InputError) as exc:
        VaultCommands(FakeVault(status="none")).fund(1)
    assert exc.value.field == "--epoch" and "is none" not in str(exc.value) and "not reported yet" in str(exc.value)


def test_bond_post_up_to_posts_the_shortfall_only():
    t = FakeTrust()
    v = FakeVault(t)
    assert VaultCommands(v).bond_post(800, up_to=True) == "bond is already 0.00001000 BTC (1,000 sats); nothing sent" and t.sent == []
    assert VaultCommands(v).bond_post(1_500, up_to=True).startswith("posted 0.00000500 BTC (500 sats); bond is now 0.00001500 BTC")
    assert VaultCommands(v).bond_post(7) == "posted 0.00000007 BTC (7 sats); bond is now 0.00001007 BTC (1,007 sats)"
    assert t.sent == [("post_bond", 500), ("post_bond", 7)]


@pytest.fixture
def cli_vault(monkeypatch):
    v = FakeVault(FakeTrust({5: Record(5, 2, 0, 0, 38_020, 38_020, 2, True)}), status="none")
    monkeypatch.setattr("hashtrust.cli.hashrate._vault", lambda obj: VaultCommands(v))
    return v


def _run(*args):
    r = CliRunner(mix_stderr=True).invoke(main, ["--rpc", "http://127.0.0.1:1", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output, [ln for ln in r.output.splitlines() if ln.startswith("Error:")]


def test_cli_record_words_and_json(cli_vault):
    code, out, errors = _run("vault", "record", "5")
    assert code == 0 and errors == [] and "settled: defaulted: never reported" in out
    code, out, errors = _run("vault", "record", "5", "--json")
    assert code == 0 and json.loads(out)["record"]["paid_sats"] == 38_020


def test_cli_bad_inputs_are_one_error_line_and_nonzero(cli_vault):
    for args, word in [(("vault", "record", "400"), "EPOCH"), (("vault", "finalize", "400"), "EPOCH"),
                       (("vault", "fund", "--epoch", "1"), "--epoch"), (("vault", "settle-due", "--n", "0"), "--n")]:
        code, out, errors = _run(*args)
        assert code != 0 and len(errors) == 1 and word in errors[0] and "Traceback" not in out, (args, out)
    assert cli_vault.sent == [] and cli_vault.t.sent == []


# ------------------------------------------------------------------ the operator agent over stand-ins
class OpTrust(FakeTrust):
    def __init__(self, records, refuse=()):
        super().__init__(records)
        self.refuse = set(refuse)

    def agent_id(self):
        return 7

    def validators(self):
        return []

    def quorum(self):
        return 2

    def min_score(self):
        return 98

    def post_record(self, e):
        self.sent.append(("post_record", e))
        return {"posted": e not in self.refuse}


class OpVault(FakeVault):
    def __init__(self, trust, due=()):
        super().__init__(trust, status="funded", due=due)

    def _view(self, name, *a):
        assert name == "N_EPOCHS"
        return 4

    def epoch_end(self, e):
        return T0 + (e + 1) * 86_400

    def epoch(self, e):
        return _info("funded", epoch=e, deadline=T0 + (e + 4) * 86_400, attest_deadline=T0 + (e + 7) * 86_400)


def test_the_operator_retries_pending_records_and_settles_what_is_due():
    from hashtrust.hashrate.operator import run_operator

    recs = {0: Record(0, 2, 0, 0, 951, 951, 1, True),  # a default settled by a transfer (no post): pending
            1: Record(1, 1, 2, 9_800, 0, 0, 1, False),  # finalised, its post refused: pending
            2: Record(2, 1, 2, 9_800, 0, 0, 2, True)}  # settled and posted: nothing to do
    t = OpTrust(recs, refuse={1})
    v = OpVault(t, due=[3])
    did = run_operator(v, None, {}, now=T0 + 4 * 86_400 + 1)
    assert did == ["posted record 0", "record 1 still refused by the reputation registry", "settled 3 (open, 38020 sats credited)"]
    assert t.sent == [("post_record", 0), ("post_record", 1)] and v.sent == [("settle_due", 16)]
    v2 = OpVault(OpTrust({e: Record(e, 1, 2, 9_800, 0, 0, 2, True) for e in range(4)}))
    assert run_operator(v2, None, {}, now=T0 + 4 * 86_400 + 1, settle=False) == [] and v2.sent == []


# ------------------------------------------------------------------ new-user review user7 (tests/e2e/user7/FINDINGS.md)
def test_ths_text_is_read_strictly_and_errors_say_only_what_is_wrong():
    from hashtrust.hashrate.vault import ths_to_shares

    assert ths_to_shares("0.5") == TH // 2 and ths_to_shares("1e3") == 1_000 * TH and ths_to_shares(" 5") == 5 * TH
    with pytest.raises(InputError) as exc:
        ths_to_shares("1.0000000000000000001")  # U1: positive, finer than a share unit: not "negative or finer"
    assert str(exc.value) == "ths: 1.0000000000000000001 TH/s is finer than 1e-18 TH/s (shares have 18 decimals)"
    with pytest.raises(InputError, match="-1 TH/s is negative$"):
        ths_to_shares("-1")
    for text in ("1_0", "0x10", "\u0661", "1,0", "1 0"):  # U2: Python's digit separator, hex, Arabic-Indic digits
        with pytest.raises(InputError, match="is not a decimal number of TH/s"):
            ths_to_shares(text)
    with pytest.raises(InputError, match="not a finite number"):
        ths_to_shares("nan")


def test_ths_are_printed_as_plain_decimals():
    from hashtrust.hashrate.vault import ths_text

    assert ths_text(1) == "0.000000000000000001" and ths_text(100 * TH) == "100" and ths_text(TH // 2) == "0.5" and ths_text(0) == "0"  # U3


@pytest.mark.parametrize("args", [("vault", "buy", "--ths", "abc"), ("vault", "buy", "--ths", "1_0"),
                                  ("vault", "report", "--epoch", "0", "--delivered-ths", "abc", "--gross-sats", "1")])
def test_cli_ths_values_are_checked_before_connecting(args):
    code, out, errors = _run(*args)  # U9: the node at 127.0.0.1:1 is down; the value is refused first
    assert code == 2 and len(errors) == 1 and "-ths" in errors[0] and "is not a decimal number of TH/s" in errors[0], out
    assert "cannot reach" not in out


@pytest.mark.parametrize("cmd", ["record", "finalize"])
def test_cli_negative_epoch_is_a_value(cli_vault, cmd):
    code, out, errors = _run("vault", cmd, "-1")  # U4: was "No such option: -1"
    assert code != 0 and errors == ["Error: EPOCH: -1 is outside the term (epochs 0..364)"], out
    code, out, errors = _run("vault", cmd, "--nope")
    assert code != 0 and len(errors) == 1 and "No such option: --nope" in errors[0], out


def test_record_of_an_unsettled_epoch_says_record_time_not_settled_at():
    open_rec = Record(5, 0, 0, 0, 0, 0, 0, False)
    text = format_record(_info(), open_rec)  # U5
    assert "settled at" not in text and "; record time 20" in text
    assert "settled at" not in format_record(_info(), None)
    assert "settled at" in format_record(_info(), Record(5, 2, 0, 0, 38_020, 38_020, 2, True))


class EndedVault(TermOverVault):
    """After the term, every epoch settled and the cursors at the end."""

    def __init__(self):
        super().__init__()
        self.cursor = 365

    def attest_deadline(self, e):
        return T0 + 400 * 86_400 + 1  # the cursor is at the end: no epoch lags


def test_settle_due_once_every_epoch_is_settled_says_so():
    v = EndedVault()  # U8: said "the next record time has not passed"
    assert VaultCommands(v).settle_due(16) == "nothing due: all 365 epochs of the term are settled; nothing sent" and v.sent == []


class SignerRefusingVault(FakeVault):
    def __init__(self):
        super().__init__(status="reported")

    def fund(self, e):
        raise InputError("sender", f"only the operator's wallet (0xOP) may fund epoch {e}, not {ME}: nothing sent")


@pytest.mark.parametrize("option, head", [("", ""), ("--account-index", "--account-index: "), ("--private-key-env", "--private-key-env: ")])
def test_a_refused_signer_names_the_option_given_or_none(option, head):
    with pytest.raises(InputError) as exc:  # U7: was "--account: ...", an option hashtrust has not
        VaultCommands(SignerRefusingVault(), signer_option=option).fund(1)
    assert str(exc.value) == f"{head}only the operator's wallet (0xOP) may fund epoch 1, not {ME}: nothing sent"


def test_cli_signer_option_is_the_one_given():
    from hashtrust.cli.context import Ctx

    assert Ctx("http://x", None, 0, False).signer_option == ""
    assert Ctx("http://x", None, 3, False, account_index_given=True).signer_option == "--account-index"
    assert Ctx("http://x", "MY_KEY", 0, False).signer_option == "--private-key-env"


class ClaimVault(FakeVault):
    def _require_sender(self):
        return type("S", (), {"address": ME})()

    def claimable(self, who):
        return 1_563

    def claim(self, receiver=None):
        self.sent.append(("claim", receiver))
        return 1_563


def test_claim_to_names_the_receiver():
    dan = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
    v = ClaimVault()
    assert VaultCommands(v).claim(None, dan) == f"claimed 1563 sats -> {dan}"  # U12
    assert VaultCommands(v).claim() == "claimed 1563 sats" and v.sent == [("claim", dan), ("claim", None)]


class QueueTrust(VaultTrustClient):
    """A trust whose `post_pending` takes `per_call` records off a queue of `queued` (0: refused)."""

    def __init__(self, queued, takes):
        self.queued, self.takes, self.sent = queued, list(takes), []

    def _view(self, name, *a, **k):
        assert name == "pending_feedback"
        return (0, self.queued)

    def _send(self, name, *args, **k):
        self.sent.append((name, *args))
        self.queued -= min(self.queued, self.takes.pop(0))


def test_drain_feedback_posts_the_queue_before_the_bond_is_withdrawn():
    """audit7 I1: `withdraw_bond` waits for an empty feedback queue; the SDK drains it first."""
    t = QueueTrust(20, [16, 4])
    assert t.drain_feedback() == 20 and t.sent == [("post_pending", 16), ("post_pending", 16)]
    assert QueueTrust(0, []).drain_feedback() == 0


def test_drain_feedback_stops_with_one_error_when_the_registry_refuses_the_head():
    t = QueueTrust(3, [1, 0, 5])
    with pytest.raises(InputError, match=r"^bond: 2 reputation feedback\(s\) wait in the trust's queue and the registry refused the next one"):
        t.drain_feedback()
    assert t.sent == [("post_pending", 16), ("post_pending", 16)]  # nothing more after the refusal


class LaggingCursorVault(FakeVault):
    """During the term: nothing due, but the unfunded cursor waits at a funded epoch past its report
    deadline (a skip to make): the trust refuses a bond top-up until a settle_due moves it."""

    def __init__(self):
        super().__init__()
        self.cursors_ = (4, 4)

    def cursor_due(self):
        return self.cursors_ == (4, 4)

    def cursors(self):
        return self.cursors_

    def settle_due(self, n=16):
        self.sent.append(("settle_due", n))
        self.cursors_ = (5, 4)
        return []


def test_settle_due_during_the_term_moves_a_cursor_that_only_skips():
    """audit9 K1: was "nothing due; nothing sent" while `bond post` was refused for that cursor: a dead end."""
    v = LaggingCursorVault()
    assert VaultCommands(v).settle_due(16) == "no epoch was due; the settlement cursors moved past epochs settled or funded (now at epochs 5 and 4 of 365)"
    assert v.sent == [("settle_due", 16)]
    assert VaultCommands(v).settle_due(16).startswith("nothing due: 4 epochs settled") and v.sent == [("settle_due", 16)]
