"""Validation requests and results from ape (the same commands as ``hashtrust validations``).

    ape run validations request 3 0xValidator --payload-file job.json --account agent-owner
    ape run validations show 3 0xRequestHash [--json]
    ape run validations list 3

The validator's side is ``ape run validate``. Every command is the SDK function of
`hashtrust.erc8004.commands`, with the options of `hashtrust.cli.erc8004.USER_COMMANDS`.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import ApeEnv, account_option, one_line_errors, one_line_usage
from hashtrust.cli.erc8004 import attach


@click.group()
def cli():
    """Request validations of an agent's work and read their answers."""


attach({"validations": cli}, lambda ctx, kw: ApeEnv(kw.pop("alias")), cls=ConnectedProviderCommand,
       extra=(network_option(), account_option, one_line_errors))


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
