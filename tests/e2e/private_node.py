"""A private Anvil per test, and the senders, payees and stranded states the transaction tests
build on it (tests/e2e/test_tx_faults.py, tests/e2e/review6/, tests/e2e/test_agents_show.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from script_runs import free_port
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import TxSender

ETH = 10**18


@contextlib.contextmanager
def private_anvil(home: Path) -> Iterator[tuple[str, Web3]]:
    """A private Anvil devnet (automine) on a free port with its folder ``home``: (url, direct web3)."""
    port = free_port()
    devnet.start(port, home=home)
    try:
        yield devnet.url(port), Web3(Web3.HTTPProvider(devnet.url(port)))
    finally:
        devnet.stop(home=home)


@pytest.fixture
def node(tmp_path):
    """A private Anvil (automine) for one test: (url, direct web3)."""
    with private_anvil(tmp_path / "devnet") as n:
        yield n


@pytest.fixture
def proxy(node):
    """A `FlakyRpcProxy` in front of the test's Anvil."""
    with FlakyRpcProxy(node[0]) as p:
        yield p


def sender(url: str, payer: int, **kw) -> TxSender:
    """A sender for devnet account ``payer`` with short waits (unreachable 2 s, timeout 20 s unless given)."""
    kw.setdefault("unreachable_after", 2.0)
    kw.setdefault("timeout", 20.0)
    return TxSender(Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 5})), devnet_signer(payer), **kw)


def payees(n: int, salt: int, prefix: str = "payee") -> list[str]:
    return [Web3.to_checksum_address(Web3.keccak(text=f"{prefix}-{salt}-{i}")[-20:]) for i in range(n)]


def self_transfers(w3: Web3, address: str, first_block: int) -> int:
    """0-value self-transfers ``address`` mined since ``first_block`` (the sender's cancels)."""
    n = 0
    for b in range(first_block, w3.eth.block_number + 1):
        for tx in w3.eth.get_block(b, full_transactions=True)["transactions"]:
            if tx["from"] == address and tx["to"] == address and tx["value"] == 0:
                n += 1
    return n


def strand_first_send(s: TxSender, w3: Web3) -> list[str]:
    """Make the node strand what ``s`` sends first, the way Anvil's pool race does.

    Anvil reads the sender's nonce before it takes its pool's lock; a transaction arriving
    while the one before it is mined is filed behind that one's marker after the marker was
    pruned, and waits for a transaction that never comes (`TxSender._unstrand`). The race
    itself is rare (the load run's funding met it once); its end state is made here exactly:
    ``s`` signs from one nonce ahead, so its transactions queue behind nonce ``n``, and
    ``anvil_setNonce`` (sent straight to the node, ``w3``) then moves the account past ``n``
    without any transaction providing it. Returns the hashes ``s`` handed to the node (filled
    as it sends)."""
    n = w3.eth.get_transaction_count(s.address)
    s._nonce = n + 1
    handed: list[str] = []
    real_many, real_one = s._send_raw_many, s._send_raw

    def strand(pending) -> None:
        (real_many if isinstance(pending, list) else real_one)(pending)
        handed.extend(p.tx_hash for p in (pending if isinstance(pending, list) else [pending]))
        if not getattr(strand, "done", False):
            strand.done = True
            assert w3.provider.make_request("txpool_status", [])["result"]["queued"] != "0x0"
            w3.provider.make_request("anvil_setNonce", [s.address, hex(n + 1)])

    s._send_raw_many = strand  # type: ignore[method-assign]
    s._send_raw = strand  # type: ignore[method-assign]
    return handed
