"""A plain-Python model of the ERC-8004 Reputation semantics (spec + reference behaviour),
with hashtrust's saturation instead of the reference's wrap, its agent-wide feedback order
(the positions of `readAllFeedbackPaged(agent, [])`) and response counts with the reference's
wildcards. The differential test compares the contract against it."""

from __future__ import annotations

from collections import Counter
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
    order: dict = field(default_factory=dict)  # agent -> [(client, index)] in the order given
    responses: dict = field(default_factory=dict)  # (agent, client, index) -> Counter(responder)

    def give(self, agent, client, value, decimals, tag1, tag2) -> int:
        fbs = self.feedback.setdefault((agent, client), [])
        if not fbs:
            self.clients.setdefault(agent, []).append(client)
        fbs.append(Fb(value, decimals, tag1, tag2))
        self.order.setdefault(agent, []).append((client, len(fbs)))
        return len(fbs)

    def respond(self, agent, client, index, responder) -> str | None:
        """None when allowed (and applied), else the expected revert reason."""
        if index == 0:
            return "reputation: index must be > 0"
        if index > self.last_index(agent, client):
            return "reputation: index out of bounds"
        self.responses.setdefault((agent, client, index), Counter())[responder] += 1
        return None

    def response_count(self, agent, client, index, responders) -> int:
        """The reference's (2.0.0) rule: client 0 = every feedback of every client (index not
        looked at); index 0 = every feedback of the client; responders [] = everyone (a
        responder listed twice counts twice)."""
        def of(key):
            c = self.responses.get(key, Counter())
            return sum(c.values()) if not responders else sum(c[r] for r in responders)

        if client is None:
            return sum(of(k) for k in self.responses if k[0] == agent)
        if index == 0:
            return sum(of((agent, client, i)) for i in range(1, self.last_index(agent, client) + 1))
        return of((agent, client, index))

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
        """Entries at positions [offset, offset + limit) that pass the filters. Positions:
        for [] the agent's feedback in the order given; for a list, client by client (a
        client listed twice has its feedback at two sets of positions)."""
        out = []
        for pos, (c, i) in enumerate(self.positions(agent, clients)):
            fb = self.feedback[(agent, c)][i - 1]
            ok = (include_revoked or not fb.revoked) and (not tag1 or fb.tag1 == tag1) and (not tag2 or fb.tag2 == tag2)
            if offset <= pos < offset + limit and ok:
                out.append((c, i, fb.value, fb.decimals, fb.tag1, fb.tag2, fb.revoked))
        return out

    def positions(self, agent, clients):
        if not clients:
            return list(self.order.get(agent, []))
        return [(c, i) for c in clients for i in range(1, self.last_index(agent, c) + 1)]
