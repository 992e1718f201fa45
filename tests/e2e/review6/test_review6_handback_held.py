"""What held: attacks on the hand-back that the sender survives (kept as regressions).

* A node that lies about automining (it says so; nothing is mined): a transaction it holds
  ready (not queued) is not stranded, so nothing is taken out of its pool (the first version
  handed it back once a second); the timeout replaces the transaction, nothing is reported
  failed while the node does not mine, and once it mines exactly one transaction holds the
  nonce -- the one the sender settled on; the payment never executes after it.
* Any node that does not say it is Anvil costs one ``web3_clientVersion`` for the sender's
  life: no ``anvil_*`` call, and the timeout's repair rule settles a stranded transaction as
  before (what is reported failed has no receipt).
* The in-flight record does not grow over a long run: it is empty once everything is mined
  (windows, single transactions, a hand-back and a cancel included)."""

from __future__ import annotations

import time

import pytest
from review6_strand import ETH, payees, self_transfers, sender, strand_first_send

from hashtrust.errors import TransactionError, TransactionInDoubt


def test_a_node_lying_about_automine_gets_the_same_bytes_back_and_nothing_executes_twice(node, proxy):
    url, w3 = node
    proxy = proxy
    (payee,) = payees(1, 10)
    s = sender(proxy.url, timeout=4.0)
    proxy.answer("anvil_getAutomine", True)  # the node says it automines ...
    w3.provider.make_request("evm_setAutomine", [False])  # ... and mines nothing
    start, n = w3.eth.block_number, w3.eth.get_transaction_count(s.address)
    pending = s.submit({"to": payee, "value": ETH}, action="pay")
    began = time.monotonic()
    with pytest.raises(TransactionInDoubt):  # the cancel is sent, but the node mines nothing
        s.wait(pending)
    elapsed = time.monotonic() - began
    removals = proxy.count("anvil_removePoolTransactions")
    assert removals == 0, (removals, elapsed)  # held ready, not queued: the node is slow, not stranding it
    w3.provider.make_request("evm_setAutomine", [True])
    w3.provider.make_request("evm_mine", [])
    assert s.settle(timeout=10.0) == n + 1
    assert w3.eth.get_balance(payee) == 0  # its nonce went to a cancel: the payment never executes
    with pytest.raises(Exception):
        w3.eth.get_transaction_receipt(pending.tx_hash)
    assert self_transfers(w3, s.address, start + 1) == 1
    assert w3.eth.get_transaction_count(s.address) == n + 1


def test_a_node_that_is_not_anvil_costs_one_request_and_the_repair_rule_settles_the_strand(node, proxy):
    url, w3 = node
    proxy = proxy
    to = payees(4, 11)
    s = sender(proxy.url, timeout=4.0)
    proxy.answer("web3_clientVersion", "Geth/v1.14.0-stable/linux-amd64/go1.22")
    asked = proxy.count("web3_clientVersion")  # the dev-key guard's, when the sender was made
    start = w3.eth.block_number
    strand_first_send(s, w3)
    with pytest.raises(TransactionError) as info:
        s.transact_many([{"to": p, "value": ETH} for p in to], window=2, action="payroll")
    assert not isinstance(info.value, TransactionInDoubt)
    assert proxy.count("web3_clientVersion") == asked + 1  # once, on the first stall
    assert proxy.count("anvil_getAutomine") == proxy.count("anvil_removePoolTransactions") == 0
    for h in info.value.failed:
        with pytest.raises(Exception):
            w3.eth.get_transaction_receipt(h)
    assert self_transfers(w3, s.address, start + 1) >= 1
    balances = [w3.eth.get_balance(p) for p in to]
    assert all(b in (0, ETH) for b in balances)  # nothing paid twice
    assert balances.count(ETH) == len(to) - len(info.value.failed)  # all but what was reported failed


def test_the_in_flight_record_is_empty_once_everything_is_mined(node):
    url, w3 = node
    to = payees(40, 12)
    s = sender(url, timeout=10.0)
    strand_first_send(s, w3)  # the first window is stranded and handed back
    s.transact_many([{"to": p, "value": 1} for p in to], window=8, action="payroll")
    assert s._flight == {}
    for p in to[:3]:
        s.transact({"to": p, "value": 1}, action="pay")
    assert s._flight == {}
    assert [w3.eth.get_balance(p) for p in to] == [2] * 3 + [1] * 37
