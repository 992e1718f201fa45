# pragma version ~=0.4.3
"""
@title Mock hashrate vault for VaultTrust unit tests
@custom:contract-name MockTrustVault
@license MIT
@notice Test double of the views `VaultTrust` reads of `HashrateVault` (IHashrateVault),
        every one settable, and `do_settle`, which calls `trust.settle` as the vault does
        and checks that the reward-token balance grew by what it returned. `split_of` is the
        vault's fee formula (electricity + maintenance at `btc_usd`, then perf), with the
        parameter version set for the epoch (`set_params_of`) or else the current one.
        Deadlines: report = end + grace + shift, attest = end + 2 grace + shift,
        record time = attest when FUNDED else report (`shift` stands for paused time).
"""

from ethereum.ercs import IERC20

from ..interfaces import IHashrateVault

implements: IHashrateVault


interface ITrust:
    def settle(epoch: uint256, post: bool) -> uint256: nonpayable


event Settled:
    epoch: indexed(uint256)
    paid: uint256


TH: constant(uint256) = 10**18
MAX_BPS: constant(uint256) = 10_000
FEED_UNIT: constant(uint256) = 10**8

EPOCH: public(constant(uint256)) = 86_400

REWARD_TOKEN: public(address)
TERM_START: public(uint256)
TERM_END: public(uint256)
SALE_END: public(uint256)
N_EPOCHS: public(uint256)
REPORT_GRACE: public(uint256)
CAPACITY: public(uint256)
TREASURY: public(address)
owner: public(address)
guardian: public(address)
trust: public(address)
totalSupply: public(uint256)
term_supply: public(uint256)
unfunded_cursor: public(uint256)
attest_cursor: public(uint256)
params: public(IHashrateVault.Params)
deadline_shift: public(uint256)

_epochs: HashMap[uint256, IHashrateVault.Epoch]
_epoch_params: HashMap[uint256, IHashrateVault.Params]
_has_params_of: HashMap[uint256, bool]


@deploy
def __init__(reward_token: address, term_start: uint256, n_epochs: uint256, grace: uint256, capacity: uint256, p: IHashrateVault.Params):
    self.REWARD_TOKEN = reward_token
    self.TERM_START = term_start
    self.N_EPOCHS = n_epochs
    self.TERM_END = term_start + n_epochs * EPOCH
    self.SALE_END = term_start
    self.REPORT_GRACE = grace
    self.CAPACITY = capacity
    self.params = p
    self.owner = msg.sender


@external
def set_roles(owner_: address, guardian_: address, treasury_: address):
    self.owner = owner_
    self.guardian = guardian_
    self.TREASURY = treasury_


@external
def set_params(p: IHashrateVault.Params):
    self.params = p


@external
def set_params_of(epoch: uint256, p: IHashrateVault.Params):
    self._epoch_params[epoch] = p
    self._has_params_of[epoch] = True


@external
def set_trust(t: address):
    self.trust = t


@external
def set_supply(total: uint256, term: uint256):
    self.totalSupply = total
    self.term_supply = term


@external
def set_cursor(c: uint256):
    self.unfunded_cursor = c
    self.attest_cursor = c


@external
def set_cursors(u: uint256, a: uint256):
    self.unfunded_cursor = u
    self.attest_cursor = a


@external
@view
def cursors() -> (uint256, uint256):
    return self.unfunded_cursor, self.attest_cursor


@external
@view
def settle_cursor() -> uint256:
    return min(self.unfunded_cursor, self.attest_cursor)


@external
def set_deadline_shift(s: uint256):
    self.deadline_shift = s


@external
def set_grace(g: uint256):
    self.REPORT_GRACE = g


@external
def set_epoch(epoch: uint256, e: IHashrateVault.Epoch):
    self._epochs[epoch] = e


@external
def do_settle(epoch: uint256, post: bool) -> uint256:
    before: uint256 = staticcall IERC20(self.REWARD_TOKEN).balanceOf(self)
    paid: uint256 = extcall ITrust(self.trust).settle(epoch, post)
    assert staticcall IERC20(self.REWARD_TOKEN).balanceOf(self) - before == paid, "mock: paid mismatch"
    log Settled(epoch=epoch, paid=paid)
    return paid


@external
@view
def epochs(epoch: uint256) -> IHashrateVault.Epoch:
    return self._epochs[epoch]


@internal
@view
def _params_of(epoch: uint256) -> IHashrateVault.Params:
    if self._has_params_of[epoch]:
        return self._epoch_params[epoch]
    return self.params


@external
@view
def params_of(epoch: uint256) -> IHashrateVault.Params:
    return self._params_of(epoch)


@external
@view
def split_of(epoch: uint256, delivered: uint256, gross: uint256, btc_usd: uint256) -> (uint256, uint256, uint256):
    p: IHashrateVault.Params = self._params_of(epoch)
    fee: uint256 = 0
    if btc_usd != 0:
        per_th: uint256 = p.mj_per_th * 24 * p.micro_usd_per_kwh + p.micro_usd_per_th_day * 10**6
        fee = min(gross, delivered * per_th * 100 * FEED_UNIT // (10**24 * btc_usd))
    perf: uint256 = (gross - fee) * p.perf_bps // MAX_BPS
    return fee, perf, gross - fee - perf


@internal
@view
def _end(epoch: uint256) -> uint256:
    return self.TERM_START + (epoch + 1) * EPOCH


@external
@view
def epoch_end(epoch: uint256) -> uint256:
    return self._end(epoch)


@external
@view
def report_deadline(epoch: uint256) -> uint256:
    return self._end(epoch) + self.REPORT_GRACE + self.deadline_shift


@external
@view
def attest_deadline(epoch: uint256) -> uint256:
    return self._end(epoch) + 2 * self.REPORT_GRACE + self.deadline_shift


@external
@view
def record_time(epoch: uint256) -> uint256:
    if IHashrateVault.EpochStatus.FUNDED in self._epochs[epoch].status:
        return self._end(epoch) + 2 * self.REPORT_GRACE + self.deadline_shift
    return self._end(epoch) + self.REPORT_GRACE + self.deadline_shift
