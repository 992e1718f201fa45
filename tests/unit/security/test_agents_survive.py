"""Long-running agents against hostile requests: they keep answering the honest ones.

Story: alice's agent "prover" asks carol's validator agent to check two honest jobs -- one as
a ``data:`` URI, one served over http by a file server on carol's machine -- while mallory,
owner of her own agent, files a request for every hostile URI she can think of: carol's local
files (``file:``, plain paths, ``/dev/stdin``, ``/dev/zero``, a FIFO), broken ``data:``, unknown
schemes, a non-UTF-8 URI, and URLs of a server that drips, never answers, streams 100 MB, or
redirects to ``file:`` or a private address. Alice cancels one of her requests while carol
fetches it, and another run of carol's validator finalises one first. Carol's agent runs round after round: the honest requests are answered (100,
final), every hostile one is skipped or quarantined by the documented rule, nothing raises, the
loop never stops, a round is bounded by the fetch deadline (the fetches run in parallel), and
nothing hostile gets an answer on chain.

The regression tests named after issue 22's defects 4, 5 and 7 failed on main before the fix
(on main they hang: each runs the code under test in a thread with a bound).
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from web3 import Web3
from hostile import hostile_call
from servers import hostile_server

from hashtrust.chain.fetch import FetchPolicy, Resolver
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.erc8004.discovery import rank
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import agent_uri
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import RequestFile, Status, ValidationClient
from hashtrust.erc8004.validator import ValidatorAgent

REG = {"name": "Prover", "description": "re-executes jobs", "services": [{"name": "MCP", "endpoint": "https://prover.example/mcp", "skills": ["proving"]}]}


class World:
    pass


@pytest.fixture(scope="module")
def world(project, w3, deployer, alice, bob, carol, mallory):
    wd = World()
    idr = deployer.deploy(project.IdentityRegistry)
    rep = deployer.deploy(project.ReputationRegistry, idr.address)
    val = deployer.deploy(project.ValidationRegistry, idr.address)
    actors = {"alice": alice, "bob": bob, "carol": carol, "mallory": mallory}
    wd.w3, wd.identity_address = w3, idr.address
    wd.addr = {k: a.address for k, a in actors.items()}
    wd.senders = {k: TxSender(w3, LocalSigner.from_key(a.private_key)) for k, a in actors.items()}
    wd.id = {k: IdentityClient(w3, idr.address, s) for k, s in wd.senders.items()}
    wd.rep = {k: ReputationClient(w3, rep.address, s) for k, s in wd.senders.items()}
    wd.val = {k: ValidationClient(w3, val.address, s) for k, s in wd.senders.items()}
    wd.prover = wd.id["alice"].register(agent_uri(REG))
    wd.rogue = wd.id["mallory"].register("ipfs://rogue")
    wd.rep["bob"].give(wd.prover, 80, tag1="starred")
    return wd


@pytest.fixture(autouse=True)
def _fresh_nonces(world):
    for s in world.senders.values():
        s._nonce = None


def _job(wd, n: int) -> RequestFile:
    return RequestFile.build(wd.w3.eth.chain_id, wd.identity_address, wd.prover, wd.addr["carol"], {"job": n}, created_at="2026-01-01T00:00:00Z")


def _hostile(wd, uri: str | bytes, n: int) -> bytes:
    """mallory's request to carol with ``uri`` (any bytes); returns its hash."""
    h = n.to_bytes(32, "big")
    hostile_call(wd.val["mallory"], "validationRequest", wd.addr["carol"], wd.rogue, uri.encode() if isinstance(uri, str) else uri, h)
    return h


def _bounded(fn, seconds: float, unblock=lambda: None):
    """Run ``fn`` in a thread; its result, or AssertionError when it takes longer than
    ``seconds`` (then ``unblock`` frees the thread, e.g. a writer for a FIFO it opened)."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t0 = time.monotonic()
    t.start()
    t.join(seconds)
    if t.is_alive():
        unblock()
        t.join(30)
        raise AssertionError(f"still running after {seconds:.0f} s (hung on hostile input)")
    if "error" in out:
        raise out["error"]
    return out["value"], time.monotonic() - t0


def _fifo_unblocker(path):
    def unblock():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass

    return unblock


def _responses(wd, agent_id: int, h: bytes) -> list[int]:
    logs = wd.val["carol"].logs("ValidationResponse", [None, "0x" + agent_id.to_bytes(32, "big").hex(), "0x" + h.hex()])
    return [ev["args"]["response"] for ev in logs]


# ---------------------------------------------------------------------------- regressions
def test_defect4_the_requester_does_not_control_the_validators_fetch(world, tmp_path):
    """Issue 22, defect 4: the validator read ``file://`` URIs whole before the size check
    (``/dev/stdin`` and a FIFO hung it, ``/dev/zero`` filled its memory), answered requests for
    local files (telling the world which files exist on its machine), and its http timeout was
    per read, with no overall deadline (a server dripping a byte a second held one round 46 s)."""
    wd = world
    secret = tmp_path / "id_ed25519"
    secret.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with hostile_server(drip_interval=0.5, drip_bytes=100) as srv:  # 50 s of drip
        honest = _job(wd, 41)
        h_honest, _ = wd.val["alice"].request_file(wd.addr["carol"], wd.prover, honest)
        hostile = {name: _hostile(wd, uri, 4_100 + i) for i, (name, uri) in enumerate({
            "secret": secret.as_uri(), "fifo": fifo.as_uri(), "drip": srv.url("/drip"),
        }.items())}
        agent = ValidatorAgent(wd.val["carol"])  # the defaults: what `hashtrust validate` runs
        report, seconds = _bounded(agent.run_once, 30, _fifo_unblocker(fifo))
    assert seconds < 15, seconds  # one deadline (10 s), not the drip's 50 s
    assert [(a, s) for a, _h, s in report.answered] == [(wd.prover, 100)]
    for name, h in hostile.items():
        assert _responses(wd, wd.rogue, h) == [], name  # never answered: no file's existence is told
        assert wd.val["carol"].attestation(wd.rogue, h).status == Status.PENDING
    assert wd.val["carol"].attestation(wd.prover, h_honest).status == Status.FINALIZED


def test_defect5_a_request_whose_answer_fails_does_not_stop_the_validator(world):
    """Issue 22, defect 5: `answer()` ran outside the error handling of `run_once`/`run`, so a
    request whose answer reverted killed the loop (then: ``validation: cancelled``, a requester
    cancelling while the validator fetched). Since the registries merge a cancel no longer
    reverts the answer (it lands and counts); an answer can still revert, e.g.
    ``validation: finalized`` when another run of the same validator finalised the request while
    this one fetched it. Both races, then an honest request: the loop survives every round."""
    wd = world
    cancelled, raced, honest = _job(wd, 51), _job(wd, 52), _job(wd, 53)
    h1, _ = wd.val["alice"].request_file(wd.addr["carol"], wd.prover, cancelled)
    h2, _ = wd.val["alice"].request_file(wd.addr["carol"], wd.prover, raced)
    h3, _ = wd.val["alice"].request_file(wd.addr["carol"], wd.prover, honest)
    files = {j.uri(): j.content() for j in (cancelled, raced, honest)}

    def fetch_and_race(uri: str) -> bytes:
        if uri == cancelled.uri() and wd.val["alice"].attestation(wd.prover, h1).status == Status.PENDING:
            wd.val["alice"].cancel(wd.prover, h1)  # the requester withdraws it while it is fetched
        if uri == raced.uri() and wd.val["carol"].attestation(wd.prover, h2).status == Status.PENDING:
            wd.val["carol"].respond(h2, 77, tag="other-run", agent_id=wd.prover, finalize=True)  # another run finalises it
        return files[uri]

    lines: list[str] = []
    agent = ValidatorAgent(wd.val["carol"], fetch=fetch_and_race, log=lines.append, fetch_workers=1)
    agent.run(rounds=3, poll=0)  # must not raise
    first = wd.val["alice"].attestation(wd.prover, h1)
    assert (first.status, first.response, wd.val["alice"].is_cancelled(wd.prover, h1)) == (Status.FINALIZED, 100, True)
    second = wd.val["alice"].attestation(wd.prover, h2)
    assert (second.status, second.response) == (Status.FINALIZED, 77)  # the other run's answer, untouched
    assert wd.val["alice"].attestation(wd.prover, h3).status == Status.FINALIZED
    quarantined = [line for line in lines if line.startswith("quarantine")]
    assert len(quarantined) == 1 and "validation: finalized" in quarantined[0], lines
    rounds = [line for line in lines if line.startswith("round ")]
    assert rounds[0] == "round 0: 2 answered, 0 skipped, 0 already done, 1 quarantined", lines
    assert [r.split(":")[0] for r in rounds] == ["round 0", "round 1", "round 2"]  # no round failed
    assert all(r.startswith(f"round {n}: 0 answered, 0 skipped") for n, r in enumerate(rounds) if n), lines  # all three final


def test_defect7_rank_does_not_read_local_paths_or_hang_on_them(world, tmp_path):
    """Issue 22, defect 7: `agents rank` / `agents show` read agent URIs from the local disk
    (a plain path or ``file://``) and http bodies without a cap or deadline; one agent with
    agentURI ``/dev/stdin`` hung the ranking of every agent."""
    wd = world
    fifo = tmp_path / "stdin-like"
    os.mkfifo(fifo)
    local = tmp_path / "reg.json"
    local.write_text(json.dumps(REG))
    ids = [wd.id["mallory"].register(str(fifo)), wd.id["mallory"].register(local.as_uri()), wd.id["mallory"].register(str(local))]
    ranked, seconds = _bounded(lambda: rank(wd.id["carol"], wd.rep["carol"], "proving", [wd.addr["bob"]]), 30, _fifo_unblocker(fifo))
    assert [r.agent_id for r in ranked] == [wd.prover]  # local files are never read: those agents do not match
    assert seconds < 10
    assert not set(ids) & {r.agent_id for r in ranked}


# ---------------------------------------------------------------------------- the validator, kept alive
def test_the_validator_answers_honest_requests_beside_every_hostile_one_round_after_round(world, tmp_path):
    wd = world
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with hostile_server(drip_interval=0.2) as srv:
        served = _job(wd, 62)
        srv.files["/file/served.json"] = served.content()
        honest = [_job(wd, 61), served]
        hashes = [wd.val["alice"].request_file(wd.addr["carol"], wd.prover, honest[0])[0],
                  wd.val["alice"].request_file(wd.addr["carol"], wd.prover, served, uri=srv.url("/file/served.json"))[0]]
        uris = {
            "file": "file:///etc/passwd", "path": "/etc/hostname", "stdin": "/dev/stdin", "zero": "/dev/zero", "fifo": fifo.as_uri(),
            "bad-base64": "data:application/json;base64,@@@", "ftp": "ftp://example.com/r.json", "utf8": b"https://\xff\xfe/x",
            "drip": srv.url("/drip"), "hang": srv.url("/hang"), "big": srv.url("/big"), "to-file": srv.url("/to-file"),
            "to-private": srv.url("/to-private"), "not-json": srv.url("/file/not-json"), "server-error": srv.url("/status/500"),
        }
        srv.files["/file/not-json"] = b"\x00\xff<html>"
        hostile = {name: _hostile(wd, uri, 6_000 + i) for i, (name, uri) in enumerate(uris.items())}
        lines: list[str] = []
        agent = ValidatorAgent(wd.val["carol"], fetch=Resolver(FetchPolicy(deadline=1.5)), log=lines.append, max_attempts=2)
        reports = []
        for _ in range(3):
            report, seconds = _bounded(agent.run_once, 30, _fifo_unblocker(fifo))
            assert seconds < 8, seconds  # the slow ones are fetched in parallel, each within its deadline
            reports.append(report)
    assert sorted(s for _a, _h, s in reports[0].answered) == [0, 100, 100]  # "not-json" is read and found false
    for h in hashes:
        assert wd.val["carol"].attestation(wd.prover, h).status == Status.FINALIZED
    assert _responses(wd, wd.rogue, hostile["not-json"]) == [0]
    unanswered = {n: h for n, h in hostile.items() if n != "not-json"}
    for name, h in unanswered.items():
        assert _responses(wd, wd.rogue, h) == [], name
    quarantined = {h for _a, h, _w in reports[-1].quarantined}
    assert quarantined == {"0x" + h.hex() for h in unanswered.values()}  # permanent at once, transient after 2 failures
    transient = {"0x" + unanswered[n].hex() for n in ("drip", "hang", "server-error")}
    assert transient <= {h for _a, h, _w in reports[0].skipped}  # tried again before being quarantined
    assert not reports[1].answered and not reports[2].answered
    assert all("\x1b" not in line and "\x00" not in line for line in lines)
    assert len([line for line in lines if line.startswith("quarantine")]) == len(unanswered)  # one line each, once


def test_a_round_that_fails_as_a_whole_is_logged_and_the_loop_goes_on(world):
    wd = world
    calls = {"n": 0}
    agent = ValidatorAgent(wd.val["carol"], log=lambda s: None)
    real = agent.scan

    def flaky_scan():
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("node unreachable")
        return real()

    agent.scan = flaky_scan
    lines: list[str] = []
    agent.log = lines.append
    agent.run(rounds=2, poll=0)
    assert calls["n"] == 2
    assert lines[0].startswith("round 0 failed: ConnectionError") and lines[-1].startswith("round 1:")


# ---------------------------------------------------------------------------- the hashrate agents
class _FakeTrust:
    """The vault's trust layer as the operator and the pool watcher read it: terms, records
    (nothing settled or finalised yet), request hashes, finalisation (failures chosen by the vault)."""

    def __init__(self, vault: "_FakeVault"):
        self.vault = vault

    def agent_id(self):
        return 1

    def validators(self):
        return ["0x" + "0a" * 20, "0x" + "0b" * 20]

    def quorum(self):
        return 2

    def min_score(self):
        return 98

    def record(self, e):
        from types import SimpleNamespace

        return SimpleNamespace(settled=False, finalized=False, feedback=0, kind_name="none")

    def request_hash(self, e, v):
        return bytes([e]) * 16 + bytes.fromhex(v[2:])[:16]

    def finalize(self, e):
        self.vault._maybe_fail(f"finalize {e}")

    def post_record(self, e):
        return {"posted": True}


class _FakeVault:
    """Just what the operator and the pool watcher read and call, with chosen failures."""

    address = "0x" + "ab" * 20
    sender = None

    def __init__(self, statuses: list[str], fail: dict):
        from types import SimpleNamespace

        self.fail = fail
        self.calls: list[str] = []
        self._epochs = [SimpleNamespace(epoch=e, status=s, end=100 + e, deadline=10_000, attest_deadline=10_000, delivered=900, gross=40_000, report_hash=b"\x01" * 32) for e, s in enumerate(statuses)]
        self._trust = _FakeTrust(self)

    def trust_client(self):
        return self._trust

    def due_epochs(self):
        return []

    def _maybe_fail(self, what: str):
        self.calls.append(what)
        if what in self.fail:
            raise self.fail[what]

    def _view(self, name):
        return {"N_EPOCHS": len(self._epochs)}[name]

    def now(self):
        return 1_000

    def epoch_end(self, e):
        return self._epochs[e].end

    def epoch(self, e):
        self._maybe_fail(f"epoch {e}")
        return self._epochs[e]

    def report(self, e, *args):
        self._maybe_fail(f"report {e}")
        self._epochs[e].status = "reported"

    def fund(self, e):
        self._maybe_fail(f"fund {e}")
        self._epochs[e].status = "funded"

    def attest_deadline(self, e):
        return 10_000


class _FakeValidation:
    sender = None

    def __init__(self, fail: dict, pending: bool = True):
        from types import SimpleNamespace

        self.fail = fail
        self.answered: list[int] = []
        self.requested: list[tuple[int, str]] = []
        self._att = lambda: SimpleNamespace(status=Status.PENDING if pending else Status.NONE, validator=Web3.to_checksum_address("0x" + "0a" * 20), finalized=False, response=0)

    def attestation(self, agent_id, h):
        if ("attestation", h[0]) in self.fail:
            raise self.fail[("attestation", h[0])]
        return self._att()

    def respond(self, h, score, **kw):
        if ("respond", h[0]) in self.fail:
            raise self.fail[("respond", h[0])]
        self.answered.append(h[0])

    def request(self, v, agent_id, uri, h):
        if ("request", h[0], v) in self.fail:
            raise self.fail[("request", h[0], v)]
        self.requested.append((h[0], v))


def test_the_pool_watcher_answers_every_other_epoch_when_one_fails():
    from hashtrust.errors import RevertError, TransactionError
    from hashtrust.hashrate.operator import PoolEpoch
    from hashtrust.hashrate.pool_watcher import answer_requests

    vault = _FakeVault(["funded"] * 5, {"epoch 3": ConnectionResetError("reset by peer")})
    val = _FakeValidation({
        ("respond", 1): RevertError("validation: finalized", action="validationResponseFor"),
        ("attestation", 2): TransactionError("node unreachable\x1b[2J"),
    })
    pool = {e: PoolEpoch(e, 900, 40_000) for e in range(5)}
    lines: list[str] = []
    verdicts = answer_requests(vault, val, "0x" + "0a" * 20, pool, log=lines.append)
    assert [v.epoch for v in verdicts] == [0, 4] and val.answered == [0, 4]
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2", "epoch 3"]
    assert "validation: finalized" in lines[0] and "ConnectionResetError" in lines[2]
    assert all("\x1b" not in line for line in lines)


def test_the_operator_goes_on_with_every_other_epoch_and_validator_when_one_fails():
    from hashtrust.errors import RevertError
    from hashtrust.hashrate.operator import PoolEpoch, run_operator

    v_a, v_b = "0x" + "0a" * 20, "0x" + "0b" * 20
    vault = _FakeVault(["none", "funded", "none", "reported"], {"report 0": RevertError("vault: delivered exceeds the sold hashrate", action="report_epoch")})
    val = _FakeValidation({("request", 1, v_a): RevertError("validation: self-validation", action="validationRequest")}, pending=False)
    pool = {e: PoolEpoch(e, 900, 40_000) for e in range(4)}
    done = run_operator(vault, val, pool)
    assert done[0].startswith("epoch 0 failed this pass: report_epoch reverted: vault: delivered exceeds")
    assert f"request 1 from {v_a} refused: validationRequest reverted: validation: self-validation" in done
    assert f"requested 1 from {v_b}" in done and "reported 2" in done and "funded 2" in done and "funded 3" in done
    assert (3, v_a) in val.requested and (3, v_b) in val.requested  # the epochs after the failures were served
