"""Tests here claim Anvil behaviour: they run only on a real Anvil process (never skipped)."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _require_anvil(chain):
    name = chain.provider.name
    assert name == "foundry", (
        f"tests/e2e must run on Anvil (ape-foundry), not {name!r}: "
        "use `make test` or `ape test tests/e2e --network ethereum:local:foundry`"
    )
    version = chain.provider.web3.client_version
    assert version.lower().startswith("anvil"), version


@pytest.fixture(scope="module", autouse=True)
def _chain_clock_caught_up(chain):
    """Line the latest block up with Anvil's clock at the start of every module.

    Earlier modules warp Anvil's clock forward (the vault's daily epochs); ape's snapshot revert
    rewinds the latest block but not the clock, so the next block would be days past `latest`,
    and a wallet signature's deadline, which must be within 300 s of both (Anvil estimates gas on
    `latest`), could not be chosen (`next_wallet_deadline` says so). One empty block makes
    `latest` the clock's time again."""
    chain.mine()
