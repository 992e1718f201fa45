"""DevToken: the devnet wBTC (8 decimals) and USD stablecoin (6 decimals).

Story: the deployer mints test balances; nobody else can; the tokens behave as
snekmate's audited ERC-20 (transfers, allowances, events)."""

import ape


def test_metadata(wbtc, usd, deployer):
    assert (wbtc.name(), wbtc.symbol(), wbtc.decimals()) == ("Wrapped BTC (devnet)", "WBTC", 8)
    assert (usd.name(), usd.symbol(), usd.decimals()) == ("USD Stablecoin (devnet)", "USDC", 6)
    assert wbtc.owner() == deployer
    assert wbtc.totalSupply() == 0


def test_owner_mints_with_event(wbtc, deployer, alice):
    tx = wbtc.mint(alice, 5 * 10**8, sender=deployer)
    assert wbtc.balanceOf(alice) == 5 * 10**8
    assert wbtc.totalSupply() == 5 * 10**8
    (log,) = tx.decode_logs(wbtc.Transfer)
    assert (log.sender, log.receiver, log.value) == (ape.utils.ZERO_ADDRESS, alice, 5 * 10**8)


def test_stranger_cannot_mint(wbtc, usd, alice):
    with ape.reverts("ownable: caller is not the owner"):
        wbtc.mint(alice, 1, sender=alice)
    with ape.reverts("ownable: caller is not the owner"):
        usd.mint(alice, 1, sender=alice)
    assert wbtc.totalSupply() == 0 and usd.totalSupply() == 0


def test_mint_to_zero_address_reverts(wbtc, deployer):
    with ape.reverts("erc20: mint to the zero address"):
        wbtc.mint(ape.utils.ZERO_ADDRESS, 1, sender=deployer)
    assert wbtc.totalSupply() == 0


def test_minter_role_functions_are_not_exposed(wbtc):
    names = {abi.name for abi in wbtc.contract_type.abi if getattr(abi, "name", None)}
    assert "set_minter" not in names and "is_minter" not in names
    assert "mint" in names and "permit" in names


def test_transfer_and_allowance_with_events(usd, deployer, alice, bob):
    usd.mint(alice, 1_000_000, sender=deployer)
    tx = usd.transfer(bob, 250_000, sender=alice)
    (log,) = tx.decode_logs(usd.Transfer)
    assert (log.sender, log.receiver) == (alice, bob)
    assert (log.value, usd.balanceOf(alice), usd.balanceOf(bob)) == (250_000, 750_000, 250_000)
    tx = usd.approve(bob, 100_000, sender=alice)
    (log,) = tx.decode_logs(usd.Approval)
    assert (log.owner, log.spender, log.value) == (alice, bob, 100_000)
    usd.transferFrom(alice, bob, 100_000, sender=bob)
    assert usd.balanceOf(bob) == 350_000 and usd.allowance(alice, bob) == 0


def test_transfer_more_than_balance_reverts(usd, deployer, alice, bob):
    usd.mint(alice, 10, sender=deployer)
    with ape.reverts("erc20: transfer amount exceeds balance"):
        usd.transfer(bob, 11, sender=alice)
    assert usd.balanceOf(alice) == 10 and usd.balanceOf(bob) == 0


def test_transfer_from_without_allowance_reverts(usd, deployer, alice, bob):
    usd.mint(alice, 10, sender=deployer)
    with ape.reverts("erc20: insufficient allowance"):
        usd.transferFrom(alice, bob, 1, sender=bob)
    assert usd.balanceOf(alice) == 10


def test_ownership_handover(wbtc, deployer, alice):
    tx = wbtc.transfer_ownership(alice, sender=deployer)
    (log,) = tx.decode_logs(wbtc.OwnershipTransferred)
    assert log.new_owner == alice
    wbtc.mint(alice, 7, sender=alice)
    with ape.reverts("ownable: caller is not the owner"):
        wbtc.mint(alice, 7, sender=deployer)
    assert wbtc.balanceOf(alice) == 7
