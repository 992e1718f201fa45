"""New-user review user16: the Bitcoin relay, the hashprice index and the vault trust's index,
off the happy path (FINDINGS.md).

The harness of tests/e2e/test_bitcoin_cli.py: CliRunner on ape's Anvil (`chain`), a tmp address
book (`addressbook.DEFAULT_DIR` monkeypatched); "a real network" is an Anvil answering as Sepolia
(tests/e2e/public_chain.py); "a 31337 chain that is not a local devnet" is an Anvil reached at
this machine's non-loopback address. Each finding is an `xfail(strict=True)` asserting the
behaviour the docs promise (or the one a user needs), so it XPASSes once fixed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from web3 import Web3

ROOT = Path(__file__).resolve().parents[3]
EX = ROOT / "examples" / "bitcoin"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # public_chain.py, script_runs.py
sys.path.insert(0, str(ROOT / "tests" / "unit" / "bitcoin"))  # bitcoind_stub.py

from bitcoind_stub import BitcoindStub  # noqa: E402
from public_chain import USER_KEY, fake_sepolia  # noqa: E402
from script_runs import free_port  # noqa: E402

from hashtrust.bitcoin.consensus import display  # noqa: E402
from hashtrust.chain import addressbook, devnet  # noqa: E402
from hashtrust.chain.accounts import devnet_signer  # noqa: E402
from hashtrust.chain.addressbook import AddressBook  # noqa: E402
from hashtrust.chain.tx import LocalSigner, TxSender  # noqa: E402
from hashtrust.cli import main  # noqa: E402
from hashtrust.errors import InputError  # noqa: E402

SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # Anvil's account 0
BOUNDARY = 101 * 2016  # regtest chains: epoch 100 anchored by number, its end proven


@pytest.fixture()
def cli(chain, tmp_path, monkeypatch):
    monkeypatch.setattr(addressbook, "DEFAULT_DIR", tmp_path)
    url = chain.provider.uri
    w3 = chain.provider.web3

    def run(*args, ok=True):
        r = CliRunner().invoke(main, ["--rpc", url, *args])
        if ok:
            assert r.exit_code == 0, r.output
        return r

    run.w3 = w3
    run.nonce = lambda: w3.eth.get_transaction_count(SENDER)
    run.books = tmp_path
    return run


def one_error(r, text=""):
    assert r.exit_code != 0, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert [ln for ln in lines if ln.startswith("Error:")] == lines[-1:], r.output
    assert text in lines[-1], r.output
    assert "Traceback" not in r.output


def _client(cli, name):
    from hashtrust.bitcoin.relay import BitcoinRelayClient

    return BitcoinRelayClient.from_book(cli.w3, AddressBook.for_chain(cli.w3, cli.books), TxSender(cli.w3, devnet_signer(0)), name=name)


def _travel(w3, seconds):
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def _regtest_chain(post=20, seed=3, start=BOUNDARY - 8):
    from hashtrust.bitcoin.miner import SyntheticChain

    chain = SyntheticChain(start_height=start, retargeting=False, seed=seed)
    chain.mine_to(BOUNDARY + post - 1)
    return chain


def _node(chain):
    txs = {b.height: [(display(b.txids[0]), b.coinbase.hex())] + [(display(t), "00") for t in b.txids[1:]] for b in chain.blocks}
    return BitcoindStub({b.height: b.header for b in chain.blocks}, txs)


def _synced_regtest_relay(cli, name):
    """A regtest relay (k = 2, P = 2, window 3,600 s) anchored at epoch 100 by number."""
    chain = _regtest_chain()
    cli("relay", "deploy", "--network", "regtest", "--confirmations", "2", "--proof-length", "2", "--challenge-window", "3600", "--name", name)
    _client(cli, name).anchor_epoch(100, chain.block(BOUNDARY - 8).parsed.bits, 1_700_000_000)
    return chain


# ------------------------------------------------------------------ U16-1
def test_u16_1_cron_sync_waiting_for_the_next_boundary_is_not_an_error(cli):
    """docs/bitcoin.md: `hashtrust relay sync --bitcoin-rpc URL --to-height 900000   # from cron,
    within every window`. Once the relay holds the node's newest epoch, a rerun must say there is
    nothing to prove yet (as the header-file source does: "not proven ...", exit 0), not fail with
    the node's "Block height out of range" for the next, unmined boundary."""
    chain = _synced_regtest_relay(cli, "RCRON")
    with _node(chain) as node:
        r = cli("relay", "sync", "--bitcoin-rpc", node.url, "--to-height", "900000", "--name", "RCRON")
        assert "epoch 101: proven" in r.output
        _travel(cli.w3, 3_600)  # epoch 101 is final; epoch 102's boundary (205,632) is not mined
        nonce = cli.nonce()
        r = cli("relay", "sync", "--bitcoin-rpc", node.url, "--to-height", "900000", "--name", "RCRON", ok=False)
    assert cli.nonce() == nonce
    assert r.exit_code == 0 and "Error" not in r.output, r.output


# ------------------------------------------------------------------ U16-2
def _vault_world(w3, folder):
    from hashtrust.deploy import deploy
    from hashtrust.erc8004.identity import IdentityClient
    from hashtrust.hashrate.vault import HashrateVaultClient

    admin = TxSender(w3, devnet_signer(0))
    book = AddressBook.for_chain(w3, folder)
    deploy(w3, admin, book)
    op = TxSender(w3, devnet_signer(2))
    agent_id = IdentityClient.from_book(w3, book, op).register("ipfs://u16-operator")
    vals = []
    for i in (6, 7, 8):
        IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(i))).register(f"ipfs://u16-watcher-{i}")
        vals.append(devnet_signer(i).address)
    vault = HashrateVaultClient.from_book(w3, book, TxSender(w3, devnet_signer(0)))
    return book, vault, op, agent_id, vals


def _terms():
    from hashtrust.deploy import VAULT_DEVNET

    return {k: VAULT_DEVNET[k] for k in ("quorum", "min_score", "difficulty", "sats_per_block", "bond_epochs")}


def test_u16_2_refused_deploy_trust_sends_nothing(chain, tmp_path):
    """docs/vault.md, Opening the term: "every check ... is made in Python before anything is
    sent". Without --index on a devnet whose book has no DevHashpriceIndex, `deploy_trust`
    (`ape run operator deploy-trust`) deploys one before it checks the terms."""
    from hashtrust.hashrate.vault import deploy_trust

    w3 = chain.provider.web3
    book, vault, op, agent_id, vals = _vault_world(w3, tmp_path)
    assert "DevHashpriceIndex" not in book
    nonce = w3.eth.get_transaction_count(SENDER)
    with pytest.raises(InputError, match="listed twice"):
        deploy_trust(vault, book, agent_id=agent_id, validators=[vals[0], vals[0]], bond_from=op, pool_fee_bps=200, **_terms())
    assert w3.eth.get_transaction_count(SENDER) == nonce and "DevHashpriceIndex" not in AddressBook.for_chain(w3, tmp_path)


# ------------------------------------------------------------------ U16-7
def test_u16_7_malformed_index_address_is_named(chain, tmp_path):
    from hashtrust.hashrate.vault import deploy_trust

    w3 = chain.provider.web3
    book, vault, op, agent_id, vals = _vault_world(w3, tmp_path)
    nonce = w3.eth.get_transaction_count(SENDER)
    for bad in ("0x123", "notanaddress"):
        with pytest.raises(InputError, match="index"):
            deploy_trust(vault, book, agent_id=agent_id, validators=vals, bond_from=op, index=bad, pool_fee_bps=200, **_terms())
    assert w3.eth.get_transaction_count(SENDER) == nonce


# ------------------------------------------------------------------ U16-3 / U16-4 / U16-6: a real network
def _sepolia_cli(url):
    def run(*args):
        return CliRunner().invoke(main, ["--rpc", url, "--private-key-env", "U16_KEY", *args], env={"U16_KEY": USER_KEY})

    return run


def test_u16_3_regtest_relay_refused_off_a_devnet(chain, tmp_path, monkeypatch):
    from eth_account import Account

    monkeypatch.setattr(addressbook, "DEFAULT_DIR", tmp_path)
    with fake_sepolia(tmp_path) as (url, w3):
        me = Account.from_key(USER_KEY).address
        run = _sepolia_cli(url)
        one_error(run("relay", "deploy", "--confirmations", "5"), "unsafe on mainnet")  # the mainnet floors hold here
        nonce = w3.eth.get_transaction_count(me)
        r = run("relay", "deploy", "--network", "regtest", "--confirmations", "2", "--proof-length", "2", "--challenge-window", "3600", "--name", "RT")
        one_error(r, "regtest")
        assert w3.eth.get_transaction_count(me) == nonce


def test_u16_4_trust_refuses_an_index_over_a_forgeable_relay(chain, tmp_path):
    """docs/vault.md: "off a local devnet only the Bitcoin-proven HashpriceIndex prices a term". A
    HashpriceIndex over a regtest relay (pow limit 0x207fffff, no retargeting: a header costs ~2
    hashes) is not Bitcoin-proven: anyone can mine k + 1 headers and prove a 21M BTC coinbase."""
    from hashtrust.bitcoin.index import deploy_index
    from hashtrust.bitcoin.miner import SyntheticChain
    from hashtrust.bitcoin.relay import deploy_relay
    from hashtrust.hashrate.vault import check_index

    with fake_sepolia(tmp_path) as (url, w3):
        sender = TxSender(w3, LocalSigner.from_key(USER_KEY))
        book = AddressBook.for_chain(w3, tmp_path)
        # the SDK refuses both on a real network (U16-3, and deploy_index's relay check): deployed raw
        from hashtrust.bitcoin.consensus import REGTEST_POW_LIMIT
        from hashtrust.bitcoin.relay import BitcoinRelayClient
        from hashtrust.chain import artifacts

        with pytest.raises(InputError, match="regtest is for a local devnet only"):
            deploy_relay(w3, sender, book, network="regtest", confirmations=2, proof_length=2, challenge_window=3_600, name="RT")
        art = artifacts.load("BitcoinRelay")
        relay = BitcoinRelayClient(w3, sender.deploy(art.abi, art.bytecode, REGTEST_POW_LIMIT, False, 2, 2, 3_600)["contractAddress"], sender)
        start = 100 * 2016
        relay.anchor(SyntheticChain(start_height=start, retargeting=False, seed=1).mine().header, start)
        with pytest.raises(InputError, match="relay: .* does not follow Bitcoin mainnet"):
            deploy_index(w3, sender, book, relay.address, start // 144, 1, proof_window=3_600)
        ia = artifacts.load("HashpriceIndex")
        idx = sender.deploy(ia.abi, ia.bytecode, relay.address, start // 144, 1, 3_600)["contractAddress"]
        with pytest.raises(InputError, match="reads a relay that is not fit to price a term: relay: .* does not follow Bitcoin mainnet"):
            check_index(w3, idx)
        from hashtrust.chain.addressbook import Entry

        book.record(Entry(name="HashpriceIndex", address=idx, contract_type="HashpriceIndex", block=0, deployer=sender.address, tx="0x", code_hash="0x"))
        with pytest.raises(InputError, match="does not follow Bitcoin mainnet"):  # recorded in the book, still refused
            check_index(w3, idx, book)
        with pytest.raises(InputError, match="is not the HashpriceIndex this address book records"):
            check_index(w3, idx, AddressBook.for_chain(w3, tmp_path / "other"))


def test_u16_6_missing_index_error_names_a_real_command(chain, tmp_path):
    from hashtrust.hashrate.vault import trust_index

    with fake_sepolia(tmp_path) as (url, w3):
        book = AddressBook.for_chain(w3, tmp_path)
        with pytest.raises(InputError) as exc:
            trust_index(w3, book, TxSender(w3, LocalSigner.from_key(USER_KEY)))
    msg = str(exc.value)
    m = re.search(r"hashtrust ([a-z][a-z -]*[a-z])", msg)
    assert m, msg
    r = CliRunner().invoke(main, [*m.group(1).split(), "--help"])
    assert r.exit_code == 0, f"{msg!r}: `hashtrust {m.group(1)}` -> {r.output}"


# ------------------------------------------------------------------ U16-5
def test_u16_5_anchor_refuses_an_epoch_start_inconsistent_with_the_headers(cli):
    """The file's headers 554,390-554,399 are epoch 274's (nBits 0x1731d97c); its epoch_start,
    relabelled height 0, claims epoch 0. `sync --anchor` anchors epoch 0 with block 552,384's nBits
    and time (a second anchor is refused forever) and only then says "epoch 275: skipped, the
    relay is at epoch 0". The file contradicts itself: refuse before anchoring."""
    data = json.loads((EX / "headers_554390-554408_retarget.json").read_text())
    data["epoch_start"]["height"] = 0
    f = cli.books / "relabelled.json"
    f.write_text(json.dumps(data))
    cli("relay", "deploy", "--confirmations", "5", "--name", "RLAB")
    nonce = cli.nonce()
    r = cli("relay", "sync", "--headers", str(f), "--anchor", "--name", "RLAB", ok=False)
    assert cli.nonce() == nonce and not _client(cli, "RLAB").anchored(), r.output
    one_error(r, "epoch_start")


# ------------------------------------------------------------------ U16-8
def test_u16_8_negative_height_refused_before_the_node(cli):
    chain = _synced_regtest_relay(cli, "RNEG")
    with _node(chain) as node:
        r = cli("relay", "prove-reward", "--bitcoin-rpc", node.url, "--height", "-5", "--name", "RNEG", ok=False)
        calls = list(node.calls)
    one_error(r, "--height")
    assert calls == [], calls


# ------------------------------------------------------------------ U16-9
def test_u16_9_sync_says_when_final_as_a_date(cli):
    chain = _synced_regtest_relay(cli, "RDATE")
    with _node(chain) as node:
        r = cli("relay", "sync", "--bitcoin-rpc", node.url, "--from-height", str(BOUNDARY - 8), "--to-height", str(BOUNDARY + 19), "--name", "RDATE")
    assert "epoch 101: proven" in r.output
    assert not re.search(r"(final at|pending until) \d{1,3}(,\d{3})+", r.output), r.output
    assert re.search(r"final at \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC", r.output), r.output


# ------------------------------------------------------------------ U16-10
def test_u16_10_index_show_lists_no_days_before_the_first(cli):
    from hashtrust.bitcoin.index import deploy_dev_index
    from hashtrust.hashrate import economics

    idx, _ = deploy_dev_index(cli.w3, TxSender(cli.w3, devnet_signer(0)), AddressBook.for_chain(cli.w3, cli.books))
    day = economics.Day(difficulty=150e12, btc_usd=90_000, avg_fees_btc=0.025, height=880_000)
    idx.publish(20_400, *economics.index_inputs(day))
    out = cli("index", "show", "--days", "5").output
    assert "(not final)" not in out and "day 20,396" not in out, out
    data = json.loads(cli("index", "show", "--json", "--days", "5").output)
    assert [d["day"] for d in data["days"]] == [20_400], data["days"]


# ------------------------------------------------------------------ U16-11
def test_u16_11_opening_the_term_documents_the_index_options():
    text = (ROOT / "docs" / "vault.md").read_text()
    section = text.split("### Opening the term", 1)[1].split("\n### ", 1)[0]
    for needle in ("--index", "--pool-fee-bps", "pool_fee_bps="):
        assert needle in section, needle


# ------------------------------------------------------------------ U16-12
def _lan_ip() -> str | None:
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    v4 = [a for a in out if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", a) and not a.startswith("127.")]
    return v4[0] if v4 else None


@contextlib.contextmanager
def _anvil_on_all_interfaces(tmp_path):
    port = free_port()
    log = open(tmp_path / "anvil-lan.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([devnet.anvil_binary(), "--port", str(port), "--host", "0.0.0.0"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while devnet.chain_id(port) != 31337:
            assert proc.poll() is None and time.monotonic() < deadline, "anvil did not start"
            time.sleep(0.1)
        yield port
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
        log.close()


def test_u16_12_dev_index_refused_where_the_devnet_guard_says_no(chain, tmp_path):
    """README: a local devnet is chain id 31337/1337 *and* a development node *and* a loopback
    endpoint; devnet-only things refuse anything else. The trust's index check uses the chain id
    alone, so an index anyone may set prices a term on a remote 31337 chain."""
    from hashtrust.bitcoin.index import deploy_dev_index
    from hashtrust.chain.devnet import not_a_devnet
    from hashtrust.hashrate.vault import check_index

    ip = _lan_ip()
    if ip is None:
        pytest.skip("no non-loopback address on this machine")
    with _anvil_on_all_interfaces(tmp_path) as port:
        local = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
        idx, _ = deploy_dev_index(local, TxSender(local, devnet_signer(0)), AddressBook.for_chain(local, tmp_path))
        remote = Web3(Web3.HTTPProvider(f"http://{ip}:{port}"))
        assert not_a_devnet(remote) is not None  # the guard: not a local devnet
        with pytest.raises(InputError, match="index"):
            check_index(remote, idx.address)
