"""Deploy what is missing on a chain, and record it in the address book.

The deployment plan is a list of `Step`s, one per address-book name. ``deploy()`` walks it:

* a recorded contract whose code is still on chain (same code hash) and built from the current
  sources is **reused**;
* a missing one, one whose code is gone (e.g. a devnet restarted without its state), or one
  built from older sources is **deployed** and recorded at once (so a crash after any step
  loses nothing: the rerun reuses what was recorded);
* a contract whose constructor depends on a redeployed contract is redeployed too;
* ``fresh=True`` redeploys everything;
* **an interrupted deploy resumes**: each deployment is journalled (`Journal`: the deployer, its
  nonce, the signed transaction's hash, the dependencies' addresses) *before* it is sent, and
  cleared once the address book records it. A rerun that finds a journalled deployment first
  settles the deployer's transactions (`TxSender.settle`), then looks the transaction up: when it
  created the contract (sent by this deployer, at its CREATE address for that nonce, with exactly
  the creation input journalled before sending -- this build's bytecode and these constructor
  arguments --, over the same dependencies) that contract is recorded instead of deploying
  another (Ctrl-C while waiting for a receipt costs nothing twice); when it was never mined or
  failed, the entry is dropped and the step deploys as usual; when something else was mined
  under it (another sender, another input or build) the deploy stops with `AdoptionRefused`;
* on a chain that is not a local devnet the steps marked ``devnet_only`` (the test tokens, the
  owner-set price feed and the vault with its devnet terms) are left out, and naming one in
  ``only`` is refused: a real network's deployment never invents tokens or an oracle.

`PLAN` is what ``deploy()`` deploys unaided. The vault's trust layer (`VaultTrust`) cannot be
part of it: its constructor fixes the operator agent (which must exist and have a wallet), the
validators and every other term, so it is the one step of `AGENT_PLAN`, deployed by
`hashtrust.hashrate.vault.deploy_trust` (``ape run operator deploy-trust``) through the same
journalled machinery (`deploy_step`) once the operator agent is registered. When ``deploy()``
redeploys the vault, the book's `VaultTrust` (bound to the old vault) is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import rlp
from web3 import Web3
from web3.exceptions import TransactionNotFound

from hashtrust.chain import artifacts, jsonsafe
from hashtrust.chain.addressbook import AddressBook, Entry, genesis_hash
from hashtrust.chain.files import write_json
from hashtrust.chain.tx import Pending, TxSender, creation_input
from hashtrust.errors import HashtrustError


@dataclass
class DeployContext:
    """What a step's constructor-argument function may read."""

    w3: Web3
    sender: TxSender
    book: AddressBook
    terms: dict | None = None  # the trust's terms (`AGENT_PLAN` steps only)

    def address(self, name: str) -> str:
        return self.book.address(name)


@dataclass(frozen=True)
class Step:
    """One contract of the plan."""

    name: str  # address-book name
    contract_type: str  # artifact (contracts/**/<contract_type>.vy)
    args: Callable[[DeployContext], tuple] = lambda ctx: ()
    depends: tuple[str, ...] = ()  # names whose redeployment forces this one's
    description: str = ""
    # Test tokens, an owner-set price feed, devnet vault terms: refused on anything but a local
    # devnet (so is every step that depends on one of them; `devnet_only_steps`).
    devnet_only: bool = False


@dataclass
class Outcome:
    name: str
    address: str
    status: str  # "reused" | "deployed" | "redeployed: <why>"
    gas_used: int = 0
    extra: dict = field(default_factory=dict)


# The plan grows with the project; later steps may use earlier steps' addresses.
PLAN: list[Step] = [
    Step(
        "IdentityRegistry",
        "IdentityRegistry",
        description="ERC-8004 identity registry (agents as ERC-721 tokens; no constructor arguments)",
    ),
    Step(
        "ReputationRegistry",
        "ReputationRegistry",
        lambda ctx: (ctx.address("IdentityRegistry"),),
        depends=("IdentityRegistry",),
        description="ERC-8004 reputation registry (feedback, responses, summaries over chosen clients)",
    ),
    Step(
        "ValidationRegistry",
        "ValidationRegistry",
        lambda ctx: (ctx.address("IdentityRegistry"),),
        depends=("IdentityRegistry",),
        description="ERC-8004 validation registry (per-agent request namespace, final answers, cancel)",
    ),
    Step(
        "TestWBTC",
        "DevToken",
        lambda ctx: ("Wrapped BTC (devnet)", "WBTC", 8),
        description="wrapped-BTC test token, 8 decimals (vault reward token)",
        devnet_only=True,
    ),
    Step(
        "TestUSD",
        "DevToken",
        lambda ctx: ("USD Stablecoin (devnet)", "USDC", 6),
        description="USD stablecoin test token, 6 decimals (vault payment token)",
        devnet_only=True,
    ),
    Step(
        "BtcUsdFeed",
        "PriceFeed",
        lambda ctx: (8, "BTC / USD", VAULT_DEVNET["btc_usd"] * 10**8),
        description="owner-set BTC/USD feed, Chainlink AggregatorV3 read surface (devnet oracle of the vault)",
        devnet_only=True,
    ),
    Step(
        "HashrateVault",
        "HashrateVault",
        lambda ctx: vault_args(ctx),
        depends=("TestWBTC", "TestUSD", "BtcUsdFeed"),
        description="tokenized hashrate: 1 HASH = 1 TH/s for a 365-day term, rewards in TestWBTC",
        devnet_only=True,
    ),
]

# Steps that wait for the operator agent: deployed by `deploy_step` with ``terms`` (the trust's
# constructor terms, `trust_args`), never by a plain ``deploy()``.
AGENT_PLAN: list[Step] = [
    Step(
        "VaultTrust",
        "VaultTrust",
        lambda ctx: trust_args(ctx),
        depends=("HashrateVault", "IdentityRegistry", "ValidationRegistry", "ReputationRegistry"),
        description="the vault's trust layer: operator agent, validators, quorum, min score, hashprice inputs and bond, fixed at construction",
        devnet_only=True,
    ),
]

# Devnet parameters of the vault (docs/vault.md explains each choice).
VAULT_DEVNET = {
    "capacity_ths": 10_000,  # 10 PH/s for sale
    "price_per_th": 15_000_000,  # $15 per TH/s (6-decimal USD)
    "btc_usd": 95_000,  # initial feed answer, USD
    "term_days": 365,
    "sale_days": 1,  # the sale runs for a day after deployment and closes when the term starts
    "params": (17_500, 50_000, 10_000, 1_000),  # 17.5 J/TH (S21-class), $0.05/kWh, $0.01/TH/day, 10 % perf
    "caps": (200_000, 500_000, 1_000_000, 3_000),  # 200 J/TH, $0.50/kWh, $1/TH/day, 30 % perf
    "report_grace": 3 * 86_400,  # an epoch may be reported and funded up to 3 days after it ends
    "max_price_age": 86_400,  # devnet: one day (real BTC/USD feeds heartbeat hourly)
    "admin_delay": 86_400,  # >= one epoch (the vault refuses less): a fee change never reprices an ended epoch
    # The trust's terms (`hashtrust.hashrate.vault.deploy_trust`, after the operator agent is registered):
    "validators": 3,  # independent pool watchers
    "quorum": 2,  # 2-of-3 listed validators
    "min_score": 98,  # lowest counted ValidationRegistry score (the trust refuses below 98)
    "difficulty": 150 * 10**12,  # hashprice inputs of what a missed or short epoch owes
    "sats_per_block": 315_000_000,  # 3.125 BTC subsidy + 0.025 BTC average fees
    "bond_epochs": 7,  # 1 + 2 * report_grace / epoch: epochs in flight before the first record time
    "pool_fee_bps": 200,  # FPPS pool fee of the gross check (2 %): a finalised gross below FPPS at the index owes the rest
}


def vault_args(ctx: DeployContext) -> tuple:
    """Constructor arguments of the devnet vault; times derive from the latest block."""
    cfg = VAULT_DEVNET
    now = int(ctx.w3.eth.get_block("latest")["timestamp"])
    term_start = now + cfg["sale_days"] * 86_400  # epoch 0 starts when the sale closes (the supply is fixed for the term)
    me = ctx.sender.address
    return (
        "Hashrate TH/s (devnet)",
        "HASH",
        ctx.address("TestWBTC"),
        ctx.address("TestUSD"),
        ctx.address("BtcUsdFeed"),
        cfg["capacity_ths"],
        cfg["price_per_th"],
        term_start,
        term_start,  # sale end: the vault refuses a sale that overlaps the term
        term_start + cfg["term_days"] * 86_400,
        me,  # guardian
        me,  # treasury
        (*cfg["params"], me),  # fee recipient
        (*cfg["caps"], me),
        cfg["report_grace"],
        cfg["max_price_age"],
        cfg["admin_delay"],
    )


def trust_args(ctx: DeployContext) -> tuple:
    """Constructor arguments of `VaultTrust`, from ``ctx.terms`` (`deploy_trust` fills them)."""
    t = ctx.terms
    if t is None:
        raise HashtrustError("VaultTrust needs its terms (operator agent, validators, ...): deploy it with deploy-trust")
    return (
        Web3.to_checksum_address(t["vault"]),
        Web3.to_checksum_address(t["identity"]),
        Web3.to_checksum_address(t["validation"]),
        Web3.to_checksum_address(t["reputation"]),
        int(t["agent_id"]),
        [Web3.to_checksum_address(v) for v in t["validators"]],
        int(t["quorum"]),
        int(t["min_score"]),
        int(t["difficulty"]),
        int(t["sats_per_block"]),
        int(t["bond_epochs"]),
        Web3.to_checksum_address(t["index"]),
        int(t.get("pool_fee_bps", 0)),
    )


def devnet_only_steps() -> set[str]:
    """The plan's devnet-only steps and every step that depends on one, transitively."""
    out = {s.name for s in PLAN if s.devnet_only}
    changed = True
    while changed:
        changed = False
        for s in PLAN:
            if s.name not in out and any(d in out for d in s.depends):
                out.add(s.name)
                changed = True
    return out


def plan_step(name: str) -> Step:
    for s in (*PLAN, *AGENT_PLAN):
        if s.name == name:
            return s
    raise HashtrustError(f"no deployment step named {name!r}")


JOURNAL_FORMAT = "hashtrust-deploy-journal/1"


def create_address(deployer: str, nonce: int) -> str:
    """The address a contract-creation transaction of ``deployer`` at ``nonce`` creates."""
    raw = Web3.keccak(rlp.encode([bytes.fromhex(Web3.to_checksum_address(deployer)[2:]), int(nonce)]))
    return Web3.to_checksum_address(raw[12:])


class Journal:
    """Deployments sent (or about to be) and not yet recorded in the address book.

    A file beside the book (``<book>.journal.json``), written atomically before each deployment
    is sent and emptied (removed) once the book records it: what an interrupted run leaves there
    is exactly what it may have created. A journal that cannot be read is an error, never
    overwritten silently (it may be the only trace of a deployment)."""

    def __init__(self, book: AddressBook):
        self.path = book.path.with_name(book.path.stem + ".journal.json")
        self.chain_id = book.chain_id
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            try:
                data = jsonsafe.loads(self.path.read_text())
                if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT or data.get("chain_id") != self.chain_id:
                    raise ValueError(f"not a {JOURNAL_FORMAT} journal of chain {self.chain_id}")
                entries = data.get("deployments")
                if not isinstance(entries, dict) or not all(isinstance(e, dict) for e in entries.values()):
                    raise ValueError("'deployments' must be an object of objects")
                self.entries = entries
            except (OSError, ValueError) as exc:
                raise HashtrustError(
                    f"{self.path}: the deploy journal is unreadable ({exc}); it lists deployments an interrupted run "
                    "may have sent: check them on chain, then remove the file (nothing was deployed)"
                ) from None

    def add(self, name: str, record: dict) -> None:
        self.entries[name] = record
        self._save()

    def drop(self, name: str) -> None:
        if self.entries.pop(name, None) is not None:
            self._save()

    def _save(self) -> None:
        if self.entries:
            write_json(self.path, {"format": JOURNAL_FORMAT, "chain_id": self.chain_id, "deployments": self.entries})
        elif self.path.exists():
            self.path.unlink()


class AdoptionRefused(HashtrustError):
    """A journalled deployment's transaction is on chain but is not the one this deployer sent
    with this build and these constructor arguments: it is never adopted (second review,
    finding 4: an attacker's contract at a predicted address, or a different build)."""


def _recover(w3: Web3, book: AddressBook, journal: Journal, step: Step, deployer: str) -> Entry | None:
    """The contract a journalled (interrupted) deployment of ``step`` created, as a book entry;
    None (and the journal entry dropped) when it created none: its transaction was never mined
    (or was cancelled), failed, or was built over other dependencies.

    A contract is adopted only when the chain itself shows that ``deployer`` (the account
    deploying now) created it with exactly the creation input the journal recorded before
    sending (its keccak, ``input_keccak``), that input starts with this build's bytecode, and
    the transaction's nonce gives that address. Anything else that was mined -- a transaction
    another account sent (a contract an attacker put at a predicted address), another creation
    input (other constructor arguments, another build), a journal naming a transaction that did
    not create it -- raises `AdoptionRefused`: the journal is left as it is for the operator."""
    rec = journal.entries.get(step.name)
    if rec is None:
        return None
    where = f"{journal.path}: the journalled deployment of {step.name}"
    fix = "check that transaction, then remove its entry from the journal (or the file) and deploy again"
    try:
        deps = rec.get("depends") or {}
        same_deps = all(book.get(d) is not None and book.address(d) == deps.get(d) for d in step.depends)
        if rec.get("contract_type") != step.contract_type or not same_deps:
            journal.drop(step.name)
            return None
        tx_hash = str(rec["tx"])
        try:
            receipt = w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            receipt = None
        if receipt is None or receipt["status"] != 1 or not receipt.get("contractAddress"):
            journal.drop(step.name)  # never mined, replaced, or failed: it created nothing
            return None
        tx = w3.eth.get_transaction(tx_hash)
        sent_by = Web3.to_checksum_address(tx["from"])
        created = Web3.to_checksum_address(receipt["contractAddress"])
        raw_input = tx.get("input", tx.get("data", b""))
        data = bytes(raw_input) if not isinstance(raw_input, str) else bytes.fromhex(raw_input.removeprefix("0x"))
        expected_keccak = rec.get("input_keccak")
        build = bytes.fromhex(artifacts.load(step.contract_type).bytecode.removeprefix("0x"))
    except (KeyError, TypeError, ValueError) as exc:  # a hand-edited record: not evidence of anything
        raise AdoptionRefused(f"{where} is malformed ({type(exc).__name__}: {exc}); refusing to adopt anything from it; {fix}") from None
    if sent_by != Web3.to_checksum_address(deployer):
        raise AdoptionRefused(f"{where} (tx {tx_hash}) was sent by {sent_by}, not by this deployer {deployer}: refusing to adopt the contract at {created}; {fix}")
    if tx.get("to") is not None or created != create_address(sent_by, int(tx["nonce"])):
        raise AdoptionRefused(f"{where} (tx {tx_hash}) did not create the contract at {created} itself: refusing to adopt it; {fix}")
    if not isinstance(expected_keccak, str) or "0x" + Web3.keccak(data).hex().removeprefix("0x") != expected_keccak.lower():
        raise AdoptionRefused(
            f"{where} (tx {tx_hash}) was created with another creation input than the journal recorded before sending "
            f"(other constructor arguments, or the record was edited): refusing to adopt the contract at {created}; {fix}"
        )
    if not data.startswith(build):
        raise AdoptionRefused(f"{where} (tx {tx_hash}) deployed another build of {step.contract_type} than these sources: refusing to adopt the contract at {created}; {fix}")
    code = bytes(w3.eth.get_code(created))
    return Entry(
        name=step.name,
        address=created,
        contract_type=step.contract_type,
        block=int(receipt["blockNumber"]),
        deployer=sent_by,
        tx=Web3.to_hex(receipt["transactionHash"]),
        code_hash="0x" + Web3.keccak(code).hex().removeprefix("0x"),
    )


def code_status(w3: Web3, entry: Entry) -> str | None:
    """None when ``entry`` can be reused; otherwise why it cannot."""
    code = bytes(w3.eth.get_code(Web3.to_checksum_address(entry.address)))
    if not code:
        return "no code at the recorded address (chain reset?)"
    if "0x" + Web3.keccak(code).hex().removeprefix("0x") != entry.code_hash:
        return "code at the recorded address differs from the recorded code hash"
    runtime = bytes.fromhex(artifacts.load(entry.contract_type).runtime[2:])
    if not code.startswith(runtime):
        return "built from older sources"
    return None


def deploy(
    w3: Web3,
    sender: TxSender,
    book: AddressBook,
    *,
    only: Iterable[str] | None = None,
    fresh: bool = False,
    log: Callable[[str], Any] = lambda s: None,
) -> list[Outcome]:
    """Deploy the plan (or the steps named in ``only`` and what they need); returns what happened."""
    if book.chain_id != w3.eth.chain_id:
        raise HashtrustError(f"address book is for chain {book.chain_id}, connected to {w3.eth.chain_id}")
    if book.genesis is not None and book.genesis != genesis_hash(w3):
        raise HashtrustError(f"address book {book.path} is for the chain with genesis {book.genesis}, connected to {genesis_hash(w3)}")
    wanted = set(only) if only is not None else {s.name for s in PLAN}
    unknown = wanted - {s.name for s in PLAN}
    if unknown:
        raise HashtrustError(f"unknown contract(s) {sorted(unknown)}; known: {[s.name for s in PLAN]}")
    # include dependencies
    changed = True
    while changed:
        changed = False
        for s in PLAN:
            if s.name in wanted:
                for d in s.depends:
                    if d not in wanted:
                        wanted.add(d)
                        changed = True
    from hashtrust.chain.devnet import DevnetOnlyError, not_a_devnet

    why = not_a_devnet(w3)
    if why is not None:
        devnet_only = devnet_only_steps()
        asked = sorted(wanted & devnet_only)
        if asked and only is not None:
            raise DevnetOnlyError(
                f"deploying {', '.join(asked)} is devnet-only and was refused: {why} "
                "(test tokens, an owner-set price feed, devnet vault terms); deploy the registries with --only"
            )
        if asked:
            log(f"not a local devnet ({why}): deploying the registries only; {', '.join(asked)} are devnet-only")
            wanted -= devnet_only
    with book.locked():  # one run at a time on a book; entries recorded meanwhile are read again (finding 5)
        out = _deploy_locked(w3, sender, book, [s for s in PLAN if s.name in wanted], fresh, log)
        vault = next((o for o in out if o.name == "HashrateVault"), None)
        if vault is not None and vault.status != "reused":
            for s in AGENT_PLAN:
                if s.name in book:
                    book.forget(s.name)  # bound to the vault just replaced: deploy-trust deploys its successor
                    log(f"forgot    {s.name:<20} (it served the replaced vault; run deploy-trust for the new one)")
        return out


def deploy_step(w3: Web3, sender: TxSender, book: AddressBook, name: str, *, terms: dict | None = None, fresh: bool = False,
                log: Callable[[str], Any] = lambda s: None) -> Outcome:
    """Deploy (or reuse) one step -- an `AGENT_PLAN` step with its ``terms`` -- under the book's
    lock, journalled like `deploy` (an interrupted run's contract is adopted on rerun), without
    touching its dependencies: they must be recorded already (`HashtrustError` otherwise)."""
    if book.chain_id != w3.eth.chain_id:
        raise HashtrustError(f"address book is for chain {book.chain_id}, connected to {w3.eth.chain_id}")
    step = plan_step(name)
    missing = [d for d in step.depends if d not in book]
    if missing:
        raise HashtrustError(f"{name} needs {', '.join(missing)} deployed first (hashtrust deploy)")
    with book.locked():
        return _deploy_locked(w3, sender, book, [step], fresh, log, terms=terms)[0]


def _deploy_locked(w3: Web3, sender: TxSender, book: AddressBook, steps: list[Step], fresh: bool, log: Callable[[str], Any],
                   terms: dict | None = None) -> list[Outcome]:
    """`deploy`'s steps, run while it holds the book's lock."""
    ctx = DeployContext(w3=w3, sender=sender, book=book, terms=terms)
    journal = Journal(book)
    if journal.entries:
        # An earlier run was interrupted between sending a deployment and recording it: let
        # everything it sent land (or be settled) before looking for what it created.
        log(f"resuming: an earlier run sent {', '.join(sorted(journal.entries))} without recording it; settling {sender.address}")
        sender.settle()
    redeployed: set[str] = set()
    out: list[Outcome] = []
    for step in steps:
        entry = book.get(step.name)
        why: str | None
        if fresh:
            why = "fresh deployment requested"
        elif entry is None:
            why = ""
        elif entry.contract_type != step.contract_type:
            why = f"recorded as {entry.contract_type}, plan says {step.contract_type}"
        else:
            # the chain's own verdict first (e.g. "no code" after a reset), then dependencies
            why = code_status(w3, entry)
            if why is None and any(d in redeployed for d in step.depends):
                why = "a dependency was redeployed"
        if why is None:
            assert entry is not None
            out.append(Outcome(step.name, entry.address, "reused"))
            log(f"reused    {step.name:<20} {entry.address}")
            continue
        found = _recover(w3, book, journal, step, sender.address)
        if found is not None:
            book.record(found)
            journal.drop(step.name)
            if entry is not None:
                redeployed.add(step.name)
            out.append(Outcome(step.name, found.address, "deployed (by the interrupted run; recorded now)"))
            log(f"{'found':<9} {step.name:<20} {found.address}  deployed by the interrupted run (tx {found.tx}), recorded now")
            continue
        art = artifacts.load(step.contract_type)
        depends = {d: book.address(d) for d in step.depends}
        data = creation_input(art.abi, art.bytecode, *step.args(ctx), action=f"deploy {step.name}")
        input_keccak = "0x" + Web3.keccak(hexstr=data).hex().removeprefix("0x")

        def journal_it(p: Pending, name: str = step.name, ctype: str = step.contract_type, depends: dict = depends, input_keccak: str = input_keccak) -> None:
            journal.add(name, {"contract_type": ctype, "deployer": sender.address, "nonce": p.nonce, "tx": p.tx_hash, "depends": depends,
                               "input_keccak": input_keccak})

        receipt = sender.transact({"data": data}, action=f"deploy {step.name}", on_signed=journal_it)
        addr = Web3.to_checksum_address(receipt["contractAddress"])
        code = bytes(w3.eth.get_code(addr))
        book.record(
            Entry(
                name=step.name,
                address=addr,
                contract_type=step.contract_type,
                block=int(receipt["blockNumber"]),
                deployer=sender.address,
                tx=Web3.to_hex(receipt["transactionHash"]),
                code_hash="0x" + Web3.keccak(code).hex().removeprefix("0x"),
            )
        )
        journal.drop(step.name)
        if entry is not None:
            redeployed.add(step.name)
        status = "deployed" if not why else f"redeployed: {why}"
        out.append(Outcome(step.name, addr, status, int(receipt["gasUsed"])))
        log(f"{'deployed' if not why else 'redeployed':<9} {step.name:<20} {addr}  gas {receipt['gasUsed']:,}" + (f"  ({why})" if why else ""))
    return out


def contract(w3: Web3, book: AddressBook, name: str) -> Any:
    """A web3 contract object for the recorded deployment ``name``."""
    entry = book.get(name)
    ctype = entry.contract_type if entry else name
    address = book.verified_address(w3, name, ctype)
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifacts.abi(ctype))
