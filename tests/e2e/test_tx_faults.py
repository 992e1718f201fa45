"""Transaction faults: whatever the node does, nothing `TxSender` reports failed ever executes,
nothing is sent twice, and a rerun ends in exactly the intended state (issue 22, defect 6).

Story: the treasurer pays a payroll (one transfer per payee, sent in batches by
`TxSender.transact_many`) through `FlakyRpcProxy` to a private Anvil. At each step of the batched
send -- the preflight, the send, between the send and the receipt, the receipt, after the
receipt -- the node refuses (a JSON-RPC error), drops (processes the request, the reply is lost)
or goes away (every request cut). Then the payroll is run again, the way the project's scripts
resume: a new sender (a restart) settles the account, reads what is paid and sends the rest.
After it: every payee holds exactly its pay, every transaction the first run reported failed has
no receipt, and the account's nonce equals the payroll's transfers plus the 0-value
self-transfers the sender used to cancel what it could not confirm.

The faults fire at an exact request count (`FlakyRpcProxy.on`), never at a time, so every case
is deterministic.
"""

from __future__ import annotations

import pytest
from private_node import ETH, node, payees, proxy, self_transfers, sender, strand_first_send  # noqa: F401 - node, proxy: fixtures
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import TxSender
from hashtrust.errors import RevertError, TransactionError, TransactionInDoubt

PAYER = 5  # devnet account (Anvil funds 0-9)


def _sender(url: str, **kw) -> TxSender:
    return sender(url, PAYER, **kw)


def _payees(n: int, salt: int) -> list[str]:
    return payees(n, salt)


_self_transfers = self_transfers


# ---------------------------------------------------------------------------- regressions
def test_defect6_a_payment_survives_an_outage_and_a_retry_never_pays_twice(node, proxy):
    """Issue 22, defect 6, as reproduced: the node takes a 1 ETH payment, the reply is lost, and
    the endpoint stays away for the sender's six resends and look-ups (~10 s). The old sender
    reported the payment failed; the user retried it and the payee held 2 ETH."""
    url, w3 = node
    (payee,) = _payees(1, 6)
    sender = _sender(proxy.url, unreachable_after=30.0)
    proxy.drop("eth_sendRawTransaction", 1)  # the payment is in; its reply is lost
    proxy.on("eth_getTransactionByHash", 1, lambda: proxy.go_down(requests=11))  # then ~10 s of nothing
    try:
        receipt = sender.transact({"to": payee, "value": ETH}, action="pay")
        assert receipt["status"] == 1
    except TransactionError as exc:
        assert not isinstance(exc, TransactionInDoubt), exc  # in doubt: a retry would be the user's mistake
        sender.transact({"to": payee, "value": ETH}, action="pay again")  # reported failed: the user retries
    assert w3.eth.get_balance(payee) == ETH


def test_defect6_a_refused_send_leaves_no_gap_and_a_restart_sees_queued_transactions(node, proxy):
    """A send the node refuses consumed its nonce: the next payment queued behind the gap, was
    reported as "no receipt", and executed later, when a restarted run filled the gap."""
    url, w3 = node
    a, b, c = _payees(3, 7)
    sender = _sender(proxy.url, timeout=3.0)
    proxy.reject("eth_sendRawTransaction", 1, "txpool is full")
    with pytest.raises(TransactionError):
        sender.transact({"to": a, "value": ETH}, action="pay a")  # refused: reported failed
    try:
        sender.transact({"to": b, "value": ETH}, action="pay b")
        b_reported = "paid"
    except TransactionError:
        b_reported = "failed"
    restart = _sender(proxy.url)
    restart.settle()
    restart.transact({"to": c, "value": ETH}, action="pay c")
    assert w3.eth.get_balance(a) == 0  # reported failed: never executes
    assert w3.eth.get_balance(b) == (ETH if b_reported == "paid" else 0), b_reported
    assert w3.eth.get_balance(c) == ETH


def test_defect6_settle_fills_a_gap_so_queued_transactions_land_before_the_chain_is_read(node):
    """A crashed run left a transaction queued behind a nonce gap: `settle` must see it (the
    node's queued pool, not only its pending count) and repair the gap before the rerun reads."""
    url, w3 = node
    (payee,) = _payees(1, 8)
    signer = devnet_signer(PAYER)
    n = w3.eth.get_transaction_count(signer.address)
    fees = {"maxFeePerGas": 2 * w3.eth.get_block("latest")["baseFeePerGas"] + 10**9, "maxPriorityFeePerGas": 10**9}
    raw = signer.sign_transaction({"chainId": 31337, "nonce": n + 1, "gas": 21_000, "to": payee, "value": ETH, **fees})
    w3.eth.send_raw_transaction(raw)  # nonce n never arrived: this one waits behind the gap
    restart = _sender(url)
    nxt = restart.settle()
    queued = w3.provider.make_request("txpool_content", [])["result"]["queued"]
    assert signer.address.lower() not in {k.lower() for k in queued}, queued
    assert w3.eth.get_transaction_count(signer.address) == nxt == n + 2
    assert w3.eth.get_balance(payee) == ETH  # landed before the rerun reads the chain


def test_defect6_a_transaction_reported_failed_cannot_execute_even_if_rebroadcast(node, proxy):
    """The node loses a sent payment from its pool (evicted) and mines nothing for it: no
    receipt within the timeout. The sender replaces the nonce with a 0-value self-transfer
    before it reports the payment failed, so the payment's signed bytes, rebroadcast later by
    anyone, can never execute (the old sender reported "no receipt" and left the nonce open).
    The node says it is geth: an automining Anvil would get the lost bytes handed back instead
    (`TxSender._unstrand`, tests/e2e/review6/test_review6_handback_lost_reply.py)."""
    url, w3 = node
    (payee,) = _payees(1, 9)
    sender = _sender(proxy.url, timeout=2.0)
    proxy.answer("web3_clientVersion", "Geth/v1.14.0-stable/linux-amd64/go1.22")
    w3.provider.make_request("evm_setAutomine", [False])
    pending = sender.submit({"to": payee, "value": ETH}, action="pay")
    w3.provider.make_request("anvil_dropTransaction", [pending.tx_hash])  # evicted from the pool
    w3.provider.make_request("evm_setAutomine", [True])
    with pytest.raises(TransactionError) as err:
        sender.wait(pending)
    assert not isinstance(err.value, TransactionInDoubt)
    assert err.value.failed == [pending.tx_hash] and "will never execute" in str(err.value)
    with pytest.raises(Exception, match="nonce too low"):
        w3.eth.send_raw_transaction(pending.raw)  # the rebroadcast of what was reported failed
    assert w3.eth.get_balance(payee) == 0
    sender.transact({"to": payee, "value": ETH}, action="pay again")  # the retry after a failure is safe
    assert w3.eth.get_balance(payee) == ETH


def test_a_window_anvil_strands_lands_as_signed_and_nothing_is_cancelled(node):
    """Found by CI: `make load`'s funding (1,000 transfers in pipelined windows of 64) stalled
    120 s at one transfer Anvil held but never mined; the sender cancelled it and the run
    failed. Now the sender hands what Anvil stranded back (same signed bytes) after a second
    without progress: every transfer lands with the hash it was signed with, and no 0-value
    self-transfer is mined (on the old sender: `TransactionError ... went to the 0-value
    self-transfer`)."""
    url, w3 = node
    payees = _payees(6, 31)
    sender = _sender(url, timeout=15.0)
    start = w3.eth.block_number
    handed = strand_first_send(sender, w3)
    receipts = sender.transact_many([{"to": p, "value": ETH + i} for i, p in enumerate(payees)], window=2, action="payroll")
    assert [r["transactionHash"].to_0x_hex() for r in receipts] == handed
    assert all(r["status"] == 1 for r in receipts)
    assert [w3.eth.get_balance(p) for p in payees] == [ETH + i for i in range(6)]
    assert _self_transfers(w3, sender.address, start + 1) == 0


def test_a_single_transaction_anvil_strands_lands_as_signed(node):
    """The same for one `transact` (its wait polls the receipt, not the nonce)."""
    url, w3 = node
    (payee,) = _payees(1, 32)
    sender = _sender(url, timeout=15.0)
    start = w3.eth.block_number
    handed = strand_first_send(sender, w3)
    receipt = sender.transact({"to": payee, "value": ETH}, action="pay")
    assert receipt["transactionHash"].to_0x_hex() == handed[0] and receipt["status"] == 1
    assert w3.eth.get_balance(payee) == ETH
    assert _self_transfers(w3, sender.address, start + 1) == 0


def test_a_node_that_does_not_automine_gets_nothing_handed_back(node):
    """Nothing is taken out of a pool that is not Anvil's automining one: without automine a
    transaction waits for a block, not for a fix (the wait's timeout settles it as before)."""
    url, w3 = node
    (payee,) = _payees(1, 33)
    sender = _sender(url, timeout=15.0)
    w3.provider.make_request("evm_setAutomine", [False])
    pending = sender.submit({"to": payee, "value": ETH}, action="pay")
    assert sender._unstrand() is False
    assert w3.eth.get_transaction(pending.tx_hash)["blockNumber"] is None  # still held, untouched
    w3.provider.make_request("evm_setAutomine", [True])
    w3.provider.make_request("evm_mine", [])
    assert sender.wait(pending)["transactionHash"].to_0x_hex() == pending.tx_hash


# ---------------------------------------------------------------------------- the matrix
STEPS = {
    # step of the batched send (3 windows of 4) -> (method whose n-th call the fault hits, n)
    "before the first send (preflight)": ("eth_call", 1),
    "a send in mid-run (2nd window)": ("eth_sendRawTransaction", 5),
    "between a send and its receipt": ("eth_getTransactionCount", 3),
    "the first receipts": ("eth_getTransactionReceipt", 1),
    "the last receipts, after the last send": ("eth_getTransactionReceipt", 9),
}
FAULTS = ("refuse", "drop", "away")
N_PAYEES, WINDOW = 12, 4


def _payroll(sender: TxSender, payees: list[str], w3: Web3) -> tuple[list[str], str | None]:
    """Pay every payee not paid yet (the idempotent job); returns (hashes it reported failed, error)."""
    todo = [p for p in payees if w3.eth.get_balance(p) == 0]
    try:
        sender.transact_many([{"to": p, "value": ETH + i} for i, p in enumerate(payees) if p in todo], window=WINDOW, action="payroll")
    except TransactionError as exc:
        return list(exc.failed), f"{type(exc).__name__}: {exc}"
    except RevertError as exc:
        return [exc.tx_hash] if exc.tx_hash else [], f"RevertError: {exc}"
    return [], None


def _fault(proxy: FlakyRpcProxy, kind: str, method: str, nth: int) -> None:
    if kind == "refuse":
        proxy.on(method, nth, lambda: proxy.reject(method, 1, "node refuses: overloaded"))
    elif kind == "drop":
        proxy.on(method, nth, lambda: proxy.drop(method, 1))
    else:
        proxy.on(method, nth, proxy.go_down)


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("step", list(STEPS))
def test_batched_send_fault_then_rerun_ends_in_the_intended_state(node, proxy, step, kind):
    _fault_then_rerun(node, proxy, step, kind, restart=True)


@pytest.mark.parametrize("step", list(STEPS))
def test_node_away_then_the_same_sender_goes_on_and_ends_in_the_intended_state(node, proxy, step):
    """No restart: the sender that raised `TransactionInDoubt` is used again once the node is
    back; it settles what was in doubt before it sends anything new."""
    _fault_then_rerun(node, proxy, step, "away", restart=False)


def _fault_then_rerun(node, proxy, step: str, kind: str, *, restart: bool) -> None:
    url, w3 = node
    salt = list(STEPS).index(step) * 10 + FAULTS.index(kind)
    payees = _payees(N_PAYEES, 100 + salt)
    payer = devnet_signer(PAYER).address
    nonce0, block0 = w3.eth.get_transaction_count(payer), w3.eth.block_number
    method, nth = STEPS[step]
    _fault(proxy, kind, method, nth)

    first = _sender(proxy.url)
    failed, error = _payroll(first, payees, w3)
    proxy.come_up()
    if restart:
        again = _sender(proxy.url)  # a rerun: a new process's sender
        again.settle()
    else:
        again = first
    failed2, error2 = _payroll(again, payees, w3)
    assert error2 is None, f"the rerun failed: {error2} (first run: {error})"
    assert not failed2

    for i, p in enumerate(payees):  # the intended state, each transfer once
        assert w3.eth.get_balance(p) == ETH + i, (step, kind, i, error)
    for h in failed:  # nothing reported failed ever executed
        with pytest.raises(Exception):
            w3.eth.get_transaction_receipt(h)
    cancels = _self_transfers(w3, payer, block0 + 1)
    assert w3.eth.get_transaction_count(payer) == nonce0 + N_PAYEES + cancels, (step, kind, error)
    assert not w3.provider.make_request("txpool_content", [])["result"]["queued"]
    how = "restart" if restart else "same sender"
    print(f"{step} / {kind} / {how}: first run {error or 'succeeded'}; {len(failed)} reported failed, {cancels} cancel(s)")
