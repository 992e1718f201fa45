"""F11 (low): a default's compensation goes to whoever holds when someone declares it, however late.

`declare_default` streams the slash over the 86,400 s after the *call*, and an unreported
epoch can be declared at any time after its deadline (the operator itself must only do it
before `withdraw_bond`, at the term's end). Alice holds 100 TH/s through epoch 0, which is
never reported; nobody declares it; at epoch 5 she sells to Bob; at epoch 6 Bob declares it
and claims 3,801 of the 3,802 sats (the rest is his sub-sat remainder), Alice 0. Anyone who knows of an undeclared default can buy on
the secondary market, declare, and take the epoch's compensation; the holders of the epoch
lose it unless they watch and declare themselves (gas) within the grace.

Suggested fix: settle overdue epochs automatically at the first balance change after their
deadline (an O(1) check of the oldest unsettled epoch in `_move`/`_claim`), or pay a small
caller bounty from the slash so that defaults are declared at the deadline.

Fixed by the trust split (docs/design/vault-trust-split.md §4): no declarer; each epoch is settled at its record time R(e) and credited to the holders at R(e) (`_settle_due` runs first in every balance change).
"""

import boa
from scenario import TH, events, trust_vault, warp


def test_f11_buyer_after_the_default_takes_the_epochs_compensation():
    env, t = trust_vault(holdings=(100,))
    v, alice, bob = env.vault, env.holders[0], env.holders[1]
    sale = v.epoch_end(5)
    warp(sale)
    with boa.env.prank(alice):
        v.transfer(bob, 100 * TH)  # settles every epoch whose record time passed, for alice
    before_sale = events(v, "EpochSettled")
    assert [s.epoch for s in before_sale][:1] == [0]
    assert all(s.record_time < sale for s in before_sale)
    slashed = before_sale[0].credited
    assert slashed == 3_802
    alices = sum(s.credited for s in before_sale)
    warp(v.epoch_end(6))
    with boa.env.prank(bob):
        v.settle_due(16)
    after_sale = events(v, "EpochSettled")
    assert after_sale and all(s.record_time >= sale for s in after_sale)
    with boa.env.prank(alice):
        got_alice = v.claim()
    with boa.env.prank(bob):
        got_bob = v.claim()
    assert got_bob == sum(s.credited for s in after_sale)
    # the epoch's only holder should receive (nearly all of) its compensation
    assert got_alice >= slashed - 1, f"alice (held epoch 0) got {got_alice}, bob (bought at epoch 5) got {got_bob}"
    assert got_alice == alices
