"""Agent discovery: agents offering a capability, ranked by reputation over trusted clients.

    ranked = rank(identity, reputation, "summarize", trusted=[alice, bob], tag1="starred")
    print(table(ranked))

A capability matches an agent when its registration file (the agentURI, read through the SDK's
one resolver, `hashtrust.chain.fetch`: ``data:``, ``https:``, ``ipfs:`` via a gateway, ``http:``
to loopback; never local files; 5 s and 256 KiB per file) names it as a service (``services[].name``), a skill or a
domain (``services[].skills`` / ``services[].capabilities`` / ``services[].domains`` -- the
fields of `hashtrust.registration.Service` plus OASF domains; OASF paths match on any whole
segment: ``summarize`` matches ``natural_language_processing/summarize``), or in a top-level
``skills``/``capabilities`` list. Case does not matter.

Reputation is `getSummary(agent, trusted, tag1, tag2)`: only feedback from clients the reader
trusts counts (the spec's Sybil rule); ranking is by average, then by number of feedbacks,
then by agent id. Agents with fewer than ``min_count`` trusted feedbacks are listed last.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from hashtrust.chain import jsonsafe
from hashtrust.chain.decode import display, one_line
from hashtrust.chain.fetch import FetchError, FetchPolicy, Resolver
from hashtrust.errors import HashtrustError

Fetch = Callable[[str], bytes]

# Registration files are small; a ranking reads one per agent, so each gets a short deadline.
REGISTRATION_POLICY = FetchPolicy(deadline=5.0, max_bytes=256 * 1024)
RANK_BUDGET_S = 30.0
"""The most `rank` spends reading registration files in all (third review, finding 6); the agents
not read by then are listed as unreadable ("the ranking's budget was spent")."""
PER_HOST = 2
"""The most registration files `rank` reads from one host at a time; once one read from a host has
timed out, the rest of that host's URIs are not tried (one hanging host costs one deadline)."""
fetch_registration: Fetch = Resolver(REGISTRATION_POLICY)
"""The resolver `rank` and ``agents show`` read agentURIs with (`hashtrust.chain.fetch`)."""


def capabilities(reg: dict) -> set[str]:
    """Every capability word a registration file declares (lower case)."""
    out: set[str] = set()

    def add(items: Any) -> None:
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, Iterable):
            return
        for it in items:
            if isinstance(it, str) and it:
                s = it.strip().lower()
                out.add(s)
                out.update(p for p in s.split("/") if p)
            elif isinstance(it, dict):
                add([it.get("name", ""), it.get("id", "")])

    for svc in reg.get("services") or reg.get("endpoints") or []:
        if isinstance(svc, dict):
            add([svc.get("name", "")])
            add(svc.get("skills") or [])
            add(svc.get("capabilities") or [])
            add(svc.get("domains") or [])
    add(reg.get("skills") or [])
    add(reg.get("capabilities") or [])
    return out


@dataclass
class Ranked:
    agent_id: int
    name: str
    count: int
    value: int
    decimals: int
    matched: list[str] = field(default_factory=list)

    @property
    def number(self) -> Decimal:
        return Decimal(self.value).scaleb(-self.decimals)


class Ranking(list):
    """`rank`'s answer: the matching agents, best first (a list of `Ranked`), and in
    ``unreadable`` every agent whose registration file could not be read or parsed, as
    ``(agent_id, why)``: such an agent is not ranked, and the reader is told so."""

    def __init__(self, ranked: Iterable[Ranked] = (), unreadable: Iterable[tuple[int, str]] = ()):
        super().__init__(ranked)
        self.unreadable: list[tuple[int, str]] = list(unreadable)


def rank(
    identity: Any,
    reputation: Any,
    capability: str,
    trusted: Sequence[str],
    *,
    agent_ids: Iterable[int] | None = None,
    tag1: str = "",
    tag2: str = "",
    min_count: int = 1,
    fetch: Fetch = fetch_registration,
    workers: int = 8,
    progress: Callable[[str, int], Any] | None = None,
    budget_s: float = RANK_BUDGET_S,
) -> Ranking:
    """Agents whose registration declares ``capability``, best first.

    Each agent's registration file is read in its own boundary (``workers`` in parallel, each
    under the resolver's deadline): one that cannot be read or parsed -- a refused scheme, a
    server or name server that never answers, broken JSON -- is not ranked and is listed, with
    why, in the answer's ``unreadable``. Reading is bounded in all: at most `PER_HOST` reads from
    one host at a time, none more from a host once one has timed out, and none started after
    ``budget_s`` seconds (`RANK_BUDGET_S`). ``progress(what, total)``
    gives a bar (``update(n)``, ``close()``) shown while more than 50 agents are read."""
    if not trusted:
        raise HashtrustError("name at least one trusted client: summaries over unknown clients are Sybil-prone")
    cap = capability.strip().lower()
    ids = list(agent_ids) if agent_ids is not None else list(range(1, identity.total_agents() + 1))
    bar = progress(f"reading {len(ids):,} agents", len(ids)) if progress is not None and len(ids) > 50 else None

    unreadable: dict[int, str] = {}
    started = time.monotonic()
    lock = threading.Lock()
    slots: dict[str, threading.Semaphore] = {}
    hung: dict[str, str] = {}  # host -> the URI whose read timed out

    def host_of(uri: str) -> str:
        parts = urlsplit(uri)
        return (parts.hostname or "").lower() if parts.scheme in ("http", "https") else parts.scheme.lower()

    def read(uri: str) -> bytes:
        host = host_of(uri)
        if not host or host == "data":
            return fetch(uri)
        with lock:
            slot = slots.setdefault(host, threading.Semaphore(PER_HOST))
        with slot:
            if host in hung:
                raise HashtrustError(f"not read: an earlier read from {display(host, 80)} timed out ({display(hung[host], 80)})")
            if time.monotonic() - started > budget_s:
                raise HashtrustError(f"not read: the ranking's {budget_s:g} s budget for reading registration files was spent")
            try:
                return fetch(uri)
            except FetchError as exc:
                if not exc.permanent and "deadline" in exc.problem:
                    hung.setdefault(host, uri)
                raise

    def registration(a: int) -> dict | None:
        try:
            if time.monotonic() - started > budget_s:
                raise HashtrustError(f"not read: the ranking's {budget_s:g} s budget for reading registration files was spent")
            reg = jsonsafe.loads(read(identity.token_uri(a)))
            if not isinstance(reg, dict):
                raise HashtrustError(f"registration file is a JSON {type(reg).__name__}, not an object")
        except Exception as exc:  # noqa: BLE001 - one agent's boundary: reported, not ranked
            unreadable[a] = f"registration file is not JSON ({display(str(exc), 200)})" if isinstance(exc, ValueError) and not isinstance(exc, HashtrustError) else one_line(exc)
            reg = None
        finally:
            if bar is not None:
                bar.update(1)  # (tqdm's update is thread-safe)
        return reg

    if len(ids) > 1 and workers > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(ids)), thread_name_prefix="hashtrust-rank") as pool:
            regs = list(pool.map(registration, ids))
    else:
        regs = [registration(a) for a in ids]
    out = Ranking(unreadable=sorted(unreadable.items()))
    for a, reg in zip(ids, regs):
        try:
            if reg is None or cap not in capabilities(reg):
                continue
        except Exception:  # noqa: BLE001 - a registration file of any shape: no match
            continue
        s = reputation.summary(a, trusted, tag1=tag1, tag2=tag2)
        name = reg.get("name", "")
        out.append(Ranked(a, name if isinstance(name, str) else json.dumps(name)[:128], s.count, s.value, s.decimals, [cap]))
    if bar is not None:
        bar.close()
    out.sort(key=lambda r: (r.count < min_count, -r.number, -r.count, r.agent_id))
    return out


def table(ranked: Sequence[Ranked], min_count: int = 1, *, capability: str | None = None, n_trusted: int = 0, tag1: str = "") -> str:
    """The ranking as the command lines print it; with ``capability``, under a heading that says
    what was ranked over how many trusted clients (and ``tag1``)."""
    lines = []
    if capability is not None:
        lines.append(f"agents offering {capability!r}, ranked over {n_trusted} trusted client(s)" + (f", tag1={tag1!r}" if tag1 else ""))
    lines.append(f"{'#':>3}  {'agent':>6}  {'name':<28} {'score':>12} {'n':>5}")
    for i, r in enumerate(ranked, start=1):
        score = f"{r.number}" if r.count >= min_count else "-"
        lines.append(f"{i:>3}  {r.agent_id:>6}  {display(r.name, 28)[:28]:<28} {score:>12} {r.count:>5}")
    return "\n".join(lines)
