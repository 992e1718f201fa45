# pragma version ~=0.4.3
"""
@title Devnet BTC/USD Price Feed
@custom:contract-name PriceFeed
@license AGPL-3.0-only
@notice An owner-set price feed with the read surface of a Chainlink
        AggregatorV3 (`decimals`, `description`, `version`,
        `latestRoundData`, `getRoundData`). hashtrust deploys it on devnets as the
        BTC/USD source of the hashrate vault; on a real network the vault
        is pointed at a real Chainlink aggregator instead.
@dev Each `set_price` opens a new round stamped with the block time and
     keeps every round (`getRoundData`). Round ids follow Chainlink's
     proxy: the phase in the top 16 bits (`phase << 64 | n`, n from 1);
     `new_phase` starts the next phase (an aggregator upgrade), whose
     rounds restart at 1. The feed does not judge staleness: its readers
     do (the vault prices electricity only with a round younger than its
     `MAX_PRICE_AGE` at the epoch's end).
"""

from snekmate.auth import ownable

initializes: ownable

exports: (ownable.owner, ownable.transfer_ownership)


# @dev Emitted when the owner publishes a new answer (Chainlink's event name).
event AnswerUpdated:
    current: indexed(int256)
    roundId: indexed(uint256)
    updatedAt: uint256


# @dev Number of decimals of every answer (8 for USD pairs, as Chainlink).
decimals: public(immutable(uint8))
# @dev Human-readable pair name, e.g. "BTC / USD".
description: public(immutable(String[32]))
# @dev Aggregator interface version (Chainlink's AggregatorV3 reports 4).
version: public(constant(uint256)) = 4

# @dev A published round.
struct Round:
    answer: int256
    updated_at: uint256


# @dev Emitted when the owner starts a new phase (the next answer is its round 1).
event PhaseStarted:
    phase: uint16


# @dev Id of the latest round, `phase << 64 | n` (0 before the first answer).
latest_round: public(uint80)
# @dev The current phase (0 at deployment); its first round is `phase << 64 | 1`.
phase: public(uint16)
# @dev Every published round, by id.
rounds: HashMap[uint80, Round]
# @dev The latest answer, in `decimals` fixed point.
latest_answer: public(int256)
# @dev Block time of the latest answer.
latest_timestamp: public(uint256)


@deploy
def __init__(decimals_: uint8, description_: String[32], initial_answer: int256):
    """
    @dev The deployer becomes the owner (the only account that may publish).
    @param decimals_ Decimals of the answers (8 for BTC/USD).
    @param description_ The pair name.
    @param initial_answer The first answer; 0 publishes nothing.
    """
    ownable.__init__()
    decimals = decimals_
    description = description_
    if initial_answer != 0:
        self._publish(initial_answer)


@internal
def _publish(answer: int256):
    r: uint256 = convert(self.latest_round, uint256)
    base: uint256 = convert(self.phase, uint256) << 64
    if r >> 64 != base >> 64 or r == 0:
        r = base
    r += 1
    self.latest_round = convert(r, uint80)
    self.rounds[convert(r, uint80)] = Round(answer=answer, updated_at=block.timestamp)
    self.latest_answer = answer
    self.latest_timestamp = block.timestamp
    log AnswerUpdated(current=answer, roundId=convert(self.latest_round, uint256), updatedAt=block.timestamp)


@external
def set_price(answer: int256):
    """
    @notice Publishes a new answer stamped with the current block time.
    @dev Owner only. Zero and negative answers are accepted on purpose
         (readers must reject them); this keeps the feed a faithful
         stand-in for misbehaving real feeds in tests.
    @param answer The new price in `decimals` fixed point.
    """
    ownable._check_owner()
    self._publish(answer)


@external
def new_phase():
    """
    @notice Starts the next phase (as a Chainlink proxy pointed at a new aggregator): the
            next answer is round `(phase + 1) << 64 | 1`; earlier rounds stay readable.
    @dev Owner only. Emits `PhaseStarted`.
    """
    ownable._check_owner()
    self.phase += 1
    log PhaseStarted(phase=self.phase)


@external
@view
def getRoundData(round_id: uint80) -> (uint80, int256, uint256, uint256, uint80):
    """
    @notice A published round, as Chainlink's AggregatorV3 returns it.
    @dev Reverts "feed: no data present" for a round never published.
    @param round_id The round id (phase in the top 16 bits).
    @return roundId, answer, startedAt, updatedAt, answeredInRound.
    """
    r: Round = self.rounds[round_id]
    assert r.updated_at != 0, "feed: no data present"
    return round_id, r.answer, r.updated_at, r.updated_at, round_id


@external
@view
def latestRoundData() -> (uint80, int256, uint256, uint256, uint80):
    """
    @notice The latest round, as Chainlink's AggregatorV3 returns it.
    @return roundId, answer, startedAt, updatedAt, answeredInRound.
    """
    r: uint80 = self.latest_round
    return r, self.latest_answer, self.latest_timestamp, self.latest_timestamp, r
