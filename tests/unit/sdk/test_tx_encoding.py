"""The SDK's fast paths give the same bytes as web3 / eth-account: `LocalSigner` signs an
EIP-1559 transaction exactly as eth-account does, and `calldata` encodes a contract call exactly
as web3's ``_encode_transaction_data`` (falling back to it for arguments it must normalise)."""

import pytest
from eth_account import Account
from web3 import Web3

from hashtrust.chain import artifacts
from hashtrust.chain.tx import LocalSigner, calldata

KEY = "0x" + "4c" * 32
TO = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.mark.parametrize(
    "tx",
    [
        {"to": TO, "data": "0x" + "ab" * 300, "value": 0, "gas": 300_000, "nonce": 7, "chainId": 31337, "maxFeePerGas": 2 * 10**9 + 1, "maxPriorityFeePerGas": 10**9},
        {"to": TO, "value": 10**18, "gas": 36_250, "nonce": 0, "chainId": 1, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0},
        {"data": "0x6000", "value": 0, "gas": 90_000, "nonce": 2**20, "chainId": 31337, "maxFeePerGas": 10**9, "maxPriorityFeePerGas": 10**9},
        {"to": TO, "data": b"\x01\x02", "gas": 50_000, "nonce": 3, "chainId": 31337, "maxFeePerGas": 10**12, "maxPriorityFeePerGas": 1},
    ],
)
def test_eip1559_signature_is_eth_accounts(tx):
    expected = bytes(Account.from_key(KEY).sign_transaction(dict(tx)).raw_transaction)
    assert LocalSigner.from_key(KEY).sign_transaction(dict(tx)) == expected


def test_other_transactions_are_signed_by_eth_account():
    tx = {"to": TO, "value": 1, "gas": 21_000, "nonce": 0, "chainId": 31337, "gasPrice": 10**9}
    assert LocalSigner.from_key(KEY).sign_transaction(dict(tx)) == bytes(Account.from_key(KEY).sign_transaction(dict(tx)).raw_transaction)


def test_what_eth_account_refuses_is_still_refused():
    tx = {"to": TO.lower(), "value": 1, "gas": 21_000, "nonce": 0, "chainId": 31337, "maxFeePerGas": 1, "maxPriorityFeePerGas": 1}
    with pytest.raises(TypeError, match="invalid fields"):
        LocalSigner.from_key(KEY).sign_transaction(tx)


def _contract(name):
    w3 = Web3()
    return w3.eth.contract(address=TO, abi=artifacts.abi(name))


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.get_function_by_signature("register(string,(string,bytes)[])")("https://a.example/x.json", [("hashtrust.key", b"k-1"), ("version", b"1.0.0")]),
        lambda c: c.get_function_by_signature("register()")(),
        lambda c: c.functions.setMetadata(3, "k", b"\x00\x01"),
        lambda c: c.functions.setMetadata(3, "k", "0x0001"),  # hex string for bytes: web3 normalises it
        lambda c: c.functions.transferFrom(TO, TO, 5),
    ],
)
def test_calldata_is_web3s(make):
    call = make(_contract("IdentityRegistry"))
    assert calldata(call) == call._encode_transaction_data()


def test_what_web3_refuses_is_still_refused():
    call = _contract("IdentityRegistry").functions.transferFrom(TO.lower(), TO, 5)
    with pytest.raises(Exception, match="checksum"):
        calldata(call)
