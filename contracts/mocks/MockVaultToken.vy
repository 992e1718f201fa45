# pragma version ~=0.4.3
"""
@title Misbehaving ERC-20 for hashrate-vault attack tests
@custom:contract-name MockVaultToken
@license MIT
@notice A minimal ERC-20 whose owner can switch on two misbehaviours:
        a fee taken on every transfer (`fee_bps`), and a re-entrant hook
        that, during `transfer`/`transferFrom`, calls `hook_target` with
        `hook_data` (the reentrancy attempt's outcome is recorded in
        `hook_succeeded`, so tests can see it was refused).
@dev Test-only. Never deploy on a network where balances carry value.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

decimals: public(immutable(uint8))
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
totalSupply: public(uint256)
# @dev Basis points burnt on every transfer (fee-on-transfer behaviour).
fee_bps: public(uint256)
# @dev Contract called back during transfers (zero: no hook).
hook_target: public(address)
# @dev Calldata of the callback.
hook_data: public(Bytes[256])
# @dev How many callbacks ran, and whether the last one succeeded.
hook_calls: public(uint256)
hook_succeeded: public(bool)
_in_hook: bool


@deploy
def __init__(decimals_: uint8):
    decimals = decimals_


@external
def mint(to: address, amount: uint256):
    self.balanceOf[to] += amount
    self.totalSupply += amount
    log Transfer(sender=empty(address), receiver=to, value=amount)


@external
def set_fee_bps(bps: uint256):
    self.fee_bps = bps


@external
def set_hook(target: address, data: Bytes[256]):
    self.hook_target = target
    self.hook_data = data


@internal
def _move(owner: address, to: address, amount: uint256):
    self.balanceOf[owner] -= amount
    fee: uint256 = amount * self.fee_bps // 10_000
    self.balanceOf[to] += amount - fee
    self.totalSupply -= fee
    log Transfer(sender=owner, receiver=to, value=amount - fee)
    target: address = self.hook_target
    if target != empty(address) and not self._in_hook:
        self._in_hook = True
        ok: bool = raw_call(target, self.hook_data, revert_on_failure=False)
        self.hook_succeeded = ok
        self.hook_calls += 1
        self._in_hook = False


@external
def transfer(to: address, amount: uint256) -> bool:
    self._move(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    if self.allowance[owner][msg.sender] != max_value(uint256):
        self.allowance[owner][msg.sender] -= amount
    self._move(owner, to, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True
