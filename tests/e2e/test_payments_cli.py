"""`hashtrust agents serve | call | rate --paid-call`, as a user runs them.

Story: the Summarizer's owner runs ``agents serve 1`` (its paid service and a local facilitator,
one process); a client runs ``agents call 1 summarize`` and gets the answer and a receipt, then
``agents rate --paid-call`` gives a payment-backed feedback that verifies on chain. A second
feedback on the same payment, a call the client would overpay for, an inactive agent, a
receipt of someone else's and serving an agent with the wrong key each end in one error line,
exit code 1 and nothing sent. SIGTERM stops the servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from payments_world import SUMMARIZE_PRICE, anvil, refusing_port, registration

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.cli import main
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.payments.eip3009 import DevTokenClient
from hashtrust.payments.serving import free_port, port_in_use
from hashtrust.payments.verification import verify_feedback

ROOT = Path(__file__).resolve().parents[2]
CLIENT = 3  # devnet account of the paying client
BASE = "https://feedback.example/hashtrust/"  # where the client says it publishes its feedback folder
MALLORY = 9


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("x402-cli")
    with anvil(tmp, clock_ahead_s=86_400) as rpc, refusing_port() as offline:
        from web3 import Web3

        w3 = Web3(Web3.HTTPProvider(rpc))
        book = AddressBook(31337, tmp / "deployments")
        s0 = TxSender(w3, devnet_signer(0))
        deploy(w3, s0, book, only=("ReputationRegistry", "TestUSD"), log=lambda _s: None)
        ident = IdentityClient.from_book(w3, book, s0)
        port, fport = free_port(), free_port()
        assert ident.register(registration("Summarizer", port, 1, "summarize", SUMMARIZE_PRICE).to_data_uri()) == 1
        assert ident.register(registration("Retired", port, 2, "summarize", SUMMARIZE_PRICE, active=False).to_data_uri()) == 2
        assert ident.register(registration("Offline", offline, 3, "summarize", SUMMARIZE_PRICE).to_data_uri()) == 3  # nobody serves it
        usd = DevTokenClient.from_book(w3, book, s0)
        for who in (CLIENT, MALLORY):
            s0.transact(usd.contract.functions.mint(devnet_signer(who).address, 5_000_000))
        env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(tmp / "deployments"))
        proc = subprocess.Popen([str(Path(sys.executable).parent / "hashtrust"), "--rpc", rpc, "agents", "serve", "1", "--port", str(port),
                                 "--facilitator-port", str(fport)], cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = []
            deadline = time.monotonic() + 60
            while not any(ln.startswith("serving") for ln in lines):
                ln = proc.stdout.readline()
                assert ln or proc.poll() is None, "".join(lines)
                lines.append(ln)
                assert time.monotonic() < deadline, "".join(lines)
            yield {"rpc": rpc, "w3": w3, "book": book, "tmp": tmp, "proc": proc, "port": port, "fport": fport, "usd": usd,
                   "ident": ident, "serve_out": "".join(lines), "env": env}
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(15)


@pytest.fixture
def cli(node, monkeypatch):
    """Run `hashtrust --rpc <node> ...` in this process (address book of the node)."""
    import hashtrust.chain.addressbook as ab

    monkeypatch.setattr(ab, "DEFAULT_DIR", node["tmp"] / "deployments")
    monkeypatch.chdir(node["tmp"])

    def run(*args: str):
        r = CliRunner().invoke(main, ["--rpc", node["rpc"], *args])
        return r

    return run


def _one_error(r, text: str) -> None:
    assert r.exit_code == 1, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error:")]
    assert len(errors) == 1 and text in errors[0], r.output
    assert "Traceback" not in r.output


def test_serve_lists_its_service_and_facilitator(node):
    out = node["serve_out"]
    assert f"facilitator  http://127.0.0.1:{node['fport']}" in out
    assert "agent 1    summarize" in out and "/agents/1/summarize" in out and str(SUMMARIZE_PRICE) in out


def test_call_then_rate_gives_a_verified_payment_backed_feedback(node, cli):
    payer = devnet_signer(CLIENT).address
    r = cli("--account-index", str(CLIENT), "agents", "call", "1", "summarize", "--body", '{"text": "hi"}', "--receipt", "r1.json")
    assert r.exit_code == 0, r.output
    assert f"paid {SUMMARIZE_PRICE} atomic USD to {devnet_signer(0).address}" in r.output
    receipt = json.loads((node["tmp"] / "r1.json").read_text())
    assert receipt["payer"] == payer and json.loads(r.output.split("\n", 2)[2])["service"] == "summarize"
    # the file is too large for a data: URI: without a shareable --uri-base nothing is sent (no
    # file:// path on chain, issue 15 item 5)
    w3 = node["w3"]
    before = (w3.eth.block_number, w3.eth.get_transaction_count(payer))
    _one_error(cli("--account-index", str(CLIENT), "agents", "rate", "--paid-call", "r1.json", "--value", "92", "--tag1", "starred"),
               "--uri-base: the feedback file is too large for a data: URI")
    _one_error(cli("--account-index", str(CLIENT), "agents", "rate", "--paid-call", "r1.json", "--value", "92", "--uri-base", f"file://{node['tmp']}/feedback/"),
               "is not a URL others can fetch")
    assert (w3.eth.block_number, w3.eth.get_transaction_count(payer)) == before
    rate = ("--account-index", str(CLIENT), "agents", "rate", "--paid-call", "r1.json", "--uri-base", BASE)
    r = cli(*rate, "--value", "92", "--tag1", "starred")
    assert r.exit_code == 0, r.output
    assert "feedback 1 on agent 1" in r.output and "service attested" in r.output
    uri = r.output.split("feedbackURI", 1)[1].split()[0]
    assert uri.startswith(BASE) and "file:" not in r.output
    data = (node["tmp"] / "feedback" / uri.removeprefix(BASE)).read_bytes()
    v = verify_feedback(node["w3"], data, client=payer, agent_id=1, identity_registry=node["book"].address("IdentityRegistry"),
                        token=node["usd"].address)
    assert v.verified, v.reason
    # a rerun of the same feedback is done already: it says so, exit 0, nothing sent (item 8)
    before = (w3.eth.block_number, w3.eth.get_transaction_count(payer))
    r = cli(*rate, "--value", "92", "--tag1", "starred")
    assert r.exit_code == 0 and r.output.startswith(f"already on chain: feedback 1 on agent 1 from {payer}: 92"), r.output
    assert "nothing sent" in r.output and (w3.eth.block_number, w3.eth.get_transaction_count(payer)) == before
    # the same payment cannot back a second, different feedback
    r = cli(*rate, "--value", "100")
    _one_error(r, f"the payment in tx {receipt['txHash']} already backs feedback 1 of this client on agent 1 (92, tags 'starred'/''): one payment, one feedback")
    assert (w3.eth.block_number, w3.eth.get_transaction_count(payer)) == before
    # nor be rated by someone who did not pay
    r = cli("--account-index", str(MALLORY), "agents", "rate", "--paid-call", "r1.json", "--value", "100")
    _one_error(r, f"the paid call was paid by {payer}; give its feedback from that account")


def test_call_refusals_are_one_line_and_cost_nothing(node, cli):
    payer = devnet_signer(CLIENT).address
    before = node["usd"].balance_of(payer)
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "1", "summarize", "--max-price", "1000"),
               "the price 250000 is above the most you allow (1000); nothing was signed")
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "2", "summarize"), "agent 2 is not active")
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "1", "translate"), "agent 1 offers no x402 service 'translate'")
    _one_error(cli("--account-index", str(CLIENT), "agents", "rate", "--paid-call", "nope.json", "--value", "1"), "cannot read the paid-call receipt nope.json")
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "3", "summarize"), "the agent's service at http://127.0.0.1:")
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "1", "summarize", "--body", "@missing.json"), "cannot read the body file missing.json")
    assert node["usd"].balance_of(payer) == before


def test_a_malformed_body_or_a_taken_receipt_path_is_refused_before_paying(node, cli):
    """Issue 15, items 2 and 3: `--body '{bad'` was paid for, then rejected by the service; an
    existing `--receipt` file was overwritten (its payment could no longer back a feedback)."""
    payer = devnet_signer(CLIENT).address
    w3 = node["w3"]
    before = (node["usd"].balance_of(payer), w3.eth.block_number, w3.eth.get_transaction_count(payer))
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "1", "summarize", "--body", "{bad"),
               "--body: the text is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 2); nothing was paid")
    taken = node["tmp"] / "taken.json"
    taken.write_text('{"an": "earlier receipt"}')
    _one_error(cli("--account-index", str(CLIENT), "agents", "call", "1", "summarize", "--receipt", "taken.json"),
               "--receipt: taken.json already exists")
    assert taken.read_text() == '{"an": "earlier receipt"}'
    assert (node["usd"].balance_of(payer), w3.eth.block_number, w3.eth.get_transaction_count(payer)) == before


def test_serving_an_agent_with_the_wrong_key_is_refused(node, cli):
    _one_error(cli("--account-index", str(MALLORY), "agents", "serve", "1", "--port", str(free_port()), "--facilitator-port", str(free_port())),
               f"agent 1's wallet is {devnet_signer(0).address}, not this account {devnet_signer(MALLORY).address}")


def test_sigterm_stops_both_servers(node):
    proc = node["proc"]
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "stopped" in out
    assert not port_in_use("127.0.0.1", node["port"]) and not port_in_use("127.0.0.1", node["fport"])
