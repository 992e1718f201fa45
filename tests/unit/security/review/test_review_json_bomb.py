"""JSON nested 150,000 deep kills the process that parses it (SIGSEGV), through every error boundary.

py_ecc (imported by web3's stack, so by every `hashtrust` process) raises the interpreter's
recursion limit to 100,000, so `json.loads` never gets to raise `RecursionError` on deep nesting:
it recurses in C until the thread's stack overflows. 150 KB of ``[`` -- under the resolver's
caps (1 MiB for a request file, 256 KiB for a registration file) -- is enough. Whoever can point
a URI at such a file (any requester of a validation, any agent owner) crashes the validator agent
(again after every restart: quarantine lives in memory), `agents rank` for every user of the
registry, and `agents show`; a hand-edited address book nested that deep crashes every command
instead of being refused as "not valid JSON".

Each case runs the SDK code in a fresh process (as the real commands do) and asserts that it
survives: the request is judged by the validator's rules, the hostile agent does not match, the
book is refused with its one-line error.
"""

from __future__ import annotations

import signal

from review_helpers import body_server, run_fresh

BOMB = b"[" * 150_000  # 150 KB


def _died(out) -> str:
    if out.returncode < 0:
        return f"killed by {signal.Signals(-out.returncode).name}"
    return f"exit {out.returncode}"


def test_review_json_bomb_request_file_does_not_kill_the_validator():
    with body_server({"/request.json": BOMB}) as (base, hits):
        out = run_fresh(f"""
            from web3 import Web3
            from hashtrust.chain.fetch import FetchPolicy, Resolver
            from hashtrust.erc8004.validation import Attestation, Status
            from hashtrust.erc8004.validator import ValidatorAgent

            ME = Web3.to_checksum_address("0x" + "11" * 20)
            H = b"\\x01" * 32

            class Sender:
                address = ME
                def settle(self):
                    return 0

            class Client:  # one pending request addressed to me, whose URI serves the bomb
                sender = Sender()
                answers = []
                def validator_requests_page(self, validator, offset, limit):
                    return ([H], [7], 1) if offset == 0 else ([], [], 1)
                def attestation(self, agent_id, request_hash, block="latest"):
                    return Attestation(Status.PENDING, ME, 0, False, 0)
                def request_uris(self, validator, from_block=0):
                    return {{(7, H): "{base}/request.json"}}
                def respond(self, *args, **kwargs):
                    self.answers.append(kwargs.get("agent_id"))

            agent = ValidatorAgent(Client(), fetch=Resolver(FetchPolicy()))  # what `hashtrust validate` builds
            print("ROUND", agent.run_once().summary(), flush=True)
        """)
    assert hits.get("/request.json") == 1  # the validator did fetch it (it is within the 1 MiB cap)
    assert out.returncode == 0 and "ROUND" in out.stdout, f"the validator died ({_died(out)}): {out.stderr[-500:]}"


def test_review_json_bomb_registration_file_does_not_kill_rank():
    with body_server({"/agent.json": BOMB}) as (base, _hits):
        out = run_fresh(f"""
            import base64, json
            from types import SimpleNamespace
            from hashtrust.erc8004.discovery import rank

            honest = json.dumps({{"name": "Honest", "services": [{{"name": "MCP", "skills": ["proving"]}}]}}).encode()
            uris = {{1: "{base}/agent.json", 2: "data:application/json;base64," + base64.b64encode(honest).decode()}}

            class Identity:
                def total_agents(self):
                    return 2
                def token_uri(self, agent_id):
                    return uris[agent_id]

            class Reputation:
                def summary(self, agent_id, trusted, tag1="", tag2=""):
                    return SimpleNamespace(count=1, value=90, decimals=0)

            ranked = rank(Identity(), Reputation(), "proving", ["0x" + "22" * 20])
            print("RANKED", [r.agent_id for r in ranked], flush=True)
        """)
    assert out.returncode == 0 and "RANKED [2]" in out.stdout, f"rank died ({_died(out)}): {out.stderr[-500:]}"


def test_review_json_bomb_address_book_is_refused_not_a_crash(tmp_path):
    (tmp_path / "31337.json").write_bytes(BOMB)
    out = run_fresh(f"""
        from hashtrust.chain.addressbook import AddressBook
        from hashtrust.errors import AddressBookError
        try:
            AddressBook(31337, {str(tmp_path)!r})
        except AddressBookError as exc:
            print("REFUSED", exc, flush=True)
    """)
    assert out.returncode == 0 and "REFUSED" in out.stdout and "is not valid JSON" in out.stdout, (
        f"loading the book died ({_died(out)}): {out.stderr[-500:]}"
    )
