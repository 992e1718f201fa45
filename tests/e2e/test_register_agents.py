"""Bulk agent registration on a real Anvil.

Story: the deployer registers the example agents through the SDK, then again (nothing is
sent the second time); an invalid agent file is refused before any transaction, naming the
entry and the field; and `ape run register_agents`, killed with SIGKILL in the middle of a
long run against a devnet (twice; and once while its transactions are still pending on a
chain that mines a block per second), finishes on the rerun with every agent registered
exactly once."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from script_runs import EXAMPLES, ape_run, free_port, held_run, kill, many_agents
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.agents import (
    KEY_METADATA,
    existing_agents,
    load_agent_file,
    register_agents,
    register_agents_from_file,
)
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import RegistrationFile
from hashtrust.errors import InputError

ANVIL_KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture
def sender(w3, deployer):
    return TxSender(w3, LocalSigner.from_key(deployer.private_key))


@pytest.fixture
def book(w3, sender, tmp_path):
    b = AddressBook.for_chain(w3, tmp_path)
    deploy(w3, sender, b, only=["IdentityRegistry"])
    return b


def _all_keys(identity: IdentityClient) -> dict[str, list[int]]:
    """key -> every agent id carrying it (duplicates would show here)."""
    found = identity.agents_with_metadata(KEY_METADATA)
    return {v.decode(): ids for v, ids in found.items()}


def test_examples_register_once_through_the_sdk(w3, sender, book):
    specs = load_agent_file(EXAMPLES)
    assert len(specs) >= 20
    keys = {s.key for s in specs}
    assert {"hashrate-operator-1", "pool-watcher-1", "pool-watcher-2", "pool-watcher-3"} <= keys
    first = register_agents_from_file(w3, sender, book, EXAMPLES, progress=False)
    assert [o.status for o in first] == ["registered"] * len(specs)
    assert [o.agent_id for o in first] == list(range(1, len(specs) + 1))
    identity = IdentityClient.from_book(w3, book, sender)
    assert identity.total_agents() == len(specs)
    for spec, out in zip(specs, first):
        agent = identity.agent(out.agent_id)
        assert agent.owner == sender.address and agent.uri == spec.uri
        assert identity.get_metadata(out.agent_id, KEY_METADATA) == spec.key.encode()
        for k, v in spec.metadata:
            assert identity.get_metadata(out.agent_id, k) == v
        if spec.uri.startswith("data:"):
            reg = RegistrationFile.from_uri(agent.uri)
            assert reg.name == spec.name and tuple(sorted(reg.capability_set())) == spec.capabilities
    watcher = next(o for o in first if o.key == "pool-watcher-1")
    assert "hashrate-attestation" in RegistrationFile.from_uri(identity.token_uri(watcher.agent_id)).capability_set()

    nonce = w3.eth.get_transaction_count(sender.address)
    again = register_agents_from_file(w3, sender, book, EXAMPLES, progress=False)
    assert [o.status for o in again] == ["already registered"] * len(specs)
    assert [o.agent_id for o in again] == [o.agent_id for o in first]
    assert w3.eth.get_transaction_count(sender.address) == nonce  # nothing sent


def test_an_agent_of_another_owner_does_not_count(w3, sender, book, accounts):
    specs = load_agent_file(EXAMPLES)[:2]
    other = TxSender(w3, LocalSigner.from_key(accounts[1].private_key))
    identity = IdentityClient.from_book(w3, book, other)
    register_agents(identity, specs[:1], progress=False)  # the other account registers the first key
    mine = register_agents(IdentityClient.from_book(w3, book, sender), specs, progress=False)
    assert [o.status for o in mine] == ["registered", "registered"]
    assert existing_agents(identity, sender.address)[specs[0].key] == mine[0].agent_id


def test_invalid_file_is_refused_before_any_transaction(w3, sender, book, tmp_path):
    data = json.loads(EXAMPLES.read_text())
    data["agents"][3]["registration"]["services"][0].pop("endpoint")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    nonce = w3.eth.get_transaction_count(sender.address)
    with pytest.raises(InputError) as err:
        register_agents_from_file(w3, sender, book, bad, progress=False)
    assert err.value.field == "agents[3].registration.services[0].endpoint"
    assert w3.eth.get_transaction_count(sender.address) == nonce


# ------------------------------------------------------------------ the script, killed and rerun
def _identity_on(port: int, book_dir: Path) -> IdentityClient:
    """An IdentityRegistry deployed on the Anvil at ``port`` (recorded in ``book_dir``), as a client
    sending from Anvil's account 0."""
    w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
    sender = TxSender(w3, LocalSigner.from_key(ANVIL_KEY0))
    deploy(w3, sender, AddressBook.for_chain(w3, book_dir), only=["IdentityRegistry"])
    return IdentityClient.from_book(w3, AddressBook.for_chain(w3, book_dir), sender)


def _script(port: int, agent_file: Path, book_dir: Path, *extra: str, window: str = "2") -> subprocess.Popen:
    return ape_run("register_agents", devnet.url(port), book_dir, "--file", str(agent_file), "--window", window, *extra)


def test_script_killed_mid_run_finishes_on_rerun(tmp_path):
    port = free_port()
    home = tmp_path / "devnet"
    print(devnet.start(port, home=home))
    try:
        book_dir = tmp_path / "book"
        identity = _identity_on(port, book_dir)
        agent_file = tmp_path / "agents.json"
        n = many_agents(agent_file, copies=6)

        kills = []
        for nth in (17, 45):  # two SIGKILLs, each parked at that send of its run (a proxy holds it)
            args = ("--file", str(agent_file), "--window", "2", "--no-progress")
            with held_run("register_agents", devnet.url(port), book_dir, *args, nth=nth) as (proc, _proxy, hold):
                kill(proc)
                hold.cut = True  # the parked registrations never reach the node
            kills.append(identity.total_agents())
        assert kills == [16, 16 + 44], kills  # every registration sent before the kill, none after

        proc = _script(port, agent_file, book_dir, "--no-progress")
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out
        done_before = kills[1]
        assert f"{n - done_before} registered now, {done_before} already registered" in out
        assert "pool-watcher-3-5" in out

        keys = _all_keys(identity)
        assert identity.total_agents() == n
        assert len(keys) == n and all(len(ids) == 1 for ids in keys.values()), {k: v for k, v in keys.items() if len(v) != 1}
        expected = {s.key for s in load_agent_file(agent_file)}
        assert set(keys) == expected

        # a fourth run has nothing to do
        proc = _script(port, agent_file, book_dir, "--no-progress")
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and f"0 registered now, {n} already registered" in out
    finally:
        print(devnet.stop(home=home))


def test_script_killed_with_transactions_still_pending(tmp_path):
    """An Anvil that mines nothing until told to: the script sends its first two windows (64
    registrations), then waits for receipts that cannot come; it is killed there, with every
    one of them still in the mempool. Then blocks are mined and the rerun waits for them
    (`settle`) before deciding what is left to do. (No race: the script cannot get further.
    The first version let Anvil mine a block a second and killed the script when it saw five
    pending, which a fast machine could miss.)"""
    port = free_port()
    log = open(tmp_path / "anvil.log", "wb")  # noqa: SIM115
    anvil = subprocess.Popen(
        [devnet.anvil_binary(), "--port", str(port), "--chain-id", "31337"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
        deadline = time.monotonic() + 30
        while devnet.chain_id(port) != 31337 and time.monotonic() < deadline:
            time.sleep(0.1)
        book_dir = tmp_path / "book"
        identity = _identity_on(port, book_dir)
        sender = identity.sender
        agent_file = tmp_path / "agents.json"
        n = many_agents(agent_file, copies=4)  # 84: two full windows of 32 and 20 more
        w3.provider.make_request("evm_setAutomine", [False])
        nonce = w3.eth.get_transaction_count(sender.address, "latest")
        # two windows of 32 go out, then the script waits for the first window's receipts, which
        # cannot come: a state it stays in (for its 120 s receipt timeout), not a moment to race
        proc = _script(port, agent_file, book_dir, "--no-progress", window="32")
        deadline = time.monotonic() + 240
        while w3.eth.get_transaction_count(sender.address, "pending") < nonce + 64:
            assert proc.poll() is None, "the run ended with nothing mined:\n" + proc.communicate()[0]
            assert time.monotonic() < deadline, "the script did not send its first two windows"
            time.sleep(0.05)
        kill(proc)
        assert w3.eth.get_transaction_count(sender.address, "pending") == nonce + 64
        assert w3.eth.get_transaction_count(sender.address, "latest") == nonce
        w3.provider.make_request("evm_setAutomine", [True])
        while w3.eth.get_transaction_count(sender.address, "pending") > w3.eth.get_transaction_count(sender.address, "latest"):
            w3.provider.make_request("evm_mine", [])  # mines what waits (as many blocks as it fills); later sends mine at once

        proc = _script(port, agent_file, book_dir, "--no-progress", window="32")
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
        keys = _all_keys(identity)
        assert identity.total_agents() == n, out
        assert len(keys) == n and all(len(ids) == 1 for ids in keys.values())
        assert f"{n - 64} registered now, 64 already registered" in out, out
    finally:
        os.killpg(anvil.pid, signal.SIGKILL)
        anvil.wait()
        log.close()


def test_script_rejects_a_bad_file_naming_entry_and_field(tmp_path):
    port = free_port()
    home = tmp_path / "devnet"
    devnet.start(port, home=home)
    try:
        book_dir = tmp_path / "book"
        sender = _identity_on(port, book_dir).sender
        nonce = sender.w3.eth.get_transaction_count(sender.address)
        bad = tmp_path / "agents.yaml"
        bad.write_text(
            "agents:\n"
            "  - key: ok-agent\n    uri: ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy\n"
            "  - key: bad-agent\n    uri: ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy\n"
            "    metadata:\n      agentWallet: '0x00'\n"
        )
        proc = _script(port, bad, book_dir, "--no-progress")
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode != 0
        assert "agents[1].metadata.agentWallet" in out and "reserved" in out
        assert sender.w3.eth.get_transaction_count(sender.address) == nonce
    finally:
        devnet.stop(home=home)
