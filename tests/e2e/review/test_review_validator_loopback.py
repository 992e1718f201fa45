"""On a real network, `hashtrust validate` fetches loopback URLs any requester names, and its
on-chain answer tells the requester what it found.

The resolver allows http(s) to 127.0.0.0/8 and ::1 by default ("a local devnet's file server"),
and the validate command builds its policy without asking which chain it serves. So a requester
on a public chain (anyone who registers an agent) can make the validator GET any URL on the
validator's own machine -- a node's admin API, a metrics page, a local wallet or signer, a
database's HTTP port -- and reads the outcome on chain: a URL that answered 200 within the cap is
answered 0 at once, with the response file's reason "request file does not hash to requestHash"
(and "malformed request file" when the requester guessed the body's hash: a content oracle);
anything else stays pending. That is issue 22's defect 4 (the fetch told the world which files
exist on the validator's machine), for local services instead of files. Off a devnet, loopback
should be fetched only when the operator asks for it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from public_chain import FAUCET_KEY, USER_KEY, fake_sepolia

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.validation import Status, ValidationClient

ROOT = Path(__file__).resolve().parents[3]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "security" / "review"))
from review_helpers import body_server  # noqa: E402


def test_review_validator_on_a_real_network_does_not_fetch_loopback(tmp_path):
    with fake_sepolia(tmp_path) as (url, w3), body_server({"/admin/status": b'{"unlocked": true, "accounts": 3}'}) as (base, hits):
        books = tmp_path / "book"
        deploy(w3, TxSender(w3, LocalSigner.from_key(USER_KEY)), AddressBook(w3.eth.chain_id, books))  # the registries only
        book = AddressBook(w3.eth.chain_id, books)
        faucet = TxSender(w3, LocalSigner.from_key(FAUCET_KEY))
        mallory_key, validator_key = "0x" + secrets.token_hex(32), "0x" + secrets.token_hex(32)
        for k in (mallory_key, validator_key):
            faucet.transact({"to": Account.from_key(k).address, "value": 10**19})
        mallory = TxSender(w3, LocalSigner.from_key(mallory_key))
        agent = IdentityClient.from_book(w3, book, mallory).register("https://mallory.example/agent.json")
        h = b"\x42" * 32
        ValidationClient.from_book(w3, book, mallory).request(Account.from_key(validator_key).address, agent, f"{base}/admin/status", h)
        env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books), VALIDATOR_KEY=validator_key)
        out = subprocess.run([HASHTRUST, "--rpc", url, "--private-key-env", "VALIDATOR_KEY", "validate", "--once"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        state = ValidationClient.from_book(w3, book).attestation(agent, h)
    assert out.returncode in (0, 1), out.stdout + out.stderr
    assert hits.get("/admin/status", 0) == 0, f"the validator fetched the requester's loopback URL: {out.stdout.strip()}"
    assert state.status == Status.PENDING  # nothing on chain tells what is listening on the validator's machine
