"""The SDK's IdentityClient: alice registers and manages agents through it; every input the
contract would refuse is caught in Python first (naming the field and the limit), and what
only the contract can judge comes back as RevertError with the contract's reason."""

import time

import pytest
from eth_account import Account
from identity_helpers import URI, ZERO

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.identity import IdentityClient, wallet_digest, wallet_typed_data
from hashtrust.errors import InputError, RevertError


@pytest.fixture
def client_for(w3, registry):
    def make(acct):
        return IdentityClient(w3, registry.address, TxSender(w3, LocalSigner.from_key(acct.private_key)))

    return make


@pytest.fixture
def ident(client_for, alice):
    return client_for(alice)


def test_register_all_forms_and_read_back(ident, alice):
    assert ident.register() == 1
    assert ident.register(URI) == 2
    assert ident.register(URI + "/3", {"agentName": "Pool Watch", "blob": b"\x00\x01"}) == 3
    a = ident.agent(3)
    assert (a.agent_id, a.owner, a.uri, a.wallet) == (3, alice.address, URI + "/3", alice.address)
    assert ident.get_metadata(3, "agentName") == b"Pool Watch"
    assert ident.get_metadata(3, "blob") == b"\x00\x01"
    assert ident.total_agents() == 3 and ident.balance_of(alice.address) == 3
    assert ident.version() == "2.0.0"
    assert ident.is_authorized_or_owner(alice.address, 1)


def test_uri_metadata_and_events(ident):
    agent = ident.register(URI)
    r = ident.set_agent_uri(agent, "https://x.example/a.json")
    assert ident.token_uri(agent) == "https://x.example/a.json"
    (ev,) = ident.events(r, "URIUpdated")
    assert ev["newURI"] == "https://x.example/a.json"
    ident.set_metadata(agent, "k", "text value")
    assert ident.get_metadata(agent, "k") == b"text value"


def test_eoa_wallet_signed_by_the_sdk(ident, dave):
    agent = ident.register(URI)
    r = ident.set_agent_wallet(agent, Account.from_key(dave.private_key))
    assert ident.get_agent_wallet(agent) == dave.address
    (ev,) = ident.events(r, "MetadataSet")
    assert bytes(ev["metadataValue"]) == bytes.fromhex(dave.address[2:])
    last = ident.last_wallet_deadline(agent)
    assert last > 0 and ident.next_wallet_deadline(agent) > last
    ident.unset_agent_wallet(agent)
    assert ident.get_agent_wallet(agent) == ZERO


@pytest.mark.parametrize("skew", ["chain ahead of the wall clock", "chain behind the wall clock"])
def test_wallet_deadline_follows_the_chain_clock_not_the_wall_clock(skew, ident, dave, chain, w3, monkeypatch):
    """The deadline is taken from the pending block, the one the transaction lands in.

    Ahead: the chain has jumped a day past the wall clock. Behind: the wall clock reads a day later
    than the chain. Either way the contract accepts the deadline. (Anvil's clock moved either way,
    and its next block a day past the latest one, are tests/e2e/test_wallet_clock.py's.)"""
    agent = ident.register(URI)
    if skew.startswith("chain ahead"):
        chain.pending_timestamp += 86_400
    else:
        wall = time.time
        monkeypatch.setattr(time, "time", lambda: wall() + 86_400)
    pending = int(w3.eth.get_block("pending")["timestamp"])
    deadline = ident.next_wallet_deadline(agent)
    assert pending < deadline <= pending + 300
    ident.set_agent_wallet(agent, Account.from_key(dave.private_key))
    assert ident.get_agent_wallet(agent) == dave.address
    assert ident.last_wallet_deadline(agent) == deadline


def test_contract_wallet_approves_the_sdk_digest(ident, wallet_contract, dave, alice, chain):
    agent = ident.register(URI)
    approval = ident.wallet_approval(agent, wallet_contract.address)
    assert approval.owner == alice.address
    typed = wallet_typed_data(chain.chain_id, ident.address, agent, wallet_contract.address, alice.address, approval.deadline)
    assert approval.digest == wallet_digest(typed)
    wallet_contract.approve_hash(approval.digest, True, sender=dave)
    ident.set_agent_wallet(agent, wallet_contract.address, signature=b"\x01", deadline=approval.deadline)
    assert ident.get_agent_wallet(agent) == wallet_contract.address


def test_replayed_signature_is_a_revert_error(ident, dave):
    agent = ident.register(URI)
    approval = ident.wallet_approval(agent, dave.address)
    from hashtrust.erc8004.identity import sign_wallet_approval

    sig = sign_wallet_approval(approval, dave.private_key)
    ident.set_agent_wallet(agent, dave.address, signature=sig, deadline=approval.deadline)
    with pytest.raises(RevertError) as err:
        ident.set_agent_wallet(agent, dave.address, signature=sig, deadline=approval.deadline)
    assert err.value.reason == "identity: signature already used"


def test_stranger_gets_the_contract_reason_and_nothing_is_sent(ident, client_for, mallory, w3):
    agent = ident.register(URI)
    evil = client_for(mallory)
    nonce = w3.eth.get_transaction_count(mallory.address)
    with pytest.raises(RevertError) as err:
        evil.set_metadata(agent, "k", b"v")
    assert err.value.reason == "identity: not authorized"
    with pytest.raises(RevertError) as err:
        evil.set_agent_uri(agent, "https://evil.example")
    assert err.value.reason == "identity: not authorized"
    assert w3.eth.get_transaction_count(mallory.address) == nonce
    with pytest.raises(RevertError) as err:
        ident.owner_of(999)
    assert err.value.reason == "erc721: invalid token ID"


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda c: c.register("x" * 8_193), "agentURI"),
        (lambda c: c.register(URI, {"agentWallet": b"\x00" * 20}), "metadata[0].key"),
        (lambda c: c.register(URI, {"": b"v"}), "metadata[0].key"),
        (lambda c: c.register(URI, {"k" * 65: b"v"}), "metadata[0].key"),
        (lambda c: c.register(URI, {"k": b"v" * 1_025}), "metadata[0].value"),
        (lambda c: c.register(URI, [("k", b"1"), ("k", b"2")]), "metadata[1].key"),
        (lambda c: c.register(URI, {f"k{i}": b"v" for i in range(17)}), "metadata"),
        (lambda c: c.register(URI, {"k": 5}), "metadata[0].value"),
        (lambda c: c.set_metadata(0, "k", b"v"), "agentId"),
        (lambda c: c.set_metadata(1, "agentWallet", b"v"), "metadataKey"),
        (lambda c: c.set_agent_uri(1, "y" * 9_000), "newURI"),
        (lambda c: c.set_agent_wallet(1, "0x1234", signature=b"\x01", deadline=1), "newWallet"),
        (lambda c: c.set_agent_wallet(1, ZERO, signature=b"\x01", deadline=1), "newWallet"),
        (lambda c: c.set_agent_wallet(1, "0x" + "11" * 20, signature=b"\x01"), "deadline"),
        (lambda c: c.set_agent_wallet(1, "0x" + "11" * 20, signature=b"", deadline=10**10), "signature"),
        (lambda c: c.get_agent_wallet(-1), "agentId"),
        (lambda c: c.transfer(1, "not-an-address"), "to"),
    ],
)
def test_bad_inputs_are_caught_before_sending(ident, alice, w3, call, field):
    ident.register(URI)
    nonce = w3.eth.get_transaction_count(alice.address)
    with pytest.raises(InputError) as err:
        call(ident)
    assert err.value.field == field
    assert w3.eth.get_transaction_count(alice.address) == nonce


def test_transfer_through_the_client_clears_the_wallet(ident, bob):
    agent = ident.register(URI)
    ident.transfer(agent, bob.address)
    assert ident.owner_of(agent) == bob.address
    assert ident.get_agent_wallet(agent) == ZERO


def test_agents_with_metadata_finds_keys_per_owner(ident, client_for, bob):
    a1 = ident.register(URI, {"hashtrust.key": "alpha"})
    a2 = ident.register(URI, {"hashtrust.key": "beta"})
    b1 = client_for(bob).register(URI, {"hashtrust.key": "alpha"})
    assert ident.agents_with_metadata("hashtrust.key") == {b"alpha": [a1, b1], b"beta": [a2]}
    assert ident.agents_with_metadata("hashtrust.key", owner=bob.address) == {b"alpha": [b1]}
    ident.set_metadata(a2, "hashtrust.key", "gamma")  # the latest value wins
    assert ident.agents_with_metadata("hashtrust.key", owner=ident.sender.address) == {b"alpha": [a1], b"gamma": [a2]}
