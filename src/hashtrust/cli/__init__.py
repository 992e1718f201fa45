"""The ``hashtrust`` command line: every capability of the scripts, without ape.

    hashtrust devnet start                 # a local Anvil on :8545 with its state kept in .devnet/
    hashtrust deploy                       # deploy what is missing, record it in deployments/<chain>.json
    hashtrust addresses                    # print the address book
    hashtrust --rpc https://... --private-key-env DEPLOYER_KEY deploy

Connection: ``--rpc`` (default ``$HASHTRUST_RPC`` or the local devnet). Signing: on a devnet,
``--account-index N`` picks Anvil's dev account N (default 0); elsewhere pass
``--private-key-env VAR`` naming an environment variable that holds the key.
Errors print one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from hashtrust.chain import devnet
from hashtrust.cli.context import Ctx
from hashtrust.errors import HashtrustError


class _Group(click.Group):
    """Turns expected errors into one clear line (unless --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HashtrustError, ValueError) as exc:
            if "--debug" in sys.argv:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--rpc", default=lambda: os.environ.get("HASHTRUST_RPC", devnet.url()), show_default="$HASHTRUST_RPC or the local devnet", help="JSON-RPC endpoint")
@click.option("--private-key-env", "key_env", default=None, metavar="VAR", help="environment variable holding the signing key (real networks)")
@click.option("--account-index", default=0, show_default=True, help="devnet account to sign with (Anvil's dev mnemonic)")
@click.option("--debug", is_flag=True, help="show tracebacks")
@click.pass_context
def main(ctx: click.Context, rpc: str, key_env: str | None, account_index: int, debug: bool) -> None:
    """hashtrust: ERC-8004 agent registries and a tokenized-hashrate vault."""
    ctx.obj = Ctx(rpc=rpc, key_env=key_env, account_index=account_index, debug=debug)


# One command group (or command) per domain, each in its own module.
from hashtrust.cli import bitcoin as _bitcoin  # noqa: E402
from hashtrust.cli import chain as _chain  # noqa: E402
from hashtrust.cli import demo as _demo  # noqa: E402
from hashtrust.cli import erc8004 as _erc8004  # noqa: E402
from hashtrust.cli import hashrate as _hashrate  # noqa: E402

for _cmd in (
    _chain.devnet_cmd,
    _chain.deploy,
    _chain.addresses,
    _erc8004.agents,
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
