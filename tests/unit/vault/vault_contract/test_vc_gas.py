"""Gas of the vault's hot paths, measured in boa (execution gas of the call, without the
21,000 intrinsic gas and calldata), against `MockVaultTrust`. Bounds keep transfers O(1): a
transfer with nothing due must stay within a few thousand gas of a plain snekmate transfer."""

import boa
from vc_env import TH, deploy, publish_before_end, report, warp

GAS: dict[str, int] = {}


def _gas(contract, name):
    g = contract._computation.get_gas_used()
    GAS[name] = g
    print(f"GAS {name}: {g}")
    return g


def test_gas_of_report_fund_transfer_settle():
    env = deploy(n_epochs=20)
    v, t, (a, b, c) = env.vault, env.trust, env.holders[:3]
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    assert _gas(v, "report_epoch") < 260_000
    with boa.env.prank(env.operator):
        v.fund_epoch(0)
    assert _gas(v, "fund_epoch") < 200_000
    with boa.env.prank(a):
        v.transfer(c, TH)
    base = _gas(v, "transfer (first, nothing due)")
    with boa.env.prank(a):
        v.transfer(c, TH)
    assert _gas(v, "transfer (nothing due)") < 80_000
    # with 8 pauses logged, a transfer reads them all (<= 8 SLOADs more)
    for _ in range(8):
        with boa.env.prank(env.guardian):
            v.pause()
        v.unpause()
    with boa.env.prank(a):
        v.transfer(c, TH)
    assert _gas(v, "transfer (8 pauses logged)") < base + 25_000
    t.set_owed(1, 4_000)
    warp(v.report_deadline(1) + 1)
    with boa.env.prank(a):
        v.transfer(c, TH)  # settles epoch 1 first
    # the mock trust itself writes 5 fresh slots per settle (~110k of this)
    assert _gas(v, "transfer settling 1 epoch") < base + 250_000
    t.set_owed(2, 4_000)
    warp(v.report_deadline(2) + 1)
    v.settle_due(1)
    assert _gas(v, "settle_due(1) (mock trust)") < 250_000
    warp(v.report_deadline(6) + 1)
    v.settle_due(4)
    assert _gas(v, "settle_due(4) (mock trust)") < 900_000
    with boa.env.prank(a):
        v.claim()
    _gas(v, "claim")
