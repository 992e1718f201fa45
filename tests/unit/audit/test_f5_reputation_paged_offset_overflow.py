"""F5 (fixed, informational): `readAllFeedbackPaged` with a client list and an offset near 2**256
reverted with a bare arithmetic panic (`offset + limit` overflowed) instead of answering.

Every other paged view (the all-clients page, `getClientsPaged`, the validation pages) answers
an offset past the end with an empty page and the total; the client-list page now does too.
"""

import boa
import pytest
from audit_env import deploy, give, register

MAX = 2**256 - 1


@pytest.fixture
def world():
    ident, rep, _ = deploy()
    owner, client = boa.env.generate_address("owner"), boa.env.generate_address("client")
    agent = register(ident, owner)
    for v in (10, 20, 30):
        give(rep, client, agent, value=v)
    return rep, agent, client


@pytest.mark.parametrize("offset", [MAX, MAX - 127, 2**255])
def test_f5_an_offset_near_2_256_reads_an_empty_page_and_the_total(world, offset):
    rep, agent, client = world
    page = rep.readAllFeedbackPaged(agent, [client], "", "", True, offset, 128)
    assert [list(col) for col in page[:7]] == [[]] * 7 and page[7] == 3
    all_clients = rep.readAllFeedbackPaged(agent, [], "", "", True, offset, 128)
    assert [list(col) for col in all_clients[:7]] == [[]] * 7 and all_clients[7] == 3


def test_f5_pages_before_the_end_are_unchanged(world):
    rep, agent, client = world
    page = rep.readAllFeedbackPaged(agent, [client], "", "", False, 1, 128)
    assert list(page[1]) == [2, 3] and list(page[2]) == [20, 30] and page[7] == 3
