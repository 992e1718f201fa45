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

from hashtrust import artifacts, devnet
from hashtrust.identity import IdentityClient
from hashtrust.tx import LocalSigner, TxSender

# anvil's well-known dev keys 0..3 (test mnemonic)
ANVIL_KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
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
    addr = r["contractAddress"]
    clients = [IdentityClient(w3, addr, TxSender(w3, LocalSigner.from_key(k))) for k in keys[:3]]
    a, b, c = clients

    def gas(receipt) -> int:
        return int(receipt["gasUsed"])

    # first ever registration (counter slot warm-up is paid at deploy time here)
    r1 = a.sender.transact(a.register_call(URI100))
    out["register_uri100_first_ever"] = gas(r1)
    # a new owner's first registration (steady state)
    r2 = b.sender.transact(b.register_call(URI100))
    out["register_uri100_new_owner"] = gas(r2)
    r3 = b.sender.transact(b.register_call(URI100))
    out["register_uri100_same_owner_second"] = gas(r3)
    r4 = c.sender.transact(c.register_call(""))
    out["register_no_uri"] = gas(r4)
    md = [("agentName", b"Agent Smith"), ("version", b"1.0.0")]  # 11 B and 5 B, as the reference
    r5 = c.sender.transact(c.register_call(URI100, md))
    out["register_uri100_two_metadata"] = gas(r5)
    aid = a.agent_id_from_receipt(r1)
    out["setMetadata_new_key"] = gas(a.set_metadata(aid, KEY21, b"x" * 21))
    out["setMetadata_overwrite"] = gas(a.set_metadata(aid, KEY21, b"y" * 21))
    out["setMetadata_new_key_100B_value"] = gas(a.set_metadata(aid, "long.value", b"z" * 100))
    out["setAgentURI_100"] = gas(a.set_agent_uri(aid, URI100.replace("0001", "0002")))
    wallet = Account.from_key(keys[3])
    out["setAgentWallet_eip712_eoa"] = gas(a.set_agent_wallet(aid, wallet))
    out["setAgentWallet_eip712_eoa_again"] = gas(a.set_agent_wallet(aid, wallet))
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
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def table(figures: dict[str, int]) -> str:
    lines = [f"{'row':<36} {'hashtrust':>10} {'reference':>10} {'ratio':>6}"]
    for row, g in figures.items():
        ref = REFERENCE.get(row)
        ratio = f"{g / ref:.2f}" if ref else ""
        lines.append(f"{row:<36} {g:>10,} {ref or '':>10} {ratio:>6}" if not ref else f"{row:<36} {g:>10,} {ref:>10,} {ratio:>6}")
    return "\n".join(lines)


def main() -> int:
    port = _free_port()
    with tempfile.TemporaryDirectory() as home:
        print(devnet.start(port, home=Path(home)), file=sys.stderr)
        try:
            w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
            figures = measure(w3)
        finally:
            print(devnet.stop(home=Path(home)), file=sys.stderr)
    print(table(figures))
    if "--json" in sys.argv:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
