"""The main job refuses a chain it cannot drive, before it sends anything.

The demo moves the chain's clock and acts through Anvil's dev-mnemonic accounts, so on anything
but Anvil it must stop with one clear line (the CLI and `ape run demo` print it) instead of
failing half-way through a vault term. The positive side, the whole demo on a real Anvil, is
tests/e2e/test_demo.py.
"""

import pytest

from hashtrust.demo.run import require_dev_chain
from hashtrust.errors import HashtrustError


def test_the_in_process_test_chain_is_refused_with_a_clear_reason(chain):
    w3 = chain.provider.web3
    block = w3.eth.block_number
    with pytest.raises(HashtrustError, match=r"needs an Anvil development chain .* chain \d+ runs EthereumTester") as err:
        require_dev_chain(w3)
    assert "hashtrust vault" in str(err.value)
    assert w3.eth.block_number == block  # nothing was sent
