"""Shared plumbing of `make bench`: a private Anvil, gas rows with reference and floor, writers.

A benchmark module exposes ``run(env: BenchEnv) -> dict`` returning sections such as
``{"gas": {"identity": {row: Row}}, "scaling": {...}, "throughput": {...}}``; `benchmarks/run.py`
merges them into ``benchmarks/results/latest.json`` / ``latest.md`` and draws the plots.
Gas figures are receipt ``gasUsed`` (writes) or ``eth_estimateGas`` (reads), both including the
21,000 base and calldata, exactly as the reference table in ``shared/spec/reference-gas.json``.
"""

from __future__ import annotations

import json
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
_REF_CANDIDATES = [ROOT.parent / "shared" / "spec" / "reference-gas.json", ROOT / "benchmarks" / "reference-gas.json"]

G_TX = 21_000
G_SSTORE_NEW = 22_100  # zero -> nonzero, cold slot (20,000 + 2,100)
G_SSTORE_UPDATE = 5_000  # nonzero -> nonzero, cold slot (2,900 + 2,100)
G_LOG = 375
G_LOG_TOPIC = 375
G_LOG_BYTE = 8


def reference() -> dict:
    """The reference gas table (Solidity ERC-8004 reference on anvil 1.7.1)."""
    for p in _REF_CANDIDATES:
        if p.exists():
            return json.loads(p.read_text())
    raise FileNotFoundError("reference-gas.json not found (expected ../shared/spec or benchmarks/)")


def calldata_gas(data: bytes | str) -> int:
    """EIP-2028 calldata cost: 4 per zero byte, 16 per non-zero byte."""
    b = bytes.fromhex(data[2:] if isinstance(data, str) and data.startswith("0x") else data) if isinstance(data, str) else bytes(data)
    return sum(4 if x == 0 else 16 for x in b)


def log_gas(receipt: Any) -> int:
    """Gas the receipt's logs cost by themselves (LOG opcode: 375 + 375/topic + 8/byte)."""
    total = 0
    for lg in receipt["logs"]:
        total += G_LOG + G_LOG_TOPIC * len(lg["topics"]) + G_LOG_BYTE * len(bytes(lg["data"]))
    return total


def floor_gas(w3: Web3, receipt: Any, *, sstore_new: int = 0, sstore_update: int = 0, extra: int = 0) -> int:
    """The least a write can cost: base + its calldata + its logs + the storage writes it cannot avoid."""
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    return G_TX + calldata_gas(bytes(tx["input"])) + log_gas(receipt) + sstore_new * G_SSTORE_NEW + sstore_update * G_SSTORE_UPDATE + extra


def row(ours: int, ref: int | None = None, floor: int | None = None, note: str = "") -> dict:
    """One table row: our figure, the reference's, the ratio, the floor and our distance to it."""
    r: dict[str, Any] = {"ours": int(ours)}
    if ref is not None:
        r["reference"] = int(ref)
        r["ratio"] = round(ours / ref, 4)
    if floor is not None:
        r["floor"] = int(floor)
        r["over_floor"] = int(ours - floor)
    if note:
        r["note"] = note
    return r


@dataclass
class BenchEnv:
    """A private Anvil with funded senders and a fresh address book."""

    w3: Web3
    book: AddressBook
    rpc: str
    ref: dict

    def sender(self, index: int) -> TxSender:
        return TxSender(self.w3, devnet_signer(index))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def bench_env() -> Iterator[BenchEnv]:
    """Start a private Anvil (own port, in memory: no state file to dump, 16 blocks of state
    history, base fee from 0), yield the env, stop it."""
    import subprocess
    import time

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hashtrust-bench-") as tmp:
        log = open(Path(tmp) / "anvil.log", "wb")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            [devnet.anvil_binary(), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(devnet.CHAIN_ID),
             # full blocks raise the base fee 12.5 % a block; from 0 it stays negligible, so fills of
             # thousands of transactions never price themselves out (gasUsed does not depend on it)
             "--block-base-fee-per-gas", "0",
             # keep the states of the last 16 blocks only, in memory (the benchmarks read the latest
             # state and logs): by default Anvil writes every state older than 500 blocks to disk,
             # a cost per block that grows with the state (the 1,000-epoch fill ran ~2x slower)
             "--prune-history", "16"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while devnet.chain_id(port) != devnet.CHAIN_ID:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"anvil did not start on port {port}: {(Path(tmp) / 'anvil.log').read_text()[-1000:]}")
                time.sleep(0.1)
            w3 = Web3(Web3.HTTPProvider(devnet.url(port), request_kwargs={"timeout": 300}))
            yield BenchEnv(w3=w3, book=AddressBook.for_chain(w3, Path(tmp) / "deployments"), rpc=devnet.url(port), ref=reference())
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
