"""Roles: the admin (deployer) changes fee parameters only through a queue with a delay of at
least a day and within the immutable caps; an applied change is a new version in force for every
epoch ending at or after it (an ended epoch is never repriced, not even by the trust's default
pricing); the admin hands over in two steps and opens the term once (`set_trust`). mallory tries
every privileged call.

Dropped as duplicates (same calls, same messages, same events): cancel / caps / zero fee
recipient refusals -> vault_contract/test_vc_params.py::test_queue_apply_cancel_refusals;
guardian setter -> vault_contract/test_vc_misc.py::test_roles_and_receivers; pause roles and
messages -> vault_contract/test_vc_pause.py (pause/unpause events, refusals, budget, expiry)."""

import ape
from vault_setup import DAY, PARAMS, TH, gross_of

NEW = (20_000, 60_000, 20_000, 2_000)


def test_queue_and_apply_after_delay_is_a_version_for_epochs_ending_from_then(vault, trust, deployer, accounts, chain, alice, warp, validators):
    """Rule changed by the split: `apply_params` no longer replaces the parameters of every epoch;
    it appends version 1 in force from its block time, so epoch 0 (ended before) keeps version 0."""
    vault.buy(100 * TH, 2**256 - 1, alice, sender=alice)
    new_recipient = accounts[2]
    with ape.reverts("vault: fee recipient is a validator"):  # audit5 G2: a validator never becomes a vault role
        vault.queue_params((*NEW, validators[1]), sender=deployer)
    assert vault.ADMIN_DELAY() == DAY
    warp(vault.epoch_end(0) - 3_600)  # queued during epoch 0: due an hour before epoch 1 ends
    tx = vault.queue_params((*NEW, new_recipient), sender=deployer)
    (q,) = tx.decode_logs(vault.ParamsQueued)
    eta = vault.pending_eta()
    assert q.eta == eta == chain.blocks.head.timestamp + DAY
    assert tuple(q.params)[:4] == NEW
    with ape.reverts("vault: params not yet due"):
        vault.apply_params(sender=deployer)
    assert tuple(vault.params())[:4] == PARAMS  # nothing changes before the ETA
    chain.mine(1, timestamp=eta)
    tx = vault.apply_params(sender=deployer)
    (a,) = tx.decode_logs(vault.ParamsApplied)
    applied_at = chain.blocks.head.timestamp
    assert tuple(a.params)[:4] == NEW and a.version == 1 and a.from_time == applied_at >= eta
    p = vault.params()
    assert tuple(p)[:4] == NEW and p.fee_recipient == new_recipient and vault.pending_eta() == 0
    assert vault.params_version() == 1 and vault.params_from(1) == applied_at
    # epoch 0 ended before the change: version 0 (10 % perf); epoch 1 ends after it: 20 %
    assert applied_at > vault.epoch_end(0) and applied_at < vault.epoch_end(1)
    assert tuple(vault.params_of(0))[:4] == PARAMS and tuple(vault.params_of(1))[:4] == NEW
    # the trust prices a missed epoch with the same version: Nu = G - G * perf(e)
    g = gross_of(100 * TH)
    assert g == 4_224
    assert trust.expected_unreported(0) == g - g * 1_000 // 10_000 == 3_802
    assert trust.expected_unreported(1) == g - g * 2_000 // 10_000 == 3_380
    with ape.reverts("vault: no params queued"):
        vault.apply_params(sender=deployer)


def test_admin_only(vault, trust, mallory, fee_recipient, deployer):
    for call in (
        lambda: vault.queue_params((*NEW, fee_recipient), sender=mallory),
        lambda: vault.apply_params(sender=mallory),
        lambda: vault.cancel_params(sender=mallory),
        lambda: vault.set_guardian(mallory, sender=mallory),
        lambda: vault.set_trust(trust, sender=mallory),
        lambda: vault.transfer_ownership(mallory, sender=mallory),
    ):
        with ape.reverts("ownable: caller is not the owner"):
            call()
    # unpause before the pause expires is the admin's (after it, anyone's: test_vc_pause.py)
    vault.pause(sender=deployer)
    with ape.reverts("ownable: caller is not the owner"):
        vault.unpause(sender=mallory)


def test_the_term_is_opened_once(vault, trust, deployer):
    with ape.reverts("vault: trust already set"):
        vault.set_trust(trust, sender=deployer)
    assert vault.trust() == trust.address


def test_two_step_handover(vault, deployer, alice, mallory):
    tx = vault.transfer_ownership(alice, sender=deployer)
    (ev,) = tx.decode_logs(vault.OwnershipTransferStarted)
    assert (ev.previous_owner, ev.new_owner) == (deployer, alice)
    assert vault.owner() == deployer and vault.pending_owner() == alice
    with ape.reverts("ownable_2step: caller is not the new owner"):
        vault.accept_ownership(sender=mallory)
    tx = vault.accept_ownership(sender=alice)
    (o,) = tx.decode_logs(vault.OwnershipTransferred)
    assert (o.previous_owner, o.new_owner) == (deployer, alice)
    assert vault.owner() == alice and vault.pending_owner() == ape.utils.ZERO_ADDRESS
    tx = vault.set_guardian(alice, sender=alice)
    assert tx.decode_logs(vault.GuardianSet)[0].guardian == alice
    with ape.reverts("ownable: caller is not the owner"):
        vault.set_guardian(deployer, sender=deployer)


def test_no_mint_or_burn_surface_and_no_trust_setters(vault, trust):
    abi_names = {a.name for a in vault.contract_type.abi if getattr(a, "type", "") == "function"}
    assert not abi_names & {"mint", "burn", "burn_from", "set_minter", "renounce_ownership"}
    assert {"transfer", "transferFrom", "permit", "claim", "claim_for", "buy", "set_trust", "settle_due"} <= abi_names
    # the trust layer left the vault (design §2 "Removed from the vault")
    gone = {"bind_agent", "add_validator", "remove_validator", "validator_list", "request_hash", "expected_reward",
            "finalize_epoch", "declare_default", "post_bond", "withdraw_bond", "set_operator", "operator", "epoch_deadline"}
    assert not abi_names & gone
    # the trust has no setter at all: every term is a constructor argument
    trust_fns = {a.name for a in trust.contract_type.abi if getattr(a, "type", "") == "function"}
    assert not {n for n in trust_fns if n.startswith(("set_", "add_", "remove_", "bind"))}
