"""G5 (info, fixed): three state changes emitted no event (project rule: every state change emits one).

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

def test_g5_checkpoint_emits_an_event():
    env, t = trust_vault(holdings=(100,))
    v, h = env.vault, env.holders[0]
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    warp(boa.env.timestamp + 3_600)
    before = v.reward_per_share_paid(h)
    v.checkpoint(h)
    logs = v.get_logs(strict=False)  # the logs of the last call: read before any view call
    assert v.reward_per_share_paid(h) > before  # state changed
    assert logs, "checkpoint changed the account's accrual and emitted no event"
    (cp,) = [e for e in logs if type(e).__name__ == "Checkpointed"]
    assert cp.account == h


def test_g5_cursor_skip_emits_an_event():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    warp(v.report_deadline(0) + 1)  # epoch 0 funded: the unfunded cursor only skips it
    before = v.cursors()
    with boa.env.prank(env.holders[-1]):
        assert v.settle_due(64) == 0
    logs = v.get_logs(strict=False)  # the logs of the last call: read before any view call
    assert v.cursors() != before  # state changed
    assert logs, f"cursors moved {tuple(before)} -> {tuple(v.cursors())} with no event"
    (moved,) = [e for e in logs if type(e).__name__ == "CursorsMoved"]
    assert (moved.unfunded, moved.attest) == tuple(v.cursors()) == (1, 0)


def test_g5_pause_closing_an_expired_pause_emits_its_end():
    env, t = trust_vault(holdings=(100,))
    v = env.vault
    with boa.env.prank(env.guardian):
        v.pause()
    warp(boa.env.timestamp + 8 * DAY)  # expired, never unpaused
    with boa.env.prank(env.guardian):
        v.pause()
    logs = v.get_logs(strict=False)  # the logs of the last call: read before any view call
    names = [type(e).__name__ for e in logs]
    start, end = v.pause_intervals()[0]
    assert end != 0  # the first pause's end was written now
    # fixed as `PauseEnded(start, end)` (the closing is not an `unpause` call: no account ended it)
    assert "PauseEnded" in names, f"pause() wrote the previous pause's end and emitted only {names}"
    (ended,) = [e for e in logs if type(e).__name__ == "PauseEnded"]
    assert (ended.start, ended.end) == (start, end) == (start, start + 7 * DAY)
    assert names.index("PauseEnded") < names.index("Paused")
