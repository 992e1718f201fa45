"""Reputation averages are exact (issue 15, item 4): the registry's `getSummary` truncates the mean
in the most frequent decimals (values 1 and 2 -> 1), so `agents reputation` / `agents show`
print the mean of the feedback the chosen clients gave, computed exactly from the feedback
itself, beside the registry's own figure (JSON ``number``). The registry is a stand-in that
answers as the contract does (truncated); tests/e2e/test_user_commands.py checks the real one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hashtrust.erc8004.commands import exact_average, reputation
from hashtrust.erc8004.reputation import Feedback, Summary, decode_value

from web3 import Web3

A, B, C = (Web3.to_checksum_address("0x" + c * 40) for c in "abc")


class FakeRep:
    """Feedback as stored, `getSummary` truncated toward zero in the most frequent decimals."""

    def __init__(self, rows):
        self.rows = [Feedback(c, i + 1, v, d, t1, "", False) for i, (c, v, d, t1) in enumerate(rows)]

    def clients(self, agent_id):
        return list(dict.fromkeys(r.client for r in self.rows))

    def read_all(self, agent_id, clients=(), **kw):
        return [r for r in self.rows if r.client in clients]

    def summary(self, agent_id, clients, *, tag1="", tag2=""):
        rows = [r for r in self.rows if r.client in clients and (not tag1 or r.tag1 == tag1)]
        if not rows:
            return Summary(0, 0, 0)
        decs = [r.decimals for r in rows]
        d = min(set(decs), key=lambda x: (-decs.count(x), x))
        total = sum(decode_value(r.value, r.decimals) for r in rows) * 10**d / len(rows)
        return Summary(len(rows), int(total), d)


class FakeIdentity:
    def total_agents(self):
        return 1

    def owner_of(self, agent_id):
        return A


def test_values_1_and_2_average_1_5_not_1():
    rep = FakeRep([(A, 1, 0, "starred"), (B, 2, 0, "starred")])
    view = reputation(rep, FakeIdentity(), 1, [A, B])
    assert view.overall.number == 1  # what the registry says
    assert view.overall.average == "1.5" and view.by_tag[0].average == "1.5"
    assert view.to_json()["overall"]["average"] == "1.5" and view.to_json()["overall"]["number"] == "1"
    row = [ln for ln in view.text().splitlines() if ln.strip().startswith("(any)")][0]
    assert row.split()[-2:] == ["1.5", "2"], view.text()


def test_mixed_decimals_average_exactly():
    # 1 (0 decimals), 2.5 (1 decimal), 99.77 (2 decimals): mean 34.423333...; per tag: 1.75 and 99.77
    rep = FakeRep([(A, 1, 0, "a"), (B, 25, 1, "a"), (C, 9977, 2, "b")])
    view = reputation(rep, FakeIdentity(), 1, None)
    assert view.overall.average == "~34.423333333333"
    assert {t.tag1: t.average for t in view.by_tag} == {"a": "1.75", "b": "99.77"}


@pytest.mark.parametrize("numbers, shown", [
    (["1", "2"], "1.5"), (["100", "200"], "150"), (["-3", "0.5"], "-1.25"), (["1", "1", "2"], "~1.333333333333"),
    (["170141183460469231731687303715884105727", "1"], "85070591730234615865843651857942052864"), ([], None),
])
def test_exact_average(numbers, shown):
    assert exact_average([Decimal(n) for n in numbers]) == shown
