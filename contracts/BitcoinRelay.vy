# pragma version ~=0.4.3
"""
@title Bitcoin light relay (difficulty epochs, header chains, block-reward proofs)
@custom:contract-name BitcoinRelay
@license MIT
@notice Follows Bitcoin's difficulty epochs from a checkpoint and answers,
        for anyone who asks, whether a header chain carries real proof of
        work, and what a block paid its miner.
        - It stores one word per 2,016-block epoch: its nBits and the
          timestamp of its first block (the cost model of tBTC's
          LightRelay), not every header.
        - The deployer anchors it once at an epoch's first block.
        - A retarget is proven with P headers each side of the boundary:
          linked, each meeting its epoch's target, the new nBits equal to
          Bitcoin's retarget rule applied to the stored start time and the
          last old header's time (the x4 / /4 clamp, the pow limit, compact
          encoding, the 2,015-interval off-by-one).
        - `validate_chain` checks a chain at a given height against the
          stored epochs; `verify_reward` checks a block with k
          confirmations, its coinbase and the coinbase's merkle branch, and
          returns the block's BIP34 height, what it paid and its fees.
        Inspired by the design of tBTC's LightRelay (Solidity); written from
        Bitcoin's rules, no code copied.
@dev Security is proof of work: a forged retarget needs P real-difficulty
     headers, a forged reward k + 1 of them. Heights are not taken on
     trust: a reward proof's height comes from its coinbase (BIP34), and
     each of its headers must carry the nBits of that height's epoch (the
     header at an epoch's first height also its start time). The relay
     locates a retarget boundary by the retarget rule; on a network at its
     pow limit or without retargeting, where the rule leaves nBits
     unchanged, the proof's placement of the boundary is trusted.
     Not for networks with minimum-difficulty blocks (testnet3/4).
"""

from .modules import bitcoin


# ---------------------------------------------------------------- EVENTS
# @dev Emitted once, when the deployer anchors the relay (`block_hash` is zero
#      when anchored by number, nBits and start time).
event Anchored:
    epoch: indexed(uint256)
    bits: uint256
    start_time: uint256
    block_hash: bytes32

# @dev Emitted for every proven retarget: `epoch` is the new epoch.
event Retarget:
    epoch: indexed(uint256)
    old_bits: uint256
    new_bits: uint256
    start_time: uint256
    block_hash: bytes32


# ---------------------------------------------------------------- STRUCTS
# @dev One stored epoch, decoded.
struct Epoch:
    known: bool
    bits: uint256
    target: uint256
    difficulty: uint256
    start_time: uint256

# @dev What `validate_chain` found (hashes in internal byte order).
struct Chain:
    first_hash: bytes32
    last_hash: bytes32
    headers: uint256
    first_time: uint256
    last_time: uint256
    work: uint256

# @dev What a block paid, as a reward proof established it.
struct Reward:
    block_hash: bytes32
    height: uint256
    time: uint256
    paid: uint256
    subsidy: uint256
    fees: uint256
    confirmations: uint256


# ---------------------------------------------------------------- CONSTANTS
# @dev Most headers a retarget proof may carry on each side of the boundary.
MAX_PROOF_LENGTH: public(constant(uint256)) = 100
# @dev Bytes of the longest retarget proof.
_MAX_PROOF_BYTES: constant(uint256) = 2 * MAX_PROOF_LENGTH * bitcoin.HEADER_BYTES
# @dev Inputs meant to be one header are accepted up to this size, so that a
#      wrong length reverts with a reason instead of in the ABI decoder.
_MAX_HEADER_INPUT: constant(uint256) = 1_024


# ---------------------------------------------------------------- IMMUTABLES
# @dev The account allowed to anchor the relay (once).
DEPLOYER: public(immutable(address))
# @dev The network's easiest target (`powLimit`): no header may be easier.
POW_LIMIT: public(immutable(uint256))
# @dev Whether the network retargets (False on regtest: nBits never change).
RETARGETING: public(immutable(bool))
# @dev Confirmations a reward proof needs after its block (6 on mainnet).
CONFIRMATIONS: public(immutable(uint256))
# @dev Headers a retarget proof carries on each side of the boundary (P).
PROOF_LENGTH: public(immutable(uint256))


# ---------------------------------------------------------------- STORAGE
# @dev Epoch number => nBits | start_time << 32 (0 = not relayed).
_epochs: HashMap[uint256, uint256]
# @dev The epoch the relay was anchored at.
first_epoch: public(uint256)
# @dev The newest relayed epoch (the only one a retarget can extend).
latest_epoch: public(uint256)
# @dev Whether `anchor` has run.
anchored: public(bool)


@deploy
def __init__(pow_limit: uint256, retargeting: bool, confirmations: uint256, proof_length: uint256):
    """
    @dev Fixes the network's parameters; the relay knows nothing until anchored.
    @param pow_limit The network's `powLimit` (mainnet 2**224 - 1).
    @param retargeting False for a network that never retargets (regtest).
    @param confirmations Headers a reward proof needs after its block (k).
    @param proof_length Headers per side of a retarget proof (P, 1..100).
    """
    assert pow_limit != 0, "relay: pow limit is zero"
    assert confirmations < bitcoin.MAX_CHAIN_HEADERS, "relay: at most 63 confirmations"
    assert proof_length != 0 and proof_length <= MAX_PROOF_LENGTH, "relay: proof length must be 1 to 100"
    DEPLOYER = msg.sender
    POW_LIMIT = pow_limit
    RETARGETING = retargeting
    CONFIRMATIONS = confirmations
    PROOF_LENGTH = proof_length


# ---------------------------------------------------------------- INTERNAL
@internal
@view
def _header_target(bits: uint256) -> uint256:
    target: uint256 = bitcoin._target(bits)
    assert target <= POW_LIMIT, "relay: nBits above the pow limit"
    return target


@internal
@view
def _chain_epochs(first_height: uint256, headers: uint256) -> (uint256, uint256):
    """
    @dev The packed records of the epoch of `first_height` and, when the
         chain reaches the next one, of that epoch too.
    """
    epoch: uint256 = first_height // bitcoin.RETARGET_INTERVAL
    following: uint256 = 0
    if headers != 0 and (first_height + headers - 1) // bitcoin.RETARGET_INTERVAL > epoch:
        following = self._epochs[epoch + 1]
    return self._epochs[epoch], following


# ---------------------------------------------------------------- ANCHOR AND RETARGET
@external
def anchor(header: Bytes[_MAX_HEADER_INPUT], height: uint256):
    """
    @notice Anchors the relay at the first block of an epoch (once, by the deployer;
            `anchor_epoch` is the other form).
    @dev The header must carry valid proof of work for its own nBits, within
         the pow limit. The checkpoint itself is trusted: choose a block
         buried deep in the chain.
    @param header The 80-byte header of the epoch's first block.
    @param height Its height, a multiple of 2,016.
    """
    assert msg.sender == DEPLOYER, "relay: only the deployer anchors"
    assert not self.anchored, "relay: already anchored"
    assert len(header) == bitcoin.HEADER_BYTES, "relay: a header is 80 bytes"
    assert height % bitcoin.RETARGET_INTERVAL == 0, "relay: the anchor must be an epoch's first block"
    raw: Bytes[bitcoin.MAX_CHAIN_BYTES] = slice(header, 0, bitcoin.HEADER_BYTES)
    bits: uint256 = 0
    time: uint256 = 0
    bits, time = bitcoin._bits_and_time(raw, 0)
    target: uint256 = self._header_target(bits)
    digest: bytes32 = sha256(sha256(raw))
    assert bitcoin._reverse256(convert(digest, uint256)) <= target, "relay: header does not meet its target"
    epoch: uint256 = height // bitcoin.RETARGET_INTERVAL
    self._epochs[epoch] = bits | (time << 32)
    self.first_epoch = epoch
    self.latest_epoch = epoch
    self.anchored = True
    log Anchored(epoch=epoch, bits=bits, start_time=time, block_hash=digest)


@external
def anchor_epoch(number: uint256, bits: uint256, start_time: uint256):
    """
    @notice Anchors the relay at an epoch given by its number, nBits and start
            time (once, by the deployer), when its first header is not at hand.
    @dev All three values are trusted: the start time is what the epoch's
         retarget and its first block will be checked against.
    @param number The epoch number (height // 2,016).
    @param bits The epoch's compact nBits.
    @param start_time The timestamp of the epoch's first block.
    """
    assert msg.sender == DEPLOYER, "relay: only the deployer anchors"
    assert not self.anchored, "relay: already anchored"
    assert bits < 2**32 and start_time < 2**32, "relay: nBits and start time are uint32"
    self._header_target(bits)
    self._epochs[number] = bits | (start_time << 32)
    self.first_epoch = number
    self.latest_epoch = number
    self.anchored = True
    log Anchored(epoch=number, bits=bits, start_time=start_time, block_hash=empty(bytes32))


@external
def retarget(headers: Bytes[_MAX_PROOF_BYTES]):
    """
    @notice Proves the retarget that ends the latest epoch and records the next one.
    @dev `headers` are the last P headers of the latest epoch followed by the
         first P of the next: linked; the first P carry the epoch's nBits and
         meet its target; the (P+1)th carries the nBits Bitcoin's rule gives
         (from the stored start time and the Pth header's time) and starts
         the new epoch; the rest carry the same nBits and meet that target.
         Anyone may call it.
    @param headers 2 * P concatenated 80-byte headers, oldest first.
    """
    assert self.anchored, "relay: not anchored"
    size: uint256 = len(headers)
    assert size % bitcoin.HEADER_BYTES == 0, "relay: headers must be 80 bytes each"
    assert size == 2 * PROOF_LENGTH * bitcoin.HEADER_BYTES, "relay: a retarget proof has P headers each side"
    epoch: uint256 = self.latest_epoch
    record: uint256 = self._epochs[epoch]
    old_bits: uint256 = record & (2**32 - 1)
    target: uint256 = bitcoin._target(old_bits)
    bits: uint256 = old_bits
    prev: bytes32 = empty(bytes32)
    start_time: uint256 = 0
    start_hash: bytes32 = empty(bytes32)
    for i: uint256 in range(2 * PROOF_LENGTH, bound=2 * MAX_PROOF_LENGTH):
        offset: uint256 = i * bitcoin.HEADER_BYTES
        tail: uint256 = extract32(headers, offset + 48, output_type=uint256)
        header_bits: uint256 = bitcoin._swap32((tail >> 32) & (2**32 - 1))
        if i == PROOF_LENGTH:
            # the first header of the new epoch: the retarget rule decides its nBits
            last_time: uint256 = bitcoin._swap32((convert(extract32(headers, offset - 32), uint256) >> 64) & (2**32 - 1))
            if RETARGETING:
                bits = bitcoin._next_bits(old_bits, record >> 32, last_time, POW_LIMIT)
            assert header_bits == bits, "relay: new nBits disagree with the retarget rule"
            target = bitcoin._target(bits)
            start_time = bitcoin._swap32((tail >> 64) & (2**32 - 1))
        elif i > PROOF_LENGTH:
            assert header_bits == bits, "relay: nBits change again after the boundary (a second retarget)"
        else:
            assert header_bits == bits, "relay: header nBits disagree with the latest epoch"
        digest: bytes32 = sha256(sha256(slice(headers, offset, bitcoin.HEADER_BYTES)))
        assert bitcoin._reverse256(convert(digest, uint256)) <= target, "relay: header does not meet its target"
        if i != 0:
            assert extract32(headers, offset + 4) == prev, "relay: headers are not linked"
        if i == PROOF_LENGTH:
            start_hash = digest
        prev = digest
    self._epochs[epoch + 1] = bits | (start_time << 32)
    self.latest_epoch = epoch + 1
    log Retarget(epoch=epoch + 1, old_bits=old_bits, new_bits=bits, start_time=start_time, block_hash=start_hash)


# ---------------------------------------------------------------- VIEWS
@external
@view
def epoch_record(number: uint256) -> uint256:
    """
    @notice The stored word of an epoch: nBits | start_time << 32 (0 = not relayed).
    @param number The epoch number (height // 2,016).
    @return The packed record.
    """
    return self._epochs[number]


@external
@view
def epoch(number: uint256) -> Epoch:
    """
    @notice One epoch, decoded: nBits, target, integer difficulty and start time.
    @param number The epoch number (height // 2,016).
    @return The epoch (`known` False and zeros when it is not relayed).
    """
    record: uint256 = self._epochs[number]
    if record == 0:
        return empty(Epoch)
    bits: uint256 = record & (2**32 - 1)
    target: uint256 = bitcoin._target(bits)
    return Epoch(known=True, bits=bits, target=target, difficulty=bitcoin._difficulty(target), start_time=record >> 32)


@external
@view
def validate_chain(headers: Bytes[bitcoin.MAX_CHAIN_BYTES], first_height: uint256) -> Chain:
    """
    @notice Checks a header chain starting at `first_height` against the relayed epochs.
    @dev Reverts unless the headers are linked, each carries the nBits of its
         height's epoch (an epoch's first header also its start time) and
         meets that target, crossing at most one boundary. Being valid says
         the chain carries real work, not that it is on the best chain:
         judge that by its length and work.
    @param headers 1 to 64 concatenated 80-byte headers, oldest first.
    @param first_height Height of the first header.
    @return The chain's first and last hashes (internal byte order), length, times and work.
    """
    count: uint256 = len(headers) // bitcoin.HEADER_BYTES
    epoch0: uint256 = 0
    epoch1: uint256 = 0
    epoch0, epoch1 = self._chain_epochs(first_height, count)
    first: bytes32 = empty(bytes32)
    last: bytes32 = empty(bytes32)
    root: bytes32 = empty(bytes32)
    first_time: uint256 = 0
    last_time: uint256 = 0
    work: uint256 = 0
    first, last, root, first_time, last_time, work = bitcoin._check_chain(headers, first_height, epoch0, epoch1, False)
    return Chain(first_hash=first, last_hash=last, headers=count, first_time=first_time, last_time=last_time, work=work)


@external
@view
def verify_reward(headers: Bytes[bitcoin.MAX_CHAIN_BYTES], coinbase: Bytes[bitcoin.MAX_COINBASE_BYTES], branch: DynArray[bytes32, bitcoin.MAX_BRANCH]) -> Reward:
    """
    @notice Proves what a block paid: its height from its coinbase (BIP34),
            the sum of the coinbase's outputs, and its fees.
    @dev Reverts unless: the coinbase parses (one null-outpoint input, a BIP34
         height, outputs within 21M BTC, not 64 bytes); its branch folds to
         the first header's merkle root; the headers are the block and at
         least `CONFIRMATIONS` successors, valid at that height.
    @param headers The block's header and its confirmations, oldest first.
    @param coinbase The coinbase transaction serialised without witness.
    @param branch The coinbase's merkle branch (internal byte order), leaf first.
    @return The block's hash, height, time, what it paid, its subsidy, its
            fees (paid - subsidy, 0 if it claimed less) and the confirmations shown.
    """
    count: uint256 = len(headers) // bitcoin.HEADER_BYTES
    assert count > CONFIRMATIONS, "relay: too few confirmations"
    txid: bytes32 = empty(bytes32)
    height: uint256 = 0
    paid: uint256 = 0
    txid, height, paid = bitcoin._coinbase(coinbase)
    epoch0: uint256 = 0
    epoch1: uint256 = 0
    epoch0, epoch1 = self._chain_epochs(height, count)
    first: bytes32 = empty(bytes32)
    last: bytes32 = empty(bytes32)
    root: bytes32 = empty(bytes32)
    time: uint256 = 0
    last_time: uint256 = 0
    work: uint256 = 0
    first, last, root, time, last_time, work = bitcoin._check_chain(headers, height, epoch0, epoch1, True)
    assert bitcoin._fold(txid, branch) == root, "relay: merkle branch does not fold to the block's root"
    subsidy: uint256 = bitcoin._subsidy(height)
    fees: uint256 = 0
    if paid > subsidy:
        fees = paid - subsidy
    return Reward(block_hash=first, height=height, time=time, paid=paid, subsidy=subsidy, fees=fees, confirmations=count - 1)


@external
@view
def difficulty(number: uint256) -> uint256:
    """
    @notice The integer difficulty of a relayed epoch, floor(0xffff * 2**208 / target).
    @param number The epoch number.
    @return The difficulty (0 when the epoch is not relayed).
    """
    record: uint256 = self._epochs[number]
    if record == 0:
        return 0
    return bitcoin._difficulty(bitcoin._target(record & (2**32 - 1)))
