"""Gas of the vault's epoch paths (issue 14: before/after figures in docs/vault.md).

Run: `python tests/unit/vault/audit/gas_vault.py` (this checkout) or with
`VAULT_CONTRACTS=<dir of other contracts>` (e.g. the unfixed ones). One 100 TH/s holder of a
vault with its trust; epoch 0 is reported, funded, attested by two validators and finalised on the
trust (first feedback of the trust for the agent); epoch 1 is never reported and is settled by
`settle_due` after its report deadline (the trust's `settle` inside).
Figures are the execution gas of each call (titanoboa, without the 21,000 intrinsic gas).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import boa  # noqa: E402
from scenario import TH, attest, fund, report, trust_vault, warp  # noqa: E402


def measure() -> dict:
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    out = {}
    report(env, 0, 95 * TH, 10_000)
    out["report_epoch"] = v._computation.get_gas_used()
    fund(env, 0)
    out["fund_epoch"] = v._computation.get_gas_used()
    attest(env, t, 0)
    t.trust.finalize_epoch(0)
    out["finalize_epoch"] = t.trust._computation.get_gas_used()
    warp(v.report_deadline(1) + 1)
    assert v.settle_due(1) == 1
    out["settle_due(1)"] = v._computation.get_gas_used()
    with boa.env.prank(env.holders[0]):
        v.transfer(env.holders[1], TH)
    out["transfer"] = v._computation.get_gas_used()
    out["runtime_bytes"] = len(v.compiler_data.bytecode_runtime)
    out["deployed_bytes"] = len(boa.env.get_code(v.address))
    out["trust_runtime_bytes"] = len(t.trust.compiler_data.bytecode_runtime)
    out["trust_deployed_bytes"] = len(boa.env.get_code(t.trust.address))
    return out


if __name__ == "__main__":
    for k, n in measure().items():
        print(f"{k:16} {n:>8,}")
