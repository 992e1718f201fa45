"""F3 (medium): defaulted epochs never reach the operator's reputation.

To fit the bytes, `declare_default` no longer posts feedback (count == 0 skips the post); its
only record is the `EpochClosed` event. An operator that delivers one epoch and then skips
three (unreported, defaulted by anyone) shows `getSummary(agent, [vault], "uptime", "")` =
(1 feedback, 100.00 %) although 3 of its 4 epochs failed: the public reputation, the thing
issue 14 defect 9 wanted the operator unable to launder, reads perfect. Combined with F1/F2
the operator decides alone what its reputation contains.

Suggested fix: post `uptime = 0` (tag2 "epoch-<n>", tag "default" or the slash in
`feedbackHash`) for every default, through the same guarded post as finalisation.
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from scenario import TH, attest, events, fund, report, trust_vault, warp


def test_f3_three_defaults_and_one_good_epoch_read_as_perfect_uptime():
    env, t = trust_vault(holdings=(100,))
    v, mallory = env.vault, env.holders[2]
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    v.finalize_epoch(0)
    for e in (1, 2, 3):  # never reported
        warp(v.epoch_deadline(e) + 1)
        with boa.env.prank(mallory):
            v.declare_default(e)
        (closed,) = events(v, "EpochClosed")
        assert closed.defaulted and not closed.feedback_posted
    assert v.settled_epochs() == 4
    count, value, decimals = t.reputation.getSummary(t.agent_id, [v.address], "uptime", "")
    # 4 settled epochs, one at 100 %, three at 0 %: the record should say 4 epochs, 25 %
    assert (count, value, decimals) == (4, 2_500, 2), f"reputation shows {count} epoch(s) at {value}"
