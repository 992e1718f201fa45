# pragma version ~=0.4.3
"""
@title The bitcoin module's arithmetic, exposed for tests
@custom:contract-name MockBitcoinMath
@license MIT
@notice Test-only: the retarget rule, compact targets and the coinbase
        parser of `contracts/modules/bitcoin.vy`, callable on their own, so
        the tests check the contracts' own arithmetic on real mainnet data
        whose retargets cannot be proven through the relay (the fixtures
        carry no coinbase to pin their heights).
"""

from ..modules import bitcoin


@external
@pure
def next_bits(bits: uint256, first_time: uint256, last_time: uint256, pow_limit: uint256) -> uint256:
    """
    @notice The nBits Bitcoin's retarget rule gives after an epoch.
    @param bits The epoch's nBits.
    @param first_time Its first block's timestamp.
    @param last_time Its last block's timestamp.
    @param pow_limit The network's pow limit.
    @return The next epoch's nBits.
    """
    return bitcoin._next_bits(bits, first_time, last_time, pow_limit)


@external
@pure
def difficulty(bits: uint256) -> uint256:
    """
    @notice The integer difficulty of compact nBits, floor(0xffff * 2**208 / target).
    @param bits Compact nBits.
    @return The difficulty.
    """
    return bitcoin._difficulty(bitcoin._target(bits))


@external
@pure
def coinbase(data: Bytes[bitcoin.MAX_COINBASE_BYTES]) -> (bytes32, uint256, uint256):
    """
    @notice Parses a coinbase as the relay and the index do.
    @param data The coinbase serialised without witness.
    @return (txid in internal byte order, BIP34 height, sum of the outputs in sats).
    """
    return bitcoin._coinbase(data)
