"""Roles: the admin (deployer) changes fee parameters only through a queue with a delay and
within the immutable caps, hands over in two steps, names the operator and guardian; the guardian
may only pause. mallory tries every privileged call."""

import ape
import pytest
from vault_setup import DAY, PARAMS

NEW = (20_000, 60_000, 20_000, 2_000)


def test_queue_and_apply_after_delay(vault, deployer, fee_recipient, accounts, chain):
    new_recipient = accounts[8]
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
    assert tuple(a.params)[:4] == NEW
    p = vault.params()
    assert tuple(p)[:4] == NEW and p.fee_recipient == new_recipient and vault.pending_eta() == 0
    with ape.reverts("vault: no params queued"):
        vault.apply_params(sender=deployer)


def test_cancel(vault, deployer, fee_recipient):
    with ape.reverts("vault: no params queued"):
        vault.cancel_params(sender=deployer)
    vault.queue_params((*NEW, fee_recipient), sender=deployer)
    tx = vault.cancel_params(sender=deployer)
    assert tuple(tx.decode_logs(vault.ParamsCancelled)[0].params)[:4] == NEW
    assert vault.pending_eta() == 0
    with ape.reverts("vault: no params queued"):
        vault.apply_params(sender=deployer)


@pytest.mark.parametrize(
    "p,reason",
    [
        ((200_001, 0, 0, 0), "vault: efficiency above cap"),
        ((0, 500_001, 0, 0), "vault: power price above cap"),
        ((0, 0, 1_000_001, 0), "vault: maintenance above cap"),
        ((0, 0, 0, 5_001), "vault: perf fee above cap"),
    ],
)
def test_caps(vault, deployer, fee_recipient, p, reason):
    with ape.reverts(reason):
        vault.queue_params((*p, fee_recipient), sender=deployer)


def test_zero_fee_recipient(vault, deployer):
    with ape.reverts("vault: zero fee recipient"):
        vault.queue_params((*NEW, ape.utils.ZERO_ADDRESS), sender=deployer)


def test_admin_only(vault, mallory, fee_recipient, deployer):
    for call in (
        lambda: vault.queue_params((*NEW, fee_recipient), sender=mallory),
        lambda: vault.apply_params(sender=mallory),
        lambda: vault.cancel_params(sender=mallory),
        lambda: vault.set_operator(mallory, sender=mallory),
        lambda: vault.set_guardian(mallory, sender=mallory),
        lambda: vault.unpause(sender=mallory),
        lambda: vault.transfer_ownership(mallory, sender=mallory),
    ):
        with ape.reverts("ownable: caller is not the owner"):
            call()


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
    vault.set_guardian(alice, sender=alice)
    with ape.reverts("ownable: caller is not the owner"):
        vault.set_guardian(deployer, sender=deployer)


def test_roles_setters(vault, deployer, bob):
    tx = vault.set_operator(bob, sender=deployer)
    assert tx.decode_logs(vault.OperatorSet)[0].operator == bob and vault.operator() == bob
    tx = vault.set_guardian(bob, sender=deployer)
    assert tx.decode_logs(vault.GuardianSet)[0].guardian == bob and vault.guardian() == bob


def test_guardian_pauses_only(vault, guardian, deployer, mallory):
    with ape.reverts("vault: caller is not the guardian"):
        vault.pause(sender=mallory)
    tx = vault.pause(sender=guardian)
    assert tx.decode_logs(vault.Paused)[0].account == guardian and vault.paused()
    with ape.reverts("pausable: contract is paused"):
        vault.pause(sender=guardian)
    with ape.reverts("ownable: caller is not the owner"):
        vault.unpause(sender=guardian)
    tx = vault.unpause(sender=deployer)
    assert tx.decode_logs(vault.Unpaused)[0].account == deployer and not vault.paused()
    with ape.reverts("pausable: contract is not paused"):
        vault.unpause(sender=deployer)
    vault.pause(sender=deployer)  # the admin may pause too
    assert vault.paused()


def test_no_mint_or_burn_surface(vault):
    abi_names = {a.name for a in vault.contract_type.abi if getattr(a, "type", "") == "function"}
    assert not abi_names & {"mint", "burn", "burn_from", "set_minter", "renounce_ownership"}
    assert {"transfer", "transferFrom", "permit", "claim", "claim_for", "buy"} <= abi_names
