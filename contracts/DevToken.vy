# pragma version ~=0.4.3
"""
@title Devnet ERC-20 Token
@custom:contract-name DevToken
@license AGPL-3.0-only
@notice A real ERC-20 token for local and test networks, built on
        snekmate's `erc20` module (with EIP-2612 `permit`) and hashtrust's
        `eip3009` module (EIP-3009 transfers with authorization, the
        settlement method of x402's "exact" EVM scheme). hashtrust deploys it
        twice: a wrapped-BTC stand-in with 8 decimals (the hashrate vault's
        reward token) and a USD stablecoin with 6 decimals (the vault's
        payment token and the currency agents are paid in over x402).
@dev Unlike snekmate's minter role, minting here is owner-only: the
     owner is the deployer, who can hand ownership over with
     `transfer_ownership`. Never deploy this token on a network where
     its balances are meant to carry value. The EIP-712 domain (shared by
     `permit` and EIP-3009) is the token name and version "1": `name()`
     and `version()` return them, as x402 reads them.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20
from .modules import eip3009

initializes: ownable
initializes: erc20[ownable := ownable]
initializes: eip3009[erc20 := erc20]

# The whole ERC-20 + EIP-2612 surface except snekmate's minter-role
# functions (`mint`, `set_minter`, `is_minter`), which this token
# replaces with its owner-only `mint` below, and the EIP-3009 surface
# (its `bytes signature` overloads are served by `eip3009.__default__`).
exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
    erc20.burn,
    erc20.burn_from,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    erc20.owner,
    erc20.transfer_ownership,
    erc20.renounce_ownership,
    eip3009.version,
    eip3009.transferWithAuthorization,
    eip3009.receiveWithAuthorization,
    eip3009.cancelAuthorization,
    eip3009.authorizationState,
    eip3009.TRANSFER_WITH_AUTHORIZATION_TYPEHASH,
    eip3009.RECEIVE_WITH_AUTHORIZATION_TYPEHASH,
    eip3009.CANCEL_AUTHORIZATION_TYPEHASH,
    eip3009.MAX_SIGNATURE_LENGTH,
    eip3009.__default__,
)

# The version field of the EIP-712 domain.
_EIP712_VERSION: constant(String[20]) = "1"


@deploy
def __init__(name_: String[25], symbol_: String[5], decimals_: uint8):
    """
    @dev The EIP-712 domain uses the token name and version "1".
    @param name_ The token name, at most 25 characters.
    @param symbol_ The token symbol, at most 5 characters.
    @param decimals_ The number of decimals (8 for wBTC, 6 for USD).
    """
    ownable.__init__()
    erc20.__init__(name_, symbol_, decimals_, name_, _EIP712_VERSION)
    eip3009.__init__()


@external
def mint(owner: address, amount: uint256):
    """
    @dev Creates `amount` tokens and assigns them to `owner`.
    @notice Only the token owner may mint. `owner` cannot be the
            zero address (snekmate reverts with
            "erc20: mint to the zero address"). Emits `Transfer`
            from the zero address.
    @param owner The 20-byte receiving address.
    @param amount The 32-byte token amount to be created.
    """
    ownable._check_owner()
    erc20._mint(owner, amount)
