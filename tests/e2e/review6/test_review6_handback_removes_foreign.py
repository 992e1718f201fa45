"""Finding: the hand-back deletes transactions of the same key that this sender did not send.

`TxSender._unstrand` removes *every* transaction of the account from Anvil's pool
(``anvil_removePoolTransactions``) but resends only the ones in its own in-flight record. A
transaction of the same key sent by anything else -- a second `TxSender` (another process, or
another part of the program holding its own sender), ``cast send``, a wallet -- is deleted from
the pool and never comes back: its sender was told it was handed to the node, and it never
executes. Here a second sender's payment, queued right behind the stranded one, would have been
mined the moment the first sender's transaction got back in; instead it is gone, its sender
waits out its timeout and cancels it (`TransactionError`).

Suggested fix: hand back only what is ours and leave the rest alone, or, before removing,
read the raw bytes of everything the pool holds for the account (``txpool_content`` hashes,
``eth_getRawTransactionByHash``) and resend all of it, ours and not ours, in nonce order."""

from __future__ import annotations

import pytest
from review6_strand import ETH, payees, sender, strand_first_send

def test_the_hand_back_leaves_another_senders_transaction_in_the_pool(node):
    url, w3 = node
    (mine, theirs) = payees(2, 3)
    a = sender(url, timeout=8.0)
    b = sender(url, timeout=8.0)  # the same key, another sender (a second process)
    strand_first_send(a, w3)
    pa = a.submit({"to": mine, "value": ETH}, action="pay")  # stranded at nonce n+1
    b._nonce = pa.nonce + 1  # b knows its next nonce (as a second process reading `pending` would after a's send)
    pb = b.submit({"to": theirs, "value": 2 * ETH}, action="pay")  # queued right behind it
    assert a.wait(pa)["status"] == 1  # a's own transaction is handed back and lands
    assert b.wait(pb)["status"] == 1  # b's was deleted by a's hand-back: never mined
    assert w3.eth.get_balance(theirs) == 2 * ETH
