"""`hashtrust relay ...` and `hashtrust index show` on a real Anvil: deploy, sync from the real
mainnet header files (idempotent: a rerun sends nothing), sync from a Bitcoin Core JSON-RPC stub,
status, reward proofs, the devnet index; every bad input is one `Error:` line, a non-zero exit
and no transaction."""

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hashtrust.bitcoin.consensus import Header
from hashtrust.chain import addressbook
from hashtrust.cli import main

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples" / "bitcoin"
sys.path.insert(0, str(ROOT / "tests" / "unit" / "bitcoin"))
from bitcoind_stub import BitcoindStub  # noqa: E402

SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # Anvil's account 0


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


def one_error(r, text):
    assert r.exit_code != 0
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert [ln for ln in lines if ln.startswith("Error:")] == lines[-1:], r.output
    assert text in lines[-1], r.output
    assert "Traceback" not in r.output


def test_deploy_sync_status_idempotent(cli):
    r = cli("relay", "deploy", "--confirmations", "5", "--proof-length", "9")
    assert "deployed BitcoinRelay" in r.output
    assert "reused BitcoinRelay" in cli("relay", "deploy", "--confirmations", "5", "--proof-length", "9").output
    one_error(cli("relay", "deploy", "--confirmations", "6", "--proof-length", "9", ok=False), "has other parameters")
    one_error(cli("relay", "sync", "--headers", str(EX / "headers_554390-554408_retarget.json"), ok=False), "pass --anchor")
    r = cli("relay", "sync", "--headers", str(EX / "headers_554390-554408_retarget.json"), "--anchor")
    assert "anchored at epoch 274" in r.output and "epoch 275: proven, nBits 0x1731d97c -> 0x17371ef4" in r.output
    nonce = cli.nonce()
    r = cli("relay", "sync", "--headers", str(EX / "headers_554390-554408_retarget.json"), "--anchor")
    assert "epoch 275: already relayed" in r.output and "0 retarget(s) proven, 1 already relayed" in r.output
    assert cli.nonce() == nonce
    data = json.loads(cli("relay", "status", "--json").output)
    assert [(e["number"], e["bits"], e["difficulty"]) for e in data["epochs"]] == [(274, "0x1731d97c", 5_646_403_851_534), (275, "0x17371ef4", 5_106_422_924_659)]
    assert "difficulty      5,106,422,924,659" in cli("relay", "status").output


def test_sync_from_a_bitcoin_core_node(cli):
    from hashtrust.bitcoin.files import load_headers

    hf = load_headers(EX / "headers_437466-437479_retarget_orphan.json")
    headers = dict(hf.headers) | {hf.epoch_start[0]: hf.epoch_start[1]}
    cli("relay", "deploy", "--proof-length", "6", "--name", "R437")
    with BitcoindStub(headers) as node:
        r = cli("relay", "sync", "--bitcoin-rpc", node.url, "--from-height", "435456", "--to-height", "437479", "--anchor", "--name", "R437")
    assert "epoch 217: proven, nBits 0x180455d2 -> 0x18045174" in r.output


def test_prove_reward_and_bad_proofs(cli):
    from hashtrust.bitcoin.relay import BitcoinRelayClient
    from hashtrust.chain.accounts import devnet_signer
    from hashtrust.chain.addressbook import AddressBook
    from hashtrust.chain.tx import TxSender

    cli("relay", "deploy", "--confirmations", "5", "--name", "R776")
    cf = json.loads((EX / "coinbase_776166.json").read_text())
    bits = Header.parse(bytes.fromhex(cf["headers"][0]["hex"])).bits
    client = BitcoinRelayClient.from_book(cli.w3, AddressBook(cli.w3.eth.chain_id, cli.books), TxSender(cli.w3, devnet_signer(0)), name="R776")
    client.anchor_epoch(776_166 // 2016, bits, Header.parse(bytes.fromhex(cf["headers"][0]["hex"])).time - 3_600)
    r = cli("relay", "prove-reward", str(EX / "coinbase_776166.json"), "--name", "R776")
    assert "block 776,166" in r.output and "paid 631,067,024 sats = subsidy 625,000,000 + fees 6,067,024 (5 confirmations)" in r.output
    nonce = cli.nonce()
    bad = dict(cf, coinbase_merkle_branch=["00" * 32] + cf["coinbase_merkle_branch"][1:])
    p = cli.books / "bad.json"
    p.write_text(json.dumps(bad))
    one_error(cli("relay", "prove-reward", str(p), "--name", "R776", ok=False), "does not fold to the block's merkle root")
    few = dict(cf, headers=cf["headers"][:3])
    p.write_text(json.dumps(few))
    one_error(cli("relay", "prove-reward", str(p), "--name", "R776", ok=False), "the relay needs 5")
    p.write_text("{not json")
    one_error(cli("relay", "prove-reward", str(p), "--name", "R776", ok=False), "is not JSON")
    one_error(cli("relay", "prove-reward", str(cli.books / "missing.json"), "--name", "R776", ok=False), "no such file")
    one_error(cli("relay", "prove-reward", "--name", "R776", ok=False), "pass exactly one of FILE")
    one_error(cli("relay", "sync", "--headers", str(p), "--bitcoin-rpc", "http://x", "--name", "R776", ok=False), "pass exactly one")
    one_error(cli("relay", "status", "--name", "Nothing", ok=False), "no Nothing in the address book")
    one_error(cli("relay", "deploy", "--network", "testnet3", "--name", "T", ok=False), "testnet3/4 are not supported")
    assert cli.nonce() == nonce


def test_index_show_with_the_devnet_index(cli):
    from hashtrust.bitcoin.index import deploy_dev_index
    from hashtrust.chain.accounts import devnet_signer
    from hashtrust.chain.addressbook import AddressBook
    from hashtrust.chain.tx import TxSender
    from hashtrust.hashrate import economics

    one_error(cli("index", "show", ok=False), "no HashpriceIndex or DevHashpriceIndex")
    book = AddressBook(cli.w3.eth.chain_id, cli.books)
    idx, deployed = deploy_dev_index(cli.w3, TxSender(cli.w3, devnet_signer(0)), book)
    assert deployed and not deploy_dev_index(cli.w3, TxSender(cli.w3, devnet_signer(0)), book)[1]
    assert "no final day yet" in cli("index", "show").output
    day = economics.Day(difficulty=150e12, btc_usd=90_000, avg_fees_btc=0.025, height=880_000)
    for d in (20_400, 20_401):
        idx.publish(d, *economics.index_inputs(day))
    data = json.loads(cli("index", "show", "--json", "--days", "3").output)
    v = economics.index_msat_per_th_day(day)
    assert data["latest"] == {"day": 20_401, "value": v}
    assert data["days"] == [{"day": 20_399, "value": 0, "final": False}, {"day": 20_400, "value": v, "final": True}, {"day": 20_401, "value": v, "final": True}]
    from hashtrust.errors import InputError

    with pytest.raises(InputError, match="already published"):
        idx.publish(20_401, *economics.index_inputs(day))
