"""Names shared by the validation stories (agent ids, request hashes, states)."""

from eth_utils import keccak

ALICE_AGENT = 1
MALLORY_AGENT = 7
NONE, PENDING, ANSWERED, FINALIZED, CANCELLED = 0, 1, 2, 3, 4
Z = b"\x00" * 32


def h(label: str) -> bytes:
    """A request hash for a label (stands in for keccak of a request file)."""
    return keccak(text=label)
