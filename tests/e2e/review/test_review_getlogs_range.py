"""Every log read asks for the whole history at once, which hosted RPC providers refuse.

`ContractClient.logs` sends one ``eth_getLogs`` from the contract's deployment block (the
address book's ``block``) to ``latest``. Hosted providers cap that range (a few thousand to
10,000 blocks; some 500) or the number of results, so once a real-network deployment is a few
days old, `agents register` (its `holdings` scan: `Registered`, `MetadataSet`, `Transfer`), `agents
rate` (`NewFeedback`) and the validator (`ValidationRequest`) fail on every run with the
provider's error. Here the node refuses ranges above 25 blocks: the rerun of an `agents
register` whose agents are all registered must still say so.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from review_proxies import LogRangeProxy

from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy

ROOT = Path(__file__).resolve().parents[3]
HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))
MAX_BLOCKS = 25
AGENTS = {"agents": [
    {"key": f"agent-{i}", "registration": {"name": f"Agent {i}", "description": "does things",
                                           "services": [{"name": "MCP", "endpoint": f"https://a{i}.example/mcp", "skills": ["x"]}]}}
    for i in (1, 2)
]}


def test_review_getlogs_register_rerun_works_on_a_node_that_caps_log_ranges(review_node, tmp_path):
    url, w3 = review_node
    books = tmp_path / "book"
    deploy(w3, TxSender(w3, devnet_signer(0)), AddressBook(w3.eth.chain_id, books), only=["IdentityRegistry"])
    key = "0x" + secrets.token_hex(32)
    TxSender(w3, devnet_signer(0)).transact({"to": Account.from_key(key).address, "value": 10**19})
    agents = tmp_path / "agents.json"
    agents.write_text(json.dumps(AGENTS))
    env = dict(os.environ, HASHTRUST_DEPLOYMENTS=str(books), OWNER_KEY=key)
    cmd = ["--private-key-env", "OWNER_KEY", "agents", "register", str(agents), "--no-progress"]
    first = subprocess.run([HASHTRUST, "--rpc", url, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0 and "2 registered now" in first.stdout, first.stdout + first.stderr
    w3.provider.make_request("anvil_mine", [2 * MAX_BLOCKS])  # the chain moves on (hours, on a real network)
    with LogRangeProxy(url, MAX_BLOCKS) as proxy:
        again = subprocess.run([HASHTRUST, "--rpc", proxy.url, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "0 registered now, 2 already registered" in again.stdout, (
        f"exit {again.returncode}: {(again.stdout + again.stderr).strip().splitlines()[-1][:300]}"
    )
