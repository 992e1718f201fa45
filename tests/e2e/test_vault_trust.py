"""The vault that trusts no one, on a real Anvil, through the SDK agents only (split vault:
`HashrateVault` + `VaultTrust`).

Story: the deployer deploys the plan; carol registers the operator agent and three independent
validators (accounts 6, 7, 8) register their own agents; the deployer opens the vault's term
(`deploy_trust`: the trust fixes carol's agent, the registries, the validators, quorum 2, min
score 98, the hashprice inputs and 7 bond epochs; carol posts a 0.1 BTC bond, above the required
one); alice buys 600 TH/s and bob 400 TH/s. For ten epochs the feed publishes before each end,
carol's operator agent (`run_operator`, settling left to others) reports, funds and files
validation requests from her pool file, the pool-watcher validators (`answer_requests`) check
each report against their copy and answer, and the next operator pass finalises. Epoch 5 is
missing from carol's pool file (an outage): she never reports it; after its record time
mallory's `declare_default(5)` (settle_due until it is settled) settles everything due: epoch 5
as a default owing the hashprice net of the term supply (`expected_unreported`), each attested
epoch due by then its undelivered share (`expected_reported * (S - delivered) / S`), all paid
from the bond and credited to the holders. Both holders claim; carol's reputation summary from
the trust shows the 9 uptime records and the default's 0; a re-run of every agent does nothing
more (idempotent)."""

import json

import pytest
from web3 import Web3

from hashtrust.demo.vault import open_devnet_term
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import Status, ValidationClient
from hashtrust.hashrate.operator import load_pool_report, report_hash, run_operator
from hashtrust.hashrate.pool_watcher import answer_requests
from hashtrust.hashrate.vault import HashrateVaultClient, PriceFeedClient, expected_epoch_gross, request_hash, ths_to_shares
from vault_world import sender, vault_world, warp_to

N = 10
OUTAGE = 5


def priced_epoch_end(w3, vault, feed, e, usd=95_000):
    """Publish ``usd`` before epoch ``e`` ends (the round in force at its end prices it), then
    move past the end."""
    end = vault.epoch_end(e)
    if vault.now() < end - 600:
        warp_to(w3, end - 600)
    feed.set_price(usd)
    warp_to(w3, end + 600)


@pytest.fixture
def world(w3, deployer, alice, bob, carol, accounts, tmp_path):
    vw = vault_world(w3, deployer, carol, accounts, tmp_path)
    book, admin, op, agent_id, validators, vault_admin, wbtc = vw.book, vw.admin, vw.op, vw.agent_id, vw.validators, vw.vault_admin, vw.wbtc
    trust = open_devnet_term(
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
        "trust": trust,
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
    book, agent_id, vault_op, val_op, trust = world["book"], world["agent_id"], world["vault_op"], world["val_op"], world["trust"]
    pool = load_pool_report(world["pool_file"])
    users = {who: vault_op.with_sender(sender(w3, who)) for who in (alice, bob)}
    assert [vault_op.balance_of(who.address) for who in (alice, bob)] == [ths_to_shares(600), ths_to_shares(400)]
    assert trust.bond() == 10_000_000 > trust.required_bond()
    supply = ths_to_shares(1_000)

    for e in range(N):
        priced_epoch_end(w3, vault_op, world["feed"], e)
        did = run_operator(vault_op, val_op, pool, settle=False)
        if e != OUTAGE:
            assert f"reported {e}" in did and f"funded {e}" in did
            assert sum(x.startswith(f"requested {e} ") for x in did) == 3
        for _, v_vault, v_val in world["watchers"]:
            verdicts = answer_requests(v_vault, v_val, v_vault.sender.address, pool)
            assert [(x.epoch, x.score) for x in verdicts] == ([] if e == OUTAGE else [(e, 100)])
        did = run_operator(vault_op, val_op, pool, settle=False)
        if e != OUTAGE:
            assert did == [f"finalized {e}"]
            rec = trust.record(e)
            assert (rec.kind_name, rec.attestations, rec.uptime_bps, rec.feedback_name, rec.settled) == ("finalized", 3, (950 + e) * 10, "posted", False)
    assert vault_op.epoch(OUTAGE).status == "none" and not trust.record(OUTAGE).settled

    # epoch 5's record time (its report deadline, 3 days after its end) has passed: anyone settles
    now = vault_op.now()
    assert now > vault_op.record_time(OUTAGE) == vault_op.report_deadline(OUTAGE)
    due = vault_op.due_epochs()
    attested_due = [e for e in range(N) if e != OUTAGE and now > vault_op.attest_deadline(e)]
    assert due == sorted(attested_due + [OUTAGE]) and attested_due == [0, 1, 2, 3]
    by_mallory = vault_op.with_sender(sender(w3, mallory))
    owed5 = trust.expected_unreported(OUTAGE)
    g = expected_epoch_gross(supply, 150 * 10**12, 315_000_000)
    assert owed5 == g - g * 1_000 // 10_000  # Nu: the hashprice net of the term supply, no electricity
    owed = {e: trust.expected_reported(e) * (supply - ths_to_shares(950 + e)) // supply for e in attested_due}
    ev = by_mallory.declare_default(OUTAGE)
    assert (ev["kind"], ev["owed_sats"], ev["paid_sats"], ev["credited"], ev["settled"], ev["feedback"]) == (
        "defaulted: never reported", owed5, owed5, owed5, True, "posted")
    for e in attested_due:  # finalised epochs under-delivered 5 %: the undelivered share at the hashprice
        rec = trust.record(e)
        assert (rec.kind_name, rec.owed, rec.paid, rec.settled) == ("finalized", owed[e], owed[e], True) and owed[e] > 0
    assert trust.bond() == 10_000_000 - owed5 - sum(owed.values())
    assert vault_op.due_epochs() == [] and vault_op.settle_cursor() == 4

    # every agent again: nothing left to do
    assert run_operator(vault_op, val_op, pool) == []
    for _, v_vault, v_val in world["watchers"]:
        assert answer_requests(v_vault, v_val, v_vault.sender.address, pool) == []

    # holders claim everything streamed or credited (9 epochs' net + what the bond paid)
    warp_to(w3, vault_op.status().period_finish + 1)
    got = users[alice].claim() + users[bob].claim()
    st = vault_op.status()
    assert st.total_notified - 20 <= got <= st.total_notified
    assert st.total_notified >= sum(vault_op.epoch(e).net for e in range(N)) + 10_000_000 - trust.bond() - 20
    a, b = (world["wbtc"].functions.balanceOf(x.address).call() for x in (alice, bob))
    assert abs(a * 4 - b * 6) <= 100  # 60 / 40 split

    # carol's public record, posted by the trust: 9 uptime entries ((950 + e) / 1000) and the default's 0
    rep = ReputationClient.from_book(w3, book)
    s = rep.summary(agent_id, [trust.address], tag1="uptime")
    assert s.count == N
    avg = sum(9_500 + 10 * e for e in range(N) if e != OUTAGE) // N  # percent with 2 decimals, the default counting 0
    assert abs(float(s.number) * 100 - avg) <= 1
    assert rep.summary(agent_id, [trust.address], tag1="uptime", tag2="epoch-3").count == 1
    assert rep.summary(agent_id, [trust.address], tag1="uptime", tag2=f"epoch-{OUTAGE}").number == 0


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
        priced_epoch_end(w3, vault_op, world["feed"], e)
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
        assert world["trust"].record(e).finalized
    for v, h in squats:  # nothing of mallory's was answered
        att = val_op.attestation(rogue, h)
        assert (att.status, att.validator) == (Status.PENDING, v)
