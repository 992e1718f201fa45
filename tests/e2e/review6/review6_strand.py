"""Helpers of the sixth review's tests: a sender, payees, and Anvil's stranded state built exactly."""

from __future__ import annotations

from web3 import Web3

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.tx import TxSender

ETH = 10**18
PAYER = 6  # devnet account (Anvil funds 0-9)


def sender(url: str, **kw) -> TxSender:
    kw.setdefault("unreachable_after", 2.0)
    kw.setdefault("timeout", 10.0)
    return TxSender(Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 5})), devnet_signer(PAYER), **kw)


def payees(n: int, salt: int) -> list[str]:
    return [Web3.to_checksum_address(Web3.keccak(text=f"review6-payee-{salt}-{i}")[-20:]) for i in range(n)]


def self_transfers(w3: Web3, address: str, first_block: int) -> int:
    """0-value self-transfers ``address`` mined since ``first_block`` (the sender's cancels)."""
    n = 0
    for b in range(first_block, w3.eth.block_number + 1):
        for tx in w3.eth.get_block(b, full_transactions=True)["transactions"]:
            if tx["from"] == address and tx["to"] == address and tx["value"] == 0:
                n += 1
    return n


def strand_first_send(s: TxSender, w3: Web3) -> list[str]:
    """Make the node strand what ``s`` sends first, as Anvil's pool race does (the same
    construction as tests/e2e/test_tx_faults.py): ``s`` signs from one nonce ahead, so its
    transactions queue behind nonce ``n``; ``anvil_setNonce`` (sent straight to the node, ``w3``)
    then moves the account past ``n`` without any transaction providing it. Returns the hashes
    ``s`` handed to the node (filled as it sends)."""
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
