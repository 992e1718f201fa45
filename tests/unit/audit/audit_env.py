"""Shared deployment for the audit PoCs: the real Identity, Reputation and Validation
registries on titanoboa (no mocks between them), and small helpers."""

from pathlib import Path

import boa

ROOT = Path(__file__).resolve().parents[3]
ZERO = "0x" + "00" * 20
NO_HASH = b"\x00" * 32


_DEPLOYERS: dict = {}


def deployer(relpath: str):
    """The compiled contract at `relpath` (compiled once per session)."""
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
