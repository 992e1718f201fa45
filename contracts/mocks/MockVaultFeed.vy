# pragma version ~=0.4.3
"""
@title Misbehaving price feed for hashrate-vault oracle tests
@custom:contract-name MockVaultFeed
@license MIT
@notice AggregatorV3-shaped feed whose answer, `updatedAt` and decimals
        are set freely (timestamps in the future, odd decimals), to test
        how the vault rejects bad oracle data. Test-only.
"""

decimals: public(uint8)
answer: public(int256)
updated_at: public(uint256)


@deploy
def __init__(decimals_: uint8):
    self.decimals = decimals_


@external
def set(answer_: int256, updated_at_: uint256):
    self.answer = answer_
    self.updated_at = updated_at_


@external
@view
def latestRoundData() -> (uint80, int256, uint256, uint256, uint80):
    return 1, self.answer, self.updated_at, self.updated_at, 1
