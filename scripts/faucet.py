"""The devnet faucet from ape: top an account up with ETH, test USD and test wBTC.

    ape run faucet 0xYourAddress --network ethereum:local:foundry                 # 10 ETH, 100,000 USD, 1 wBTC
    ape run faucet 0xYourAddress --eth 0 --usd 250,000 --wbtc 0 --network ethereum:local:foundry

The account ends up holding *at least* the amounts asked for (only the difference is sent, so a
rerun sends nothing). Devnets only. The same as ``hashtrust devnet faucet``
(`hashtrust.chain.faucet`): ETH from ``--account`` (test account 0 by default), tokens minted by
their owner, the dev account that deployed them.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from hashtrust.chain.ape_support import account_option, connect, one_line_errors, one_line_usage
from hashtrust.cli.chain import faucet_options, run_faucet


@click.command(cls=ConnectedProviderCommand)
@network_option()
@account_option
@faucet_options
@one_line_errors
def cli(alias, address, eth, usd, wbtc, as_json):
    """Top ADDRESS up to at least the amounts asked for (devnets only)."""
    w3, sender, book = connect(alias)
    run_faucet(w3, sender, book, address, eth, usd, wbtc, as_json)


one_line_usage(cli)  # a usage error is one `Error:` line, as in `hashtrust` (docs/cli.md)
