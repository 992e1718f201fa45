# pragma version ~=0.4.3
"""
@title The hashprice formula, in integers
@custom:contract-name hashprice_math
@license MIT
@notice Millisatoshi earned per TH/s per day at a target and an average
        reward per block:
            floor(10**15 * 86,400 * reward_sum * target / (blocks * 0xffff * 2**240))
        which is 10**12 * 86,400 * (reward_sum / blocks) / (D * 2**32) in sats,
        times 1,000, with D = 0xffff * 2**208 / target Bitcoin's (real-valued)
        difficulty; one floor, at the end. `hashtrust.hashrate.economics`
        computes the very same integer.
@dev The product does not fit 256 bits (a mainnet target is ~2**178), so it
     is split: target = hi * 2**128 + lo, and
     floor(A * target / 2**240) = (A * hi + (A * lo >> 128)) >> 112,
     then divided by blocks * 0xffff (floor(floor(x / m) / n) = floor(x / (m * n))).
     With blocks <= 1,024 and reward_sum <= blocks * 21M BTC, A = 10**15 *
     86,400 * reward_sum < 2**127.1, so nothing overflows for any target.
"""


# @dev 10**15 * 86,400: sats to millisats (10**3), hashes to TH (10**12), seconds in a day.
_SCALE: constant(uint256) = 10**15 * 86_400
# @dev 0xffff, the mantissa of the difficulty-1 target (0xffff * 2**208).
_DIFF1_MANTISSA: constant(uint256) = 65_535
# @dev Most blocks one value may average (keeps the product within 256 bits).
MAX_BLOCKS: constant(uint256) = 1_024
# @dev 21 million BTC in sats: no block pays more.
_MAX_MONEY: constant(uint256) = 2_100_000_000_000_000


@internal
@pure
def _msat_per_th_day(target: uint256, reward_sum: uint256, blocks: uint256) -> uint256:
    """
    @dev The hashprice, in msat per TH/s per day, of `blocks` blocks that
         paid `reward_sum` sats in all, mined at `target`.
    @param target The 256-bit target the blocks met (difficulty = 0xffff * 2**208 / target).
    @param reward_sum Sum of what the blocks paid (subsidy + fees), in sats.
    @param blocks How many blocks the sum covers (1..1,024).
    @return floor(10**15 * 86,400 * reward_sum * target / (blocks * 0xffff * 2**240)).
    """
    assert target != 0, "hashprice_math: target is zero"
    assert blocks != 0 and blocks <= MAX_BLOCKS, "hashprice_math: blocks must be 1 to 1,024"
    assert reward_sum <= blocks * _MAX_MONEY, "hashprice_math: average reward exceeds 21 million BTC"
    a: uint256 = _SCALE * reward_sum
    hi: uint256 = a * (target >> 128)
    lo: uint256 = a * (target & (2**128 - 1))
    return ((hi + (lo >> 128)) >> 112) // (blocks * _DIFF1_MANTISSA)
