"""Commands for ERC-8004 agents: register, rate, rank, give/revoke/respond, reputation, show,
update, validation requests and results, and the validator agent.

The commands for a user's own work (`USER_COMMANDS`) are built by `attach` from one table, for
both front ends: ``hashtrust agents ...`` / ``hashtrust validations ...`` (the signer from
``--private-key-env`` or ``--account-index``) and ``ape run agents ...`` / ``ape run
validations ...`` (the signer an ape account), with the same options, the same checks and the
same SDK function (`hashtrust.erc8004.commands`) underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from hashtrust.chain import jsonsafe
from hashtrust.cli.context import Ctx, emit, json_option
from hashtrust.cli.params import ADDRESS, AGENT_ID, FEEDBACK_INDEX, WINDOW, AgentKey, Hex32, HexBytes, IndexList, Number, Text, only_known_options
from hashtrust.errors import HashtrustError, InputError

MAX_DECIMALS = 18  # a feedback value's most decimals (`hashtrust.erc8004.reputation.MAX_DECIMALS`; not imported: web3 loads lazily)

MAX_SUMMARY_CLIENTS = 256  # the reputation registry's MAX_CLIENTS (one summary reads at most this many)


# ---------------------------------------------------------------------------- the environment
class Env:
    """What a command needs from its front end: ``w3``, ``book()``, ``sender()`` (the signer)
    and ``rpc`` (for messages). `Ctx` is the command line's; `ApeEnv` (in
    `hashtrust.chain.ape_support`) is the ape scripts'."""

    w3: Any
    rpc: str

    def book(self) -> Any: ...  # pragma: no cover - protocol

    def sender(self) -> Any: ...  # pragma: no cover - protocol


def _from_block(env: Any, name: str) -> int:
    entry = env.book().get(name)
    return entry.block if entry else 0


def _identity(env: Any, send: bool = False):
    from hashtrust.erc8004.identity import IdentityClient

    return IdentityClient.from_book(env.w3, env.book(), env.sender() if send else None)


def _reputation(env: Any, send: bool = False):
    from hashtrust.erc8004.reputation import ReputationClient

    return ReputationClient.from_book(env.w3, env.book(), env.sender() if send else None)


def _validation(env: Any, send: bool = False):
    from hashtrust.erc8004.validation import ValidationClient

    return ValidationClient.from_book(env.w3, env.book(), env.sender() if send else None)


CLIENT_KEYS_HELP = "file with one private key per rating client (default $HASHTRUST_CLIENT_KEYS; on a devnet without one: Anvil accounts 1000+k)"


def rating_clients(env: Any, indexes: list[int] | None, client_keys: str | None = None) -> list[str]:
    """Addresses of rating clients by index: client k is the k-th key of ``client_keys`` (or of
    ``$HASHTRUST_CLIENT_KEYS``), else devnet account 1000 + k -- on a local devnet only: anyone
    can sign as those public-mnemonic accounts elsewhere, so trusting them would count whatever a
    stranger wrote."""
    from hashtrust.erc8004.rating import clients_from_option

    if not indexes:
        return []
    clients = clients_from_option(client_keys)
    clients.require_usable(env.w3, "--trusted-clients")
    return [clients.address(k) for k in indexes]


def chosen_clients(env: Any, clients: tuple[str, ...], trusted_clients: list[int] | None, all_clients: bool, *, required: bool,
                   client_keys: str | None = None) -> list[str] | None:
    """The clients whose feedback counts: ``--client`` addresses and ``--trusted-clients``
    indexes (at most 256 in all, checked before any key is derived), or None for ``--all-clients``."""
    n = len(clients) + len(trusted_clients or [])
    if client_keys is not None and not trusted_clients:
        raise InputError("--client-keys", "holds the keys of the clients --trusted-clients picks by index: give --trusted-clients too")
    if all_clients:
        if n:
            raise InputError("--all-clients", "counts every client of the agent: do not also name clients")
        return None
    if n > MAX_SUMMARY_CLIENTS:
        raise InputError("--client/--trusted-clients", f"name {n:,} clients; a summary reads at most {MAX_SUMMARY_CLIENTS}")
    if not n:
        if required:
            raise InputError("--client", "name the clients whose feedback counts (--client ADDR, --trusted-clients 0-19) or pass --all-clients")
        return None
    return list(dict.fromkeys(list(clients) + rating_clients(env, trusted_clients, client_keys)))


def _progress(enabled: bool) -> Callable[[str, int], Any] | None:
    if not enabled:
        return None
    from tqdm import tqdm

    return lambda what, total: tqdm(total=total, desc=what, unit="item", leave=False)


def _load_payload(payload: str | None, payload_file: str | None) -> Any:
    if payload is not None and payload_file is not None:
        raise InputError("--payload/--payload-file", "give only one of them (the job as JSON text, or as a file)")
    if payload is None and payload_file is None:
        raise InputError("--payload", "give the job to check as --payload JSON or --payload-file FILE")
    from hashtrust.chain.files import read_utf8

    where = "--payload" if payload is not None else payload_file
    # a file is read through a cap: /dev/zero would be read for ever (no validator fetches a
    # request file over its 1 MiB cap anyway)
    text = payload if payload is not None else read_utf8(payload_file, limit=PAYLOAD_FILE_CAP)  # type: ignore[arg-type]

    def _no_constant(name: str) -> Any:  # NaN, Infinity: not JSON, and no other tool could read the request file
        raise ValueError(f"{name} is not a JSON value")

    try:
        return jsonsafe.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise InputError(str(where), f"is not valid JSON ({exc})") from None


PAYLOAD_FILE_CAP = 1 << 20


# ---------------------------------------------------------------------------- the user's commands
ALLOW_LOOPBACK_HELP = "also fetch URIs on this machine's loopback (127.0.0.1, ::1) off a local devnet (default: only on a devnet)"
client_options = [
    click.option("--client", "clients", multiple=True, type=ADDRESS, help="a client whose feedback counts (repeatable)"),
    click.option("--trusted-clients", type=IndexList(MAX_SUMMARY_CLIENTS), default=None, help='rating-client indexes, e.g. "0-19,25" (client k = devnet account 1000+k)'),
    click.option("--all-clients", is_flag=True, help="count every client of the agent (unfiltered: anyone can add clients)"),
    click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help=CLIENT_KEYS_HELP),
]


def run_give(env, agent_id, value, tag1, tag2, endpoint, uri, feedback_hash, feedback_id):
    from hashtrust.erc8004.commands import give_feedback

    if feedback_hash is not None and uri is None:
        raise InputError("--hash", "is the hash of the file at --uri: give --uri too")
    return give_feedback(_reputation(env, True), _identity(env), agent_id, value, tag1=tag1, tag2=tag2, endpoint=endpoint,
                         feedback_uri=uri, feedback_hash=feedback_hash, feedback_id=feedback_id, from_block=_from_block(env, "ReputationRegistry"))


def run_revoke(env, agent_id, index):
    from hashtrust.erc8004.commands import revoke_feedback

    return revoke_feedback(_reputation(env, True), _identity(env), agent_id, index)


def run_respond(env, agent_id, client, index, uri, response_hash):
    from hashtrust.erc8004.commands import respond_feedback

    return respond_feedback(_reputation(env, True), _identity(env), agent_id, client, index, uri, response_hash,
                            from_block=_from_block(env, "ReputationRegistry"))


def run_reputation(env, agent_id, clients, trusted_clients, all_clients, client_keys, tag1, tag2, no_progress):
    from hashtrust.erc8004.commands import reputation

    chosen = chosen_clients(env, clients, trusted_clients, all_clients, required=True, client_keys=client_keys)
    return reputation(_reputation(env), _identity(env), agent_id, chosen, tag1=tag1, tag2=tag2 or "", progress=_progress(not no_progress))


def run_show(env, agent_id, clients, trusted_clients, all_clients, client_keys, last_validations, allow_loopback=False):
    from hashtrust.chain.fetch import Resolver, for_chain
    from hashtrust.erc8004.commands import show_agent
    from hashtrust.erc8004.discovery import REGISTRATION_POLICY

    chosen = chosen_clients(env, clients, trusted_clients, all_clients, required=False, client_keys=client_keys)
    book = env.book()  # a chain with the identity registry alone still shows its agents
    rep = _reputation(env) if book.get("ReputationRegistry") is not None else None
    val = _validation(env) if book.get("ValidationRegistry") is not None else None
    return show_agent(_identity(env), rep, val, agent_id, clients=chosen, last_validations=last_validations,
                      from_block=_from_block(env, "IdentityRegistry"), roles=agent_roles(env),
                      fetch=Resolver(for_chain(REGISTRATION_POLICY, env.w3, allow_loopback=allow_loopback)))


def agent_roles(env: Any) -> Callable[[int, str, str], list[str]] | None:
    """The roles an agent plays in the contracts of the address book (the hashrate vault's
    operator agent, a listed validator)."""
    return None


def run_set_uri(env, agent_id, uri):
    from hashtrust.erc8004.commands import set_uri

    return set_uri(_identity(env, True), agent_id, uri)


def run_set_metadata(env, agent_id, metadata_key, value):
    from hashtrust.erc8004.commands import set_metadata

    return set_metadata(_identity(env, True), agent_id, metadata_key, value)


def run_wallet_approval(env, agent_id, wallet, deadline):
    from hashtrust.erc8004.commands import wallet_approval

    return wallet_approval(_identity(env, True), agent_id, wallet, deadline=deadline)


def run_set_wallet(env, agent_id, wallet_key_env, wallet, signature, deadline):
    import os

    from hashtrust.erc8004.commands import set_wallet

    key = None
    if wallet_key_env is not None:
        key = os.environ.get(wallet_key_env)
        if not key:
            raise InputError(wallet_key_env, "environment variable is not set (it must hold the wallet's 0x private key)")
        if wallet is not None or signature is not None:
            raise InputError("--wallet-key-env", "signs for the wallet: do not also give --wallet / --signature")
    elif signature is None:
        raise InputError("--signature", "give the wallet's key (--wallet-key-env VAR) or its signature (--wallet, --deadline, --signature)")
    return set_wallet(_identity(env, True), agent_id, wallet_key=key, wallet=wallet, signature=signature, deadline=deadline)


def run_unset_wallet(env, agent_id):
    from hashtrust.erc8004.commands import unset_wallet

    return unset_wallet(_identity(env, True), agent_id)


def run_request(env, agent_id, validator, payload, payload_file, claimed_hash, uri):
    from hashtrust.erc8004.commands import request_validation

    body = _load_payload(payload, payload_file)
    claimed = "0x" + claimed_hash.hex() if claimed_hash is not None else None
    try:
        return request_validation(_validation(env, True), _identity(env), agent_id, validator, body, claimed_hash=claimed, uri=uri,
                                  from_block=_from_block(env, "ValidationRegistry"))
    except InputError as exc:
        if exc.field != "request_uri":
            raise
        # the SDK's field is the request URI; the user typed --payload (or --uri): name that (issue 15, item 12)
        if uri is not None:
            raise InputError("--uri", exc.problem) from None
        raise InputError("--payload" if payload is not None else "--payload-file",
                         f"is too large: the request file that carries it, as a data: URI, {exc.problem} "
                         "(send a smaller payload, or publish the request file and pass --uri)") from None


def run_result(env, agent_id, request_hash):
    from hashtrust.erc8004.commands import require_agent, validation_result

    require_agent(_identity(env), agent_id)
    return validation_result(_validation(env), agent_id, request_hash, from_block=_from_block(env, "ValidationRegistry"))


def run_list(env, agent_id, last):
    from hashtrust.erc8004.commands import list_validations

    return list_validations(_validation(env), _identity(env), agent_id, last=last)


@dataclass(frozen=True)
class Command:
    """One user command: its group, name, options (click decorators, top first) and the
    function that does it (``run(env, **options)`` -> a result with ``text()`` and ``to_json()``)."""

    group: str
    name: str
    help: str
    options: tuple
    run: Callable[..., Any]


TAG = Text(32)
USER_COMMANDS: tuple[Command, ...] = (
    Command("agents", "give", "Give AGENT_ID one feedback VALUE (a number: 87, 99.5, -3) as the signing account.", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("value", type=Number(Decimal, -(10**38), 10**38, places=MAX_DECIMALS)),
        click.option("--tag1", type=TAG, default="", help="e.g. starred, uptime (<= 32 bytes)"),
        click.option("--tag2", type=TAG, default=""),
        click.option("--endpoint", type=Text(512), default="", help="the endpoint the feedback is about"),
        click.option("--uri", type=Text(1024, nonempty=True), default=None, help="your own feedback file (default: hashtrust writes the spec's file as a data: URI)"),
        click.option("--hash", "feedback_hash", type=Hex32(), default=None, help="keccak256 of the file at --uri"),
        click.option("--id", "feedback_id", type=Text(64, nonempty=True), default=None, help="makes the command idempotent: a feedback of yours with this id is not given twice"),
    ), run_give),
    Command("agents", "revoke", "Revoke your feedback INDEX (1-based, per client) to AGENT_ID.", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("index", type=FEEDBACK_INDEX),
    ), run_revoke),
    Command("agents", "respond", "Append a response (URI) to CLIENT's feedback INDEX to AGENT_ID.", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("client", type=ADDRESS),
        click.argument("index", type=FEEDBACK_INDEX),
        click.argument("uri", type=Text(1024, nonempty=True)),
        click.option("--hash", "response_hash", type=Hex32(), default=None, help="keccak256 of the response file"),
    ), run_respond),
    Command("agents", "reputation", "AGENT_ID's reputation over the clients you choose, overall and per tag.", (
        click.argument("agent_id", type=AGENT_ID),
        *client_options,
        click.option("--tag1", type=TAG, default=None, help="only this tag1 (default: every tag the clients used)"),
        click.option("--tag2", type=TAG, default=None, help="with --tag1: only this tag2"),
        click.option("--no-progress", is_flag=True),
    ), run_reputation),
    Command("agents", "show", "Everything about AGENT_ID: owner, wallet, file, metadata, reputation by tag, validations, roles.", (
        click.argument("agent_id", type=AGENT_ID),
        *client_options,
        click.option("--last-validations", type=Number(int, 0, 1_024), default=20, show_default=True),
        click.option("--allow-loopback", is_flag=True, help=ALLOW_LOOPBACK_HELP),
    ), run_show),
    Command("agents", "set-uri", "Point AGENT_ID at a new registration file (https://, ipfs:// or a data: URI).", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("uri", type=Text(8_192, nonempty=True)),
    ), run_set_uri),
    Command("agents", "set-metadata", "Set AGENT_ID's metadata KEY to VALUE (text, or 0x-hex bytes).", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("metadata_key", metavar="KEY", type=Text(64, nonempty=True)),
        click.argument("value", type=Text(2_050)),
    ), run_set_metadata),
    Command("agents", "wallet-approval", "Print what WALLET must sign (EOA) or approve (ERC-1271) to become AGENT_ID's wallet.", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("wallet", type=ADDRESS),
        click.option("--deadline", type=Number(int, 1, 2**64), default=None, help="block time the approval expires (default: ~4 minutes ahead)"),
    ), run_wallet_approval),
    Command("agents", "set-wallet", "Make a wallet AGENT_ID's wallet, proven by its EIP-712 signature (its key, or a signature it made).", (
        click.argument("agent_id", type=AGENT_ID),
        click.option("--wallet-key-env", default=None, metavar="VAR", help="environment variable holding the wallet's key (the SDK signs)"),
        click.option("--wallet", type=ADDRESS, default=None, help="the wallet (EOA or ERC-1271 contract) that made --signature"),
        click.option("--signature", type=HexBytes(512), default=None, help="0x-hex signature from `wallet-approval`'s message"),
        click.option("--deadline", type=Number(int, 1, 2**64), default=None, help="the deadline the signature was made for"),
    ), run_set_wallet),
    Command("agents", "unset-wallet", "Clear AGENT_ID's wallet.", (
        click.argument("agent_id", type=AGENT_ID),
    ), run_unset_wallet),
    Command("validations", "request", "Ask VALIDATOR to check a job AGENT_ID did (as the agent's owner or operator).", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("validator", type=ADDRESS),
        click.option("--payload", default=None, help="the job as JSON text"),
        click.option("--payload-file", type=click.Path(exists=True, dir_okay=False), default=None, help="the job as a JSON file"),
        click.option("--claimed-hash", type=Hex32(), default=None, help="the payload hash you claim (default: its true keccak256)"),
        click.option("--uri", type=Text(4_096, nonempty=True), default=None, help="where the request file is published (default: a data: URI)"),
    ), run_request),
    Command("validations", "show", "The record and answer of AGENT_ID's request REQUEST_HASH.", (
        click.argument("agent_id", type=AGENT_ID),
        click.argument("request_hash", type=Hex32(nonzero=True)),
    ), run_result),
    Command("validations", "list", "AGENT_ID's validation requests and their answers.", (
        click.argument("agent_id", type=AGENT_ID),
        click.option("--last", type=Number(int, 0, 100_000), default=50, show_default=True, help="how many of the latest to list (0: all)"),
    ), run_list),
)


def attach(groups: dict[str, click.Group], env_of: Callable[[click.Context, dict], Any], *, cls: type = click.Command, extra: tuple = ()) -> None:
    """Add every `USER_COMMANDS` entry of the named groups to ``groups[entry.group]``. ``env_of(ctx, kwargs)`` gives
    the command its `Env` (and pops the front end's own options from ``kwargs``); ``extra``
    decorators (ape's network and account options) and ``cls`` come from the front end."""
    for spec in USER_COMMANDS:
        if spec.group not in groups:
            continue

        def callback(_spec: Command = spec, **kw: Any) -> None:
            ctx = click.get_current_context()
            as_json = kw.pop("as_json")
            env = env_of(ctx, kw)
            result = _spec.run(env, **kw)
            emit(as_json, result.to_json(), result.text)

        cb: Any = callback
        for deco in reversed((*spec.options, json_option, *extra)):
            cb = deco(cb)
        # negative numbers are values, not options: `agents give 3 -2.5`; every other word that
        # looks like an option must be one of the command's (`_OnlyKnownOptions`)
        settings = {"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}
        groups[spec.group].add_command(click.command(spec.name, cls=only_known_options(cls), help=spec.help, context_settings=settings)(cb))


# ---------------------------------------------------------------------------- the command line's groups
@click.group()
def agents() -> None:
    """Register, rate, rank, inspect and update ERC-8004 agents; give, revoke and answer feedback."""


@click.group()
def validations() -> None:
    """Request validations of an agent's work and read their answers."""


attach({"agents": agents, "validations": validations}, lambda ctx, kw: ctx.obj)


@agents.command("register")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", type=AgentKey(), default=None, help="a standard registration file: the agent's hashtrust.key (default: the file's name)")
@click.option("--uri", type=Text(8_192, nonempty=True), default=None, help="a standard registration file: where it is published (default: on chain, data: URI)")
@click.option("--window", type=WINDOW, default=32, show_default=True, help="transactions in flight")
@click.option("--no-progress", is_flag=True)
@json_option
@click.pass_obj
def agents_register(obj: Ctx, path: str, key: str | None, uri: str | None, window: int, no_progress: bool, as_json: bool) -> None:
    """Register the agents of PATH not yet registered by this account.

    PATH is hashtrust's agent list (JSON or YAML, see examples/agents.json) or one standard
    ERC-8004 registration file (the spec's JSON, as other tools write it). Idempotent and
    resumable: an agent is recognised by its `hashtrust.key` metadata.
    """
    register_path(obj, path, key=key, uri=uri, window=window, progress=not no_progress, as_json=as_json)


def register_path(env: Any, path: str, *, key: str | None, uri: str | None, window: int, progress: bool, as_json: bool) -> None:
    """``agents register`` / ``ape run register_agents``: a standard registration file or an agent list."""
    from hashtrust.erc8004.agents import format_table, register_agents_from_file
    from hashtrust.erc8004.commands import is_registration_file, register_registration_file

    from hashtrust.chain.files import read_utf8

    text = read_utf8(path)  # before connecting: an unreadable or non-UTF-8 file is one line naming it
    try:
        data = jsonsafe.loads(text) if Path(path).suffix.lower() not in (".yaml", ".yml") else None
    except ValueError:
        data = None  # the agent-list loader names the problem
    if is_registration_file(data):
        from hashtrust.erc8004.commands import normalise_registration
        from hashtrust.erc8004.registration import parse_registration, x402_entries

        name = Path(path).name  # checked before connecting, as register_registration_file will
        x402_entries(parse_registration(normalise_registration(data), field=name), f"{name}.")
        res = register_registration_file(_identity(env, True), path, key=key, uri=uri, from_block=_from_block(env, "IdentityRegistry"))
        emit(as_json, res.to_json(), res.text)
        return
    if key is not None or uri is not None:
        raise InputError("--key/--uri", f"apply to one standard registration file; {path} is an agent list (each entry has its key)")
    from hashtrust.erc8004.agents import load_agent_file

    specs = load_agent_file(path)  # every entry checked before connecting
    outs = register_agents_from_file(env.w3, env.sender(), env.book(), path, window=window, progress=progress, log=(lambda s: None) if as_json else click.echo,
                                     specs=specs)
    emit(as_json, [o.__dict__ for o in outs], lambda: format_table(outs))


@agents.command("rate")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), help="JSON rows (see examples/ratings.json)")
@click.option("--generate", "n_rows", type=Number(int, 1, 1_000_000), default=None, help="generate this many rows with the seeded client-behaviour model")
@click.option("--seed", type=Number(int, 0, 2**63 - 1), default=1, show_default=True)
@click.option("--clients", "n_clients", type=Number(int, 1, 100_000), default=20, show_default=True)
@click.option("--agents", "agent_ids", default="all", show_default=True, help='"1,2,3" or "all"')
@click.option("--window", type=WINDOW, default=64, show_default=True)
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help=CLIENT_KEYS_HELP)
@click.option("--no-progress", is_flag=True)
@click.option("--paid-call", "paid_call", type=click.Path(dir_okay=False), default=None, help="a receipt of `agents call`: give one payment-backed feedback")
@click.option("--value", type=Number(Decimal, -(10**38), 10**38, places=MAX_DECIMALS), default=None, help="with --paid-call: the rating (e.g. 92)")
@click.option("--tag1", type=TAG, default="", help="with --paid-call (<= 32 bytes)")
@click.option("--tag2", type=TAG, default="", help="with --paid-call (<= 32 bytes)")
@click.option("--feedback-dir", type=click.Path(file_okay=False), default="feedback", show_default=True, help="with --paid-call: where the feedback file is written")
@click.option("--uri-base", type=Text(1024), default="", help="with --paid-call: public https://, http:// or ipfs:// URL where --feedback-dir is published (needed when the file does not fit a data: URI)")
@click.pass_obj
def agents_rate(obj: Ctx, path: str | None, n_rows: int | None, seed: int, n_clients: int, agent_ids: str, window: int, client_keys: str | None,
                no_progress: bool, paid_call: str | None, value: str | None, tag1: str, tag2: str, feedback_dir: str, uri_base: str) -> None:
    """Give every feedback row that is not on chain yet, or, with --paid-call, one feedback backed
    by a paid x402 call (from the payer's account).

    Client k is the k-th key of --client-keys; on a local devnet without it, Anvil's public
    account 1000+k (refused on any other chain). On a local devnet the signer funds clients
    that run low; elsewhere nobody is funded (each client pays its own gas, checked first), so
    no signing key is needed."""
    from hashtrust.chain.devnet import not_a_devnet
    from hashtrust.erc8004.identity import IdentityClient
    from hashtrust.erc8004.rating import check_clients_not_owners, clients_from_option, generate_rows, load_rows, parse_agent_ids, rate

    if paid_call:
        if path is not None or n_rows is not None:
            raise InputError("--paid-call", "give --paid-call RECEIPT alone, without --file or --generate")
        from hashtrust.cli.payments import rate_paid

        return rate_paid(obj, paid_call, value, tag1, tag2, feedback_dir, uri_base)
    paid_only = [flag for flag, v, default in (("--value", value, None), ("--tag1", tag1, ""), ("--tag2", tag2, ""),
                                               ("--feedback-dir", feedback_dir, "feedback"), ("--uri-base", uri_base, "")) if v != default]
    if paid_only:
        raise InputError(paid_only[0], "applies only with --paid-call RECEIPT")
    if (path is None) == (n_rows is None):
        raise InputError("--file/--generate", "give --file ROWS or --generate N (one of them), or --paid-call RECEIPT")
    rows = load_rows(path) if path else None  # the whole file is checked before connecting
    ids = parse_agent_ids(agent_ids)
    clients = clients_from_option(client_keys)
    clients.require_usable(obj.w3, "agents rate")
    book = obj.book()
    ident = IdentityClient.from_book(obj.w3, book)
    if rows is None:
        rows = generate_rows(seed, ids or list(range(1, ident.total_agents() + 1)), n_clients, n_rows)
    check_clients_not_owners(ident, rows, clients=clients)
    funder = obj.sender() if not_a_devnet(obj.w3) is None else None  # off a devnet nobody is funded: no signing key needed
    res = rate(obj.w3, funder, book, rows, window=window, progress=not no_progress, clients=clients, log=click.echo)
    skipped = f", {len(res.conflicts)} skipped (row id already given with other content)" if res.conflicts else ""
    click.echo(f"done: {res.sent} sent, {res.already_done} already on chain{skipped}, {len(res.failed)} failed (of {res.total})")
    if res.failed:
        raise HashtrustError(f"{len(res.failed)} row(s) refused, first: {res.failed[0][0]}: {res.failed[0][1]}")


@agents.command("rank")
@click.argument("capability", type=Text(64, nonempty=True))
@click.option("--trusted", "--client", "trusted", multiple=True, type=ADDRESS, help="a trusted client address (repeatable; --client as in the other commands)")
@click.option("--trusted-clients", type=IndexList(MAX_SUMMARY_CLIENTS), default=None, help='trusted rating-client indexes, e.g. "0-19,25"')
@click.option("--client-keys", "client_keys", default=None, type=click.Path(dir_okay=False), help=CLIENT_KEYS_HELP)
@click.option("--tag1", type=TAG, default="", help="only feedback with this tag1")
@click.option("--tag2", type=TAG, default="", help="only feedback with this tag2")
@click.option("--min-count", type=Number(int, 1, 2**64), default=1, show_default=True)
@click.option("--allow-loopback", is_flag=True, help=ALLOW_LOOPBACK_HELP)
@click.option("--no-progress", is_flag=True)
@json_option
@click.pass_obj
def agents_rank(obj: Ctx, capability: str, trusted: tuple[str, ...], trusted_clients: list[int] | None, client_keys: str | None, tag1: str, tag2: str,
                min_count: int, allow_loopback: bool, no_progress: bool, as_json: bool) -> None:
    """Rank the agents offering CAPABILITY by reputation over the trusted clients."""
    rank_command(obj, capability, trusted, trusted_clients, tag1, tag2, min_count, progress=not no_progress, as_json=as_json, client_keys=client_keys,
                 allow_loopback=allow_loopback)


def rank_command(env: Any, capability: str, trusted: tuple[str, ...], trusted_clients: list[int] | None, tag1: str, tag2: str, min_count: int,
                 *, progress: bool, as_json: bool, client_keys: str | None = None, allow_loopback: bool = False) -> None:
    """``agents rank`` / ``ape run rank_agents``."""
    from hashtrust.chain.fetch import Resolver, for_chain
    from hashtrust.erc8004.discovery import REGISTRATION_POLICY, rank, table

    who = chosen_clients(env, trusted, trusted_clients, False, required=False, client_keys=client_keys)
    if not who:
        raise InputError("--trusted", "name the clients you trust (--trusted/--client ADDR, --trusted-clients 0-19); a ranking never counts every client, anyone can add clients")
    ranked = rank(_identity(env), _reputation(env), capability, who, tag1=tag1, tag2=tag2, min_count=min_count, progress=_progress(progress),
                  fetch=Resolver(for_chain(REGISTRATION_POLICY, env.w3, allow_loopback=allow_loopback)))
    data = {"capability": capability, "trusted": who, "tag1": tag1, "tag2": tag2,
            "ranking": [{"agent_id": r.agent_id, "name": r.name, "count": r.count, "value": r.value, "decimals": r.decimals, "score": str(r.number)} for r in ranked],
            "unreadable": [{"agent_id": a, "error": why} for a, why in ranked.unreadable]}
    emit(as_json, data, lambda: table(ranked, min_count, capability=capability, n_trusted=len(who), tag1=tag1) + unreadable_note(ranked.unreadable))


def unreadable_note(unreadable: list[tuple[int, str]], shown: int = 10) -> str:
    """The lines under a ranking that name the agents whose registration could not be read."""
    if not unreadable:
        return ""
    lines = [f"{len(unreadable):,} agent(s) not ranked: their registration file could not be read"]
    lines += [f"  agent {a}: {why}" for a, why in unreadable[:shown]]
    if len(unreadable) > shown:
        lines.append(f"  ... and {len(unreadable) - shown:,} more (--json lists them all)")
    return "\n" + "\n".join(lines)


# ---------------------------------------------------------------------------- the validator agent
def quiet_rounds(echo: Callable[[str], Any]) -> Callable[[str], Any]:
    """The validator's log without rounds that found nothing new to do (a poll every second
    would otherwise print a line a second)."""
    last: list[str] = []

    def log(line: str) -> None:
        if line.startswith("round ") and ": 0 answered, 0 skipped" in line:
            summary = line.split(": ", 1)[1]
            if last and last[-1] == summary:
                return
            last[:] = [summary]
        echo(line)

    return log


@click.command()
@click.option("--check", "check_spec", default=None, help="module:function or file.py:function (default: recompute the payload hash)")
@click.option("--tag", type=Text(31), default="hashtrust", show_default=True)
@click.option("--progressive", is_flag=True, help="answer without finalising")
@click.option("--answer-cancelled", is_flag=True, help="also answer requests their requester withdrew (the answer counts)")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--rounds", type=Number(int, 1, 2**31), default=None, help="stop after this many passes")
@click.option("--poll", type=Number(float, 0.2, 86_400), default=2.0, show_default=True, help="seconds between passes (>= 0.2)")
@click.option("--files-from", "files_from", default=None, type=click.Path(exists=True, file_okay=False), help="serve file: request URIs from this directory (default: local files are never read)")
@click.option("--allow-http", is_flag=True, help="also fetch plain http:// from non-loopback hosts")
@click.option("--allow-loopback", is_flag=True, help=ALLOW_LOOPBACK_HELP)
@click.option("--ipfs-gateway", default=None, type=Text(2_048, nonempty=True), help="gateway for ipfs:// URIs (default $HASHTRUST_IPFS_GATEWAY or https://ipfs.io/ipfs/)")
@click.pass_obj
def validate(obj: Ctx, check_spec: str | None, tag: str, progressive: bool, answer_cancelled: bool, once: bool, rounds: int | None, poll: float,
             files_from: str | None, allow_http: bool, allow_loopback: bool, ipfs_gateway: str | None) -> None:
    """Run a validator agent: answer the validation requests addressed to this account."""
    from hashtrust.chain.fetch import FetchPolicy, Resolver, for_chain
    from hashtrust.erc8004.validation import ValidationClient
    from hashtrust.erc8004.validator import ValidatorAgent, default_check, load_check

    check = load_check(check_spec) if check_spec else default_check  # a bad --check stops here, before connecting
    policy = FetchPolicy(allow_http=allow_http, local_dir=Path(files_from) if files_from else None)
    if ipfs_gateway:
        policy = policy.with_(ipfs_gateway=ipfs_gateway)
    book = obj.book()
    entry = book.get("ValidationRegistry")
    agent = ValidatorAgent(
        ValidationClient.from_book(obj.w3, book, obj.sender()),
        check,
        tag=tag,
        finalize=not progressive,
        fetch=Resolver(for_chain(policy, obj.w3, allow_loopback=allow_loopback)),
        from_block=entry.block if entry else 0,
        log=quiet_rounds(click.echo),
        answer_cancelled=answer_cancelled,
    )
    if once:
        click.echo(agent.run_once().summary())
    else:
        agent.run(poll=poll, rounds=rounds)
