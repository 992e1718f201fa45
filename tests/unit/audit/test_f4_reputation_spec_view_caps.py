"""F4 (accepted, low): one client, or 257 sybils, make the spec's unpaged reputation views refuse
for everyone.

- `readAllFeedback(agent, [], "", "", false)` serves at most MAX_READ = 128 entries: a single
  client's 129 feedbacks (their own feedback, no consent needed) make it revert "reputation: too
  many results, use readAllFeedbackPaged". The reference returns them (16.6k gas a feedback, so
  it fails only near ~1,800 feedbacks under a 30M gas cap).
- `getClients(agent)` serves at most MAX_CLIENTS = 256 clients: 257 addresses with one feedback
  each make it revert "reputation: too many clients, use getClientsPaged".

Not fixed: the bounds are the memory a view reserves (seven 128-entry arrays; a 1,024-entry bound
would cost every call ~0.9M gas of memory) and are published (MAX_READ, MAX_CLIENTS, NatSpec,
docs/reputation.md). What holds, and is asserted here: the paged views serve everything at O(page)
whatever the spam, and the summaries readers choose (`getSummary` over chosen clients) are
untouched by the spammer, who adds only its own feedback.
"""

import boa
import pytest
from audit_env import deployer

NO_HASH = b"\x00" * 32


@pytest.fixture(scope="module")
def world():
    with boa.swap_env(boa.Env()):
        ident = deployer("contracts/IdentityRegistry.vy").deploy()
        rep = deployer("contracts/ReputationRegistry.vy").deploy(ident.address)
        owner, alice, spammer = (boa.env.generate_address(n) for n in ("owner", "alice", "spammer"))
        with boa.env.prank(owner):
            agent = ident.register("")
        with boa.env.prank(alice):
            rep.giveFeedback(agent, 90, 0, "starred", "", "", "", NO_HASH)
        yield ident, rep, agent, alice, spammer


def test_f4_one_client_with_129_feedbacks_makes_read_all_refuse(world):
    ident, rep, agent, alice, spammer = world
    with boa.env.anchor():
        with boa.env.prank(spammer):
            for _ in range(128):
                rep.giveFeedback(agent, 0, 0, "", "", "", "", NO_HASH)
        with boa.reverts("reputation: too many results, use readAllFeedbackPaged"):
            rep.readAllFeedback(agent, [], "", "", False)
        # the paged view serves every entry; alice's stays first and the chosen summary is hers
        page = rep.readAllFeedbackPaged(agent, [], "", "", False, 0, 128)
        assert page[0][0] == alice and page[7] == 129
        rest = rep.readAllFeedbackPaged(agent, [], "", "", False, 128, 128)
        assert list(rest[0]) == [spammer] and rest[7] == 129
        assert rep.getSummary(agent, [alice], "", "") == (1, 90, 0)
        assert rep.readAllFeedback(agent, [alice], "", "", False)[2] == [90]


def test_f4_257_sybil_clients_make_get_clients_refuse(world):
    ident, rep, agent, alice, spammer = world
    with boa.env.anchor():
        sybils = [boa.env.generate_address(f"sybil{i}") for i in range(256)]
        for s in sybils:
            with boa.env.prank(s):
                rep.giveFeedback(agent, 0, 0, "", "", "", "", NO_HASH)
        with boa.reverts("reputation: too many clients, use getClientsPaged"):
            rep.getClients(agent)
        first, total = rep.getClientsPaged(agent, 0, 128)
        assert total == 257 and first[0] == alice
        tail, _ = rep.getClientsPaged(agent, 256, 128)
        assert list(tail) == [sybils[-1]]
        assert rep.getSummary(agent, [alice], "", "") == (1, 90, 0)
