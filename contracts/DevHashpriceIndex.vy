# pragma version ~=0.4.3
"""
@title Devnet hashprice index, fed by the economics simulator
@custom:contract-name DevHashpriceIndex
@license MIT
@notice The consumer interface of `HashpriceIndex` on a local devnet, where
        there is no Bitcoin to prove: its owner publishes each day's inputs
        (a target, the sum of the rewards of some blocks, how many) and the
        contract computes the value with the very formula of the real index
        (`hashprice_math`), so the simulator (`hashtrust.hashrate.economics`)
        predicts it to the millisatoshi. Days become final as in the real
        index: in order and without gaps (the first publication fixes the
        first day, each later one is the day after the last), so `latest()`
        is always the end of a contiguous run of final days and a consumer
        tested here meets the same order on a real network. A published day
        is final; it cannot be published twice.
@dev The constructor refuses any chain but a local devnet (chain ids 31337
     and 1337): a value set by one key is no index for a real network.
"""

from .interfaces import IHashpriceIndex
from .modules import hashprice_math

implements: IHashpriceIndex


# ---------------------------------------------------------------- EVENTS
# @dev Emitted when the owner publishes a day (final at once).
event DayPublished:
    day: indexed(uint256)
    value: uint256
    target: uint256
    reward_sum: uint256
    blocks: uint256


# ---------------------------------------------------------------- IMMUTABLES
# @dev The account that publishes days (the deployer).
OWNER: public(immutable(address))


# ---------------------------------------------------------------- STORAGE
# @dev Day => value + 1 (0 = not published).
_days: HashMap[uint256, uint256]
# @dev The newest published day (days first_day .. it are final).
_latest_day: uint256
# @dev The first published day.
_first_day: uint256
# @dev Whether any day is published.
_any: bool


@deploy
def __init__():
    """
    @dev Deployable on a local devnet only.
    """
    assert chain.id == 31337 or chain.id == 1337, "dev index: only on a local devnet (chain id 31337 or 1337)"
    OWNER = msg.sender


@external
def publish(day: uint256, target: uint256, reward_sum: uint256, blocks: uint256) -> uint256:
    """
    @notice Publishes the final value of a UTC day from the simulator's inputs.
    @dev The first call may name any day; every later one must name the day
         after the newest published day (days final in order, no gaps).
    @param day unix_time // 86,400.
    @param target The difficulty target of the day (difficulty = 0xffff * 2**208 / target).
    @param reward_sum Sum of what `blocks` blocks paid, in sats.
    @param blocks How many blocks the sum covers (1 .. 1,024).
    @return The value, msat per TH/s per day.
    """
    assert msg.sender == OWNER, "dev index: only the owner publishes"
    if self._any:
        assert day < self._first_day or day > self._latest_day, "dev index: day already published"
        assert day == self._latest_day + 1, "dev index: days are published in order, without gaps"
    else:
        self._first_day = day
    value: uint256 = hashprice_math._msat_per_th_day(target, reward_sum, blocks)
    self._days[day] = value + 1
    self._latest_day = day
    self._any = True
    log DayPublished(day=day, value=value, target=target, reward_sum=reward_sum, blocks=blocks)
    return value


@external
@view
def hashprice(day: uint256) -> (uint256, bool):
    """
    @notice The published hashprice of a UTC day, in msat per TH/s per day.
    @param day unix_time // 86,400.
    @return (value, True) once published; (0, False) before.
    """
    stored: uint256 = self._days[day]
    if stored == 0:  # days are final from the first published day to the newest, without gaps
        return 0, False
    return stored - 1, True


@external
@view
def latest() -> (uint256, uint256):
    """
    @notice The newest published day.
    @return (day, value); (0, 0) when none.
    """
    if not self._any:
        return 0, 0
    return self._latest_day, self._days[self._latest_day] - 1
