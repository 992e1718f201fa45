"""Versioned fee parameters: each epoch is priced with the version in force at its end."""

import boa
from vc_env import CAPS, DAY, PARAMS, TH, deploy, fund, logs, now, publish_before_end, report, warp


def split(delivered, gross, p, px, feed_unit=10**8):
    fee = 0
    if px:
        per_th = p[0] * 24 * p[1] + p[2] * 10**6
        fee = min(gross, delivered * per_th * 100 * feed_unit // (10**24 * px))
    perf = (gross - fee) * p[3] // 10_000
    return fee, perf, gross - fee - perf


def apply(env, p):
    v = env.vault
    v.queue_params((*p, env.fee_recipient))
    warp(v.pending_eta())
    v.apply_params()
    return now()


def test_version_zero_in_force_from_deployment():
    env = deploy()
    v = env.vault
    assert v.params_version() == 0 and v.params_from(0) == env.t0
    assert v.params()[:4] == PARAMS and v.params_of(0)[:4] == PARAMS and v.params_of(9)[:4] == PARAMS


def test_apply_adds_a_version_for_epochs_ending_from_now():
    env = deploy()
    v = env.vault
    new = (17_500, 80_000, 10_000, 2_000)
    # queued at the end of epoch 0, applied exactly at the end of epoch 1
    warp(v.epoch_end(0))
    v.queue_params((*new, env.fee_recipient))
    (q,) = logs(v, "ParamsQueued")
    assert q.eta == now() + DAY
    warp(v.epoch_end(1))
    v.apply_params()
    (ev,) = logs(v, "ParamsApplied")
    assert (ev.version, ev.from_time) == (1, v.epoch_end(1)) and tuple(ev.params)[:4] == new
    assert v.params_version() == 1 and v.params_from(1) == v.epoch_end(1)
    assert v.params_of(0)[:4] == PARAMS  # ended before the change: never repriced
    assert v.params_of(1)[:4] == new  # ends at the change (from <= end)
    assert v.params_of(5)[:4] == new and v.params()[:4] == new
    assert v.pending_eta() == 0


def test_report_uses_the_version_at_the_epoch_end_not_the_current_one():
    env = deploy()
    v = env.vault
    publish_before_end(env, 0)
    v.queue_params((17_500, 50_000, 10_000, 5_000, env.fee_recipient))
    warp(v.epoch_end(0) + 60)
    warp(v.pending_eta())
    v.apply_params()  # after epoch 0 ended
    report(env, 0, 400, 100_000)
    e = v.epochs(0)
    assert (e[3], e[4], e[5]) == split(400 * TH, 100_000, PARAMS, 100_000 * 10**8)
    assert (e[3], e[4], e[5]) == (12_400, 8_760, 78_840)
    assert v.split_of(0, 400 * TH, 100_000, 100_000 * 10**8) == (12_400, 8_760, 78_840)
    # the next epoch ends after the change: 50 % perf
    assert v.split_of(1, 400 * TH, 100_000, 100_000 * 10**8) == split(400 * TH, 100_000, (17_500, 50_000, 10_000, 5_000), 100_000 * 10**8)


def test_split_of_without_a_price_charges_perf_only():
    env = deploy()
    assert env.vault.split_of(0, 400 * TH, 100_000, 0) == (0, 10_000, 90_000)
    # a cost above the gross is capped at the gross
    assert env.vault.split_of(0, 400 * TH, 1_000, 100_000 * 10**8) == (1_000, 0, 0)


def test_sixteen_versions_at_most_and_params_of_walks_them():
    env = deploy(n_epochs=40)
    v = env.vault
    froms = [v.params_from(0)]
    for k in range(1, 16):
        froms.append(apply(env, (17_500, 50_000, 10_000, 100 * k)))
    assert v.params_version() == 15
    v.queue_params((17_500, 50_000, 10_000, 1, env.fee_recipient))
    warp(v.pending_eta())
    with boa.reverts("vault: too many param changes"):
        v.apply_params()
    for e in range(40):
        end = v.epoch_end(e)
        want = max(k for k, f in enumerate(froms) if f <= end)
        assert v.params_of(e)[3] == (PARAMS[3] if want == 0 else 100 * want), e


def test_queue_apply_cancel_refusals():
    env = deploy()
    v = env.vault
    with boa.reverts("vault: no params queued"):
        v.apply_params()
    with boa.reverts("vault: no params queued"):
        v.cancel_params()
    for bad, msg in (
        ((CAPS[0] + 1, 0, 0, 0), "vault: efficiency above cap"),
        ((0, CAPS[1] + 1, 0, 0), "vault: power price above cap"),
        ((0, 0, CAPS[2] + 1, 0), "vault: maintenance above cap"),
        ((0, 0, 0, CAPS[3] + 1), "vault: perf fee above cap"),
    ):
        with boa.reverts(msg):
            v.queue_params((*bad, env.fee_recipient))
    with boa.reverts("vault: zero fee recipient"):
        v.queue_params((0, 0, 0, 0, "0x" + "00" * 20))
    with boa.env.prank(env.holders[0]), boa.reverts("ownable: caller is not the owner"):
        v.queue_params((0, 0, 0, 0, env.fee_recipient))
    v.queue_params((0, 0, 0, 0, env.fee_recipient))
    with boa.reverts("vault: params not yet due"):
        v.apply_params()
    with boa.env.prank(env.holders[0]), boa.reverts("ownable: caller is not the owner"):
        v.apply_params()
    with boa.env.prank(env.holders[0]), boa.reverts("ownable: caller is not the owner"):
        v.cancel_params()
    v.cancel_params()
    (ev,) = logs(v, "ParamsCancelled")
    assert tuple(ev.params)[:4] == (0, 0, 0, 0) and v.pending_eta() == 0 and v.params_version() == 0


def test_fees_go_to_the_current_versions_recipient():
    env = deploy()
    v = env.vault
    publish_before_end(env, 0)
    report(env, 0, 400, 100_000)
    fund(env, 0)
    other = boa.env.generate_address("new-fees")
    v.queue_params((*PARAMS, other))
    warp(v.pending_eta())
    v.apply_params()
    assert v.withdraw_fees() == 12_400 + 8_760
    (ev,) = logs(v, "FeesWithdrawn")
    assert ev.recipient == other and env.wbtc.balanceOf(other) == 21_160
