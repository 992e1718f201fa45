"""The operator's and the pool watchers' scripts end to end, as subprocesses on a real Anvil.

Story: the deployer deploys the plan; carol (test account 3) registers the operator agent; ann,
ben and dee (accounts 6, 7, 8) are pool watchers. The deployer opens the term with
`ape run operator deploy-trust --no-bond` (the vault's `VaultTrust`: quorum 2, min score 98, 7
bond epochs); carol brings her bond to 0.1 BTC with `ape run operator bond --up-to`; alice and
bob buy 1,000 TH/s. The feed publishes before each epoch ends (the round in force at the end
prices it).

Epochs 0-2 end. carol's `ape run operator run` reports, funds and files three validation requests
per epoch. ann answers from the same pool report as carol; dee's copy of the pool report shows
less hashrate for epoch 1 than carol claims, so dee answers it with 73 (below the min score 98) and
the others with 100. carol's next pass finalises epochs 0 and 2 (ann + dee) but not epoch 1: dee's
low score does not count and ann alone is no quorum. ben answers later (only epoch 1 is still open
for him) and the next pass finalises epoch 1 with the two honest attestations.

Every script again: nothing is sent (nonces, logs and the vault's state unchanged).

Epochs 3-5 end. carol's run is SIGKILLed right after its first report lands; the rerun does what
is left and nothing twice; the watchers answer, a last pass finalises. At the end every epoch was
reported, funded and finalised once, every request filed and answered once, carol sent exactly the
transactions the story needs, and her reputation shows six uptime records from the trust.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import VAULT_DEVNET, deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import ValidationClient
from hashtrust.hashrate.vault import HashrateVaultClient, PriceFeedClient, ths_to_shares

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))
ADMIN, CAROL = 0, 3  # ape test account indexes (the `deployer` and `carol` fixtures)
WATCHERS = {"ann": 6, "ben": 7, "dee": 8}
BOND = 10_000_000
POOL = {e: (str(950 + e), 40_000 + 100 * e) for e in range(6)}  # delivered TH/s, gross sats
DEE_EPOCH1_THS = "700"  # dee's pool shows 700 TH/s for epoch 1; carol reports 951
DEE_EPOCH1_SCORE = 700 * 100 // 951  # min(pool, reported) / reported = 73 < min score 98


def warp_to(w3, ts):
    w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    w3.provider.make_request("evm_mine", [])


def priced_until(w3, world, last: int, usd: int) -> None:
    """Publish ``usd`` before each epoch up to ``last`` ends, then move past ``last``'s end."""
    vault = world["vault"]
    world["admin"].settle()  # the deployer's scripts sent transactions since: fresh nonce
    for e in range(last + 1):
        end = vault.epoch_end(e)
        if vault.now() < end - 600:
            warp_to(w3, end - 600)
            world["feed"].set_price(usd)
    warp_to(w3, vault.epoch_end(last) + 600)


def pool_file(path: Path, overrides: dict[int, str] | None = None) -> Path:
    epochs = {str(e): {"delivered_ths": (overrides or {}).get(e, ths), "gross_sats": gross} for e, (ths, gross) in POOL.items()}
    path.write_text(json.dumps({"epochs": epochs}))
    return path


@pytest.fixture
def world(w3, chain, deployer, alice, bob, carol, accounts, tmp_path):
    admin = TxSender(w3, LocalSigner.from_key(deployer.private_key))
    books = tmp_path / "deployments"
    book = AddressBook.for_chain(w3, books)
    deploy(w3, admin, book)
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    usd = w3.eth.contract(address=book.address("TestUSD"), abi=artifacts.abi("DevToken"))
    admin.transact(wbtc.functions.mint(carol.address, 10**11))
    for who in (alice, bob):
        admin.transact(usd.functions.mint(who.address, 10**12))
    agent_id = IdentityClient.from_book(w3, book, TxSender(w3, LocalSigner.from_key(carol.private_key))).register("ipfs://carol-mining-operator")
    env = {**os.environ, "APE_FOUNDRY_HOST": chain.provider.uri, "HASHTRUST_DEPLOYMENTS": str(books)}
    return {
        "book": book,
        "env": env,
        "agent_id": agent_id,
        "vault": HashrateVaultClient.from_book(w3, book),
        "validation": ValidationClient.from_book(w3, book),
        "admin": admin,
        "feed": PriceFeedClient.from_book(w3, book, admin),
        "watchers": {name: accounts[i].address for name, i in WATCHERS.items()},
        "pool": pool_file(tmp_path / "pool.json"),
        "dee_pool": pool_file(tmp_path / "pool-dee.json", {1: DEE_EPOCH1_THS}),
    }


def _cmd(script: str, account: int, *args: str) -> list[str]:
    return [APE, "run", script, *args, "--network", "ethereum:local:foundry", "--account", f"TEST::{account}"]


def ape_run(world, script: str, account: int, *args: str) -> str:
    """Run one script to completion; returns its output (it must succeed)."""
    out = subprocess.run(_cmd(script, account, *args), cwd=ROOT, env=world["env"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def run_together(world, *runs: tuple) -> list[str]:
    """Several scripts at once (different accounts); the outputs in order."""
    with ThreadPoolExecutor(len(runs)) as pool:
        return list(pool.map(lambda r: ape_run(world, *r), runs))


def operator_run(world) -> list[str]:
    return lines(ape_run(world, "operator", CAROL, "run", "--pool-file", str(world["pool"])))


def watcher_run(world, name: str, pool=None) -> tuple:
    return ("pool_watcher", WATCHERS[name], "run", "--pool-file", str(pool or world["pool"]))


def lines(out: str) -> list[str]:
    return [x for x in out.splitlines() if x.strip()]


def logs(w3, contract, event: str, **filters) -> list[dict]:
    return [ev["args"] for ev in getattr(contract.contract.events, event)().get_logs(from_block=0, argument_filters=filters or None)]


def chain_picture(w3, world, actors: list[str]) -> dict:
    """Everything a rerun must leave alone: nonces, the vault's, trust's and registries' logs, their state."""
    vault, val = world["vault"], world["validation"]
    trust = vault.trust_client()
    return {
        "nonces": {a: w3.eth.get_transaction_count(a) for a in actors},
        "vault_logs": len(w3.eth.get_logs({"address": vault.address, "fromBlock": 0})),
        "trust_logs": len(w3.eth.get_logs({"address": trust.address, "fromBlock": 0})),
        "validation_logs": len(w3.eth.get_logs({"address": val.address, "fromBlock": 0})),
        "epochs": [vault.epoch(e).status for e in range(6)],
        "records": [trust.record(e) for e in range(6)],
        "bond": trust.bond(),
        "settled": vault.settle_cursor(),
        "validators": trust.validators(),
    }


def test_operator_and_pool_watcher_scripts_run_the_term_resume_after_a_kill_and_do_nothing_twice(w3, world, deployer, alice, bob, carol):
    vault, val, agent_id = world["vault"], world["validation"], world["agent_id"]
    ann, ben, dee = (world["watchers"][n] for n in ("ann", "ben", "dee"))
    t0 = time.monotonic()

    # the deployer opens the term (the trust, no bond); carol brings her bond up to 0.1 BTC
    open_term = ("deploy-trust", "--agent-id", str(agent_id), "--validators", ",".join((ann, ben, dee)), "--no-bond")
    out = ape_run(world, "operator", ADMIN, *open_term)
    trust = vault.trust_client()
    assert f"trust {trust.address} (deployed)" in out and "term opened now" in out, out
    assert AddressBook.for_chain(w3, world["env"]["HASHTRUST_DEPLOYMENTS"]).address("VaultTrust") == trust.address
    (terms,) = logs(w3, trust, "TermsFixed")
    assert (terms["agent_id"], terms["quorum"], terms["min_score"], terms["bond_epochs"]) == (
        agent_id, VAULT_DEVNET["quorum"], VAULT_DEVNET["min_score"], VAULT_DEVNET["bond_epochs"])
    assert [(x["validator"], x["listed"]) for x in logs(w3, trust, "ValidatorSet")] == [(ann, True), (ben, True), (dee, True)]
    (adopted,) = logs(w3, vault, "TrustSet")
    assert adopted["trust"] == trust.address and logs(w3, trust, "BondPosted") == []
    out = ape_run(world, "operator", CAROL, "bond", "--sats", str(BOND), "--up-to")
    assert "bond is now 0.10000000 BTC (10,000,000 sats)" in out, out
    assert [(x["sender"], x["amount"]) for x in logs(w3, trust, "BondPosted")] == [(carol.address, BOND)]
    for who, ths in ((alice, 600), (bob, 400)):
        vault.with_sender(TxSender(w3, LocalSigner.from_key(who.private_key))).buy(ths_to_shares(ths))

    # epochs 0-2 end: carol reports, funds and files three requests per epoch
    priced_until(w3, world, 2, 95_000)
    did = operator_run(world)
    assert did == [line for e in range(3) for line in (f"reported {e}", f"funded {e}", *(f"requested {e} from {v}" for v in (ann, ben, dee)))], did
    for e in range(3):
        info = vault.epoch(e)
        assert (info.status, info.delivered, info.gross) == ("funded", ths_to_shares(POOL[e][0]), POOL[e][1])

    # ann checks against the same pool report; dee's shows less hashrate for epoch 1
    out_ann, out_dee = run_together(world, watcher_run(world, "ann"), watcher_run(world, "dee", world["dee_pool"]))
    assert [x.split(" (")[0] for x in lines(out_ann)] == ["epoch 0: 100", "epoch 1: 100", "epoch 2: 100"], out_ann
    assert [x.split(" (")[0] for x in lines(out_dee)] == ["epoch 0: 100", f"epoch 1: {DEE_EPOCH1_SCORE}", "epoch 2: 100"], out_dee
    assert "above pool" in lines(out_dee)[1]
    low = val.attestation(agent_id, trust.request_hash(1, dee))
    assert (low.validator, low.response, low.finalized) == (dee, DEE_EPOCH1_SCORE, True)

    # dee's low score is no attestation: epoch 1 waits, epochs 0 and 2 are final
    assert operator_run(world) == ["finalized 0", "finalized 2"]
    assert [trust.record(e).kind_name for e in range(3)] == ["finalized", "open", "finalized"]
    # ben comes late: only epoch 1 is still open for him
    (out_ben,) = run_together(world, watcher_run(world, "ben"))
    assert [x.split(" (")[0] for x in lines(out_ben)] == ["epoch 1: 100"], out_ben
    assert operator_run(world) == ["finalized 1"]
    fin = {x["epoch"]: x for x in logs(w3, trust, "EpochFinalized")}
    assert sorted(fin) == [0, 1, 2] and fin[1]["attestations"] == 2 and fin[0]["attestations"] == fin[2]["attestations"] == 2
    assert fin[1]["uptime_bps"] == 9_510  # 951 of 1,000 TH/s

    # every script again: nothing to do, nothing sent
    actors = [deployer.address, carol.address, ann, ben, dee]
    before = chain_picture(w3, world, actors)
    outs = run_together(
        world,
        ("operator", ADMIN, *open_term),
        ("operator", CAROL, "bond", "--sats", str(BOND), "--up-to"),
        ("operator", CAROL, "run", "--pool-file", str(world["pool"])),
        watcher_run(world, "ann"),
        watcher_run(world, "ben"),
        watcher_run(world, "dee", world["dee_pool"]),
    )
    assert f"trust {trust.address} (reused)" in outs[0] and "term already open" in outs[0]
    assert "bond is already 0.10000000 BTC (10,000,000 sats); nothing sent" in outs[1], outs[1]
    assert [lines(o) for o in outs[2:]] == [[], [], [], []], outs
    assert chain_picture(w3, world, actors) == before

    # epochs 3-5 end; carol's run is killed right after its first report lands
    priced_until(w3, world, 5, 96_000)
    proc = subprocess.Popen(
        _cmd("operator", CAROL, "run", "--pool-file", str(world["pool"])),
        cwd=ROOT, env=world["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while vault._view("epochs", 3)[0] == 0:  # epoch 3 not reported yet
            assert proc.poll() is None, "the run ended before its first report:\n" + proc.stdout.read()
            assert time.monotonic() < deadline, "no report within 240 s"
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    filed = [x for x in logs(w3, val, "ValidationRequest", agentId=agent_id) if x["requestHash"] in {trust.request_hash(e, v) for e in (3, 4, 5) for v in (ann, ben, dee)}]
    assert vault.epoch(5).status == "none" or len(filed) < 9, "the kill landed after the whole pass; cannot test resumption"
    killed_at = ([vault.epoch(e).status for e in (3, 4, 5)], len(filed))

    did = operator_run(world)  # the rerun does what is left, and nothing twice
    assert did and not any(x == "reported 3" for x in did), did
    assert [vault.epoch(e).status for e in (3, 4, 5)] == ["funded"] * 3
    outs = run_together(world, watcher_run(world, "ann"), watcher_run(world, "ben"), watcher_run(world, "dee", world["dee_pool"]))
    for out in outs:
        assert [x.split(" (")[0] for x in lines(out)] == ["epoch 3: 100", "epoch 4: 100", "epoch 5: 100"], out
    assert operator_run(world) == ["finalized 3", "finalized 4", "finalized 5"]

    # the whole term so far, once each
    assert sorted(x["epoch"] for x in logs(w3, vault, "EpochReported")) == list(range(6))
    assert sorted(x["epoch"] for x in logs(w3, vault, "EpochFunded")) == list(range(6))
    assert sorted(x["epoch"] for x in logs(w3, trust, "EpochFinalized")) == list(range(6))
    requests = [x["requestHash"] for x in logs(w3, val, "ValidationRequest", agentId=agent_id)]
    wanted = {trust.request_hash(e, v) for e in range(6) for v in (ann, ben, dee)}
    assert len(requests) == 18 and set(requests) == wanted
    answers = [(x["validatorAddress"], x["requestHash"]) for x in logs(w3, val, "ValidationResponse", agentId=agent_id)]
    assert len(answers) == len(set(answers)) == 18 - 2  # ben never answered epochs 0 and 2 (settled before he ran)
    # carol's transactions: register, approve the trust, bond, approve the vault (first funding),
    # then per epoch report + fund + 3 requests + finalise
    assert w3.eth.get_transaction_count(carol.address) == 4 + 6 * 6
    assert trust.bond() == BOND and vault.settle_cursor() == 0  # no record time has passed yet (funded: 6 days after the end)
    rep = ReputationClient.from_book(w3, world["book"])
    s = rep.summary(agent_id, [trust.address], tag1="uptime")
    assert s.count == 6
    assert abs(float(s.number) * 100 - sum(9_500 + 10 * e for e in range(6)) // 6) <= 1
    print(f"operator scripts: killed at {killed_at}, rerun did {len(did)} actions; {time.monotonic() - t0:.0f} s")
