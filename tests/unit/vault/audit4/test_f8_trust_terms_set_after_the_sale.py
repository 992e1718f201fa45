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
"""

import pytest

# Open finding of the fourth vault review (tests/unit/vault/audit4/README.md): this PoC fails
# while the problem exists. strict: once the fix lands it passes and this mark must go.
pytestmark = pytest.mark.xfail(strict=True, reason="open vault finding (issue 14, audit4)")

import boa
from boa_vault import C, deploy
from scenario import TH, warp

ZERO = "0x0000000000000000000000000000000000000000"


def test_f8_binding_after_the_sale_with_a_difficulty_that_zeroes_every_default():
    env = deploy(term_start_in=86_400, sale_days=1)
    v, holder = env.vault, env.holders[0]
    with boa.env.prank(holder):
        v.buy(100 * TH, 2**255, holder)
    identity = boa.load_partial(str(C / "IdentityRegistry.vy")).deploy()
    validation = boa.load_partial(str(C / "ValidationRegistry.vy")).deploy(identity.address)
    with boa.env.prank(env.operator):
        agent = identity.register("ipfs://operator")
    warp(v.TERM_START() + 1)
    assert boa.env.timestamp > v.SALE_END()
    bound = True
    try:
        v.bind_agent(identity.address, validation.address, ZERO, agent, 1, 1, 10**30, 315_000_000)
    except boa.BoaError:
        bound = False
    if bound:
        with boa.env.prank(env.operator):
            v.post_bond(10**8)
        warp(v.epoch_deadline(0) + 1)
        assert v.expected_reward(0) == 0
        assert v.declare_default(0) == 0
    assert not bound, "bound after the sale with difficulty 1e30: the default of epoch 0 slashed 0 (fair: 3,802)"
