"""F12 (medium, design): an operator that delivers a fraction of the sold hashrate, honestly
reported and attested, loses nothing from its bond.

The bond pays only for epochs that are unreported, unfunded or unattested. A truthful report
of 10 TH/s delivered out of 100 TH/s sold is attested (the pool agrees), finalised, and the
holders receive the net of 10 TH/s: gross 422 sats at the hashprice, fee 310, perf 11, net
101, against 1,012 for the 100 TH/s they paid $1,500 for (expected_reward of a default of the
same epoch). The 911-sat shortfall is never compensated and the bond is untouched; an operator
can deliver 10 % for the whole term and get its bond
back. (The uptime feedback records 10.00 %, unless F1.)

Suggested fix: on finalisation slash `min(bond, expected * (supply - delivered) / supply)` (the
undelivered share of the epoch's expected net) into the stream, or price the sale per epoch
delivered and refund undelivered hashrate from the bond.

Fixed by the trust split (docs/design/vault-trust-split.md §4): a finalised epoch owes `Nr(e) * (S - delivered) / S` from the bond, credited at its attest deadline A(e).
"""

import boa
from scenario import TH, attest, events, fund, report, settle_until, trust_vault

from hashtrust.hashrate.economics import FeeParams, fee_split

HASHPRICE_GROSS_100 = 100 * 10**12 * 86_400 * 315_000_000 // (150 * 10**12 * 2**32)  # 4,224 sats
FINALIZED = 1


def test_f12_ten_percent_delivery_is_finalised_and_the_bond_is_untouched():
    env, t = trust_vault(holdings=(100,), n_epochs=1)  # one epoch: no other settles at A(0)
    v, tr = env.vault, t.trust
    bond = tr.bond()
    gross = HASHPRICE_GROSS_100 // 10  # what 10 TH/s mines
    report(env, 0, 10 * TH, gross)
    assert v.epochs(0).net == fee_split(10 * TH, gross, FeeParams(), 100_000 * 10**8)[2] == 101
    owed = fee_split(100 * TH, HASHPRICE_GROSS_100, FeeParams(), 100_000 * 10**8)[2]
    assert owed == 1_012 == tr.expected_reported(0)
    fund(env, 0)
    attest(env, t, 0)
    assert tr.finalize_epoch(0) == 2
    assert settle_until(env, 0) == 1
    (s,) = events(v, "EpochSettled")
    assert s.credited == 1_012 * 90 // 100 == 910
    r = tr.record(0)
    assert (r.kind, r.owed, r.paid, r.uptime_bps, r.attestations) == (FINALIZED, 910, 910, 1_000, 2)
    paid_to_holders = v.total_notified()
    # the undelivered 90 TH/s should be made good from the bond, like a default would
    assert paid_to_holders >= owed - 1 and tr.bond() < bond, f"holders got {paid_to_holders} of {owed} sats, bond untouched ({tr.bond()})"
    assert (paid_to_holders, tr.bond()) == (101 + 910, bond - 910)
