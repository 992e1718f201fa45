"""`hashtrust relay ...` and `hashtrust index show` on a real Anvil: deploy, sync from the real
mainnet data (the retarget at 774,144 pinned by 774,142's coinbase: pending, then final after the
challenge window; idempotent: a rerun sends nothing), sync from a Bitcoin Core JSON-RPC stub, a
forged pending retarget replaced by the watcher's sync, status, reward proofs, the proven index's
proof window and the devnet index; every bad input is one `Error:` line, a non-zero exit and no
transaction."""

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


def _client(cli, name):
    from hashtrust.bitcoin.relay import BitcoinRelayClient
    from hashtrust.chain.accounts import devnet_signer
    from hashtrust.chain.addressbook import AddressBook
    from hashtrust.chain.tx import TxSender

    return BitcoinRelayClient.from_book(cli.w3, AddressBook.for_chain(cli.w3, cli.books), TxSender(cli.w3, devnet_signer(0)), name=name)


def _travel(cli, seconds):
    cli.w3.provider.make_request("evm_increaseTime", [seconds])
    cli.w3.provider.make_request("evm_mine", [])


def _header_file(path, network, blocks, coinbases=(), epoch_start=None):
    """A header file (examples/bitcoin/ format) of ``blocks`` [(height, header)], with ``coinbases``
    [(height, coinbase, branch in internal order)]."""
    data = {"network": network, "headers": [{"height": h, "hex": raw.hex()} for h, raw in blocks],
            "coinbases": [{"height": h, "coinbase_tx": cb.hex(), "coinbase_merkle_branch": [b.hex() for b in br], "branch_byte_order": "internal"} for h, cb, br in coinbases]}
    if epoch_start is not None:
        data["epoch_start"] = {"height": epoch_start[0], "hex": epoch_start[1].hex()}
    path.write_text(json.dumps(data))
    return str(path)


def test_sync_proves_the_real_retarget_at_774144_pending_then_final(cli):
    """The one real retarget whose heights the data can pin (774,142's coinbase, the proof's first
    block): proven, pending for the challenge window (a rerun sends nothing), final after it."""
    from hashtrust.bitcoin.consensus import next_bits

    r = cli("relay", "deploy", "--confirmations", "5", "--proof-length", "2", "--challenge-window", "3600", "--name", "R774")
    assert "deployed R774" in r.output and "P = 2, challenge window 3,600 s" in r.output  # below the mainnet floors: a devnet
    cf = json.loads((EX / "coinbase_774142.json").read_text())
    raws = [bytes.fromhex(x["hex"]) for x in cf["headers"]]
    h1, h2 = Header.parse(raws[1]), Header.parse(raws[2])
    starts = [t for t in range(h1.time - 1_300_000, h1.time - 1_000_000) if next_bits(h1.bits, t, h1.time) == h2.bits]
    _client(cli, "R774").anchor_epoch(383, h1.bits, starts[len(starts) // 2])  # block 772,128 is not in the data
    f = cli.books / "h774.json"
    data = {"network": "mainnet", "headers": cf["headers"], "coinbases": [{k: cf[k] for k in ("height", "coinbase_tx", "coinbase_merkle_branch", "branch_byte_order")}]}
    f.write_text(json.dumps(data))
    r = cli("relay", "sync", "--headers", str(f), "--name", "R774")
    assert "epoch 384: proven, nBits 0x17077ce2 -> 0x17072720; final at" in r.output and "unless a heavier proof comes" in r.output
    assert "relay at epoch 383: 1 retarget(s) proven, 0 challenged, 0 already relayed; epoch 384 pending until" in r.output
    out = cli("relay", "status", "--name", "R774").output
    assert "challenge window 3,600 s" in out and "epoch  384  pending: nBits 0x17072720" in out and "run `relay sync` before then" in out
    nonce = cli.nonce()
    r = cli("relay", "sync", "--headers", str(f), "--name", "R774")
    assert "epoch 384: pending, as the source has it" in r.output and cli.nonce() == nonce
    _travel(cli, 3_600)
    r = cli("relay", "sync", "--headers", str(f), "--name", "R774")
    assert "epoch 384: already relayed" in r.output and "1 already relayed" in r.output and cli.nonce() == nonce
    data = json.loads(cli("relay", "status", "--json", "--name", "R774").output)
    assert [(e["number"], e["bits"]) for e in data["epochs"]] == [(383, "0x17077ce2"), (384, "0x17072720")] and data["pending"] is None


def test_the_554400_file_anchors_but_cannot_prove_its_retarget(cli):
    """The real headers around 554,400 come without a coinbase: the relay anchors at epoch 274 and
    says why the retarget cannot be proven (nothing sent); anchoring at 554,400 gives Bitcoin's difficulty."""
    cli("relay", "deploy", "--confirmations", "5", "--proof-length", "8", "--name", "R554")
    one_error(cli("relay", "sync", "--headers", str(EX / "headers_554390-554408_retarget.json"), "--name", "R554", ok=False), "pass --anchor")
    r = cli("relay", "sync", "--headers", str(EX / "headers_554390-554408_retarget.json"), "--anchor", "--name", "R554")
    assert "anchored at epoch 274" in r.output
    assert "epoch 275: not proven" in r.output and "no provable coinbase at heights 554,392 and before" in r.output
    nonce = cli.nonce()
    r = cli("relay", "sync", "--headers", str(EX / "headers_554390-554408_retarget.json"), "--anchor", "--name", "R554")
    assert "already anchored at epoch 274" in r.output and cli.nonce() == nonce
    data = json.loads(cli("relay", "status", "--json", "--name", "R554").output)
    assert [(e["number"], e["bits"], e["difficulty"]) for e in data["epochs"]] == [(274, "0x1731d97c", 5_646_403_851_534)]
    from hashtrust.bitcoin.files import load_headers

    hf = load_headers(EX / "headers_554390-554408_retarget.json")
    cli("relay", "deploy", "--confirmations", "5", "--proof-length", "9", "--name", "R275")
    _client(cli, "R275").anchor(hf.headers[554_400], 554_400)
    assert "difficulty      5,106,422,924,659" in cli("relay", "status", "--name", "R275").output


def _regtest_chain(post=20, seed=3):
    from hashtrust.bitcoin.miner import SyntheticChain

    chain = SyntheticChain(start_height=BOUNDARY - 8, retargeting=False, seed=seed)
    chain.mine_to(BOUNDARY + post - 1)
    return chain


BOUNDARY = 101 * 2016  # regtest chains here: epoch 100 anchored by number, its end proven


def test_sync_from_a_bitcoin_core_node(cli):
    from hashtrust.bitcoin.consensus import display

    chain = _regtest_chain()
    cli("relay", "deploy", "--network", "regtest", "--confirmations", "2", "--proof-length", "2", "--challenge-window", "3600", "--name", "RNODE")
    _client(cli, "RNODE").anchor_epoch(100, chain.block(BOUNDARY - 8).parsed.bits, 1_700_000_000)
    txs = {b.height: [(display(b.txids[0]), b.coinbase.hex())] + [(display(t), "00") for t in b.txids[1:]] for b in chain.blocks}
    with BitcoindStub({b.height: b.header for b in chain.blocks}, txs) as node:
        r = cli("relay", "sync", "--bitcoin-rpc", node.url, "--from-height", str(BOUNDARY - 8), "--to-height", str(BOUNDARY + 19), "--name", "RNODE")
        assert "getblock" in node.calls  # the proof's first block's coinbase, from the node
    assert "epoch 101: proven" in r.output and "epoch 101 pending until" in r.output
    pend = _client(cli, "RNODE").pending()
    assert (pend["epoch"], pend["start_time"]) == (101, chain.block(BOUNDARY).parsed.time)
    cli("relay", "deploy", "--network", "regtest", "--confirmations", "2", "--proof-length", "2", "--challenge-window", "3600", "--name", "RPRUNED")
    _client(cli, "RPRUNED").anchor_epoch(100, chain.block(BOUNDARY - 8).parsed.bits, 1_700_000_000)
    nonce = cli.nonce()
    with BitcoindStub({b.height: b.header for b in chain.blocks}) as node:  # a pruned node: no block bodies
        r = cli("relay", "sync", "--bitcoin-rpc", node.url, "--from-height", str(BOUNDARY - 8), "--to-height", str(BOUNDARY + 19), "--name", "RPRUNED")
    assert "epoch 101: not proven" in r.output and "no provable coinbase at heights 203,614 and before" in r.output and "Block not available" in r.output
    assert "0 retarget(s) proven" in r.output and cli.nonce() == nonce


def test_sync_replaces_a_forged_pending_retarget(cli):
    """A forger proposes another epoch 101 first (his own boundary block, another start time); the
    watcher's sync replaces it with the source's heavier proof, and says so when it cannot yet."""
    from hashtrust.bitcoin.miner import SyntheticChain
    from hashtrust.bitcoin.proofs import RetargetProof

    chain = _regtest_chain(post=20)
    cli("relay", "deploy", "--network", "regtest", "--confirmations", "2", "--proof-length", "2", "--challenge-window", "3600", "--name", "RFORK")
    client = _client(cli, "RFORK")
    client.anchor_epoch(100, chain.block(BOUNDARY - 8).parsed.bits, 1_700_000_000)
    forged = SyntheticChain(start_height=BOUNDARY - 8, retargeting=False, seed=9)
    forged.blocks.extend(chain.block(h) for h in range(BOUNDARY - 8, BOUNDARY))
    forged.mine(time=chain.block(BOUNDARY).parsed.time + 1)  # his boundary block: another start time
    forged.mine_to(BOUNDARY + 5)
    first = chain.block(BOUNDARY - 2)
    ev = client.retarget(RetargetProof(forged.headers(BOUNDARY - 2, 8), first.coinbase, list(first.branch)))
    assert ev["start_time"] == forged.block(BOUNDARY).parsed.time
    blocks = [(b.height, b.header) for b in chain.blocks]
    cbs = [(b.height, b.coinbase, b.branch) for b in chain.blocks if b.height < BOUNDARY]
    short = _header_file(cli.books / "short.json", "regtest", blocks[: 8 + 5], cbs)
    nonce = cli.nonce()
    one_error(cli("relay", "sync", "--headers", short, "--name", "RFORK", ok=False), "is not the source's chain")
    assert cli.nonce() == nonce
    full = _header_file(cli.books / "full.json", "regtest", blocks, cbs)
    r = cli("relay", "sync", "--headers", full, "--name", "RFORK")
    assert "epoch 101: replaced the pending retarget" in r.output and "1 challenged" in r.output
    pend = client.pending()
    assert pend["start_time"] == chain.block(BOUNDARY).parsed.time and pend["work"] > ev["work"]
    r = cli("relay", "sync", "--headers", full, "--name", "RFORK")
    assert "pending, as the source has it" in r.output
    _travel(cli, 3_600)
    assert client.epoch(101).start_time == chain.block(BOUNDARY).parsed.time


def test_index_show_with_the_proven_index(cli):
    """A HashpriceIndex on a regtest relay: a period missing its one sample shows when its proof
    window ends; `relay prove-reward --submit` counts samples; void once the window passed."""
    from hashtrust.bitcoin.consensus import display
    from hashtrust.bitcoin.index import HashpriceIndexClient, deploy_index
    from hashtrust.bitcoin.miner import SyntheticChain
    from hashtrust.chain.accounts import devnet_signer
    from hashtrust.chain.addressbook import AddressBook
    from hashtrust.chain.tx import TxSender
    from hashtrust.errors import InputError

    start = 100 * 2016
    chain = SyntheticChain(start_height=start, retargeting=False, seed=12)
    chain.mine_to(start + 3 * 144 + 2)
    cli("relay", "deploy", "--network", "regtest", "--confirmations", "2", "--proof-length", "2", "--name", "BitcoinRelay")
    relay = _client(cli, "BitcoinRelay")
    book = AddressBook.for_chain(cli.w3, cli.books)
    sender = relay.sender  # one sender per account (it keeps the nonce)
    with pytest.raises(InputError, match="is not anchored"):
        deploy_index(cli.w3, sender, book, relay.address, 1_400, 1, proof_window=3_600)
    relay.anchor(chain.block(start).header, start)
    with pytest.raises(InputError, match="before the relay's first epoch"):
        deploy_index(cli.w3, sender, book, relay.address, 1_399, 1, proof_window=3_600)
    nonce = cli.nonce()
    one_error(cli("index", "deploy", "--first-period", "1400", "--samples", "5", ok=False), "samples: must divide 144")
    one_error(cli("index", "deploy", "--first-period", "1400", "--relay", "NoSuchRelay", ok=False), "no NoSuchRelay in the address book")
    assert cli.nonce() == nonce
    r = cli("index", "deploy", "--first-period", "1400", "--samples", "1", "--proof-window", "3600")
    assert "deployed HashpriceIndex at" in r.output and "first period 1,400 (heights from 201,600, epoch 100), 1 sample block(s) a period, proof window 3,600 s" in r.output
    assert "reused HashpriceIndex" in cli("index", "deploy", "--first-period", "1400", "--samples", "1", "--proof-window", "3600").output and cli.nonce() == nonce + 1
    idx = HashpriceIndexClient.from_book(cli.w3, AddressBook.for_chain(cli.w3, cli.books))
    assert idx.params()["proof_window"] == 3_600 and idx.params()["min_samples"] == 1
    out = cli("index", "show").output
    assert "next period 1,400: 0/1 sample blocks proven" in out and "its proof window opens when a block of a later period is counted" in out
    txs = {b.height: [(display(b.txids[0]), b.coinbase.hex())] + [(display(t), "00") for t in b.txids[1:]] for b in chain.blocks}
    with BitcoindStub({b.height: b.header for b in chain.blocks}, txs) as node:
        r = cli("relay", "prove-reward", "--bitcoin-rpc", node.url, "--height", str(1_401 * 144 + 143), "--submit")
    assert "counted in period 1,401" in r.output
    data = json.loads(cli("index", "show", "--json").output)
    end = data["next_period"]["window_end"]
    assert data["next_period"]["period"] == 1_400 and end > 0 and data["params"]["proof_window"] == 3_600
    assert "its proof window ends" in cli("index", "show").output
    idx = HashpriceIndexClient(cli.w3, idx.address, TxSender(cli.w3, devnet_signer(0)))  # a fresh nonce after the CLI's transaction
    with pytest.raises(InputError, match="its proof window ends at"):
        idx.publish(1_400)
    _travel(cli, 3_600)
    ev = idx.publish(1_400)
    assert ev["void"] and ev["period"] == 1_400
    assert idx.publish(1_401)["period"] == 1_401
    assert json.loads(cli("index", "show", "--json").output)["status"]["next_period"] == 1_402


def test_prove_reward_and_bad_proofs(cli):
    from hashtrust.bitcoin.relay import BitcoinRelayClient
    from hashtrust.chain.accounts import devnet_signer
    from hashtrust.chain.addressbook import AddressBook
    from hashtrust.chain.tx import TxSender

    cli("relay", "deploy", "--confirmations", "5", "--name", "R776")
    one_error(cli("relay", "prove-reward", str(EX / "coinbase_776166.json"), "--name", "R776", ok=False),
              "block 776,166 and its confirmations reach epoch 385 (heights 776,160 to 778,175), which this relay does not hold: it holds no epoch yet")
    cf = json.loads((EX / "coinbase_776166.json").read_text())
    bits = Header.parse(bytes.fromhex(cf["headers"][0]["hex"])).bits
    client = BitcoinRelayClient.from_book(cli.w3, AddressBook.for_chain(cli.w3, cli.books), TxSender(cli.w3, devnet_signer(0)), name="R776")
    client.anchor_epoch(776_166 // 2016, bits, Header.parse(bytes.fromhex(cf["headers"][0]["hex"])).time - 3_600)
    r = cli("relay", "prove-reward", str(EX / "coinbase_776166.json"), "--name", "R776")
    assert "block 776,166" in r.output and "paid 631,067,024 sats = subsidy 625,000,000 + fees 6,067,024 (5 confirmations)" in r.output
    # 774,142 (epoch 383) and its confirmations (into 384) are in epochs this relay does not hold
    one_error(cli("relay", "prove-reward", str(EX / "coinbase_774142.json"), "--name", "R776", ok=False),
              "block 774,142 and its confirmations reach epoch 383 (heights 772,128 to 774,143), which this relay does not hold: it holds epoch 385 only")
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
    one_error(cli("relay", "deploy", "--network", "signet", "--name", "T", ok=False), "signet is not supported")
    one_error(cli("relay", "deploy", "--confirmations", "1", "--name", "T", ok=False), "must be 2 to 63")
    one_error(cli("relay", "deploy", "--proof-length", "1", "--name", "T", ok=False), "must be 2 to 100")
    one_error(cli("relay", "deploy", "--challenge-window", "60", "--name", "T", ok=False), "must be 3,600 seconds")
    assert cli.nonce() == nonce


def test_index_show_with_the_devnet_index(cli):
    from hashtrust.bitcoin.index import deploy_dev_index
    from hashtrust.chain.accounts import devnet_signer
    from hashtrust.chain.addressbook import AddressBook
    from hashtrust.chain.tx import TxSender
    from hashtrust.errors import InputError
    from hashtrust.hashrate import economics

    one_error(cli("index", "show", ok=False), "no HashpriceIndex or DevHashpriceIndex")
    book = AddressBook.for_chain(cli.w3, cli.books)
    idx, deployed = deploy_dev_index(cli.w3, TxSender(cli.w3, devnet_signer(0)), book)
    assert deployed and not deploy_dev_index(cli.w3, TxSender(cli.w3, devnet_signer(0)), book)[1]
    assert "no final day yet" in cli("index", "show").output
    day = economics.Day(difficulty=150e12, btc_usd=90_000, avg_fees_btc=0.025, height=880_000)
    for d in (20_400, 20_401):
        idx.publish(d, *economics.index_inputs(day))
    with pytest.raises(InputError, match="in order, without gaps: the next is 20,402"):
        idx.publish(20_405, *economics.index_inputs(day))
    data = json.loads(cli("index", "show", "--json", "--days", "3").output)
    v = economics.index_msat_per_th_day(day)
    assert data["latest"] == {"day": 20_401, "value": v}
    assert data["days"] == [{"day": 20_400, "value": v, "final": True}, {"day": 20_401, "value": v, "final": True}]  # none before the first day (user16 U16-10)
    with pytest.raises(InputError, match="already published"):
        idx.publish(20_401, *economics.index_inputs(day))
