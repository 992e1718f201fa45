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
        - A retarget is proven with a linked run of headers around the
          boundary: at least P before it (all of the old epoch), at least P
          after it (all of the new one, carrying together at least P
          headers' worth of work at the old difficulty), the new nBits equal
          to Bitcoin's retarget rule applied to the stored start time and
          the last old header's time, and the coinbase and merkle branch of
          the proof's first header: its BIP34 height pins every header's
          height, so the boundary can only be proven at height
          (e + 1) * 2,016.
        - Fork choice by work after the boundary: a proven retarget is
          pending for `CHALLENGE_WINDOW` seconds; a competing proof for the
          same boundary whose headers after the boundary carry more work
          replaces it (and, when it records another epoch, restarts the
          window). Only final epochs are used.
        - `validate_chain` checks a chain at a given height against the
          final epochs; `verify_reward` checks a block with k confirmations,
          its coinbase and the coinbase's merkle branch, and returns the
          block's BIP34 height, what it paid and its fees.
        Inspired by the design of tBTC's LightRelay (Solidity); written from
        Bitcoin's rules, no code copied.
@dev Security is proof of work and one honest watcher. Headers link
     backwards, so a real block pins its ancestors; the pin is the proof's
     first header, so a proof whose boundary header is a real block records
     the real epoch. Recording a wrong one takes every header from the first
     forged one on mined by the attacker: with a real first header all
     heights are real, so every height from the attacker's fork point to P
     past the boundary; with a forged first header, all of them, at least P
     headers at the old target before the boundary and P headers' worth of
     work after it (2P). Keeping it takes more work after the boundary than
     the honest chain shows there within the challenge window (Bitcoin's
     own fork choice, counted from the boundary; docs/bitcoin.md has the
     argument and the numbers). A forged reward costs k + 1 headers.
     Heights are never taken on trust where they enter state: a retarget's
     and a reward proof's come from a BIP34 coinbase. No header time more
     than two hours ahead of this chain's clock enters state (Bitcoin's
     own future-block rule). Not for networks with minimum-difficulty
     blocks (testnet3/4) nor for signet (its blocks are valid by a
     signature this relay does not check).
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

# @dev Emitted for every accepted retarget proof: `epoch` is the new epoch, pending
#      until `final_at`; `work` the proof's work after the boundary; `replaced`
#      when it replaced a pending proof with less work.
event Retarget:
    epoch: indexed(uint256)
    old_bits: uint256
    new_bits: uint256
    start_time: uint256
    block_hash: bytes32
    work: uint256
    final_at: uint256
    replaced: bool


# ---------------------------------------------------------------- STRUCTS
# @dev One stored epoch, decoded.
struct Epoch:
    known: bool
    bits: uint256
    target: uint256
    difficulty: uint256
    start_time: uint256

# @dev The retarget waiting for its challenge window (`epoch` 0 when none).
struct Pending:
    epoch: uint256
    bits: uint256
    start_time: uint256
    work: uint256
    final_at: uint256

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
# @dev Largest P (the fewest headers a retarget proof carries on each side).
MAX_PROOF_LENGTH: public(constant(uint256)) = 100
# @dev Smallest P and k: P = 1 makes a retarget almost free, k = 0 counts a stale block.
MIN_PROOF_LENGTH: public(constant(uint256)) = 2
MIN_CONFIRMATIONS: public(constant(uint256)) = 2
# @dev Shortest challenge window the constructor takes (seconds).
MIN_CHALLENGE_WINDOW: public(constant(uint256)) = 3_600
# @dev Most headers a retarget proof may carry in all (both sides). The honest
#      chain's best answer to a forged retarget is this many real headers;
#      Vyper lays the argument out at its full size, so the bound costs memory
#      gas on every retarget (~14k at 800).
MAX_PROOF_HEADERS: public(constant(uint256)) = 800
# @dev Bitcoin's future-block rule: no header time later than this past the clock.
MAX_FUTURE_SECONDS: public(constant(uint256)) = 7_200
# @dev Bytes of the longest retarget proof.
_MAX_PROOF_BYTES: constant(uint256) = MAX_PROOF_HEADERS * bitcoin.HEADER_BYTES
# @dev Largest coinbase that can pin a retarget proof: the prover picks the block the
#      proof starts at, so a small bound costs nothing in liveness and saves ~16k gas
#      of memory on every retarget (reward proofs take up to MAX_COINBASE_BYTES).
MAX_PIN_COINBASE_BYTES: public(constant(uint256)) = 4_096
# @dev Inputs meant to be one header are accepted up to this size, so that a
#      wrong length reverts with a reason instead of in the ABI decoder.
_MAX_HEADER_INPUT: constant(uint256) = 1_024
# @dev The low 64 bits of a stored epoch word: nBits | start_time << 32.
_RECORD: constant(uint256) = 2**64 - 1
_U32: constant(uint256) = 2**32 - 1


# ---------------------------------------------------------------- IMMUTABLES
# @dev The account allowed to anchor the relay (once).
DEPLOYER: public(immutable(address))
# @dev The network's easiest target (`powLimit`): no header may be easier.
POW_LIMIT: public(immutable(uint256))
# @dev Whether the network retargets (False on regtest: nBits never change).
RETARGETING: public(immutable(bool))
# @dev Confirmations a reward proof needs after its block (6 on mainnet).
CONFIRMATIONS: public(immutable(uint256))
# @dev The fewest headers a retarget proof carries on each side of the boundary (P).
PROOF_LENGTH: public(immutable(uint256))
# @dev Seconds a retarget stays pending, open to a proof with more work.
CHALLENGE_WINDOW: public(immutable(uint256))


# ---------------------------------------------------------------- STORAGE
# @dev Epoch number => nBits | start_time << 32 | proposed_at << 64 (0 = not
#      relayed; proposed_at 0 for the anchor: final at once).
_epochs: HashMap[uint256, uint256]
# @dev Epoch number => the work after the boundary of the proof that recorded it (fork choice).
_work: HashMap[uint256, uint256]
# @dev The epoch the relay was anchored at.
first_epoch: public(uint256)
# @dev The newest recorded epoch, final or pending.
_latest: uint256
# @dev Whether `anchor` has run.
anchored: public(bool)


@deploy
def __init__(pow_limit: uint256, retargeting: bool, confirmations: uint256, proof_length: uint256, challenge_window: uint256):
    """
    @dev Fixes the network's parameters; the relay knows nothing until anchored.
    @param pow_limit The network's `powLimit` (mainnet 2**224 - 1).
    @param retargeting False for a network that never retargets (regtest).
    @param confirmations Headers a reward proof needs after its block (k, 2..63).
    @param proof_length The fewest headers per side of a retarget proof (P, 2..100).
    @param challenge_window Seconds a retarget stays open to a heavier proof (>= 3,600).
    """
    assert pow_limit != 0, "relay: pow limit is zero"
    assert confirmations >= MIN_CONFIRMATIONS, "relay: at least 2 confirmations (k = 0 or 1 counts stale blocks)"
    assert confirmations < bitcoin.MAX_CHAIN_HEADERS, "relay: at most 63 confirmations"
    assert proof_length >= MIN_PROOF_LENGTH and proof_length <= MAX_PROOF_LENGTH, "relay: proof length must be 2 to 100"
    assert challenge_window >= MIN_CHALLENGE_WINDOW and challenge_window < 2**32, "relay: challenge window must be 3,600 s to 2**32 s"
    DEPLOYER = msg.sender
    POW_LIMIT = pow_limit
    RETARGETING = retargeting
    CONFIRMATIONS = confirmations
    PROOF_LENGTH = proof_length
    CHALLENGE_WINDOW = challenge_window


# ---------------------------------------------------------------- INTERNAL
@internal
@view
def _header_target(bits: uint256) -> uint256:
    target: uint256 = bitcoin._target(bits)
    assert target <= POW_LIMIT, "relay: nBits above the pow limit"
    return target


@internal
@view
def _is_final(word: uint256) -> bool:
    """
    @dev Whether a stored epoch word is final: anchored, or its window has passed.
    """
    proposed_at: uint256 = word >> 64
    return proposed_at == 0 or block.timestamp >= proposed_at + CHALLENGE_WINDOW


@internal
@view
def _final_record(number: uint256) -> uint256:
    """
    @dev The packed record (nBits | start_time << 32) of a final epoch, 0 otherwise.
    """
    word: uint256 = self._epochs[number]
    if word == 0 or not self._is_final(word):
        return 0
    return word & _RECORD


@internal
@view
def _latest_final() -> uint256:
    latest: uint256 = self._latest
    if latest != self.first_epoch and not self._is_final(self._epochs[latest]):
        return latest - 1
    return latest


@internal
@view
def _chain_epochs(first_height: uint256, headers: uint256) -> (uint256, uint256):
    """
    @dev The records of the final epoch of `first_height` and, when the chain
         reaches the next one, of that epoch too.
    """
    epoch: uint256 = first_height // bitcoin.RETARGET_INTERVAL
    following: uint256 = 0
    if headers != 0 and (first_height + headers - 1) // bitcoin.RETARGET_INTERVAL > epoch:
        following = self._final_record(epoch + 1)
    return self._final_record(epoch), following


@internal
@view
def _not_future(time: uint256):
    assert time <= block.timestamp + MAX_FUTURE_SECONDS, "relay: header time more than 2 hours ahead"


# ---------------------------------------------------------------- ANCHOR AND RETARGET
@external
def anchor(header: Bytes[_MAX_HEADER_INPUT], height: uint256):
    """
    @notice Anchors the relay at the first block of an epoch (once, by the deployer;
            `anchor_epoch` is the other form).
    @dev The header must carry valid proof of work for its own nBits, within
         the pow limit, and a time at most two hours ahead. The checkpoint
         itself is trusted: choose a block buried deep in the chain.
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
    self._not_future(time)
    epoch: uint256 = height // bitcoin.RETARGET_INTERVAL
    self._epochs[epoch] = bits | (time << 32)
    self.first_epoch = epoch
    self._latest = epoch
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
    @param start_time The timestamp of the epoch's first block (at most two hours ahead).
    """
    assert msg.sender == DEPLOYER, "relay: only the deployer anchors"
    assert not self.anchored, "relay: already anchored"
    assert bits < 2**32 and start_time < 2**32, "relay: nBits and start time are uint32"
    self._header_target(bits)
    self._not_future(start_time)
    self._epochs[number] = bits | (start_time << 32)
    self.first_epoch = number
    self._latest = number
    self.anchored = True
    log Anchored(epoch=number, bits=bits, start_time=start_time, block_hash=empty(bytes32))


@external
def retarget(headers: Bytes[_MAX_PROOF_BYTES], coinbase: Bytes[MAX_PIN_COINBASE_BYTES], branch: DynArray[bytes32, bitcoin.MAX_BRANCH]):
    """
    @notice Proves the retarget that ends the newest final epoch (or challenges
            the pending one with more work) and records the next epoch, pending
            for `CHALLENGE_WINDOW` seconds.
    @dev `headers` is a linked run around the boundary B = (e + 1) * 2,016 of
         the epoch e being extended. The coinbase and branch are its first
         header's: the coinbase's BIP34 height h pins header i at height
         h + i, so the boundary is the header at index B - h (the prover
         picks where the run starts: any block at least P before the boundary
         whose coinbase can be proven, at most 4,096 bytes). Before the boundary: at
         least P headers carrying epoch e's nBits, meeting its target. At
         it: the nBits Bitcoin's rule gives from the stored start time and
         the last old header's time. After it (itself included): at least P
         headers with those nBits, meeting that target, whose work is at
         least P headers' worth at the old target. The two times that enter
         state are at most two hours ahead. The proof's work is the work of
         its headers from the boundary on (the headers before it are the
         same blocks in every proof of a real boundary). With no retarget
         pending it records epoch e + 1; while one is pending it must carry
         more work than the pending proof and replaces it (restarting the
         window when the epoch differs). Anyone may call it.
    @param headers Concatenated 80-byte headers, oldest first (at most 800).
    @param coinbase The first header's coinbase, serialised without witness (at most 4,096 bytes).
    @param branch The coinbase's merkle branch (internal byte order), leaf first.
    """
    assert self.anchored, "relay: not anchored"
    size: uint256 = len(headers)
    assert size % bitcoin.HEADER_BYTES == 0, "relay: headers must be 80 bytes each"
    count: uint256 = size // bitcoin.HEADER_BYTES
    latest: uint256 = self._latest
    challenge: bool = latest != self.first_epoch and not self._is_final(self._epochs[latest])
    epoch: uint256 = latest
    if challenge:
        epoch = latest - 1
    record: uint256 = self._epochs[epoch] & _RECORD
    txid: bytes32 = empty(bytes32)
    height: uint256 = 0
    paid: uint256 = 0
    txid, height, paid = bitcoin._coinbase(coinbase)
    boundary: uint256 = (epoch + 1) * bitcoin.RETARGET_INTERVAL
    assert height < boundary and height + count > boundary, "relay: the proof's heights do not reach the boundary"
    pre: uint256 = boundary - height
    assert pre >= PROOF_LENGTH, "relay: fewer than P headers before the boundary"
    post: uint256 = count - pre
    assert post >= PROOF_LENGTH, "relay: fewer than P headers after the boundary"
    old_bits: uint256 = record & _U32
    old_target: uint256 = bitcoin._target(old_bits)
    target: uint256 = old_target
    bits: uint256 = old_bits
    prev: bytes32 = empty(bytes32)
    start_time: uint256 = 0
    start_hash: bytes32 = empty(bytes32)
    for i: uint256 in range(count, bound=MAX_PROOF_HEADERS):
        offset: uint256 = i * bitcoin.HEADER_BYTES
        tail: uint256 = extract32(headers, offset + 48, output_type=uint256)
        header_bits: uint256 = bitcoin._swap32((tail >> 32) & _U32)
        if i == pre:
            # the first header of the new epoch: the retarget rule decides its nBits
            last_time: uint256 = bitcoin._swap32((convert(extract32(headers, offset - 32), uint256) >> 64) & _U32)
            self._not_future(last_time)
            if RETARGETING:
                bits = bitcoin._next_bits(old_bits, record >> 32, last_time, POW_LIMIT)
            assert header_bits == bits, "relay: new nBits disagree with the retarget rule"
            target = bitcoin._target(bits)
            start_time = bitcoin._swap32((tail >> 64) & _U32)
            self._not_future(start_time)
        elif i > pre:
            assert header_bits == bits, "relay: nBits change again after the boundary (a second retarget)"
        else:
            assert header_bits == bits, "relay: header nBits disagree with the latest epoch"
        digest: bytes32 = sha256(sha256(slice(headers, offset, bitcoin.HEADER_BYTES)))
        assert bitcoin._reverse256(convert(digest, uint256)) <= target, "relay: header does not meet its target"
        if i != 0:
            assert extract32(headers, offset + 4) == prev, "relay: headers are not linked"
        if i == pre:
            start_hash = digest
        prev = digest
    assert bitcoin._fold(txid, branch) == extract32(headers, 36), "relay: merkle branch does not fold to the first header's root"
    post_work: uint256 = post * bitcoin._work(target)
    old_work: uint256 = bitcoin._work(old_target)
    assert post_work >= PROOF_LENGTH * old_work, "relay: less work after the boundary than P headers at the old target"
    new_record: uint256 = bits | (start_time << 32)
    proposed_at: uint256 = block.timestamp
    if challenge:
        assert post_work > self._work[latest], "relay: a retarget proof with at least as much work after the boundary is pending"
        pending: uint256 = self._epochs[latest]
        if pending & _RECORD == new_record:
            proposed_at = pending >> 64  # the same epoch, better proven: the window runs on
    else:
        latest = epoch + 1
        self._latest = latest
    self._epochs[latest] = new_record | (proposed_at << 64)
    self._work[latest] = post_work
    log Retarget(epoch=latest, old_bits=old_bits, new_bits=bits, start_time=start_time, block_hash=start_hash, work=post_work, final_at=proposed_at + CHALLENGE_WINDOW, replaced=challenge)


# ---------------------------------------------------------------- VIEWS
@external
@view
def latest_epoch() -> uint256:
    """
    @notice The newest final epoch (a pending retarget's epoch is not yet one).
    @return The epoch number (0 before the anchor).
    """
    return self._latest_final()


@external
@view
def pending() -> Pending:
    """
    @notice The retarget waiting for its challenge window to pass, if any.
    @return Its epoch, nBits, start time, the proof's work and when it becomes
            final (`epoch` 0 when nothing is pending).
    """
    latest: uint256 = self._latest
    word: uint256 = self._epochs[latest]
    if latest == self.first_epoch or self._is_final(word):
        return empty(Pending)
    return Pending(epoch=latest, bits=word & _U32, start_time=(word >> 32) & _U32, work=self._work[latest], final_at=(word >> 64) + CHALLENGE_WINDOW)


@external
@view
def epoch_record(number: uint256) -> uint256:
    """
    @notice The record of a final epoch: nBits | start_time << 32 (0 = not relayed or pending).
    @param number The epoch number (height // 2,016).
    @return The packed record.
    """
    return self._final_record(number)


@external
@view
def epoch_work(number: uint256) -> uint256:
    """
    @notice The work after the boundary of the retarget proof that recorded an epoch (final or pending).
    @param number The epoch number.
    @return The work in expected hashes (0 for the anchor and unknown epochs).
    """
    return self._work[number]


@external
@view
def epoch(number: uint256) -> Epoch:
    """
    @notice One final epoch, decoded: nBits, target, integer difficulty and start time.
    @param number The epoch number (height // 2,016).
    @return The epoch (`known` False and zeros when it is not relayed or still pending).
    """
    record: uint256 = self._final_record(number)
    if record == 0:
        return empty(Epoch)
    bits: uint256 = record & _U32
    target: uint256 = bitcoin._target(bits)
    return Epoch(known=True, bits=bits, target=target, difficulty=bitcoin._difficulty(target), start_time=record >> 32)


@external
@view
def validate_chain(headers: Bytes[bitcoin.MAX_CHAIN_BYTES], first_height: uint256) -> Chain:
    """
    @notice Checks a header chain starting at `first_height` against the final epochs
            (and a boundary into an epoch not yet final here against Bitcoin's retarget rule).
    @dev Reverts unless the headers are linked, each carries the nBits of its
         height's epoch (an epoch's first header also its start time) and
         meets that target, crossing at most one boundary. When the chain
         crosses into an epoch the relay has not made final (not relayed, or
         pending), the nBits after the boundary must be what Bitcoin's rule
         gives from the stored start time and the last old header's time,
         and `retarget`'s guards hold (at least P headers each side, at
         least P headers' worth of old-target work after the boundary: the
         last old time is the chain's own claim, and a forged one eases the
         new target up to 4x): the chain then shows a retarget the relay has
         not recorded (it records one only with a coinbase pinning the
         heights, `retarget`).
         Being valid says
         the chain carries real work, not that it is on the best chain:
         judge that by its length and work. Within an epoch the height is
         the caller's claim (headers carry no height): pin it with a
         coinbase (`verify_reward`) where it matters.
    @param headers 1 to 64 concatenated 80-byte headers, oldest first.
    @param first_height Height of the first header.
    @return The chain's first and last hashes (internal byte order), length, times and work.
    """
    count: uint256 = len(headers) // bitcoin.HEADER_BYTES
    epoch0: uint256 = 0
    epoch1: uint256 = 0
    epoch0, epoch1 = self._chain_epochs(first_height, count)
    boundary: uint256 = (first_height // bitcoin.RETARGET_INTERVAL + 1) * bitcoin.RETARGET_INTERVAL
    by_rule: bool = epoch0 != 0 and epoch1 == 0 and first_height + count > boundary and first_height + count <= boundary + bitcoin.RETARGET_INTERVAL
    pre: uint256 = boundary - first_height
    if by_rule:
        # the next epoch is not final here: Bitcoin's rule gives its nBits, its first header its
        # start; `retarget`'s guards (audit2 L1: the last old time is the chain's own claim)
        assert pre >= PROOF_LENGTH and count - pre >= PROOF_LENGTH, "relay: a chain across an unrecorded retarget needs P headers each side"
        at: uint256 = pre * bitcoin.HEADER_BYTES
        old_last: uint256 = 0
        new_bits: uint256 = 0
        new_start: uint256 = 0
        new_bits, old_last = bitcoin._bits_and_time(headers, at - bitcoin.HEADER_BYTES)
        new_bits, new_start = bitcoin._bits_and_time(headers, at)
        new_bits = epoch0 & _U32
        if RETARGETING:
            new_bits = bitcoin._next_bits(new_bits, epoch0 >> 32, old_last, POW_LIMIT)
        epoch1 = new_bits | (new_start << 32)
    first: bytes32 = empty(bytes32)
    last: bytes32 = empty(bytes32)
    root: bytes32 = empty(bytes32)
    first_time: uint256 = 0
    last_time: uint256 = 0
    work: uint256 = 0
    first, last, root, first_time, last_time, work = bitcoin._check_chain(headers, first_height, epoch0, epoch1, False)
    if by_rule:
        old_work: uint256 = bitcoin._work(bitcoin._target(epoch0 & _U32))
        assert work - pre * old_work >= PROOF_LENGTH * old_work, "relay: less work after the boundary than P headers at the old target"
    return Chain(first_hash=first, last_hash=last, headers=count, first_time=first_time, last_time=last_time, work=work)


@external
@view
def verify_reward(headers: Bytes[bitcoin.MAX_CHAIN_BYTES], coinbase: Bytes[bitcoin.MAX_COINBASE_BYTES], branch: DynArray[bytes32, bitcoin.MAX_BRANCH]) -> Reward:
    """
    @notice Proves what a block paid: its height from its coinbase (BIP34),
            the sum of the coinbase's outputs, and its fees.
    @dev Reverts unless: the coinbase parses (one null-outpoint input, a BIP34
         height, outputs within 21M BTC); its branch folds to
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
    @notice The integer difficulty of a final epoch, floor(0xffff * 2**208 / target).
    @param number The epoch number.
    @return The difficulty (0 when the epoch is not relayed or still pending).
    """
    record: uint256 = self._final_record(number)
    if record == 0:
        return 0
    return bitcoin._difficulty(bitcoin._target(record & (2**32 - 1)))
