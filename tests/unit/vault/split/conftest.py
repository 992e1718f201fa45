"""split tests (the vault + VaultTrust pair, titanoboa) reuse `../audit/scenario.py` and `../boa_vault.py`."""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for p in (_HERE.parent / "audit", _HERE.parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
