"""The vault world the SDK-level e2e tests share: the deployment plan on a fresh address book,
the operator agent (carol) and three pool-watcher validator agents (accounts 6, 7 and 8)."""

from __future__ import annotations

from dataclasses import dataclass

from hashtrust.chain import artifacts
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import LocalSigner, TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.hashrate.vault import HashrateVaultClient


def sender(w3, acct) -> TxSender:
    return TxSender(w3, LocalSigner.from_key(acct.private_key))


def warp_to(w3, ts: int) -> None:
    """Mine the next block at ``ts``."""
    w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    w3.provider.make_request("evm_mine", [])


@dataclass
class VaultWorld:
    book: AddressBook
    admin: TxSender
    op: TxSender
    agent_id: int
    validators: list  # the validator accounts
    vault_admin: HashrateVaultClient
    wbtc: object


def vault_world(w3, deployer, carol, accounts, folder) -> VaultWorld:
    """Deploy the plan, register carol's operator agent and the three validators' agents."""
    admin = sender(w3, deployer)
    book = AddressBook.for_chain(w3, folder)
    deploy(w3, admin, book)
    wbtc = w3.eth.contract(address=book.address("TestWBTC"), abi=artifacts.abi("DevToken"))
    op = sender(w3, carol)
    agent_id = IdentityClient.from_book(w3, book, op).register("ipfs://carol-mining-operator")
    validators = [accounts[i] for i in (6, 7, 8)]
    for v in validators:
        IdentityClient.from_book(w3, book, sender(w3, v)).register(f"ipfs://pool-watcher-{v.address[-4:]}")
    return VaultWorld(book, admin, op, agent_id, validators, HashrateVaultClient.from_book(w3, book, admin), wbtc)
