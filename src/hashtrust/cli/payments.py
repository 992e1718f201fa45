"""Commands for x402 payments, in the ``agents`` group: serve, call, and rating a paid call.

    hashtrust agents serve 1 2                       # the agents' paid services + a local facilitator
    hashtrust --account-index 3 agents call 1 summarize --body '{"text": "..."}' --max-price 300000
    hashtrust --account-index 3 agents rate --paid-call receipts/paid-1-0x1234abcd.json --value 92

``serve`` signs with the chosen account, which must be each served agent's on-chain
``agentWallet`` (payments go there, attestations are signed with it); without AGENT_IDs it
serves every agent whose wallet is this account and whose registration file lists an x402
service. It starts the facilitator (devnet account ``--facilitator-account-index``) unless
``--facilitator URL`` names one, and stops both on Ctrl-C / SIGTERM. ``call`` pays from the
chosen account after checking the price (`hashtrust.payments.client`), prints the response and
writes a receipt; ``agents rate --paid-call`` turns the receipt into a payment-backed feedback.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import click

from hashtrust.chain import jsonsafe
from hashtrust.chain.decode import display_block
from hashtrust.cli.context import PRETTY_DEPTH, Ctx, _depth
from hashtrust.cli.params import ACCOUNT_INDEX, AGENT_ID, Number, Text
from hashtrust.errors import HashtrustError, InputError

DEVNETS = (31337, 1337)
PORT = Number(int, 1, 65_535, what="a TCP port")
FACILITATOR_ACCOUNT = 8  # the devnet account that pays the settlements' gas


def _key(obj: Ctx) -> str:
    return obj.sender().signer.account.key.to_0x_hex()


@click.command("serve")
@click.argument("agent_ids", nargs=-1, type=AGENT_ID)
@click.option("--port", type=PORT, default=8402, show_default=True, help="port of the agents' paid services (their endpoints' port)")
@click.option("--facilitator", "facilitator_url", type=Text(2048), default="", help="use this facilitator instead of starting one")
@click.option("--facilitator-port", type=PORT, default=8403, show_default=True)
@click.option("--facilitator-account-index", type=ACCOUNT_INDEX, default=FACILITATOR_ACCOUNT, show_default=True, help="devnet account that pays the settlement gas")
@click.option("--handler", "handler_spec", default=None, help="module:function or file.py:function serving the requests (default: a work receipt)")
@click.pass_obj
def serve(obj: Ctx, agent_ids: tuple[int, ...], port: int, facilitator_url: str, facilitator_port: int, facilitator_account_index: int, handler_spec: str | None) -> None:
    """Sell AGENT_IDS' x402 services (paid to their wallets), with a local facilitator."""
    from hashtrust.chain.accounts import devnet_key
    from hashtrust.payments.server import Marketplace, default_handler

    if facilitator_url and not facilitator_url.startswith(("http://", "https://")):
        raise InputError("--facilitator", f"{facilitator_url!r} is not an http(s) URL")
    if handler_spec:
        from hashtrust.erc8004.validator import load_check

        handler = load_check(handler_spec)
    else:
        handler = default_handler
    obj.w3  # noqa: B018 - one clear error when the node is down
    market = Marketplace(obj.rpc, obj.book(), _key(obj), agent_ids=list(agent_ids), port=port, facilitator_url=facilitator_url,
                         facilitator_key=devnet_key(facilitator_account_index) if obj.chain_id in DEVNETS else None,
                         facilitator_port=facilitator_port, handler=handler, log=click.echo)
    # The handlers are in place before anything listens: a SIGTERM at any moment from here on
    # (even before "serving" is printed) stops both servers cleanly.
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    market.start()
    try:
        if market.facilitator is not None:
            f = market.facilitator
            click.echo(f"facilitator  {market.facilitator_url}  (settles {market.token.address} on {f.network}, gas from {f.address})")
        else:
            click.echo(f"facilitator  {market.facilitator_url}  (external)")
        for a in market.agents:
            for s in a.services:
                click.echo(f"agent {a.agent_id:<4} {s.service:<16} {s.route:<36} {s.price:>10} atomic USD -> {a.wallet}  ({market.url}{s.path})")
        click.echo("serving; Ctrl-C stops")
        while not stop.wait(0.5):
            if not market.running:
                raise HashtrustError("a server stopped unexpectedly")
    finally:
        market.stop()
        click.echo("stopped")


@click.command("call")
@click.argument("agent_id", type=AGENT_ID)
@click.argument("service", type=Text(64, nonempty=True))
@click.option("--max-price", type=Number(int, 0, 2**256 - 1), default=None, help="the most to pay, atomic units of the devnet USD token (default: the advertised price)")
@click.option("--body", default="{}", show_default=True, help="request body (JSON text, or @path to read a file)")
@click.option("--receipt", "receipt_path", type=click.Path(dir_okay=False), default=None, help="where to write the paid-call receipt (default receipts/paid-<agent>-<tx>.json); an existing file is refused")
@click.option("--overwrite-receipt", is_flag=True, help="replace an existing --receipt file (its payment then has no receipt left to back a feedback)")
@click.option("--keep-authorization", is_flag=True, help="after a failed call, do not cancel the unused signed authorization on chain")
@click.pass_obj
def call(obj: Ctx, agent_id: int, service: str, max_price: int | None, body: str, receipt_path: str | None, overwrite_receipt: bool,
         keep_authorization: bool) -> None:
    """Pay agent AGENT_ID for SERVICE over x402 (after checking the price), print the answer."""
    from hashtrust.chain.files import write_json
    from hashtrust.payments.client import call_agent

    # Everything the user typed is checked before anything is paid (issue 15, items 2 and 3).
    data = request_body(body)
    if receipt_path is not None and not overwrite_receipt and Path(receipt_path).exists():
        raise InputError("--receipt", f"{receipt_path} already exists (a receipt there may back a feedback): "
                         "choose another path, or pass --overwrite-receipt to replace it")
    paid = call_agent(obj.w3, obj.book(), _key(obj), agent_id=agent_id, service=service, body=data, max_price=max_price,
                      cancel_unused=not keep_authorization)
    click.echo(f"paid {paid.amount} atomic USD to {paid.pay_to} in tx {paid.tx_hash}; attested by the agent's wallet")
    path = Path(receipt_path or f"receipts/paid-{agent_id}-{paid.tx_hash[:10]}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    if receipt_path is not None and overwrite_receipt:
        write_json(path, paid.receipt())
    else:
        try:  # never clobber a receipt, even one written since the check above
            write_json(path, paid.receipt(), exclusive=True)
        except FileExistsError:
            path = path.with_name(f"{path.stem}-{paid.tx_hash[:18]}{path.suffix or '.json'}")
            write_json(path, paid.receipt(), exclusive=True)
            click.echo("(the receipt path was taken meanwhile: written beside it instead)")
    click.echo(f"receipt  {path}")
    try:
        answer = jsonsafe.loads(paid.response)
    except ValueError:
        answer = _NOT_JSON
    if answer is not _NOT_JSON:
        # indented only when shallow, as `emit` does: indentation costs two spaces per level on
        # every line, so a deeply nested answer would print ~100x its size (fourth review, finding 4)
        click.echo(json.dumps(answer, indent=2 if _depth(answer, PRETTY_DEPTH) <= PRETTY_DEPTH else None))
    else:
        # not JSON: the agent's own bytes, escaped (no ANSI/OSC sequence reaches the terminal);
        # (the receipt keeps their hash, responseHash)
        click.echo(display_block(paid.response.decode(errors="replace"), 20_000))


MAX_BODY = 1_000_000  # bytes of request body read from a file


def request_body(body: str) -> bytes:
    """The bytes of ``--body`` (JSON text, or ``@path``): refused with an `InputError` naming
    ``--body`` unless it is well-formed JSON, before anything is paid (a malformed body was paid
    for, then rejected by the service)."""
    source = "the text"
    if body.startswith("@"):
        path = Path(body[1:])
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BODY + 1)
        except OSError as exc:
            raise InputError("--body", f"cannot read the body file {body[1:]}: {exc.strerror}") from None
        if len(data) > MAX_BODY:
            raise InputError("--body", f"the body file {body[1:]} is larger than {MAX_BODY:,} bytes")
        source = f"the file {body[1:]}"
    else:
        data = body.encode()
    try:
        jsonsafe.loads(data)
    except UnicodeDecodeError:
        raise InputError("--body", f"{source} is not UTF-8 text; nothing was paid") from None
    except json.JSONDecodeError as exc:
        raise InputError("--body", f"{source} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); nothing was paid") from None
    return data


_NOT_JSON = object()


def rate_paid(obj: Ctx, receipt_path: str, value: str, tag1: str, tag2: str, feedback_dir: str, uri_base: str) -> None:
    """`agents rate --paid-call RECEIPT`: one payment-backed feedback from the payer's account."""
    from hashtrust.erc8004.reputation import ReputationClient
    from hashtrust.payments.client import load_receipt
    from hashtrust.payments.feedback import give_paid_feedback, paid_feedback_file
    from hashtrust.payments.verification import verify_feedback

    if value is None:
        raise HashtrustError("--paid-call needs --value (the rating, e.g. 92 or 99.5)")
    receipt = load_receipt(receipt_path)
    if int(receipt["chainId"]) != obj.chain_id:
        raise HashtrustError(f"the receipt is for chain {receipt['chainId']}, this node is chain {obj.chain_id}")
    me = obj.sender().address
    if me.lower() != str(receipt.get("payer", "")).lower():
        raise HashtrustError(f"the paid call was paid by {receipt.get('payer')}; give its feedback from that account, not {me}")
    f = paid_feedback_file(receipt, value=value, tag1=tag1, tag2=tag2)
    check_shareable(f, uri_base)  # before anything is sent: no local path goes on chain (issue 15, item 5)
    book = obj.book()
    rep = ReputationClient.from_book(obj.w3, book, obj.sender())
    entries = book.entries()
    v = verify_feedback(obj.w3, f.canonical_bytes(), client=obj.sender().address, agent_id=int(receipt["agentId"]),
                        identity_registry=book.address("IdentityRegistry"), token=book.address("TestUSD"),
                        registry_block=entries["IdentityRegistry"].block)
    if not v.verified:
        raise HashtrustError(f"refusing to give a feedback whose payment would not verify: {v.reason}")
    agent_id = int(receipt["agentId"])
    earlier = feedback_citing(rep, agent_id, obj.sender().address, receipt["txHash"], from_block=entries["ReputationRegistry"].block,
                              feedback_dir=Path(feedback_dir), uri_base=uri_base)
    if earlier is not None:
        fb = rep.read(agent_id, me, earlier)
        if not fb.revoked and (fb.number, fb.tag1, fb.tag2) == (f.number, f.tag1 or "", f.tag2 or ""):
            # the same rating of the same payment: a rerun, already done (issue 15, item 8)
            click.echo(f"already on chain: feedback {earlier} on agent {agent_id} from {me}: {fb.number}, backed by the payment in tx {receipt['txHash']}; nothing sent")
            return
        was = f"{fb.number}" + (f", tags {fb.tag1!r}/{fb.tag2!r}" if fb.tag1 or fb.tag2 else "") + (", revoked" if fb.revoked else "")
        raise HashtrustError(f"the payment in tx {receipt['txHash']} already backs feedback {earlier} of this client on agent {agent_id} ({was}): "
                             "one payment, one feedback")
    index, uri = give_paid_feedback(rep, receipt, f, store_dir=Path(feedback_dir), uri_base=uri_base)
    click.echo(f"feedback {index} on agent {receipt['agentId']} from {receipt['payer']}: {f.number} ({v.reason})")
    click.echo(f"feedbackURI  {uri}\nfeedbackHash 0x{f.feedback_hash().hex()}")


SHAREABLE_SCHEMES = ("https://", "http://", "ipfs://")  # what others can fetch (`hashtrust.chain.fetch`)


def check_shareable(f, uri_base: str) -> None:
    """Refuse, with an `InputError` naming ``--uri-base``, a feedback whose URI would not be
    readable by anyone else: a file too large for a ``data:`` URI needs ``--uri-base`` (where
    ``--feedback-dir`` is published) with a scheme others can fetch; a ``file://`` URI would put
    a local path on chain, useless to every other reader and leaking the path."""
    from hashtrust.payments.feedback import MAX_FEEDBACK_URI

    if uri_base:
        if not uri_base.lower().startswith(SHAREABLE_SCHEMES):
            raise InputError("--uri-base", f"{uri_base[:80]!r} is not a URL others can fetch: give an https://, http:// or ipfs:// "
                             "base where --feedback-dir is published (a file:// URI names a path on this machine only)")
        return
    size = len(f.data_uri())
    if size > MAX_FEEDBACK_URI:
        raise InputError("--uri-base", f"the feedback file is too large for a data: URI ({size:,} of {MAX_FEEDBACK_URI:,} bytes), so it must be "
                         "published: pass --uri-base https://... or ipfs://... naming where --feedback-dir will be served; "
                         "nothing was sent (a file:// URI would put a local path on chain that nobody else can read)")


def feedback_citing(rep, agent_id: int, client: str, tx_hash: str, *, from_block: int = 0, feedback_dir: Path | None = None,
                    uri_base: str = "") -> int | None:
    """The index of ``client``'s feedback on ``agent_id`` whose file cites ``tx_hash``, if any
    (files the project's resolver can fetch: data:, http(s), ipfs:, and file: URIs under
    ``feedback_dir``, where this command writes them; a URI under ``uri_base`` is read from
    ``feedback_dir``, where this command wrote it); logs are read from ``from_block`` (the
    registry's deployment block)."""
    from hashtrust.chain.fetch import FetchPolicy, Resolver
    from web3 import Web3

    from hashtrust.erc8004.feedback import FeedbackFile

    resolve = Resolver(FetchPolicy(local_dir=feedback_dir))
    base = uri_base.rstrip("/") + "/" if uri_base else None

    def fetch_uri(uri: str) -> bytes:
        if base and feedback_dir is not None and uri.startswith(base):
            name = uri[len(base):]
            local = feedback_dir / name
            if name and "/" not in name and "\\" not in name and not name.startswith(".") and local.is_file():
                return local.read_bytes()  # our own published copy
        return resolve(uri)

    topics = ["0x" + int(agent_id).to_bytes(32, "big").hex(), "0x" + "00" * 12 + Web3.to_checksum_address(client)[2:].lower()]
    logs = rep.logs("NewFeedback", topics, from_block=from_block)  # paged (node range caps), decoded leniently
    for lg in logs:
        try:
            f = FeedbackFile.from_bytes(fetch_uri(lg["args"]["feedbackURI"]))
        except Exception:  # noqa: BLE001 - unreachable or foreign files cite nothing we can see
            continue
        if f.proofOfPayment is not None and f.proofOfPayment.txHash.lower() == tx_hash.lower():
            return int(lg["args"]["feedbackIndex"])
    return None


def register(agents_group: click.Group) -> None:
    """Add the payment commands to the ``agents`` group."""
    agents_group.add_command(serve)
    agents_group.add_command(call)
