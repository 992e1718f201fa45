"""VaultTrust constructor: every term fixed at construction, every check its own revert."""

import boa
import pytest
import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address
from trust_kit import DIFFICULTY, SATS_PER_BLOCK, ZERO, events, make_kit, set_wallet


def _next_address(sender: str) -> str:
    nonce = boa.env.evm.vm.state.get_nonce(to_canonical_address(sender))
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


def test_terms_fixed_and_events(kit):
    t = kit.deploy_trust()
    (terms,) = events(t, "TermsFixed")
    assert (terms.vault, terms.identity, terms.validation, terms.reputation) == (
        kit.vault.address,
        kit.identity.address,
        kit.validation.address,
        kit.reputation.address,
    )
    assert (terms.agent_id, terms.quorum, terms.min_score, terms.difficulty, terms.sats_per_block, terms.bond_epochs) == (
        kit.agent_id,
        2,
        98,
        DIFFICULTY,
        SATS_PER_BLOCK,
        7,
    )
    listed = events(t, "ValidatorSet")
    assert [(e.validator, e.listed) for e in listed] == [(v, True) for v in kit.validators]
    assert t.validator_list() == kit.validators
    assert (t.VAULT(), t.IDENTITY(), t.VALIDATION(), t.REPUTATION()) == (
        kit.vault.address,
        kit.identity.address,
        kit.validation.address,
        kit.reputation.address,
    )
    assert (t.AGENT_ID(), t.QUORUM(), t.MIN_SCORE(), t.HP_DIFFICULTY(), t.HP_SATS_PER_BLOCK(), t.BOND_EPOCHS()) == (
        kit.agent_id,
        2,
        98,
        DIFFICULTY,
        SATS_PER_BLOCK,
        7,
    )
    assert t.bond() == 0


def test_no_setters_surface_is_the_interface(kit):
    """F7/F8: the external surface is exactly IVaultTrust (no setter, no owner)."""
    t = kit.deploy_trust()
    names = {f["name"] for f in t.abi if f["type"] == "function"}
    assert names == {
        "settle",
        "VAULT",
        "operator_wallet",
        "coverable_shares",
        "finalize_epoch",
        "post_record",
        "post_pending",
        "pending_feedback",
        "post_bond",
        "withdraw_bond",
        "record",
        "bond",
        "n_settled",
        "required_bond",
        "coverage_bps",
        "expected_unreported",
        "expected_reported",
        "validator_list",
        "request_hash",
        "epoch_value",
        "HP_BINDING",
        "INDEX",
        "POOL_FEE_BPS",
        "IDENTITY",
        "VALIDATION",
        "REPUTATION",
        "AGENT_ID",
        "QUORUM",
        "MIN_SCORE",
        "HP_DIFFICULTY",
        "HP_SATS_PER_BLOCK",
        "BOND_EPOCHS",
    }


def test_vault_already_has_a_trust(kit):
    kit.vault.set_trust(kit.stranger)
    with boa.reverts("trust: vault already has a trust"):
        kit.deploy_trust()


def test_vault_has_shares(kit):
    kit.vault.set_supply(1, 0)
    with boa.reverts("trust: vault has shares"):
        kit.deploy_trust()


@pytest.mark.parametrize("field,msg", [("identity", "identity"), ("validation", "validation"), ("reputation", "reputation")])
def test_zero_registry(kit, field, msg):
    if field == "identity":
        # the identity registry is read first (the agent's wallet): a zero address is refused before
        with boa.reverts():
            kit.deploy_trust(identity=ZERO)
        return
    with boa.reverts(f"trust: zero {msg} registry"):
        kit.deploy_trust(**{field: ZERO})


def test_agent_has_no_wallet(kit):
    with boa.reverts("trust: agent has no wallet"):
        kit.deploy_trust(agent_id=kit.agent_id + 1)
    with boa.env.prank(kit.operator):
        kit.identity.unsetAgentWallet(kit.agent_id)
    with boa.reverts("trust: agent has no wallet"):
        kit.deploy_trust()


def test_quorum_bounds(kit):
    with boa.reverts("trust: zero quorum"):
        kit.deploy_trust(quorum=0)
    with boa.reverts("trust: quorum above validators"):
        kit.deploy_trust(quorum=4)
    with boa.reverts("trust: quorum above validators"):
        kit.deploy_trust(validators=[], quorum=1)
    assert kit.deploy_trust(quorum=3).QUORUM() == 3


def test_min_score_floor(kit):
    """25 % over-report at score 80: the floor is 98."""
    with boa.reverts("trust: min score below 98"):
        kit.deploy_trust(min_score=97)
    with boa.reverts("trust: min score below 98"):
        kit.deploy_trust(min_score=80)
    with boa.reverts("trust: min score above 100"):
        kit.deploy_trust(min_score=101)
    assert kit.deploy_trust(min_score=100).MIN_SCORE() == 100


def test_zero_difficulty(kit):
    with boa.reverts("trust: zero difficulty"):
        kit.deploy_trust(difficulty=0)


def test_zero_reward_per_block(kit):
    """A hashprice of 0 would make the required bond and every compensation 0 (newuser14 N1)."""
    with boa.reverts("trust: zero reward per block"):
        kit.deploy_trust(sats_per_block=0)


@pytest.mark.parametrize("kw", [dict(difficulty=2**256 - 1), dict(difficulty=2**160 + 1), dict(sats_per_block=2**64 + 1), dict(sats_per_block=2**256 - 1)])
def test_hashprice_inputs_that_would_overflow_revert_with_a_reason(kit, kw):
    """Before: a huge difficulty reverted without a reason in `_gross` (newuser14 N7)."""
    with boa.reverts("trust: hashprice inputs out of range"):
        kit.deploy_trust(**kw)


def test_a_hashprice_that_rounds_to_zero_for_the_whole_capacity_reverts(kit):
    with boa.reverts("trust: hashprice inputs out of range"):
        kit.deploy_trust(difficulty=2**160, sats_per_block=1)


def test_a_capacity_beyond_2_96_shares_reverts():
    with boa.env.anchor():
        big = make_kit(capacity=2**96 + 1)
        with boa.reverts("trust: hashprice inputs out of range"):
            big.deploy_trust()
        assert make_kit(capacity=2**96).deploy_trust(difficulty=2**40).HP_DIFFICULTY() == 2**40


def test_bond_epochs_cover_the_settlement_lag(kit):
    # REPORT_GRACE 3 days: 1 + 2 * 3 = 7
    with boa.reverts("trust: bond epochs below the settlement lag"):
        kit.deploy_trust(bond_epochs=6)
    assert kit.deploy_trust(bond_epochs=7).BOND_EPOCHS() == 7
    # a grace of 1.5 days rounds up: 1 + ceil(3) = 4; 2.5 days: 1 + ceil(5) = 6
    kit.vault.set_grace(DAY_AND_A_HALF := 129_600)
    assert DAY_AND_A_HALF == 3 * 43_200
    with boa.reverts("trust: bond epochs below the settlement lag"):
        kit.deploy_trust(bond_epochs=3)
    assert kit.deploy_trust(bond_epochs=4).BOND_EPOCHS() == 4
    kit.vault.set_grace(216_000 + 1)  # 2.5 days + 1 s: 1 + ceil(5.00002) = 7
    with boa.reverts("trust: bond epochs below the settlement lag"):
        kit.deploy_trust(bond_epochs=6)


def test_zero_and_duplicate_validator(kit):
    with boa.reverts("trust: zero validator"):
        kit.deploy_trust(validators=[kit.validators[0], ZERO])
    with boa.reverts("trust: duplicate validator"):
        kit.deploy_trust(validators=[kit.validators[0], kit.validators[1], kit.validators[0]])


def test_too_many_validators(kit):
    many = [boa.env.generate_address(f"v{i}") for i in range(17)]
    with boa.reverts():
        kit.deploy_trust(validators=many)
    assert len(kit.deploy_trust(validators=many[:16]).validator_list()) == 16


@pytest.mark.parametrize("who", ["agent_owner", "approved", "operator_all", "wallet", "vault_owner", "guardian", "treasury", "fee_recipient", "vault", "trust"])
def test_validator_not_independent(kit, who):
    """F7: the agent's addresses and the vault's admin roles may not attest."""
    if who == "agent_owner":
        bad = kit.operator  # owner (also the wallet)
    elif who == "approved":
        bad = boa.env.generate_address("approved")
        with boa.env.prank(kit.operator):
            kit.identity.approve(bad, kit.agent_id)
    elif who == "operator_all":
        bad = boa.env.generate_address("operator_all")
        with boa.env.prank(kit.operator):
            kit.identity.setApprovalForAll(bad, True)
    elif who == "wallet":
        bad = set_wallet(kit)
    elif who == "vault_owner":
        bad = kit.admin
    elif who == "guardian":
        bad = kit.guardian
    elif who == "treasury":
        bad = kit.treasury
    elif who == "fee_recipient":
        bad = kit.fee_recipient
    elif who == "vault":
        bad = kit.vault.address
    else:
        bad = _next_address(boa.env.eoa)
    with boa.reverts("trust: validator not independent"):
        kit.deploy_trust(validators=[kit.validators[0], bad])


def test_hashprice_inputs_out_of_range(kit):
    """Absurd inputs would make every settlement revert (and stop the vault's cursor): refused up front."""
    with boa.reverts("trust: hashprice inputs out of range"):
        kit.deploy_trust(sats_per_block=10**30)
    with boa.reverts():  # the intermediate product overflows
        kit.deploy_trust(sats_per_block=2**200)
    assert kit.deploy_trust(sats_per_block=10**15).HP_SATS_PER_BLOCK() == 10**15
