"""F8 (medium): the trust terms are chosen after the holders have paid.

`bind_agent` may run until epoch 0 *ends* (`TERM_START + EPOCH`), i.e. after the sale closed
(`SALE_END <= TERM_START`). Holders pay without knowing the agent, the quorum, the minimum
score or the hashprice inputs that price every default. The admin binds at TERM_START + 1 with
`difficulty` = 1e30 (the real one is ~1.5e14) and the expected reward of every epoch is 0: a
default of an unreported epoch slashes nothing (100 TH/s, fair figure 3,802 sats). The inputs
are also frozen for a whole term (365 days) although the network difficulty moves every two
weeks.

Suggested fix: require `bind_agent` before the sale opens (or before the first `buy`), or
take the hashprice inputs in the constructor; bound them (e.g. against the header relay's
difficulty) and update them from the relay, not from the admin.

Fixed by the trust split (docs/design/vault-trust-split.md §4): `set_trust` only before the sale ends and with no supply; `buy` requires a trust ("vault: term not opened"); the hashprice inputs are trust immutables readable before buying.
"""

import boa
from boa_vault import deploy, deploy_trust, open_term
from scenario import TH, warp


def test_f8_binding_after_the_sale_with_a_difficulty_that_zeroes_every_default():
    env = deploy(term_start_in=86_400, sale_days=1, trust=False)
    v, holder = env.vault, env.holders[0]
    with boa.env.prank(holder), boa.reverts("vault: term not opened"):
        v.buy(100 * TH, 2**255, holder)
    with boa.reverts("trust: hashprice inputs out of range"):
        deploy_trust(env, difficulty=10**30)  # newuser14 N1/N7: a hashprice that zeroes every default is refused outright
    t = deploy_trust(env, difficulty=10**17)  # valid terms (a gross of a few sats a day): binding them after the sale is what F8 refuses
    warp(v.TERM_START() + 1)
    assert boa.env.timestamp > v.SALE_END()
    with boa.reverts("vault: sale ended"):
        open_term(env, t, bond=10**8)  # the terms cannot be bound once buyers could no longer see them
    assert v.trust() != t.trust.address


def test_f8_terms_fixed_and_visible_before_the_first_buy():
    env = deploy()
    tr, v = env.trust, env.vault
    assert v.trust() == tr.address and tr.VAULT() == v.address
    assert (tr.HP_DIFFICULTY(), tr.HP_SATS_PER_BLOCK(), tr.BOND_EPOCHS()) == (150 * 10**12, 315_000_000, 7)
    with boa.reverts("trust: vault already has a trust"):
        deploy_trust(env)  # the constructor refuses a vault that already has its trust
