# pragma version ~=0.4.3
"""
@title Contracts that answer ERC-1271 `isValidSignature` in odd ways (test-only)
@custom:contract-name Mock1271Answers
@license MIT
@notice Deploys one tiny contract per answer mode (`answerer(mode)`); each
        answers every call, whatever its calldata, with exactly the raw bytes
        of its mode, so a test can check which ERC-1271 answers the Identity
        registry accepts. (Vyper 0.4 has no raw return, so the answerers are
        raw EVM code made the way the registry makes its data contracts.)
        OpenZeppelin's `isValidERC1271SignatureNow` accepts a successful call
        that returned at least 32 bytes whose first word is 0x1626ba7e
        padded with zeros:
        0 ECHO: returns its whole calldata (selector 0x1626ba7e, then the
          digest, ...): a contract that never agreed to anything;
        1 FOUR_BYTES: the bare 4 bytes 0x1626ba7e;
        2 WORD_THEN_MORE: the clean magic word and 32 more bytes (64 bytes);
        3 DIRTY_WORD_THEN_MORE: the magic value with a non-zero low byte, then
          32 more bytes (64 bytes);
        4 REVERT: reverts with no data;
        5 DIRTY_WORD: the magic value with a non-zero low byte (32 bytes);
        6 CLEAN_WORD: exactly the ABI-encoded bytes4 0x1626ba7e (32 bytes);
        7 SHORT_WORD: 31 bytes (0x1626ba7e and 27 zero bytes);
        8 EMPTY: succeeds and returns nothing.
"""

# @dev Number of answer modes.
MODES: public(constant(uint256)) = 9

# @dev Mode -> the contract answering with that mode's bytes.
answerer: public(address[MODES])

_MAGIC_WORD: constant(bytes32) = 0x1626BA7E00000000000000000000000000000000000000000000000000000000
_DIRTY_WORD: constant(bytes32) = 0x1626BA7E00000000000000000000000000000000000000000000000000000001
# @dev Runtime code: copy the calldata to memory and return it.
_ECHO_CODE: constant(Bytes[7]) = b"\x36\x5f\x5f\x37\x36\x5f\xf3"
# @dev Runtime code: revert with no data.
_REVERT_CODE: constant(Bytes[3]) = b"\x5f\x5f\xfd"


@deploy
def __init__():
    """
    @dev Deploys the nine answerers.
    """
    more: bytes32 = keccak256(b"more")
    self.answerer[0] = self._deploy(_ECHO_CODE)
    self.answerer[1] = self._deploy(self._returning(b"\x16\x26\xba\x7e"))
    self.answerer[2] = self._deploy(self._returning(concat(_MAGIC_WORD, more)))
    self.answerer[3] = self._deploy(self._returning(concat(_DIRTY_WORD, more)))
    self.answerer[4] = self._deploy(_REVERT_CODE)
    self.answerer[5] = self._deploy(self._returning(concat(_DIRTY_WORD, b"")))
    self.answerer[6] = self._deploy(self._returning(concat(_MAGIC_WORD, b"")))
    self.answerer[7] = self._deploy(self._returning(slice(_MAGIC_WORD, 0, 31)))
    self.answerer[8] = self._deploy(self._returning(b""))


@internal
@pure
def _header(n: uint256) -> Bytes[10]:
    """
    @dev PUSH2 n DUP1 PUSH1 10 PUSH0 CODECOPY PUSH0 RETURN: "return the n
         bytes that follow me".
    @param n The number of bytes that follow.
    @return Bytes The 10-byte header.
    """
    return concat(b"\x61", convert(convert(n, uint16), bytes2), b"\x80\x60\x0a\x5f\x39\x5f\xf3")


@internal
@pure
def _returning(data: Bytes[64]) -> Bytes[74]:
    """
    @dev Runtime code that returns `data` to every call.
    @param data The answer.
    @return Bytes The runtime code.
    """
    return concat(self._header(len(data)), data)


@internal
def _deploy(runtime: Bytes[74]) -> address:
    """
    @dev Deploys `runtime` as a contract's code.
    @param runtime The runtime code.
    @return address The new contract.
    """
    return raw_create(concat(self._header(len(runtime)), runtime))
