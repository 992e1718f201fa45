"""The x402 tests' world: a private Anvil (its clock set days ahead of this host's when asked),
the registries and the devnet USD token, three agents, the facilitator and the agents' paid
service running in this process on free loopback ports.

    with payments_world(tmp, clock_ahead_s=3 * 86_400) as world:
        payer = world.new_client()                 # a fresh funded devnet account (key)
        paid = call_agent(world.w3, world.book, payer, agent_id=world.summarizer, service="summarize")

Agents (all x402): ``summarizer`` (wallet = its owner, devnet account 0, price 0.25 USD),
``translator`` (wallet = devnet account 4, a hot key proven by EIP-712, price 1 USD), and
``retired`` (``"active": false``). The facilitator signs with devnet account 8.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from web3 import Web3

from hashtrust.chain import devnet
from hashtrust.chain.accounts import devnet_key, devnet_signer
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.tx import TxSender
from hashtrust.deploy import deploy
from hashtrust.erc8004.identity import IdentityClient
from hashtrust.erc8004.registration import RegistrationFile
from hashtrust.erc8004.reputation import ReputationClient
from hashtrust.payments.eip3009 import DevTokenClient
from hashtrust.payments.facilitator import Facilitator, facilitator_app
from hashtrust.payments.server import ServedAgent, paid_app, paid_services
from hashtrust.payments.serving import Served, free_port

FACILITATOR_ACCOUNT = 8
TRANSLATOR_WALLET = 4
SUMMARIZE_PRICE = 250_000
TRANSLATE_PRICE = 1_000_000


def registration(name: str, port: int, agent_id: int, service: str, price: int, *, active: bool = True) -> RegistrationFile:
    return RegistrationFile.model_validate({
        "name": name, "description": f"{name}: a paid x402 service on the devnet", "x402Support": True, "active": active,
        "services": [{"name": "x402", "endpoint": f"http://127.0.0.1:{port}/agents/{agent_id}/{service}", "service": service,
                      "price": str(price), "description": f"{service} for {price} atomic USD"}],
        "supportedTrust": ["reputation"],
    })


@dataclass
class World:
    rpc: str
    w3: Web3
    book: AddressBook
    deployer: TxSender
    identity: IdentityClient
    reputation: ReputationClient
    usd: DevTokenClient
    agent_port: int
    facilitator: Facilitator
    fac_srv: Served
    agents_srv: Served
    regs: dict[int, RegistrationFile]
    summarizer: int = 1
    translator: int = 2
    retired: int = 3
    _next: int = field(default=300)

    def new_client(self, usd: int = 10_000_000, eth: int = 10**18) -> str:
        """A fresh devnet account with ``eth`` wei and ``usd`` atomic USD; returns its key."""
        idx = self._next
        self._next += 1
        who = devnet_signer(idx).address
        self.w3.provider.make_request("anvil_setBalance", [who, hex(eth)])
        if usd:
            self.deployer.transact(self.usd.contract.functions.mint(who, usd))
        return devnet_key(idx)

    def balance(self, who: str) -> int:
        return self.usd.balance_of(who)

    def wallet(self, agent_id: int) -> str:
        return self.identity.get_agent_wallet(agent_id)

    def endpoint(self, agent_id: int) -> str:
        return paid_services(agent_id, self.regs[agent_id])[0].endpoint


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections while the block runs: bound, never listening, so
    no other process (another test run on this machine) can start listening on it meanwhile."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]
    finally:
        s.close()


@contextmanager
def anvil(tmp: Path, *, clock_ahead_s: int = 0) -> Iterator[str]:
    port = free_port()
    args = [devnet.anvil_binary(), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(devnet.CHAIN_ID), "--prune-history", "64"]
    if clock_ahead_s:
        args += ["--timestamp", str(int(time.time()) + clock_ahead_s)]
    log = open(tmp / f"anvil-{port}.log", "wb")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while devnet.chain_id(port) != devnet.CHAIN_ID:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"anvil did not start: {(tmp / f'anvil-{port}.log').read_text()[-500:]}")
            time.sleep(0.05)
        yield devnet.url(port)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def payments_world(tmp: Path, *, clock_ahead_s: int = 0, handler=None) -> Iterator[World]:
    with anvil(tmp, clock_ahead_s=clock_ahead_s) as rpc:
        w3 = Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 60}))
        book = AddressBook(w3.eth.chain_id, tmp / "deployments")
        s0 = TxSender(w3, devnet_signer(0))
        deploy(w3, s0, book, only=("ReputationRegistry", "TestUSD"), log=lambda _s: None)
        ident = IdentityClient.from_book(w3, book, s0)
        port = free_port()
        regs = {
            1: registration("Summarizer", port, 1, "summarize", SUMMARIZE_PRICE),
            2: registration("Translator", port, 2, "translate", TRANSLATE_PRICE),
            3: registration("Retired", port, 3, "summarize", SUMMARIZE_PRICE, active=False),
        }
        for i in (1, 2, 3):
            assert ident.register(regs[i].to_data_uri()) == i
        ident.set_agent_wallet(2, devnet_key(TRANSLATOR_WALLET))
        usd = DevTokenClient.from_book(w3, book, s0)
        fac = Facilitator(rpc, devnet_key(FACILITATOR_ACCOUNT), [usd.address])
        with Served(facilitator_app(fac), name="facilitator") as fsrv:
            agents = [ServedAgent(1, paid_services(1, regs[1]), devnet_key(0)),
                      ServedAgent(2, paid_services(2, regs[2]), devnet_key(TRANSLATOR_WALLET))]
            kw = {"handler": handler} if handler else {}
            app = paid_app(w3=w3, identity=ident, token=usd, agents=agents, facilitator_url=fsrv.url, **kw)
            with Served(app, port=port, name="agents") as asrv:
                yield World(rpc, w3, book, s0, ident, ReputationClient.from_book(w3, book), usd, port, fac, fsrv, asrv, regs)
