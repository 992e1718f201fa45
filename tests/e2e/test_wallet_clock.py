"""Wallet signatures on an Anvil whose clock is not the wall clock.

`IdentityClient.next_wallet_deadline` takes its times from the chain: the pending block (the
one the transaction lands in) and the latest one (where Anvil estimates gas), never the wall
clock. So the wallet is set whether Anvil's clock runs a day ahead of the wall clock
(``evm_increaseTime``) or a day behind it (``evm_setTime``); and when the next block is a day
past the latest one (nothing mined since the jump), no deadline can pass both checks: the SDK
says so in one line instead of sending a transaction that reverts."""

import time

import pytest
from eth_account import Account

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.identity import MAX_DEADLINE_DELAY, IdentityClient
from hashtrust.errors import InputError

DAY = 86_400


def _ts(w3, block):
    return int(w3.eth.get_block(block)["timestamp"])


@pytest.fixture
def clock(w3):
    """Anvil's clock, put back where it was (plus the time spent) after the test."""
    before, t0 = _ts(w3, "pending"), time.time()
    yield lambda method, *params: w3.provider.make_request(method, list(params))
    w3.provider.make_request("evm_setTime", [max(before + int(time.time() - t0), _ts(w3, "latest") + 1)])
    w3.provider.make_request("evm_mine", [])


@pytest.fixture
def ident(project, deployer, alice, w3):
    registry = project.IdentityRegistry.deploy(sender=deployer)
    return IdentityClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(alice.private_key)))


@pytest.mark.parametrize("shift", [DAY, -DAY], ids=["clock a day ahead of the wall clock", "clock a day behind it"])
def test_wallet_set_whatever_the_wall_clock_says(shift, ident, bob, w3, clock):
    agent = ident.register("ipfs://clock")
    clock("evm_setTime", int(time.time()) + shift)
    clock("evm_mine")
    assert abs(_ts(w3, "latest") - (time.time() + shift)) < 60
    deadline = ident.next_wallet_deadline(agent)
    assert _ts(w3, "pending") < deadline <= _ts(w3, "latest") + MAX_DEADLINE_DELAY
    # the deadline just checked is the one signed and sent (a second call could fall in the next
    # second of Anvil's clock and pick deadline + 1)
    ident.set_agent_wallet(agent, Account.from_key(bob.private_key), deadline=deadline)
    assert ident.get_agent_wallet(agent) == bob.address and ident.last_wallet_deadline(agent) == deadline


def test_next_block_a_day_past_the_latest_is_one_clear_error(ident, bob, w3, clock):
    agent = ident.register("ipfs://clock-gap")
    clock("evm_increaseTime", DAY)  # nothing mined: only the next block moves
    with pytest.raises(InputError, match="retry once a block is mined"):
        ident.set_agent_wallet(agent, Account.from_key(bob.private_key))
    clock("evm_mine")
    ident.set_agent_wallet(agent, Account.from_key(bob.private_key))
    assert ident.get_agent_wallet(agent) == bob.address
