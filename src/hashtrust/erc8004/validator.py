"""The validator agent: find the requests addressed to me, evaluate them, answer.

    agent = ValidatorAgent(ValidationClient.from_book(w3, book, sender), check=my_check)
    agent.run_once()          # one pass; `run()` polls

A round (`run_once`):

1. **Discover.** Pages through `getValidatorRequestsPaged(me)` (every request ever addressed to
   me, with its agent) and reads each one's state with `getAttestation(agentId, hash)`. The
   request URIs come from the `ValidationRequest` logs (they are emitted, not stored).
2. **Evaluate.** Fetches the request file (``data:``, ``file://``, ``https://``), checks that its
   keccak256 is the requestHash and that it names this agent and this validator (a squatter
   who reuses someone else's file gets 0; a hashrate vault's epoch request, whose hash the vault
   defines, is skipped: the pool watcher answers those), then calls the *check*: a function
   ``check(request: RequestFile, content: bytes) -> Verdict | int`` supplied by the user
   (a re-execution of the agent's work). The default recomputes the payload's hash.
3. **Answer.** Sends `validationResponseFor(agentId, hash, score, responseURI, responseHash,
   tag, finalize)`; the response file (score, reason, check name) travels as a data: URI and
   its keccak256 is the responseHash.

**Idempotent and resumable.** All progress lives on chain: a request is skipped once it is
FINALIZED or CANCELLED (or ANSWERED, in progressive mode). After a crash, even a SIGKILL
between sending and mining, the next run first waits for its own in-flight transactions
(`TxSender.settle`) and then re-reads the chain, so no request is answered twice.

**Cancelled requests.** CANCELLED means the requester withdrew the request before any answer;
the agent does not work on it (``answer_cancelled=True``, ``--answer-cancelled``, answers it
anyway: its answer is stored and counts like any other). A cancel that lands while the agent
is evaluating a request does not stop the answer: the registry accepts the validator's answer
to a cancelled request, so a requester cannot race an unfavourable verdict away.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak
from web3 import Web3

from hashtrust.erc8004.validation import (
    MAX_PAGE,
    MAX_URI,
    RESPONSE_TYPE,
    Attestation,
    RequestFile,
    Status,
    ValidationClient,
    canonical_json,
    data_uri,
    fetch_uri,
    payload_hash,
)
from hashtrust.errors import HashtrustError, InputError


@dataclass(frozen=True)
class Verdict:
    """A check's answer: a score 0..100 and why."""

    response: int
    reason: str = ""
    evidence: dict = field(default_factory=dict)


Check = Callable[[RequestFile, bytes], "Verdict | int"]


def default_check(request: RequestFile, content: bytes) -> Verdict:
    """Recompute the keccak256 of the request's canonical payload and compare it with the
    ``payloadHash`` the requester claims: 100 when equal, 0 otherwise."""
    actual = payload_hash(request.payload)
    if actual.lower() == request.payloadHash.lower():
        return Verdict(100, "payload hash recomputed and matches", {"payloadHash": actual})
    return Verdict(0, f"payload hash mismatch: claimed {request.payloadHash}, recomputed {actual}", {"payloadHash": actual})


def load_check(spec: str) -> Check:
    """A check from ``"package.module:function"`` or ``"path/to/file.py:function"``."""
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise HashtrustError(f"check must be 'module:function' or 'file.py:function', got {spec!r}")
    if target.endswith(".py"):
        path = Path(target).resolve()
        if not path.is_file():
            raise InputError("--check", f"no check file {path}")
        mod_spec = importlib.util.spec_from_file_location(f"_hashtrust_check_{path.stem}", path)
        if mod_spec is None or mod_spec.loader is None:
            raise HashtrustError(f"cannot load check file {path}")
        module = importlib.util.module_from_spec(mod_spec)
        try:
            mod_spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise InputError("--check", f"{path} does not compile: {exc.msg} at line {exc.lineno}") from None
        except Exception as exc:  # noqa: BLE001 - the file's own code failed at import (NameError, ImportError, ...)
            raise InputError("--check", f"cannot load {path}: {type(exc).__name__}: {exc}") from None
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise InputError("--check", f"cannot import {target!r} ({exc})") from None
        except Exception as exc:  # noqa: BLE001 - the module's own code failed at import
            raise InputError("--check", f"cannot import {target!r}: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise HashtrustError(f"{spec}: {name} is not a function")
    return fn


VAULT_REQUEST_KEYS = frozenset({"vault", "epoch", "delivered", "gross", "reportHash", "validator"})


def is_vault_epoch_request(content: bytes) -> bool:
    """Whether a request file is a hashrate vault's epoch request (`hashtrust.operator.run_operator`).

    Its request hash is the vault's `request_hash(epoch, validator)`, not the keccak256 of the
    file, so this agent's rule "a file that does not hash to requestHash gets 0" does not apply:
    such a request is left to the pool watcher (`hashtrust.hashrate.pool_watcher`), which checks the report
    against the pool. Answering it 0 here would finalise a refusal of an honest epoch report."""
    try:
        doc = json.loads(content)
    except ValueError:
        return False
    return isinstance(doc, dict) and VAULT_REQUEST_KEYS <= doc.keys()


@dataclass
class Job:
    """A request addressed to this validator that still needs work."""

    index: int  # position in the validator's list
    agent_id: int
    request_hash: bytes
    state: Attestation
    uri: str | None = None


@dataclass
class RoundReport:
    answered: list[tuple[int, str, int]] = field(default_factory=list)  # (agentId, hash hex, score)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (agentId, hash hex, why)
    done: int = 0  # requests already final/cancelled (nothing to do)

    def summary(self) -> str:
        return f"{len(self.answered)} answered, {len(self.skipped)} skipped, {self.done} already done"


class ValidatorAgent:
    """Answers the validation requests addressed to the client's sender."""

    def __init__(
        self,
        client: ValidationClient,
        check: Check = default_check,
        *,
        tag: str = "hashtrust",
        finalize: bool = True,
        fetch: Callable[[str], bytes] = fetch_uri,
        from_block: int = 0,
        log: Callable[[str], Any] = lambda s: None,
        answer_cancelled: bool = False,
    ):
        if client.sender is None:
            raise HashtrustError("the validator agent needs a client with a sender (the validator's account)")
        self.client = client
        self.me = client.sender.address
        self.check = check
        self.tag = tag
        self.finalize = finalize
        self.fetch = fetch
        self.from_block = from_block
        self.log = log
        self.answer_cancelled = answer_cancelled
        self._cursor = 0  # every list entry below this index is terminal (no more work, ever)
        self._uris: dict[tuple[int, bytes], str] = {}
        self._settled = False

    # ------------------------------------------------------------------ discovery
    def _terminal(self, st: Attestation) -> bool:
        if st.status == Status.FINALIZED:
            return True
        if st.status == Status.CANCELLED:  # withdrawn, not answered
            return not self.answer_cancelled
        return st.status == Status.ANSWERED and not self.finalize

    def scan(self) -> tuple[list[Job], int]:
        """(jobs still to do, number of entries already done) from the chain."""
        jobs: list[Job] = []
        done = 0
        offset = self._cursor
        all_terminal = True
        while True:
            hashes, agents, total = self.client.validator_requests_page(self.me, offset, MAX_PAGE)
            for i, (h, a) in enumerate(zip(hashes, agents)):
                st = self.client.attestation(a, h)
                if self._terminal(st):
                    done += 1
                    if all_terminal:
                        self._cursor = offset + i + 1
                    continue
                all_terminal = False
                jobs.append(Job(offset + i, a, h, st))
            offset += MAX_PAGE
            if offset >= total:
                break
        if jobs:
            missing = [j for j in jobs if (j.agent_id, j.request_hash) not in self._uris]
            if missing:
                self._uris.update(self.client.request_uris(self.me, self.from_block))
            for j in jobs:
                j.uri = self._uris.get((j.agent_id, j.request_hash))
        return jobs, done

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, job: Job) -> Verdict:
        """Fetch, verify and check one request. Raises `HashtrustError` for transient trouble
        (the request is retried next round); returns 0 for a request that is provably bad."""
        if job.uri is None:
            raise HashtrustError("no ValidationRequest log found for this request (yet)")
        content = self.fetch(job.uri)
        if keccak(content) != job.request_hash:
            if is_vault_epoch_request(content):
                raise HashtrustError("a hashrate vault's epoch request (hashed by the vault, not keccak of the file): the pool watcher answers it")
            return Verdict(0, "request file does not hash to requestHash")
        try:
            req = RequestFile.parse(content)
        except HashtrustError as exc:
            return Verdict(0, f"malformed request file: {exc}")
        if req.agentId != job.agent_id:
            return Verdict(0, f"request file is for agent {req.agentId}, request was made by agent {job.agent_id}")
        if not Web3.is_address(req.validator) or Web3.to_checksum_address(req.validator) != self.me:
            return Verdict(0, f"request file names validator {req.validator}, not {self.me}")
        out = self.check(req, content)
        verdict = out if isinstance(out, Verdict) else Verdict(int(out), "check returned a score")
        if not 0 <= verdict.response <= 100:
            raise HashtrustError(f"check returned {verdict.response}, outside 0..100")
        return verdict

    def response_file(self, job: Job, verdict: Verdict) -> bytes:
        return canonical_json(
            {
                "type": RESPONSE_TYPE,
                "requestHash": "0x" + job.request_hash.hex(),
                "agentId": job.agent_id,
                "validator": self.me,
                "response": verdict.response,
                "reason": verdict.reason,
                "check": getattr(self.check, "__name__", "check"),
                "evidence": verdict.evidence,
            }
        )

    def answer(self, job: Job, verdict: Verdict) -> Any:
        content = self.response_file(job, verdict)
        uri = data_uri(content)
        if len(uri) > MAX_URI:
            uri = ""  # too large to emit; the hash still commits to it
        return self.client.respond(
            job.request_hash,
            verdict.response,
            response_uri=uri,
            response_hash=keccak(content),
            tag=self.tag,
            agent_id=job.agent_id,
            finalize=self.finalize,
        )

    # ------------------------------------------------------------------ loop
    def run_once(self) -> RoundReport:
        if not self._settled:
            self.client.sender.settle()  # let a crashed run's transactions land first
            self._settled = True
        report = RoundReport()
        jobs, report.done = self.scan()
        for job in jobs:
            hx = "0x" + job.request_hash.hex()
            try:
                verdict = self.evaluate(job)
            except HashtrustError as exc:
                report.skipped.append((job.agent_id, hx, str(exc)))
                self.log(f"skip   agent {job.agent_id} {hx[:12]}…: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - a user check failed: retry next round
                report.skipped.append((job.agent_id, hx, f"check raised {exc!r}"))
                self.log(f"skip   agent {job.agent_id} {hx[:12]}…: check raised {exc!r}")
                continue
            self.answer(job, verdict)
            report.answered.append((job.agent_id, hx, verdict.response))
            self.log(f"answer agent {job.agent_id} {hx[:12]}… = {verdict.response} ({verdict.reason})")
        return report

    def run(self, *, poll: float = 2.0, rounds: int | None = None, stop: Callable[[], bool] = lambda: False) -> None:
        """Poll forever (or ``rounds`` times)."""
        n = 0
        while not stop():
            report = self.run_once()
            self.log(f"round {n}: {report.summary()}")
            n += 1
            if rounds is not None and n >= rounds:
                return
            time.sleep(poll)
