"""audit9 PoCs reuse the issue-14 scenario helpers of `../audit` (and `../boa_vault`)."""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for p in (_HERE.parent / "audit", _HERE.parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
