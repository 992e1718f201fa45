"""The ``hashtrust`` command line: every capability of the scripts, without ape.

    hashtrust devnet start                 # a local Anvil on :8545 with its state kept in .devnet/
    hashtrust deploy                       # deploy what is missing, record it in the chain's address book
    hashtrust addresses                    # print the address book
    hashtrust --rpc https://... --private-key-env DEPLOYER_KEY deploy   # a real network: the three registries
    hashtrust devnet faucet 0xYou          # 10 ETH, 100,000 test USD and 1 test wBTC on the devnet

Connection: ``--rpc`` (default ``$HASHTRUST_RPC``, else the local devnet at
``$HASHTRUST_DEVNET_PORT``, default 8545). Signing: ``--private-key-env VAR`` names an
environment variable that holds the key (any network); on a devnet ``--account-index N`` picks
Anvil's dev account N (default 0). Every error is one line ``Error: ...`` and a non-zero exit;
``--debug`` shows the traceback instead. ``--chain-id N`` (or ``$HASHTRUST_CHAIN_ID``) refuses a node that serves another
chain before anything is signed. The global options (``--rpc``, ``--private-key-env``,
``--account-index``, ``--chain-id``, ``--debug``) may stand anywhere before a ``--``, also after the subcommand. Read commands take ``--json``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import click

from hashtrust.chain.failures import (
    INTERRUPTED,
    INTERRUPTED_EXIT,
    TERMINATED,
    TERMINATED_EXIT,
    OneLineUsageError,
    Terminated,
    explain,
    one_line_usage_error,
)
from hashtrust.cli.context import Ctx
from hashtrust.cli.params import ACCOUNT_INDEX


def _default_rpc() -> str:
    from hashtrust.chain import devnet

    rpc = os.environ.get("HASHTRUST_RPC")
    if rpc:
        return rpc
    try:
        return devnet.url()
    except Exception:  # noqa: BLE001 - a bad $HASHTRUST_DEVNET_PORT is reported when the devnet is used
        return "http://127.0.0.1:" + os.environ.get("HASHTRUST_DEVNET_PORT", "8545")


GLOBAL_FLAGS = ("--debug",)
GLOBAL_VALUED = ("--rpc", "--private-key-env", "--account-index", "--chain-id")  # no subcommand has an option of these names


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with the global options moved to the front: people write them after the
    subcommand (``hashtrust agents show 1 --rpc URL``), which click reads as extra arguments.
    Only before a ``--`` (after it everything is an argument); a valued option takes its value
    along (``--rpc URL`` or ``--rpc=URL``); one left without its value is a usage error naming it."""
    cut = args.index("--") if "--" in args else len(args)
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < cut:
        a = args[i]
        name = a.split("=", 1)[0]
        if a in GLOBAL_FLAGS:
            front.append(a)
        elif name in GLOBAL_VALUED and "=" in a:
            front.append(a)
        elif a in GLOBAL_VALUED:
            if i + 1 >= cut:
                raise click.BadOptionUsage(a, f"Option '{a}' requires an argument.")
            front += [a, args[i + 1]]
            i += 1
        else:
            rest.append(a)
        i += 1
    return front + rest + args[cut:]


_OneLineUsageError = OneLineUsageError  # (hashtrust.chain.failures: the ape scripts' usage errors are the same one line)
_one_line = one_line_usage_error


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While a command runs, SIGTERM raises `Terminated` (in the main thread only: a command run
    from another thread keeps the process's handler); the previous handler is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Group(click.Group):
    """The top-level group: ``--debug`` anywhere, and any failure as one ``Error:`` line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, hoist_global_options(args))
        except _OneLineUsageError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc, ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        with _sigterm_interrupts():
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _OneLineUsageError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc, ctx) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt as exc:
            if isinstance(ctx.obj, Ctx) and ctx.obj.debug:
                raise
            if isinstance(exc, Terminated):
                click.echo(f"Error: {TERMINATED}", err=True)
                raise click.exceptions.Exit(TERMINATED_EXIT) from None
            click.echo(f"Error: {INTERRUPTED}", err=True)
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None
        except Exception as exc:  # noqa: BLE001 - the one place a failure becomes one line
            obj = ctx.obj
            if isinstance(obj, Ctx) and obj.debug:
                raise
            raise click.ClickException(explain(exc, rpc=obj.rpc if isinstance(obj, Ctx) else None)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rpc", default=_default_rpc, show_default="$HASHTRUST_RPC or the local devnet", help="JSON-RPC endpoint")
@click.option("--private-key-env", "key_env", default=None, metavar="VAR", help="environment variable holding the signing key (any network)")
@click.option("--account-index", type=ACCOUNT_INDEX, default=0, show_default=True, help="devnet account to sign with (Anvil's dev mnemonic)")
@click.option("--chain-id", "chain_id", type=click.IntRange(1, 2**64 - 1), envvar="HASHTRUST_CHAIN_ID", default=None, metavar="N",
              help="the chain the node must serve ($HASHTRUST_CHAIN_ID): a node naming another chain is refused before anything is signed")
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.pass_context
def main(ctx: click.Context, rpc: str, key_env: str | None, account_index: int, chain_id: int | None, debug: bool) -> None:
    """hashtrust: ERC-8004 agent registries and a tokenized-hashrate vault."""
    given = ctx.get_parameter_source("account_index") == click.core.ParameterSource.COMMANDLINE
    ctx.obj = Ctx(rpc=rpc, key_env=key_env, account_index=account_index, debug=debug, expected_chain_id=chain_id, account_index_given=given)


# One command group (or command) per domain, each in its own module.
from hashtrust.cli import bitcoin as _bitcoin  # noqa: E402
from hashtrust.cli import chain as _chain  # noqa: E402
from hashtrust.cli import demo as _demo  # noqa: E402
from hashtrust.cli import erc8004 as _erc8004  # noqa: E402
from hashtrust.cli import hashrate as _hashrate  # noqa: E402
from hashtrust.cli import payments as _payments  # noqa: E402

_payments.register(_erc8004.agents)  # agents serve / agents call (x402)

for _cmd in (
    _chain.devnet_cmd,
    _chain.deploy,
    _chain.addresses,
    _erc8004.agents,
    _erc8004.validations,
    _erc8004.validate,
    _hashrate.vault,
    _hashrate.simulate,
    _bitcoin.relay,
    _bitcoin.index,
    _demo.demo,
):
    main.add_command(_cmd)


if __name__ == "__main__":
    main()
