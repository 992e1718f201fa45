"""The Bitcoin Core JSON-RPC source against a local server answering Core's documented shapes:
headers of the real 554,400 retarget file, and a synthetic block's full transaction list."""

import pytest
from bitcoind_stub import BitcoindStub
from btc_boa import fixture

from hashtrust.bitcoin.consensus import display
from hashtrust.bitcoin.miner import SyntheticChain
from hashtrust.bitcoin.rpc import BitcoinRPC, BitcoinRPCError, NodeSource, reward_proof
from hashtrust.bitcoin.tx import parse_coinbase
from hashtrust.errors import InputError

HF = fixture("headers_554390-554408_retarget.json")


def _headers():
    hs = dict(HF.headers)
    hs[HF.epoch_start[0]] = HF.epoch_start[1]
    return hs


def test_node_source_serves_what_the_file_holds():
    with BitcoindStub(_headers()) as node:
        src = NodeSource(BitcoinRPC(node.url), 552_384, 554_408)
        assert src.epoch_start == HF.epoch_start
        assert src.boundaries() == [554_400]
        assert src.run(554_391, 18) == HF.run(554_391, 18)
        assert set(node.calls) == {"getblockcount", "getblockhash", "getblockheader"}
        with pytest.raises(BitcoinRPCError, match="Block height out of range"):
            src.run(554_380, 2)
        with pytest.raises(InputError, match="not available yet .the node's tip is 554,408"):
            src.run(554_400, 10)
        short = NodeSource(BitcoinRPC(node.url), 552_384, 554_405)
        with pytest.raises(InputError, match="not available yet .--to-height 554,405"):
            short.run(554_400, 7)


def test_node_source_stops_at_the_tip():
    """user16 U16-1: a watcher's fixed --to-height far above the tip reads to the tip (the next
    boundary is not mined yet: nothing to prove, no error); a start above the tip is refused."""
    with BitcoindStub(_headers()) as node:
        src = NodeSource(BitcoinRPC(node.url), 552_384, 900_000)
        assert (src.to_height, src.boundaries()) == (554_408, [554_400])
        with pytest.raises(InputError, match="--from-height: 600,000 is above the node's tip 554,408"):
            NodeSource(BitcoinRPC(node.url), 600_000, 900_000)
        with pytest.raises(InputError, match="--from-height: must not be negative"):
            NodeSource(BitcoinRPC(node.url), -1, 900_000)


def test_reward_proof_from_getblock():
    chain = SyntheticChain(start_height=4_032, seed=4)
    for _ in range(8):
        chain.mine(txs=9)
    blk = chain.block(4_033)
    ids = [display(t) for t in blk.txids]  # the filler transactions' bodies are not needed: placeholders
    with BitcoindStub({b.height: b.header for b in chain.blocks}, {4_033: [(ids[0], blk.coinbase.hex())] + [(i, "00") for i in ids[1:]]}) as node:
        p = reward_proof(BitcoinRPC(node.url), 4_033, 3)
    assert p.branch == blk.branch and p.coinbase == blk.coinbase and p.headers == chain.headers(4_033, 4)
    assert p.check(3) == blk.paid == parse_coinbase(p.coinbase).paid


def test_node_errors_are_one_sentence():
    with BitcoindStub(_headers()) as node:
        with pytest.raises(BitcoinRPCError, match="Block not available"):
            reward_proof(BitcoinRPC(node.url), 554_400, 1)
        bad_auth = node.url.replace("u:p@", "u:wrong@")
        with pytest.raises(BitcoinRPCError, match="HTTP 401"):
            BitcoinRPC(bad_auth).block_hash(554_400)
    with pytest.raises(BitcoinRPCError, match="cannot reach the bitcoin node"):
        BitcoinRPC("http://127.0.0.1:1").block_hash(1)
    with pytest.raises(InputError, match="not an http"):
        BitcoinRPC("ftp://x")
