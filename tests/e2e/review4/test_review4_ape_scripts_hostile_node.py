"""Fourth review, finding 1 (severity Medium): the ape scripts (``ape run agents show ...``,
``register_agents``, ``validate``, ``operator``, ...) bypass every limit the second and third
reviews put on a node's replies. `hashtrust.chain.ape_support` hands the SDK
``networks.provider.web3``: ape's own web3 over a plain ``HTTPProvider`` (ape-node and
ape-foundry build ``Web3(HTTPProvider(uri, request_kwargs={"timeout": ...}))``), which reads a
reply whole, decodes it with the standard ``json`` (py_ecc raised the recursion limit, so deep
nesting overflows the C stack) and whose timeout is per socket read. The ``hashtrust --rpc``
command line goes through `SafeHTTPProvider`; the same work started from ape does not.

A node that answers ape's own connection calls honestly and then answers the SDK's first
``eth_call`` with 150 KB of ``[`` kills ``ape run agents show`` by SIGSEGV; dripping that reply a
byte a second holds it for ever (here: past 60 s; the SDK's deadline is 30 s).

Fix: on an http(s) endpoint the scripts' web3 is `hashtrust.chain.provider.connect(uri)` (the same
capped provider as the command line); ape keeps its own for what ape does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from review4_hostile_node import HostileMethodProxy

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient

ROOT = Path(__file__).resolve().parents[3]
APE = str(Path(sys.executable).with_name("ape"))


@pytest.fixture(scope="module")
def shown_agent(review4_node, tmp_path_factory):
    url, w3 = review4_node
    books = tmp_path_factory.mktemp("review4-ape-book")
    deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook(w3.eth.chain_id, books), only=["IdentityRegistry"])
    agent = IdentityClient.from_book(w3, AddressBook(w3.eth.chain_id, books), TxSender(w3, devnet_signer(1))).register("ipfs://agent")
    return url, books, agent


@pytest.mark.parametrize("mode", ["bomb", "drip"])
def test_review4_ape_script_survives_a_hostile_node_reply(shown_agent, mode):
    url, books, agent = shown_agent
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books), PYTHONPATH=str(ROOT / "src"))
    env.pop("APE_FOUNDRY_HOST", None)
    with HostileMethodProxy(url, "eth_call", mode) as proxy:
        start = time.monotonic()
        proc = subprocess.Popen([APE, "run", "agents", "show", str(agent), "--network", proxy.url], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=75)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            out, err = proc.communicate()
            pytest.fail(f"ape run agents show was still running after {time.monotonic() - start:.0f} s against a node dripping its eth_call reply")
        took = time.monotonic() - start
    assert proxy.hits >= 1, f"the hostile method was never called:\n{out}\n{err}"
    lines = (out + err).strip().splitlines()
    assert proc.returncode == 1, f"exit {proc.returncode} after {took:.0f} s (-11 is SIGSEGV); last lines: {lines[-3:]}"
    assert "Traceback" not in err and lines and lines[-1].startswith("Error: "), lines[-5:]
    assert "nested deeper" in lines[-1] if mode == "bomb" else "still sending its reply" in lines[-1], lines[-1]
