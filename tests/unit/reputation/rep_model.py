"""A plain-Python model of the ERC-8004 Reputation semantics (spec + reference behaviour),
with hashtrust's saturation instead of the reference's wrap. The differential test compares
the contract against it."""

from __future__ import annotations

from dataclasses import dataclass, field

INT128_MAX = 2**127 - 1
INT128_MIN = -(2**127)


def tdiv(a: int, b: int) -> int:
    """Integer division truncating toward zero (EVM SDIV)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


@dataclass
class Fb:
    value: int
    decimals: int
    tag1: str
    tag2: str
    revoked: bool = False


@dataclass
class Model:
    feedback: dict = field(default_factory=dict)  # (agent, client) -> [Fb]
    clients: dict = field(default_factory=dict)  # agent -> [client] in first-seen order

    def give(self, agent, client, value, decimals, tag1, tag2) -> int:
        fbs = self.feedback.setdefault((agent, client), [])
        if not fbs:
            self.clients.setdefault(agent, []).append(client)
        fbs.append(Fb(value, decimals, tag1, tag2))
        return len(fbs)

    def last_index(self, agent, client) -> int:
        return len(self.feedback.get((agent, client), []))

    def revoke(self, agent, client, index) -> str | None:
        """None when allowed (and applied), else the expected revert reason."""
        if index == 0:
            return "reputation: index must be > 0"
        fbs = self.feedback.get((agent, client), [])
        if index > len(fbs):
            return "reputation: index out of bounds"
        if fbs[index - 1].revoked:
            return "reputation: already revoked"
        fbs[index - 1].revoked = True
        return None

    def _entries(self, agent, clients, tag1, tag2, include_revoked):
        for c in clients:
            for i, fb in enumerate(self.feedback.get((agent, c), []), start=1):
                if fb.revoked and not include_revoked:
                    continue
                if tag1 and fb.tag1 != tag1:
                    continue
                if tag2 and fb.tag2 != tag2:
                    continue
                yield c, i, fb

    def summary(self, agent, clients, tag1, tag2):
        total = count = 0
        counts = [0] * 19
        for _c, _i, fb in self._entries(agent, clients, tag1, tag2, False):
            total += fb.value * 10 ** (18 - fb.decimals)
            counts[fb.decimals] += 1
            count += 1
        if count == 0:
            return (0, 0, 0)
        mode = max(range(19), key=lambda d: (counts[d], -d))
        scaled = tdiv(tdiv(total, count), 10 ** (18 - mode))
        return (count, max(INT128_MIN, min(INT128_MAX, scaled)), mode)

    def read_all(self, agent, clients, tag1, tag2, include_revoked):
        cl = clients or self.clients.get(agent, [])
        return [(c, i, fb.value, fb.decimals, fb.tag1, fb.tag2, fb.revoked) for c, i, fb in self._entries(agent, cl, tag1, tag2, include_revoked)]

    def read_page(self, agent, clients, tag1, tag2, include_revoked, offset, limit):
        """Entries at positions [offset, offset + limit) that pass the filters (a client listed
        twice has its feedback at two sets of positions)."""
        cl = clients or self.clients.get(agent, [])
        out, pos = [], 0
        for c in cl:
            for i, fb in enumerate(self.feedback.get((agent, c), []), start=1):
                ok = (include_revoked or not fb.revoked) and (not tag1 or fb.tag1 == tag1) and (not tag2 or fb.tag2 == tag2)
                if offset <= pos < offset + limit and ok:
                    out.append((c, i, fb.value, fb.decimals, fb.tag1, fb.tag2, fb.revoked))
                pos += 1
        return out

    def positions(self, agent, clients):
        cl = clients or self.clients.get(agent, [])
        return [(c, i) for c in cl for i in range(1, self.last_index(agent, c) + 1)]
