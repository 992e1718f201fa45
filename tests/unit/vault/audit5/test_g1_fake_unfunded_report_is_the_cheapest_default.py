"""G1 (high, fixed): a fake report that is never funded was the cheapest way to miss an epoch.

A reported-but-unfunded epoch owes `max(e.net, Nr(e))`, and `Nr(e)` is the hashprice net of
the term supply *after electricity and maintenance at the reported BTC/USD round*. Nothing in
an unfunded report is verified: no validator attests it (only funded epochs are finalised) and
no sat reached the vault. So an operator that mined nothing (or kept what it mined) reports
`delivered = S, gross = 0` before the deadline, never funds it, and owes `Nr` instead of the
`Nu` an unreported epoch owes. Electricity is deducted although the operator proved none, the
very reason `Nu` leaves it out (design §4: "the operator proved none").

Figures (100 TH/s, devnet parameters, BTC $100k): not reporting epoch 0 owes Nu = 3,802 sats;
the fake report owes and pays 1,012 (holders lose 2,790 sats, 73 %). At a BTC price of $20k the
electricity (15,500 sats) exceeds the hashprice gross (4,224): the fake report owes **0**
against Nu 3,802 — a free default. The design's incentive check ("not reporting costs Nu,
reporting 0 delivered costs Nr ... honest reporting always dominates") assumes the zero
delivery is attested; unattested and unfunded it is not.

Suggested fix (VaultTrust.settle, DEFAULT_UNFUNDED): owe `max(e.net, Nu(e))` — an unfunded
report proves no electricity, exactly like no report (and is never cheaper than a funded,
unattested epoch, which already totals `Nu`). Keep `Nr` only for attested (FINALIZED) epochs.
"""

import pytest
from scenario import TH, report, settle_until, trust_vault


DEFAULT_UNFUNDED = 3


@pytest.mark.parametrize("btc_usd", [100_000 * 10**8, 20_000 * 10**8])
def test_g1_unfunded_fake_report_owes_no_less_than_no_report(btc_usd):
    env, t = trust_vault(holdings=(100,))
    v, tr = env.vault, t.trust
    nu = tr.expected_unreported(0)  # what the same epoch owes if simply never reported
    assert nu == 3_802
    report(env, 0, 100 * TH, 0, price=btc_usd)  # a report nobody checks: full delivery, nothing mined
    assert v.epochs(0).net == 0
    assert settle_until(env, 0, by=env.holders[-1]) == 1
    r = tr.record(0)
    assert (r.kind, r.settled) == (DEFAULT_UNFUNDED, True)
    assert r.paid == r.owed
    assert r.owed >= nu, f"unfunded fake report owes {r.owed} sats, no report owes {nu} (BTC ${btc_usd // 10**8:,})"
    assert v.claimable(env.holders[0]) >= nu - 1
