"""A user's own work with ERC-8004 agents: the verbs behind ``hashtrust agents ...`` /
``hashtrust validations ...`` and ``ape run agents ...`` / ``ape run validations ...``.

Each verb takes the contract clients (the signer is the client's sender), checks its input and
the chain state it depends on *before* sending (an unknown agent, feedback that does not exist,
a signer that controls the agent it rates: one clear `HashtrustError`, nothing sent), does the
work and returns a result with ``text()`` (words) and ``to_json()`` (for ``--json``). Writes are
idempotent where the chain can tell: revoking revoked feedback, setting the URI, metadata or
wallet an agent already has, a validation request already made, a feedback whose ``--id`` is
already on chain, a response already appended -- each is reported and nothing is sent.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3 import Web3

from hashtrust.chain import jsonsafe
from hashtrust.chain.checks import ZERO_ADDRESS, check_address
from hashtrust.chain.decode import display
from hashtrust.chain.logs import get_logs
from hashtrust.chain.tx import chunks
from hashtrust.erc8004.agents import KEY_METADATA, existing_agents
from hashtrust.erc8004.feedback import FeedbackFile
from hashtrust.erc8004.identity import (
    IdentityClient,
    check_agent_id,
    check_key,
    check_uri,
    check_value,
    sign_wallet_approval,
)
from hashtrust.erc8004.registration import RegistrationFile, agent_uri, parse_registration, x402_entries
from hashtrust.erc8004.reputation import MAX_CLIENTS, MAX_READ, ReputationClient, Summary, encode_value
from hashtrust.erc8004.validation import RequestFile, Status, ValidationClient
from hashtrust.errors import HashtrustError, InputError, RevertError

Progress = Callable[[str, int], Any]  # (what, total) -> a bar with update(n) and close()


# ---------------------------------------------------------------------------- helpers
def require_agent(identity: IdentityClient, agent_id: int) -> str:
    """The agent's owner; a clear error when the agent does not exist."""
    check_agent_id(agent_id)
    total = identity.total_agents()
    if agent_id > total:
        raise HashtrustError(f"agent {agent_id} does not exist on this registry ({total:,} agent(s), ids 1..{total:,})")
    try:
        return identity.owner_of(agent_id)
    except RevertError:
        raise HashtrustError(f"agent {agent_id} does not exist on this registry") from None


def utc_time(ts: int) -> str:
    """A block time as a UTC date and time (``2027-01-12 13:15:51 UTC``); one past year 9999 as its number."""
    from datetime import datetime, timezone

    try:
        return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"block time {int(ts):,}"


def _text_or_hex(value: bytes) -> str:
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return "0x" + value.hex()
    return text if text.isprintable() else "0x" + value.hex()


def _logs(w3: Any, address: str, topics: list, from_block: int) -> list[dict]:
    return get_logs(w3, {"address": address, "fromBlock": from_block, "toBlock": "latest", "topics": topics})


def _topic_int(n: int) -> str:
    return "0x" + int(n).to_bytes(32, "big").hex()


def _topic_address(a: str) -> str:
    return "0x" + "00" * 12 + Web3.to_checksum_address(a)[2:].lower()


def _decode(event: Any, raw: dict) -> dict | None:
    """One log's arguments, or None when its strings do not decode (it is skipped, never fatal)."""
    try:
        return dict(event.process_log(raw)["args"])
    except Exception:  # noqa: BLE001 - a log whose strings are not UTF-8: skipped
        return None


def _data_json(uri: str) -> dict | None:
    """The JSON object behind a ``data:application/json`` URI (None for any other URI)."""
    if not isinstance(uri, str) or not uri.startswith("data:"):
        return None
    head, sep, body = uri[5:].partition(",")
    if not sep:
        return None
    try:
        raw = base64.b64decode(body, validate=True) if head.endswith(";base64") else body.encode()
        doc = jsonsafe.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


# ---------------------------------------------------------------------------- feedback
@dataclass
class FeedbackResult:
    """What `give_feedback` / `revoke_feedback` / `respond_feedback` did."""

    action: str  # "given" | "already given" | "revoked" | "already revoked" | "responded" | "already responded"
    agent_id: int
    client: str
    index: int
    value: str = ""
    tag1: str = ""
    tag2: str = ""
    feedback_uri: str = ""
    feedback_hash: str = ""
    tx: str | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}

    def text(self) -> str:
        what = {
            "given": f"feedback #{self.index} given to agent {self.agent_id}: {self.value}",
            "already given": f"feedback #{self.index} with this id is already on chain for agent {self.agent_id}: {self.value}",
            "revoked": f"feedback #{self.index} to agent {self.agent_id} revoked",
            "already revoked": f"feedback #{self.index} to agent {self.agent_id} was already revoked (nothing sent)",
            "responded": f"response appended to feedback #{self.index} of {self.client} on agent {self.agent_id}",
            "already responded": f"this response to feedback #{self.index} of {self.client} is already on chain (nothing sent)",
        }[self.action]
        tags = " ".join(t for t in (f"tag1={self.tag1!r}" if self.tag1 else "", f"tag2={self.tag2!r}" if self.tag2 else "") if t)
        return what + (f" ({tags})" if tags and "given" in self.action else "") + (f"; tx {self.tx}" if self.tx else "")


def _my_feedback_with_id(rep: ReputationClient, agent_id: int, client: str, fid: str, from_block: int) -> tuple[int, dict] | None:
    """(index, event) of the client's feedback to the agent whose file carries ``hashtrustRow == fid``."""
    topic = Web3.to_hex(Web3.keccak(text="NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)"))
    event = rep.contract.events.NewFeedback()
    for raw in _logs(rep.w3, rep.address, [topic, _topic_int(agent_id), _topic_address(client)], from_block):
        args = _decode(event, raw)
        if args is None:
            continue
        doc = _data_json(args["feedbackURI"])
        if doc is not None and doc.get("hashtrustRow") == fid:
            return int(args["feedbackIndex"]), args
    return None


def check_same_feedback(feedback_id: str, index: int, agent_id: int, wanted: tuple[int, int, str, str], recorded: tuple[int, int, str, str]) -> None:
    """A rerun of `give --id` must ask for what is recorded under that id: ``(value, decimals, tag1,
    tag2)`` of this run and of the feedback on chain; another value or tag is an `InputError`
    naming both (nothing is sent: the id is taken), the same figures return quietly."""
    def shown(v: int, d: int) -> Decimal:
        return Decimal(v).scaleb(-d)

    (v, d, t1, t2), (rv, rd, rt1, rt2) = wanted, recorded
    if shown(v, d) == shown(rv, rd) and (t1, t2) == (rt1, rt2):
        return

    def words(v: int, d: int, t1: str, t2: str) -> str:
        tags = " ".join(t for t in (f"tag1={t1!r}" if t1 else "", f"tag2={t2!r}" if t2 else "") if t)
        return jsonsafe.plain_decimal(shown(v, d)) + (f" ({tags})" if tags else "")

    raise InputError("--id", f"feedback #{index} with id {feedback_id!r} is already on chain for agent {agent_id} with {words(rv, rd, rt1, rt2)}, "
                             f"not {words(v, d, t1, t2)}; nothing sent (revoke it and give under a new --id to change it)")


def give_feedback(
    rep: ReputationClient,
    identity: IdentityClient,
    agent_id: int,
    value: Any,
    *,
    tag1: str = "",
    tag2: str = "",
    endpoint: str = "",
    feedback_uri: str | None = None,
    feedback_hash: bytes | None = None,
    feedback_id: str | None = None,
    from_block: int = 0,
) -> FeedbackResult:
    """Give one feedback to ``agent_id`` as the client's sender.

    Without ``feedback_uri`` the spec's feedback file is written for it (a ``data:`` URI; its
    keccak256 is the feedbackHash, so anyone can verify it). With ``feedback_id`` the run is
    idempotent: the id goes into the file, and a feedback of this client to this agent whose file
    has the same id is recognised (``already given``, nothing sent)."""
    sender = rep._require_sender()
    require_agent(identity, agent_id)
    me = sender.address
    raw_value, decimals = encode_value(value)
    if identity.is_authorized_or_owner(me, agent_id):
        raise HashtrustError(f"{me} owns or operates agent {agent_id}: the registry refuses self-feedback (sign as another account)")
    if identity.get_agent_wallet(agent_id) == me:
        raise HashtrustError(f"{me} is agent {agent_id}'s wallet: the registry refuses self-feedback (sign as another account)")
    if feedback_uri is None:
        extra = {"hashtrustRow": feedback_id} if feedback_id else {}
        f = FeedbackFile.build(
            chain_id=rep.w3.eth.chain_id, registry=identity.address, agent_id=agent_id, client=me,
            value=value, tag1=tag1, tag2=tag2, endpoint=endpoint, **extra,
        )
        feedback_uri, feedback_hash = f.data_uri(), f.feedback_hash()
    elif feedback_id:
        raise InputError("--id", "identifies the feedback file hashtrust writes; with --uri the file is yours (drop --id)")
    # The account's turn is held from the look for the id to the receipt: a second run of the
    # same `give --id` waits, then finds this feedback and sends nothing (new-user review).
    with sender.hold():
        if feedback_id:
            sender.settle()  # a crashed earlier run's feedback is mined before we look
            found = _my_feedback_with_id(rep, agent_id, me, feedback_id, from_block)
            if found is not None:
                index, args = found
                check_same_feedback(feedback_id, index, agent_id, (raw_value, decimals, tag1, tag2),
                                    (int(args["value"]), int(args["valueDecimals"]), args["tag1"], args["tag2"]))
                return FeedbackResult("already given", agent_id, me, index, jsonsafe.plain_decimal(Decimal(args["value"]).scaleb(-args["valueDecimals"])),
                                      args["tag1"], args["tag2"], args["feedbackURI"], "0x" + bytes(args["feedbackHash"]).hex())
        call = rep.give_call(agent_id, value, tag1=tag1, tag2=tag2, endpoint=endpoint, feedback_uri=feedback_uri, feedback_hash=feedback_hash)
        receipt = sender.transact(call, action="giveFeedback")
    ev = rep.events(receipt, "NewFeedback")[0]
    shown = jsonsafe.plain_decimal(Decimal(raw_value).scaleb(-decimals))
    return FeedbackResult("given", agent_id, me, int(ev["feedbackIndex"]), shown, tag1, tag2, feedback_uri,
                          "0x" + bytes(ev["feedbackHash"]).hex(), Web3.to_hex(receipt["transactionHash"]))


REVOKE_HINT = "feedback indexes are per client: revoke as the client who gave it"
RESPOND_HINT = "feedback indexes are per client: give as CLIENT the address that gave the feedback you answer"


def no_feedback_words(client: str, agent_id: int, last: int, index: int, hint: str) -> str:
    """Why feedback #``index`` of ``client`` to the agent does not exist (``hint`` when it has none)."""
    return f"{client} has given agent {agent_id} {last} feedback(s); there is no feedback #{index}" + (f" ({hint})" if last == 0 else "")


def _check_feedback(rep: ReputationClient, identity: IdentityClient, agent_id: int, client: str, index: int, hint: str = REVOKE_HINT) -> Any:
    require_agent(identity, agent_id)
    if index < 1:
        raise InputError("index", "feedback indexes start at 1")
    last = rep.last_index(agent_id, client)
    if index > last:
        raise HashtrustError(no_feedback_words(client, agent_id, last, index, hint))
    return rep.read(agent_id, client, index)


def revoke_feedback(rep: ReputationClient, identity: IdentityClient, agent_id: int, index: int) -> FeedbackResult:
    """Revoke the sender's own feedback #``index`` to ``agent_id`` (already revoked: nothing sent)."""
    sender = rep._require_sender()
    sender.settle()
    fb = _check_feedback(rep, identity, agent_id, sender.address, index)
    if fb.revoked:
        return FeedbackResult("already revoked", agent_id, sender.address, index, str(fb.number), fb.tag1, fb.tag2)
    receipt = rep.revoke(agent_id, index)
    return FeedbackResult("revoked", agent_id, sender.address, index, str(fb.number), fb.tag1, fb.tag2, tx=Web3.to_hex(receipt["transactionHash"]))


def respond_feedback(
    rep: ReputationClient,
    identity: IdentityClient,
    agent_id: int,
    client: str,
    index: int,
    response_uri: str,
    response_hash: bytes | None = None,
    *,
    from_block: int = 0,
) -> FeedbackResult:
    """Append a response to ``client``'s feedback #``index`` (anyone may respond). The same
    response (URI) by the same responder already on chain: nothing sent."""
    sender = rep._require_sender()
    client = check_address(client, "client")
    if not response_uri:
        raise InputError("response_uri", "must not be empty")
    _check_feedback(rep, identity, agent_id, client, index, RESPOND_HINT)
    sender.settle()
    topic = Web3.to_hex(Web3.keccak(text="ResponseAppended(uint256,address,uint64,address,string,bytes32)"))
    event = rep.contract.events.ResponseAppended()
    for raw in _logs(rep.w3, rep.address, [topic, _topic_int(agent_id), _topic_address(client), _topic_address(sender.address)], from_block):
        args = _decode(event, raw)
        if args is not None and int(args["feedbackIndex"]) == index and args["responseURI"] == response_uri:
            return FeedbackResult("already responded", agent_id, client, index)
    receipt = rep.respond(agent_id, client, index, response_uri, response_hash)
    return FeedbackResult("responded", agent_id, client, index, tx=Web3.to_hex(receipt["transactionHash"]))


# ---------------------------------------------------------------------------- reputation
@dataclass
class TagSummary:
    tag1: str
    tag2: str
    count: int
    value: int
    decimals: int
    average: str | None = None  # the exact mean of the feedback counted (`exact_average`); None: not read

    @property
    def number(self) -> Decimal:
        """The registry's own figure (`getSummary`: truncated, in the most frequent decimals)."""
        return Decimal(self.value).scaleb(-self.decimals)

    @property
    def shown(self) -> str:
        """The average a person reads: the exact mean when known, else the registry's figure."""
        return self.average if self.average is not None else f"{self.number}"

    def to_json(self) -> dict:
        return {"tag1": self.tag1, "tag2": self.tag2, "count": self.count, "value": self.value, "decimals": self.decimals, "number": jsonsafe.plain_decimal(self.number),
                "average": self.shown if self.count else None}


AVERAGE_PLACES = 12  # a mean that has no finite decimal form (1/3) is shown rounded to this many places, with "~"


def exact_average(numbers: Sequence[Decimal]) -> str | None:
    """The mean of ``numbers`` as a person should read it: exact when it has a finite decimal
    form (values 1 and 2 average ``1.5``; the registry's `getSummary` says 1, truncated in the
    most frequent decimals), else rounded to `AVERAGE_PLACES` places and marked ``~``. None for
    no numbers."""
    from decimal import localcontext
    from fractions import Fraction

    if not numbers:
        return None
    mean = sum((Fraction(n) for n in numbers), Fraction(0)) / len(numbers)
    den = mean.denominator
    for f in (2, 5):
        while den % f == 0:
            den //= f
    with localcontext() as ctx:
        ctx.prec = 200  # int128 values at <= 18 decimals over any count: far fewer digits than this
        q = Decimal(mean.numerator) / Decimal(mean.denominator)
        if den == 1:  # a finite decimal: every digit, no exponent, no trailing zeros
            return format(q.normalize(), "f")
        return "~" + format(q.quantize(Decimal(1).scaleb(-AVERAGE_PLACES)).normalize(), "f")


@dataclass
class ReputationView:
    """One agent's reputation over chosen clients: overall and per tag1 (then tag2)."""

    agent_id: int
    clients: list[str]
    chosen: str  # how the clients were chosen ("3 given", "all 36 clients of the agent")
    overall: TagSummary
    by_tag: list[TagSummary]
    reads: int = 1  # getSummary calls per figure (clients beyond 256 are read in groups)

    def to_json(self) -> dict:
        return {
            "agent_id": self.agent_id,
            "clients": self.clients,
            "chosen": self.chosen,
            "overall": self.overall.to_json(),
            "by_tag": [t.to_json() for t in self.by_tag],
        }

    def text(self) -> str:
        lines = [f"reputation of agent {self.agent_id} over {self.chosen}" + (f" (read in {self.reads} groups of at most {MAX_CLIENTS})" if self.reads > 1 else "")]
        lines.append(f"   {'tag1':<20} {'tag2':<14} {'average':>14} {'count':>7}")
        for t in [self.overall, *self.by_tag]:
            avg = t.shown if t.count else "-"
            lines.append(f"   {(display(t.tag1, 64) if t.tag1 else '(any)'):<20} {(display(t.tag2, 64) if t.tag2 else '(any)'):<14} {avg:>14} {t.count:>7,}")
        return "\n".join(lines)


def _summary(rep: ReputationClient, agent_id: int, clients: Sequence[str], tag1: str, tag2: str) -> tuple[TagSummary, int]:
    """getSummary over any number of clients: groups of 256 combined as a count-weighted mean."""
    groups = list(chunks(list(clients), MAX_CLIENTS))
    parts: list[Summary] = [rep.summary(agent_id, g, tag1=tag1, tag2=tag2) for g in groups]
    count = sum(p.count for p in parts)
    if len(parts) == 1 or count == 0:
        p = parts[0]
        return TagSummary(tag1, tag2, p.count, p.value, p.decimals), len(parts)
    decimals = max(p.decimals for p in parts)
    total = sum(Decimal(p.value).scaleb(decimals - p.decimals) * p.count for p in parts)
    return TagSummary(tag1, tag2, count, int(total / count), decimals), len(parts)


def reputation(
    rep: ReputationClient,
    identity: IdentityClient,
    agent_id: int,
    clients: Sequence[str] | None,
    *,
    tag1: str | None = None,
    tag2: str = "",
    progress: Progress | None = None,
) -> ReputationView:
    """The agent's summary over ``clients`` (None: every client of the agent, which anyone can
    add to, so the view says so), overall and for each tag1 those clients used (or only ``tag1``)."""
    require_agent(identity, agent_id)
    if clients is None:
        chosen_clients = rep.clients(agent_id)
        chosen = f"all {len(chosen_clients):,} client(s) of the agent (unfiltered: anyone can add clients, choose whom you trust with --client)"
    else:
        chosen_clients = [check_address(c, f"clients[{i}]", allow_zero=False) for i, c in enumerate(clients)]
        chosen_clients = list(dict.fromkeys(chosen_clients))
        if not chosen_clients:
            raise InputError("clients", "name at least one client (the reader chooses whose feedback counts)")
        chosen = f"{len(chosen_clients):,} chosen client(s)"
    if not chosen_clients:
        empty = TagSummary("", "", 0, 0, 0)
        return ReputationView(agent_id, [], chosen, empty, [])
    tags: list[tuple[str, str]] = []
    # Every active feedback of the chosen clients, once: its tags, and the exact averages (the
    # registry's getSummary truncates the mean in the most frequent decimals: 1 and 2 gave 1).
    feedback = []
    groups = list(chunks(chosen_clients, MAX_CLIENTS))
    bar = progress("reading feedback", len(groups)) if progress and len(chosen_clients) > MAX_READ else None
    for g in groups:
        feedback.extend(rep.read_all(agent_id, g))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if tag1 is None:
        tags = sorted({(fb.tag1, ""): None for fb in feedback})
    else:
        tags = [(tag1, tag2)]

    def exact(t1: str, t2: str) -> str | None:
        return exact_average([fb.number for fb in feedback if (not t1 or fb.tag1 == t1) and (not t2 or fb.tag2 == t2)])

    overall, reads = _summary(rep, agent_id, chosen_clients, "", "")
    overall.average = exact("", "")
    by_tag = []
    for t1, t2 in tags:
        if (t1, t2) != ("", ""):
            t = _summary(rep, agent_id, chosen_clients, t1, t2)[0]
            t.average = exact(t1, t2)
            by_tag.append(t)
    return ReputationView(agent_id, chosen_clients, chosen, overall, by_tag, reads)


# ---------------------------------------------------------------------------- agents show
ANSWERED_STATUSES = ("ANSWERED", "FINALIZED")  # a request whose response is the validator's score


@dataclass
class ValidationView:
    request_hash: str
    validator: str
    status: str
    response: int
    finalized: bool
    last_update: int

    @property
    def score(self) -> int | None:
        """The validator's answer; None while there is none (pending or cancelled: the registry's 0 is no score)."""
        return self.response if self.status in ANSWERED_STATUSES else None

    @property
    def score_text(self) -> str:
        return f"{self.score:>3}" if self.score is not None else ""

    def to_json(self) -> dict:
        return dict(self.__dict__, response=self.score)


@dataclass
class AgentView:
    agent_id: int
    owner: str
    wallet: str
    uri: str
    registration: dict | None
    registration_error: str
    metadata: dict[str, str]
    reputation: ReputationView | None
    validations: list[ValidationView]
    n_validations: int
    roles: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "agent_id": self.agent_id,
            "owner": self.owner,
            "wallet": self.wallet,
            "uri": self.uri,
            "registration": self.registration,
            "registration_error": self.registration_error or None,
            "metadata": self.metadata,
            "reputation": self.reputation.to_json() if self.reputation else None,
            "validations": [v.to_json() for v in self.validations],
            "validations_total": self.n_validations,
            "roles": self.roles,
        }

    def text(self) -> str:
        # everything shown comes from the chain or a file someone else wrote: `display` escapes
        # control characters (terminal escapes, NULs) and cuts long values
        reg = self.registration or {}
        lines = [
            f"agent    {self.agent_id}" + (f"  {display(reg.get('name'), 120)}" if reg.get("name") else ""),
            f"owner    {self.owner}",
            f"wallet   {self.wallet if self.wallet != ZERO_ADDRESS else '(none)'}",
        ]
        if reg.get("description"):
            lines.append(f"about    {display(reg['description'], 200)}")
        services = reg.get("services") or reg.get("endpoints") or []
        services = services if isinstance(services, list) else []
        if len(services) > SHOWN_SERVICES:  # the file is someone else's: its size must not set the output's
            lines.append(f"services {len(services):,} (the first {SHOWN_SERVICES} below; --json has them all)")
        for s in services[:SHOWN_SERVICES]:
            if isinstance(s, dict):
                skills = ", ".join(str(x) for x in (s.get("skills") or []) + (s.get("capabilities") or []))
                lines.append(f"service  {display(s.get('name', '?'), 60)}: {display(s.get('endpoint', ''), 200)}" + (f" [{display(skills, 200)}]" if skills else ""))
        if reg:
            trust = reg.get("supportedTrust") or []
            lines.append(f"active   {display(reg.get('active', True), 20)}; x402 {display(reg.get('x402Support', False), 20)}; "
                         f"trust {display(', '.join(map(str, trust)) if isinstance(trust, list) else trust, 120) or '-'}")
        lines.append(f"uri      {display(self.uri, 120)}")
        if self.registration_error:
            lines.append(f"         ({display(self.registration_error, 240)})")
        if self.metadata:
            lines.append("metadata")
            lines += [f"   {display(k, 64)} = {display(v, 120)}" for k, v in sorted(self.metadata.items())]
        for r in self.roles:
            lines.append(f"role     {r}")
        if self.reputation is not None:
            lines.append(self.reputation.text())
        if self.n_validations:
            lines.append(f"validations ({self.n_validations:,}" + (f", the last {len(self.validations)}" if len(self.validations) < self.n_validations else "") + ")")
            for v in self.validations:
                lines.append(f"   {v.request_hash[:18]}…  validator {v.validator[:10]}…  {v.status.lower():<9} {v.score_text}".rstrip())
        else:
            lines.append("validations (none)")
        return "\n".join(lines)


SHOWN_SERVICES = 20  # `agents show` lists at most this many of a registration file's services


def agent_metadata(identity: IdentityClient, agent_id: int, from_block: int = 0) -> dict[str, str]:
    """Every metadata key the agent carries now (found in its ``MetadataSet`` logs, value read
    from the registry), values shown as text when they are UTF-8, else 0x-hex."""
    topic = Web3.to_hex(Web3.keccak(text="MetadataSet(uint256,string,string,bytes)"))
    event = identity.contract.events.MetadataSet()
    keys: dict[str, None] = {}
    for raw in _logs(identity.w3, identity.address, [topic, _topic_int(agent_id)], from_block):
        args = _decode(event, raw)
        if args is not None:
            keys.setdefault(args["metadataKey"], None)
    out: dict[str, str] = {}
    for k in keys:
        if k == "agentWallet":
            continue  # shown as the wallet
        value = identity.get_metadata(agent_id, k)
        if value:
            out[k] = _text_or_hex(value)
    return out


def show_agent(
    identity: IdentityClient,
    rep: ReputationClient | None,
    val: ValidationClient | None,
    agent_id: int,
    *,
    clients: Sequence[str] | None = None,
    fetch: Callable[[str], bytes] | None = None,
    last_validations: int = 20,
    from_block: int = 0,
    roles: Callable[[int, str, str], list[str]] | None = None,
) -> AgentView:
    """Everything the registries hold about one agent: owner, wallet, registration file,
    metadata, reputation by tag (over ``clients``, or all its clients, labelled so), its
    validation requests (the last ``last_validations``) and ``roles`` (e.g. in a vault)."""
    owner = require_agent(identity, agent_id)
    uri = identity.token_uri(agent_id)
    wallet = identity.get_agent_wallet(agent_id)
    registration, error = None, ""
    try:
        if uri.startswith("data:"):
            doc = _data_json(uri)
            if doc is None:
                raise HashtrustError("not a JSON data: URI")
        elif fetch is not None:
            doc = jsonsafe.loads(fetch(uri))  # through the one resolver: never a local file, a deadline, a byte cap
        else:
            doc = None
            error = "not read: remote registration files are not fetched here"
        if doc is not None:
            if not isinstance(doc, dict):
                raise HashtrustError("not a JSON object")
            registration = doc
    except HashtrustError as exc:  # refused, unreachable, too large, not JSON...: shown as such
        error = f"not read: {getattr(exc, 'problem', None) or exc}"
    except ValueError as exc:
        error = f"not read: not JSON ({str(exc)[:120]})"
    metadata = agent_metadata(identity, agent_id, from_block)
    reputation_view = reputation(rep, identity, agent_id, clients) if rep is not None else None
    validations: list[ValidationView] = []
    n = 0
    if val is not None:
        hashes = val.agent_validations(agent_id)
        n = len(hashes)
        for h in hashes[-last_validations:] if last_validations else []:
            a = val.attestation(agent_id, h)
            validations.append(ValidationView("0x" + h.hex(), a.validator, a.status.name, a.response, a.finalized, a.last_update))
    return AgentView(agent_id, owner, wallet, uri, registration, error, metadata, reputation_view, validations, n,
                     roles(agent_id, owner, wallet) if roles else [])


# ---------------------------------------------------------------------------- updating an agent
@dataclass
class UpdateResult:
    agent_id: int
    what: str  # "uri" | "metadata <key>" | "wallet" | "wallet unset"
    changed: bool
    value: str
    tx: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)

    def text(self) -> str:
        shown = self.value if len(self.value) <= 100 else self.value[:97] + "..."
        if self.what.startswith("metadata ") and not self.value:  # an empty value clears the entry (docs/identity.md)
            if not self.changed:
                return f"agent {self.agent_id}: {self.what} is already unset (nothing sent)"
            return f"agent {self.agent_id}: {self.what} cleared" + (f"; tx {self.tx}" if self.tx else "")
        if not self.changed:
            return f"agent {self.agent_id}: {self.what} is already {shown} (nothing sent)"
        return f"agent {self.agent_id}: {self.what} set to {shown}" + (f"; tx {self.tx}" if self.tx else "")


def _require_control(identity: IdentityClient, agent_id: int, me: str | None = None) -> None:
    me = me or identity._require_sender().address
    require_agent(identity, agent_id)
    if not identity.is_authorized_or_owner(me, agent_id):
        raise HashtrustError(f"{me} neither owns nor operates agent {agent_id} (owner {identity.owner_of(agent_id)}): sign as the owner")


def set_uri(identity: IdentityClient, agent_id: int, uri: str) -> UpdateResult:
    """Point the agent at a new registration file (a checked ``data:`` URI or a remote one)."""
    uri = check_uri(agent_uri(uri, field="uri"), "uri")
    _require_control(identity, agent_id)
    if identity.token_uri(agent_id) == uri:
        return UpdateResult(agent_id, "uri", False, uri)
    receipt = identity.set_agent_uri(agent_id, uri)
    return UpdateResult(agent_id, "uri", True, uri, Web3.to_hex(receipt["transactionHash"]))


def metadata_value(value: str) -> bytes:
    """A metadata value as typed: ``0x...`` is hex bytes, anything else UTF-8 text."""
    if value.startswith("0x"):
        try:
            return check_value(bytes.fromhex(value[2:]), "value")
        except ValueError:
            raise InputError("value", "starts with 0x but is not hex") from None
    return check_value(value, "value")


def set_metadata(identity: IdentityClient, agent_id: int, key: str, value: str) -> UpdateResult:
    """Set one metadata entry (``agentWallet`` is reserved: use `set_wallet`)."""
    check_key(key, "key")
    raw = metadata_value(value)
    _require_control(identity, agent_id)
    if identity.get_metadata(agent_id, key) == raw:
        return UpdateResult(agent_id, f"metadata {key}", False, _text_or_hex(raw))
    receipt = identity.set_metadata(agent_id, key, raw)
    return UpdateResult(agent_id, f"metadata {key}", True, _text_or_hex(raw), Web3.to_hex(receipt["transactionHash"]))


@dataclass
class ApprovalView:
    """What a wallet must sign (EOA) or approve (ERC-1271) to become an agent's wallet."""

    agent_id: int
    wallet: str
    owner: str
    deadline: int
    digest: str
    typed_data: dict

    def to_json(self) -> dict:
        return dict(self.__dict__)

    def text(self) -> str:
        return "\n".join([
            f"agent {self.agent_id}: wallet {self.wallet} must approve before {utc_time(self.deadline)} (chain time):",
            f"   EIP-712 digest {self.digest}   (an ERC-1271 wallet's isValidSignature gets this hash)",
            f"   typed data     {json.dumps(self.typed_data, separators=(',', ':'))}",
            f"then: hashtrust agents set-wallet {self.agent_id} --wallet {self.wallet} --deadline {self.deadline} --signature 0x...",
        ])


def wallet_approval(identity: IdentityClient, agent_id: int, wallet: str, *, deadline: int | None = None, ahead: int = 240) -> ApprovalView:
    """The EIP-712 message ``wallet`` signs (or approves through ERC-1271) for `set_wallet`."""
    require_agent(identity, agent_id)
    wallet = check_address(wallet, "wallet")
    if deadline is None:
        deadline = identity.next_wallet_deadline(agent_id, ahead=ahead)
    a = identity.wallet_approval(agent_id, wallet, deadline=deadline)
    return ApprovalView(agent_id, a.new_wallet, a.owner, a.deadline, "0x" + bytes(a.digest).hex(), a.typed_data)


def set_wallet(
    identity: IdentityClient,
    agent_id: int,
    *,
    wallet_key: str | None = None,
    wallet: str | None = None,
    signature: bytes | None = None,
    deadline: int | None = None,
) -> UpdateResult:
    """Make a wallet the agent's wallet, proven by EIP-712 signature: either the wallet's own
    key (``wallet_key``: the SDK signs) or ``wallet`` with the ``signature`` (and its
    ``deadline``) its holder made -- an EOA's 65 bytes or whatever an ERC-1271 contract wallet
    accepts for the digest of `wallet_approval`."""
    if (wallet_key is None) == (signature is None):
        raise InputError("wallet", "give the wallet's key (--wallet-key-env) or its signature (--wallet, --signature, --deadline)")
    _require_control(identity, agent_id)
    if wallet_key is not None:
        from eth_account import Account

        try:
            acct = Account.from_key(wallet_key)
        except Exception:  # noqa: BLE001 - a malformed key
            raise InputError("wallet key", "is not a valid private key") from None
        address = acct.address
        if identity.get_agent_wallet(agent_id) == address:
            return UpdateResult(agent_id, "wallet", False, address)
        approval = identity.wallet_approval(agent_id, address, deadline=deadline)
        receipt = identity.set_agent_wallet(agent_id, address, signature=sign_wallet_approval(approval, acct), deadline=approval.deadline)
    else:
        if wallet is None or deadline is None:
            raise InputError("wallet", "a signature needs --wallet (its address) and --deadline (the one it was made for)")
        address = check_address(wallet, "wallet")
        if identity.get_agent_wallet(agent_id) == address:
            return UpdateResult(agent_id, "wallet", False, address)
        pending, now = (int(identity.w3.eth.get_block(b)["timestamp"]) for b in ("pending", "latest"))
        check_wallet_deadline(deadline, now, pending)
        last = identity.last_wallet_deadline(agent_id)
        if deadline <= last:
            raise HashtrustError(f"deadline {deadline:,} is not after the last one agent {agent_id} used ({last:,}): signatures are one-time, ask for a new one")
        receipt = identity.set_agent_wallet(agent_id, address, signature=signature, deadline=deadline)
    return UpdateResult(agent_id, "wallet", True, address, Web3.to_hex(receipt["transactionHash"]))


def check_wallet_deadline(deadline: int, latest: int, pending: int) -> None:
    """``--deadline`` of a wallet's signature against the chain's time (its latest and pending
    blocks, both of which the registry checks): not passed, and at most `MAX_DEADLINE_DELAY` s
    ahead (else the contract's "identity: deadline too far"); told in words with the dates."""
    from hashtrust.erc8004.identity import MAX_DEADLINE_DELAY

    now = max(latest, pending)
    if deadline < now:
        raise InputError("--deadline", f"{deadline} ({utc_time(deadline)}) has passed: the chain's time is {utc_time(now)}; "
                                       "ask the wallet for a new signature (`agents wallet-approval`)")
    if deadline > min(latest, pending) + MAX_DEADLINE_DELAY:
        raise InputError("--deadline", f"{deadline} ({utc_time(deadline)}) is too far ahead: at most {MAX_DEADLINE_DELAY} s after the chain's time "
                                       f"{utc_time(min(latest, pending))}; ask the wallet for a new signature (`agents wallet-approval`)")


def unset_wallet(identity: IdentityClient, agent_id: int) -> UpdateResult:
    _require_control(identity, agent_id)
    if identity.get_agent_wallet(agent_id) == ZERO_ADDRESS:
        return UpdateResult(agent_id, "wallet", False, "(none)")
    receipt = identity.unset_agent_wallet(agent_id)
    return UpdateResult(agent_id, "wallet", True, "(none)", Web3.to_hex(receipt["transactionHash"]))


# ---------------------------------------------------------------------------- registering from a standard file
def is_registration_file(data: Any) -> bool:
    """Whether decoded JSON is one ERC-8004 registration file (not hashtrust's agent list)."""
    if not isinstance(data, dict) or "agents" in data:
        return False
    return data.get("type") == RegistrationFile.model_fields["type"].default or ("name" in data and ("services" in data or "endpoints" in data))


def normalise_registration(data: dict) -> dict:
    """A registration file as other tools write it, in the current revision's shape: the older
    revision's ``endpoints`` list is ``services``; an empty ``image`` is no image. Everything
    else is validated strictly (``"active": "yes"`` is an error, not true)."""
    out = dict(data)
    if "services" not in out and "endpoints" in out:
        out["services"] = out.pop("endpoints")
    if out.get("image") == "":
        out.pop("image")
    out.setdefault("type", RegistrationFile.model_fields["type"].default)
    return out


def _slug(text: str) -> str:
    import re

    s = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:64]
    return s or "agent"


@dataclass
class RegisterResult:
    key: str
    name: str
    agent_id: int
    status: str  # "registered" | "already registered" | "updated"
    uri: str
    tx: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)

    def text(self) -> str:
        what = {
            "registered": f"registered agent {self.agent_id} ({self.name}) with key {self.key!r}",
            "already registered": f"agent {self.agent_id} ({self.name}) is already registered with key {self.key!r} and this file (nothing sent)",
            "updated": f"agent {self.agent_id} ({self.name}), key {self.key!r}: registration file updated",
        }[self.status]
        return what + (f"; tx {self.tx}" if self.tx else "")


def register_registration_file(
    identity: IdentityClient,
    path: str | Path,
    *,
    key: str | None = None,
    uri: str | None = None,
    from_block: int = 0,
) -> RegisterResult:
    """Register (or update) one agent from a standard ERC-8004 registration file.

    The file is registered fully on chain as a ``data:`` URI, or, with ``uri``, the remote URI
    where the same file is published. The agent carries ``hashtrust.key = key`` (default: the
    file's name without extension), so a rerun finds it: the same file is ``already
    registered``; a changed file updates the agent's URI."""
    from hashtrust.chain.files import read_utf8

    p = Path(path)
    text = read_utf8(p)  # unreadable or not UTF-8: InputError naming the file
    try:
        data = jsonsafe.loads(text)
    except ValueError as exc:
        raise InputError(str(p), f"is not valid JSON ({exc})") from None
    if not is_registration_file(data):
        raise InputError(str(p), "is not an ERC-8004 registration file (needs type, name, description, services)")
    reg = parse_registration(normalise_registration(data), field=p.name)
    x402_entries(reg, f"{p.name}.")  # a paid service that could never be called is refused before registering
    key = _slug(p.stem) if key is None else key  # '' is refused below, not taken as "no key"
    from hashtrust.erc8004.agents import _KEY

    if not _KEY.match(key):
        raise InputError("--key", "must be 1..64 characters of A-Z a-z 0-9 . _ -")
    target = check_uri(agent_uri(uri, field="--uri") if uri else reg.to_data_uri(), "agentURI")
    sender = identity._require_sender()
    with sender.hold():  # from the look to the receipt: a second run of this file waits, then finds it
        sender.settle()
        have = existing_agents(identity, sender.address, from_block=from_block)
        if key in have:
            agent_id = have[key]
            if identity.token_uri(agent_id) == target:
                return RegisterResult(key, reg.name, agent_id, "already registered", target)
            receipt = identity.set_agent_uri(agent_id, target)
            return RegisterResult(key, reg.name, agent_id, "updated", target, Web3.to_hex(receipt["transactionHash"]))
        receipt = sender.transact(identity.register_call(target, [(KEY_METADATA, key.encode())]), action="register")
    agent_id = identity.agent_id_from_receipt(receipt)
    return RegisterResult(key, reg.name, agent_id, "registered", target, Web3.to_hex(receipt["transactionHash"]))


# ---------------------------------------------------------------------------- validations
@dataclass
class ValidationResult:
    agent_id: int
    request_hash: str
    validator: str
    status: str
    response: int
    finalized: bool
    tag: str = ""
    last_update: int = 0
    request_uri: str = ""
    response_uri: str = ""
    response_file: dict | None = None
    action: str = ""  # for requests: "requested" | "already requested"
    tx: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__, response=self.response if self.status in ANSWERED_STATUSES else None)

    def text(self) -> str:
        head = {
            "requested": f"validation requested: agent {self.agent_id} asks {self.validator}",
            "already requested": f"this validation is already requested (nothing sent): agent {self.agent_id} asked {self.validator}",
        }.get(self.action, f"validation of agent {self.agent_id} by {self.validator}")
        lines = [head, f"   request hash {self.request_hash}"]
        answered = self.status in ("ANSWERED", "FINALIZED")
        lines.append(f"   status       {self.status.lower()}" + (f": {self.response}/100" if answered else "") + (f" (tag {display(self.tag, 64)})" if self.tag else ""))
        if self.response_file and self.response_file.get("reason"):
            lines.append(f"   reason       {display(self.response_file['reason'], 200)}")
        if self.tx:
            lines.append(f"   tx           {self.tx}")
        return "\n".join(lines)


def _request_logs(val: ValidationClient, agent_id: int, validator: str, from_block: int) -> list[dict]:
    topic = Web3.to_hex(Web3.keccak(text="ValidationRequest(address,uint256,string,bytes32)"))
    event = val.contract.events.ValidationRequest()
    out = []
    for raw in _logs(val.w3, val.address, [topic, _topic_address(validator), _topic_int(agent_id)], from_block):
        args = _decode(event, raw)
        if args is not None:
            out.append(args)
    return out


def validation_result(val: ValidationClient, agent_id: int, request_hash: bytes, *, from_block: int = 0, action: str = "", tx: str | None = None) -> ValidationResult:
    """The record of (agent, requestHash): status, the validator's answer, its tag and its
    response file (when it is a ``data:`` URI)."""
    a = val.attestation(agent_id, request_hash)
    if a.status == Status.NONE:
        raise HashtrustError(f"agent {agent_id} has no validation request 0x{request_hash.hex()}")
    tag, response_uri, response_file, request_uri = "", "", None, ""
    topic = Web3.to_hex(Web3.keccak(text="ValidationResponse(address,uint256,bytes32,uint8,string,bytes32,string)"))
    event = val.contract.events.ValidationResponse()
    for raw in _logs(val.w3, val.address, [topic, None, _topic_int(agent_id), "0x" + request_hash.hex()], from_block):
        args = _decode(event, raw)
        if args is not None:
            tag, response_uri = args["tag"], args["responseURI"]
    response_file = _data_json(response_uri)
    for args in _request_logs(val, agent_id, a.validator, from_block):
        if bytes(args["requestHash"]) == request_hash:
            request_uri = args["requestURI"]
    return ValidationResult(agent_id, "0x" + request_hash.hex(), a.validator, a.status.name, a.response, a.finalized, tag, a.last_update,
                            request_uri, response_uri, response_file, action, tx)


def check_not_self_validation(identity: Any, agent_id: int, validator: str) -> None:
    """The registry refuses a validator that owns or operates the agent or is its wallet
    ("validation: self-validation"): said in words before anything is estimated or sent."""
    if identity.is_authorized_or_owner(validator, agent_id):
        raise InputError("VALIDATOR", f"{validator} owns or operates agent {agent_id}: an agent cannot validate its own work "
                                      "(the registry refuses self-validation); choose another validator")
    if identity.get_agent_wallet(agent_id) == validator:
        raise InputError("VALIDATOR", f"{validator} is agent {agent_id}'s wallet: an agent cannot validate its own work "
                                      "(the registry refuses self-validation); choose another validator")


def request_validation(
    val: ValidationClient,
    identity: IdentityClient,
    agent_id: int,
    validator: str,
    payload: Any,
    *,
    claimed_hash: str | None = None,
    uri: str | None = None,
    from_block: int = 0,
) -> ValidationResult:
    """Ask ``validator`` to check ``payload`` (the job the agent did) as the agent's owner or
    operator. The request file (`RequestFile`) travels as a ``data:`` URI (or ``uri``); the
    same payload already asked of the same validator by this agent is recognised: nothing sent."""
    validator = check_address(validator, "validator")
    sender = val._require_sender()
    _require_control(identity, agent_id, sender.address)
    check_not_self_validation(identity, agent_id, validator)
    sender.settle()
    for args in _request_logs(val, agent_id, validator, from_block):
        doc = _data_json(args["requestURI"])
        if doc is not None and doc.get("payload") == payload and (claimed_hash is None or doc.get("payloadHash") == claimed_hash):
            return validation_result(val, agent_id, bytes(args["requestHash"]), from_block=from_block, action="already requested")
    chain_id = val.w3.eth.chain_id
    req = RequestFile.build(chain_id, identity.address, agent_id, validator, payload, claimed_hash=claimed_hash)
    h, receipt = val.request_file(validator, agent_id, req, uri=uri)
    return validation_result(val, agent_id, h, from_block=from_block, action="requested", tx=Web3.to_hex(receipt["transactionHash"]))


@dataclass
class ValidationList:
    agent_id: int
    items: list[ValidationView]
    total: int
    count: int
    average: int

    def to_json(self) -> dict:
        return {"agent_id": self.agent_id, "total": self.total, "answered": self.count, "average": self.average if self.count else None,
                "requests": [v.to_json() for v in self.items]}

    def text(self) -> str:
        lines = [f"agent {self.agent_id}: {self.total:,} validation request(s), {self.count:,} answered, average {self.average}/100" if self.count
                 else f"agent {self.agent_id}: {self.total:,} validation request(s), none answered"]
        for v in self.items:
            lines.append(f"   {v.request_hash}  validator {v.validator}  {v.status.lower():<9} {v.score_text}".rstrip())
        return "\n".join(lines)


def list_validations(val: ValidationClient, identity: IdentityClient, agent_id: int, *, last: int = 50) -> ValidationList:
    require_agent(identity, agent_id)
    hashes = val.agent_validations(agent_id)
    items = []
    for h in hashes[-last:] if last else hashes:
        a = val.attestation(agent_id, h)
        items.append(ValidationView("0x" + h.hex(), a.validator, a.status.name, a.response, a.finalized, a.last_update))
    count, avg = val.summary(agent_id)
    return ValidationList(agent_id, items, len(hashes), count, avg)
