# pragma version ~=0.4.3
"""
@title Settable stand-in of the trust layer for the vault's own tests
@custom:contract-name MockVaultTrust
@license MIT
@notice Implements what `HashrateVault` calls of `VaultTrust`: `settle` pays the owed
        amount set for the epoch (from its own reward-token balance) to the vault and
        returns it; `operator_wallet`, `coverable_shares` and `VAULT` are settable.
        Misbehaviours for negative tests: return more than it pays (`short_pay`), revert.
        Records every settle call (epoch, post, time) and `post_pending` call; the
        validator list is settable. Test-only.
"""

from ethereum.ercs import IERC20

VAULT: public(address)
REWARD_TOKEN: public(IERC20)
operator_wallet: public(address)
coverable_shares: public(uint256)
owed: public(HashMap[uint256, uint256])
# @dev Sats returned by `settle` but not transferred (a lying trust).
short_pay: public(uint256)
refuse: public(bool)
# @dev Log of settle calls.
calls: public(uint256)
settled_epoch: public(HashMap[uint256, uint256])
settled_post: public(HashMap[uint256, bool])
settled_at: public(HashMap[uint256, uint256])
times_settled: public(HashMap[uint256, uint256])
# @dev `validator_list()` (settable) and the log of `post_pending` calls.
validators: DynArray[address, 16]
post_pending_calls: public(uint256)
post_pending_last: public(uint256)


@deploy
def __init__(vault: address, reward_token: IERC20, wallet: address, coverable: uint256):
    """@dev Pays settlements from its own `reward_token` balance (mint to it in tests)."""
    self.VAULT = vault
    self.REWARD_TOKEN = reward_token
    self.operator_wallet = wallet
    self.coverable_shares = coverable


@external
def set_vault(v: address):
    """@notice Which vault `VAULT()` names (and the only caller `settle` accepts)."""
    self.VAULT = v


@external
def set_operator_wallet(w: address):
    """@notice What `operator_wallet()` returns (zero: no operator)."""
    self.operator_wallet = w


@external
def set_coverable_shares(n: uint256):
    """@notice What `coverable_shares()` returns."""
    self.coverable_shares = n


@external
def set_owed(epoch: uint256, amount: uint256):
    """@notice What `settle(epoch)` pays (capped by this contract's reward-token balance)."""
    self.owed[epoch] = amount


@external
def set_short_pay(amount: uint256):
    """@notice Sats `settle` returns on top of what it transfers (a lying trust)."""
    self.short_pay = amount


@external
def set_refuse(r: bool):
    """@notice Makes `settle` revert ("trust: refused")."""
    self.refuse = r


@external
def settle(epoch: uint256, post: bool) -> uint256:
    """@notice Vault only: pays the owed amount to the vault, logs the call, returns paid + short_pay."""
    assert msg.sender == self.VAULT, "trust: caller is not the vault"
    assert not self.refuse, "trust: refused"
    paid: uint256 = min(self.owed[epoch], staticcall self.REWARD_TOKEN.balanceOf(self))
    if paid != 0:
        assert extcall self.REWARD_TOKEN.transfer(self.VAULT, paid, default_return_value=True)
    i: uint256 = self.calls
    self.settled_epoch[i] = epoch
    self.settled_post[i] = post
    self.settled_at[i] = block.timestamp
    self.calls = i + 1
    self.times_settled[epoch] += 1
    return paid + self.short_pay


@external
def set_validators(v: DynArray[address, 16]):
    """@notice What `validator_list()` returns."""
    self.validators = v


@external
@view
def validator_list() -> DynArray[address, 16]:
    """@notice The settable validator list."""
    return self.validators


@external
def post_pending(max_n: uint256) -> uint256:
    """@notice Logs the call (count, `max_n`); posts nothing, returns 0."""
    assert not self.refuse, "trust: refused"
    self.post_pending_calls += 1
    self.post_pending_last = max_n
    return 0
