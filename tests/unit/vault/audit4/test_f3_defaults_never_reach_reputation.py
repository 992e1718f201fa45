"""F3 (medium): defaulted epochs never reach the operator's reputation.

To fit the bytes, `declare_default` no longer posts feedback (count == 0 skips the post); its
only record is the `EpochClosed` event. An operator that delivers one epoch and then skips
three (unreported, defaulted by anyone) shows `getSummary(agent, [vault], "uptime", "")` =
(1 feedback, 100.00 %) although 3 of its 4 epochs failed: the public reputation, the thing
issue 14 defect 9 wanted the operator unable to launder, reads perfect. Combined with F1/F2
the operator decides alone what its reputation contains.

Suggested fix: post `uptime = 0` (tag2 "epoch-<n>", tag "default" or the slash in
`feedbackHash`) for every default, through the same guarded post as finalisation.

Fixed by the trust split (docs/design/vault-trust-split.md §4): every default posts uptime 0 (tags "uptime", "epoch-<n>", feedbackHash keccak(kind, owed, paid)) at its settlement by `settle_due`.
"""

import boa
from scenario import TH, attest, fund, report, settle_until, trust_vault

DEFAULT_UNREPORTED, POSTED = 2, 2


def test_f3_three_defaults_and_one_good_epoch_read_as_perfect_uptime():
    env, t = trust_vault(holdings=(100,))
    v, tr, mallory = env.vault, t.trust, env.holders[2]
    report(env, 0, 100 * TH, 100_000)
    fund(env, 0)
    attest(env, t, 0)
    tr.finalize_epoch(0)
    for e in (1, 2, 3):  # never reported
        settle_until(env, e, by=mallory)
    settle_until(env, 0, by=mallory)  # epoch 0 settles at its attest deadline
    assert [tr.record(e).settled for e in range(5)] == [True] * 4 + [False]
    for e in (1, 2, 3):
        r = tr.record(e)
        assert (r.kind, r.uptime_bps, r.feedback, r.settled) == (DEFAULT_UNREPORTED, 0, POSTED, True)
        assert t.reputation.getSummary(t.agent_id, [tr.address], "uptime", f"epoch-{e}")[:2] == (1, 0)
    count, value, decimals = t.reputation.getSummary(t.agent_id, [tr.address], "uptime", "")
    # 4 settled epochs, one at 100 %, three at 0 %: the record should say 4 epochs, 25 %
    assert (count, value, decimals) == (4, 2_500, 2), f"reputation shows {count} epoch(s) at {value}"
