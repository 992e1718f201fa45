"""Payment-backed feedback: a feedback file carrying the paid call's proof, given on chain.

    f = paid_feedback_file(receipt, value=92, tag1="starred")   # FeedbackFile with the proof
    index, uri = give_paid_feedback(reputation, receipt, f, store_dir=Path("feedback"))

The file is the ERC-8004 feedback file (`hashtrust.erc8004.feedback.FeedbackFile`) with

* ``proofOfPayment {fromAddress, toAddress, chainId, txHash}`` of the settlement (the spec's
  field, ``chainId`` as a decimal string), and
* ``interactionAttestation``: the agent's signed attestation as the server returned it
  (`hashtrust.payments.attestation.Attestation.as_dict`), proving the service, not only the
  payment;
* ``endpoint``: the service's URL.

``feedbackHash`` is keccak256 of the file's canonical bytes (what `FeedbackFile.feedback_hash`
computes), so whoever fetches ``feedbackURI`` can re-hash it. A file this size does not fit the
registry's 1,024-byte ``feedbackURI`` as a ``data:`` URI: it is written to ``store_dir`` as
``<feedbackHash>.json`` and the URI is ``uri_base + <feedbackHash>.json`` (publish the folder,
e.g. on IPFS or a web server) or, without ``uri_base``, the file's ``file://`` URI (a devnet
reader on the same machine can fetch it). The rule "one payment, one feedback" is enforced by
the verifier (`hashtrust.payments.verification`), and the client checks its own receipts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.erc8004.feedback import FeedbackFile, ProofOfPayment
from hashtrust.errors import HashtrustError

MAX_FEEDBACK_URI = 1_024  # the ReputationRegistry's limit


def paid_feedback_file(receipt: dict, *, value: Any, decimals: int | None = None, tag1: str = "", tag2: str = "",
                       created_at: Any = None) -> FeedbackFile:
    """The feedback file for a paid call's receipt (`hashtrust.payments.client.PaidCall.receipt`)."""
    try:
        return FeedbackFile.build(
            chain_id=int(receipt["chainId"]), registry=receipt["identityRegistry"], agent_id=int(receipt["agentId"]),
            client=receipt["payer"], value=value, decimals=decimals, tag1=tag1, tag2=tag2, endpoint=receipt["url"],
            created_at=created_at,
            proofOfPayment=ProofOfPayment(fromAddress=Web3.to_checksum_address(receipt["payer"]), toAddress=Web3.to_checksum_address(receipt["payTo"]),
                                          chainId=str(int(receipt["chainId"])), txHash=receipt["txHash"]),
            interactionAttestation=receipt["attestation"],
        )
    except KeyError as exc:
        raise HashtrustError(f"the paid-call receipt lacks {exc.args[0]!r}") from None


def feedback_uri(f: FeedbackFile, store_dir: Path, uri_base: str = "") -> str:
    """Where the file is published: a ``data:`` URI when it fits, else ``store_dir/<hash>.json``."""
    data = f.data_uri()
    if len(data) <= MAX_FEEDBACK_URI:
        return data
    name = "0x" + f.feedback_hash().hex() + ".json"
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_dir / name
    if not path.exists() or path.read_bytes() != f.canonical_bytes():
        _write_bytes(path, f.canonical_bytes())
    uri = (uri_base.rstrip("/") + "/" + name) if uri_base else path.resolve().as_uri()
    if len(uri) > MAX_FEEDBACK_URI:
        raise HashtrustError(f"feedback URI {uri[:60]}... is {len(uri)} bytes; the registry takes at most {MAX_FEEDBACK_URI}")
    return uri


def _write_bytes(path: Path, data: bytes) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def give_paid_feedback(reputation: Any, receipt: dict, f: FeedbackFile, *, store_dir: Path, uri_base: str = "") -> tuple[int, str]:
    """Give ``f`` on chain from the payer's account; returns (feedback index, feedbackURI).

    The sender must be the receipt's payer (the feedback's client is who paid)."""
    sender = reputation._require_sender()
    if Web3.to_checksum_address(sender.address) != Web3.to_checksum_address(receipt["payer"]):
        raise HashtrustError(f"the paid call was paid by {receipt['payer']}; give its feedback from that account, not {sender.address}")
    uri = feedback_uri(f, store_dir, uri_base)
    index = reputation.give(int(receipt["agentId"]), f.number, decimals=f.valueDecimals, tag1=f.tag1 or "", tag2=f.tag2 or "", endpoint=f.endpoint or "",
                            feedback_uri=uri, feedback_hash=f.feedback_hash())
    return index, uri
