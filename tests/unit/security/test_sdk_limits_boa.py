"""The Python clients publish the contracts' limits (they refuse bad input with them before
anything is sent, and page with them): each published limit must equal the contract's own
public constant. A mismatch is not cosmetic: with `MAX_READ` at 256 in the SDK and 128 in
ReputationRegistry, `ReputationClient.read_all` advanced 256 positions per page of 128 and
silently skipped half of an agent's feedback (found by the load run, tests/load).

Also: `read_all` over more positions than one page returns every feedback exactly once."""

import re
from pathlib import Path

import boa
import pytest

from hashtrust.erc8004 import identity as identity_sdk
from hashtrust.erc8004 import reputation as reputation_sdk
from hashtrust.erc8004 import validation as validation_sdk

ROOT = Path(__file__).resolve().parents[3]


def _constants(path: Path) -> dict:
    """NAME -> value of every `MAX*` constant declared in a contract (public or not)."""
    out = {}
    for m in re.finditer(r"^(MAX[A-Z_]*): (?:public\()?constant\(\w+\)\)? = ([0-9_*]+)\s*$", path.read_text(), re.M):
        out[m.group(1)] = eval(m.group(2).replace("_", ""))  # noqa: S307 - digits and * only
    return out


@pytest.mark.parametrize(
    "sdk, path, at_least",
    [(reputation_sdk, "ReputationRegistry.vy", 7), (validation_sdk, "ValidationRegistry.vy", 5), (identity_sdk, "IdentityRegistry.vy", 6)],
    ids=["reputation", "validation", "identity"],
)
def test_every_published_sdk_limit_equals_the_contract_constant(sdk, path, at_least):
    consts = _constants(ROOT / "contracts" / path)
    checked = {n: (getattr(sdk, n), v) for n, v in consts.items() if hasattr(sdk, n)}
    assert len(checked) >= at_least, checked
    assert all(a == b for a, b in checked.values()), {n: p for n, p in checked.items() if p[0] != p[1]}


def test_read_all_pages_return_every_feedback_once():
    idr = boa.load(str(ROOT / "contracts" / "mocks" / "MockIdentityRegistry.vy"))
    carol = boa.env.generate_address()
    idr.setAgent(1, carol, carol)
    rep = boa.load(str(ROOT / "contracts" / "ReputationRegistry.vy"), idr.address)
    clients = [boa.env.generate_address() for _ in range(70)]
    for r in range(4):  # 280 positions: three contract pages
        for c in clients:
            with boa.env.prank(c):
                rep.giveFeedback(1, r, 0, "t", "", "", "", b"\x00" * 32)

    class _Client(reputation_sdk.ReputationClient):
        def __init__(self):  # no web3: views go straight to the boa contract
            pass

        def _view(self, name, *a, **kw):
            return getattr(rep, name)(*a)

    got = [(f.client.lower(), f.index) for f in _Client().read_all(1)]
    assert len(got) == 280 and len(set(got)) == 280
