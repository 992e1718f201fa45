"""The `hashtrust` commands, run in-process (click's runner on the in-process devnet), with what a
new user types off the demo path, and with what a hostile agent owner registers.

The README promises one ``error: ...`` line, a non-zero exit and nothing changed for bad input,
and commands that can be rerun. Found:

* ``agents rate --window 0`` sends a feedback, then dies on ``IndexError: pop from an empty deque``;
* ``vault buy --ths nan`` / ``abc`` / ``inf`` die on `decimal` errors and ``--account-index``
  beyond the BIP-32 range on eth-utils' ``ValidationError``, none of them an ``error:`` line;
* ``validate --poll -1`` answers the pending requests, then fails on ``time.sleep(-1)``;
* ``agents show`` pretty-prints with indentation, so an 8 KB registration file of nested
  arrays (the URI limit) prints 33 MB (quadratic in the nesting);
* ``agents rate --generate N`` run again, the same command, after one more agent was
  registered, gives N more feedbacks: the rows are drawn over "all" agents as they are now,
  under the same row ids, and a row is recognised only by its content's hash.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hostile import hostile_call

import hashtrust.chain.addressbook as addressbook_mod
import hashtrust.cli as cli_mod
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.cli.context import Ctx
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import agent_uri
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import RequestFile, Status, ValidationClient

AGENTS = {"agents": [
    {"key": f"reviewer-{i}", "registration": {"name": f"Reviewer {i}", "description": "reviews code",
                                              "services": [{"name": "MCP", "endpoint": f"https://r{i}.example/mcp", "skills": ["code-review"]}]}}
    for i in (1, 2)
]}


@pytest.fixture(scope="module")
def world(w3, tmp_path_factory, deployer):
    assert deployer.address == devnet_signer(0).address  # the CLI's --account-index 0 is ape's account 0
    tmp = tmp_path_factory.mktemp("review-cli")
    books = tmp / "deployments"
    deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook.for_chain(w3, books))  # the whole plan, vault included (in the book the CLI reads)
    agents_file = tmp / "agents.json"
    agents_file.write_text(json.dumps(AGENTS))
    return {"w3": w3, "books": books, "tmp": tmp, "agents_file": agents_file}


@pytest.fixture
def hashtrust(world, monkeypatch):
    """``hashtrust(*args)``: the real command line, connected to the in-process chain."""
    monkeypatch.setattr(addressbook_mod, "DEFAULT_DIR", world["books"])
    class InProcessCtx(Ctx):  # a Ctx (the CLI's error path checks isinstance(obj, Ctx)) on the in-process chain
        def __init__(self, **kw):
            super().__init__(**kw, _w3=world["w3"])

    monkeypatch.setattr(cli_mod, "Ctx", InProcessCtx)

    def run(*args: str):
        return CliRunner().invoke(cli_mod.main, list(args))

    return run


def _book(world) -> AddressBook:
    return AddressBook.for_chain(world["w3"], world["books"])  # the book the CLI reads (per chain since main's dba9e01)


def _one_error_line(r) -> bool:
    """Ended by the CLI's own error path: exit 1 and an ``Error: ...`` line, or click's refusal of
    a bad option value (exit 2, its usage hint, then the ``Error: ...`` line) -- the CLI's
    convention since main's dba9e01, merged after the reviewed 21f996a, whose handler printed
    ``error: ...`` (click's runner keeps an unexpected exception in ``r.exception`` instead of
    printing its traceback)."""
    return r.exit_code in (1, 2) and isinstance(r.exception, SystemExit) and r.output.strip().splitlines()[-1].startswith("Error: ")


def _feedback_count(world, agent_ids) -> int:
    rep = ReputationClient.from_book(world["w3"], _book(world))
    return sum(len(list(rep.read_all(a))) for a in agent_ids)


def test_review_cli_rate_window_zero_is_refused_before_anything_is_sent(world, hashtrust):
    r = hashtrust("agents", "register", str(world["agents_file"]), "--no-progress")
    assert r.exit_code == 0, r.output
    r = hashtrust("agents", "rate", "--generate", "4", "--clients", "2", "--agents", "1,2", "--window", "0", "--no-progress")
    assert _one_error_line(r) and "window" in r.output, f"exit {r.exit_code}, {r.exception!r}: {r.output[-300:]}"
    assert _feedback_count(world, [1, 2]) == 0  # bad input changes nothing


@pytest.mark.parametrize("ths", ["nan", "abc", "inf"])
def test_review_cli_vault_buy_bad_amount_is_one_error_line(hashtrust, ths):
    r = hashtrust("--account-index", "5", "vault", "buy", "--ths", ths)
    assert _one_error_line(r) and "ths" in r.output.splitlines()[-1], f"exit {r.exit_code}, {r.exception!r}: {r.output[-300:]}"


def test_review_cli_account_index_out_of_range_is_one_error_line(hashtrust):
    r = hashtrust("--account-index", "99999999999", "vault", "status")
    assert _one_error_line(r) and "account-index" in r.output.splitlines()[-1], f"exit {r.exit_code}, {r.exception!r}: {r.output[-300:]}"


def test_review_cli_validate_negative_poll_answers_nothing(world, hashtrust):
    w3, book = world["w3"], _book(world)
    owner = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(1)))
    agent = owner.register(agent_uri(AGENTS["agents"][0]["registration"]))
    validator = devnet_signer(3).address
    req = RequestFile.build(w3.eth.chain_id, owner.address, agent, validator, {"job": 7}, created_at="2026-01-01T00:00:00Z")
    h, _ = ValidationClient.from_book(w3, book, owner.sender).request_file(validator, agent, req)
    r = hashtrust("--account-index", "3", "validate", "--poll", "-1")
    assert _one_error_line(r) and "poll" in r.output.splitlines()[-1], f"exit {r.exit_code}, {r.exception!r}: {r.output[-300:]}"
    assert ValidationClient.from_book(w3, book).attestation(agent, h).status == Status.PENDING  # refused before the first round


def test_review_cli_agents_show_output_is_bounded(world, hashtrust):
    w3, book = world["w3"], _book(world)
    mallory = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(9)))
    uri = b"data:application/json," + b"[" * 4_000 + b"]" * 4_000  # 8,022 bytes: within the 8,192-byte URI limit
    agent = mallory.agent_id_from_receipt(hostile_call(mallory, "register", uri, types=("string",)))
    r = hashtrust("agents", "show", str(agent))
    assert r.exit_code == 0, r.output[-300:]
    assert len(r.output) < 1 << 20, f"an {len(uri):,}-byte registration printed {len(r.output):,} characters"


def test_review_cli_rate_generate_rerun_gives_nothing_twice(world, hashtrust):
    r = hashtrust("agents", "register", str(world["agents_file"]), "--no-progress")
    assert r.exit_code == 0, r.output
    first = hashtrust("agents", "rate", "--generate", "6", "--clients", "2", "--seed", "5", "--no-progress")
    assert first.exit_code == 0 and "done: 6 sent" in first.output, first.output
    ids = list(range(1, IdentityClient.from_book(world["w3"], _book(world)).total_agents() + 1))
    # someone registers one more agent (on a devnet: the user, the demo, a test) ...
    IdentityClient.from_book(world["w3"], _book(world), TxSender(world["w3"], devnet_signer(8))).register("ipfs://another-agent")
    again = hashtrust("agents", "rate", "--generate", "6", "--clients", "2", "--seed", "5", "--no-progress")  # ... and the same command runs again
    assert again.exit_code == 0, again.output
    assert _feedback_count(world, ids + [len(ids) + 1]) == 6, again.output.splitlines()[-1]
