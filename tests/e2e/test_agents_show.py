"""`hashtrust agents show` over hostile agent URIs, through the real command on a real Anvil
(issue 22, defect 7: `agents show` read a plain path or ``file://`` agentURI from the local
disk, without limits; an agentURI ``/dev/stdin`` -- here a FIFO nobody writes -- hung it).

Story: mallory registers agents whose URIs point at the user's own machine (a FIFO, a secret
JSON file as ``file://`` and as a plain path) and one whose URI is not even UTF-8 (terminal
escapes and invalid bytes); alice registers an honest agent with a ``data:`` registration file.
The user runs `hashtrust agents show N` for each: every command ends at once with exit 0, the
honest agent's file is printed, each hostile one prints its URI (escaped) and why it was not read,
and the secret's contents are never printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from eth_abi import encode
from private_node import node  # noqa: F401 - the fixture
from script_runs import ROOT
from web3 import Web3

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import agent_uri

HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))
REG = {"name": "Honest Prover", "description": "re-executes jobs", "services": [{"name": "MCP", "endpoint": "https://prover.example/mcp", "skills": ["proving"]}]}


def _show(url: str, book_dir: Path, agent_id: int) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "HASHTRUST_DEPLOYMENTS": str(book_dir)}
    t0 = time.monotonic()
    out = subprocess.run([HASHTRUST, "--rpc", url, "agents", "show", str(agent_id)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return out, time.monotonic() - t0


def test_defect7_agents_show_never_reads_local_files_or_hangs(node, tmp_path):
    url, w3 = node
    book_dir = tmp_path / "book"
    deployed = subprocess.run([HASHTRUST, "--rpc", url, "--account-index", "0", "deploy", "--only", "IdentityRegistry"],
                              cwd=ROOT, env={**os.environ, "HASHTRUST_DEPLOYMENTS": str(book_dir)}, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    book = AddressBook.for_chain(w3, book_dir)
    alice = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(1)))
    mallory = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(2)))

    secret = tmp_path / "wallet.json"
    secret.write_text(json.dumps({"name": "SECRET-SEED-WORDS abandon abandon", "services": []}))
    fifo = tmp_path / "stdin-like"
    os.mkfifo(fifo)
    honest = alice.register(agent_uri(REG))
    hostile = {"fifo": mallory.register(str(fifo)), "file-uri": mallory.register(secret.as_uri()), "path": mallory.register(str(secret))}
    data = Web3.keccak(text="register(string)")[:4] + encode(["bytes"], [b"\x1b[2J\x1b[31mowned\xff\xfe"])
    receipt = mallory.sender.transact({"to": mallory.address, "data": "0x" + data.hex()}, action="hostile register")
    hostile["not-utf8"] = mallory.agent_id_from_receipt(receipt)

    out, seconds = _show(url, book_dir, honest)
    assert out.returncode == 0 and f"agent    {honest}  Honest Prover" in out.stdout, out.stdout + out.stderr
    assert "service  MCP: https://prover.example/mcp [proving]" in out.stdout, out.stdout
    for name, agent_id in hostile.items():
        try:
            out, seconds = _show(url, book_dir, agent_id)
        finally:
            try:  # a reader stuck on the FIFO (the defect) is freed, so nothing lingers
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        text = out.stdout + out.stderr
        assert out.returncode == 0 and "Traceback" not in text, (name, text)
        assert seconds < 20, (name, seconds)
        assert f"agent    {agent_id}" in out.stdout and "(not read:" in out.stdout, (name, text)
        assert "SECRET-SEED-WORDS" not in text, (name, text)  # the local file was not read
        assert "\x1b" not in text, (name, text)  # hostile bytes are shown escaped, never raw
