"""`TxSender` and an RPC endpoint that answers with an HTTP error status.

Hosted RPC providers rate-limit with HTTP 429, and gateways answer 502/504 when a backend is
slow or gone, sometimes after the backend took the request. web3 retries such a reply a few
times (about 2 s) and then raises `requests.HTTPError`, which `TxSender` treats neither as a
transport error (`_TRANSPORT_ERRORS`: retry the same bytes, look the transaction up) nor as a
refusal. So:

* **the node took the payment, the sender reports a raw error.** ``transact`` raises
  ``HTTPError: 429`` (a traceback in the CLI, not an ``error:`` line) for a payment that is
  mined; whoever retries it pays twice -- what the README's "a dropped RPC reply is retried with
  the same signed bytes, so it can never become a second transaction" promises cannot happen;
* **the node never saw it, and the sender is stuck for good.** Its local nonce moved past a
  transaction nobody holds and no doubt is recorded, so every later transaction waits behind
  the gap and is reported ``TransactionInDoubt``, forever (defect 6's "after a failed send
  TxSender stuck", back): a long-running validator or operator answers nothing until restarted.
"""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account
from review_proxies import HttpStatusProxy
from web3 import Web3

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.errors import HashtrustError, TransactionError

ETH = 10**18


@pytest.fixture
def payer(review_node):
    """(url, direct web3, a fresh funded key, a fresh payee)."""
    url, w3 = review_node
    key = "0x" + secrets.token_hex(32)
    TxSender(w3, devnet_signer(0)).transact({"to": Account.from_key(key).address, "value": 10 * ETH})
    payee = Web3.to_checksum_address("0x" + secrets.token_hex(20))
    return url, w3, key, payee


def _sender(url: str, key: str) -> TxSender:
    return TxSender(Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 5})), LocalSigner.from_key(key), timeout=10.0, unreachable_after=3.0)


def test_review_tx_http_429_after_the_node_took_the_payment_returns_its_receipt(payer):
    url, w3, key, payee = payer
    with HttpStatusProxy(url) as proxy:
        sender = _sender(proxy.url, key)
        proxy.storm("eth_sendRawTransaction", 429, forward=True)  # the node takes it; the replies are 429s
        try:
            outcome = sender.transact({"to": payee, "value": ETH})
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcome = exc
        finally:
            proxy.calm()
    assert w3.eth.get_balance(payee) == ETH  # the payment executed, once
    assert not isinstance(outcome, Exception), f"a mined payment was reported as {type(outcome).__name__}: {outcome}"
    assert outcome["status"] == 1


def test_review_tx_http_429_before_the_node_saw_it_does_not_wedge_the_sender(payer):
    url, w3, key, payee = payer
    address = Account.from_key(key).address
    with HttpStatusProxy(url) as proxy:
        sender = _sender(proxy.url, key)
        proxy.storm("eth_sendRawTransaction", 429, forward=False)
        try:
            sender.transact({"to": payee, "value": ETH})
            first: Exception | None = None
        except Exception as exc:  # noqa: BLE001 - inspected below
            first = exc
        proxy.calm()  # the rate limit is over
        assert isinstance(first, HashtrustError), f"the failed send raised {type(first).__name__}: {first}"  # one line, not a traceback
        try:
            receipt = sender.transact({"to": payee, "value": 2 * ETH})  # the next payment goes through
        except TransactionError as exc:
            pytest.fail(f"the sender is stuck after one refused send: {type(exc).__name__}: {str(exc)[:200]}")
    assert receipt["status"] == 1
    assert w3.eth.get_balance(payee) == 2 * ETH  # the first never executed, the second did
    assert w3.eth.get_transaction_count(address) == w3.eth.get_transaction_count(address, "pending")  # nothing left behind a gap


def test_review_tx_rpc_error_after_the_node_took_it_is_not_reported_never_to_execute(payer):
    """A gateway that forwarded the transaction and then answered a JSON-RPC error ("request
    timed out": the backend was slow) is taken at its word: `TxSender` reports the payment as
    refused ("it will never execute", in ``failed``) although the node holds it, and on this
    automining node it is already mined. Any error that does not prove the node refused the
    transaction must be settled (looked up, or its nonce replaced) before it is reported."""
    url, w3, key, payee = payer
    with HttpStatusProxy(url) as proxy:
        sender = _sender(proxy.url, key)
        proxy.storm("eth_sendRawTransaction", forward=True, rpc_error="request timed out")
        try:
            outcome = sender.transact({"to": payee, "value": ETH})
        except TransactionError as exc:
            outcome = exc
        finally:
            proxy.calm()
    if isinstance(outcome, TransactionError):
        executed = [h for h in outcome.failed if w3.eth.get_transaction_receipt(h)]
        assert not executed, f"reported as never executing, but mined: {executed} ({str(outcome)[:160]})"
    else:
        assert outcome["status"] == 1
    assert w3.eth.get_balance(payee) == ETH
