"""The demo's Bitcoin scene (`hashtrust.demo.bitcoin.run`) on a private Anvil: the real headers
around 554,400 checked on chain across the retarget (Bitcoin's nBits and difficulty), the same
headers one height off refused, epoch 275 not recorded (no coinbase pins the heights), block
776,166's reward proven from its real coinbase; a rerun sends nothing and says the same."""

from __future__ import annotations

from private_node import private_anvil

from hashtrust.bitcoin.relay import BitcoinRelayClient
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.demo import bitcoin as scene
from hashtrust.demo.context import DemoContext


def test_the_demo_bitcoin_scene_proves_the_real_figures_and_reruns_idle(tmp_path):
    with private_anvil(tmp_path / "devnet") as (_url, w3):
        admin = TxSender(w3, devnet_signer(0))
        book = AddressBook(w3.eth.chain_id, tmp_path / "book")
        lines: list[str] = []
        ctx = DemoContext(w3=w3, sender=admin, book=book, echo=lines.append, progress=False, out_dir=tmp_path, report={})
        fig = scene.run(ctx)
        rt, rw = fig["retarget"], fig["reward"]
        assert (rt["old_bits"], rt["new_bits"], rt["rule_bits"], rt["difficulty"], rt["headers"]) == (0x1731D97C, 0x17371EF4, 0x17371EF4, 5_106_422_924_659, 19)
        assert rt["one_off"] == "refused (bitcoin: header nBits disagree with its epoch)"
        assert (rw["height"], rw["paid"], rw["subsidy"], rw["fees"], rw["confirmations"]) == (776_166, 631_067_024, 625_000_000, 6_067_024, 5)
        relay = BitcoinRelayClient.from_book(w3, book, name="Relay554400")
        assert relay.address == rt["relay"] and relay.latest_epoch() == 274 and relay.epoch(275) is None and relay.pending() is None
        assert (relay.epoch(274).bits, relay.epoch(274).start_time) == (0x1731D97C, 1_543_838_368)  # block 552,384
        text = "\n".join(lines)
        assert "retarget at 554,400 checked on chain: 19 real headers 554,390-554,408" in text
        assert "nBits 0x1731d97c -> 0x17371ef4 = Bitcoin's rule from blocks 552,384 and 554,399 (difficulty 5,106,422,924,659)" in text
        assert "block 776,166 proven from its coinbase (BIP34 height), merkle branch" in text
        assert "paid 631,067,024 sats = subsidy 625,000,000 + fees 6,067,024" in text

        nonce = w3.eth.get_transaction_count(admin.address)
        lines.clear()
        again = scene.run(ctx)
        assert again == fig and w3.eth.get_transaction_count(admin.address) == nonce
