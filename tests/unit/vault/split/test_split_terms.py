"""VaultTrust's terms against the real vault (docs/design/vault-trust-split.md §2, §4 F7/F8):
every constructor check reverts with its message, `TermsFixed` and one `ValidatorSet` per
validator are logged, and `set_trust` opens the term once, before the sale ends, logging `TrustSet`."""

import boa
from boa_vault import DIFFICULTY, SATS_PER_BLOCK, deploy, deploy_trust, load, open_term, registries
from scenario import TH, events, warp

ZERO = "0x0000000000000000000000000000000000000000"


def _v(n):
    return [boa.env.generate_address(f"tv{i}") for i in range(n)]


def _raw(env, regs, *, validators=None, quorum=2, min_score=98, difficulty=DIFFICULTY, spb=SATS_PER_BLOCK, bond_epochs=7, identity=None, validation=None, reputation=None, agent=None):
    ident, val, rep, agent_id = regs
    return load(
        "VaultTrust",
        env.vault.address,
        identity if identity is not None else ident.address,
        validation if validation is not None else val.address,
        reputation if reputation is not None else rep.address,
        agent if agent is not None else agent_id,
        validators if validators is not None else _v(3),
        quorum,
        min_score,
        difficulty,
        spb,
        bond_epochs,
        load("mocks/MockHashpriceIndex").address,
        0,
    )


def test_constructor_logs_and_immutables():
    env = deploy(trust=False)
    t = deploy_trust(env, quorum=3, min_score=100, bond_epochs=9)
    tr = t.trust
    (terms,) = [x for x in tr.get_logs(strict=False) if type(x).__name__ == "TermsFixed"]
    assert (terms.quorum, terms.min_score, terms.bond_epochs) == (3, 100, 9)
    listed = [(x.validator, x.listed) for x in tr.get_logs(strict=False) if type(x).__name__ == "ValidatorSet"]
    assert listed == [(w, True) for w in t.validators]
    assert (tr.VAULT(), tr.IDENTITY(), tr.VALIDATION(), tr.REPUTATION(), tr.AGENT_ID()) == (
        env.vault.address, t.identity.address, t.validation.address, t.reputation.address, t.agent_id)
    assert (tr.QUORUM(), tr.MIN_SCORE(), tr.HP_DIFFICULTY(), tr.HP_SATS_PER_BLOCK(), tr.BOND_EPOCHS()) == (3, 100, DIFFICULTY, SATS_PER_BLOCK, 9)
    assert list(tr.validator_list()) == t.validators and tr.bond() == 0


def test_constructor_reverts():
    env = deploy(trust=False)
    regs = registries(env.operator)
    cases = [
        ("trust: zero identity registry", dict(identity=ZERO)),
        ("trust: zero validation registry", dict(validation=ZERO)),
        ("trust: zero reputation registry", dict(reputation=ZERO)),
        ("trust: zero quorum", dict(quorum=0)),
        ("trust: quorum above validators", dict(quorum=4)),
        ("trust: min score below 98", dict(min_score=97)),
        ("trust: min score above 100", dict(min_score=101)),
        ("trust: zero difficulty", dict(difficulty=0)),
        ("trust: bond epochs below the settlement lag", dict(bond_epochs=6)),  # 1 + 2 * 3 days / 1 day = 7
        ("trust: zero validator", dict(validators=[ZERO] + _v(2))),
        ("trust: duplicate validator", dict(validators=(lambda a: a + a[:1])(_v(2)))),
        ("trust: validator not independent", dict(validators=[env.operator] + _v(2))),  # the agent's owner and wallet
        ("trust: validator not independent", dict(validators=[env.guardian] + _v(2))),
        ("trust: validator not independent", dict(validators=[env.treasury] + _v(2))),
        ("trust: validator not independent", dict(validators=[env.fee_recipient] + _v(2))),
        ("trust: validator not independent", dict(validators=[env.admin] + _v(2))),
        ("trust: validator not independent", dict(validators=[env.vault.address] + _v(2))),
    ]
    for msg, kw in cases:
        with boa.reverts(msg):
            _raw(env, regs, **kw)
    ident = regs[0]
    approved = boa.env.generate_address("approved")
    with boa.env.prank(env.operator):
        ident.approve(approved, regs[3])
    with boa.reverts("trust: validator not independent"):
        _raw(env, regs, validators=[approved] + _v(2))
    with boa.reverts():  # no such agent: no wallet (the registry may revert first)
        _raw(env, regs, agent=regs[3] + 99)
    _raw(env, regs)  # the same terms, valid, deploy


def test_constructor_refuses_a_vault_with_a_trust():
    env = deploy()
    with boa.reverts("trust: vault already has a trust"):
        deploy_trust(env)


def test_set_trust_once_by_the_admin_before_the_sale_ends():
    env = deploy(trust=False)
    v = env.vault
    t = deploy_trust(env)
    with boa.env.prank(env.holders[0]), boa.reverts():
        v.set_trust(t.trust.address)  # not the admin
    other = deploy(trust=False)
    t_other = deploy_trust(other)
    with boa.reverts():
        v.set_trust(t_other.trust.address)  # a trust of another vault
    with boa.env.prank(env.holders[0]), boa.reverts("vault: term not opened"):
        v.buy(TH, 2**255, env.holders[0])
    assert v.max_buy(env.holders[0]) == 0
    open_term(env, t)
    (ts,) = events(v, "TrustSet")
    assert ts.trust == t.trust.address
    with boa.reverts():
        v.set_trust(t.trust.address)  # once
    late = deploy(trust=False)
    t_late = deploy_trust(late)
    warp(late.vault.SALE_END())
    with boa.reverts():
        late.vault.set_trust(t_late.trust.address)  # the sale is over
