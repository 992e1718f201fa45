# pragma version ~=0.4.3
"""
@title Bitcoin hashprice index, computed on chain from proof of work and block rewards
@custom:contract-name HashpriceIndex
@license MIT
@notice The daily hashprice in millisatoshi per TH/s per day, from nothing
        but Bitcoin data proven against a `BitcoinRelay`:
        - A period is a 144-block window by height: period w holds heights
          144w .. 144w + 143 (2,016 = 14 * 144, so a period never straddles
          a retarget and has one difficulty D).
        - Its sample is fixed by height, never chosen by a prover: the last
          block of each of `SAMPLES` equal strides, heights
          144w + (j + 1) * (144 / SAMPLES) - 1 (SAMPLES = 144: every block).
          Each is proven once, with `CONFIRMATIONS` headers on top, its
          coinbase and merkle branch; its reward is what the coinbase paid.
        - value(w) = floor(10**15 * 86,400 * sum(reward) * target /
          (SAMPLES * 0xffff * 2**240)) msat per TH/s per day, i.e.
          10**12 * 86,400 * avg reward / (D * 2**32) sats, times 1,000.
        - A period closes at its last block's timestamp, made monotone:
          close(w) = max(timestamp(144w + 143), close(w - 1)).
        - Day d (UTC, unix_time // 86,400) takes the value of the last period
          that closed before the day ended (close < (d + 1) * 86,400): its
          daily close. A day in which no period closed (slow blocks) keeps
          the previous day's value. It becomes final when the first period
          closing after it is published, and never changes again.
        Periods are published in order from `FIRST_PERIOD`; the first covered
        day is the day the first valued period closed.
        - Liveness: a period with every sample counted publishes at once.
          One with a sample still unproven waits for its proof window: it
          opens once the period is the next to publish and a block of a
          later period has been counted (the chain is then proven past it,
          so every sample block exists with k confirmations; and a block
          forged ahead of the chain cannot start the window of a period
          still being mined), and lasts `PROOF_WINDOW` seconds. After that it publishes over
          the samples counted: with at least `MIN_SAMPLES` (a majority) its
          value is the same formula over those, its close the time of its
          highest counted sample; with fewer it is void (it closes no day,
          the days run on to the next valued period). A block nobody can
          prove therefore delays one period by one window and never
          freezes the index; which blocks count is still fixed by height.
        - No block time more than two hours ahead of this chain's clock is
          counted (Bitcoin's future-block rule).
@dev docs/bitcoin.md has the definition in full, to recompute from a node.
"""

from .interfaces import IBitcoinRelay
from .interfaces import IHashpriceIndex
from .modules import bitcoin
from .modules import hashprice_math

implements: IHashpriceIndex


# ---------------------------------------------------------------- EVENTS
# @dev Emitted when a sample block's reward is proven and counted.
event BlockCounted:
    period: indexed(uint256)
    height: indexed(uint256)
    block_hash: bytes32
    paid: uint256
    fees: uint256
    time: uint256

# @dev Emitted when a period's value is published (final); `blocks` < SAMPLES
#      when it published over the samples counted in its proof window.
event PeriodPublished:
    period: indexed(uint256)
    value: uint256
    close_time: uint256
    reward_sum: uint256
    blocks: uint256
    bits: uint256

# @dev Emitted when a period's proof window passed with fewer than MIN_SAMPLES
#      counted: it is published without a value and closes no day.
event PeriodVoid:
    period: indexed(uint256)
    blocks: uint256

# @dev Emitted when the proof window of `period`, the next to publish, opens at
#      `time` (the first block beyond it is counted, or it becomes the next with one
#      already counted): from `time` + PROOF_WINDOW it publishes, complete or not.
event WindowOpened:
    period: indexed(uint256)
    time: uint256

# @dev Emitted when days [first_day, end_day) get their final value, that of `period`.
event DaysFinal:
    first_day: uint256
    end_day: uint256
    value: uint256
    period: uint256


# ---------------------------------------------------------------- STRUCTS
# @dev The publication cursor (one storage word, see `_load`).
struct Cursor:
    next_period: uint256
    first_day: uint256
    final_until: uint256
    pending_from: uint256
    last_close: uint256
    seen: uint256
    valued: uint256
    opened: uint256

# @dev One period as the index holds it.
struct Period:
    reward_sum: uint256
    blocks: uint256
    samples: uint256
    proven_mask: uint256
    close_time: uint256
    published: bool
    value: uint256
    void: bool
    window_end: uint256

# @dev The index's progress.
struct Status:
    next_period: uint256
    first_day: uint256
    final_until: uint256
    pending_from: uint256
    last_close: uint256
    last_value: uint256


# ---------------------------------------------------------------- CONSTANTS
# @dev Blocks per period.
PERIOD_BLOCKS: public(constant(uint256)) = 144
# @dev Seconds per UTC day.
DAY: constant(uint256) = 86_400
# @dev Most days one transaction writes (more wait for `fill_days`).
MAX_FILL_DAYS: public(constant(uint256)) = 32
# @dev Bitcoin's future-block rule: no block time later than this past the clock.
MAX_FUTURE_SECONDS: public(constant(uint256)) = 7_200
# @dev Shortest proof window the constructor takes (seconds).
MIN_PROOF_WINDOW: public(constant(uint256)) = 3_600
# @dev Marks a written day (values stay below 2**128); keeps `_run_period` non-zero.
_WRITTEN: constant(uint256) = 2**255
_SET: constant(uint256) = 2**255
_U32: constant(uint256) = 2**32 - 1
_U64: constant(uint256) = 2**64 - 1
_U128: constant(uint256) = 2**128 - 1


# ---------------------------------------------------------------- IMMUTABLES
# @dev The relay whose epochs the proofs are checked against.
RELAY: public(immutable(IBitcoinRelay))
# @dev The first period the index publishes.
FIRST_PERIOD: public(immutable(uint256))
# @dev Sample blocks per period (a divisor of 144; 144 = every block).
SAMPLES: public(immutable(uint256))
# @dev Blocks per stride: the sample is each stride's last block.
STRIDE: public(immutable(uint256))
# @dev Confirmations a reward proof needs (the relay's).
CONFIRMATIONS: public(immutable(uint256))
# @dev Seconds a period with an unproven sample waits, once the chain is proven past it.
PROOF_WINDOW: public(immutable(uint256))
# @dev Fewest counted samples a period needs for a value once its window passed (a majority).
MIN_SAMPLES: public(immutable(uint256))


# ---------------------------------------------------------------- STORAGE
# @dev Period => reward_sum (64 bits) | blocks << 64 (8) | proven mask << 72 (144) |
#      close time << 216 (32): the time of its highest counted sample.
_periods: HashMap[uint256, uint256]
# @dev The cursor, 32 bits a field: next_period | first_day << 32 | final_until << 64 |
#      pending_from << 96 | last_close << 128 | highest counted period + 1 << 160 |
#      last valued period + 1 << 192 | when the next period's proof window opened << 224
#      (0 = not yet; it is open exactly when a block beyond the next period is counted).
_cursor: uint256
# @dev The period whose value the days being finalised take (for `DaysFinal`) | _SET.
_run_period: uint256
# @dev Value of the last published period (low 128 bits) | value of the days being finalised << 128.
_values: uint256
# @dev Day => its final value | _WRITTEN, for days before `pending_from`.
_days: HashMap[uint256, uint256]


@deploy
def __init__(relay: IBitcoinRelay, first_period: uint256, samples: uint256, proof_window: uint256):
    """
    @dev The sample size is part of the index's definition: a divisor of 144.
         The relay must be anchored at or before the first period's epoch (a
         relay only moves forward: an earlier period could never be proven).
    @param relay The `BitcoinRelay` to check proofs against.
    @param first_period The first period to publish (heights 144 * first_period ..).
    @param samples Blocks sampled per period (1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 36, 48, 72 or 144).
    @param proof_window Seconds a period with an unproven sample waits (>= 3,600; longer
           than Bitcoin takes to mine a period and k blocks, e.g. 3 days).
    """
    assert relay.address.is_contract, "index: relay is not a contract"
    assert samples != 0 and samples <= PERIOD_BLOCKS and PERIOD_BLOCKS % samples == 0, "index: samples must divide 144"
    assert first_period < 2**32, "index: first period too large"
    assert proof_window >= MIN_PROOF_WINDOW and proof_window < 2**32, "index: proof window must be 3,600 s to 2**32 s"
    assert staticcall relay.anchored(), "index: the relay is not anchored"
    assert first_period * PERIOD_BLOCKS // bitcoin.RETARGET_INTERVAL >= staticcall relay.first_epoch(), "index: first period is before the relay's first epoch"
    RELAY = relay
    FIRST_PERIOD = first_period
    SAMPLES = samples
    STRIDE = PERIOD_BLOCKS // samples
    CONFIRMATIONS = staticcall relay.CONFIRMATIONS()
    PROOF_WINDOW = proof_window
    MIN_SAMPLES = (samples + 1) // 2
    self._cursor = first_period
    self._run_period = _SET  # never zero: its updates cost a warm write, not a new slot


# ---------------------------------------------------------------- INTERNAL
@internal
@view
def _load() -> Cursor:
    w: uint256 = self._cursor
    return Cursor(next_period=w & _U32, first_day=(w >> 32) & _U32, final_until=(w >> 64) & _U32, pending_from=(w >> 96) & _U32, last_close=(w >> 128) & _U32,
                  seen=(w >> 160) & _U32, valued=(w >> 192) & _U32, opened=w >> 224)


@internal
def _store(c: Cursor):
    self._cursor = c.next_period | (c.first_day << 32) | (c.final_until << 64) | (c.pending_from << 96) | (c.last_close << 128) | (c.seen << 160) | (c.valued << 192) | (c.opened << 224)


@internal
@view
def _value(rec: uint256, period: uint256) -> (uint256, uint256):
    """
    @dev The value of a period record over the samples it counted, and its epoch's nBits.
    """
    bits: uint256 = staticcall RELAY.epoch_record(period * PERIOD_BLOCKS // bitcoin.RETARGET_INTERVAL) & _U32
    return hashprice_math._msat_per_th_day(bitcoin._target(bits), rec & _U64, (rec >> 64) & 255), bits


@internal
def _fill(c: Cursor, run_value: uint256, run_period: uint256):
    """
    @dev Writes up to MAX_FILL_DAYS of the days being finalised (they take
         `run_value`, the value of `run_period`) and stores the cursor.
    """
    end: uint256 = min(c.final_until, c.pending_from + MAX_FILL_DAYS)
    start: uint256 = c.pending_from
    for day: uint256 in range(start, end, bound=MAX_FILL_DAYS):
        self._days[day] = run_value | _WRITTEN
    c.pending_from = end
    self._store(c)
    if end > start:
        log DaysFinal(first_day=start, end_day=end, value=run_value, period=run_period)


@internal
@view
def _day_value(c: Cursor, day: uint256) -> (uint256, bool):
    if day < c.first_day or day >= c.final_until:
        return 0, False
    if day < c.pending_from:
        return self._days[day] & _U128, True
    return self._values >> 128, True


# ---------------------------------------------------------------- PROVE AND PUBLISH
@external
def submit(headers: Bytes[bitcoin.MAX_CHAIN_BYTES], coinbase: Bytes[bitcoin.MAX_COINBASE_BYTES], branch: DynArray[bytes32, bitcoin.MAX_BRANCH]):
    """
    @notice Proves and counts the reward of one sample block. Anyone may call it.
    @dev The block's height is its coinbase's BIP34 height; its headers must
         be valid at that height against the relay's final epochs, with at
         least `CONFIRMATIONS` after it; the coinbase's branch must fold to its
         merkle root; its time at most two hours ahead. The height must be in
         the sample of an unpublished period; each sample block counts once
         (the first valid proof).
    @param headers The block's header and its confirmations, oldest first.
    @param coinbase The coinbase serialised without witness.
    @param branch The coinbase's merkle branch (internal byte order), leaf first.
    """
    count: uint256 = len(headers) // bitcoin.HEADER_BYTES
    assert count > CONFIRMATIONS, "index: too few confirmations"
    txid: bytes32 = empty(bytes32)
    height: uint256 = 0
    paid: uint256 = 0
    txid, height, paid = bitcoin._coinbase(coinbase)
    period: uint256 = height // PERIOD_BLOCKS
    assert period >= FIRST_PERIOD, "index: block is before the first period"
    cursor: uint256 = self._cursor
    assert period >= cursor & _U32, "index: period already published"
    assert period < 2**32 - 1, "index: period too large"
    offset: uint256 = height % PERIOD_BLOCKS
    assert (offset + 1) % STRIDE == 0, "index: block is not in its period's sample"
    bit: uint256 = 1 << (offset // STRIDE)
    rec: uint256 = self._periods[period]
    assert (rec >> 72) & bit == 0, "index: block already counted"
    epoch: uint256 = height // bitcoin.RETARGET_INTERVAL
    epoch0: uint256 = staticcall RELAY.epoch_record(epoch)
    epoch1: uint256 = 0
    if (height + count - 1) // bitcoin.RETARGET_INTERVAL > epoch:
        epoch1 = staticcall RELAY.epoch_record(epoch + 1)
    block_hash: bytes32 = empty(bytes32)
    last: bytes32 = empty(bytes32)
    root: bytes32 = empty(bytes32)
    time: uint256 = 0
    last_time: uint256 = 0
    work: uint256 = 0
    block_hash, last, root, time, last_time, work = bitcoin._check_chain(headers, height, epoch0, epoch1, True)
    assert bitcoin._fold(txid, branch) == root, "index: merkle branch does not fold to the block's root"
    assert time <= block.timestamp + MAX_FUTURE_SECONDS, "index: block time more than 2 hours ahead"
    mask: uint256 = (rec >> 72) & (2**144 - 1)
    close: uint256 = rec >> 216
    if mask >> (offset // STRIDE) == 0:
        close = time  # no higher sample of the period counted yet
    self._periods[period] = ((rec & _U64) + paid) | ((((rec >> 64) & 255) + 1) << 64) | ((mask | bit) << 72) | (close << 216)
    seen: uint256 = (cursor >> 160) & _U32
    if period + 1 > seen:
        cursor = (cursor & ~(_U32 << 160)) | ((period + 1) << 160)
        next_period: uint256 = cursor & _U32
        if period > next_period and seen <= next_period + 1:
            # the first block counted beyond the next period: its proof window opens now
            cursor = (cursor & ~(_U32 << 224)) | (block.timestamp << 224)
            log WindowOpened(period=next_period, time=block.timestamp)
        self._cursor = cursor
    subsidy: uint256 = bitcoin._subsidy(height)
    fees: uint256 = 0
    if paid > subsidy:
        fees = paid - subsidy
    log BlockCounted(period=period, height=height, block_hash=block_hash, paid=paid, fees=fees, time=time)


@external
def publish(period: uint256):
    """
    @notice Publishes the next period's value and finalises the days it closes.
    @dev With every sample block counted it publishes at once; otherwise only
         once its proof window has passed (`PROOF_WINDOW` after the later of:
         the period became the next, a block of a later period was counted),
         over the samples counted (void, closing no day, with fewer than
         `MIN_SAMPLES`). The next period's window opens at once if a block
         beyond it is already counted. Publishing a valued
         period w makes final, with the value of the valued period v before
         it, every day that ended after v closed and no later than w closed.
         Anyone may call it.
    @param period The period to publish (must be the next one).
    """
    c: Cursor = self._load()
    assert period >= c.next_period, "index: period already published"
    assert period == c.next_period, "index: periods are published in order"
    assert c.pending_from == c.final_until, "index: days are still being written (call fill_days)"
    rec: uint256 = self._periods[period]
    blocks: uint256 = (rec >> 64) & 255
    if blocks != SAMPLES:
        assert c.opened != 0 and block.timestamp >= c.opened + PROOF_WINDOW, "index: period has sample blocks not yet proven"
    c.next_period = period + 1
    c.opened = 0
    if c.seen > period + 2:
        c.opened = block.timestamp  # a block beyond the new next period is already counted
        log WindowOpened(period=period + 1, time=block.timestamp)
    if blocks < MIN_SAMPLES:
        self._store(c)
        log PeriodVoid(period=period, blocks=blocks)
        return
    value: uint256 = 0
    bits: uint256 = 0
    value, bits = self._value(rec, period)
    close: uint256 = rec >> 216
    run_value: uint256 = self._values & _U128
    run_period: uint256 = 0
    if c.valued == 0:
        c.first_day = close // DAY
        c.pending_from = c.first_day
    else:
        close = max(close, c.last_close)
        run_period = c.valued - 1
        self._run_period = run_period | _SET
    c.final_until = close // DAY
    c.last_close = close
    c.valued = period + 1
    self._values = value | (run_value << 128)
    log PeriodPublished(period=period, value=value, close_time=close, reward_sum=rec & _U64, blocks=blocks, bits=bits)
    self._fill(c, run_value, run_period)


@external
def fill_days():
    """
    @notice Writes the next MAX_FILL_DAYS of the days already final but not
            yet written (only after a period that closed more than 32 days
            after the one before it). Anyone may call it.
    @dev Those days already read as final; writing them lets the next period publish.
    """
    c: Cursor = self._load()
    assert c.pending_from < c.final_until, "index: no days waiting to be written"
    self._fill(c, self._values >> 128, self._run_period & ~_SET)


# ---------------------------------------------------------------- CONSUMER VIEWS
@external
@view
def hashprice(day: uint256) -> (uint256, bool):
    """
    @notice The final hashprice of a UTC day, in msat per TH/s per day.
    @param day unix_time // 86,400.
    @return (value, True) once final; (0, False) before (or outside the index's days).
    """
    return self._day_value(self._load(), day)


@external
@view
def latest() -> (uint256, uint256):
    """
    @notice The newest day with a final value.
    @return (day, value); (0, 0) when no day is final yet.
    """
    c: Cursor = self._load()
    if c.final_until <= c.first_day:
        return 0, 0
    value: uint256 = 0
    final: bool = False
    value, final = self._day_value(c, c.final_until - 1)
    return c.final_until - 1, value


# ---------------------------------------------------------------- VIEWS
@external
@view
def period(number: uint256) -> Period:
    """
    @notice What the index holds for a period: the rewards counted so far, which
            sample blocks are proven, its close time, its value once complete
            or published, whether it was published void, and when its proof
            window ends.
    @param number The period (height // 144).
    @return The period; `value` is 0 until it is complete or published with a
            value; `window_end` is when the next period's proof window ends
            (0 for any other period, and while it has not opened).
    """
    rec: uint256 = self._periods[number]
    c: Cursor = self._load()
    blocks: uint256 = (rec >> 64) & 255
    published: bool = number < c.next_period
    value: uint256 = 0
    if blocks == SAMPLES or (published and blocks >= MIN_SAMPLES):
        bits: uint256 = 0
        value, bits = self._value(rec, number)
    window_end: uint256 = 0
    if number == c.next_period and c.opened != 0:
        window_end = c.opened + PROOF_WINDOW
    return Period(reward_sum=rec & _U64, blocks=blocks, samples=SAMPLES, proven_mask=(rec >> 72) & (2**144 - 1), close_time=rec >> 216, published=published,
                  value=value, void=published and blocks < MIN_SAMPLES and number >= FIRST_PERIOD, window_end=window_end)


@external
@view
def sample_heights(number: uint256) -> DynArray[uint256, PERIOD_BLOCKS]:
    """
    @notice The heights whose rewards make up a period's value.
    @param number The period.
    @return 144 * number + (j + 1) * STRIDE - 1 for j = 0 .. SAMPLES - 1.
    """
    out: DynArray[uint256, PERIOD_BLOCKS] = []
    for j: uint256 in range(SAMPLES, bound=PERIOD_BLOCKS):
        out.append(number * PERIOD_BLOCKS + (j + 1) * STRIDE - 1)
    return out


@external
@view
def status() -> Status:
    """
    @notice The publication cursor: the next period to publish, the first day
            covered, the end of the final days, how far they are written, the
            last close time and the last published value.
    @return The status.
    """
    c: Cursor = self._load()
    return Status(next_period=c.next_period, first_day=c.first_day, final_until=c.final_until, pending_from=c.pending_from, last_close=c.last_close, last_value=self._values & _U128)
