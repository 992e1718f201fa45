"""F9 (medium, design): nothing ties the bond to what a default owes.

A default pays `min(bond, expected)`; the bond may be anything, including 0, when the term
opens and when epochs are reported, and it is shared by every epoch. 10,000 TH/s sold (at $15:
$150,000 of holders' money), bond 1,000 sats: the expected net of one epoch is 380,203 sats
(before any report), so the operator skips epochs 0-2 and holders receive 1,000 of 1,140,609
sats owed (0.09 %). No view tells a buyer how much of the term the bond covers.

Suggested fix: require, at binding or before the first report, `bond >= k * expected_reward`
for a published `k` (e.g. `REPORT_GRACE / EPOCH + 1` epochs, the most that can be missed before
anyone can react), refuse reports while the bond is below it, and expose the coverage in a view.
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from scenario import trust_vault, warp


def test_f9_three_missed_epochs_against_a_token_bond():
    env, _ = trust_vault(holdings=(5_000, 5_000), bond=1_000)
    v, mallory = env.vault, env.holders[3]
    owed = slashed = 0
    for e in (0, 1, 2):
        warp(v.epoch_deadline(e) + 1)
        owed += v.expected_reward(e)
        with boa.env.prank(mallory):
            slashed += v.declare_default(e)
    assert owed == 3 * 380_203
    assert slashed == owed, f"holders were owed {owed} sats for 3 defaulted epochs and the bond paid {slashed}"
