# pragma version ~=0.4.3
"""
@title Misbehaving price feed for hashrate-vault oracle tests
@custom:contract-name MockVaultFeed
@license MIT
@notice AggregatorV3-shaped feed whose rounds are set freely (answer,
        `updatedAt`, `answeredInRound`, the latest round id, odd decimals),
        to test how the vault rejects bad oracle data. Test-only.
@dev `set(answer, updated_at)` keeps its old meaning: round 1, the latest.
     A round never set reads as zeros (no revert), as some feeds do.
"""

struct Round:
    answer: int256
    updated_at: uint256
    answered_in: uint80


decimals: public(uint8)
latest_round: public(uint80)
rounds: public(HashMap[uint80, Round])


@deploy
def __init__(decimals_: uint8):
    """@param decimals_ What `decimals()` returns (any value, to test the vault's check)."""
    self.decimals = decimals_


@external
def set(answer_: int256, updated_at_: uint256):
    """@notice Round 1 (answered in round 1) becomes the latest with this answer and time."""
    self.rounds[1] = Round(answer=answer_, updated_at=updated_at_, answered_in=1)
    self.latest_round = 1


@external
def set_round(round_id: uint80, answer_: int256, updated_at_: uint256, answered_in: uint80):
    """@notice Writes one round as given (the latest round is unchanged)."""
    self.rounds[round_id] = Round(answer=answer_, updated_at=updated_at_, answered_in=answered_in)


@external
def set_latest(round_id: uint80):
    """@notice Which round `latestRoundData` returns."""
    self.latest_round = round_id


@external
@view
def getRoundData(round_id: uint80) -> (uint80, int256, uint256, uint256, uint80):
    """@notice The round as set (zeros for a round never set)."""
    r: Round = self.rounds[round_id]
    return round_id, r.answer, r.updated_at, r.updated_at, r.answered_in


@external
@view
def latestRoundData() -> (uint80, int256, uint256, uint256, uint80):
    """@notice The round `set_latest` (or `set`) chose."""
    r: Round = self.rounds[self.latest_round]
    return self.latest_round, r.answer, r.updated_at, r.updated_at, r.answered_in
