"""G5 (info): three state changes emit no event (project rule: every state change emits one).

1. `checkpoint(account)` moves the stream (`last_update`, `reward_per_share`) and the account's
   `accrued_scaled` / `reward_per_share_paid`: no event.
2. A settlement step that only *skips* (the unfunded cursor passing a funded epoch at D(e))
   writes the cursor word `state`: no `EpochSettled` (nothing was settled) and no other event,
   so an indexer cannot follow `cursors()`.
3. `pause()` after an expired, never-ended pause writes that pause's end (`start + MAX_PAUSE`)
   into `pause_log`: no `Unpaused` for it (only the new `Paused`), so the pause intervals cannot
   be rebuilt from events alone.

Suggested fix: emit `Checkpointed(account, accrued)` (or reuse a `RewardsUpdated` event),
`CursorsMoved(unfunded, attest)` when the cursor word changes, and `Unpaused(account=empty)`
(or `PauseEnded(start, end)`) when `pause()` closes an expired pause.
"""

import boa
import pytest
from scenario import DAY, TH, fund, report, trust_vault, warp

pytestmark = pytest.mark.xfail(strict=True, reason="open finding")


def _names(c):
    return [type(e).__name__ for e in c.get_logs(strict=False)]


def test_g5_checkpoint_emits_an_event():
    env, t = trust_vault(holdings=(100,))
    v, h = env.vault, env.holders[0]
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    warp(boa.env.timestamp + 3_600)
    before = v.reward_per_share_paid(h)
    v.checkpoint(h)
    assert v.reward_per_share_paid(h) > before  # state changed
    assert _names(v), "checkpoint changed the account's accrual and emitted no event"


def test_g5_cursor_skip_emits_an_event():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    warp(v.report_deadline(0) + 1)  # epoch 0 funded: the unfunded cursor only skips it
    before = v.cursors()
    with boa.env.prank(env.holders[-1]):
        assert v.settle_due(64) == 0
    assert v.cursors() != before  # state changed
    assert _names(v), f"cursors moved {tuple(before)} -> {tuple(v.cursors())} with no event"


def test_g5_pause_closing_an_expired_pause_emits_its_end():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    with boa.env.prank(env.guardian):
        v.pause()
    warp(boa.env.timestamp + 8 * DAY)  # expired, never unpaused
    with boa.env.prank(env.guardian):
        v.pause()
    names = _names(v)
    assert v.pause_intervals()[0][1] != 0  # the first pause's end was written now
    assert "Unpaused" in names, f"pause() wrote the previous pause's end and emitted only {names}"
