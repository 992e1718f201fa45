"""Issue 22, new-user review (s5/user22): `hashtrust validate` (the polling loop) while its node is
down logged the whole requests exception -- `ConnectionError: HTTPConnectionPool(host=..., port=...):
Max retries exceeded with url: / (Caused by NewConnectionError(...` , about 300 characters --
on every poll (16 lines in 6 s at `--poll 0.5`). It now says once that the node does not answer,
and once that it answers again; the loop still goes on and answers after the node is back.

A stand-in client: nothing here touches the chain.
"""

from __future__ import annotations

import requests
from eth_utils import keccak
from web3 import Web3

from hashtrust.erc8004.validation import Attestation, RequestFile, Status
from hashtrust.erc8004.validator import ValidatorAgent

ME = Web3.to_checksum_address("0x" + "11" * 20)
REQUEST = RequestFile.build(31337, "0x" + "22" * 20, 1, ME, {"job": 1}, created_at="2026-01-01T00:00:00Z")


class _Sender:
    address = ME

    def settle(self):
        return 0


class _FlakyClient:
    """The node refuses connections for the first `down` reads of the validator's list."""

    def __init__(self, down: int):
        self.sender = _Sender()
        self.down = down
        self.h = keccak(REQUEST.content())
        self.answered: dict[tuple[int, bytes], int] = {}

    def validator_requests_page(self, validator, offset, limit):
        if self.down > 0:
            self.down -= 1
            raise requests.exceptions.ConnectionError(
                "HTTPConnectionPool(host='127.0.0.1', port=8622): Max retries exceeded with url: / "
                "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))"
            )
        return [self.h], [1], 1

    def attestation(self, agent_id, request_hash, block="latest"):
        done = (agent_id, request_hash) in self.answered
        return Attestation(Status.FINALIZED if done else Status.PENDING, ME, self.answered.get((agent_id, request_hash), 0), done, 0)

    def request_uris(self, validator, from_block=0):
        return {(1, self.h): REQUEST.uri()}

    def respond(self, request_hash, response, *, agent_id, **kwargs):
        self.answered[(agent_id, request_hash)] = response


def test_a_node_down_for_many_polls_is_logged_once_and_the_loop_recovers():
    client, lines = _FlakyClient(down=12), []
    agent = ValidatorAgent(client, fetch=lambda uri: REQUEST.content(), log=lines.append)
    agent.run(poll=0.001, rounds=15)
    failed = [ln for ln in lines if "failed" in ln]
    assert failed == ["round 0 failed: ConnectionError: the node does not answer; retrying every 0.001 s (said once until it answers)"], lines
    assert "round 12: the node answers again (it did not from round 0)" in lines, lines
    assert client.answered == {(1, client.h): 100}  # answered once the node is back
    assert all(len(ln) < 200 for ln in lines), lines


def test_other_round_failures_are_still_logged_each_time():
    class _Broken(_FlakyClient):
        def validator_requests_page(self, validator, offset, limit):
            raise ValueError("the node sent a page that is not a list")

    lines: list[str] = []
    ValidatorAgent(_Broken(0), fetch=lambda uri: b"", log=lines.append).run(poll=0.001, rounds=3)
    assert lines == [f"round {n} failed: ValueError: the node sent a page that is not a list" for n in range(3)], lines
