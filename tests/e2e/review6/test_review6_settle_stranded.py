"""Finding: `settle` -- a rerun's first step -- never hands back what Anvil stranded.

The hand-back runs only inside the waits of `wait`, `_wait_many` and `_resolve`. `settle` (which
every resumable script calls before reading the chain: the rating run, the operator, the pool
watcher, deploy, agents register) polls ``pending``/``latest`` and the pool and sleeps; it never
calls `_unstrand`. So the state the commit fixes, met by a run that is killed or interrupted
while its transaction is stranded (or that only `submit`-ted it), is still fatal: the rerun's
`settle` sees the account's transactions queued with no gap to fill, waits its whole timeout and
raises ``... still pending after ...s; is the chain mining?``; every further rerun does the same,
and the work is never done. Nothing can fix it from the rerun's side either: a new sender has no
in-flight record, so it has no bytes to hand back. The same holds for the sender that sent them
(its own record is there, but `settle` does not use it).

Suggested fix: on an automining Anvil, when `settle` finds the account's next nonce held in the
queue without a gap, read the account's pool transactions (hashes from ``txpool_content``, raw
bytes from ``eth_getRawTransactionByHash``), remove them and resend the same bytes in nonce order
(the sender's own in-flight record where it has one)."""

from __future__ import annotations

import pytest
from review6_strand import ETH, payees, sender, strand_first_send

@pytest.mark.parametrize("who", ["a restarted run", "the same sender"])
def test_settle_lands_what_anvil_stranded(node, who):
    url, w3 = node
    to = payees(3, 4 if who == "a restarted run" else 5)
    first = sender(url, timeout=8.0)
    strand_first_send(first, w3)
    sent = [first.submit({"to": p, "value": ETH}, action="pay") for p in to]  # then the run is killed
    s = sender(url, timeout=8.0) if who == "a restarted run" else first
    assert s.settle(timeout=8.0) == sent[-1].nonce + 1
    assert [w3.eth.get_balance(p) for p in to] == [ETH] * 3
    assert all(w3.eth.get_transaction_receipt(p.tx_hash)["status"] == 1 for p in sent)
