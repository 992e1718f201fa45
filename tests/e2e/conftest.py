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
