"""--json prints a Decimal as a person writes it, never with an exponent (new-user review:
`devnet faucet ADDR --json` printed an empty ETH balance as "0E-18")."""

from __future__ import annotations

import json
from decimal import Decimal

import click
import pytest
from click.testing import CliRunner

from hashtrust.chain.faucet import FaucetResult, Grant
from hashtrust.chain.jsonsafe import plain_decimal
from hashtrust.cli.context import emit


@pytest.mark.parametrize(("d", "text"), [
    (Decimal(0).scaleb(-18), "0"), (Decimal(5).scaleb(-18), "0.000000000000000005"), (Decimal(1).scaleb(3), "1000"),
    (Decimal(-25).scaleb(-8), "-0.00000025"), (Decimal("0.00"), "0.00"), (Decimal("-2.50"), "-2.50"), (Decimal("1234.5"), "1234.5"),
])
def test_plain_decimal(d, text):
    assert plain_decimal(d) == text and Decimal(text) == d


def test_faucet_json_prints_an_empty_balance_as_0():
    zero = Decimal(0).scaleb(-18)
    res = FaucetResult("0x" + "11" * 20, [Grant("ETH", Decimal(1), zero, Decimal(10**18).scaleb(-18), "0xab")])
    g = res.to_json()["grants"][0]
    assert g["before"] == "0" and g["sent"] == "1.000000000000000000", g


def test_emit_prints_a_decimal_without_exponent():
    @click.command()
    def cmd():
        emit(True, {"a": Decimal(0).scaleb(-18), "b": [Decimal(7).scaleb(-20)]}, "")

    out = json.loads(CliRunner().invoke(cmd, []).output)
    assert out == {"a": "0", "b": ["0.00000000000000000007"]}
