"""VaultTrust unit tests: titanoboa against MockTrustVault (no dependency on HashrateVault.vy)."""

import sys
from pathlib import Path

import boa
import pytest

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from trust_kit import make_kit  # noqa: E402


@pytest.fixture()
def kit():
    with boa.env.anchor():
        yield make_kit()
