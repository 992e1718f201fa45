"""F13 (low): anyone can re-spread the rewards still streaming by declaring a 0-slash default.

`declare_default` always calls `_notify_reward(slashed)`, also when `slashed == 0` (empty
bond, or a funded epoch whose net covers the expected reward), and `_notify_reward` restarts
the stream: what is left is spread over a fresh 86,400 s. Epoch 4's net (87,210 sats, 100 TH/s,
100,000 gross) streams over a day; one hour before its end a stranger declares the overdue
epoch 0 with an empty bond (slash 0): the holder can claim 83,727 sats at the original end
instead of all 87,210 (the other 3,483 trickle over the next 23 h, to whoever holds then). Each
overdue epoch is one more restart; nothing is lost, but the timing (and so the recipients) of
earned rewards is anyone's to move.

Suggested fix: when `slashed == 0`, skip `_notify_reward`; when > 0, stream the slash on its own
(or add it at the current rate until `period_finish` instead of restarting the period).

Fixed by the trust split (docs/design/vault-trust-split.md §4): a settlement credit never calls `_notify_reward`: 0 changes nothing, > 0 is a `reward_per_share` step; the running stream keeps its end.
"""

import boa
from scenario import TH, events, fund, report, trust_vault, warp


def test_f13_empty_default_delays_the_running_stream():
    env, t = trust_vault(holdings=(100,))
    v, holder, mallory = env.vault, env.holders[0], env.holders[2]
    report(env, 4, 100 * TH, 100_000)
    fund(env, 4)
    net = v.epochs(4).net
    assert net == 87_210
    end = v.period_finish()
    warp(end - 3_600)
    with boa.env.prank(mallory):
        n = v.settle_due(16)  # the overdue unreported epochs 0.. (3,802 each)
    credited = sum(s.credited for s in events(v, "EpochSettled"))
    assert n >= 1 and credited == 3_802 * n
    assert v.period_finish() == end  # the stream was not restarted
    warp(end)
    got = v.claimable(holder)
    # the epoch-4 stream should have paid out in full by its own end
    assert got >= net - 1, f"{got} of {net} sats claimable at the stream's original end"
    assert got >= net + credited - 1
