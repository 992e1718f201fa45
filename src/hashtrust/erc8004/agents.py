"""Bulk agent registration: idempotent, resumable, batched.

    specs = load_agent_file("examples/agents.json")            # validates everything first
    outcomes = register_agents(identity_client, specs)          # registers only what is missing
    print(format_table(outcomes))

**Agent file** (JSON or YAML): ``{"agents": [...]}`` or a bare list. Each entry has

* ``key`` -- a stable name, unique in the file (1..64 of ``A-Z a-z 0-9 . _ -``);
* either ``registration`` -- an ERC-8004 registration file (see `hashtrust.erc8004.registration`),
  registered fully on chain as a ``data:application/json;base64,...`` URI -- or ``uri`` -- an
  ``https://`` / ``ipfs://`` / ``data:`` URI registered as given;
* optionally ``metadata`` -- ``{key: value}`` strings stored as on-chain metadata (UTF-8;
  a value starting with ``0x`` is hex bytes).

**How an agent is recognised.** Every agent is registered with the metadata entry
``hashtrust.key = <key>`` in the same ``register`` transaction, so an agent exists on chain
together with its key or not at all. Before sending anything, the run waits until the account
has no pending transaction (`TxSender.settle`), then reads the registry's ``Registered`` logs of
the sending account and the ``MetadataSet`` logs for ``hashtrust.key``: an agent counts as
registered when *the sending account registered it with that key in the registration
transaction* and still owns it (`holdings`). Entries whose key is found are skipped. An agent
carrying one of the file's keys that someone else registered and transferred in (an ERC-721
transfer needs no consent) is never adopted: the run says so in a warning line and registers
its own. Killing the run at any point and rerunning therefore finishes
the job, with nothing registered twice and nothing lost. (A key is per owner: another account
registering the same file gets its own agents.)

**Speed.** Registrations go out ``window`` at a time with explicit nonces
(`TxSender.transact_many`): each window is preflighted, sent and its receipts fetched in
JSON-RPC batches (a refused registration still raises with the contract's reason before it is
sent); a tqdm bar shows progress.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashtrust.chain import jsonsafe
from hashtrust.erc8004.identity import (
    MAX_ENTRIES,
    IdentityClient,
    check_key,
    check_uri,
    check_value,
)
from hashtrust.erc8004.registration import agent_uri, parse_registration, x402_entries
from hashtrust.errors import HashtrustError, InputError

KEY_METADATA = "hashtrust.key"
_KEY = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class AgentSpec:
    """One validated entry of an agent file."""

    index: int
    key: str
    name: str
    uri: str
    metadata: list[tuple[str, bytes]] = field(default_factory=list)
    capabilities: tuple[str, ...] = ()

    def entries(self) -> list[tuple[str, bytes]]:
        """The metadata sent with `register`: the recognition key first."""
        return [(KEY_METADATA, self.key.encode())] + list(self.metadata)


@dataclass(frozen=True)
class Outcome:
    """What happened to one agent of the file."""

    key: str
    name: str
    agent_id: int
    status: str  # "registered" | "already registered"


# ---------------------------------------------------------------------------- loading
def _read(path: Path) -> Any:
    from hashtrust.chain.files import read_utf8

    text = read_utf8(path)  # unreadable or not UTF-8: InputError naming the file
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(str(path), f"is not valid YAML ({exc})") from None
        except RecursionError:  # PyYAML composes nested nodes recursively (it raises, never crashes)
            raise InputError(str(path), "is not valid YAML (nested too deeply)") from None
    try:
        return jsonsafe.loads(text)
    except ValueError as exc:
        raise InputError(str(path), f"is not valid JSON ({exc})") from None


def _value(v: Any, where: str) -> bytes:
    if isinstance(v, bool) or v is None:
        raise InputError(where, "must be a string")
    if isinstance(v, (int, float)):
        v = str(v)
    if not isinstance(v, str):
        raise InputError(where, f"must be a string, not {type(v).__name__}")
    if v.startswith("0x"):
        try:
            return check_value(bytes.fromhex(v[2:]), where)
        except ValueError:
            raise InputError(where, "starts with 0x but is not hex") from None
    return check_value(v, where)


def parse_agents(data: Any, *, source: str = "agents") -> list[AgentSpec]:
    """Validate decoded agent-file data; every error names the entry and the field."""
    entries = data.get("agents") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(source, 'must be a list of agents or an object {"agents": [...]}')
    if not entries:
        raise InputError(source, "lists no agents")
    specs: list[AgentSpec] = []
    seen: dict[str, int] = {}
    for i, e in enumerate(entries):
        where = f"agents[{i}]"
        if not isinstance(e, dict):
            raise InputError(where, "must be an object")
        unknown = set(e) - {"key", "registration", "uri", "metadata"}
        if unknown:
            raise InputError(f"{where}.{sorted(unknown)[0]}", "is not a known field (key, registration, uri, metadata)")
        key = e.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise InputError(f"{where}.key", "is required: 1..64 characters of A-Z a-z 0-9 . _ -")
        if key in seen:
            raise InputError(f"{where}.key", f"duplicates agents[{seen[key]}].key {key!r}")
        seen[key] = i
        if ("registration" in e) == ("uri" in e):
            raise InputError(where, 'needs exactly one of "registration" (a registration file) or "uri"')
        capabilities: tuple[str, ...] = ()
        if "registration" in e:
            reg = parse_registration(e["registration"], field=f"{where}.registration")
            x402_entries(reg, f"{where}.registration.")  # a paid service that could never be called is refused here
            uri = reg.to_data_uri()
            name = reg.name
            capabilities = tuple(sorted(reg.capability_set()))
        else:
            if not isinstance(e["uri"], str):
                raise InputError(f"{where}.uri", "must be a string")
            uri = agent_uri(e["uri"], field=f"{where}.uri")
            name = key
        check_uri(uri, f"{where}.{'registration' if 'registration' in e else 'uri'} (encoded)")
        md = e.get("metadata") or {}
        if not isinstance(md, dict):
            raise InputError(f"{where}.metadata", "must be an object of key: value strings")
        if len(md) > MAX_ENTRIES - 1:
            raise InputError(f"{where}.metadata", f"has {len(md)} entries; at most {MAX_ENTRIES - 1} (one is {KEY_METADATA})")
        metadata: list[tuple[str, bytes]] = []
        for k, v in md.items():
            check_key(str(k), f"{where}.metadata.{k}")
            if k == KEY_METADATA:
                raise InputError(f"{where}.metadata.{k}", f"is set by the script from {where}.key")
            metadata.append((str(k), _value(v, f"{where}.metadata.{k}")))
        specs.append(AgentSpec(i, key, name, uri, metadata, capabilities))
    return specs


def load_agent_file(path: str | Path) -> list[AgentSpec]:
    """Read and validate a JSON or YAML agent file (nothing is sent)."""
    p = Path(path)
    return parse_agents(_read(p), source=str(p))


# ---------------------------------------------------------------------------- chain state
@dataclass(frozen=True)
class ForeignAgent:
    """An agent the owner holds that carries a ``hashtrust.key`` but was registered by someone
    else and transferred in (ERC-721 transfers need no consent): never counted as the owner's."""

    agent_id: int
    key: str
    registrant: str | None  # who registered it (None when its Registered log was not found)


@dataclass
class Holdings:
    """What `existing_agents` found: the owner's own agents by key, and foreign ones."""

    mine: dict[str, int] = field(default_factory=dict)
    foreign: list[ForeignAgent] = field(default_factory=list)


def _key_text(value: bytes) -> str | None:
    try:
        key = value.decode()
    except UnicodeDecodeError:
        return None
    return key or None


def holdings(identity: IdentityClient, owner: str, *, from_block: int = 0) -> Holdings:
    """The agents ``owner`` holds that carry a ``hashtrust.key``, split into its own and foreign ones.

    An agent is the owner's own when the owner registered it (its `Registered` event names the
    owner) *with* that key (the key's `MetadataSet` is in the registration transaction itself:
    what `register_agents` sends) and the owner still holds it. Anything else carrying a key
    -- an agent someone else registered, with the victim's key and the attacker's endpoints,
    then transferred to the victim -- is listed in ``foreign`` and never adopted. When the same
    key appears on several own agents (e.g. registered by hand), the lowest id wins.
    """
    from web3 import Web3

    owner = Web3.to_checksum_address(owner)
    mine_txs = identity.registrations_by(owner, from_block=from_block)
    at_registration: dict[int, bytes] = {}
    latest: dict[int, bytes] = {}
    for agent_id, value, tx in identity.metadata_logs(KEY_METADATA, from_block=from_block):
        latest[agent_id] = value
        if mine_txs.get(agent_id) == tx and agent_id not in at_registration:
            at_registration[agent_id] = value
    out = Holdings()
    for agent_id, value in sorted(at_registration.items()):
        key = _key_text(value)
        if key is None or key in out.mine or identity.owner_of(agent_id) != owner:
            continue
        out.mine[key] = agent_id
    for agent_id in sorted(identity.transferred_to(owner, from_block=from_block) - set(at_registration)):
        key = _key_text(latest.get(agent_id, b""))
        if key is None or identity.owner_of(agent_id) != owner:
            continue
        out.foreign.append(ForeignAgent(agent_id, key, identity.registrant_of(agent_id, from_block=from_block)))
    return out


def existing_agents(identity: IdentityClient, owner: str, *, from_block: int = 0) -> dict[str, int]:
    """key -> agent id of the agents ``owner`` registered itself with a ``hashtrust.key`` and
    still holds (`holdings`; agents transferred in are never counted)."""
    return holdings(identity, owner, from_block=from_block).mine


def register_agents(
    identity: IdentityClient,
    specs: list[AgentSpec],
    *,
    window: int = 32,
    progress: bool = True,
    from_block: int = 0,
    log: Callable[[str], Any] = lambda s: None,
) -> list[Outcome]:
    """Register the agents of ``specs`` not yet registered by the sender; returns one outcome per spec."""
    sender = identity._require_sender()
    sender.settle()  # what an earlier (killed) run sent is mined before we look
    found = holdings(identity, sender.address, from_block=from_block)
    have = found.mine
    wanted = {s.key for s in specs}
    for f in found.foreign:
        if f.key in wanted:
            who = f"registered by {f.registrant}" if f.registrant else "not registered by you"
            log(
                f"warning: agent {f.agent_id} carries hashtrust.key {f.key!r} but was {who} and transferred to you; "
                f"it is not treated as yours ({f.key!r} is registered anew unless you registered it yourself)"
            )
    todo = [s for s in specs if s.key not in have]
    log(f"{len(specs)} agent(s) in the file, {len(specs) - len(todo)} already registered, {len(todo)} to register")
    new_ids: dict[str, int] = {}
    if todo:
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), unit="agent", desc="registering")

        def on_receipt(i: int, receipt: Any) -> None:
            new_ids[todo[i].key] = identity.agent_id_from_receipt(receipt)
            if bar is not None:
                bar.update(1)

        calls = (identity.register_call(s.uri, s.entries()) for s in todo)
        try:
            sender.transact_many(calls, window=window, on_receipt=on_receipt, action="register agent")
        finally:
            if bar is not None:
                bar.close()
    out: list[Outcome] = []
    for s in specs:
        if s.key in have:
            out.append(Outcome(s.key, s.name, have[s.key], "already registered"))
        elif s.key in new_ids:
            out.append(Outcome(s.key, s.name, new_ids[s.key], "registered"))
        else:  # pragma: no cover - transact_many raises before this
            raise HashtrustError(f"agent {s.key!r} was not registered")
    return out


def register_agents_from_file(
    w3: Any,
    sender: Any,
    book: Any,
    path: str | Path,
    *,
    window: int = 32,
    progress: bool = True,
    log: Callable[[str], Any] = lambda s: None,
    specs: list[AgentSpec] | None = None,
) -> list[Outcome]:
    """Validate ``path``, then register its missing agents with the registry recorded in ``book``
    (``specs``: the file as `load_agent_file` already read it, to check it before connecting).

    The SDK entry point of ``ape run register_agents`` (and of the demo).
    """
    if specs is None:
        specs = load_agent_file(path)  # invalid input: nothing is sent
    entry = book.get(IdentityClient.BOOK_NAME)
    identity = IdentityClient.from_book(w3, book, sender)
    # The account's turn is held from the look for registered keys to the last receipt: a second
    # run of the same file waits, then finds every agent registered (new-user review: two runs at
    # once registered the list twice).
    with sender.hold():
        return register_agents(identity, specs, window=window, progress=progress, from_block=entry.block if entry else 0, log=log)


def format_table(outcomes: list[Outcome]) -> str:
    """The final table: agent id, key, name, status."""
    rows = [("id", "key", "name", "status")] + [(str(o.agent_id), o.key, o.name, o.status) for o in outcomes]
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = ["  ".join(cell.ljust(widths[c]) if c else cell.rjust(widths[c]) for c, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    n_new = sum(o.status == "registered" for o in outcomes)
    lines.append(f"{n_new} registered now, {len(outcomes) - n_new} already registered")
    return "\n".join(lines)
