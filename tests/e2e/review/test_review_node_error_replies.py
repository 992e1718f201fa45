"""A JSON-RPC error reply from the node to a read ends every command in a traceback.

web3 7 raises `Web3RPCError` (not a `ValueError`) for an error reply; `call_view` converts only
reverts, `ContractClient.logs` nothing, and the CLI's one-line handler catches `HashtrustError`
and `ValueError`. Hosted providers answer reads with such errors all the time (rate limits,
"header not found" from a lagging backend, a log range too wide), so a user on a real network
gets a web3 traceback -- with the endpoint URL, API key included, in it when the provider echoes
it -- instead of the README's one ``error:`` line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient

ROOT = Path(__file__).resolve().parents[3]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))


def test_review_node_error_reply_on_a_read_is_one_error_line(review_node, tmp_path):
    url, w3 = review_node
    books = tmp_path / "book"
    deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook(w3.eth.chain_id, books), only=["IdentityRegistry"])
    agent = IdentityClient.from_book(w3, AddressBook(w3.eth.chain_id, books), TxSender(w3, devnet_signer(1))).register("ipfs://agent")
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books))
    with FlakyRpcProxy(url) as proxy:
        proxy.reject("eth_call", times=100, message="daily request count exceeded, request rate limited")
        out = subprocess.run([HASHTRUST, "--rpc", proxy.url, "agents", "show", str(agent)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    lines = (out.stdout + out.stderr).strip().splitlines()
    # The CLI's one line is click's "Error: ..." (README, docs/cli.md and every other CLI test);
    # an error the CLI does not understand is "an unexpected failure", which this is not.
    assert out.returncode == 1 and "Traceback" not in out.stderr and lines[-1].startswith("Error: ") and "rate limited" in lines[-1], (
        f"exit {out.returncode}, last line: {lines[-1][:200] if lines else ''}"
    )
    assert "unexpected failure" not in lines[-1] and "Web3RPCError" not in lines[-1], (
        f"exit {out.returncode}, last line: {lines[-1][:200] if lines else ''}"
    )
