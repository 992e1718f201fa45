"""Filling a chain fast: pre-signed transactions from many accounts, sent in JSON-RPC batches.

Used by the scaling benchmarks to put 10,000 feedbacks (or 10,000 vault holders) on Anvil in
seconds. Not the project's script path (that is `hashtrust.tx.TxSender`, measured by
`benchmarks.throughput`): no preflight, fixed gas, explicit nonces. Every caller checks the
resulting chain state (counts read back from the contract), so a dropped or failed transaction
cannot go unnoticed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

BATCH = 250
CHUNK = 500


def derived_accounts(w3: Web3, rpc: str, n: int, salt: str, *, balance: int = 10**21) -> list[LocalAccount]:
    """``n`` throwaway accounts (keys from keccak(salt, i)), funded with anvil_setBalance."""
    accts = [Account.from_key(Web3.keccak(text=f"hashtrust-bench-{salt}-{i}")) for i in range(n)]
    rpc_batch(rpc, [("anvil_setBalance", [a.address, hex(balance)]) for a in accts])
    return accts


def rpc_batch(rpc: str, calls: Sequence[tuple[str, list]], *, session: requests.Session | None = None, batch: int = BATCH) -> list:
    """Send ``(method, params)`` calls as JSON-RPC batches; raise on the first error reply."""
    s = session or requests.Session()
    out: list = []
    for start in range(0, len(calls), batch):
        chunk = calls[start : start + batch]
        body = [{"jsonrpc": "2.0", "id": start + i, "method": m, "params": p} for i, (m, p) in enumerate(chunk)]
        replies = s.post(rpc, json=body, timeout=300).json()
        if isinstance(replies, dict):  # a batch-level error
            raise RuntimeError(f"rpc batch failed: {replies}")
        replies.sort(key=lambda r: r["id"])
        for r in replies:
            if "error" in r:
                raise RuntimeError(f"rpc call {body[r['id'] - start]['method']} failed: {r['error']}")
            out.append(r["result"])
    return out


def send_presigned(w3: Web3, rpc: str, txs: Iterable[tuple[LocalAccount, str, str]], *, gas: int) -> int:
    """Send ``(account, to, data)`` transactions with local nonces and fixed gas, in batches.

    Anvil signs them (``anvil_autoImpersonateAccount``): eth-account's pure-Python signing costs
    ~11 ms a transaction here, which would dominate a 20,000-transaction fill. Waits until every
    account's last transaction is mined and returns how many were sent; the caller verifies the
    effect on chain.
    """
    rpc_batch(rpc, [("anvil_autoImpersonateAccount", [True])])
    base = int(w3.eth.get_block("latest")["baseFeePerGas"])
    nonces: dict[str, int] = {}
    raws: list[tuple[str, list]] = []
    senders: list[tuple[str, str, str]] = []
    for acct, to, data in txs:
        senders.append((acct.address, to, data))
        if acct.address not in nonces:
            nonces[acct.address] = w3.eth.get_transaction_count(acct.address, "pending")
        tx = {
            "from": acct.address,
            "to": to,
            "data": data,
            "gas": hex(gas),
            "nonce": hex(nonces[acct.address]),
            "maxFeePerGas": hex(max(100 * base, 10 * 10**9)),
            "maxPriorityFeePerGas": hex(10**9),
        }
        nonces[acct.address] += 1
        raws.append(("eth_sendTransaction", [tx]))
    # automine off: a chunk goes into full blocks (evm_mine) instead of one block per transaction
    rpc_batch(rpc, [("evm_setAutomine", [False])])
    try:
        for start in range(0, len(raws), CHUNK):
            hashes = rpc_batch(rpc, raws[start : start + CHUNK])
            _wait_mined(rpc, senders[start : start + CHUNK], hashes)
    finally:
        rpc_batch(rpc, [("evm_setAutomine", [True]), ("anvil_autoImpersonateAccount", [False])])
    return len(raws)


def _wait_mined(rpc: str, senders: Sequence[tuple[str, str, str]], hashes: Sequence[str]) -> None:
    """Wait for every account's last transaction of a chunk (a batch may arrive out of nonce order)."""
    last: dict[str, str] = {}
    for (acct, _to, _data), h in zip(senders, hashes):
        last[acct] = h
    waiting = list(last.values())
    deadline = time.monotonic() + 600
    while waiting:
        receipts = rpc_batch(rpc, [("eth_getTransactionReceipt", [h]) for h in waiting])
        waiting = [h for h, r in zip(waiting, receipts) if r is None]
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"{len(waiting)} transactions not mined after 600 s")
        if waiting:
            rpc_batch(rpc, [("evm_mine", [])])
