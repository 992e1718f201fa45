"""Finding: a hostile reply to the hand-back's look-up escapes `wait` as a raw error, unsettled.

`_unstrand` looks the stalled transaction up (``eth_getTransactionByHash``) and catches only
``TransactionNotFound`` and the transport / JSON-RPC error types. A node that answers the look-up
with something web3 cannot format (a string, a number, a ``blockNumber`` that is not a
quantity) makes web3 raise ``ValueError`` / ``TypeError``, which leaves `_unstrand`, the wait
loop and `transact`: no `_conclude`, no nonce put in doubt, no `TransactionError` or
`TransactionInDoubt` -- the caller gets a bare ``ValueError: Could not format invalid value 'zz'
as field 'blockNumber'`` and the sender goes on as if nothing were pending. The same happens in
`_resolve`'s wait (its loop calls `_unstrand` too), so not even the timeout's repair rule can run.
Before 620023d a wait never made this request. The docstring says "any doubt about the state
does nothing here"; a reply that cannot be read is such a doubt.

Suggested fix: in `_unstrand` (and `_on_automining_anvil`), treat any exception of a read as
"do nothing this time" (``except Exception``), as `_queued_nonces` does.

Fixed: any read the hand-back cannot make sense of does nothing; and the stranded state is now
read from the node's pool (the next nonce *queued*), not from the look-up, so the stranded
payment lands as signed whatever the look-ups say; the lost-transaction path (a look-up of ours)
meets the hostile reply and does nothing, as `test_..._lost_path` checks."""

from __future__ import annotations

import pytest
from review6_strand import ETH, payees, sender, strand_first_send

from hashtrust.errors import TransactionError

@pytest.mark.parametrize("reply", [{"blockNumber": "zz"}, 7], ids=["bad blockNumber", "a number"])
def test_a_malformed_look_up_during_the_hand_back_is_a_doubt_not_a_crash(node, proxy, reply):
    url, w3 = node
    proxy = proxy
    (payee,) = payees(1, 40 if isinstance(reply, dict) else 41)
    s = sender(proxy.url, timeout=5.0)
    handed = strand_first_send(s, w3)
    proxy.answer("eth_getTransactionByHash", reply)  # the node's look-ups from now on
    receipt = s.transact({"to": payee, "value": ETH}, action="pay")  # no crash: handed back from the pool
    assert receipt["transactionHash"].to_0x_hex() == handed[0]
    assert w3.eth.get_balance(payee) == ETH


@pytest.mark.parametrize("reply", [{"blockNumber": "zz"}, 7], ids=["bad blockNumber", "a number"])
def test_a_malformed_look_up_on_the_lost_path_does_nothing_and_the_timeout_settles(node, proxy, reply):
    """The other state the hand-back acts on -- our transaction at the next nonce unknown to the
    node -- is decided by a look-up; a look-up that cannot be read is no proof of loss: nothing
    is resent, and the timeout's repair rule settles the nonce (a cancel), as on any node."""
    url, w3 = node
    proxy = proxy
    (payee,) = payees(1, 42 if isinstance(reply, dict) else 43)
    s = sender(proxy.url, timeout=5.0)
    w3.provider.make_request("evm_setAutomine", [False])
    pending = s.submit({"to": payee, "value": ETH}, action="pay")
    w3.provider.make_request("anvil_dropAllTransactions", [])  # lost from the pool
    w3.provider.make_request("evm_setAutomine", [True])
    proxy.answer("eth_getTransactionByHash", reply)
    with pytest.raises(TransactionError) as info:
        s.wait(pending)
    assert info.value.failed == [pending.tx_hash]
    assert w3.eth.get_balance(payee) == 0
