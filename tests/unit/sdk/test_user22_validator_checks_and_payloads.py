"""Issue 22, new-user review (s5/user22): a validator's check and a requester's payload file.

- A check that returns ``True`` ("it passed") was posted on chain as a score of 1: ``bool`` is an
  ``int``. It is now refused like any score outside 0..100 (retried, never answered).
- A check that calls ``sys.exit()`` ended the whole validator agent (exit 3), although one
  request's trouble must stay inside its boundary. It is now one skipped request.
- ``validations request --payload-file /dev/zero`` read for ever; a non-UTF-8 file was "an
  unexpected failure"; ``--payload '{"a": NaN}'`` was accepted and put a request file that is not
  JSON on chain. Each is now one ``Error:`` line before anything connects.

A stand-in client: nothing here touches the chain.
"""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner
from eth_utils import keccak
from web3 import Web3

from hashtrust.cli import main as cli
from hashtrust.erc8004.validation import Attestation, RequestFile, Status
from hashtrust.erc8004.validator import ValidatorAgent

ME = Web3.to_checksum_address("0x" + "11" * 20)
REQUEST = RequestFile.build(31337, "0x" + "22" * 20, 1, ME, {"job": 1}, created_at="2026-01-01T00:00:00Z")
OTHER = RequestFile.build(31337, "0x" + "22" * 20, 2, ME, {"job": 2}, created_at="2026-01-01T00:00:00Z")


class _Sender:
    address = ME

    def settle(self):
        return 0


class _Client:
    """Two pending requests (agents 1 and 2) addressed to ME."""

    def __init__(self):
        self.sender = _Sender()
        self.requests = [(f.agentId, keccak(f.content()), f.uri()) for f in (REQUEST, OTHER)]
        self.answered: dict[tuple[int, bytes], int] = {}

    def validator_requests_page(self, validator, offset, limit):
        page = self.requests[offset : offset + limit]
        return [h for _a, h, _u in page], [a for a, _h, _u in page], len(self.requests)

    def attestation(self, agent_id, request_hash, block="latest"):
        done = (agent_id, request_hash) in self.answered
        return Attestation(Status.FINALIZED if done else Status.PENDING, ME, self.answered.get((agent_id, request_hash), 0), done, 0)

    def request_uris(self, validator, from_block=0):
        return {(a, h): u for a, h, u in self.requests}

    def respond(self, request_hash, response, *, agent_id, **kwargs):
        self.answered[(agent_id, request_hash)] = response


def _content(uri: str) -> bytes:
    for f in (REQUEST, OTHER):
        if f.uri() == uri:
            return f.content()
    raise AssertionError(uri)


def test_a_check_returning_true_is_not_posted_as_a_score_of_1():
    client = _Client()
    agent = ValidatorAgent(client, check=lambda req, raw: True, fetch=_content)
    report = agent.run_once()
    assert client.answered == {}  # nothing on chain claims 1/100
    assert report.answered == []
    assert len(report.skipped) == 2 and all("bool" in why for _a, _h, why in report.skipped), report.skipped


def test_a_check_calling_sys_exit_stays_inside_its_request():
    client = _Client()

    def check(req, raw):
        if req.agentId == 1:
            sys.exit(3)
        return 77

    agent = ValidatorAgent(client, check=check, fetch=_content)
    report = agent.run_once()  # raised SystemExit before the fix
    assert client.answered == {(2, keccak(OTHER.content())): 77}
    assert [(a, why) for a, _h, why in report.skipped] == [(1, "check called sys.exit(3)")], report.skipped


def _request(args, tmp_path):
    # --rpc to a closed port: a payload refused before connecting never reaches it
    return CliRunner().invoke(cli, ["--rpc", "http://127.0.0.1:9", "validations", "request", "1", "0x" + "33" * 20, *args])


@pytest.mark.parametrize(
    "make, expect",
    [
        (lambda tmp: "/dev/zero", "is larger than 1,048,576 bytes"),
        (lambda tmp: _write(tmp / "latin1.json", b'\xff\xfe{"a": 1}'), "is not UTF-8 text"),
        (lambda tmp: _write(tmp / "nan.json", b'{"a": NaN}'), "NaN is not a JSON value"),
    ],
    ids=["dev-zero", "not-utf8", "nan"],
)
def test_a_bad_payload_file_is_one_error_line(make, expect, tmp_path):
    result = _request(["--payload-file", str(make(tmp_path))], tmp_path)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expect in lines[0], result.output


@pytest.mark.parametrize("payload", ['{"a": NaN}', "Infinity", '[-Infinity]'])
def test_a_payload_that_is_not_json_is_refused(payload, tmp_path):
    result = _request(["--payload", payload], tmp_path)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "is not valid JSON" in lines[0] and "not a JSON value" in lines[0], result.output


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_a_check_path_that_is_not_a_python_file_says_so(tmp_path):
    """`validate --check /tmp/x.json:fn` said `cannot import '/tmp/x.json' (No module named '/tmp/x')`."""
    from hashtrust.erc8004.validator import load_check
    from hashtrust.errors import InputError

    target = _write(tmp_path / "x.json", b"{}")
    with pytest.raises(InputError) as info:
        load_check(f"{target}:fn")
    assert "is a path but not a .py file" in str(info.value) and "No module named" not in str(info.value)
    with pytest.raises(InputError, match="cannot import 'no_such_module_u22'"):
        load_check("no_such_module_u22:fn")  # a module name is still imported
