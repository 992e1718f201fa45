"""Gas of the Identity registry on a real Anvil, next to the Solidity reference.

    python benchmarks/identity_gas.py           # starts a throwaway Anvil, prints a table

`measure(w3, deployer_key, user_keys)` returns ``{row: gas}`` from receipt ``gasUsed`` (includes
the 21,000 base cost and calldata, like ``/work/shared/spec/reference-gas.json``). The workload
is the reference's: a 100-byte URI, metadata ``agentName`` (11 B) and ``version`` (5 B), a 21-byte
key for setMetadata, an EIP-712 EOA signature for setAgentWallet. Every row goes through the
SDK's `IdentityClient`, the same code path scripts and tests use.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
from pathlib import Path

from eth_account import Account
from web3 import Web3

from hashtrust.chain import artifacts, devnet
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.identity import IdentityClient

# anvil's well-known dev keys 0..4 (test mnemonic)
ANVIL_KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
]

REFERENCE = {
    "register_uri100_first_ever": 240_804,
    "register_uri100_new_owner": 223_704,
    "register_uri100_same_owner_second": 206_604,
    "register_no_uri": 106_883,
    "register_uri100_two_metadata": 283_434,
    "setMetadata_new_key": 57_672,
    "setMetadata_overwrite": 40_572,
    "setAgentURI_100": 53_043,
    "setAgentWallet_eip712_eoa": 50_404,
    "snekmate_register_uri100_new_owner": 223_704,
}

URI100 = "https://agents.example.com/registry/agent-0001.json?sig=" + "a" * 44  # 100 bytes
KEY21 = "hashtrust.capability1"  # 21 bytes


def measure(w3: Web3, keys: list[str] = ANVIL_KEYS) -> dict[str, int]:
    """Deploy a fresh registry and return the gas of each reference row (plus a few of ours)."""
    assert len(URI100.encode()) == 100 and len(KEY21) == 21
    deployer = TxSender(w3, LocalSigner.from_key(keys[0]))
    art = artifacts.load("IdentityRegistry")
    r = deployer.deploy(art.abi, art.bytecode)
    out: dict[str, int] = {"deploy": int(r["gasUsed"]), "runtime_bytes": len(art.runtime) // 2 - 1}
    receipts: dict[str, object] = {}
    addr = r["contractAddress"]
    clients = [IdentityClient(w3, addr, TxSender(w3, LocalSigner.from_key(k))) for k in keys[:3]]
    a, b, c = clients

    def gas(receipt) -> int:
        return int(receipt["gasUsed"])

    def keep(name: str, receipt) -> int:
        receipts[name] = receipt
        return gas(receipt)

    # first ever registration (counter slot warm-up is paid at deploy time here)
    r1 = a.sender.transact(a.register_call(URI100))
    out["register_uri100_first_ever"] = keep("register_uri100_first_ever", r1)
    # a new owner's first registration (steady state)
    r2 = b.sender.transact(b.register_call(URI100))
    out["register_uri100_new_owner"] = keep("register_uri100_new_owner", r2)
    r3 = b.sender.transact(b.register_call(URI100))
    out["register_uri100_same_owner_second"] = keep("register_uri100_same_owner_second", r3)
    d = IdentityClient(w3, addr, TxSender(w3, LocalSigner.from_key(keys[4])))  # a new owner again
    r4 = d.sender.transact(d.register_call(""))
    out["register_no_uri"] = keep("register_no_uri", r4)
    md = [("agentName", b"Agent Smith"), ("version", b"1.0.0")]  # 11 B and 5 B, as the reference (new owner)
    r5 = c.sender.transact(c.register_call(URI100, md))
    out["register_uri100_two_metadata"] = keep("register_uri100_two_metadata", r5)
    aid = a.agent_id_from_receipt(r1)
    out["setMetadata_new_key"] = keep("setMetadata_new_key", a.set_metadata(aid, KEY21, b"x" * 21))
    out["setMetadata_overwrite"] = keep("setMetadata_overwrite", a.set_metadata(aid, KEY21, b"y" * 21))
    out["setMetadata_new_key_100B_value"] = gas(a.set_metadata(aid, "long.value", b"z" * 100))
    out["setAgentURI_100"] = keep("setAgentURI_100", a.set_agent_uri(aid, URI100.replace("0001", "0002")))
    wallet = Account.from_key(keys[3])
    # deadlines from the chain's own clock (the wall clock may be far from a warped test chain's)
    t0 = int(w3.eth.get_block("latest")["timestamp"])
    out["setAgentWallet_eip712_eoa"] = keep("setAgentWallet_eip712_eoa", a.set_agent_wallet(aid, wallet, deadline=t0 + 240))
    out["setAgentWallet_eip712_eoa_again"] = keep("setAgentWallet_eip712_eoa_again", a.set_agent_wallet(aid, wallet, deadline=t0 + 241))
    out["unsetAgentWallet"] = gas(a.unset_agent_wallet(aid))
    out["transfer_safe"] = gas(a.transfer(aid, b.sender.address))
    # data: URI of ~6 KB JSON (a large on-chain registration file)
    big = "data:application/json;base64," + "QUJD" * 1_500
    rb = a.sender.transact(a.register_call(big))
    out["register_data_uri_6KB"] = gas(rb)
    # views (eth_estimateGas, includes 21k)
    big_id = a.agent_id_from_receipt(rb)
    out["tokenURI_100_estimate"] = int(w3.eth.estimate_gas({"to": addr, "data": a.contract.functions.tokenURI(aid)._encode_transaction_data()}))
    out["tokenURI_6KB_estimate"] = int(w3.eth.estimate_gas({"to": addr, "data": a.contract.functions.tokenURI(big_id)._encode_transaction_data()}))
    measure.last_floors = {k: floor(w3, k, rc) for k, rc in receipts.items()}  # type: ignore[attr-defined]
    return out


# ---------------------------------------------------------------------------- floors
G_TX, G_SSTORE_NEW, G_SSTORE_UPDATE, G_COLD_SLOAD, G_WARM_UPDATE = 21_000, 22_100, 5_000, 2_100, 2_900
G_CREATE, G_DEPOSIT_BYTE, G_ECRECOVER = 32_000, 200, 3_000
DATA_HEADER = 10  # bytes of the data contract's "return my data" header


def _calldata_gas(data: bytes) -> int:
    return sum(4 if x == 0 else 16 for x in data)


def _log_gas(receipt) -> int:
    return sum(375 + 375 * len(lg["topics"]) + 8 * len(bytes(lg["data"])) for lg in receipt["logs"])


# What each row cannot avoid in this design besides base + calldata + logs (see docs/identity.md).
UNAVOIDABLE = {
    # agent word + owner balance (new slots), id/nonce counter update, one CREATE of the URI
    "register_uri100_new_owner": 2 * G_SSTORE_NEW + G_SSTORE_UPDATE + G_CREATE + G_DEPOSIT_BYTE * (100 + DATA_HEADER),
    # the counter slot is set at deploy, so the very first registration is a new owner's too
    "register_uri100_first_ever": 2 * G_SSTORE_NEW + G_SSTORE_UPDATE + G_CREATE + G_DEPOSIT_BYTE * (100 + DATA_HEADER),
    # agent word (new), owner balance (update), counter update, one CREATE of the URI
    "register_uri100_same_owner_second": G_SSTORE_NEW + 2 * G_SSTORE_UPDATE + G_CREATE + G_DEPOSIT_BYTE * (100 + DATA_HEADER),
    # agent word + owner balance (new slots), counter update; no URI, no CREATE
    "register_no_uri": 2 * G_SSTORE_NEW + G_SSTORE_UPDATE,
    "register_uri100_two_metadata": 4 * G_SSTORE_NEW + G_SSTORE_UPDATE + G_CREATE + G_DEPOSIT_BYTE * (100 + DATA_HEADER),
    # cold read of the agent word (authorisation) + the value slot
    "setMetadata_new_key": G_COLD_SLOAD + G_SSTORE_NEW,
    "setMetadata_overwrite": G_COLD_SLOAD + G_SSTORE_UPDATE,
    # agent word read + rewrite, counter update, one CREATE of the URI
    "setAgentURI_100": G_COLD_SLOAD + G_WARM_UPDATE + G_SSTORE_UPDATE + G_CREATE + G_DEPOSIT_BYTE * (100 + DATA_HEADER),
    # agent word read, wallet slot (new / overwrite), ecrecover
    "setAgentWallet_eip712_eoa": G_COLD_SLOAD + G_SSTORE_NEW + G_ECRECOVER,
    "setAgentWallet_eip712_eoa_again": G_COLD_SLOAD + G_SSTORE_UPDATE + G_ECRECOVER,
}


def floor(w3: Web3, name: str, receipt) -> int:
    """Base + calldata + logs + the storage/CREATE/ecrecover work this row cannot avoid."""
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    return G_TX + _calldata_gas(bytes(tx["input"])) + _log_gas(receipt) + UNAVOIDABLE[name]


def run(env) -> dict:
    """`make bench` entry point: ``{"gas": {"identity": {row: {ours, reference, ratio, floor, over_floor}}}}``.

    ``env`` needs ``w3`` (a private Anvil with anvil's dev accounts funded).
    """
    figures = measure(env.w3)
    figures.update(measure_snekmate_prototype(env.w3))
    floors = measure.last_floors  # type: ignore[attr-defined]
    rows: dict[str, dict] = {}
    for name, ours in figures.items():
        r: dict = {"ours": int(ours)}
        ref = REFERENCE.get(name)
        if ref is not None:
            r["reference"] = ref
            r["ratio"] = round(ours / ref, 4)
        if name in floors:
            r["floor"] = floors[name]
            r["over_floor"] = int(ours - floors[name])
        rows[name] = r
    return {"gas": {"identity": rows}}


PROTOTYPE = Path(__file__).resolve().parent / "prototypes" / "SnekmateIdentityPrototype.vy"


def measure_snekmate_prototype(w3: Web3, keys: list[str] = ANVIL_KEYS) -> dict[str, int]:
    """register(100-byte URI) for a new owner on the snekmate-erc721 prototype (the design baseline)."""
    import subprocess

    out = subprocess.check_output([sys.executable, "-m", "vyper", "-f", "abi,bytecode", str(PROTOTYPE)], text=True)
    abi_line, bytecode = out.strip().splitlines()
    abi = json.loads(abi_line)
    deployer = TxSender(w3, LocalSigner.from_key(keys[0]))
    addr = deployer.deploy(abi, bytecode)["contractAddress"]
    c = w3.eth.contract(address=addr, abi=abi)
    figures = {}
    for i, label in ((0, "snekmate_register_uri100_first_ever"), (1, "snekmate_register_uri100_new_owner")):
        s = TxSender(w3, LocalSigner.from_key(keys[i]))
        figures[label] = int(s.transact(c.functions.register(URI100))["gasUsed"])
    return figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def table(figures: dict[str, int], floors: dict[str, int] | None = None) -> str:
    floors = floors or {}
    lines = [f"{'row':<36} {'hashtrust':>10} {'reference':>10} {'ratio':>6} {'floor':>10}"]
    for name, g in figures.items():
        ref = REFERENCE.get(name)
        ref_s = f"{ref:>10,}" if ref else f"{'':>10}"
        ratio = f"{g / ref:>6.2f}" if ref else f"{'':>6}"
        fl = f"{floors[name]:>10,}" if name in floors else f"{'':>10}"
        lines.append(f"{name:<36} {g:>10,} {ref_s} {ratio} {fl}".rstrip())
    return "\n".join(lines)


def main() -> int:
    port = _free_port()
    with tempfile.TemporaryDirectory() as home:
        print(devnet.start(port, home=Path(home)), file=sys.stderr)
        try:
            w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
            figures = measure(w3)
            figures.update(measure_snekmate_prototype(w3))
        finally:
            print(devnet.stop(home=Path(home)), file=sys.stderr)
    print(table(figures, measure.last_floors))  # type: ignore[attr-defined]
    if "--json" in sys.argv:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
