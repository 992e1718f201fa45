"""One clear line for any failure, shared by the ``hashtrust`` command line and the ape scripts.

Expected errors (`HashtrustError` and its kinds) already carry their sentence. What is left are
the failures of the world around the SDK: a node that stops answering in the middle of a run
(``requests`` / ``urllib3`` connection errors, web3's ``CannotHandleRequest`` under ape), an
ape account alias that does not exist, a contract call the node cannot decode (no code at a
recorded address), an HTTP error status (a rate limiter's 429, a gateway's 502) or a JSON-RPC
error reply the SDK did not turn into a `NodeError` itself. `explain` turns each into one line that says what happened and what to do;
anything else is named by its type and message with a pointer to ``--debug``. It never returns
more than one line: a user sees ``Error: <that line>`` and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TypeVar

import click

from hashtrust.errors import HashtrustError

T = TypeVar("T")

MAX_LINE = 600


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a connection to the node failing."""
    seen = 0
    while exc is not None and seen < 8:
        name = type(exc).__name__
        module = type(exc).__module__ or ""
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return True
        if module.startswith(("requests", "urllib3", "aiohttp", "http.client")) and any(
            k in name for k in ("Connection", "Timeout", "MaxRetry", "ProtocolError", "RemoteDisconnected", "ReadTimeout")
        ):
            return True
        if name in ("CannotHandleRequest", "ProviderConnectionError", "ProviderNotConnectedError", "RPCTimeoutError"):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        seen += 1
    return False


def read_retrying(
    read: Callable[[], T], *, attempts: int = 5, pause: float = 0.2, retry_if: Callable[[BaseException], bool] | None = None
) -> T:
    """``read()``, tried again (up to ``attempts`` times, ``pause`` seconds apart, doubling) while
    it fails on the connection (`is_transport_error`), or in the way ``retry_if`` says may pass
    (the log scan's `is_transient_error`): one lost reply must not stop a command that only
    reads. Any other error, or the last retried one, is raised as it is."""
    retry = retry_if or is_transport_error
    for n in range(attempts):
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - only what `retry` accepts is retried
            if n == attempts - 1 or not retry(exc):
                raise
            time.sleep(pause * 2**n)
    raise AssertionError("unreachable")  # pragma: no cover


# How nodes and gateways word "slow down" and "try later" (a rate limit, an overloaded or
# restarting backend), as opposed to "ask for less" (a block-range or result cap).
_RATE_LIMIT = re.compile(r"rate.?limit|too many requests|requests? per second|throttl|exceeded .*(quota|capacity|compute units)", re.I)
_RANGE = re.compile(r"more than \d+|too many (results|logs)|results|block range|range|too (wide|large|big)|exceed|response size|max(imum)? .*(logs|blocks)", re.I)
_TRANSIENT = re.compile(r"try again|temporar|timed? ?out|timeout|busy|unavailable|overload|capacity|internal error|bad gateway|upstream", re.I)
_TRANSIENT_CODES = frozenset({429, -32005, -32603})


def reply_code(exc: BaseException) -> int | None:
    """The JSON-RPC error code of an error reply (web3's ``rpc_response``), else None."""
    reply = getattr(exc, "rpc_response", None)
    if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
        code = reply["error"].get("code")
        return code if isinstance(code, int) else None
    return None


def is_transient_error(exc: BaseException) -> bool:
    """Whether ``exc`` may pass by itself: the connection failing (`is_transport_error`), an
    HTTP 429 or 5xx, or an error reply saying rate limit / busy / try again (a reply that also
    names a range or result cap is a range error, unless it is a rate limit)."""
    if is_transport_error(exc):
        return True
    status = http_status(exc)
    if status is not None:
        return status == 429 or status >= 500 or status == 408
    message = node_message(exc)
    if _RATE_LIMIT.search(message):
        return True
    if _RANGE.search(message):
        return False
    return bool(_TRANSIENT.search(message)) or (reply_code(exc) in _TRANSIENT_CODES and not message)


def node_message(exc: BaseException) -> str:
    """The node's own message of a JSON-RPC error reply (web3's ``Web3RPCError`` keeps the reply
    in ``rpc_response``; a ``ValueError`` may carry the error object), on one line."""
    detail: object = None
    reply = getattr(exc, "rpc_response", None)
    if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
        err = reply["error"]
        detail = err.get("message")
        if err.get("code") is not None:
            detail = f"{detail} (code {err['code']})"
    if detail is None:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, dict):
            detail = detail.get("message", detail)
    return " ".join(str(detail).split())


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of a ``requests.HTTPError`` (a rate limiter's 429, a gateway's 502), else None."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return int(status) if isinstance(status, int) else None


def shown_url(url: str | None) -> str:
    """``scheme://host[:port]`` of an endpoint, the way messages name it: hosted providers put the
    API key in the URL's path or query (or user:password before the host), and messages end up in
    terminals, agents' logs and CI runs (fourth review, finding 5)."""
    if not url:
        return "an unknown endpoint"
    url = str(url)
    if url == "in-process" or url.startswith("ipc:"):
        return url
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number
        return url.split(":", 1)[0] + "://?"
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{port}" if port else "")


def _one_line(text: str) -> str:
    """``text`` as one terminal-safe line: whitespace runs joined, then every control or invisible
    format character escaped as `hashtrust.chain.decode.display` does (node messages, an agent
    service's error body and chain text end up in error lines; fourth review, finding 3)."""
    from hashtrust.chain.decode import display

    raw = " ".join(str(text).split())
    line = display(raw[:MAX_LINE], MAX_LINE)  # never cut here: at most MAX_LINE characters in
    return line if len(raw) <= MAX_LINE and len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


# What Ctrl-C prints (one line, exit code 130 = 128 + SIGINT, as shells report it) instead of
# click's "Aborted!" or a traceback: every command and script reads the chain before it acts,
# so the rerun picks up where this one stopped.
INTERRUPTED = "interrupted (Ctrl-C); nothing more was sent: every hashtrust command and script is resumable, rerun it to finish the job"
INTERRUPTED_EXIT = 130
# SIGTERM is handled as Ctrl-C is (new-user review: a command killed by SIGTERM exited 143 without
# a word): the same line naming the signal, exit code 143 = 128 + SIGTERM.
TERMINATED = INTERRUPTED.replace("(Ctrl-C)", "(SIGTERM)")
TERMINATED_EXIT = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM while a command runs (raised by the command line's handler): what was handed to
    the node is left to land, as for Ctrl-C, and nothing more is sent."""


def explain(exc: BaseException, *, rpc: str | None = None) -> str:
    """The one line that describes ``exc`` to the user (without the ``Error:`` prefix)."""
    if isinstance(exc, HashtrustError):
        return _one_line(str(exc))
    if rpc:
        rpc = shown_url(rpc)  # the path or query may hold an API key (fourth review, finding 5)
    where = f" at {rpc}" if rpc else ""
    if is_transport_error(exc):
        return _one_line(
            f"lost the connection to the node{where} ({type(exc).__name__}); every hashtrust command and script "
            "is resumable: run it again once the node answers (`hashtrust devnet start` for the local devnet)"
        )
    name = type(exc).__name__
    msg = str(exc)
    status = http_status(exc)
    if status is not None:
        return _one_line(
            f"the node{where} answered HTTP {status}"
            + (" (rate limited)" if status == 429 else " (the endpoint or a gateway in front of it failed)" if status >= 500 else "")
            + ": nothing more was done; every hashtrust command and script is resumable: run it again later (or with another --rpc)"
        )
    if name == "Web3RPCError" or hasattr(exc, "rpc_response"):
        return _one_line(
            f"the node{where} answered with an error: {node_message(exc)}; every hashtrust command and script is "
            "resumable: run it again later (or with another --rpc)"
        )
    if name == "BadFunctionCallOutput" or "Could not decode contract function call" in msg or "Could not transact with/call contract function" in msg:
        return _one_line(f"a contract call returned nothing: no contract at a recorded address (a reset devnet or a stale address book?): {msg}")
    if name == "AccountsError" or (name == "KeyError" and "alias" in msg.lower()):
        return _one_line(f"{msg.strip(chr(39))}; see `ape accounts list`, create one with `ape accounts generate NAME` or `ape accounts import NAME`")
    if (type(exc).__module__ or "").startswith("ape") and name.endswith(("Error", "Exception")):
        return _one_line(f"{msg}")
    return _one_line(f"{name}: {msg} (an unexpected failure; rerun with --debug to see where)")


# ---------------------------------------------------------------------------- usage errors as one line


class OneLineUsageError(click.UsageError):
    """A usage error as one ``Error:`` line naming the help to read (click prints four: the usage,
    a "Try ... for help." line, a blank line and the error)."""

    def show(self, file: object = None) -> None:
        hint = f" (see '{self.ctx.command_path} -h')" if self.ctx is not None else ""
        click.echo(f"Error: {self.format_message()}{hint}", file=file, err=True)  # type: ignore[arg-type]


def one_line_usage_error(exc: click.UsageError, ctx: click.Context) -> OneLineUsageError:
    """``exc`` as a `OneLineUsageError` (its exit code stays click's 2)."""
    return exc if isinstance(exc, OneLineUsageError) else OneLineUsageError(exc.format_message(), exc.ctx or ctx)


def one_line_usage(command: click.Command) -> click.Command:
    """Make every usage error of ``command`` and of its subcommands one ``Error:`` line (an ape
    script's ``cli``: a bad value, a missing argument, an unknown option or subcommand), exit 2.
    Its own parsing and its invocation (which parses the subcommands) are wrapped in place."""
    parse, invoke = command.parse_args, command.invoke

    def parse_args(ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return parse(ctx, args)
        except click.UsageError as exc:
            raise one_line_usage_error(exc, ctx) from None

    def invoke_(ctx: click.Context) -> object:
        try:
            return invoke(ctx)
        except click.UsageError as exc:
            raise one_line_usage_error(exc, ctx) from None

    command.parse_args = parse_args  # type: ignore[method-assign]
    command.invoke = invoke_  # type: ignore[method-assign]
    return command
