"""The share token's EIP-2612 permit, and the devnet BTC/USD feed.

Story: alice signs a permit off-chain so bob can move her shares (the permitted transferFrom runs
the settlement check like every balance change); a feed deployed without an answer reads empty.

Dropped as duplicates: the feed's Chainlink reads, rounds, phases and owner-only publishing ->
vault_contract/test_vc_price_round.py::test_dev_feed_rounds."""

import ape
from vault_setup import TH
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
    tx = vault.permit(alice, bob, 2 * TH, deadline, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"), sender=bob)
    (a,) = tx.decode_logs(vault.Approval)
    assert (a.owner, a.spender, a.value) == (alice, bob, 2 * TH)
    assert vault.allowance(alice, bob) == 2 * TH and vault.nonces(alice) == 1
    tx = vault.transferFrom(alice, bob, 2 * TH, sender=bob)
    (t,) = [e for e in tx.decode_logs(vault.Transfer) if e.contract_address == vault.address]
    assert (t.sender, t.receiver, t.value) == (alice, bob, 2 * TH)
    assert vault.balanceOf(bob) == 2 * TH and vault.allowance(alice, bob) == 0
    with ape.reverts("erc20: invalid signature"):  # replay
        vault.permit(alice, bob, 2 * TH, deadline, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"), sender=bob)


def test_feed_without_initial_answer(project, deployer):
    f = project.PriceFeed.deploy(8, "BTC / USD", 0, sender=deployer)
    assert f.latestRoundData() == (0, 0, 0, 0, 0) and f.latest_round() == 0
    with ape.reverts("feed: no data present"):
        f.getRoundData(0)
