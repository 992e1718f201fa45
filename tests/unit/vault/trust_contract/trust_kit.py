"""Titanoboa kit of the VaultTrust unit tests: a MockTrustVault with settable views, the real
ERC-8004 registries, the operator's agent (wallet = operator) and three independent validators.

Figures (audit4 README): 100 TH/s sold, difficulty 150e12, 315,000,000 sats per block, 17.5 J/TH,
$0.05/kWh, $0.01/TH/day, perf 10 %, BTC $100k: hashprice gross 4,224 sats/epoch, Nu 3,802,
Nr 1,012 (electricity + maintenance 3,100, perf 112).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boa
from eth_abi import encode
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[4]
C = ROOT / "contracts"
DAY = 86_400
TH = 10**18
GRACE = 3 * DAY
N_EPOCHS = 10
CAPACITY = 10_000 * TH
DIFFICULTY = 150 * 10**12
SATS_PER_BLOCK = 315_000_000
BTC_USD = 100_000 * 10**8
PARAMS = (17_500, 50_000, 10_000, 1_000)
SUPPLY = 100 * TH
GROSS_100 = 4_224
NU_100 = 3_802
NR_100 = 1_012
REPORT_HASH = b"\x42" * 32
ZERO = "0x0000000000000000000000000000000000000000"
BOND = 10**10  # 100 BTC unless a test says otherwise
FEEDBACK_FLOOR = 400_000 * 64 // 63 + 30_000

# IHashrateVault.EpochStatus flag values
REPORTED, FUNDED = 1, 2
# Record.kind / Record.feedback
FINALIZED, UNREPORTED, UNFUNDED, UNATTESTED = 1, 2, 3, 4
FB_NONE, FB_PENDING, FB_POSTED = 0, 1, 2

_PARTIALS: dict[str, object] = {}


def load(name: str, *args):
    if name not in _PARTIALS:
        _PARTIALS[name] = boa.load_partial(str(C / f"{name}.vy"))
    return _PARTIALS[name].deploy(*args)


def at(name: str, address):
    if name not in _PARTIALS:
        _PARTIALS[name] = boa.load_partial(str(C / f"{name}.vy"))
    return _PARTIALS[name].at(address)


# The binding value (msat per TH/s per day): the floor of a day the index has not made final.
BINDING = 10**15 * DAY * SATS_PER_BLOCK // (DIFFICULTY * 2**32)  # 42,244


def gross_w(shares: int, w: int) -> int:
    """VaultTrust `_gross_w`: `w` = sum of seconds * value over the epoch's days."""
    return shares * w // (TH * DAY * 1_000)


def gross(shares: int, value: int = BINDING) -> int:
    return gross_w(shares, DAY * value)


def nu(shares: int, perf_bps: int = 1_000) -> int:
    g = gross(shares)
    return g - g * perf_bps // 10_000


def split(delivered: int, g: int, btc_usd: int, params=PARAMS) -> tuple[int, int, int]:
    mj, kwh, maint, perf_bps = params
    fee = 0
    if btc_usd:
        fee = min(g, delivered * (mj * 24 * kwh + maint * 10**6) * 100 * 10**8 // (10**24 * btc_usd))
    perf = (g - fee) * perf_bps // 10_000
    return fee, perf, g - fee - perf


@dataclass
class Kit:
    vault: object
    wbtc: object
    identity: object
    validation: object
    reputation: object
    agent_id: int
    operator: str
    admin: str
    guardian: str
    treasury: str
    fee_recipient: str
    validators: list[str]
    stranger: str
    index: object = None

    def params(self, perf_bps: int = 1_000, recipient: str | None = None):
        return (*PARAMS[:3], perf_bps, recipient or self.fee_recipient)

    def trust_args(self, **kw):
        a = dict(
            vault=self.vault.address,
            identity=self.identity.address,
            validation=self.validation.address,
            reputation=self.reputation.address,
            agent_id=self.agent_id,
            validators=self.validators,
            quorum=2,
            min_score=98,
            difficulty=DIFFICULTY,
            sats_per_block=SATS_PER_BLOCK,
            bond_epochs=7,
            index=self.index.address,
            pool_fee_bps=0,
        )
        a.update(kw)
        return list(a.values())

    def deploy_trust(self, **kw):
        return load("VaultTrust", *self.trust_args(**kw))

    def open(self, bond: int = BOND, supply: int = SUPPLY, **kw):
        """A trust set on the mock vault, `bond` posted by the operator, `supply` sold."""
        t = self.deploy_trust(**kw)
        self.vault.set_trust(t.address)
        if bond:
            self.wbtc.mint(self.operator, bond)
            with boa.env.prank(self.operator):
                self.wbtc.approve(t.address, 2**256 - 1)
                t.post_bond(bond)
        self.vault.set_supply(supply, supply)
        return t

    # ---- epochs on the mock vault
    def epoch(self, e: int, status: int, delivered: int = 0, g: int = 0, btc_usd: int = BTC_USD, supply: int = SUPPLY):
        fee, perf, net = split(delivered, g, btc_usd) if status else (0, 0, 0)
        self.vault.set_epoch(e, (status, delivered, g, fee, perf, net, btc_usd if status else 0, REPORT_HASH if status else b"\x00" * 32, supply if status else 0))
        return net

    def warp_to(self, ts: int):
        now = boa.env.timestamp
        if ts > now:
            boa.env.time_travel(seconds=ts - now)

    def attest(self, t, e: int, score: int = 100, who=None, final: bool = True):
        for v in who if who is not None else self.validators[:2]:
            h = t.request_hash(e, v)
            with boa.env.prank(self.operator):
                self.validation.validationRequest(v, self.agent_id, "", h)
            with boa.env.prank(v):
                self.validation.validationResponseFor(self.agent_id, h, score, "", b"\x00" * 32, "", final)

    def funded_attested(self, t, e: int, delivered: int = SUPPLY, g: int = GROSS_100, **kw):
        net = self.epoch(e, FUNDED, delivered, g)
        self.warp_to(self.vault.epoch_end(e) + 60)
        self.attest(t, e, **kw)
        return net

    def summary(self, t):
        return self.reputation.getSummary(self.agent_id, [t.address], "uptime", "")


def make_kit(capacity: int = CAPACITY) -> Kit:
    admin = boa.env.eoa
    operator, guardian, treasury, fees, stranger = (boa.env.generate_address(n) for n in ("operator", "guardian", "treasury", "fees", "stranger"))
    validators = [boa.env.generate_address(f"validator{i}") for i in range(3)]
    wbtc = load("DevToken", "Wrapped BTC (devnet)", "WBTC", 8)
    identity = load("IdentityRegistry")
    validation = load("ValidationRegistry", identity.address)
    reputation = load("ReputationRegistry", identity.address)
    with boa.env.prank(operator):
        agent_id = identity.register("ipfs://operator")
    term_start = boa.env.timestamp + DAY
    vault = load("mocks/MockTrustVault", wbtc.address, term_start, N_EPOCHS, GRACE, capacity, (*PARAMS, fees))
    vault.set_roles(admin, guardian, treasury)
    index = load("mocks/MockHashpriceIndex")
    return Kit(vault, wbtc, identity, validation, reputation, agent_id, operator, admin, guardian, treasury, fees, validators, stranger, index)


def events(contract, name: str) -> list:
    """The `name` events `contract` logged in its last call (other contracts' logs skipped)."""
    return [e for e in contract.get_logs(strict=False) if type(e).__name__ == name]


def request_hash(vault: str, e: int, delivered: int, g: int, report_hash: bytes, v: str) -> bytes:
    return keccak(encode(["uint256", "address", "uint256", "uint256", "uint256", "bytes32", "address"], [boa.env.evm.chain.chain_id, vault, e, delivered, g, report_hash, v]))


def default_hash(kind: int, owed: int, paid: int) -> bytes:
    return keccak(encode(["uint8", "uint64", "uint64"], [kind, owed, paid]))


def set_wallet(kit: Kit) -> str:
    """Give the agent a new EOA wallet (EIP-712 `AgentWalletSet` signed by it); returns the wallet."""
    from eth_account import Account

    acct = Account.create()
    deadline = boa.env.timestamp + 60
    owner = kit.identity.ownerOf(kit.agent_id)
    type_hash = keccak(text="AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)")
    struct_hash = keccak(encode(["bytes32", "uint256", "address", "address", "uint256"], [type_hash, kit.agent_id, acct.address, owner, deadline]))
    digest = keccak(b"\x19\x01" + kit.identity.DOMAIN_SEPARATOR() + struct_hash)
    sig = acct.unsafe_sign_hash(digest)
    signature = sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v])
    with boa.env.prank(owner):
        kit.identity.setAgentWallet(kit.agent_id, acct.address, deadline, signature)
    assert kit.identity.getAgentWallet(kit.agent_id) == acct.address
    return acct.address


def feedback_logs(contract, reputation) -> list[bytes]:
    """Data of the ReputationRegistry's `NewFeedback` logs in `contract`'s last call (boa cannot
    decode them: indexed string); the feedbackHash is one of its words."""
    rep = bytes.fromhex(reputation.address[2:].lower())
    topic = int.from_bytes(keccak(text="NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)"), "big")
    return [e.data for e in contract.get_logs(strict=False) if type(e).__name__ == "RawLogEntry" and e.address == rep and e.topics[0] == topic]


def feedback_hashes(contract, reputation) -> list[bytes]:
    from eth_abi import decode

    return [decode(["uint64", "int128", "uint8", "string", "string", "string", "string", "bytes32"], d)[-1] for d in feedback_logs(contract, reputation)]
