"""The share token's EIP-2612 permit, and the devnet BTC/USD feed.

Story: alice signs a permit off-chain so bob can move her shares; the deployer publishes prices
on the feed and mallory cannot."""

import ape
from vault_setup import BTC_USD, TH
from eth_account import Account
from eth_account.messages import encode_typed_data


def test_permit_then_transfer_from(vault, alice, bob, chain):
    vault.buy(5 * TH, 2**256 - 1, alice, sender=alice)
    deadline = chain.pending_timestamp + 3_600
    msg = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": "Hashrate TH/s", "version": "1", "chainId": chain.chain_id, "verifyingContract": vault.address},
        "message": {"owner": alice.address, "spender": bob.address, "value": 2 * TH, "nonce": 0, "deadline": deadline},
    }
    sig = Account.sign_message(encode_typed_data(full_message=msg), alice.private_key)
    vault.permit(alice, bob, 2 * TH, deadline, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"), sender=bob)
    assert vault.allowance(alice, bob) == 2 * TH and vault.nonces(alice) == 1
    vault.transferFrom(alice, bob, 2 * TH, sender=bob)
    assert vault.balanceOf(bob) == 2 * TH
    with ape.reverts("erc20: invalid signature"):  # replay
        vault.permit(alice, bob, 2 * TH, deadline, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"), sender=bob)


def test_feed_reads_like_chainlink(feed, deployer, chain):
    assert feed.decimals() == 8 and feed.description() == "BTC / USD" and feed.version() == 4
    rid, answer, started, updated, answered = feed.latestRoundData()
    assert (rid, answer, answered) == (1, BTC_USD, 1) and started == updated == feed.latest_timestamp()
    tx = feed.set_price(90_000 * 10**8, sender=deployer)
    (ev,) = tx.decode_logs(feed.AnswerUpdated)
    assert (ev.current, ev.roundId) == (90_000 * 10**8, 2) and ev.updatedAt == chain.blocks.head.timestamp
    assert feed.latestRoundData()[:2] == (2, 90_000 * 10**8)


def test_only_owner_publishes(feed, mallory):
    with ape.reverts("ownable: caller is not the owner"):
        feed.set_price(1, sender=mallory)


def test_feed_without_initial_answer(project, deployer):
    f = project.PriceFeed.deploy(8, "BTC / USD", 0, sender=deployer)
    assert f.latestRoundData() == (0, 0, 0, 0, 0)
