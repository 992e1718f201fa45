# pragma version ~=0.4.3
"""
@title Settable hashprice index (tests only)
@custom:contract-name MockHashpriceIndex
@license MIT
@notice `IHashpriceIndex` with values set by anyone: a day is final once set;
        `latest()` is whatever was set last by `set_latest` (a test builds the
        index's contiguous order itself, or breaks it on purpose).
"""

from ..interfaces import IHashpriceIndex

implements: IHashpriceIndex

_days: HashMap[uint256, uint256]
_latest_day: uint256
_latest_value: uint256


@external
def set_day(day: uint256, v: uint256):
    """@dev Makes `day` final at `v` (msat per TH/s per day) and the latest."""
    self._days[day] = v + 1
    self._latest_day = day
    self._latest_value = v


@external
def unset_day(day: uint256):
    self._days[day] = 0


@external
def set_latest(day: uint256, v: uint256):
    self._latest_day = day
    self._latest_value = v


@external
@view
def hashprice(day: uint256) -> (uint256, bool):
    stored: uint256 = self._days[day]
    if stored == 0:
        return 0, False
    return stored - 1, True


@external
@view
def latest() -> (uint256, uint256):
    return self._latest_day, self._latest_value
