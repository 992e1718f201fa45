"""The pool-watcher validator agent: checks a hashrate vault operator's epoch reports against its
own copy of the pool report and answers the vault's validation requests.

For every funded epoch it looks up the request the vault's trust contract expects from this
validator (``trust.request_hash(epoch, me)``, under the trust's operator agent, via the
squat-proof `getAttestation`). A pending or progressive request is answered and finalised in one transaction
(`validationResponseFor(..., finalize=True)`):

- 0 when the pool has no entry, the report hash does not commit to the reported figures
  (`operator.report_hash` of vault, epoch, delivered, gross as reported) or the gross differs;
- 100 when the delivered hashrate is not above the pool's (rounding to the share unit is exact,
  so equality; under-claiming is not a lie);
- otherwise a score proportional to what the pool confirms: pool / reported delivered.

Idempotent: finalised, cancelled and unknown requests, and requests of epochs the trust has
finalised or settled, are skipped, so it can run on a timer; a pass first waits for the watcher's
own transactions still in flight (`TxSender.settle`), so a pass after a crash answers nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from hashtrust.chain.decode import one_line

from hashtrust.erc8004.validation import Status, ValidationClient, canonical_json
from hashtrust.hashrate.operator import PoolEpoch, report_hash
from hashtrust.hashrate.vault import EpochInfo, HashrateVaultClient

TAG = "hashrate"


@dataclass(frozen=True)
class Verdict:
    epoch: int
    score: int
    reason: str


def judge(vault_address: str, info: EpochInfo, entry: PoolEpoch | None) -> Verdict:
    """Score an on-chain epoch report against the pool's entry (pure).

    The report hash must commit to the figures reported on chain (the operator's own document for
    this vault and epoch); the figures are then compared with the pool's. (Comparing the hash with
    the pool entry's instead would give every report whose hashrate differs from the pool's a 0,
    an honest under-claim included, since the hash covers the delivered figure.)"""
    if entry is None:
        return Verdict(info.epoch, 0, "no pool entry")
    if info.report_hash != report_hash(vault_address, PoolEpoch(info.epoch, info.delivered, info.gross)):
        return Verdict(info.epoch, 0, "report hash does not commit to the reported figures")
    if info.gross != entry.gross:
        return Verdict(info.epoch, 0, f"gross {info.gross} != pool {entry.gross}")
    if info.delivered <= entry.delivered:
        return Verdict(info.epoch, 100, "matches the pool")
    return Verdict(info.epoch, entry.delivered * 100 // info.delivered, f"delivered {info.delivered} above pool {entry.delivered}")


def answer_requests(
    vault: HashrateVaultClient,
    validation: ValidationClient,
    me: str,
    pool: dict[int, PoolEpoch],
    *,
    from_epoch: int = 0,
    log: Callable[[str], Any] = lambda s: None,
) -> list[Verdict]:
    """One pass: answer (and finalise) every open request of the vault's operator agent addressed
    to ``me``; returns the verdicts given. ``from_epoch`` skips epochs known to be settled.

    Each epoch is handled inside its own boundary: one that fails (its request cancelled or
    finalised meanwhile, a revert, the node failing the answer) is logged in one line and
    tried again next pass; the pass goes on with the next epoch."""
    me = Web3.to_checksum_address(me)
    if validation.sender is not None:
        validation.sender.settle()  # a crashed earlier pass's answers land before the chain is read
    trust = vault.trust_client()
    agent_id = trust.agent_id()
    out: list[Verdict] = []
    n = vault._view("N_EPOCHS")
    now = vault.now()
    for e in range(max(0, from_epoch), n):
        try:  # one epoch's boundary
            info = vault.epoch(e)
            if info.status == "none":
                if info.end > now:
                    break
                continue
            if info.status == "reported":
                continue  # no request before funding
            rec = trust.record(e)
            if rec.finalized or rec.settled:
                continue  # an answer changes nothing any more
            h = trust.request_hash(e, me)
            att = validation.attestation(agent_id, h)
            if att.status not in (Status.PENDING, Status.ANSWERED) or att.validator != me:
                continue
            verdict = judge(vault.address, info, pool.get(e))
            response = canonical_json({"vault": vault.address, "epoch": e, "score": verdict.score, "reason": verdict.reason})
            validation.respond(
                h,
                verdict.score,
                response_hash=bytes(Web3.keccak(response)),
                tag=TAG,
                agent_id=agent_id,
                finalize=True,
            )
        except Exception as exc:  # noqa: BLE001 - logged, retried next pass; the other epochs go on
            log(f"epoch {e}: not answered this pass: {one_line(exc)}")
            continue
        out.append(verdict)
    return out
