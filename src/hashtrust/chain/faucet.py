"""The devnet faucet: top an account up with ETH and the devnet's test tokens.

``hashtrust devnet faucet ADDRESS --eth 10 --usd 100,000 --wbtc 1`` makes ADDRESS hold *at
least* those amounts: it sends only the difference, so a rerun (or a run after a crash) sends
nothing for what is already there. ETH comes from the signing dev account; the test tokens
(`TestUSD`, `TestWBTC` of the chain's address book, both `DevToken`) are minted by their owner,
the dev account that deployed them. Devnets only: on any other chain it is refused before
anything is read or sent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from web3 import Web3

from hashtrust.chain import artifacts, files, jsonsafe
from hashtrust.chain.accounts import ANVIL_FUNDED, devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.checks import check_address
from hashtrust.chain.devnet import require_devnet
from hashtrust.chain.tx import TxSender, call_view
from hashtrust.errors import HashtrustError, InputError

# (book name, what the user calls it, decimals) of the test tokens the faucet mints
TOKENS = (("TestUSD", "USD", 6), ("TestWBTC", "wBTC", 8))
FAUCET_WAIT = 300.0  # seconds a faucet run waits for another one topping up the same address


@dataclass
class Grant:
    """One asset the faucet looked at."""

    asset: str
    wanted: Decimal  # the balance asked for, in units
    before: Decimal
    sent: Decimal  # 0 when the account already held enough
    tx: str | None = None

    def text(self) -> str:
        places = {"ETH": 4, "USD": 2, "wBTC": 8}[self.asset]
        fmt = f"{{:,.{places}f}}"
        if not self.sent:
            return f"   {self.asset:<5} holds {fmt.format(self.before)} (>= {fmt.format(self.wanted)}): nothing sent"
        return f"   {self.asset:<5} {fmt.format(self.before)} -> {fmt.format(self.before + self.sent)} (+{fmt.format(self.sent)})"


@dataclass
class FaucetResult:
    address: str
    grants: list[Grant]

    def text(self) -> str:
        return "\n".join([f"faucet for {self.address}:", *(g.text() for g in self.grants)])

    def to_json(self) -> dict:
        return {"address": self.address, "grants": [{k: jsonsafe.plain_decimal(v) if isinstance(v, Decimal) else v for k, v in g.__dict__.items()} for g in self.grants]}


def _units(amount: Decimal, decimals: int, field: str) -> int:
    raw = amount.scaleb(decimals)
    if raw != raw.to_integral_value():
        raise InputError(field, f"{amount:f} has more than {decimals} decimals")
    return int(raw)


def _owner_sender(w3: Web3, token: Any, name: str) -> TxSender:
    owner = Web3.to_checksum_address(call_view(token.functions.owner(), action=f"{name}.owner"))
    for i in range(ANVIL_FUNDED):
        signer = devnet_signer(i)
        if signer.address == owner:
            return TxSender(w3, signer)
    raise HashtrustError(f"{name}'s owner {owner} is not one of Anvil's dev accounts 0-{ANVIL_FUNDED - 1}: mint as that owner")


def faucet(w3: Web3, sender: TxSender, book: AddressBook, address: str, *, eth: Decimal, usd: Decimal, wbtc: Decimal,
           log: Callable[[str], Any] = lambda s: None) -> FaucetResult:
    """Top ``address`` up to at least ``eth`` ETH, ``usd`` TestUSD and ``wbtc`` TestWBTC (0: leave
    that asset alone). Everything is checked before the first transaction."""
    require_devnet(w3, "the faucet (it mints test tokens and hands out a dev account's ETH)", hint="on a real network get funds the usual way")
    address = check_address(address, "address")
    units = {"ETH": _units(eth, 18, "--eth")}  # the amounts first: a bad one is refused before any read
    for (name, asset, decimals), amount in zip(TOKENS, (usd, wbtc)):
        units[asset] = _units(amount, decimals, f"--{asset.lower()}")
    plan: list[tuple[str, Decimal, int, Any, str]] = []  # (asset, wanted, wanted units, token contract or None, book name)
    if eth:
        plan.append(("ETH", eth, units["ETH"], None, ""))
    for (name, asset, decimals), amount in zip(TOKENS, (usd, wbtc)):
        if not amount:
            continue
        if book.get(name) is None:
            raise HashtrustError(f"no {name} recorded for chain {book.chain_id} in {book.path}: run `hashtrust deploy` first (or pass --{asset.lower()} 0)")
        token = w3.eth.contract(address=Web3.to_checksum_address(book.address(name)), abi=artifacts.abi("DevToken"))
        if not w3.eth.get_code(token.address):
            raise HashtrustError(f"{name} is recorded at {token.address} but there is no code there (the chain was reset?): run `hashtrust deploy`")
        plan.append((asset, amount, units[asset], token, name))
    if not plan:
        raise InputError("--eth/--usd/--wbtc", "ask for at least one asset (all three are 0)")
    # one faucet run per address at a time: two at once each saw the balance missing and sent it
    # (ADDRESS held twice what it asked for); the second now waits and sees what the first sent
    # (keyed by the chain's identity, not its id: two devnets are both chain 31337)
    with files.turn(f"faucet-{sender.chain_key()}-{address.lower()}", f"{os.getpid()}", wait=FAUCET_WAIT, what=f"the faucet for {address}",
                    notice=sender.notice):
        return FaucetResult(address, [_grant(w3, sender, address, *step, log=log) for step in plan])


def _grant(w3: Web3, sender: TxSender, address: str, asset: str, wanted: Decimal, units: int, token: Any, name: str, *,
           log: Callable[[str], Any]) -> Grant:
    """Top ``address`` up to ``units`` of one asset (what is missing only)."""
    decimals = 18 if token is None else int(call_view(token.functions.decimals(), action=f"{name}.decimals"))
    have = w3.eth.get_balance(address) if token is None else int(call_view(token.functions.balanceOf(address), action=f"{name}.balanceOf"))
    grant = Grant(asset, wanted, Decimal(have).scaleb(-decimals), Decimal(0))
    if have < units:
        missing = units - have
        if token is None:
            receipt = sender.transact({"to": address, "value": missing}, action="faucet ETH")
        else:
            receipt = _owner_sender(w3, token, name).transact(token.functions.mint(address, missing), action=f"faucet {name}")
        grant.sent, grant.tx = Decimal(missing).scaleb(-decimals), Web3.to_hex(receipt["transactionHash"])
    log(grant.text())
    return grant
