"""The real commands against a registration file and a request file of 150,000 nested ``[``
(see tests/unit/security/review/test_review_json_bomb.py for why): mallory registers an agent
whose agentURI serves it and files a validation request whose requestURI serves it. Then the
user runs `hashtrust agents show`, `hashtrust agents rank` and the validator runs `hashtrust
validate --once`: each must end on its own (exit 0 or one ``error:`` line), the honest agent
ranked; each is killed by SIGSEGV instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import agent_uri
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient

ROOT = Path(__file__).resolve().parents[3]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "security" / "review"))
from review_helpers import body_server  # noqa: E402

BOMB = b"[" * 150_000
HONEST = {"name": "Honest Prover", "description": "re-executes jobs", "services": [{"name": "MCP", "endpoint": "https://prover.example/mcp", "skills": ["proving"]}]}
VALIDATOR = 4  # devnet account running `hashtrust validate`


@pytest.fixture(scope="module")
def bombed(review_node, tmp_path_factory):
    url, w3 = review_node
    books = tmp_path_factory.mktemp("bomb-book")
    deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook(w3.eth.chain_id, books), only=["IdentityRegistry", "ReputationRegistry", "ValidationRegistry"])
    book = AddressBook(w3.eth.chain_id, books)
    with body_server({"/agent.json": BOMB, "/request.json": BOMB}) as (base, hits):
        alice, mallory, bob = (TxSender(w3, devnet_signer(i)) for i in (1, 9, 2))
        honest = IdentityClient.from_book(w3, book, alice).register(agent_uri(HONEST))
        hostile = IdentityClient.from_book(w3, book, mallory).register(f"{base}/agent.json")
        ReputationClient.from_book(w3, book, bob).give(honest, 90, tag1="starred")
        ValidationClient.from_book(w3, book, mallory).request(devnet_signer(VALIDATOR).address, hostile, f"{base}/request.json", b"\x07" * 32)
        yield {"url": url, "books": books, "honest": honest, "hostile": hostile, "bob": bob.address, "hits": hits}


def _hashtrust(bombed, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(bombed["books"]))
    return subprocess.run([HASHTRUST, "--rpc", bombed["url"], *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _how(out: subprocess.CompletedProcess) -> str:
    return f"killed by {signal.Signals(-out.returncode).name}" if out.returncode < 0 else f"exit {out.returncode}: {(out.stdout + out.stderr)[-200:]}"


def test_review_cli_agents_show_survives_a_nested_registration_file(bombed):
    out = _hashtrust(bombed, "agents", "show", str(bombed["hostile"]))
    assert out.returncode == 0 and "uri" in out.stdout, _how(out)


def test_review_cli_agents_rank_survives_a_nested_registration_file(bombed):
    out = _hashtrust(bombed, "agents", "rank", "proving", "--trusted", bombed["bob"])
    assert out.returncode == 0 and "Honest Prover" in out.stdout, _how(out)


def test_review_cli_validate_survives_a_nested_request_file(bombed):
    out = _hashtrust(bombed, "--account-index", str(VALIDATOR), "validate", "--once")
    assert out.returncode in (0, 1) and "answered" in out.stdout, _how(out)
