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
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from scenario import TH, trust_vault, warp


def test_f11_buyer_after_the_default_takes_the_epochs_compensation():
    env, _ = trust_vault(holdings=(100,))
    v, alice, bob = env.vault, env.holders[0], env.holders[1]
    warp(v.epoch_end(5))
    with boa.env.prank(alice):
        v.transfer(bob, 100 * TH)
    warp(v.epoch_end(6))
    with boa.env.prank(bob):
        slashed = v.declare_default(0)
    assert slashed == 3_802
    warp(v.period_finish() + 1)
    with boa.env.prank(alice):
        got_alice = v.claim()
    with boa.env.prank(bob):
        got_bob = v.claim()
    # the epoch's only holder should receive (nearly all of) its compensation
    assert got_alice >= slashed - 1, f"alice (held epoch 0) got {got_alice}, bob (bought at epoch 5) got {got_bob}"
