"""Devnet-only actions refuse every chain that is not a local devnet (issue 22, defect 2; issue 15, item 7).

Story: a user points the CLI at a "real network" -- here an Anvil started with Sepolia's chain
id 11155111, and a node at 127.0.0.1 that calls itself Geth while using chain id 31337 (what a
public chain may do) -- with their own key in an environment variable. Every action that signs
with Anvil's public keys or moves devnet-only things is refused with one `Error:` line and
sends nothing: `agents rate` with generated clients (accounts 1000+k of the public mnemonic:
anyone can sweep them, revoke or forge their feedback), `agents rank --trusted-clients`
(anyone can post as those clients), `--account-index`, the demo, deploying test tokens and a
price feed. Deploying without `--only` deploys the registries only. Rating with the user's own
client keys (`--client-keys FILE`) works, funds nobody, and checks the clients can pay first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from public_chain import USER_KEY, fake_sepolia
from script_runs import ROOT, free_port

from hashtrust.chain import devnet
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import client_signer

HASHTRUST = str(Path(sys.executable).with_name("hashtrust"))


@pytest.fixture
def sepolia(tmp_path):
    """An Anvil with Sepolia's chain id on a free loopback port, USER_KEY funded: (url, w3)."""
    with fake_sepolia(tmp_path) as chain:
        yield chain


def _cli(url: str, book_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "HASHTRUST_DEPLOYMENTS": str(book_dir), "USER_KEY": USER_KEY, **(env or {})}
    full.pop("HASHTRUST_CLIENT_KEYS", None)
    return subprocess.run([HASHTRUST, "--rpc", url, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=300)


def _refused(out: subprocess.CompletedProcess, *words: str) -> str:
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    errors = [line for line in text.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in text, text
    assert "devnet-only" in errors[0] and all(w in errors[0] for w in words), errors[0]
    return errors[0]


def test_defect2_agents_rate_refuses_the_public_mnemonic_on_a_real_network(sepolia, tmp_path):
    """Issue 22, defect 2: `agents rate` funded "client" accounts derived from Anvil's public
    mnemonic with 1 ETH each and signed with their public keys, on any chain."""
    url, w3 = sepolia
    book = tmp_path / "book"
    out = _cli(url, book, "--private-key-env", "USER_KEY", "deploy")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "deploying the registries only" in out.stdout and "TestWBTC" in out.stdout
    assert set(AddressBook.for_chain(w3, book).entries()) == {"IdentityRegistry", "ReputationRegistry", "ValidationRegistry"}
    ident = IdentityClient.from_book(w3, AddressBook.for_chain(w3, book), TxSender(w3, LocalSigner.from_key(USER_KEY)))
    agent = ident.register("ipfs://agent-on-sepolia")
    user = Account.from_key(USER_KEY).address
    nonce = w3.eth.get_transaction_count(user)

    line = _refused(_cli(url, book, "--private-key-env", "USER_KEY", "agents", "rate", "--generate", "6", "--clients", "3", "--agents", str(agent), "--no-progress"),
                    "Anvil's public mnemonic", "chain 11155111", "--client-keys")
    assert "1000" in line
    assert w3.eth.get_transaction_count(user) == nonce  # nothing funded, nothing sent
    assert all(w3.eth.get_balance(client_signer(k).address) == 0 for k in range(3))

    # the user's own clients: keys from a file, nobody funded by the tool
    keys = [Account.create() for _ in range(2)]
    keyfile = tmp_path / "clients.keys"
    keyfile.write_text("# my rating clients\n" + "\n".join(k.key.to_0x_hex() for k in keys) + "\n")
    poor = _cli(url, book, "--private-key-env", "USER_KEY", "agents", "rate", "--generate", "4", "--clients", "2", "--agents", str(agent), "--client-keys", str(keyfile), "--no-progress")
    assert poor.returncode == 1 and "cannot pay for their rows' gas" in poor.stderr, poor.stdout + poor.stderr
    faucet = TxSender(w3, LocalSigner.from_key(USER_KEY))
    for k in keys:
        faucet.transact({"to": k.address, "value": 10**18})
    nonce = w3.eth.get_transaction_count(user)
    ok = _cli(url, book, "--private-key-env", "USER_KEY", "agents", "rate", "--generate", "4", "--clients", "2", "--agents", str(agent), "--client-keys", str(keyfile), "--no-progress")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 sent" in ok.stdout and "funded" not in ok.stdout
    assert w3.eth.get_transaction_count(user) == nonce  # the tool funded nobody
    assert sum(w3.eth.get_transaction_count(k.address) for k in keys) == 4

    _refused(_cli(url, book, "agents", "rank", "proving", "--trusted-clients", "0-2"), "--trusted-clients", "public mnemonic")
    ranked = _cli(url, book, "agents", "rank", "proving", "--trusted-clients", "0-1", "--client-keys", str(keyfile))
    assert ranked.returncode == 0, ranked.stdout + ranked.stderr


@pytest.mark.parametrize(("args", "words"), [
    (("--account-index", "0", "deploy"), ("--account-index 0", "--private-key-env")),
    (("addresses",), None),  # reading is fine anywhere
    (("demo",), ("the demo",)),
    (("--private-key-env", "USER_KEY", "deploy", "--only", "TestWBTC"), ("TestWBTC",)),
    (("--private-key-env", "USER_KEY", "deploy", "--only", "HashrateVault"), ("BtcUsdFeed, HashrateVault, TestUSD, TestWBTC",)),
])
def test_every_devnet_only_action_is_refused_on_a_real_network(sepolia, tmp_path, args, words):
    url, w3 = sepolia
    user = Account.from_key(USER_KEY).address
    nonce = w3.eth.get_transaction_count(user)
    out = _cli(url, tmp_path / "book", *args)
    if words is None:
        assert "devnet-only" not in out.stdout + out.stderr
        return
    _refused(out, *words)
    assert w3.eth.get_transaction_count(user) == nonce and w3.eth.get_transaction_count(client_signer(0).address) == 0


def test_a_node_that_is_not_a_dev_node_is_no_devnet_even_with_chain_id_31337(tmp_path):
    """Chain id 31337 alone is not enough: a public chain may use it. A node at 127.0.0.1 that
    answers `web3_clientVersion` with Geth is refused the devnet-only actions."""
    port, home = free_port(), tmp_path / "devnet"
    devnet.start(port, home=home)
    try:
        with FlakyRpcProxy(devnet.url(port)) as proxy:
            proxy.answer("web3_clientVersion", "Geth/v1.14.11-stable/linux-amd64/go1.23.2")
            _refused(_cli(proxy.url, tmp_path / "book", "--account-index", "3", "deploy"), "Geth", "not a development node")
            _refused(_cli(proxy.url, tmp_path / "book", "demo"), "the demo")
        ok = _cli(devnet.url(port), tmp_path / "book", "--account-index", "3", "deploy", "--only", "IdentityRegistry")  # the real devnet: fine
        assert ok.returncode == 0, ok.stdout + ok.stderr
    finally:
        devnet.stop(home=home)
