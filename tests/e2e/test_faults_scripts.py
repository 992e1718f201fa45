"""Fault injection on a real Anvil: the bulk scripts against kills, a stopped node and lost replies.

Story 1 (registration): the operator's `ape run register_agents` is SIGKILLed at three points
drawn from a seeded RNG; then, on the fourth run, Anvil itself is stopped mid-run (its state
file keeps the chain): the script must fail with a clear "could not reach the node" style error
instead of hanging or lying; Anvil comes back from its state file and a last run completes.
The chain then holds exactly the file's agents, each once.

Every fault lands at an exact point: each run goes through a `FlakyRpcProxy` that parks its
n-th ``eth_sendRawTransaction`` (`script_runs.held_run`); the test kills the script, or stops
Anvil, while the script is known to be waiting there. (The first version polled the chain and
raced the script: on a fast machine the script finished its rows before Anvil was stopped.)

Story 2 (rating): the same for `ape run rate_agents` (two seeded kills, one Anvil stop), ending
with exactly the intended feedback rows, each once.

Story 3 (lost replies): both scripts run through `FlakyRpcProxy`, which drops the replies of
eth_sendRawTransaction and eth_getTransactionReceipt after the node processed them and delays
others. Every agent / row lands once and no account sent a transaction more than needed
(its nonce equals the number of intended transactions).

Faults injected: 5 kills, 2 Anvil stops, 16 dropped replies (+ delays). Lost: must be nothing.
Tunable seed: FAULT_SEED (default 9).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from script_runs import ape_run, free_port, held_run, kill, many_agents
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.faults import FlakyRpcProxy
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.rating import NEW_FEEDBACK_TOPIC, client_signer, generate_rows
from hashtrust.erc8004.reputation import ReputationClient

SEED = int(os.environ.get("FAULT_SEED", "9"))
UNREACHABLE = ("could not reach the node", "node unreachable", "lost the connection to the node", "the node stopped answering", "Connection refused",
               "ConnectionError", "ProviderNotConnected", "in doubt")
SEND = "eth_sendRawTransaction"


def _kill_at(script: str, url: str, book_dir: Path, *args: str, nth: int) -> int:
    """Run ``script`` until it reaches its ``nth`` send, SIGKILL it there (the parked request
    never reaches the node) and return how many send calls the node received before."""
    with held_run(script, url, book_dir, *args, nth=nth) as (proc, proxy, hold):
        kill(proc)
        hold.cut = True
        return proxy.seen.count(SEND)


def _stop_node_at(script: str, url: str, home: Path, book_dir: Path, *args: str, nth: int, count) -> tuple[int, str]:
    """Run ``script`` until it reaches its ``nth`` send, stop the node there (the script is
    parked in the proxy, so it cannot finish first), let the request go on to the dead node, and
    return (what the chain held when it stopped, the script's output). The script must fail with
    a clear "could not reach the node" style error instead of hanging or claiming success."""
    with held_run(script, url, book_dir, *args, nth=nth) as (proc, _proxy, hold):
        kept = count()
        devnet.stop(home=home)
        hold.release()
        out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, "the script claimed success with its node gone:\n" + out
    assert any(s in out for s in UNREACHABLE), out[-3000:]
    assert "Traceback" not in out or "TransactionError" in out, out[-3000:]
    return kept, out


def _points(rng: random.Random, lo: int, hi: int, k: int) -> list[int]:
    return sorted(rng.sample(range(lo, hi), k))


def test_register_script_killed_at_seeded_points_and_node_stopped_then_rerun(tmp_path):
    rng = random.Random(SEED)
    port, home, book_dir = free_port(), tmp_path / "devnet", tmp_path / "book"
    devnet.start(port, home=home)
    try:
        url = devnet.url(port)
        w3 = Web3(Web3.HTTPProvider(url))
        owner = TxSender(w3, devnet_signer(0))
        deploy(w3, owner, AddressBook.for_chain(w3, book_dir), only=["IdentityRegistry"])
        ident = IdentityClient.from_book(w3, AddressBook.for_chain(w3, book_dir))
        n = many_agents(tmp_path / "agents.json", copies=6)
        base = ident.total_agents()
        done = lambda: ident.total_agents() - base  # noqa: E731
        args = ("--no-progress", "--file", str(tmp_path / "agents.json"), "--window", "2")

        seen = []
        for point in _points(rng, 3, n // 6, 3):  # each run's own send count: every run gets further
            before = done()
            sent = _kill_at("register_agents", url, book_dir, *args, nth=point)
            assert done() - before == sent, (point, sent)  # every registration the node received, no more
            seen.append(done())
        assert seen == sorted(seen) and seen[-1] < n, seen

        stop_at = rng.randrange(3, (n - seen[-1]) // 3)
        kept, _out = _stop_node_at("register_agents", url, home, book_dir, *args, nth=stop_at, count=done)
        assert "state restored" in devnet.start(port, home=home)
        survived = done()
        assert survived == kept  # what was mined before the stop came back from the state file

        proc = ape_run("register_agents", url, book_dir, *args)
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
        assert f"{n - survived} registered now, {survived} already registered" in out, out
        keys = ident.agents_with_metadata("hashtrust.key", owner=owner.address)
        assert done() == n and len(keys) == n and all(len(ids) == 1 for ids in keys.values())
        print(f"register: killed at {seen}, Anvil stopped at send {stop_at} ({survived} kept), {n} agents once each")
    finally:
        devnet.stop(home=home)


def _feedback_hashes(w3, rep) -> list[bytes]:
    logs = w3.eth.get_logs({"address": rep.address, "fromBlock": 0, "toBlock": "latest", "topics": [NEW_FEEDBACK_TOPIC]})
    ev = rep.contract.events.NewFeedback()
    return [bytes(ev.process_log(lg)["args"]["feedbackHash"]) for lg in logs]


def _rating_world(w3, book_dir):
    book = AddressBook.for_chain(w3, book_dir)
    deploy(w3, TxSender(w3, devnet_signer(0)), book, only=["ReputationRegistry"])
    ids = [IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(i))).register(f"ipfs://agent-{i}") for i in (1, 2)]
    return book, ReputationClient.from_book(w3, book), ids


def test_rating_script_killed_at_seeded_points_and_node_stopped_then_rerun(tmp_path):
    rng = random.Random(SEED + 1)
    port, home, book_dir = free_port(), tmp_path / "devnet", tmp_path / "book"
    n_rows, n_clients = 200, 12
    devnet.start(port, home=home)
    try:
        url = devnet.url(port)
        w3 = Web3(Web3.HTTPProvider(url))
        book, rep, ids = _rating_world(w3, book_dir)
        args = ("--no-progress", "--generate", str(n_rows), "--seed", str(SEED), "--clients", str(n_clients), "--agents", ",".join(map(str, ids)), "--window", "2")
        count = lambda: len(_feedback_hashes(w3, rep))  # noqa: E731

        seen = []
        # the first run's first send is the funding batch (12 transfers); feedback sends follow one by one
        for point in _points(rng, n_clients + 10, n_clients + n_rows // 3, 2):
            _kill_at("rate_agents", url, book_dir, *args, nth=point)
            seen.append(count())
        assert seen[-1] < n_rows, seen
        stop_at = rng.randrange(5, (n_rows - seen[-1]) // 4)  # a send of the third run: it cannot finish first
        kept, _out = _stop_node_at("rate_agents", url, home, book_dir, *args, nth=stop_at, count=count)
        assert "state restored" in devnet.start(port, home=home)
        survived = count()
        assert survived == kept

        proc = ape_run("rate_agents", url, book_dir, *args)
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
        assert f"{n_rows - survived} sent, {survived} already on chain, 0 failed" in out, out
        hashes = _feedback_hashes(w3, rep)
        assert len(hashes) == n_rows and len(set(hashes)) == n_rows
        rows = generate_rows(SEED, ids, n_clients, n_rows)
        per_client = {k: sum(r.client == k for r in rows) for k in range(n_clients)}
        for k, m in per_client.items():  # each client sent exactly its rows: nothing twice, nothing missing
            addr = client_signer(k).address
            assert w3.eth.get_transaction_count(addr) == m
            assert sum(rep.last_index(a, addr) for a in ids) == m
        print(f"rate: killed at {seen}, Anvil stopped at send {stop_at} ({survived} kept), {n_rows} rows once each")
    finally:
        devnet.stop(home=home)


def test_scripts_through_a_proxy_that_drops_replies_send_nothing_twice(tmp_path):
    port, home, book_dir = free_port(), tmp_path / "devnet", tmp_path / "book"
    devnet.start(port, home=home)
    try:
        w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
        book, rep, ids = _rating_world(w3, book_dir)
        owner = devnet_signer(0).address
        nonce0 = w3.eth.get_transaction_count(owner)
        n = many_agents(tmp_path / "agents.json", copies=1)
        with FlakyRpcProxy(devnet.url(port)) as proxy:
            proxy.drop("eth_sendRawTransaction", times=4)
            proxy.drop("eth_getTransactionReceipt", times=4)
            proxy.delay("eth_getTransactionCount", 0.05)
            proc = ape_run("register_agents", proxy.url, book_dir, "--no-progress", "--file", str(tmp_path / "agents.json"), "--window", "4")
            out, _ = proc.communicate(timeout=300)
            assert proc.returncode == 0, out
            dropped_register = len(proxy.dropped)
            assert dropped_register == 8, proxy.dropped
            ident = IdentityClient.from_book(w3, book)
            assert ident.total_agents() == n + len(ids)
            assert w3.eth.get_transaction_count(owner) == nonce0 + n  # one transaction per agent, none twice

            n_rows, n_clients = 60, 6
            proxy.drop("eth_sendRawTransaction", times=4)
            proxy.drop("eth_getTransactionReceipt", times=4)
            nonce0 = w3.eth.get_transaction_count(owner)
            proc = ape_run("rate_agents", proxy.url, book_dir, "--no-progress", "--generate", str(n_rows), "--seed", "3", "--clients", str(n_clients),
                        "--agents", ",".join(map(str, ids)), "--window", "8")
            out, _ = proc.communicate(timeout=300)
            assert proc.returncode == 0, out
            assert len(proxy.dropped) - dropped_register == 8, proxy.dropped
        hashes = _feedback_hashes(w3, rep)
        assert len(hashes) == n_rows and len(set(hashes)) == n_rows
        rows = generate_rows(3, ids, n_clients, n_rows)
        for k in range(n_clients):
            assert w3.eth.get_transaction_count(client_signer(k).address) == sum(r.client == k for r in rows)
        assert w3.eth.get_transaction_count(owner) == nonce0 + n_clients  # the funding transfers, once each
    finally:
        devnet.stop(home=home)
