"""audit11 PoCs: the trust's index pricing (VaultTrust + MockHashpriceIndex / the real HashpriceIndex),
on the `../trust_contract` kit (MockTrustVault, real ERC-8004 registries)."""

import sys
from pathlib import Path

import boa
import pytest

_HERE = Path(__file__).resolve().parent
for p in (_HERE.parent / "trust_contract", _HERE.parents[1] / "bitcoin"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from trust_kit import make_kit  # noqa: E402


@pytest.fixture()
def kit():
    with boa.env.anchor():
        yield make_kit()
