"""Shared deployment for the audit tests: the real Identity, Reputation and Validation
registries on titanoboa (no mocks between them), and small helpers.

`HASHTRUST_AUDIT_TREE` points the deployer at another checkout's `contracts/` (e.g. the tree
before a fix: `git archive bad3fe7 contracts | tar -x -C /tmp/before`), so each regression test
can be shown to fail on the code it guards against."""

import os
from pathlib import Path

import boa

ROOT = Path(os.environ.get("HASHTRUST_AUDIT_TREE") or Path(__file__).resolve().parents[3])
ZERO = "0x" + "00" * 20
NO_HASH = b"\x00" * 32


_DEPLOYERS: dict = {}


def deployer(relpath: str):
    """The compiled contract at `relpath` under ROOT (compiled once per session)."""
    if relpath not in _DEPLOYERS:
        _DEPLOYERS[relpath] = boa.load_partial(str(ROOT / relpath))
    return _DEPLOYERS[relpath]


def deploy():
    ident = deployer("contracts/IdentityRegistry.vy").deploy()
    rep = deployer("contracts/ReputationRegistry.vy").deploy(ident.address)
    val = deployer("contracts/ValidationRegistry.vy").deploy(ident.address)
    return ident, rep, val


def register(ident, owner, uri="ipfs://agent"):
    with boa.env.prank(owner):
        return ident.register(uri)


def give(rep, client, agent, value=87, decimals=0, tag1="", tag2=""):
    with boa.env.prank(client):
        rep.giveFeedback(agent, value, decimals, tag1, tag2, "", "", NO_HASH)


def gas_of(contract, fn, *args) -> int:
    """Gas of a call as an eth_call would meter it (titanoboa's meter)."""
    return boa.env.raw_call(contract.address, data=fn.prepare_calldata(*args)).get_gas_used()
