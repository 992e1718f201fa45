"""The validator agent end to end on a real Anvil, with the real Identity registry.

Story: alice registers agent "prover" and asks carol (an independent validator) to check
three jobs, one of which claims a wrong result. mallory registers her own agent and squats
alice's first request hash, reusing alice's request file. carol runs `ape run validate
--once`: alice's honest jobs get 100 (final), the lying job 0, mallory's squat 0 (the file
names another agent), and alice's record is untouched by the squat. A second run does
nothing. Then alice files more jobs, carol's validator loop is SIGKILLed in the middle of
its work (parked by a proxy at its third answer), and a restart finishes the rest without
answering anything twice.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from script_runs import held_run, kill

from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.validation import (
    RequestFile,
    Status,
    ValidationClient,
    payload_hash,
)

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))
CAROL_INDEX = 3  # the `carol` fixture is ape test account 3


@pytest.fixture
def setup(w3, chain, deployer, alice, carol, mallory, tmp_path):
    books = tmp_path / "deployments"
    book = AddressBook.for_chain(w3, books)
    deploy(w3, TxSender(w3, LocalSigner.from_key(deployer.private_key)), book, only=["ValidationRegistry"])

    def clients(acct):
        s = TxSender(w3, LocalSigner.from_key(acct.private_key))
        return IdentityClient.from_book(w3, book, s), ValidationClient.from_book(w3, book, s)

    env = {
        **os.environ,
        "APE_FOUNDRY_HOST": chain.provider.uri,
        "HASHTRUST_DEPLOYMENTS": str(books),
    }
    return {"book": book, "clients": clients, "env": env, "carol": carol.address}


def _validate(env, *extra, timeout=300):
    cmd = [APE, "run", "validate", "--network", "ethereum:local:foundry", "--account", f"TEST::{CAROL_INDEX}", *extra]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _job(w3, ident_addr, agent_id, validator, n, *, lie=False):
    payload = {"job": n, "input": [n, n + 1], "output": 2 * n + 1}
    claimed = payload_hash({**payload, "output": -1}) if lie else None
    return RequestFile.build(w3.eth.chain_id, ident_addr, agent_id, validator, payload, claimed_hash=claimed, created_at="2026-11-21T00:00:00Z")


def _responses(vclient, agent_id, h):
    logs = vclient.contract.events.ValidationResponse().get_logs(
        argument_filters={"agentId": agent_id, "requestHash": h}, from_block=0
    )
    return [ev["args"]["response"] for ev in logs]


def test_validator_answers_honestly_refuses_squatters_and_is_idempotent(w3, setup, alice, mallory):
    ident_a, val_a = setup["clients"](alice)
    ident_m, val_m = setup["clients"](mallory)
    carol = setup["carol"]
    prover = ident_a.register("data:application/json,{}")
    squatter = ident_m.register("")
    jobs = [_job(w3, ident_a.address, prover, carol, 1), _job(w3, ident_a.address, prover, carol, 2), _job(w3, ident_a.address, prover, carol, 3, lie=True)]
    # mallory front-runs alice's first hash with alice's own file, for her agent
    val_m.request(carol, squatter, jobs[0].uri(), jobs[0].hash)
    hashes = [val_a.request_file(carol, prover, j)[0] for j in jobs]
    assert val_a.attestation(prover, hashes[0]).status == Status.PENDING
    assert val_a.state(hashes[0]).agent_id == squatter  # the hash-only view shows the squat...

    out = _validate(setup["env"], "--once")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "4 answered, 0 skipped" in out.stdout, out.stdout

    for h, want in zip(hashes, (100, 100, 0)):
        att = val_a.attestation(prover, h)  # ...but alice's own record is what consumers read
        assert (att.status, att.validator, att.response, att.finalized) == (Status.FINALIZED, carol, want, True)
    sq = val_a.attestation(squatter, hashes[0])
    assert (sq.status, sq.response) == (Status.FINALIZED, 0)
    st = val_a.status_for(prover, hashes[2])
    assert st.tag == "hashtrust" and st.response_hash != b"\x00" * 32
    assert val_a.summary(prover) == (3, 66)
    assert val_a.summary(prover, [carol], "hashtrust") == (3, 66)

    nonce = w3.eth.get_transaction_count(carol)
    again = _validate(setup["env"], "--once")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 answered, 0 skipped, 4 already done" in again.stdout, again.stdout
    assert w3.eth.get_transaction_count(carol) == nonce  # nothing sent


def test_validator_killed_mid_work_resumes_without_double_answers(w3, chain, setup, alice, tmp_path):
    ident_a, val_a = setup["clients"](alice)
    carol = setup["carol"]
    prover = ident_a.register("")
    jobs = [_job(w3, ident_a.address, prover, carol, 10 + i) for i in range(6)]
    hashes = [val_a.request_file(carol, prover, j)[0] for j in jobs]
    # the loop runs through a proxy that parks its third answer: it is killed right there
    books = setup["book"].folder
    args = ("--account", f"TEST::{CAROL_INDEX}", "--poll", "0.5")
    with held_run("validate", chain.provider.uri, books, *args, nth=3) as (proc, _proxy, hold):
        kill(proc)
        hold.cut = True  # the third answer never reaches the node
    done = sum(val_a.attestation(prover, h).status == Status.FINALIZED for h in hashes)
    assert done == 2, f"{done} answered before the kill at the third answer"

    out = _validate(setup["env"], "--once")
    assert out.returncode == 0, out.stdout + out.stderr
    for h in hashes:
        att = val_a.attestation(prover, h)
        assert (att.status, att.response) == (Status.FINALIZED, 100)
        assert _responses(val_a, prover, h) == [100]  # answered exactly once


def test_validator_leaves_withdrawn_requests_and_answers_them_when_asked(w3, setup, alice):
    """alice files three jobs and withdraws one before carol looks: `validate --once` answers the
    two others and leaves the withdrawn one alone; `--answer-cancelled` answers it too, and the
    registry takes that answer (a cancel erases and blocks nothing)."""
    ident_a, val_a = setup["clients"](alice)
    carol = setup["carol"]
    prover = ident_a.register("")
    jobs = [_job(w3, ident_a.address, prover, carol, 20 + i) for i in range(3)]
    hashes = [val_a.request_file(carol, prover, j)[0] for j in jobs]
    val_a.cancel(prover, hashes[1])

    out = _validate(setup["env"], "--once")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 answered, 0 skipped, 1 already done" in out.stdout, out.stdout
    assert val_a.attestation(prover, hashes[1]).status == Status.CANCELLED
    assert _responses(val_a, prover, hashes[1]) == []

    out = _validate(setup["env"], "--once", "--answer-cancelled")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 answered, 0 skipped, 2 already done" in out.stdout, out.stdout
    att = val_a.attestation(prover, hashes[1])
    assert (att.status, att.response, att.finalized) == (Status.FINALIZED, 100, True)
    assert val_a.is_cancelled(prover, hashes[1]) is True
    assert val_a.summary(prover) == (3, 100)
