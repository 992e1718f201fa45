"""Versioned fee parameters (docs/design/vault-trust-split.md §3, F5): `apply_params` appends
version v+1 in force for every epoch ending at or after its `block.timestamp`
(`ParamsApplied(params, version, from_time)`); `params_of(e)` is the newest version applied at
or before the epoch's end; at most MAX_PARAM_VERSIONS versions (version 0 included) per term."""

import boa
from boa_vault import DAY
from scenario import TH, events, report, trust_vault, warp


def _change(env, perf_bps):
    v = env.vault
    p = v.params()
    with boa.env.prank(env.admin):
        v.queue_params((p.mj_per_th, p.micro_usd_per_kwh, p.micro_usd_per_th_day, perf_bps, p.fee_recipient))
    (q,) = events(v, "ParamsQueued")
    assert q.params.perf_bps == perf_bps and q.eta == boa.env.timestamp + v.ADMIN_DELAY()
    with boa.env.prank(env.admin), boa.reverts("vault: params not yet due"):
        v.apply_params()
    warp(v.pending_eta())
    with boa.env.prank(env.admin):
        v.apply_params()
    (a,) = events(v, "ParamsApplied")
    return a


def test_versions_by_epoch_end():
    env, _ = trust_vault(holdings=(100,))
    v = env.vault
    assert v.params_version() == 0 and v.params_of(0).perf_bps == 1_000
    warp(v.epoch_end(1) - DAY)  # queued one day before epoch 1 ends: due exactly at its end
    env.feed.set_price(100_000 * 10**8)  # the round in force at epoch 1's end
    a = _change(env, 2_000)
    assert (a.version, a.from_time, a.params.perf_bps) == (1, v.epoch_end(1), 2_000)
    assert [v.params_of(e).perf_bps for e in (0, 1, 2)] == [1_000, 2_000, 2_000]  # from <= end: epoch 1 takes it
    a = _change(env, 3_000)
    assert (a.version, a.from_time) == (2, v.epoch_end(2))
    assert [v.params_of(e).perf_bps for e in (0, 1, 2, 3)] == [1_000, 2_000, 3_000, 3_000]
    report(env, 1, 100 * TH, 100_000)  # epoch 1 split with version 1 although version 2 is in force now
    e = v.epochs(1)
    assert (e.fee, e.perf, e.net) == (3_100, (100_000 - 3_100) * 2_000 // 10_000, 100_000 - 3_100 - (100_000 - 3_100) * 2_000 // 10_000)
    assert v.split_of(1, 100 * TH, 100_000, 100_000 * 10**8) == (e.fee, e.perf, e.net)


def test_too_many_param_changes():
    env, _ = trust_vault(holdings=(100,))
    v = env.vault
    froms = {}
    for i in range(1, v.MAX_PARAM_VERSIONS()):
        a = _change(env, 1_000 + i)
        assert a.version == i
        froms[i] = a.from_time
    p = v.params()
    with boa.env.prank(env.admin):
        v.queue_params((p.mj_per_th, p.micro_usd_per_kwh, p.micro_usd_per_th_day, 999, p.fee_recipient))
    warp(v.pending_eta())
    with boa.env.prank(env.admin), boa.reverts("vault: too many param changes"):
        v.apply_params()
    assert v.params_version() == v.MAX_PARAM_VERSIONS() - 1 == 15
    # every version still resolves by time (the scan is bounded by MAX_PARAM_VERSIONS): the epoch
    # ending at a version's from_time takes it, the one before keeps the previous version
    for i, f in froms.items():
        e = (f - v.TERM_START()) // DAY - 1
        if e >= 0 and v.epoch_end(e) == f:
            assert v.params_of(e).perf_bps == 1_000 + i
            if e >= 1 and i >= 2:
                assert v.params_of(e - 1).perf_bps == 1_000 + i - 1
    assert v.params_of(399).perf_bps == 1_015


def test_apply_refusals():
    env, _ = trust_vault(holdings=(100,))
    v = env.vault
    with boa.env.prank(env.admin), boa.reverts("vault: no params queued"):
        v.apply_params()
    with boa.env.prank(env.holders[0]), boa.reverts():
        v.apply_params()  # not the admin
    p = v.params()
    with boa.env.prank(env.admin):
        v.queue_params((p.mj_per_th, p.micro_usd_per_kwh, p.micro_usd_per_th_day, 1_500, p.fee_recipient))
        v.cancel_params()
    (c,) = events(v, "ParamsCancelled")
    assert c.params.perf_bps == 1_500
    with boa.env.prank(env.admin), boa.reverts("vault: no params queued"):
        v.apply_params()
