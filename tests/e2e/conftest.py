"""Tests here claim Anvil behaviour: they run only on a real Anvil process (never skipped)."""

import pytest

from hashtrust.chain import devnet


@pytest.fixture(scope="session", autouse=True)
def _require_anvil(chain):
    name = chain.provider.name
    assert name == "foundry", (
        f"tests/e2e must run on Anvil (ape-foundry), not {name!r}: "
        "use `make test` or `ape test tests/e2e --network ethereum:local:foundry`"
    )
    version = chain.provider.web3.client_version
    assert version.lower().startswith("anvil"), version
    yield
    # ape-foundry starts Anvil without --prune-history: every block's state goes to a snapshot
    # folder that Anvil leaves behind (a few hundred MB a session). Ours is done: remove it, and
    # any other stopped Anvil's.
    process = getattr(chain.provider, "process", None)
    devnet.remove_orphan_snapshots(exclude_pids=[process.pid] if process is not None else [])


@pytest.fixture(scope="module", autouse=True)
def _chain_clock_caught_up(chain):
    """Line the latest block up with Anvil's clock at the start of every module.

    Earlier modules warp Anvil's clock forward (the vault's daily epochs); ape's snapshot revert
    rewinds the latest block but not the clock, so the next block would be days past `latest`,
    and a wallet signature's deadline, which must be within 300 s of both (Anvil estimates gas on
    `latest`), could not be chosen (`next_wallet_deadline` says so). One empty block makes
    `latest` the clock's time again."""
    chain.mine()
