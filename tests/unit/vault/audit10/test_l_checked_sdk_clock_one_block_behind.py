"""audit10, checked: the SDK's new pre-checks (`bond post`'s `cursor_due()`, `settle-due`'s
"nothing due"/`behind`) judge "due" at the latest block's time (`HashrateVaultClient.now()`), the
transaction runs in the next block, which on a chain that mines only on transactions can be much
later. Suspicion: a record time between the two makes the trust refuse `bond post` while
`settle-due` answers "nothing due; nothing sent" (a dead end). Checked: the refused post is sent
and mined (it reverts, "reason unavailable", gas spent), which moves the latest block past the
record time, so `settle-due` then sees the due epoch and settles it, and the next `bond post` goes
through. Not a dead end; only a reverted transaction the pre-check could have avoided (note in
FINDINGS.md).

Run (ape's in-process chain): alice buys 25 TH/s; epoch 0 is never reported. A block is mined
30 s before D(0); the pending block's time is set to D(0) + 600 (ten minutes without a
transaction, nothing mined)."""

from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.errors import InputError
from hashtrust.hashrate.vault import HashrateVaultClient, VaultCommands


def commands(w3, vault, who):
    return VaultCommands(HashrateVaultClient(w3, vault.address, TxSender(w3, LocalSigner.from_key(who.private_key))))


def test_settle_due_clears_what_a_stale_clock_bond_post_was_refused_for(w3, vault, trust, operator, alice, mallory, warp, chain):
    op, keeper = commands(w3, vault, operator), commands(w3, vault, mallory)
    v = op.vault
    commands(w3, vault, alice).buy("25")
    d0 = vault.report_deadline(0)
    warp(d0 - 30)  # the last block before the deadline
    # ten minutes without a transaction: the next block's time (the pending header; nothing mined,
    # as on Anvil between transactions)
    pyevm = chain.provider.evm_backend.chain
    pyevm.header = pyevm.header.copy(timestamp=d0 + 600)
    assert chain.pending_timestamp == d0 + 600
    assert v.now() == d0 - 30 and not v.cursor_due() and v.due_epochs() == []  # the SDK's clock
    bond = trust.bond()
    refused = None
    try:
        op.bond_post(5)
    except Exception as exc:  # noqa: BLE001 - the trust's refusal, however the sender words it
        refused = str(exc)
    assert refused is not None, "accepted"  # the contract: due (next block)
    assert "post_bond reverted" in refused and v.now() == d0 + 600  # mined: the SDK clock caught up
    assert trust.bond() == bond
    out = keeper.settle_due(4)
    # safe: the command the refusal names clears it (it settles epoch 0), and the top-up then goes through
    assert not out.startswith("nothing due"), f"bond post refused ({refused!r}) but settle-due said {out!r}"
    assert trust.record(0).settled
    op.bond_post(5)
    assert trust.bond() == bond + 5 - trust.record(0).paid
