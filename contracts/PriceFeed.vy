# pragma version ~=0.4.3
"""
@title Devnet BTC/USD Price Feed
@custom:contract-name PriceFeed
@license AGPL-3.0-only
@notice An owner-set price feed with the read surface of a Chainlink
        AggregatorV3 (`decimals`, `description`, `version`,
        `latestRoundData`). hashtrust deploys it on devnets as the
        BTC/USD source of the hashrate vault; on a real network the vault
        is pointed at a real Chainlink aggregator instead.
@dev Each `set_price` opens a new round stamped with the block time.
     The feed does not judge staleness: its readers do (the vault
     rejects answers older than its `MAX_PRICE_AGE`).
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

# @dev Id of the latest round (0 before the first answer).
latest_round: public(uint80)
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
    self.latest_round += 1
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
@view
def latestRoundData() -> (uint80, int256, uint256, uint256, uint80):
    """
    @notice The latest round, as Chainlink's AggregatorV3 returns it.
    @return roundId, answer, startedAt, updatedAt, answeredInRound.
    """
    r: uint80 = self.latest_round
    return r, self.latest_answer, self.latest_timestamp, self.latest_timestamp, r
