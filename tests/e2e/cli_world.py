"""A devnet with a small world on it, and the ``hashtrust`` command line run in-process against it.

The world (`build_world`): every contract of the deployment plan; agent 1 (owned by dev account
0), agent 2 (owned by account 1, its wallet account 6); account 3 gave agent 1 one feedback
(``starred`` 87); account 0 asked account 5 to validate a job of agent 1 (request `World.h`).
With ``vault=True`` the vault's term is also opened (`open_devnet_term`, still in its sale):
operator agent 3 (registered by account 6, its wallet, holding 0.01 TestWBTC beyond its bond;
not agent 2, whose wallet the command-line matrix unsets), validators accounts
7, 8 and 9, account 2 holding 10 TH/s and 1,000 TestUSD more. A vault has one phase at a time (its
sale closes when epoch 0 starts), so the world also holds one address book per later phase
(`World.phase_books`, same chain and contracts but the vault), each with the same operator,
validators and buyer: ``later``, a vault four days into its term (`play_later_term`: epoch 0
funded and attested by validators 7 and 8, epoch 1 funded without attestations, epoch 2 reported
and not funded, epoch 3 ended and not reported), and ``end``, a one-epoch vault past its term with
its epoch settled (`play_ended_term`: the bond can be withdrawn once ``vault settle-due`` moves the
settlement cursors). Each vault is deployed once the
previous one's phase is played; the sale's vault last.
`Cli` runs ``hashtrust`` through click's `CliRunner` (no subprocess: ~50 ms a command) with the
devnet's address book and folder in the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner
from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_key, devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.cli import main
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import RegistrationFile, Service
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.erc8004.validation import RequestFile, ValidationClient


@dataclass
class Result:
    code: int
    out: str

    @property
    def errors(self) -> list[str]:
        return [ln for ln in self.out.splitlines() if ln.startswith("Error:")]


@dataclass
class Cli:
    rpc: str
    env: dict = field(default_factory=dict)

    def __call__(self, *args: str, rpc: str | None = None, input: str | None = None, env: dict | None = None) -> Result:
        runner = CliRunner(mix_stderr=True)
        r = runner.invoke(main, ["--rpc", rpc or self.rpc, *args], env={**self.env, **(env or {})}, input=input, catch_exceptions=True)
        out = r.output
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            import traceback

            out += "\nTraceback (uncaught by the command line):\n" + "".join(traceback.format_exception(r.exception))
        return Result(r.exit_code, out)


@dataclass
class World:
    port: int
    home: Path
    books: Path
    w3: Web3
    cli: Cli
    h: bytes = b""
    phase_books: dict[str, Path] = field(default_factory=dict)  # with vault=True: "later", "end"

    def env_for(self, phase: str) -> dict:
        """The environment that points the command line at the address book of ``phase``."""
        return {"HASHTRUST_DEPLOYMENTS": str(self.phase_books[phase])}

    @property
    def book(self) -> AddressBook:
        """The devnet's address book as it is on disk now."""
        return AddressBook.for_chain(self.w3, self.books)

    def state(self) -> tuple:
        """What any transaction would change: the block number and the dev accounts' nonces."""
        return (self.w3.eth.block_number, tuple(self.w3.eth.get_transaction_count(devnet_signer(i).address) for i in range(10)))


def registration(name: str, skill: str) -> RegistrationFile:
    return RegistrationFile(name=name, description=f"{name} does {skill}", services=[Service(name="A2A", endpoint=f"https://{skill}.example/a2a", skills=[skill])])


def start_world(tmp: Path, port: int) -> World:
    home, books = tmp / "devnet", tmp / "deployments"
    devnet.start(port, home=home)
    w3 = Web3(Web3.HTTPProvider(devnet.url(port)))
    env = {"HASHTRUST_DEPLOYMENTS": str(books), "HASHTRUST_DEVNET_DIR": str(home), "HASHTRUST_DEVNET_PORT": str(port), "HASHTRUST_RPC": ""}
    return World(port, home, books, w3, Cli(devnet.url(port), env))


def build_world(tmp: Path, port: int, *, vault: bool = False) -> World:
    wd = start_world(tmp, port)
    w3, book = wd.w3, wd.book
    s0 = TxSender(w3, devnet_signer(0))
    deploy(w3, s0, book)
    IdentityClient.from_book(w3, book, s0).register(registration("Alpha Reviewer", "code-review").to_data_uri(), {"hashtrust.key": "alpha"})
    id1 = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(1)))
    a2 = id1.register(registration("Beta Runner", "inference").to_data_uri(), {"hashtrust.key": "beta"})
    id1.set_agent_wallet(a2, devnet_key(6))
    ReputationClient.from_book(w3, book, TxSender(w3, devnet_signer(3))).give(1, 87, tag1="starred")
    req = RequestFile.build(w3.eth.chain_id, book.address("IdentityRegistry"), 1, devnet_signer(5).address, {"job": 1}, created_at="2026-01-01T00:00:00Z")
    ValidationClient.from_book(w3, book, s0).request(devnet_signer(5).address, 1, req.uri(), req.hash)
    wd.h = req.hash
    if vault:
        import shutil
        from unittest import mock

        from hashtrust import deploy as plan

        a3 = IdentityClient.from_book(w3, book, TxSender(w3, devnet_signer(6))).register(registration("Gamma Miner", "hashrate").to_data_uri(), {"hashtrust.key": "gamma"})
        for phase, days, play in (("end", 1, play_ended_term), ("later", plan.VAULT_DEVNET["term_days"], play_later_term)):
            book = wd.book
            book.forget("HashrateVault")  # a new vault (its term starts in a day), the other contracts kept
            with mock.patch.dict(plan.VAULT_DEVNET, term_days=days):
                deploy(w3, s0, book, only=["HashrateVault"])
            wd.phase_books[phase] = tmp / f"deployments-{phase}"
            shutil.copytree(wd.books, wd.phase_books[phase])
            play(w3, AddressBook.for_chain(w3, wd.phase_books[phase]), s0, operator_agent=a3)
        book = wd.book
        book.forget("HashrateVault")  # the sale's vault
        deploy(w3, s0, book, only=["HashrateVault"])
        open_vault_term(w3, book, s0, operator_agent=a3)
    return wd


def open_vault_term(w3: Web3, book: AddressBook, admin: TxSender, *, operator_agent: int) -> None:
    """The vault's term, opened in its sale (see the module's docstring)."""
    from hashtrust.demo.vault import open_devnet_term
    from hashtrust.hashrate.vault import HashrateVaultClient, ths_to_shares

    vault = HashrateVaultClient.from_book(w3, book, admin)
    buyer = TxSender(w3, devnet_signer(2))
    open_devnet_term(vault, book, agent_id=operator_agent, validators=[devnet_signer(i).address for i in (7, 8, 9)],
                     operator=TxSender(w3, devnet_signer(6)), operator_sats=1_000_000, buys=[(buyer, ths_to_shares(10))])
    admin.transact(vault.payment_token.functions.mint(buyer.address, 1_000 * 10**6))


def _warp(w3: Web3, ts: int) -> None:
    w3.provider.make_request("evm_setNextBlockTimestamp", [ts])
    w3.provider.make_request("evm_mine", [])


def play_ended_term(w3: Web3, book: AddressBook, admin: TxSender, *, operator_agent: int) -> None:
    """Open ``book``'s one-epoch vault's term, then pass its epoch's record time and settle it."""
    from hashtrust.demo.vault import open_devnet_term
    from hashtrust.hashrate.vault import HashrateVaultClient, ths_to_shares

    vault = HashrateVaultClient.from_book(w3, book, admin)
    open_devnet_term(vault, book, agent_id=operator_agent, validators=[devnet_signer(i).address for i in (7, 8, 9)],
                     operator=TxSender(w3, devnet_signer(6)), buys=[(TxSender(w3, devnet_signer(2)), ths_to_shares(10))])
    _warp(w3, vault.record_time(0) + 60)  # never reported: settled at its report deadline, paid from the bond
    vault.settle_due()
    # the attest cursor stays at epoch 0 until a call after its attest deadline (passed by the later
    # phases) moves it: `vault settle-due` then (tests/e2e/test_cli_errors.py), and the bond can go
    assert vault.trust_client().record(0).settled and vault.settle_cursor() == 0


def play_later_term(w3: Web3, book: AddressBook, admin: TxSender, *, operator_agent: int) -> None:
    """Open ``book``'s vault's term and play its first four days (see the module's docstring)."""
    from hashtrust.demo.vault import open_devnet_term
    from hashtrust.erc8004.validation import ValidationClient
    from hashtrust.hashrate.operator import PoolEpoch, report_hash, run_operator
    from hashtrust.hashrate.pool_watcher import answer_requests
    from hashtrust.hashrate.vault import HashrateVaultClient, PriceFeedClient, ths_to_shares

    vault = HashrateVaultClient.from_book(w3, book, admin)
    op = TxSender(w3, devnet_signer(6))
    open_devnet_term(vault, book, agent_id=operator_agent, validators=[devnet_signer(i).address for i in (7, 8, 9)],
                     operator=op, operator_sats=100_000, buys=[(TxSender(w3, devnet_signer(2)), ths_to_shares(10))])
    feed, vop = PriceFeedClient.from_book(w3, book, admin), vault.with_sender(op)
    pool = {e: PoolEpoch(e, ths_to_shares(10), 400 + e) for e in range(4)}

    for e in range(4):  # a price in force at each epoch's end, then past it
        _warp(w3, vault.epoch_end(e) - 600)
        feed.set_price(95_000 + 100 * e)
        _warp(w3, vault.epoch_end(e) + 60)
        if e == 0:  # reported, funded, validation asked of the three (by the agent's owner, its wallet); 7 and 8 answer
            done = run_operator(vop, ValidationClient.from_book(w3, book, op), {0: pool[0]}, finalize=False, settle=False)
            for i in (7, 8):
                log: list[str] = []
                answered = answer_requests(vault, ValidationClient.from_book(w3, book, TxSender(w3, devnet_signer(i))), devnet_signer(i).address, pool, log=log.append)
                assert [v.score for v in answered] == [100], (done, log, answered)
        elif e in (1, 2):  # reported (1 also funded), nobody asked to attest
            p = pool[e]
            vop.report(e, p.delivered, p.gross, report_hash(vault.address, p), "")
            if e == 1:
                vop.fund(e)


def stop_world(wd: World) -> None:
    devnet.stop(home=wd.home)


def environ_of(wd: World) -> dict:
    return {**os.environ, **wd.cli.env}
