"""The option types both command lines share, the one-line failure text, and the user-facing
parsing rules that used to differ between tools (issue 15, items 5, 6 and 10)."""

from decimal import Decimal

import click
from click.testing import CliRunner
import pytest

from hashtrust.chain.failures import explain, is_transport_error
from hashtrust.cli.params import Address, Hex32, IndexList, Number, Text
from hashtrust.erc8004.commands import is_registration_file, normalise_registration
from hashtrust.erc8004.registration import parse_registration
from hashtrust.errors import InputError


def _fails(t: click.ParamType, value, text: str) -> None:
    with pytest.raises(click.BadParameter, match=text):
        t.convert(value, None, None)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_numbers_are_finite(value):
    for kind in (int, float, Decimal):
        _fails(Number(kind), value, "not a finite number")


def test_number_ranges_and_whole_numbers():
    poll = Number(float, 0.2, 86_400)
    assert poll.convert("2", None, None) == 2.0
    _fails(poll, "0", "is not >= 0.2")
    _fails(Number(float, 0, 10, lo_open=True), "0", "is not > 0")
    assert Number(int, 1).convert("10_000", None, None) == 10_000
    assert Number(int, 1).convert("1e3", None, None) == 1_000
    _fails(Number(int, 1), "1.5", "not a whole number")
    _fails(Number(int, 1), "-5", "is not >= 1")
    _fails(Number(int, 0, 2**31 - 1), "99999999999", "is not >= 0 and <= 2,147,483,647")
    _fails(Number(float), "9" * 400, "too large")


@pytest.mark.parametrize(("text", "value"), [
    ("250,000", Decimal(250_000)), ("1,234.5", Decimal("1234.5")), ("12,345,678.25", Decimal("12345678.25")),
    ("10_000", Decimal(10_000)), ("-2.5", Decimal("-2.5")), (".5", Decimal("0.5")), ("1.5e-2", Decimal("0.015")), ("+3", Decimal(3)),
])
def test_numbers_grouped_in_thousands_are_read(text, value):
    assert Number(Decimal).convert(text, None, None) == value


@pytest.mark.parametrize("text", ["1,5", "1_0", "1,2,3", "1,23,456", "1234,567", "1,000_000", "250,00", ",5", "5,", "1__000"])
def test_a_separator_that_does_not_group_thousands_is_refused(text):
    """New-user review: every comma and underscore was dropped (`agents give 3 1,5` gave 15,
    `devnet faucet --usd 1,2,3` minted 123)."""
    for kind in (int, float, Decimal):
        _fails(Number(kind), text, "only group thousands")


@pytest.mark.parametrize("text", ["\u0661\u0662", "\uff11", "1 000", "0x10", "", "-", ".", "e3", "1.2.3"])
def test_only_ascii_digits_make_a_number(text):
    _fails(Number(Decimal), text, "is not a decimal")


def test_a_bad_number_names_its_option():
    @click.command()
    @click.option("--usd", type=Number(Decimal, 0))
    def cmd(usd):
        click.echo(usd)

    r = CliRunner().invoke(cmd, ["--usd", "1,2,3"])
    assert r.exit_code == 2 and "Invalid value for '--usd': '1,2,3' is not a decimal" in r.output, r.output


def test_addresses_hashes_and_text():
    assert Address().convert("0x" + "ab" * 20, None, None) == "0x" + "aB" * 20 or Address().convert("0x" + "ab" * 20, None, None).lower() == "0x" + "ab" * 20
    _fails(Address(), "0x" + "00" * 20, "zero address")
    assert Address(allow_zero=True).convert("0x" + "00" * 20, None, None) == "0x" + "00" * 20
    assert Hex32().convert("11" * 32, None, None) == b"\x11" * 32
    _fails(Hex32(nonzero=True), "0x" + "00" * 32, "must not be zero")
    _fails(Text(32), "x" * 33, "33 bytes; at most 32")
    _fails(Text(4), "ééé", "6 bytes")


def test_trusted_clients_mean_the_same_in_every_tool():
    """`--trusted-clients 20` is client 20 alone; `0-19` is clients 0..19 (the CLI used to read
    20 as "clients 0..19" and `ape run rank_agents` as "client 20")."""
    t = IndexList(256)
    assert t.convert("20", None, None) == [20]
    assert t.convert("0-19", None, None) == list(range(20))
    assert t.convert("0-2,2,7", None, None) == [0, 1, 2, 7]
    _fails(t, "0-100000", "more than 256 clients")
    _fails(t, "5-1", "runs backwards")
    _fails(t, "x", "client indexes")
    from hashtrust.cli import erc8004 as cli_erc8004

    rank = cli_erc8004.agents.commands["rank"]
    opt = next(p for p in rank.params if p.name == "trusted_clients")
    assert isinstance(opt.type, IndexList)
    # ... and `ape run rank_agents` (the script's own option) parses it with the same type
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("rank_agents_script", Path(__file__).resolve().parents[3] / "scripts" / "rank_agents.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    opt = next(p for p in script.cli.params if p.name == "trusted_clients")
    assert isinstance(opt.type, IndexList) and opt.type.convert("20", None, None) == [20]


def test_a_registration_file_takes_booleans_as_booleans():
    base = {"name": "A", "description": "a", "services": [{"name": "A2A", "endpoint": "https://a.example"}]}
    assert parse_registration({**base, "active": False}).active is False
    for field, value in (("active", "yes"), ("active", 1), ("x402Support", 1), ("x402Support", "true")):
        with pytest.raises(InputError, match=field):
            parse_registration({**base, field: value})


def test_registration_files_as_other_tools_write_them():
    older = {"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "A", "description": "a", "image": "",
             "endpoints": [{"name": "A2A", "endpoint": "https://a.example"}], "registrations": []}
    assert is_registration_file(older) and not is_registration_file({"agents": []}) and not is_registration_file([older])
    reg = parse_registration(normalise_registration(older))
    assert reg.services[0].endpoint == "https://a.example" and reg.image is None


def test_failures_are_one_line():
    import requests

    down = requests.exceptions.ConnectionError("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded\nwith url")
    assert is_transport_error(down)
    line = explain(down, rpc="http://127.0.0.1:1")
    assert "\n" not in line and "lost the connection to the node at http://127.0.0.1:1" in line and "run it again" in line
    weird = explain(RuntimeError("boom\n  at line 3"))
    assert weird == "RuntimeError: boom at line 3 (an unexpected failure; rerun with --debug to see where)"
    assert len(explain(InputError("x", "y" * 5_000))) <= 600


GOOD = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # Anvil account 3, EIP-55 checksummed
TYPO = "0x90F79bf6EB2c4f870365E785982E1f101E93b907"  # last digit changed: the checksum no longer matches


@pytest.mark.parametrize("text", [TYPO, "0x90F79BF6EB2c4f870365E785982E1f101E93b906", "0x90f79bf6eb2c4f870365e785982e1f101e93B906"])
def test_a_mixed_case_address_with_a_bad_checksum_is_a_typo_and_refused(text):
    """A new user's trial: web3 accepts mixed case whose EIP-55 checksum fails and "corrects" it, so
    `vault buy --receiver`, `devnet faucet`, `validations request` sent value to the typo."""
    from hashtrust.chain.checks import check_address

    with pytest.raises(click.BadParameter, match="bad EIP-55 checksum"):
        Address().convert(text, None, None)
    with pytest.raises(InputError, match="bad EIP-55 checksum"):
        check_address(text, "receiver")


def test_addresses_without_a_checksum_or_with_a_good_one_are_taken():
    from hashtrust.chain.checks import check_address

    for text in (GOOD, GOOD.lower(), "0x" + GOOD[2:].upper()):
        assert Address().convert(text, None, None) == GOOD
        assert check_address(text, "receiver") == GOOD
