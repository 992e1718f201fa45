"""The BTC/USD round of an epoch (docs/design/vault-trust-split.md §3): `report_epoch` takes the
round in force at the epoch's end -- same phase as the latest round, updated at or before the end,
the next round (if any) after it; a round older than MAX_PRICE_AGE at the end is accepted as stale
(`price_stale`, `btc_usd` 0, no electricity/maintenance fee). `EpochReported` carries both."""

import boa
from boa_vault import round_at
from scenario import PRICE, REPORT_HASH, TH, events, trust_vault, warp

DAY = 86_400


def _report(env, e, rid):
    with boa.env.prank(env.operator):
        env.vault.report_epoch(e, 100 * TH, 100_000, REPORT_HASH, "ipfs://pool", rid)


def test_round_after_end_refused():
    env, _ = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    end = v.epoch_end(0)
    first = feed.latest_round()
    warp(end - 60)
    feed.set_price(PRICE)
    at_end = feed.latest_round()
    warp(end + 30)
    feed.set_price(50_000 * 10**8)  # the operator would like this one (no: it is after the end)
    after = feed.latest_round()
    assert round_at(env, end) == at_end == after - 1 == first + 1
    with boa.reverts("vault: not the round at the epoch end"):
        _report(env, 0, after)
    with boa.reverts("vault: not the round at the epoch end"):
        _report(env, 0, first)  # superseded before the end
    with boa.reverts("feed: no data present"):
        _report(env, 0, after + 1)
    _report(env, 0, at_end)
    (r,) = events(v, "EpochReported")
    assert (r.epoch, r.round_id, r.price_stale, r.btc_usd, r.fee) == (0, at_end, False, PRICE, 3_100)
    assert v.epochs(0).btc_usd == PRICE


def test_old_phase_refused():
    env, _ = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    end = v.epoch_end(0)
    warp(end - 60)
    feed.set_price(PRICE)
    at_end = feed.latest_round()
    feed.new_phase()
    feed.set_price(PRICE)  # phase 1, round 1, before the end
    new = feed.latest_round()
    assert new == (1 << 64) | 1
    warp(end + 60)
    with boa.reverts("vault: price round from an old phase"):
        _report(env, 0, at_end)
    _report(env, 0, new)
    (r,) = events(v, "EpochReported")
    assert (r.round_id, r.price_stale, r.btc_usd) == (new, False, PRICE)


# regression of a split-review finding (fixed in 493a915): an aggregator upgrade after an epoch's
# end must not make the epoch unreportable (it would default at Nu, 3,802 sats for 100 TH/s)
def test_phase_change_after_the_end_does_not_make_the_epoch_unreportable():
    env, t = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    end = v.epoch_end(0)
    warp(end - 60)
    feed.set_price(PRICE)
    at_end = feed.latest_round()
    warp(end + 60)
    feed.new_phase()
    feed.set_price(PRICE)  # the upgraded aggregator's first round, after the end
    with boa.reverts("vault: not the round at the epoch end"):
        _report(env, 0, feed.latest_round())  # the new phase's round is after the end
    _report(env, 0, at_end)  # the previous phase's round in force at the end
    (r,) = events(v, "EpochReported")
    assert (r.round_id, r.price_stale, r.btc_usd, r.fee) == (at_end, False, PRICE, 3_100)


def test_silent_feed_reports_without_cost():
    env, _ = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    end = v.epoch_end(3)
    warp(end - 3 * DAY)
    feed.set_price(PRICE)
    rid = feed.latest_round()
    assert end - feed.getRoundData(rid)[3] > v.MAX_PRICE_AGE()
    warp(end + 60)
    _report(env, 3, rid)
    (r,) = events(v, "EpochReported")
    assert (r.round_id, r.price_stale, r.btc_usd) == (rid, True, 0)
    # no electricity/maintenance: perf 10 % of gross, the rest to holders
    assert (r.fee, r.perf, r.net) == (0, 10_000, 90_000)
    e = v.epochs(3)
    assert (e.btc_usd, e.fee, e.perf, e.net) == (0, 0, 10_000, 90_000)


def test_price_exactly_max_age_old_is_not_stale():
    env, _ = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    end = v.epoch_end(0)
    warp(end - v.MAX_PRICE_AGE())
    feed.set_price(PRICE)
    warp(end + 60)
    _report(env, 0, feed.latest_round())
    (r,) = events(v, "EpochReported")
    assert (r.price_stale, r.btc_usd, r.fee) == (False, PRICE, 3_100)


def test_non_positive_answer_reports_without_cost():
    """A zero price in force at the end: the epoch is still reported (never a forced default),
    without electricity/maintenance (fee 0), perf still."""
    env, _ = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    end = v.epoch_end(0)
    warp(end - 60)
    feed.set_price(0)
    warp(end + 60)
    _report(env, 0, feed.latest_round())
    (r,) = events(v, "EpochReported")
    assert (r.price_stale, r.btc_usd, r.fee) == (True, 0, 0)
