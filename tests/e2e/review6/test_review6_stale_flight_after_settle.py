"""Finding: bytes the sender gave up on come back with a later hand-back, after `settle` looked.

`settle` promises that "nothing of an earlier run executes after it looked": when the node's
pool holds nothing of the account it sets the next nonce to the mined one and returns. It does
not touch the in-flight record (`TxSender._flight`). When the pool lost the sender's
transactions without the sender knowing -- another sender of the same key handed its own back
(``anvil_removePoolTransactions`` deletes every transaction of the account: finding 2), the
devnet was restarted (its pool is not kept), a tool dropped them -- the record still holds their
signed bytes at nonces `settle` has just declared free. The script reads the chain, finds the
work undone and does what it now intends; the next time Anvil strands one of its transactions,
`_unstrand` hands back *every* entry of the record, the stale ones too, and they execute: the
earlier run's payment lands after `settle` looked, and the payee the script paid again (it read
the payee unpaid, as a resumable script does) is paid twice.

Suggested fix: the record must only hold what the node may hold: when `settle` (or anything
that sets the next nonce back) finds the pool empty, clear the record at and above the mined
nonce; and `_unstrand` should resend only entries the node still knows, or only up to the
highest nonce handed since the last reset."""

from __future__ import annotations

import pytest
from review6_strand import ETH, payees, sender, strand_first_send

def test_what_settle_declared_gone_never_executes_after_it(node):
    url, w3 = node
    earlier = payees(3, 20)
    s = sender(url, timeout=8.0)
    strand_first_send(s, w3)
    for p in earlier:  # the earlier payments wait in the pool (stranded, as Anvil's race leaves them)
        s.submit({"to": p, "value": ETH}, action="earlier payment")
    # The pool loses them without the sender knowing (another sender of this key handing its own
    # back, a devnet restart): nothing of the account is left in the pool.
    w3.provider.make_request("anvil_removePoolTransactions", [s.address])
    assert w3.provider.make_request("txpool_status", [])["result"] == {"pending": "0x0", "queued": "0x0"}
    mined = s.settle(timeout=8.0)  # nothing of the earlier run can execute after this
    assert mined == w3.eth.get_transaction_count(s.address)
    assert [w3.eth.get_balance(p) for p in earlier] == [0, 0, 0]
    # The script reads the last payee unpaid and pays it (today's plan: that payee only); Anvil
    # strands that payment, and the sender hands it back.
    strand_first_send(s, w3)
    assert s.transact({"to": earlier[2], "value": ETH}, action="pay")["status"] == 1
    # Fails: the stale bytes were handed back too; the earlier payment executed after settle.
    assert [w3.eth.get_balance(p) for p in earlier] == [0, 0, ETH], "paid twice"
