"""The operator agent: report, fund and get attested every ended epoch of a hashrate vault.

The pool report file is JSON::

    {"epochs": {"0": {"delivered_ths": "900.5", "gross_sats": 40000}, "1": {...}}}

For each epoch the operator commits to ``report_hash = keccak256(canonical_json({"vault", "epoch",
"delivered", "gross"}))`` (integers: share units and sats), so a validator holding the same pool
data recomputes it. `run_operator` is one pass; it reads the chain before every action, so running
it again (after a crash, a dropped RPC, or on a timer) only does what is still missing (it first
waits for the operator's own transactions still in flight, `TxSender.settle`). The agent, the
validators, quorum and min score are the vault's trust contract's (`VaultTrust`, fixed terms):

1. an ended, unreported epoch within its report deadline with a pool entry -> `report_epoch` at
   the BTC/USD round in force at the epoch's end (the SDK finds its round id);
2. a reported, unfunded epoch within its deadline -> `fund_epoch` (approves the reward token);
3. a funded, open epoch -> one `validationRequest` per listed validator whose request does not
   exist yet (request hash from the trust's `request_hash`, a `data:` request file naming vault,
   epoch, delivered, gross and report hash);
4. a funded epoch whose quorum is met, before its attest deadline -> the trust's `finalize_epoch`;
5. an epoch whose reputation feedback is pending (refused, or a default settled without a post)
   -> the trust's `post_record` (once a pass);
6. epochs whose record time has passed -> the vault's `settle_due` (anyone may; the operator
   does it too, so holders are credited and defaults reach its public record).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain import jsonsafe
from hashtrust.chain.decode import one_line
from hashtrust.erc8004.validation import (
    Status,
    ValidationClient,
    canonical_json,
    data_uri,
)
from hashtrust.errors import InputError, RevertError
from hashtrust.hashrate.vault import FEEDBACK_PENDING, HashrateVaultClient, ths_to_shares


@dataclass(frozen=True)
class PoolEpoch:
    """One epoch of a pool report: delivered hashrate (share units) and gross reward (sats)."""

    epoch: int
    delivered: int
    gross: int


def parse_pool_report(data: Any, source: str = "pool report") -> dict[int, PoolEpoch]:
    if not isinstance(data, dict) or not isinstance(data.get("epochs"), dict):
        raise InputError(source, 'must be an object with an "epochs" object')
    out: dict[int, PoolEpoch] = {}
    for key, entry in data["epochs"].items():
        try:
            e = int(key)
            delivered = ths_to_shares(Decimal(str(entry["delivered_ths"])))
            gross = int(entry["gross_sats"])
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise InputError(f"{source}.epochs[{key}]", f"needs delivered_ths and gross_sats ({exc})") from None
        if e < 0 or gross < 0 or delivered < 0:
            raise InputError(f"{source}.epochs[{key}]", "negative value")
        out[e] = PoolEpoch(e, delivered, gross)
    return out


def load_pool_report(path: str | Path) -> dict[int, PoolEpoch]:
    p = Path(path)
    try:
        data = jsonsafe.loads(p.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(str(p), f"cannot read pool report: {exc}") from None
    return parse_pool_report(data, str(p))


def report_document(vault: str, entry: PoolEpoch) -> dict:
    return {"vault": Web3.to_checksum_address(vault), "epoch": entry.epoch, "delivered": entry.delivered, "gross": entry.gross}


def report_hash(vault: str, entry: PoolEpoch) -> bytes:
    """The report hash the operator commits to and the pool watcher recomputes."""
    return bytes(Web3.keccak(canonical_json(report_document(vault, entry))))


def run_operator(
    vault: HashrateVaultClient,
    validation: ValidationClient,
    pool: dict[int, PoolEpoch],
    *,
    now: int | None = None,
    finalize: bool = True,
    settle: bool = True,
    from_epoch: int = 0,
) -> list[str]:
    """One idempotent pass over the vault's epochs (see the module doc); returns what it did.

    ``from_epoch`` skips epochs the caller knows are settled, so a long-running agent does not
    re-read the whole term on every pass. ``settle`` False leaves `settle_due` to others.

    Each epoch is handled inside its own boundary, and each validator's request inside the
    epoch's: a failure is one line of the result (``epoch N failed this pass: ...``) and is
    tried again next pass; the pass goes on."""
    done: list[str] = []
    if vault.sender is not None:
        vault.sender.settle()  # a crashed earlier pass's transactions land before the chain is read
    now = vault.now() if now is None else now
    trust = vault.trust_client()
    n = vault._view("N_EPOCHS")
    terms = {"agent_id": trust.agent_id(), "validators": trust.validators(), "quorum": trust.quorum(), "min_score": trust.min_score()}
    for e in range(max(0, from_epoch), n):
        end = vault.epoch_end(e)
        if end > now:
            break
        try:  # one epoch's boundary: a failure is logged in the result and retried next pass
            _epoch_pass(vault, trust, validation, pool, e, now, terms, finalize, done)
        except Exception as exc:  # noqa: BLE001 - the other epochs go on
            done.append(f"epoch {e} failed this pass: {one_line(exc)}")
    if settle:
        try:
            if vault.due_epochs():
                for ev in vault.settle_due():
                    done.append(f"settled {ev['epoch']} ({trust.record(int(ev['epoch'])).kind_name}, {int(ev['credited'])} sats credited)")
        except Exception as exc:  # noqa: BLE001 - retried next pass
            done.append(f"settle_due failed this pass: {one_line(exc)}")
    return done


def _epoch_pass(vault, trust, validation, pool, e, now, terms, finalize, done) -> None:
    """What one pass does for epoch ``e`` (see `run_operator`)."""
    rec = trust.record(e)
    if rec.settled or rec.finalized:
        if rec.feedback == FEEDBACK_PENDING:
            ev = trust.post_record(e)
            done.append(f"posted record {e}" if ev["posted"] else f"record {e} still refused by the reputation registry")
        return
    info = vault.epoch(e)
    deadline = info.deadline
    if info.status == "none":
        entry = pool.get(e)
        if entry is None or now > deadline:
            return
        vault.report(e, entry.delivered, entry.gross, report_hash(vault.address, entry), data_uri(canonical_json(report_document(vault.address, entry))))
        done.append(f"reported {e}")
        info = vault.epoch(e)
    if info.status == "reported":
        if now > deadline:
            return
        vault.fund(e)
        done.append(f"funded {e}")
        info = vault.epoch(e)
    if info.status != "funded":
        return
    agent_id, quorum, min_score = terms["agent_id"], terms["quorum"], terms["min_score"]
    counted = 0
    for v in terms["validators"]:
        try:  # one validator's request: a refusal (e.g. a validator that lost its independence) stops no other
            h = trust.request_hash(e, v)
            att = validation.attestation(agent_id, h)
            if att.status == Status.NONE:
                doc = {"vault": vault.address, "epoch": e, "delivered": info.delivered, "gross": info.gross, "reportHash": "0x" + info.report_hash.hex(), "validator": v}
                validation.request(v, agent_id, data_uri(canonical_json(doc)), h)
                done.append(f"requested {e} from {v}")
            elif att.finalized and att.validator == Web3.to_checksum_address(v) and att.response >= min_score:
                counted += 1
        except RevertError as exc:
            done.append(f"request {e} from {v} refused: {one_line(exc)}")
    if finalize and counted >= quorum and now <= info.attest_deadline:
        try:
            trust.finalize(e)
            done.append(f"finalized {e}")
        except RevertError as exc:  # e.g. a validator lost its independence: leave it to the deadline
            done.append(f"finalize {e} refused: {exc}")
