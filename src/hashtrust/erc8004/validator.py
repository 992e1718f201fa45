"""The validator agent: find the requests addressed to me, evaluate them, answer.

    agent = ValidatorAgent(ValidationClient.from_book(w3, book, sender), check=my_check)
    agent.run_once()          # one pass; `run()` polls

A round (`run_once`):

1. **Discover.** Pages through `getValidatorRequestsPaged(me)` (every request ever addressed to
   me, with its agent) and reads each one's state with `getAttestation(agentId, hash)`. The
   request URIs come from the `ValidationRequest` logs (they are emitted, not stored).
2. **Evaluate.** Fetches the request file through the SDK's one resolver (`hashtrust.chain.fetch`:
   ``data:``, ``https:``, ``ipfs:`` via a gateway, ``http:`` to loopback -- loopback only on a
   local devnet unless the operator opts in; deadline and byte cap), checks that its
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
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak
from web3 import Web3

from hashtrust.chain import jsonsafe
from hashtrust.chain.decode import display, is_valid_text, one_line, raw_bytes
from hashtrust.chain.failures import is_transport_error
from hashtrust.chain.fetch import FetchError, FetchPolicy, Resolver, for_chain
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
    payload_hash,
)
from hashtrust.errors import HashtrustError, InputError, RevertError

RESERVED_SHARE = 0.25
"""The share of a round's fetch slots kept for waiting requests (left over, or being retried)."""
MAX_SKIPPED_ROUNDS = 3
"""Rounds in a row a request may be left unfetched (the budget spent) before it is given up."""


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
    elif "/" in target or "\\" in target or Path(target).exists():
        raise InputError("--check", f"{target!r} is a path but not a .py file: give file.py:function or package.module:function")
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
        doc = jsonsafe.loads(content)
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

    @property
    def key(self) -> tuple[int, bytes]:
        return (self.agent_id, self.request_hash)

    def label(self) -> str:
        return f"agent {self.agent_id} 0x{self.request_hash.hex()[:10]}…"


class Permanent(HashtrustError):
    """This request cannot be processed by this validator, now or later (quarantined at once)."""


@dataclass
class Trouble:
    """The failures of one request in this process (`ValidatorAgent`'s retry rule)."""

    attempts: int = 0
    retry_round: int = 0  # the first round in which it is tried again
    quarantined: bool = False
    why: str = ""


@dataclass
class RoundReport:
    answered: list[tuple[int, str, int]] = field(default_factory=list)  # (agentId, hash hex, score)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (agentId, hash hex, why): retried later
    quarantined: list[tuple[int, str, str]] = field(default_factory=list)  # (agentId, hash hex, why): not retried
    done: int = 0  # requests already final/cancelled (nothing to do)

    def summary(self) -> str:
        out = f"{len(self.answered)} answered, {len(self.skipped)} skipped, {self.done} already done"
        return out + (f", {len(self.quarantined)} quarantined" if self.quarantined else "")


def _round_robin(jobs: list[Job], key: Callable[[Job], Any]) -> list[Job]:
    """``jobs`` ordered by ``key`` within each agent, the agents taking turns: every agent's
    first job (in ``key`` order), then every agent's second, ...; within a turn, in filing order."""
    per_agent: dict[int, list[Job]] = {}
    for job in sorted(jobs, key=key):
        per_agent.setdefault(job.agent_id, []).append(job)
    ranked = [(rank, job.index, job) for group in per_agent.values() for rank, job in enumerate(group)]
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [job for _rank, _index, job in ranked]


class ValidatorAgent:
    """Answers the validation requests addressed to the client's sender.

    **Error boundaries.** Every request is fetched, evaluated and answered inside its own
    boundary: whatever one request does (a URI that is not UTF-8 or names a refused scheme, a
    server that drips or never answers, a file that is not JSON, a check that raises, a cancel
    while it is being fetched, a transaction the node refuses), the agent logs one line and goes
    on with the next; a round that fails as a whole (the node unreachable) is logged and the
    loop goes on. The rule for a request that fails:

    * **permanent** (`Permanent`, a `FetchError` with ``permanent``, a revert of the answer such
      as ``validation: finalized``): quarantined at once, not retried by this process (a
      cancel never reverts the answer: the registry accepts answers to withdrawn requests);
    * **transient** (a fetch timeout or connection error, an HTTP 5xx, a check that raised, the
      node failing the answer): retried after ``1, 2, 4, ...`` rounds (``2**(n-1)`` after the
      n-th failure) and quarantined after ``max_attempts`` failures (default 5).

    Quarantine lives in memory (a restarted agent tries each request again) and changes nothing
    on chain: a request that cannot be processed stays pending (its requester may cancel it),
    while one that was read and found false is answered 0.

    **One deadline per round.** Fetches of a round run in parallel (up to ``fetch_workers``
    threads, default 64, each fetch under the resolver's deadline), new requests first (in the
    order they were filed), then those being retried. A fetch starts only within the round's
    fetch budget (``round_budget``, default the resolver's deadline); a request whose turn comes
    later is left for the next round (``skipped``, not counted as a failure). So the fetch phase
    of a round takes about one deadline when at most ``fetch_workers`` URIs are slow and at most
    budget + deadline (two deadlines) whatever their number: slow URIs cannot hold the honest
    requests filed before them for more than that, and the slow ones are soon retried only
    every 2, 4, ... rounds, behind the new ones.

    **No request is starved** (second review, finding 6). New requests first would let anyone
    who files enough slow requests each round take the whole budget, so that a request being
    retried, or one left over by an earlier round, never got its turn. So a quarter of the fetch
    slots (`RESERVED_SHARE` of ``fetch_workers``, at least one) is kept for the requests that
    are waiting -- those left over by earlier rounds (the longest-waiting first), then those due
    for a retry -- and they start with the round, beside the new ones; and a request left over
    `MAX_SKIPPED_ROUNDS` (3) rounds in a row is given up: quarantined with one log line saying
    so (like any quarantine, in memory only: a restarted agent tries it again).
    """

    def __init__(
        self,
        client: ValidationClient,
        check: Check = default_check,
        *,
        tag: str = "hashtrust",
        finalize: bool = True,
        fetch: Callable[[str], bytes] | None = None,
        from_block: int = 0,
        log: Callable[[str], Any] = lambda s: None,
        max_attempts: int = 5,
        fetch_workers: int = 64,
        answer_cancelled: bool = False,
        round_budget: float | None = None,
    ):
        if client.sender is None:
            raise HashtrustError("the validator agent needs a client with a sender (the validator's account)")
        self.client = client
        self.me = client.sender.address
        self.check = check
        self.tag = tag
        self.finalize = finalize
        w3 = getattr(client, "w3", None)  # the default resolver fetches loopback only on a local devnet (`for_chain`)
        self.fetch = fetch or Resolver(for_chain(FetchPolicy(), w3) if w3 is not None else FetchPolicy())
        self.from_block = from_block
        self.log = log
        self.max_attempts = max_attempts
        self.fetch_workers = max(1, fetch_workers)
        deadline = getattr(getattr(self.fetch, "policy", None), "deadline", None)
        self.round_budget = float(round_budget if round_budget is not None else deadline if isinstance(deadline, (int, float)) else FetchPolicy().deadline)
        self.answer_cancelled = answer_cancelled
        self._cursor = 0  # every list entry below this index is terminal (no more work, ever)
        self._uris: dict[tuple[int, bytes], str] = {}
        self._settled = False
        self._round = 0
        self._trouble: dict[tuple[int, bytes], Trouble] = {}
        self._left_over: dict[tuple[int, bytes], int] = {}  # rounds in a row a due request was not fetched (budget spent)

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
                    self._trouble.pop((a, h), None)
                    if all_terminal:
                        self._cursor = offset + i + 1
                    continue
                all_terminal = False
                jobs.append(Job(offset + i, a, h, st))
            offset += MAX_PAGE
            if offset >= total:
                break
        if jobs:
            missing = [j for j in jobs if j.key not in self._uris]
            if missing:
                self._uris.update(self.client.request_uris(self.me, self.from_block))
            for j in jobs:
                j.uri = self._uris.get(j.key)
        return jobs, done

    # ------------------------------------------------------------------ evaluation
    def _content(self, job: Job) -> bytes:
        if job.uri is None:
            raise HashtrustError("no ValidationRequest log found for this request (yet)")
        if not is_valid_text(job.uri):
            raise Permanent(f"request URI is not valid UTF-8 ({len(raw_bytes(job.uri)):,} bytes as emitted)")
        return self.fetch(job.uri)

    def evaluate(self, job: Job, content: bytes | None = None) -> Verdict:
        """Fetch (unless ``content`` is given), verify and check one request. Raises
        `HashtrustError` for trouble (`Permanent` or a permanent `FetchError` when retrying
        cannot help); returns 0 for a request that is provably bad."""
        if content is None:
            content = self._content(job)
        if keccak(content) != job.request_hash:
            if is_vault_epoch_request(content):
                raise Permanent("a hashrate vault's epoch request (hashed by the vault, not keccak of the file): the pool watcher answers it")
            return Verdict(0, "request file does not hash to requestHash")
        try:
            req = RequestFile.parse(content)
        except HashtrustError as exc:
            return Verdict(0, f"malformed request file: {exc}")
        if req.agentId != job.agent_id:
            return Verdict(0, f"request file is for agent {req.agentId}, request was made by agent {job.agent_id}")
        if not Web3.is_address(req.validator) or Web3.to_checksum_address(req.validator) != self.me:
            return Verdict(0, f"request file names validator {req.validator}, not {self.me}")
        try:
            out = self.check(req, content)
        except SystemExit as exc:  # a check's sys.exit() must not end the agent (issue 22: one request's boundary)
            raise HashtrustError(f"check called sys.exit({exc.code!r})") from None
        if isinstance(out, bool):  # True is an int (1): a check saying "passed" would post a score of 1
            raise HashtrustError(f"check returned {out!r}, a bool: return a score from 0 to 100 or a Verdict")
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

    # ------------------------------------------------------------------ the retry rule
    def _due(self, job: Job) -> Trouble | None:
        """The request's trouble record when it must not be tried this round, else None."""
        t = self._trouble.get(job.key)
        if t is not None and (t.quarantined or t.retry_round > self._round):
            return t
        return None

    def _failed(self, job: Job, exc: BaseException, report: RoundReport) -> None:
        permanent = isinstance(exc, (Permanent, RevertError)) or (isinstance(exc, FetchError) and exc.permanent)
        why = one_line(exc)
        t = self._trouble.setdefault(job.key, Trouble())
        t.attempts += 1
        t.why = why
        hx = "0x" + job.request_hash.hex()
        if permanent or t.attempts >= self.max_attempts:
            t.quarantined = True
            rule = "cannot be processed" if permanent else f"failed {t.attempts} times"
            report.quarantined.append((job.agent_id, hx, why))
            self.log(f"quarantine {job.label()} ({rule}): {why}")
        else:
            t.retry_round = self._round + 2 ** (t.attempts - 1)
            report.skipped.append((job.agent_id, hx, why))
            self.log(f"skip   {job.label()} (attempt {t.attempts}, retry in {2 ** (t.attempts - 1)} round(s)): {why}")

    def _fetch_order(self, todo: list[Job]) -> list[Job]:
        """The order in which the round's fetches start: the reserved slots (`RESERVED_SHARE` of
        the workers) go to waiting requests -- left over by earlier rounds, longest-waiting first,
        then retries --, then the new requests in the order they were filed, then the other
        waiting ones; within each group the agents take turns (`_round_robin`: one agent's
        flood of requests does not go before another agent's first). The first
        ``fetch_workers`` start at once, so a reserved slot is never taken by a new request,
        however many are filed."""
        fresh = _round_robin([j for j in todo if j.key not in self._trouble and not self._left_over.get(j.key)], lambda j: j.index)
        waiting = _round_robin([j for j in todo if j.key in self._trouble or self._left_over.get(j.key)],
                               lambda j: (-self._left_over.get(j.key, 0), j.key in self._trouble, j.index))
        reserved = max(1, math.ceil(self.fetch_workers * RESERVED_SHARE)) if waiting else 0
        return waiting[:reserved] + fresh + waiting[reserved:]

    def _not_fetched(self, job: Job, report: RoundReport) -> None:
        """A due request whose fetch would have started after the round's budget: left for the
        next round, or given up (quarantined) after `MAX_SKIPPED_ROUNDS` rounds in a row."""
        hx = "0x" + job.request_hash.hex()
        n = self._left_over[job.key] = self._left_over.get(job.key, 0) + 1
        if n < MAX_SKIPPED_ROUNDS:
            report.skipped.append((job.agent_id, hx, f"not fetched this round: its {self.round_budget:g} s fetch budget went to the requests before it"))
            return
        why = f"not fetched in {n} rounds in a row: the {self.round_budget:g} s fetch budget of each went to other requests"
        t = self._trouble.setdefault(job.key, Trouble())
        t.quarantined, t.why = True, why
        self._left_over.pop(job.key, None)
        report.quarantined.append((job.agent_id, hx, why))
        self.log(f"quarantine {job.label()} (given up): {why}")

    # ------------------------------------------------------------------ loop
    def _prefetch(self, jobs: list[Job]) -> dict[tuple[int, bytes], bytes | BaseException | None]:
        """Each job's request file, fetched in parallel in the order given (a failure is kept as
        the job's result); None for a job whose fetch would have started after the round's
        fetch budget (`round_budget` seconds from the first fetch): it waits for the next round."""
        start = time.monotonic()

        def one(job: Job) -> bytes | BaseException | None:
            if time.monotonic() - start > self.round_budget:
                return None
            try:
                return self._content(job)
            except Exception as exc:  # noqa: BLE001 - kept per job, judged by the retry rule
                return exc

        if len(jobs) <= 1 or self.fetch_workers == 1:
            return {j.key: one(j) for j in jobs}
        with ThreadPoolExecutor(max_workers=min(self.fetch_workers, len(jobs)), thread_name_prefix="hashtrust-fetch") as pool:
            return {job.key: result for job, result in zip(jobs, pool.map(one, jobs))}

    def run_once(self) -> RoundReport:
        if not self._settled:
            self.client.sender.settle()  # let a crashed run's transactions land first
            self._settled = True
        self._round += 1
        report = RoundReport()
        jobs, report.done = self.scan()
        todo = []
        for job in jobs:
            t = self._due(job)
            if t is None:
                todo.append(job)
            elif t.quarantined:
                report.quarantined.append((job.agent_id, "0x" + job.request_hash.hex(), t.why))
            else:
                report.skipped.append((job.agent_id, "0x" + job.request_hash.hex(), f"waiting to retry: {t.why}"))
        contents = self._prefetch(self._fetch_order(todo))
        for job in sorted(todo, key=lambda j: j.index):
            hx = "0x" + job.request_hash.hex()
            try:  # one request's boundary: nothing it does stops the others
                content = contents[job.key]
                if content is None:
                    self._not_fetched(job, report)
                    continue
                self._left_over.pop(job.key, None)
                if isinstance(content, BaseException):
                    raise content
                verdict = self.evaluate(job, content)
                self.answer(job, verdict)
            except Exception as exc:  # noqa: BLE001 - the retry rule judges it (`_failed`)
                self._failed(job, exc, report)
                continue
            self._trouble.pop(job.key, None)
            report.answered.append((job.agent_id, hx, verdict.response))
            self.log(f"answer {job.label()} = {verdict.response} ({display(verdict.reason, 200)})")
        return report

    def run(self, *, poll: float = 2.0, rounds: int | None = None, stop: Callable[[], bool] = lambda: False) -> None:
        """Poll forever (or ``rounds`` times). A round that fails as a whole (the node
        unreachable, ...) is logged in one line; the loop goes on."""
        n = 0
        down_since: int | None = None  # the round the node stopped answering (logged once, not every poll)
        while not stop():
            try:
                report = self.run_once()
                if down_since is not None:
                    self.log(f"round {n}: the node answers again (it did not from round {down_since})")
                    down_since = None
                self.log(f"round {n}: {report.summary()}")
            except Exception as exc:  # noqa: BLE001 - a long-running agent outlives any one round
                if is_transport_error(exc):
                    if down_since is None:
                        down_since = n
                        self.log(f"round {n} failed: {type(exc).__name__}: the node does not answer; retrying every {poll:g} s (said once until it answers)")
                else:
                    self.log(f"round {n} failed: {one_line(exc)}")
            n += 1
            if rounds is not None and n >= rounds:
                return
            time.sleep(poll)
