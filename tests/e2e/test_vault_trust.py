"""The vault that trusts no one, on a real Anvil, through the SDK agents only.

Story: the deployer deploys the plan; carol registers the operator agent and three independent
validators (accounts 6, 7, 8) register their own agents; the deployer opens the vault's term
(binds it to carol's agent and the registries, lists the validators, quorum 2, min score 80);
alice buys 600 TH/s and bob 400 TH/s; carol posts a bond. For ten epochs, carol's operator agent
(`run_operator`) reports, funds and files validation requests from her pool file, the
pool-watcher validators (`answer_requests`) check each report against their copy of the pool
file and answer, and the next operator pass finalises. Epoch 5 is missing from carol's pool file
(an outage): she never reports it, mallory declares it in default after its deadline, and the bond
pays holders. Both holders claim; carol's reputation summary from the vault shows 9 uptime
records; a re-run of every agent does nothing more (idempotent)."""

import json

import pytest
from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.demo.vault import open_devnet_term
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import Status, ValidationClient
from hashtrust.hashrate.operator import load_pool_report, report_hash, run_operator
from hashtrust.hashrate.pool_watcher import answer_requests
from hashtrust.hashrate.vault import HashrateVaultClient, PriceFeedClient, request_hash, ths_to_shares

N = 10
OUTAGE = 5


def warp_to(w3, ts):
    w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    w3.provider.make_request("evm_mine", [])


def sender(w3, acct):
    return TxSender(w3, LocalSigner.from_key(acct.private_key))


@pytest.fixture
def world(w3, deployer, alice, bob, carol, accounts, tmp_path):
    admin = sender(w3, deployer)
    book = AddressBook.for_chain(w3, tmp_path)
    deploy(w3, admin, book)
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    op = sender(w3, carol)
    agent_id = IdentityClient.from_book(w3, book, op).register("ipfs://carol-mining-operator")
    validators = [accounts[i] for i in (6, 7, 8)]
    for v in validators:
        IdentityClient.from_book(w3, book, sender(w3, v)).register(f"ipfs://pool-watcher-{v.address[-4:]}")
    vault_admin = HashrateVaultClient.from_book(w3, book, admin)
    open_devnet_term(
        vault_admin,
        book,
        agent_id=agent_id,
        validators=[v.address for v in validators],
        operator=op,
        bond_sats=10_000_000,
        operator_sats=10**11,
        buys=[(sender(w3, alice), ths_to_shares(600)), (sender(w3, bob), ths_to_shares(400))],
    )
    pool = {"epochs": {str(e): {"delivered_ths": str(950 + e), "gross_sats": 40_000 + 100 * e} for e in range(N) if e != OUTAGE}}
    pool_file = tmp_path / "pool.json"
    pool_file.write_text(json.dumps(pool))
    return {
        "book": book,
        "agent_id": agent_id,
        "vault_admin": vault_admin,
        "feed": PriceFeedClient.from_book(w3, book, admin),
        "vault_op": HashrateVaultClient.from_book(w3, book, op),
        "val_op": ValidationClient.from_book(w3, book, op),
        "watchers": [(v.address, HashrateVaultClient.from_book(w3, book, sender(w3, v)), ValidationClient.from_book(w3, book, sender(w3, v))) for v in validators],
        "pool_file": pool_file,
        "wbtc": wbtc,
    }


def test_ten_epochs_attested_one_defaulted_holders_paid_reputation_built(w3, world, alice, bob, mallory):
    book, agent_id, vault_op, val_op = world["book"], world["agent_id"], world["vault_op"], world["val_op"]
    pool = load_pool_report(world["pool_file"])
    users = {who: vault_op.with_sender(sender(w3, who)) for who in (alice, bob)}
    assert [vault_op.balance_of(who.address) for who in (alice, bob)] == [ths_to_shares(600), ths_to_shares(400)]
    assert vault_op.bond() == 10_000_000

    for e in range(N):
        warp_to(w3, vault_op.epoch_end(e) + 600)
        world["feed"].set_price(95_000)
        did = run_operator(vault_op, val_op, pool)
        if e != OUTAGE:
            assert f"reported {e}" in did and f"funded {e}" in did
            assert sum(x.startswith(f"requested {e} ") for x in did) == 3
        for _, v_vault, v_val in world["watchers"]:
            verdicts = answer_requests(v_vault, v_val, v_vault.sender.address, pool)
            assert [(x.epoch, x.score) for x in verdicts] == ([] if e == OUTAGE else [(e, 100)])
        did = run_operator(vault_op, val_op, pool)
        if e != OUTAGE:
            assert did == [f"finalized {e}"]
            assert vault_op.epoch(e).status == "finalized"
    assert vault_op.epoch(OUTAGE).status == "none"

    # epoch 5's deadline has passed (3-day grace): anyone declares the default, the bond pays holders
    assert vault_op.now() > vault_op.epoch_deadline(OUTAGE)
    by_mallory = vault_op.with_sender(sender(w3, mallory))
    expected = by_mallory.expected_reward(OUTAGE)
    ev = by_mallory.declare_default(OUTAGE)
    assert ev["slashed"] == expected > 0 and vault_op.bond() == 10_000_000 - expected
    assert vault_op.epoch(OUTAGE).status == "defaulted"

    # every agent again: nothing left to do
    assert run_operator(vault_op, val_op, pool) == []
    for _, v_vault, v_val in world["watchers"]:
        assert answer_requests(v_vault, v_val, v_vault.sender.address, pool) == []

    # holders claim everything streamed (9 epochs' net + the slashed bond)
    warp_to(w3, vault_op.status().period_finish + 1)
    st = vault_op.status()
    got = users[alice].claim() + users[bob].claim()
    assert st.total_notified - 20 <= got <= st.total_notified
    a, b = (world["wbtc"].functions.balanceOf(x.address).call() for x in (alice, bob))
    assert abs(a * 4 - b * 6) <= 100  # 60 / 40 split

    # carol's public record: 9 uptime entries posted by the vault, average (950+e)/1000 of sold
    rep = ReputationClient.from_book(w3, book)
    s = rep.summary(agent_id, [vault_op.address], tag1="uptime")
    assert s.count == N - 1
    avg = sum(9_500 + 10 * e for e in range(N) if e != OUTAGE) // (N - 1)  # (950 + e) / 1000 TH/s, percent with 2 decimals
    assert abs(float(s.number) * 100 - avg) <= 1
    assert rep.summary(agent_id, [vault_op.address], tag1="uptime", tag2="epoch-3").count == 1


# ---------------------------------------------------------------------------- hostile requests (issue 22)
NASTY_URIS = [b"\xff\xfe\xfd", b"data:,\x00\x00", b"\x1b[2J\x1b[31mowned\x07", b"\xed\xa0\x80" * 1_365, b"\xff" * 4_096]


def _raw_validation_request(w3, mallory, registry: str, validator: str, agent_id: int, uri: bytes, h: bytes) -> None:
    """`validationRequest` with any bytes as the URI (the SDK refuses to send them; the contract
    stores whatever it is given)."""
    from eth_abi import encode

    data = Web3.keccak(text="validationRequest(address,uint256,string,bytes32)")[:4] + encode(["address", "uint256", "bytes", "bytes32"], [validator, agent_id, uri, h])
    sender(w3, mallory).transact({"to": registry, "data": "0x" + data.hex()}, action="hostile validationRequest")


def test_the_agents_answer_the_honest_epochs_beside_hostile_requests(w3, world, mallory):
    """mallory registers her own agent and, before the operator files epoch 0's requests, squats
    the exact request hash the vault expects from each pool watcher under her agent, with URIs
    that are not UTF-8, hold NULs or terminal escapes, or fill the 4,096-byte limit; she also
    sends each watcher a request with every such URI under fresh hashes. The operator and the
    watchers see none of it: every epoch is requested, answered 100 and finalised as without her,
    and nothing of hers is answered."""
    book, agent_id, vault_op, val_op = world["book"], world["agent_id"], world["vault_op"], world["val_op"]
    pool = load_pool_report(world["pool_file"])
    rogue = IdentityClient.from_book(w3, book, sender(w3, mallory)).register("ipfs://mallory")
    registry = book.address("ValidationRegistry")
    squats = []
    for e in range(2):
        warp_to(w3, vault_op.epoch_end(e) + 600)
        world["feed"].set_price(95_000)
        entry = pool[e]
        for i, (v, _, _) in enumerate(world["watchers"]):
            h = request_hash(w3.eth.chain_id, vault_op.address, e, entry.delivered, entry.gross, report_hash(vault_op.address, entry), v)
            _raw_validation_request(w3, mallory, registry, v, rogue, NASTY_URIS[i % len(NASTY_URIS)], h)  # the vault's hash, her agent
            squats.append((v, h))
            for j, uri in enumerate(NASTY_URIS):
                fresh = Web3.keccak(text=f"mallory-{e}-{i}-{j}")
                _raw_validation_request(w3, mallory, registry, v, rogue, uri, fresh)
                squats.append((v, fresh))
        did = run_operator(vault_op, val_op, pool)
        assert f"reported {e}" in did and sum(x.startswith(f"requested {e} ") for x in did) == 3, did
        for v, v_vault, v_val in world["watchers"]:
            lines: list[str] = []
            verdicts = answer_requests(v_vault, v_val, v, pool, log=lines.append)
            assert [(x.epoch, x.score) for x in verdicts] == [(e, 100)] and not lines, lines
        assert run_operator(vault_op, val_op, pool) == [f"finalized {e}"]
        assert vault_op.epoch(e).status == "finalized"
    for v, h in squats:  # nothing of mallory's was answered
        att = val_op.attestation(rogue, h)
        assert (att.status, att.validator) == (Status.PENDING, v)
