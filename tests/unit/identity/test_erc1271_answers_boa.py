"""Which ERC-1271 answers make a contract an agent's wallet (issue 22, item 8).

Main called `isValidSignature` with `max_outsize=32` and compared 4 bytes: a longer answer was
cut to 32 bytes and only its first 4 bytes were checked, so contracts that never agreed became
wallets: one that echoes its calldata (its answer starts with the selector 0x1626ba7e), the
registry's own URI data contracts (they return their bytes to any call), and wallets answering
the magic value with dirty low bytes. The registry now accepts exactly what OpenZeppelin's
`SignatureChecker.isValidERC1271SignatureNow` accepts: the static call succeeded, returned at
least 32 bytes, and its first 32-byte word is 0x1626ba7e followed by 28 zero bytes.

Runs on titanoboa (``python -m pytest tests/unit/identity/test_erc1271_answers_boa.py -p no:ape_test``).
"""

from pathlib import Path

import boa
import pytest
import rlp
from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

ROOT = Path(__file__).resolve().parents[3]

# Mock1271Answers modes
ECHO, FOUR_BYTES, WORD_THEN_MORE, DIRTY_WORD_THEN_MORE, REVERT, DIRTY_WORD, CLEAN_WORD, SHORT_WORD, EMPTY = range(9)


@pytest.fixture
def reg():
    return boa.load(str(ROOT / "contracts" / "IdentityRegistry.vy"))


@pytest.fixture(scope="module")
def answers():
    return boa.load(str(ROOT / "contracts" / "mocks" / "Mock1271Answers.vy"))


@pytest.fixture
def owner():
    return boa.env.generate_address("agent-owner")


@pytest.fixture
def agent(reg, owner):
    with boa.env.prank(owner):
        return reg.register("ipfs://agent")


def _deadline(reg, k=0):
    return boa.env.evm.patch.timestamp + 200 + k


def _set_wallet(reg, owner, agent, wallet, deadline):
    """setAgentWallet as the owner; returns the call's MetadataSet logs."""
    with boa.env.prank(owner):
        reg.setAgentWallet(agent, wallet, deadline, b"\x01" * 65)
    return _metadata_set_logs(reg)


METADATA_SET = int.from_bytes(keccak(text="MetadataSet(uint256,string,string,bytes)"), "big")


def _metadata_set_logs(reg):
    """(agentId, key, value) of the last call's MetadataSet logs (boa cannot decode the indexed
    string, so the raw entries are decoded here)."""
    out = []
    for e in reg.get_logs(strict=False):
        if type(e).__name__ == "RawLogEntry" and e.topics[0] == METADATA_SET:
            key, value = decode(["string", "bytes"], e.data)
            assert e.topics[2] == int.from_bytes(keccak(text=key), "big")
            out.append((e.topics[1], key, value))
    return out


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        (ECHO, "echoes its calldata: the first word is the selector followed by the digest"),
        (FOUR_BYTES, "only 4 bytes: fewer than 32"),
        (DIRTY_WORD, "the magic value with a non-zero low byte"),
        (DIRTY_WORD_THEN_MORE, "64 bytes whose first word is dirty"),
        (SHORT_WORD, "31 bytes"),
        (REVERT, "the call reverts"),
        (EMPTY, "no return data"),
    ],
)
def test_lenient_erc1271_answers_do_not_make_a_wallet(reg, answers, agent, owner, mode, why):
    wallet = answers.answerer(mode)
    with boa.reverts("identity: invalid wallet signature"):
        _set_wallet(reg, owner, agent, wallet, _deadline(reg, mode))
    assert reg.getAgentWallet(agent) == owner, why  # unchanged: still the registrant
    assert reg.last_wallet_deadline(agent) == 0


@pytest.mark.parametrize("mode", [CLEAN_WORD, WORD_THEN_MORE])
def test_the_magic_word_makes_a_wallet_as_openzeppelin_accepts_it(reg, answers, agent, owner, mode):
    """32 bytes, or more whose first word is clean (OpenZeppelin reads the first word of an
    answer of >= 32 bytes and ignores the rest)."""
    wallet = answers.answerer(mode)
    deadline = _deadline(reg, mode)
    logs = _set_wallet(reg, owner, agent, wallet, deadline)
    assert logs == [(agent, "agentWallet", bytes.fromhex(str(wallet)[2:]))]
    assert reg.getAgentWallet(agent) == wallet
    assert reg.last_wallet_deadline(agent) == deadline


def test_the_registrys_own_data_contract_is_not_a_wallet(reg, owner):
    """A URI is stored as the code of a data contract that returns its bytes to any call. One
    whose bytes begin with 0x1626ba7e (then anything but 28 zero bytes) passed main's 4-byte
    check; the agent's owner could name it (or another agent's URI contract) as a wallet."""
    uri = b"\x16\x26\xba\x7e" + b"not a wallet, just a registration file" * 2
    data = keccak(text="register(string)")[:4] + encode(["bytes"], [uri])
    boa.env.raw_call(reg.address, sender=owner, data=data)
    agent = reg.total_agents()
    pointer = to_checksum_address(keccak(rlp.encode([bytes.fromhex(reg.address[2:]), 1]))[12:])
    assert boa.env.get_code(pointer)[10:] == uri  # the data contract holding agent 1's URI
    with boa.reverts("identity: invalid wallet signature"):
        _set_wallet(reg, owner, agent, pointer, _deadline(reg))
    assert reg.getAgentWallet(agent) == owner
