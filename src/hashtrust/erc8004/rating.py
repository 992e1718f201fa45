"""Scripted rating in bulk: many client accounts give feedback to agents, idempotently.

Rows ``(id, client, agent, value, tag1, tag2, endpoint)`` come from a file (see
``examples/ratings.json``) or from `generate_rows`, a seeded model of client behaviour.

* **Clients are many accounts** (`Clients`). On a local devnet client ``k`` is, by default,
  account ``CLIENT_INDEX_BASE + k`` of the devnet mnemonic (`hashtrust.chain.accounts.devnet_key`,
  Anvil's ``test test ... junk``, BIP-44 ``m/44'/60'/0'/0/i``), far from the 10 Anvil funds
  (which own agents and deploy), so a client is never an agent's owner by accident; the funder
  tops each one up with ETH when it is low (idempotent: balances are checked first). Those keys
  are public, so anywhere else they are refused (`hashtrust.chain.devnet.require_devnet`): on a
  real network the clients' keys come from the user (`Clients.from_file`, ``--client-keys FILE``
  or ``$HASHTRUST_CLIENT_KEYS``), nobody is funded, and each client must already hold its gas.
* **Idempotent and resumable.** Every row's feedback file (`hashtrust.feedback.FeedbackFile`)
  carries the row id, so its keccak256 -- the on-chain ``feedbackHash`` -- binds
  (registry, agent, client, row id). Before sending, each client's sender is settled (nothing of
  it still pending) and the ``NewFeedback`` logs of the clients are read: a row whose hash is
  there is done. A run killed at any point is simply run again; nothing is given twice.
* **Pipelined.** Transactions of all clients are sent back to back with explicit nonces, at most
  ``window`` unconfirmed, receipts collected behind (`TxSender.submit` / ``wait``).
* **Progress.** With ``progress``, every step that grows with the clients shows a bar: deriving
  their keys, reading their balances and funding them, the log scan that finds what a run
  already gave, and the feedback itself.
"""

from __future__ import annotations

import contextlib

import base64
import binascii
import json
import random
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from web3 import Web3

from hashtrust.chain import jsonsafe
from hashtrust.chain.accounts import devnet_key
from hashtrust.chain.addressbook import AddressBook
from hashtrust.chain.files import read_utf8
from hashtrust.chain.tx import LocalSigner, TxSender, chunks
from hashtrust.erc8004.feedback import FeedbackFile
from hashtrust.erc8004.reputation import ReputationClient, encode_value
from hashtrust.errors import HashtrustError, InputError, RevertError

CLIENT_INDEX_BASE = 1_000
DEFAULT_TOP_UP = 10**18  # 1 ETH per client on devnets
MIN_BALANCE = 10**17
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
# Why `rate` refuses a real network (the one line it prints there).
NEW_FEEDBACK_TOPIC = Web3.keccak(text="NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)")


@dataclass(frozen=True)
class Row:
    """One feedback to give. ``client`` indexes the derived client accounts."""

    id: str
    client: int
    agent: int
    value: str
    tag1: str = ""
    tag2: str = ""
    endpoint: str = ""
    created_at: str = ""

    def check(self, where: str) -> Row:
        """Everything the row's feedback file and ``giveFeedback`` need, checked before anything
        is sent; an error names the row and the field (``rows[3].tag1: ...``)."""
        if not self.id:
            raise InputError(f"{where}.id", "must not be empty")
        if self.client < 0:
            raise InputError(f"{where}.client", "must be >= 0")
        if self.agent < 0:
            raise InputError(f"{where}.agent", "must be >= 0")
        try:
            encode_value(self.value)
        except InputError as exc:
            raise InputError(f"{where}.value", exc.problem) from None
        for name in ("tag1", "tag2", "endpoint", "created_at"):
            if not isinstance(getattr(self, name), str):
                raise InputError(f"{where}.{_FIELD.get(name, name)}", f"must be a string, not {type(getattr(self, name)).__name__}")
        try:  # the file every row becomes (tag and endpoint sizes, createdAt format)
            feedback_file(self, chain_id=1, identity=_ZERO_ADDRESS, client=_ZERO_ADDRESS)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err.get("loc") else "row"  # the file's field: tag1, tag2, endpoint, createdAt
            raise InputError(f"{where}.{name}", str(err.get("msg", "invalid")).removeprefix("Value error, ")) from None
        return self


_FIELD = {"created_at": "createdAt"}
_ZERO_ADDRESS = "0x" + "00" * 20


@dataclass
class RateResult:
    total: int = 0
    already_done: int = 0
    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (row id, reason)
    funded: int = 0
    conflicts: list[str] = field(default_factory=list)  # row ids already given with other content: skipped


# ---------------------------------------------------------------------- rows
def load_rows(path: str | Path) -> list[Row]:
    """Rows from a JSON file: ``{"rows": [{"id", "client", "agent", "value", "tag1"?, ...}]}`` (or the bare list).

    Every row is checked before anything is sent; a problem raises `InputError` naming the file
    and the place: ``ratings.json: is not valid JSON: Expecting ',' delimiter at line 3, column 5``,
    ``ratings.json: rows[2].client: must be a whole number >= 0, not 'x'``.
    """
    p = Path(path)
    text = read_utf8(p)  # bounded: /dev/zero or a FIFO fed for ever is not read for ever
    try:
        data = jsonsafe.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(p), f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    try:
        return parse_rows(data)
    except InputError as exc:
        raise InputError(f"{p}: {exc.field}", exc.problem) from None


def _whole(v: Any, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, str) and not v.strip().isdigit()):
        raise InputError(where, f"must be a whole number >= 0, not {v!r}")
    return int(v)


def parse_rows(data: Any) -> list[Row]:
    """Validate decoded rating-file data (see `load_rows`); errors name the row and the field."""
    items = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError("rows", 'must be a list of rows or an object {"rows": [...]}')
    if not items:
        raise InputError("rows", "lists no rows")
    rows = []
    seen: dict[str, int] = {}
    for i, it in enumerate(items):
        where = f"rows[{i}]"
        if not isinstance(it, dict):
            raise InputError(where, f"must be an object, not {type(it).__name__}")
        unknown = set(it) - _ROW_FIELDS
        if unknown:
            raise InputError(f"{where}.{sorted(unknown)[0]}", f"is not a known field ({', '.join(sorted(_ROW_FIELDS))})")
        for name in ("client", "agent", "value"):
            if name not in it:
                raise InputError(f"{where}.{name}", "is required")
        rid = it.get("id", str(i))
        if not isinstance(rid, (str, int)) or isinstance(rid, bool):
            raise InputError(f"{where}.id", f"must be a string, not {type(rid).__name__}")
        value = it["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InputError(f"{where}.value", f"must be a number, not {value!r}")
        row = Row(
            id=str(rid),
            client=_whole(it["client"], f"{where}.client"),
            agent=_whole(it["agent"], f"{where}.agent"),
            value=str(value),
            tag1=it.get("tag1", ""),
            tag2=it.get("tag2", ""),
            endpoint=it.get("endpoint", ""),
            created_at=it.get("createdAt", ""),
        ).check(where)
        if row.id in seen:
            raise InputError(f"{where}.id", f"duplicates rows[{seen[row.id]}].id {row.id!r}: row ids must be unique")
        seen[row.id] = i
        rows.append(row)
    return rows


_ROW_FIELDS = {"id", "client", "agent", "value", "tag1", "tag2", "endpoint", "createdAt"}


def generate_rows(seed: int, agents: Sequence[int], n_clients: int, n_rows: int, *, sybil_share: float = 0.1) -> list[Row]:
    """A seeded model of client behaviour.

    Each agent has a latent quality q in [0.2, 1.0]. Clients are honest (score ~ 100 q plus
    noise), harsh (about 15 points lower), generous (about 10 higher), or sybils (a share
    ``sybil_share``) who give their favourite agent 100 and everyone else 0. A quarter of the
    rows rate ``uptime`` in percent with 2 decimals (q-driven, 90.00-99.99) instead of a
    ``starred`` score 0-100. Same seed, same rows.
    """
    if not agents:
        raise InputError("agents", "at least one agent is needed")
    if n_clients < 1:
        raise InputError("n_clients", "must be >= 1")
    rnd = random.Random(seed)
    quality = {a: rnd.uniform(0.2, 1.0) for a in agents}
    kinds = []
    for _ in range(n_clients):
        r = rnd.random()
        kinds.append("sybil" if r < sybil_share else "harsh" if r < sybil_share + 0.15 else "generous" if r < sybil_share + 0.3 else "honest")
    favourite = [rnd.choice(list(agents)) for _ in range(n_clients)]
    rows = []
    for i in range(n_rows):
        c = rnd.randrange(n_clients)
        a = rnd.choice(list(agents))
        kind = kinds[c]
        if kind == "sybil":
            value, tag1 = ("100" if a == favourite[c] else "0"), "starred"
        elif rnd.random() < 0.25:
            up = 90 + 9.99 * quality[a] + rnd.gauss(0, 0.3)
            value, tag1 = f"{min(99.99, max(0.0, up)):.2f}", "uptime"
        else:
            bias = {"honest": 0, "harsh": -15, "generous": 10}[kind]
            score = round(100 * quality[a] + bias + rnd.gauss(0, 8))
            value, tag1 = str(min(100, max(0, score))), "starred"
        created = (EPOCH + timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
        rows.append(Row(id=f"s{seed}-{i}", client=c, agent=a, value=value, tag1=tag1, tag2=kind if kind != "sybil" else "", created_at=created))
    return rows


# ---------------------------------------------------------------------- accounts
@lru_cache(maxsize=4096)
def client_signer(k: int, base: int = CLIENT_INDEX_BASE) -> LocalSigner:
    """Signer of devnet rating client ``k`` (devnet mnemonic account ``base + k``; derived once
    per process). Its key is public: `TxSender` refuses it on anything but a local devnet."""
    return LocalSigner.from_key(devnet_key(base + k), devnet=True)


class Clients:
    """Who rating client ``k`` is.

    * `Clients.devnet()` (the default): account ``base + k`` of Anvil's public mnemonic. Anyone
      can derive those keys (sweep their ETH, revoke or forge their feedback), so they are used
      on a local devnet only (`hashtrust.chain.devnet.require_devnet`).
    * `Clients.from_file(path)`: the user's own keys, one ``0x`` private key per line (blank lines
      and ``#`` comments ignored); client k is the k-th key. What ``--client-keys FILE`` (or
      ``$HASHTRUST_CLIENT_KEYS``) loads, and the only way to rate on a real network.
    """

    def __init__(self, signers: Sequence[LocalSigner] | None = None, *, base: int = CLIENT_INDEX_BASE, source: str = ""):
        self._signers = list(signers) if signers is not None else None
        self.base = base
        self.source = source

    @classmethod
    def devnet(cls, base: int = CLIENT_INDEX_BASE) -> Clients:
        return cls(None, base=base)

    @classmethod
    def from_file(cls, path: str | Path) -> Clients:
        p = Path(path)
        lines = read_utf8(p).splitlines()  # bounded, as a rows file
        signers = []
        for n, line in enumerate(lines, start=1):
            key = line.split("#", 1)[0].strip()
            if not key:
                continue
            try:
                signers.append(LocalSigner.from_key(key))
            except (ValueError, TypeError):
                raise InputError(f"{p}:{n}", "is not a private key (one 0x-hex key per line)") from None
        if not signers:
            raise InputError(str(p), "holds no keys (one 0x-hex private key per line)")
        if len({s.address for s in signers}) != len(signers):
            raise InputError(str(p), "lists the same key twice")
        return cls(signers, source=str(p))

    @property
    def is_devnet(self) -> bool:
        """True for the publicly derivable devnet clients."""
        return self._signers is None

    def signer(self, k: int) -> LocalSigner:
        if self._signers is None:
            return client_signer(k, self.base)
        if not 0 <= k < len(self._signers):
            raise InputError("client", f"client {k} has no key: {self.source} holds {len(self._signers)} (clients 0..{len(self._signers) - 1})")
        return self._signers[k]

    def address(self, k: int) -> str:
        return self.signer(k).address

    def require_usable(self, w3: Web3, action: str) -> None:
        """Refuse the devnet clients on anything but a local devnet (one clear line)."""
        if self.is_devnet:
            from hashtrust.chain.devnet import require_devnet

            require_devnet(
                w3,
                f"{action} with clients derived from Anvil's public mnemonic (accounts {self.base}+k)",
                hint="pass --client-keys FILE (or set HASHTRUST_CLIENT_KEYS) with one private key per client",
            )


def clients_from_option(path: str | None) -> Clients:
    """The clients a command uses: ``path`` (``--client-keys``), else ``$HASHTRUST_CLIENT_KEYS``,
    else the devnet clients."""
    import os

    path = path or os.environ.get("HASHTRUST_CLIENT_KEYS") or None
    return Clients.from_file(path) if path else Clients.devnet()


def _bar(progress: bool, total: int, desc: str, unit: str) -> Any:
    """A tqdm bar for a step of ``total`` items (None without ``progress`` or for a handful)."""
    if not progress or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, leave=False)


def _tick(bar: Any, n: int = 1) -> None:
    if bar is not None:
        bar.update(n)


def _close(bar: Any) -> None:
    if bar is not None:
        bar.close()


def fund(funder: TxSender, addresses: Iterable[str], *, min_balance: int = MIN_BALANCE, top_up: int = DEFAULT_TOP_UP, window: int = 64,
         progress: bool = False) -> int:
    """Send ``top_up`` wei to each address below ``min_balance``; returns how many were funded.
    Devnets only (the funded accounts are the public mnemonic's)."""
    from hashtrust.chain.devnet import require_devnet

    w3 = funder.w3
    require_devnet(w3, "funding rating clients")
    addresses = list(addresses)
    bar = _bar(progress, len(addresses), "client balances", "acct")
    low = []
    for a in addresses:
        if w3.eth.get_balance(a) < min_balance:
            low.append(a)
        _tick(bar)
    _close(bar)
    if low:
        funder.settle()
        low = [a for a in low if w3.eth.get_balance(a) < min_balance]  # a crashed run may have funded some
        bar = _bar(progress, len(low), "funding clients", "acct")
        funder.transact_many([{"to": a, "value": top_up} for a in low], action="fund client", window=window,
                             on_receipt=lambda i, r: _tick(bar))
        _close(bar)
    return len(low)


# ---------------------------------------------------------------------- files and done-ness
def feedback_file(row: Row, *, chain_id: int, identity: str, client: str) -> FeedbackFile:
    """The row's feedback file; its hash binds (registry, agent, client, row id)."""
    return FeedbackFile.build(
        chain_id=chain_id,
        registry=identity,
        agent_id=row.agent,
        client=client,
        value=row.value,
        tag1=row.tag1,
        tag2=row.tag2,
        endpoint=row.endpoint,
        created_at=row.created_at or EPOCH,
        hashtrustRow=row.id,
    )


def given_hashes(w3: Web3, reputation: str, clients: Sequence[str], from_block: int = 0, *, progress: bool = False) -> set[bytes]:
    """feedbackHash of every NewFeedback the ``clients`` emitted on ``reputation``."""
    return given_feedback(w3, reputation, clients, from_block, progress=progress)[0]


def given_feedback(w3: Web3, reputation: str, clients: Sequence[str], from_block: int = 0, *, progress: bool = False) -> tuple[set[bytes], dict[str, bytes]]:
    """(feedbackHash of every NewFeedback the ``clients`` emitted on ``reputation``, row id ->
    feedbackHash of those whose data: feedback file names a row, ``hashtrustRow``)."""
    rep = ReputationClient(w3, reputation)
    out: set[bytes] = set()
    rows: dict[str, bytes] = {}
    ev_groups = list(chunks(list(clients), 50))
    bar = _bar(progress, len(clients), "scanning given feedback", "client")
    for group in ev_groups:
        topics = [None, ["0x" + "00" * 12 + Web3.to_checksum_address(c)[2:].lower() for c in group]]
        for ev in rep.logs("NewFeedback", topics, from_block=from_block):  # decoded leniently
            h = bytes(ev["args"]["feedbackHash"])
            out.add(h)
            row = _row_of(ev["args"]["feedbackURI"])
            if row is not None:
                rows.setdefault(row, h)
        _tick(bar, len(group))
    _close(bar)
    return out, rows


def _row_of(uri: str) -> str | None:
    """The ``hashtrustRow`` of a ``data:application/json;base64,`` feedback file (None otherwise)."""
    prefix = "data:application/json;base64,"
    if not isinstance(uri, str) or not uri.startswith(prefix):
        return None
    try:
        doc = jsonsafe.loads(base64.b64decode(uri[len(prefix):], validate=True))
    except (ValueError, binascii.Error):
        return None
    row = doc.get("hashtrustRow") if isinstance(doc, dict) else None
    return row if isinstance(row, str) and row else None


# ---------------------------------------------------------------------- the run
def rate(
    w3: Web3,
    funder: TxSender | None,
    book: AddressBook,
    rows: Sequence[Row],
    *,
    window: int = 64,
    progress: bool = True,
    client_base: int = CLIENT_INDEX_BASE,
    clients: Clients | None = None,
    log: Callable[[str], Any] = lambda s: None,
) -> RateResult:
    """Give every row's feedback that is not on chain yet; safe to rerun after any crash.

    ``clients`` (default: the devnet clients ``client_base + k``) says who client k is. The
    devnet clients are refused on anything but a local devnet; clients are funded by ``funder``
    on a local devnet only (elsewhere each must hold enough ETH for its rows, checked first, and
    ``funder`` may be None)."""
    from hashtrust.chain.devnet import not_a_devnet

    clients = clients or Clients.devnet(client_base)
    clients.require_usable(w3, "rating")
    chain_id = w3.eth.chain_id
    rep_addr = book.verified_address(w3, "ReputationRegistry", ReputationClient.CONTRACT)
    entry = book.get("ReputationRegistry")
    from_block = entry.block if entry else 0
    identity = book.address("IdentityRegistry")
    result = RateResult(total=len(rows))

    ks = sorted({r.client for r in rows})
    bar = _bar(progress, len(ks), "client keys", "acct")
    signers = {}
    for k in ks:
        signers[k] = clients.signer(k)
        _tick(bar)
    _close(bar)
    senders = {k: TxSender(w3, s) for k, s in signers.items()}
    if not_a_devnet(w3) is None:
        if funder is None:
            raise HashtrustError("rating on a local devnet needs a funder (the account that tops up the clients)")
        result.funded = fund(funder, [s.address for s in signers.values()], progress=progress)
        if result.funded:
            log(f"funded {result.funded} client account(s)")
    else:
        _check_client_balances(w3, rows, signers)
    # Every client's turn is held from the look at what is on chain to the last receipt (taken in
    # one order, so two runs cannot each hold a part): a second run of the same rows waits, then
    # finds them given (new-user review: two runs at once gave every row twice).
    with contextlib.ExitStack() as turns:
        for s in sorted(senders.values(), key=lambda s: s.turn_name()):
            turns.enter_context(s.hold())
        return _rate_held(w3, rows, senders, signers, rep_addr, from_block, identity, chain_id, result, window, progress, log)


def _rate_held(w3, rows, senders, signers, rep_addr, from_block, identity, chain_id, result, window, progress, log):
    """The part of `rate` done in the clients' turns."""
    bar = _bar(progress, len(senders), "settling clients", "acct")
    for s in senders.values():
        s.settle()  # whatever an earlier run left in flight is mined before we look
        _tick(bar)
    _close(bar)
    done, given_rows = given_feedback(w3, rep_addr, [s.address for s in signers.values()], from_block, progress=progress)

    rep = ReputationClient(w3, rep_addr)
    todo: dict[int, deque] = {}
    for r in rows:
        f = feedback_file(r, chain_id=chain_id, identity=identity, client=signers[r.client].address)
        h = f.feedback_hash()
        if h in done:
            result.already_done += 1
            continue
        if r.id in given_rows:  # the row id was given with other content: never give a row twice
            result.conflicts.append(r.id)
            continue
        todo.setdefault(r.client, deque()).append((r, f, h))
    n_todo = sum(len(q) for q in todo.values())
    log(f"{len(rows)} rows: {result.already_done} already on chain, {n_todo} to send")
    if result.conflicts:
        log(f"skipped {len(result.conflicts)} row(s) whose id was already given with other content (first: {result.conflicts[0]}): "
            "a row id is given once; generated rows change when the agents or clients they are drawn over change")

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_todo, desc="rating", unit="fb")
    in_flight: deque = deque()

    def drain(keep: int) -> None:
        while len(in_flight) > keep:
            sender, pending, row = in_flight.popleft()
            try:
                sender.wait(pending)
                result.sent += 1
            except RevertError as exc:
                result.failed.append((row.id, exc.reason))
            if bar is not None:
                bar.update(1)

    try:
        while todo:  # round robin over clients, so every account's nonces advance together
            for k in list(todo):
                r, f, h = todo[k].popleft()
                if not todo[k]:
                    del todo[k]
                call = rep.give_call(r.agent, r.value, tag1=r.tag1, tag2=r.tag2, endpoint=r.endpoint, feedback_uri=f.data_uri(), feedback_hash=h)
                try:
                    in_flight.append((senders[k], senders[k].submit(call, action=f"giveFeedback row {r.id}"), r))
                except RevertError as exc:  # refused in preflight (e.g. the client owns the agent)
                    result.failed.append((r.id, exc.reason))
                    if bar is not None:
                        bar.update(1)
                drain(window - 1)
        drain(0)
    finally:
        if bar is not None:
            bar.close()
    return result


GAS_PER_ROW = 250_000  # a generous giveFeedback (new client, tags, a data: feedback file)


def _check_client_balances(w3: Web3, rows: Sequence[Row], signers: dict[int, LocalSigner]) -> None:
    """On a real network nobody funds the clients: each must hold its rows' gas at today's price."""
    block = w3.eth.get_block("latest")
    price = 2 * int(block.get("baseFeePerGas") or w3.eth.gas_price) + 10**9
    per_client: dict[int, int] = {}
    for r in rows:
        per_client[r.client] = per_client.get(r.client, 0) + 1
    short = [(k, signers[k].address) for k, n in sorted(per_client.items()) if w3.eth.get_balance(signers[k].address) < n * GAS_PER_ROW * price]
    if short:
        listed = ", ".join(f"client {k} ({a})" for k, a in short[:5]) + (f" and {len(short) - 5} more" if len(short) > 5 else "")
        raise HashtrustError(f"{len(short)} client(s) cannot pay for their rows' gas (~{GAS_PER_ROW:,} gas each at {price / 1e9:.1f} gwei): {listed}; fund them first")


def rows_to_json(rows: Sequence[Row]) -> str:
    out = []
    for r in rows:
        d = {("createdAt" if k == "created_at" else k): v for k, v in asdict(r).items() if v != ""}
        out.append(d)
    return json.dumps({"rows": out}, indent=2)


def parse_agent_ids(spec: str) -> list[int] | None:
    """``"all"`` -> None, ``"1,2,3"`` -> [1, 2, 3] (the ``--agents`` option of both command lines)."""
    if spec.strip() == "all":
        return None
    try:
        ids = [int(a) for a in spec.split(",") if a.strip()]
    except ValueError:
        raise InputError("--agents", f'must be "all" or agent ids like "1,2,3", not {spec!r}') from None
    if not ids or min(ids) < 1 or max(ids) >= 2**128:
        raise InputError("--agents", f'must be "all" or agent ids >= 1 like "1,2,3", not {spec!r}')
    return sorted(set(ids))


def check_clients_not_owners(identity_client: Any, rows: Sequence[Row], client_base: int = CLIENT_INDEX_BASE, clients: Clients | None = None) -> None:
    """Raise when a row's client owns (or operates) the agent it rates.

    One view call per distinct (client, agent) pair, each client's key derived once: a file of
    10,000 rows from 1,000 clients to one agent costs 1,000 calls, not 10,000.
    """
    addresses: dict[int, str] = {}
    checked: set[tuple[int, int]] = set()
    for r in rows:
        if (r.client, r.agent) in checked:
            continue
        checked.add((r.client, r.agent))
        if r.client not in addresses:
            addresses[r.client] = (clients or Clients.devnet(client_base)).address(r.client)
        addr = addresses[r.client]
        try:
            controls = identity_client.is_authorized_or_owner(addr, r.agent)
        except RevertError as exc:
            if "invalid token id" in exc.reason.lower():  # the registry's way of saying "no such agent"
                raise HashtrustError(f"row {r.id}: agent {r.agent} is not registered") from None
            raise
        if controls:
            raise HashtrustError(f"row {r.id}: client {r.client} ({addr}) controls agent {r.agent}; self-feedback is refused")
