"""F10 (medium): an operator that reports an epoch and then does not fund it keeps the difference
between what it reported and the hashprice estimate.

For a REPORTED-but-unfunded epoch, `declare_default` slashes `min(bond, _expected(e))`, the
hashprice estimate (bound difficulty and sats per block), ignoring the net the operator itself
reported and the epoch's own split. 100 TH/s, a lucky day: the operator reports gross 8,000
sats (fee 3,100, perf 490, net 4,410 due to holders), never funds it, and after the deadline
the default pays holders 1,012 sats (the hashprice net at $100k): the operator keeps the 8,000
it mined and pays 1,012, holders lose 3,398 sats (77 %) of what the operator's own report owes
them. The better the real reward is than the estimate, the more not funding pays.

Suggested fix: for a reported epoch, slash `max(e.net, _expected(e))` (the operator's own
figure is an admission of what holders are owed), computed with the epoch's stored split.

Fixed by the trust split (docs/design/vault-trust-split.md §4): a reported-unfunded epoch owes `max(e.net, Nr(e))`, settled at its report deadline D(e).
"""

import boa
from scenario import TH, events, report, settle_until, trust_vault

DEFAULT_UNFUNDED = 3


def test_f10_reported_net_is_not_what_the_default_pays():
    env, t = trust_vault(holdings=(100,))
    v, tr, mallory = env.vault, t.trust, env.holders[2]
    report(env, 0, 100 * TH, 8_000)
    e = v.epochs(0)
    assert (e.fee, e.perf, e.net) == (3_100, 490, 4_410)
    assert tr.expected_reported(0) == 1_012  # Nr(0): full delivery at the hashprice
    bond = tr.bond()
    assert settle_until(env, 0, by=mallory) == 1
    (settled,) = events(v, "EpochSettled")
    slashed = settled.credited
    r = tr.record(0)
    assert (r.kind, r.owed, r.paid, r.settled) == (DEFAULT_UNFUNDED, 4_410, 4_410, True)
    assert tr.bond() == bond - slashed and v.total_notified() == slashed
    # holders should get at least what the operator reported they were owed
    assert slashed >= e.net, f"reported net {e.net} sats, default paid {slashed}"
    assert v.claimable(env.holders[0]) == slashed
