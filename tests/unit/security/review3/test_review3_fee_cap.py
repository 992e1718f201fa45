"""Third review, finding 9 (severity High on a real network): `TxSender` signs whatever fees the
node names. ``_fee_fields`` takes ``maxFeePerGas = 2 * baseFeePerGas + tip`` with the base fee from
the node's latest block and the tip from its ``eth_maxPriorityFeePerGas``, and nothing bounds
either (nor ``gasPrice`` on a legacy node). A hostile or compromised RPC endpoint (a free public
RPC, a MITM on a plain-http ``--rpc``) answers a tip of 100,000 gwei; the user's key signs a
transaction paying it, and the endpoint rebroadcasts those signed bytes to the real network,
where the builder keeps ``gas_used x tip``: most of the account's balance burned as fees on a
single ``hashtrust agents register``. The value cannot be taken back.

The node here is a loopback JSON-RPC endpoint answering the few calls a send makes; the signed
bytes it receives are decoded and their fee fields checked against a cap a user would accept.

Suggested fix: a fee ceiling in `TxSender` (``max_fee_per_gas`` option, default e.g. 500 gwei or
a multiple of a second opinion; ``--max-fee-gwei`` on the CLI) refusing to sign above it with
one clear `TransactionError` ("the node asks N gwei per gas, above your cap M"), and the same
ceiling on ``_cancel_tx``'s bumps.
"""

from __future__ import annotations

import json

from eth_account.typed_transactions import TypedTransaction
from eth_utils import keccak
from hexbytes import HexBytes
from review2_helpers import post_server

from hashtrust.chain.provider import connect
from hashtrust.chain.tx import LocalSigner, TxSender

KEY = "0x" + "4c" * 32
GWEI = 10**9
CAP = 1_000 * GWEI  # no honest Ethereum block has ever needed this per gas
HOSTILE_TIP = 100_000 * GWEI


def _node(sent: list[bytes]):
    answers = {
        "eth_chainId": "0x1",
        "eth_getBlockByNumber": {"number": "0x10", "gasLimit": hex(30_000_000), "baseFeePerGas": hex(10 * GWEI), "timestamp": "0x6553f100",
                                 "hash": "0x" + "11" * 32, "parentHash": "0x" + "22" * 32, "transactions": []},
        "eth_maxPriorityFeePerGas": hex(HOSTILE_TIP),
        "eth_gasPrice": hex(HOSTILE_TIP),
        "eth_estimateGas": hex(100_000),
        "eth_getTransactionCount": "0x0",
    }

    def answer(_path, body):
        req = json.loads(body)
        if req["method"] == "eth_sendRawTransaction":
            raw = bytes.fromhex(req["params"][0][2:])
            sent.append(raw)
            result = "0x" + keccak(raw).hex()
        else:
            result = answers.get(req["method"])
        if result is None:
            reply = {"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32601, "message": "method not found"}}
        else:
            reply = {"jsonrpc": "2.0", "id": req["id"], "result": result}
        return 200, {"Content-Type": "application/json"}, json.dumps(reply).encode()

    return answer


def test_the_sender_does_not_sign_a_fee_the_node_inflated():
    sent: list[bytes] = []
    with post_server(_node(sent)) as (url, _seen):
        w3 = connect(url, timeout=5)
        sender = TxSender(w3, LocalSigner.from_key(KEY))
        try:
            sender.submit({"to": "0x" + "55" * 20, "data": "0x"}, action="a harmless call")
        except Exception as exc:  # noqa: BLE001 - refusing to sign is the fix; anything else is checked below
            refused = str(exc)
        else:
            refused = ""
    if not sent:
        assert "fee" in refused.lower() or "gwei" in refused.lower(), f"nothing was sent, but not because of the fee: {refused[:200]}"
        return
    tx = TypedTransaction.from_bytes(HexBytes(sent[0])).as_dict()
    tip, max_fee, gas = int(tx["maxPriorityFeePerGas"]), int(tx["maxFeePerGas"]), int(tx["gas"])
    assert max_fee <= CAP and tip <= CAP, (f"signed and handed over a tx paying a tip of {tip // GWEI:,} gwei (max fee {max_fee // GWEI:,} gwei, "
                                          f"gas {gas:,}: up to {gas * max_fee / 10**18:.2f} ETH in fees) because the node said so")


def test_the_ceiling_is_configurable_and_validated(monkeypatch):
    from hashtrust.chain.tx import max_fee_ceiling
    from hashtrust.errors import TransactionError

    monkeypatch.delenv("HASHTRUST_MAX_FEE_GWEI", raising=False)
    assert max_fee_ceiling() == 500 * GWEI
    assert max_fee_ceiling(2.5) == 2_500_000_000
    monkeypatch.setenv("HASHTRUST_MAX_FEE_GWEI", "200000")
    assert max_fee_ceiling() == 200_000 * GWEI
    for bad in ("lots", "0", "-1", "nan"):
        monkeypatch.setenv("HASHTRUST_MAX_FEE_GWEI", bad)
        try:
            max_fee_ceiling()
        except TransactionError as exc:
            assert "HASHTRUST_MAX_FEE_GWEI" in str(exc) or "gwei" in str(exc)
        else:
            raise AssertionError(f"accepted a ceiling of {bad!r}")


def test_a_raised_ceiling_lets_the_same_fees_through(monkeypatch):
    monkeypatch.setenv("HASHTRUST_MAX_FEE_GWEI", "1000000")
    sent: list[bytes] = []
    with post_server(_node(sent)) as (url, _seen):
        sender = TxSender(connect(url, timeout=5), LocalSigner.from_key(KEY))
        sender.submit({"to": "0x" + "55" * 20, "data": "0x"}, action="a harmless call")
    tx = TypedTransaction.from_bytes(HexBytes(sent[0])).as_dict()
    assert int(tx["maxPriorityFeePerGas"]) == HOSTILE_TIP
