"""Finding (low): on a node known not to be Anvil, `wait` still pays a read a second for the hand-back.

`wait` polls the receipt; since 620023d, every `stall_after` (1 s) without one it calls
`_unstrand()`, which first reads the account's mined nonce (``eth_getTransactionCount``) and
only then asks whether the node is an automining Anvil -- even when the sender has already
learnt (and cached, `TxSender._anvil`) that it is not. On a public chain (12 s blocks, a minute
or more for a congested transaction, a rate-limited provider) every wait costs one extra
request a second for nothing: nothing is ever handed back there.

Suggested fix: return from `_unstrand` before any request when ``self._anvil is False`` (and
ask ``web3_clientVersion`` first, before the nonce read, while it is unknown)."""

from __future__ import annotations

import threading

import pytest
from review6_strand import ETH, payees, sender

def test_waiting_on_a_node_that_is_not_anvil_costs_no_nonce_reads(node, proxy):
    url, w3 = node
    proxy = proxy
    (payee,) = payees(1, 30)
    s = sender(proxy.url, timeout=20.0)
    proxy.answer("web3_clientVersion", "Geth/v1.14.0-stable/linux-amd64/go1.22")  # a public chain's node
    w3.provider.make_request("evm_setAutomine", [False])  # its next block comes in 4 s
    pending = s.submit({"to": payee, "value": ETH}, action="pay")
    reads = proxy.count("eth_getTransactionCount")
    timer = threading.Timer(4.0, lambda: w3.provider.make_request("evm_mine", []))
    timer.start()
    try:
        assert s.wait(pending)["status"] == 1
    finally:
        timer.cancel()
    assert proxy.count("anvil_removePoolTransactions") == proxy.count("anvil_getAutomine") == 0  # it knows: not Anvil
    assert proxy.count("eth_getTransactionCount") == reads  # fails: about one read a second
