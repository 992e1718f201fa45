# pragma version ~=0.4.3
"""
@title Bitcoin consensus arithmetic (headers, compact targets, retargets, coinbases, merkle branches)
@custom:contract-name bitcoin
@license MIT
@notice Stateless functions the light relay and the hashprice index share:
        - 80-byte header fields and double-SHA-256 header hashes;
        - compact nBits decoding and encoding (Bitcoin Core's `SetCompact` /
          `GetCompact`), proof-of-work checks and the work of a header;
        - the 2,016-block retarget rule (`CalculateNextWorkRequired`, with
          its real off-by-one: the span runs from the epoch's first block to
          its last, 2,015 intervals);
        - coinbase parsing: BIP34 height, the sum of the outputs, the txid;
        - the coinbase's merkle branch folded up to the header's root;
        - header chains checked against the epochs a caller loaded.
        Written from the Bitcoin Core sources' rules (pow.cpp, arith_uint256,
        validation.cpp); no code was copied from any relay.
@dev Nothing here reads or writes storage. Epochs are passed in packed form
     (`bits | start_time << 32`, 0 = unknown), as the relay stores them.
     Hashes are kept in Bitcoin's internal byte order (the order SHA-256
     produces and headers embed); block explorers print them reversed.
"""


# @dev Bytes in a serialised block header.
HEADER_BYTES: constant(uint256) = 80
# @dev Blocks per difficulty epoch.
RETARGET_INTERVAL: constant(uint256) = 2_016
# @dev Two weeks, the timespan an epoch should take (`nPowTargetTimespan`).
TARGET_TIMESPAN: constant(uint256) = 1_209_600
# @dev Blocks per halving of the subsidy.
HALVING_INTERVAL: constant(uint256) = 210_000
# @dev The initial subsidy, 50 BTC in sats.
INITIAL_SUBSIDY: constant(uint256) = 5_000_000_000
# @dev 21 million BTC in sats (`MAX_MONEY`): no output and no output sum may exceed it.
MAX_MONEY: constant(uint256) = 2_100_000_000_000_000
# @dev The difficulty-1 target, 0xffff * 2**208 (compact 0x1d00ffff).
DIFF1_TARGET: constant(uint256) = 65_535 * 2**208
# @dev Largest coinbase (witness stripped) a proof may carry: 8x Bitcoin
#      Core's default 4,000-byte coinbase reservation, ~950 P2WPKH outputs (a
#      pool paying its miners in the coinbase). Vyper lays buffers out at
#      their maximum size, twice (the caller's frame and the parser's), so
#      this bound costs gas on every proof (~10k more than 16,384 would).
#      A block with a larger coinbase cannot be proven; the index's proof
#      window publishes its period without it.
MAX_COINBASE_BYTES: constant(uint256) = 32_768
# @dev Most headers in a checked chain (a block and up to 63 confirmations).
MAX_CHAIN_HEADERS: constant(uint256) = 64
# @dev Bytes of the longest chain `_check_chain` takes.
MAX_CHAIN_BYTES: constant(uint256) = MAX_CHAIN_HEADERS * HEADER_BYTES
# @dev Deepest merkle branch (a block of 2**32 transactions).
MAX_BRANCH: constant(uint256) = 32
# @dev A loop bound for the coinbase's outputs (each is at least 9 bytes).
_MAX_OUTPUTS: constant(uint256) = MAX_COINBASE_BYTES // 9

# byte-swap masks: every other byte, pair of bytes, ... (0x00FF00FF..., 0x0000FFFF..., ...)
_M8: constant(uint256) = max_value(uint256) // (2**16 - 1) * (2**8 - 1)
_M16: constant(uint256) = max_value(uint256) // (2**32 - 1) * (2**16 - 1)
_M32: constant(uint256) = max_value(uint256) // (2**64 - 1) * (2**32 - 1)
_M64: constant(uint256) = max_value(uint256) // (2**128 - 1) * (2**64 - 1)
_M128: constant(uint256) = 2**128 - 1
# @dev The low 32 bits (a uint32 field; nBits in a packed epoch record).
_U32: constant(uint256) = 2**32 - 1
# @dev The 23-bit mantissa of compact nBits, and its sign bit.
_MANTISSA: constant(uint256) = 2**23 - 1
_SIGN_BIT: constant(uint256) = 2**23
# @dev Opcodes a BIP34 height may start with: OP_0, OP_1 (0x51) .. OP_16 (0x60).
_OP_1: constant(uint256) = 81
_OP_16: constant(uint256) = 96
# @dev CompactSize prefixes of a 2-, 4- and 8-byte integer (0xfd, 0xfe, 0xff).
_CS_2: constant(uint256) = 253
_CS_4: constant(uint256) = 254


# ---------------------------------------------------------------- byte order
@internal
@pure
def _reverse256(x: uint256) -> uint256:
    """
    @dev Reverses the 32 bytes of `x` (internal byte order <-> number).
    @param x A 256-bit word.
    @return The word with its bytes in the opposite order.
    """
    v: uint256 = ((x >> 8) & _M8) | ((x & _M8) << 8)
    v = ((v >> 16) & _M16) | ((v & _M16) << 16)
    v = ((v >> 32) & _M32) | ((v & _M32) << 32)
    v = ((v >> 64) & _M64) | ((v & _M64) << 64)
    return (v >> 128) | ((v & _M128) << 128)


@internal
@pure
def _swap32(x: uint256) -> uint256:
    """
    @dev Reverses the 4 low bytes of `x` (a little-endian uint32 read big-endian).
    @param x A value below 2**32.
    @return The same 4 bytes in the opposite order.
    """
    return ((x & 2**8 - 1) << 24) | ((x & 2**16 - 2**8) << 8) | ((x >> 8) & 2**16 - 2**8) | (x >> 24)


@internal
@pure
def _swap64(x: uint256) -> uint256:
    """
    @dev Reverses the 8 low bytes of `x` (a little-endian uint64 read big-endian).
    @param x A value below 2**64.
    @return The same 8 bytes in the opposite order.
    """
    return (self._swap32(x & _U32) << 32) | self._swap32(x >> 32)


# ---------------------------------------------------------------- compact targets
@internal
@pure
def _target(bits: uint256) -> uint256:
    """
    @dev Decodes compact `bits` as Bitcoin Core's `SetCompact`, refusing what
         `CheckProofOfWork` refuses: a negative, zero or overflowing target.
    @param bits The compact nBits (below 2**32).
    @return The 256-bit target.
    """
    size: uint256 = bits >> 24
    word: uint256 = bits & _MANTISSA
    assert word == 0 or bits & _SIGN_BIT == 0, "bitcoin: nBits encode a negative target"
    assert word == 0 or (size <= 34 and (word < 2**8 or size <= 33) and (word < 2**16 or size <= 32)), "bitcoin: nBits overflow 256 bits"
    target: uint256 = 0
    if size <= 3:
        target = word >> (8 * (3 - size))
    else:
        target = word << (8 * (size - 3))
    assert target != 0, "bitcoin: nBits encode a zero target"
    return target


@internal
@pure
def _byte_length(x: uint256) -> uint256:
    """
    @dev The number of significant bytes of `x` (0 for 0).
    @param x Any word.
    @return Its length in bytes, 0..32.
    """
    v: uint256 = x
    n: uint256 = 0
    if v >= 1 << 128:
        v = v >> 128
        n += 16
    if v >= 1 << 64:
        v = v >> 64
        n += 8
    if v >= 1 << 32:
        v = v >> 32
        n += 4
    if v >= 1 << 16:
        v = v >> 16
        n += 2
    if v >= 1 << 8:
        v = v >> 8
        n += 1
    if v != 0:
        n += 1
    return n


@internal
@pure
def _compact(target: uint256) -> uint256:
    """
    @dev Encodes `target` in compact form as Bitcoin Core's `GetCompact`
         (truncating to a 23-bit mantissa; a mantissa with its sign bit set
         is shifted one byte right and the exponent raised).
    @param target A positive target.
    @return The compact nBits.
    """
    size: uint256 = self._byte_length(target)
    word: uint256 = 0
    if size <= 3:
        word = target << (8 * (3 - size))
    else:
        word = target >> (8 * (size - 3))
    if word & _SIGN_BIT != 0:
        word = word >> 8
        size += 1
    return word | (size << 24)


@internal
@pure
def _next_bits(bits: uint256, first_time: uint256, last_time: uint256, pow_limit: uint256) -> uint256:
    """
    @dev Bitcoin's retarget (`CalculateNextWorkRequired`): the span from the
         epoch's first block to its last (2,015 intervals, Bitcoin's real
         off-by-one), clamped to [timespan / 4, timespan * 4]; the old target
         times the span over two weeks (integer floor), capped at the pow
         limit, re-encoded in compact form. The product is computed exactly
         (Bitcoin Core's 256-bit product would wrap above a ~2**233 target,
         which only regtest's pow limit reaches, and regtest never retargets).
    @param bits The epoch's nBits.
    @param first_time Timestamp of the epoch's first block.
    @param last_time Timestamp of the epoch's last block.
    @param pow_limit The network's easiest target (its `powLimit`).
    @return The next epoch's nBits.
    """
    span: uint256 = TARGET_TIMESPAN // 4
    if last_time > first_time:
        span = max(last_time - first_time, TARGET_TIMESPAN // 4)
    span = min(span, TARGET_TIMESPAN * 4)
    old: uint256 = self._target(bits)
    # old * span // T without overflow: old = hi * 2**128 + lo, span < 2**23
    high: uint256 = (old >> 128) * span
    quotient: uint256 = high // TARGET_TIMESPAN
    target: uint256 = pow_limit
    if quotient < 2**128 - 16:
        low: uint256 = ((high % TARGET_TIMESPAN) << 128) + (old & (2**128 - 1)) * span
        target = min((quotient << 128) + low // TARGET_TIMESPAN, pow_limit)
    return self._compact(target)


@internal
@pure
def _difficulty(target: uint256) -> uint256:
    """
    @dev The difficulty of `target` as an integer: floor(0xffff * 2**208 / target).
    @param target A positive target.
    @return Bitcoin's difficulty, rounded down.
    """
    return DIFF1_TARGET // target


@internal
@pure
def _work(target: uint256) -> uint256:
    """
    @dev Expected hashes to meet `target` (`GetBlockProof`): 2**256 / (target + 1).
    @param target A positive target.
    @return The work of one header at that target.
    """
    return (max_value(uint256) - target) // (target + 1) + 1


@internal
@pure
def _subsidy(height: uint256) -> uint256:
    """
    @dev The block subsidy at `height`: 50 BTC >> (height // 210,000), 0 after 64 halvings.
    @param height A block height.
    @return The subsidy in sats.
    """
    halvings: uint256 = height // HALVING_INTERVAL
    if halvings >= 64:
        return 0
    return INITIAL_SUBSIDY >> halvings


# ---------------------------------------------------------------- headers
@internal
@pure
def _bits_and_time(headers: Bytes[MAX_CHAIN_BYTES], offset: uint256) -> (uint256, uint256):
    """
    @dev The nBits and timestamp of the header at byte `offset` of `headers`.
    @param headers Concatenated 80-byte headers.
    @param offset Where the header starts.
    @return (nBits, timestamp).
    """
    tail: uint256 = extract32(headers, offset + 48, output_type=uint256)
    return self._swap32((tail >> 32) & _U32), self._swap32((tail >> 64) & _U32)


@internal
@pure
def _check_chain(headers: Bytes[MAX_CHAIN_BYTES], first_height: uint256, epoch0: uint256, epoch1: uint256, by_coinbase: bool) -> (bytes32, bytes32, bytes32, uint256, uint256, uint256):
    """
    @dev Checks a header chain that starts at `first_height` against the
         epochs the caller loaded: each header links to the one before it,
         carries its epoch's nBits (the header at an epoch's first height
         also its start time) and meets that target. At most one boundary.
    @param headers Concatenated 80-byte headers, oldest first.
    @param first_height Height of the first header.
    @param epoch0 Packed record of the epoch of `first_height` (0 = unknown).
    @param epoch1 Packed record of the next epoch (0 = unknown or not needed).
    @param by_coinbase True when the height came from a coinbase (BIP34):
           a header that disagrees with its epoch then means the height
           disagrees with the chain.
    @return (first hash, last hash, first merkle root, first timestamp,
             last timestamp, total work).
    """
    size: uint256 = len(headers)
    assert size % HEADER_BYTES == 0, "bitcoin: headers must be 80 bytes each"
    count: uint256 = size // HEADER_BYTES
    assert count != 0, "bitcoin: no headers"
    last_height: uint256 = first_height + count - 1
    boundary: uint256 = (first_height // RETARGET_INTERVAL + 1) * RETARGET_INTERVAL
    assert last_height < boundary + RETARGET_INTERVAL, "bitcoin: chain spans more than one retarget"
    assert epoch0 != 0, "bitcoin: the chain's epoch is not relayed"
    assert last_height < boundary or epoch1 != 0, "bitcoin: the chain's next epoch is not relayed"
    work: uint256 = 0
    first_hash: bytes32 = empty(bytes32)
    prev: bytes32 = empty(bytes32)
    first_time: uint256 = 0
    time: uint256 = 0
    epoch: uint256 = epoch0
    target: uint256 = self._target(epoch0 & _U32)
    for i: uint256 in range(count, bound=MAX_CHAIN_HEADERS):
        offset: uint256 = i * HEADER_BYTES
        height: uint256 = first_height + i
        if height == boundary:
            epoch = epoch1
            target = self._target(epoch1 & _U32)
        tail: uint256 = extract32(headers, offset + 48, output_type=uint256)
        bits: uint256 = self._swap32((tail >> 32) & _U32)
        time = self._swap32((tail >> 64) & _U32)
        at_start: bool = height % RETARGET_INTERVAL == 0
        if by_coinbase:
            assert bits == epoch & _U32, "bitcoin: BIP34 height disagrees with the chain"
            assert not at_start or time == epoch >> 32, "bitcoin: BIP34 height disagrees with the chain"
        else:
            assert bits == epoch & _U32, "bitcoin: header nBits disagree with its epoch"
            assert not at_start or time == epoch >> 32, "bitcoin: header time disagrees with its epoch's start"
        digest: bytes32 = sha256(sha256(slice(headers, offset, HEADER_BYTES)))
        assert self._reverse256(convert(digest, uint256)) <= target, "bitcoin: header does not meet its target"
        if i == 0:
            first_hash = digest
            first_time = time
        else:
            assert extract32(headers, offset + 4) == prev, "bitcoin: headers are not linked"
        prev = digest
        work += self._work(target)
    return first_hash, prev, extract32(headers, 36), first_time, time, work


# ---------------------------------------------------------------- coinbase
@internal
@pure
def _varint(word: uint256) -> (uint256, uint256):
    """
    @dev Reads a CompactSize integer from the first bytes of `word` (32 bytes
         of the coinbase read big-endian from the integer's first byte).
    @param word The bytes at the integer, as a big-endian word.
    @return (value, bytes it takes: 1, 3, 5 or 9).
    """
    first: uint256 = word >> 248
    if first < _CS_2:
        return first, 1
    width: uint256 = 8
    if first == _CS_2:
        width = 2
    elif first == _CS_4:
        width = 4
    value: uint256 = self._swap64((word >> 184) & (2**64 - 1)) & ((1 << (8 * width)) - 1)
    # Bitcoin's ReadCompactSize refuses a value that fits a shorter form
    assert value >= _CS_2 and (width == 2 or value >= 2**16) and (width <= 4 or value >= 2**32), "bitcoin: non-canonical CompactSize in coinbase"
    return value, 1 + width


@internal
@pure
def _bip34_height(word: uint256, script_len: uint256) -> uint256:
    """
    @dev The height a BIP34 coinbase script starts with, exactly as Bitcoin
         Core writes it (`CScript() << height`): OP_0, OP_1..OP_16, or a
         minimal little-endian number push of 1 to 8 bytes.
    @param word The script's first 32 bytes, big-endian.
    @param script_len The script's length.
    @return The height.
    """
    op: uint256 = word >> 248
    if op == 0:
        return 0
    if op >= _OP_1 and op <= _OP_16:
        return op - (_OP_1 - 1)
    assert op >= 1 and op <= 8 and op < script_len, "bitcoin: coinbase script does not start with a BIP34 height"
    height: uint256 = self._swap64((word >> 184) & (2**64 - 1)) & ((1 << (8 * op)) - 1)
    top: uint256 = height >> (8 * (op - 1))
    assert top & 2**7 == 0, "bitcoin: coinbase script does not start with a BIP34 height"
    assert top != 0 or (op > 1 and (height >> (8 * (op - 2))) & 2**7 != 0), "bitcoin: coinbase script does not start with a BIP34 height"
    assert height > 16, "bitcoin: coinbase script does not start with a BIP34 height"
    return height


@internal
@pure
def _coinbase(data: Bytes[MAX_COINBASE_BYTES]) -> (bytes32, uint256, uint256):
    """
    @dev Parses a coinbase transaction (serialised without witness, the form
         its txid hashes): one input spending the null outpoint, a 2..100
         byte script starting with the BIP34 height, outputs whose values
         and sum stay within 21 million BTC, the locktime, nothing after.
         A 64-byte coinbase is accepted: the 64-byte rule guards against an
         internal merkle node (two 32-byte hashes) posing as a transaction,
         and a node cannot pose as a coinbase here, whose bytes 5..40 must be
         32 zero bytes and 0xffffffff (the null outpoint): that puts 27 zero
         bytes into a double-SHA-256 output and 5 more into the other, about
         2**256 hashes of work. Nor can a real 64-byte coinbase pose as a node
         above a forged subtree: its branch is folded from position 0 as a
         leaf, and a forged child would need a preimage of its first half.
    @dev Reads are 32-byte words (no helper takes the whole buffer); near the
         end they come from the last word shifted up, zero-filled.
    @param data The raw coinbase.
    @return (txid in internal byte order, BIP34 height, sum of the outputs in sats).
    """
    size: uint256 = len(data)
    assert size >= 42, "bitcoin: coinbase truncated"
    # a read at o where fewer than 32 bytes remain comes from the last word, shifted up
    last: uint256 = extract32(data, size - 32, output_type=uint256)
    head: uint256 = extract32(data, 0, output_type=uint256)
    inputs: uint256 = (head >> 216) & 255
    assert not (inputs == 0 and (head >> 208) & 255 == 1), "bitcoin: coinbase must be serialised without witness"
    assert inputs == 1, "bitcoin: a coinbase has exactly one input"
    word: uint256 = 0
    if size >= 69:
        word = extract32(data, 37, output_type=uint256)
    else:
        word = last << (8 * (69 - size))
    assert extract32(data, 5) == empty(bytes32) and word >> 224 == 2**32 - 1, "bitcoin: not a coinbase: its input spends an outpoint"
    if size >= 73:
        word = extract32(data, 41, output_type=uint256)
    else:
        word = last << (8 * (73 - size))
    script_len: uint256 = word >> 248
    assert script_len >= 2 and script_len <= 100, "bitcoin: coinbase script must be 2 to 100 bytes"
    assert 42 + script_len + 4 < size, "bitcoin: coinbase truncated"
    height: uint256 = self._bip34_height(word << 8, script_len)
    offset: uint256 = 42 + script_len + 4
    if offset + 32 <= size:
        word = extract32(data, offset, output_type=uint256)
    else:
        word = last << (8 * (offset + 32 - size))
    outputs: uint256 = 0
    width: uint256 = 0
    outputs, width = self._varint(word)
    offset += width
    paid: uint256 = 0
    for i: uint256 in range(outputs, bound=_MAX_OUTPUTS):
        assert offset + 9 <= size, "bitcoin: coinbase truncated"
        if offset + 32 <= size:
            word = extract32(data, offset, output_type=uint256)
        else:
            word = last << (8 * (offset + 32 - size))
        value: uint256 = self._swap64(word >> 192)
        assert value <= MAX_MONEY, "bitcoin: coinbase output exceeds 21 million BTC"
        paid += value
        assert paid <= MAX_MONEY, "bitcoin: coinbase outputs exceed 21 million BTC"
        script_size: uint256 = 0
        script_size, width = self._varint(word << 64)
        offset += 8 + width + script_size
    assert offset + 4 <= size, "bitcoin: coinbase truncated"
    assert offset + 4 == size, "bitcoin: coinbase has bytes after its locktime"
    return sha256(sha256(data)), height, paid


@internal
@pure
def _fold(leaf: bytes32, branch: DynArray[bytes32, MAX_BRANCH]) -> bytes32:
    """
    @dev Folds the first transaction's merkle branch up to the root: at
         position 0 every sibling is on the right.
    @param leaf The coinbase txid (internal byte order).
    @param branch The siblings from the leaf up (internal byte order).
    @return The merkle root the branch implies.
    """
    node: bytes32 = leaf
    for sibling: bytes32 in branch:
        node = sha256(sha256(concat(node, sibling)))
    return node
