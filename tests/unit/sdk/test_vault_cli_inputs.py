"""`hashtrust vault ...` off the demo path (issue 15, items 1, 10, 11, 12): a malformed
``--receiver`` is one ``Error:`` line naming the option, nothing claimable sends nothing, and
``vault status`` speaks in words (no Python dict) or prints ``--json``.

The vault client is a recording stand-in (`FakeVault`): these are the command line's and
`VaultCommands`' own decisions, taken before any transaction; the client's transactions on a
real vault are covered in tests/unit/vault/test_commands.py and the e2e vault flow."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from hashtrust.cli import main
from hashtrust.errors import InputError
from hashtrust.hashrate.vault import VaultCommands, VaultStatus

ME = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
T0 = 1_790_000_000  # 2026-09-21


class _Sender:
    address = ME


class FakeVault:
    """Answers the reads `VaultCommands` makes; records every transaction it is asked to send."""

    def __init__(self, claimable: int = 0):
        self.sender = _Sender()
        self.sent: list[tuple] = []
        self._claimable = claimable

    def _require_sender(self):
        return self.sender

    def claimable(self, who):
        return self._claimable

    def balance_of(self, who):
        return 25 * 10**18

    def reportable_epochs(self):
        return [1]

    def payment_decimals(self):
        return 6

    def buy(self, shares, *, receiver=None, max_payment=None):
        self.sent.append(("buy", shares, receiver, max_payment))
        return {"shares": shares, "payment": shares * 15_000_000 // 10**18, "receiver": receiver or ME}

    def claim(self, receiver=None):
        self.sent.append(("claim", receiver))
        return self._claimable

    def claim_for(self, holder):
        self.sent.append(("claim_for", holder))
        return self._claimable

    def status(self):
        return VaultStatus(
            address=OTHER, now=T0 + 3 * 86_400, paused=False, total_supply=25 * 10**18, capacity=1_000 * 10**18, price_per_th=12_500_000,
            sale_end=T0, term_start=T0, term_end=T0 + 30 * 86_400, n_epochs=30, current_epoch=3,
            params={"mj_per_th": 17_500, "micro_usd_per_kwh": 50_000, "micro_usd_per_th_day": 10_000, "perf_bps": 1_000, "fee_recipient": OTHER},
            fees_payable=7, total_notified=5_000, total_claimed=1_234, reward_liabilities=3_773, period_finish=T0, operator=OTHER,
            guardian=OTHER, admin=OTHER, bond=2_661_421, btc_usd=Decimal("100000"), price_updated=T0,
            trust=ME, required_bond=2_661_421, coverage_bps=1_000_000, settle_cursor=0, pauses=((T0 + 86_400, T0 + 90_000),),
        )


@pytest.fixture
def fake(monkeypatch):
    """`hashtrust vault ...` with the stand-in vault (no node is asked)."""
    v = FakeVault()
    monkeypatch.setattr("hashtrust.cli.hashrate._vault", lambda obj: VaultCommands(v))
    return v


def run(*args):
    r = CliRunner(mix_stderr=True).invoke(main, ["--rpc", "http://127.0.0.1:1", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output, [ln for ln in r.output.splitlines() if ln.startswith("Error:")]


# ------------------------------------------------------------------ item 1: vault buy --receiver 0x123
@pytest.mark.parametrize("receiver", ["0x123", "0x" + "g" * 40, "not-an-address"])
def test_buy_with_a_malformed_receiver_is_one_error_line_and_sends_nothing(receiver):
    """The SDK layer (both command lines call it): web3's ValueError became an input error
    naming --receiver, raised before the client sends anything."""
    v = FakeVault()
    with pytest.raises(InputError) as exc:
        VaultCommands(v).buy("1", receiver=receiver)
    assert exc.value.field == "--receiver" and "20-byte hex address" in str(exc.value)
    assert v.sent == []


def test_vault_buy_receiver_on_the_command_line(fake):
    code, out, errors = run("vault", "buy", "--ths", "1", "--receiver", "0x123")
    assert code != 0 and len(errors) == 1 and "--receiver" in errors[0] and "ValueError" not in out
    assert fake.sent == []


def test_scripts_vault_types_its_addresses():
    """`ape run vault buy --receiver 0x123` went through untyped to the SDK's ValueError."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "scripts" / "vault.py"
    tree = ast.parse(src.read_text())
    untyped = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "option":
            names = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if any(n in ("--receiver", "--for", "--to", "--epoch", "--max-payment") for n in names):
                if not any(k.arg == "type" for k in node.keywords):
                    untyped.append(names[0])
    assert untyped == []


# ------------------------------------------------------------------ item 12: errors name the option typed
@pytest.mark.parametrize("ths", ["-1", "abc", "0.0000000000000000001"])
def test_buy_errors_name_ths_not_shares(ths):
    with pytest.raises(InputError) as exc:
        VaultCommands(FakeVault()).buy(ths)
    assert exc.value.field == "--ths"


def test_client_errors_about_shares_are_reported_as_ths():
    class Full(FakeVault):
        def buy(self, shares, **kw):
            raise InputError("shares", f"{shares} exceeds what can be bought now")

    with pytest.raises(InputError) as exc:
        VaultCommands(Full()).buy("1")
    assert str(exc.value).startswith("--ths: ")


# ------------------------------------------------------------------ item 10: nothing claimable sends nothing
@pytest.mark.parametrize("args", [(), ("--for", OTHER), ("--to", OTHER)])
def test_claim_with_nothing_claimable_sends_nothing_and_exits_0(fake, args):
    code, out, errors = run("vault", "claim", *args)
    assert code == 0 and errors == [] and "nothing claimable" in out and "claimed 0" not in out
    assert fake.sent == []


def test_buy_prints_ths_and_usd_not_raw_units():
    """Issue 15: `vault buy` said "for 375000000 payment units"."""
    line = VaultCommands(FakeVault()).buy("25")
    assert line == f"bought 25 TH/s for 375.00 USD -> {ME}" and "units" not in line


def test_claim_with_something_claimable_claims():
    v = FakeVault(claimable=42)
    assert VaultCommands(v).claim() == "claimed 42 sats" and v.sent == [("claim", None)]
    assert VaultCommands(v).claim(OTHER) == f"claimed 42 sats for {OTHER}" and v.sent[-1] == ("claim_for", OTHER)


# ------------------------------------------------------------------ item 11: status in words, and --json
def test_status_is_words_not_a_python_dict(fake):
    code, out, errors = run("vault", "status")
    assert code == 0 and errors == [], out
    assert "{" not in out and "'mj_per_th'" not in out
    assert "energy 17.5 J/TH at 0.05 USD/kWh" in out and "performance fee 10% to" in out
    assert "sale ended 2026-09-21" in out and "sale ends" not in out and ", epoch 3" in out and "BTC/USD 100,000.00" in out
    assert f"you ({ME}): 25 TH/s, claimable 0.00000000 BTC (0 sats)" in out and out.rstrip().endswith("reportable epochs: [1]")
    assert "sold 25 / 1000 TH/s at 12.50 USD per TH/s" in out
    assert f"trust {ME}: bond 0.02661421 BTC (2,661,421 sats), 0.02661421 BTC (2,661,421 sats) covers the whole capacity; covers 10000.00%" in out
    assert "notified 0.00005000 BTC (5,000 sats), claimed 0.00001234 BTC (1,234 sats)" in out
    assert "settlement: no epoch settled yet; paused 1 time(s)" in out and "paused since" not in out


def test_status_json(fake):
    code, out, errors = run("vault", "status", "--json", "--holder", OTHER)
    assert code == 0 and errors == [], out
    data = json.loads(out)
    assert data["sold_ths"] == "25" and data["capacity_ths"] == "1000" and data["current_epoch"] == 3
    assert data["params"]["perf_bps"] == 1_000 and data["btc_usd"] == "100000" and data["reportable_epochs"] == [1]
    assert data["holder"] == {"address": OTHER, "shares": 25 * 10**18, "ths": "25", "claimable_sats": 0, "claimable_btc": "0"}
    assert (data["trust"], data["bond"], data["bond_btc"], data["required_bond"], data["coverage_bps"], data["settle_cursor"]) == (
        ME, 2_661_421, "0.02661421", 2_661_421, 1_000_000, 0)
    assert data["pauses"] == [{"start": T0 + 86_400, "end": T0 + 90_000}] and data["price_per_th_usd"] == "12.5"


def test_status_holder_is_typed(fake):
    code, out, errors = run("vault", "status", "--holder", "0x123")
    assert code == 2 and len(errors) == 1 and "Invalid value for '--holder'" in errors[0] and "20-byte hex address" in errors[0]
