"""A flaky RPC never makes the SDK send a transaction twice.

Story: the node accepts alice's transfer but the reply is lost on the way back (or arrives
late); the sender resends the same signed bytes, finds the transaction already in, and
ends with exactly one transfer on chain."""

import pytest
from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import LocalSigner, TxSender


@pytest.fixture
def token(w3, deployer, alice):
    sender = TxSender(w3, LocalSigner.from_key(deployer.private_key))
    art = artifacts.load("DevToken")
    r = sender.deploy(art.abi, art.bytecode, "USD Stablecoin (devnet)", "USDC", 6)
    c = w3.eth.contract(address=r["contractAddress"], abi=art.abi)
    sender.transact(c.functions.mint(alice.address, 1_000_000))
    return c


@pytest.fixture
def proxy(w3):
    upstream = w3.provider.endpoint_uri
    with FlakyRpcProxy(upstream) as p:
        yield p


def _flaky_sender(proxy, key):
    w3p = Web3(Web3.HTTPProvider(proxy.url, request_kwargs={"timeout": 5}))
    return w3p, TxSender(w3p, LocalSigner.from_key(key))


def test_dropped_send_reply_is_not_sent_twice(w3, token, proxy, alice, bob):
    w3p, sender = _flaky_sender(proxy, alice.private_key)
    nonce0 = w3.eth.get_transaction_count(alice.address)
    proxy.drop("eth_sendRawTransaction", times=1)
    c = w3p.eth.contract(address=token.address, abi=token.abi)
    receipt = sender.transact(c.functions.transfer(bob.address, 1234))
    assert receipt["status"] == 1
    assert proxy.dropped == ["eth_sendRawTransaction"]
    # the sender found its transaction on chain instead of sending another
    assert proxy.seen.count("eth_sendRawTransaction") == 1
    assert w3.eth.get_transaction_count(alice.address) == nonce0 + 1
    assert token.functions.balanceOf(bob.address).call() == 1234
    logs = token.events.Transfer().get_logs(from_block=receipt["blockNumber"], to_block=receipt["blockNumber"])
    assert len(logs) == 1


def test_dropped_receipt_replies_and_slow_node_still_one_tx_each(w3, token, proxy, alice, bob):
    w3p, sender = _flaky_sender(proxy, alice.private_key)
    nonce0 = w3.eth.get_transaction_count(alice.address)
    proxy.drop("eth_getTransactionReceipt", times=3)
    proxy.delay("eth_sendRawTransaction", 0.3)
    c = w3p.eth.contract(address=token.address, abi=token.abi)
    receipts = sender.transact_many([c.functions.transfer(bob.address, i + 1) for i in range(5)])
    assert [r["status"] for r in receipts] == [1] * 5
    assert len(proxy.dropped) == 3
    assert w3.eth.get_transaction_count(alice.address) == nonce0 + 5
    assert token.functions.balanceOf(bob.address).call() == 15


def test_refused_send_is_resent_once_and_lands_once(w3, token, proxy, alice, bob):
    w3p, sender = _flaky_sender(proxy, alice.private_key)
    nonce0 = w3.eth.get_transaction_count(alice.address)
    proxy.refuse("eth_sendRawTransaction", times=2)
    c = w3p.eth.contract(address=token.address, abi=token.abi)
    receipt = sender.transact(c.functions.transfer(bob.address, 77))
    assert receipt["status"] == 1
    assert proxy.refused == ["eth_sendRawTransaction"] * 2
    assert proxy.seen.count("eth_sendRawTransaction") == 1  # only the third attempt reached the node
    assert w3.eth.get_transaction_count(alice.address) == nonce0 + 1
    assert token.functions.balanceOf(bob.address).call() == 77
