"""audit8 PoCs reuse the VaultTrust unit kit of `../trust_contract` (mock vault, real registries)."""

import sys
from pathlib import Path

import boa
import pytest

_HERE = Path(__file__).resolve().parent
_KIT = _HERE.parent / "trust_contract"
if str(_KIT) not in sys.path:
    sys.path.insert(0, str(_KIT))

from trust_kit import make_kit  # noqa: E402


@pytest.fixture()
def kit():
    with boa.env.anchor():
        yield make_kit()
