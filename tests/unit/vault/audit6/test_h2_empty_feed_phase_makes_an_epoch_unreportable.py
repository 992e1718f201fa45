"""H2 (low): a feed phase without rounds makes every epoch priced in the phase before it unreportable.

`_round_price` accepts a round of an older phase only after reading the *next* phase's first
round (`getRoundData((phase + 1) << 64 | 1)`, a plain `staticcall`). When the proxy moved on twice
before any answer of the middle phase (phase 1 confirmed and replaced at once, as a Chainlink
proxy allows: `proposeAggregator`/`confirmAggregator` twice), that round does not exist and the
read reverts ("feed: no data present"). The round in force at the epoch's end is the last round
of phase 0; no round of the latest phase (2) is at or before the end: every round the operator
can name is refused, so the epoch cannot be reported and defaults at D(e) (Nu = 3,802 sats of the
bond at 100 TH/s, uptime 0 posted) though the operator delivered and is willing to pay. The
design promises the opposite ("an aggregator upgrade between the end and the report must not
make the epoch unreportable"; "never forces a default").

Figures: 100 TH/s, epoch 0, BTC $100k published at end - 60 s (phase 0); after the end the feed
moves to phase 1 and phase 2 and publishes in phase 2. `report_epoch(0, ..., round_id)` reverts
for the phase-0 round in force at the end and for the phase-2 round.

Suggested fix: read the next phase's first round with a `raw_call` that tolerates "no data"
(and walk on to the first phase that has a round, bounded), accepting the old-phase round when
no later phase has a round at or before the end.
"""

import re

import boa
from scenario import TH, REPORT_HASH, set_price_before, trust_vault, warp


def test_h2_empty_phase_blocks_the_report():
    env, t = trust_vault(holdings=(100,))
    v, feed = env.vault, env.feed
    set_price_before(env, 0, 100_000 * 10**8)
    in_force = feed.latest_round()  # phase 0: the round in force at epoch 0's end
    end0 = v.epoch_end(0)
    warp(end0 + 60)
    feed.new_phase()  # phase 1: confirmed, never answered
    feed.new_phase()  # phase 2
    feed.set_price(100_000 * 10**8)
    latest = feed.latest_round()
    assert latest >> 64 == 2 and in_force >> 64 == 0
    errors = {}
    for rid in (in_force, latest):
        try:
            with boa.env.prank(env.operator):
                v.report_epoch(0, 100 * TH, 4_224, REPORT_HASH, "ipfs://pool", rid)
            errors = None
            break
        except Exception as exc:  # noqa: BLE001
            errors[hex(rid)] = (re.findall(r"<((?:feed|vault):[^>]*)>", str(exc)) or [repr(exc)[:160]])[-1]
    assert errors is None, f"epoch 0 cannot be reported with any round: {errors}"
