"""Finding: one lost reply during the hand-back loses the whole window.

`TxSender._unstrand` first asks Anvil to remove every transaction of the account from its pool
(``anvil_removePoolTransactions``), then resends the in-flight bytes. When the removal's reply
is lost (the node removed them, the sender never hears so) it returns without resending; when
the resend is cut (the node never sees it) it returns as if it had handed them back. Either way
the node now holds none of them, and on every later stall `_unstrand` looks the first one up,
finds it unknown (``TransactionNotFound``) and does nothing: the sender itself emptied the pool,
and nothing hands the bytes back. The window sits until ``timeout`` (120 s by default, the CI
stall the commit fixes) and then goes to 0-value cancels: `TransactionError`, the run fails.

A flaky node must not make the sender misbehave (docs/reliability.md, "TxSender's repair
rule"): resending the same signed bytes is always safe, so a hand-back whose outcome is unknown
should be repeated (e.g. on an automining Anvil, an in-flight transaction at the next nonce that
the node does not know is simply resent)."""

from __future__ import annotations

import pytest
from review6_strand import ETH, payees, self_transfers, sender, strand_first_send

@pytest.mark.parametrize("fault", ["removal reply lost", "resend cut"])
def test_a_lost_reply_during_the_hand_back_does_not_lose_the_window(node, proxy, fault):
    url, w3 = node
    proxy = proxy
    to = payees(6, 1 if fault == "removal reply lost" else 2)
    s = sender(proxy.url, timeout=8.0)
    start = w3.eth.block_number
    handed = strand_first_send(s, w3)
    if fault == "removal reply lost":
        proxy.drop("anvil_removePoolTransactions", 1)  # the node removed them; the reply is lost
    else:  # the removal goes through; the resend batch right after it is cut unforwarded
        proxy.on("anvil_removePoolTransactions", 1, lambda: proxy.refuse("eth_sendRawTransaction", 1))
    receipts = s.transact_many([{"to": p, "value": ETH + i} for i, p in enumerate(to)], window=2, action="payroll")
    assert proxy.count("anvil_removePoolTransactions") >= 1  # the hand-back was reached
    assert [r["transactionHash"].to_0x_hex() for r in receipts] == handed
    assert [w3.eth.get_balance(p) for p in to] == [ETH + i for i in range(6)]
    assert self_transfers(w3, s.address, start + 1) == 0
