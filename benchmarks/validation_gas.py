"""Gas of the Validation registry on a real Anvil, next to the Solidity reference.

    python benchmarks/validation_gas.py          # starts a throwaway Anvil, prints a table

`measure(w3)` returns ``{row: gas}`` from receipt ``gasUsed`` (includes the 21,000 base cost
and calldata, like ``shared/spec/reference-gas.json``); `run(env)` gives the same rows in the
harness format (reference, ratio, floor). Workload: an ``ipfs://`` request/response URI
(66 bytes), non-zero hashes, a 13-byte tag, as the reference rows. Every write goes through
the SDK's `ValidationClient`, the code path of the scripts and tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_utils import keccak
from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/validation_gas.py`

from benchmarks.harness import bench_env, floor_gas, row  # noqa: E402
from hashtrust.chain import artifacts  # noqa: E402
from hashtrust.chain.accounts import devnet_signer  # noqa: E402
from hashtrust.chain.tx import TxSender  # noqa: E402
from hashtrust.erc8004.identity import IdentityClient  # noqa: E402
from hashtrust.erc8004.validation import ValidationClient  # noqa: E402

REFERENCE = {
    "validationRequest_first": 190_807,
    "validationRequest_subsequent": 156_607,
    "validationResponse_first_tag13": 132_930,
    "validationResponse_overwrite": 56_130,
}
URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/req"  # 66 bytes
TAG13 = "hashrate-7day"  # 13 bytes


def _deploy(w3: Web3):
    d = TxSender(w3, devnet_signer(0))
    ident_art, val_art = artifacts.load("IdentityRegistry"), artifacts.load("ValidationRegistry")
    ident = d.deploy(ident_art.abi, ident_art.bytecode)["contractAddress"]
    rv = d.deploy(val_art.abi, val_art.bytecode, ident)
    return ident, rv, len(val_art.runtime) // 2 - 1


def measure(w3: Web3, *, receipts: dict | None = None) -> dict[str, int]:
    """Deploy Identity + Validation and return the gas of each reference row (plus ours)."""
    ident_addr, deploy_receipt, runtime = _deploy(w3)
    addr = deploy_receipt["contractAddress"]
    owner, validator, other, squatter = (TxSender(w3, devnet_signer(i)) for i in (1, 2, 3, 4))
    agent = IdentityClient(w3, ident_addr, owner).register("")
    sq_agent = IdentityClient(w3, ident_addr, squatter).register("")
    vo = ValidationClient(w3, addr, owner)
    vv = ValidationClient(w3, addr, validator)
    vs = ValidationClient(w3, addr, squatter)
    h = [keccak(text=f"request-{i}") for i in range(8)]
    rh = keccak(text="response")
    out: dict[str, int] = {"deploy": int(deploy_receipt["gasUsed"]), "runtime_bytes": runtime}
    rec: dict[str, object] = {}

    def g(name, receipt):
        out[name] = int(receipt["gasUsed"])
        rec[name] = receipt

    g("validationRequest_first", vo.request(validator.address, agent, URI, h[0]))
    g("validationRequest_subsequent", vo.request(validator.address, agent, URI, h[1]))
    g("validationResponse_first_tag13", vv.respond(h[0], 100, response_uri=URI, response_hash=rh, tag=TAG13))
    g("validationResponse_overwrite", vv.respond(h[0], 40, response_uri=URI, response_hash=rh, tag=TAG13))
    g("finalizeValidation", vv.finalize(agent, h[0]))
    g("validationResponseFor_first_final_tag13", vv.respond(h[1], 90, response_uri=URI, response_hash=rh, tag=TAG13, agent_id=agent, finalize=True))
    vo.request(validator.address, agent, URI, h[2])
    g("cancelValidation", vo.cancel(agent, h[2]))
    g("validationRequest_new_validator", vo.request(other.address, agent, URI, h[3]))
    # a second agent requesting a hash already used (the squat the reference refuses with "exists")
    g("validationRequest_same_hash_other_agent", vs.request(validator.address, sq_agent, URI, h[0]))
    # views (eth_estimateGas, includes 21k)
    for name, fn in (
        ("getValidationStatus_estimate", vo.contract.functions.getValidationStatus(h[0])),
        ("getAttestation_estimate", vo.contract.functions.getAttestation(agent, h[0])),
        ("getSummary_4_requests_estimate", vo.contract.functions.getSummary(agent, [], "")),
    ):
        out[name] = int(w3.eth.estimate_gas({"to": addr, "data": fn._encode_transaction_data()}))
    if receipts is not None:
        receipts.update(rec)
    return out


# storage writes each row cannot avoid, for the floor column of `make bench`
_FLOORS = {
    # packed record + agent list (entry + count) + validator list (entry + count)
    "validationRequest_first": (5, 0),
    "validationRequest_subsequent": (3, 2),
    # record update + responseHash + tag (new); an overwrite with the same hash and tag
    # must still update the record slot
    "validationResponse_first_tag13": (2, 1),
    "validationResponse_overwrite": (0, 1),
}


def run(env) -> dict:
    """Harness entry point (`benchmarks/harness.py`): gas rows with reference and floor."""
    receipts: dict = {}
    figures = measure(env.w3, receipts=receipts)
    rows = {}
    for name, gas in figures.items():
        ref = REFERENCE.get(name)
        fl = None
        if name in _FLOORS:
            new, upd = _FLOORS[name]
            fl = floor_gas(env.w3, receipts[name], sstore_new=new, sstore_update=upd)
        rows[name] = row(gas, ref, fl)
    return {"gas": {"validation": rows}}


def table(figures: dict[str, int]) -> str:
    lines = [f"{'row':<44} {'hashtrust':>10} {'reference':>10} {'ratio':>6}"]
    for name, gas in figures.items():
        ref = REFERENCE.get(name)
        if ref:
            lines.append(f"{name:<44} {gas:>10,} {ref:>10,} {gas / ref:>6.2f}")
        else:
            lines.append(f"{name:<44} {gas:>10,}")
    return "\n".join(lines)


def main() -> int:
    with bench_env() as env:
        figures = measure(env.w3)
    print(table(figures))
    if "--json" in sys.argv:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
