"""An x402 service entry that could never be called is refused by `agents register`, before
anything connects (issue 15, a new user's item: an entry without `service` registered and then
`agents call` could not name it). The payer and the server check entries read from chain with
the same function (`erc8004.registration.x402_entries`)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hashtrust.cli import main as cli
from hashtrust.erc8004.registration import x402_entries
from hashtrust.errors import InputError

DEAD = ["--rpc", "http://127.0.0.1:9"]
GOOD = {"name": "x402", "endpoint": "http://127.0.0.1:8402/agents/1/summarize", "service": "summarize", "price": "250000"}


def _reg(entry: dict, x402: bool = True) -> dict:
    return {"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "Summ", "description": "summarises",
            "services": [{"name": "MCP", "endpoint": "https://summ.example/mcp"}, entry], "x402Support": x402}


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({k: v for k, v in GOOD.items() if k != "service"}, "services[1].service", "must name the service"),
        ({**GOOD, "price": "a lot"}, "services[1].price", "atomic units"),
        ({**GOOD, "price": "0"}, "services[1].price", "must be positive"),
        ({**GOOD, "endpoint": "ftp://x/y"}, "services[1].endpoint", "http(s) URL"),
        ({**GOOD, "method": "PUT"}, "services[1].method", "GET or POST"),
    ],
)
def test_register_refuses_an_uncallable_x402_entry(tmp_path, entry, field, words):
    standard = tmp_path / "summ.json"
    standard.write_text(json.dumps(_reg(entry)))
    listed = tmp_path / "agents.json"
    listed.write_text(json.dumps({"agents": [{"key": "summ", "registration": _reg(entry)}]}))
    for path, place in ((standard, f"summ.json.{field}"), (listed, f"agents[0].registration.{field}")):
        r = CliRunner().invoke(cli, DEAD + ["agents", "register", str(path)])
        errors = [ln for ln in r.output.splitlines() if ln.startswith("Error:")]
        assert r.exit_code == 1 and len(errors) == 1, r.output
        assert place in errors[0] and words in errors[0] and "127.0.0.1:9" not in errors[0], errors  # refused before connecting


def test_entries_are_only_checked_when_x402_is_declared():
    assert x402_entries(_reg({k: v for k, v in GOOD.items() if k != "service"}, x402=False), "") == []
    (e,) = x402_entries(_reg(GOOD), "")
    assert e == {"index": 1, "service": "summarize", "endpoint": GOOD["endpoint"], "price": 250000, "method": "POST", "description": ""}
    with pytest.raises(InputError, match=r"^agent 7 services\[1\]\.service: must name the service"):
        x402_entries(_reg({**GOOD, "service": ""}), "agent 7 ")
