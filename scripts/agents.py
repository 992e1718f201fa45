"""A user's own work with ERC-8004 agents from ape (the same commands as ``hashtrust agents``).

    ape run agents give 3 87 --tag1 starred --account me          # as the ape account "me"
    ape run agents revoke 3 1 --account me
    ape run agents respond 3 0xClient 1 ipfs://my-answer --account agent-owner
    ape run agents reputation 3 --trusted-clients 0-19 [--json]
    ape run agents show 3 --client 0xA --client 0xB
    ape run agents set-uri 3 ipfs://bafy... --account agent-owner
    ape run agents set-metadata 3 category travel --account agent-owner
    ape run agents wallet-approval 3 0xWallet                      # what the wallet signs (EOA) or approves (ERC-1271)
    ape run agents set-wallet 3 --wallet-key-env WALLET_KEY --account agent-owner
    ape run agents set-wallet 3 --wallet 0xWallet --deadline N --signature 0x... --account agent-owner

Every command is the SDK function of `hashtrust.erc8004.commands`, with the options of
`hashtrust.cli.erc8004.USER_COMMANDS`; ape picks the network (``--network``) and the signer
(``--account``; test account 0 on local chains). Bad input: one ``Error:`` line, nothing sent.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import ApeEnv, account_option, one_line_errors, one_line_usage
from hashtrust.cli.erc8004 import attach


@click.group()
def cli():
    """Give, revoke and answer feedback; read reputation; show and update agents."""


attach({"agents": cli}, lambda ctx, kw: ApeEnv(kw.pop("alias")), cls=ConnectedProviderCommand,
       extra=(network_option(), account_option, one_line_errors))


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
