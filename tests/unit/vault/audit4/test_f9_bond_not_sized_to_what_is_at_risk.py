"""F9 (medium, design): nothing ties the bond to what a default owes.

A default pays `min(bond, expected)`; the bond may be anything, including 0, when the term
opens and when epochs are reported, and it is shared by every epoch. 10,000 TH/s sold (at $15:
$150,000 of holders' money), bond 1,000 sats: the expected net of one epoch is 380,203 sats
(before any report), so the operator skips epochs 0-2 and holders receive 1,000 of 1,140,609
sats owed (0.09 %). No view tells a buyer how much of the term the bond covers.

Suggested fix: require, at binding or before the first report, `bond >= k * expected_reward`
for a published `k` (e.g. `REPORT_GRACE / EPOCH + 1` epochs, the most that can be missed before
anyone can react), refuse reports while the bond is below it, and expose the coverage in a view.

Fixed by the trust split (docs/design/vault-trust-split.md §4): `buy` is limited to `coverable_shares()` (the bond covers BOND_EPOCHS unreported epochs); `required_bond()` and `coverage_bps()` are views.
"""

import boa
from scenario import TH, events, settle_until, trust_vault

G_1M_TH = 42_244_000  # hashprice gross of 1e6 TH/s a day at the binding value 42,244 msat/TH/s/day (G6, c164b01; issue 16)


def test_f9_three_missed_epochs_against_a_token_bond():
    env, _ = trust_vault(holdings=(), bond=1_000)
    v, tr, h = env.vault, env.trust, env.holders[0]
    cover = 1_000 * 10**6 * TH // (7 * G_1M_TH)
    assert tr.coverable_shares() == cover and 3 * TH < cover < 4 * TH  # 3.38 TH/s
    assert v.max_buy(h) == cover
    with boa.env.prank(h), boa.reverts("vault: bond does not cover the sale"):
        v.buy(10_000 * TH, 2**255, h)
    with boa.env.prank(h), boa.reverts("vault: bond does not cover the sale"):
        v.buy(cover + 1, 2**255, h)
    with boa.env.prank(h):
        v.buy(cover, 2**255, h)
    owed = sum(tr.expected_unreported(e) for e in (0, 1, 2))
    settle_until(env, 2)
    slashed = sum(s.credited for s in events(v, "EpochSettled"))
    assert owed > 0 and tr.bond() == 1_000 - slashed
    assert slashed == owed, f"holders were owed {owed} sats for 3 defaulted epochs and the bond paid {slashed}"
    with boa.env.prank(env.operator):
        tr.post_bond(tr.required_bond() - tr.bond())
    assert tr.bond() == tr.required_bond() == 2_957_080  # 7 x G(1e6 TH/s) x 10,000 / 1e6, rounded up
    assert tr.coverable_shares() >= 10_000 * TH
