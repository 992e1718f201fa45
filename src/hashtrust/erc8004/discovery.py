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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hashtrust.chain.decode import display
from hashtrust.chain.fetch import FetchPolicy, Resolver
from hashtrust.errors import HashtrustError

Fetch = Callable[[str], bytes]

# Registration files are small; a ranking reads one per agent, so each gets a short deadline.
REGISTRATION_POLICY = FetchPolicy(deadline=5.0, max_bytes=256 * 1024)
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
) -> list[Ranked]:
    """Agents whose registration declares ``capability``, best first.

    Each agent's registration file is read in its own boundary (``workers`` in parallel, each
    under the resolver's deadline): one that cannot be read or parsed -- a refused scheme, a
    server that never answers, broken JSON -- simply does not match."""
    if not trusted:
        raise HashtrustError("name at least one trusted client: summaries over unknown clients are Sybil-prone")
    cap = capability.strip().lower()
    ids = list(agent_ids) if agent_ids is not None else list(range(1, identity.total_agents() + 1))

    def registration(a: int) -> dict | None:
        try:
            reg = json.loads(fetch(identity.token_uri(a)))
        except Exception:  # noqa: BLE001 - an unreadable registration simply does not match
            return None
        return reg if isinstance(reg, dict) else None

    if len(ids) > 1 and workers > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(ids)), thread_name_prefix="hashtrust-rank") as pool:
            regs = list(pool.map(registration, ids))
    else:
        regs = [registration(a) for a in ids]
    out: list[Ranked] = []
    for a, reg in zip(ids, regs):
        try:
            if reg is None or cap not in capabilities(reg):
                continue
        except Exception:  # noqa: BLE001 - a registration file of any shape: no match
            continue
        s = reputation.summary(a, trusted, tag1=tag1, tag2=tag2)
        name = reg.get("name", "")
        out.append(Ranked(a, name if isinstance(name, str) else json.dumps(name)[:128], s.count, s.value, s.decimals, [cap]))
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
