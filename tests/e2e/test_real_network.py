"""Safe on a real network (issue 15, item 7).

Story: a user points the tools at a chain that is not a local devnet -- an Anvil answering as
Sepolia (chain id 11155111), so the test can see everything -- with their own key in an
environment variable. `deploy` deploys the three registries and nothing else (no test tokens, no
owner-set price feed, no vault with devnet terms); naming one of those is refused. Their own
agent work runs (register, give feedback as themselves, read reputation over named clients).
Every devnet-only action is refused with one ``Error:`` line before anything is sent: bulk
rating from the clients derived from Anvil's public mnemonic (it used to fund them with 1 ETH
each and sign with their public keys), ``--trusted-clients`` naming those same public accounts
(in `rank`, `reputation`, `show`), ``--account-index``, the faucet, the demo, and `ape run
rate_agents` with the user's own ape account. The chain is then exactly as it was: same block,
same nonce of the user's account, and not one wei at the rating clients' addresses. (Rating from
the user's own client keys: `test_devnet_guard.py` and the README's real-network block.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_world import Cli
from eth_account import Account
from public_chain import USER_KEY, fake_sepolia
from web3 import Web3

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.chain.addressbook import AddressBook
from hashtrust.deploy import PLAN
from hashtrust.erc8004.rating import client_signer
from hashtrust.erc8004.reputation import ReputationClient

ROOT = Path(__file__).resolve().parents[2]
ME = Account.from_key(USER_KEY).address  # the user's own key, funded on the fake Sepolia
RATING_CLIENTS = [client_signer(k).address for k in range(6)]


@pytest.fixture(scope="module")
def sepolia(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real-network")
    with fake_sepolia(tmp) as (url, w3):
        books = tmp / "deployments"
        cli = Cli(url, {"HASHTRUST_DEPLOYMENTS": str(books), "HASHTRUST_DEVNET_DIR": str(tmp / "devnet"), "HASHTRUST_RPC": "", "MY_KEY": USER_KEY})
        yield {"w3": w3, "cli": cli, "books": books, "tmp": tmp, "url": url}


def _state(w3: Web3) -> tuple:
    return w3.eth.block_number, w3.eth.get_transaction_count(ME), tuple(w3.eth.get_balance(a) for a in RATING_CLIENTS)


def test_deploy_on_a_real_network_deploys_the_registries_only(sepolia):
    w3, cli = sepolia["w3"], sepolia["cli"]
    r = cli("--private-key-env", "MY_KEY", "deploy")
    assert r.code == 0 and "3 deployed, 0 reused" in r.out, r.out
    assert "deploying the registries only; BtcUsdFeed, HashrateVault, TestUSD, TestWBTC are devnet-only" in r.out, r.out
    book = AddressBook.for_chain(w3, sepolia["books"])
    assert sorted(book.entries()) == ["IdentityRegistry", "ReputationRegistry", "ValidationRegistry"]
    assert {s.name for s in PLAN if s.devnet_only} == {"TestWBTC", "TestUSD", "BtcUsdFeed", "HashrateVault"}
    before = _state(w3)
    for name in ("TestUSD", "BtcUsdFeed", "HashrateVault"):
        refused = cli("--private-key-env", "MY_KEY", "deploy", "--only", name)
        assert refused.code != 0 and len(refused.errors) == 1, refused.out
        assert f"deploying {name}" in refused.errors[0] or f"{name}, " in refused.errors[0], refused.errors  # (the vault with the three it needs)
        assert "is devnet-only and was refused: chain 11155111 is not a local devnet chain id" in refused.errors[0], refused.errors
    again = cli("--private-key-env", "MY_KEY", "deploy")
    assert again.code == 0 and "0 deployed, 3 reused" in again.out, again.out
    assert _state(w3) == before and sorted(AddressBook.for_chain(w3, sepolia["books"]).entries()) == sorted(book.entries())


def test_own_work_runs_and_every_devnet_only_action_is_refused(sepolia):
    w3, cli, tmp = sepolia["w3"], sepolia["cli"], sepolia["tmp"]
    if AddressBook.for_chain(w3, sepolia["books"]).get("IdentityRegistry") is None:
        assert cli("--private-key-env", "MY_KEY", "deploy").code == 0
    reg = tmp / "mine.json"
    reg.write_text(json.dumps({"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "Mine", "description": "my agent",
                               "services": [{"name": "A2A", "endpoint": "https://mine.example/a2a", "skills": ["code-review"]}]}))
    mine = cli("--private-key-env", "MY_KEY", "agents", "register", str(reg), "--json")
    assert mine.code == 0, mine.out
    agent = json.loads(mine.out)["agent_id"]
    # a feedback as oneself needs a second key: the agent's owner cannot rate its own agent
    rater = Account.create()
    TxSender(w3, LocalSigner.from_key(USER_KEY)).transact({"to": rater.address, "value": 10**17})
    cli.env["RATER_KEY"] = rater.key.to_0x_hex()
    given = cli("--private-key-env", "RATER_KEY", "agents", "give", str(agent), "88", "--tag1", "starred")
    assert given.code == 0, given.out
    rep = ReputationClient.from_book(w3, AddressBook.for_chain(w3, sepolia["books"]))
    assert rep.summary(agent, [rater.address]).count == 1
    named = cli("agents", "reputation", str(agent), "--client", rater.address, "--json")
    assert named.code == 0 and json.loads(named.out)["overall"]["count"] == 1, named.out

    before = _state(w3)
    refusals = {
        "rate": (["--private-key-env", "MY_KEY", "agents", "rate", "--generate", "6", "--clients", "6", "--no-progress"], "agents rate with clients derived from Anvil's public mnemonic"),
        "rank-trusted-clients": (["agents", "rank", "code-review", "--trusted-clients", "0-5"], "--trusted-clients with clients derived from Anvil's public mnemonic"),
        "reputation-trusted-clients": (["agents", "reputation", str(agent), "--trusted-clients", "0-5"], "--trusted-clients with clients derived"),
        "show-trusted-clients": (["agents", "show", str(agent), "--trusted-clients", "0-5"], "--trusted-clients with clients derived"),
        "account-index": (["--account-index", "4", "agents", "give", str(agent), "50"], "--account-index 4 (Anvil's public dev keys) is devnet-only"),
        "faucet": (["--private-key-env", "MY_KEY", "devnet", "faucet", ME], "the faucet (it mints test tokens"),
        "demo": (["--private-key-env", "MY_KEY", "demo", "--no-progress", "--out-dir", str(tmp / "reports")], "the demo is devnet-only"),
    }
    for case, (args, text) in refusals.items():
        r = cli(*args)
        assert r.code != 0 and "Traceback" not in r.out and len(r.errors) == 1, (case, r.out)
        assert "devnet-only and was refused: chain 11155111" in r.errors[0] and text in r.errors[0], (case, r.errors[0])
    assert _state(w3) == before
    assert all(w3.eth.get_balance(a) == 0 for a in RATING_CLIENTS)  # nobody funded the public accounts


def test_the_rating_script_refuses_a_real_network(sepolia):
    """`ape run rate_agents` with the user's own ape account is refused the same way, before
    anything is sent (the account lives in an ape data folder of the test's)."""
    import os

    w3, tmp = sepolia["w3"], sepolia["tmp"]
    if AddressBook.for_chain(w3, sepolia["books"]).get("IdentityRegistry") is None:
        assert sepolia["cli"]("--private-key-env", "MY_KEY", "deploy").code == 0
    ape = str(Path(sys.executable).with_name("ape"))
    env = {**os.environ, "HASHTRUST_DEPLOYMENTS": str(sepolia["books"]), "PYTHONPATH": str(ROOT / "src"), "APE_DATA_FOLDER": str(tmp / "ape-data"),
           "APE_ACCOUNTS_me_PASSPHRASE": "a passphrase 7!"}
    env.pop("APE_FOUNDRY_HOST", None)
    imported = subprocess.run([ape, "accounts", "import", "me"], cwd=ROOT, env=env, input=f"{USER_KEY}\na passphrase 7!\na passphrase 7!\n",
                              capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    before = _state(w3)
    out = subprocess.run([ape, "run", "rate_agents", "--generate", "6", "--clients", "6", "--no-progress", "--account", "me", "--network", sepolia["url"]],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    text = out.stdout + out.stderr
    errors = [ln for ln in text.splitlines() if ln.startswith("Error:")]
    assert out.returncode != 0 and "Traceback" not in text and len(errors) == 1, text
    assert "rate_agents with clients derived from Anvil's public mnemonic (accounts 1000+k) is devnet-only and was refused: chain 11155111" in errors[0], errors
    assert _state(w3) == before


def test_a_node_serving_another_chain_is_refused_when_the_chain_is_pinned(sepolia):
    """Fourth review of the Python side, open point: the book and the signed chain id come from the
    node, so an endpoint that names another chain gets transactions signed for that chain (which
    it can replay there). `--chain-id N` / `$HASHTRUST_CHAIN_ID` pins it: one Error line before any
    book or signer is used, nothing sent; the right pin changes nothing."""
    w3, cli = sepolia["w3"], sepolia["cli"]
    before = _state(w3)
    for args in (["--chain-id", "1", "--private-key-env", "MY_KEY", "deploy"],
                 ["--private-key-env", "MY_KEY", "deploy", "--chain-id", "1"],  # after the subcommand too
                 ["--chain-id", "1", "addresses"]):
        r = cli(*args)
        assert r.code != 0 and len(r.errors) == 1, r.out
        assert "--chain-id: the node at http://127.0.0.1:" in r.errors[0] and "serves chain 11155111, not 1; nothing was sent" in r.errors[0], r.errors
    env_pinned = Cli(cli.rpc, {**cli.env, "HASHTRUST_CHAIN_ID": "1"})
    r = env_pinned("--private-key-env", "MY_KEY", "deploy")
    assert r.code != 0 and "serves chain 11155111, not 1" in r.out, r.out
    assert _state(w3) == before
    ok = cli("--chain-id", "11155111", "--private-key-env", "MY_KEY", "deploy")
    assert ok.code == 0 and "0 deployed, 3 reused" in ok.out, ok.out
    bad = cli("--chain-id", "0", "addresses")
    assert bad.code == 2 and len(bad.errors) == 1 and "--chain-id" in bad.errors[0], bad.out
