"""URIs live in data contracts whose addresses the registry derives from its own CREATE nonce
(never stored). Many registrations, URI updates and long metadata values (which also CREATE)
must keep every derived address right, across the 1-byte / 2-byte RLP nonce boundary; and the
derivation must equal keccak256(rlp([registry, nonce])) for every nonce size up to 2**64.

Runs on titanoboa (hundreds of transactions in about a second)."""

from pathlib import Path

import boa
import pytest
import rlp
from eth_utils import keccak, to_checksum_address

CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "IdentityRegistry.vy"


@pytest.fixture(scope="module")
def reg():
    return boa.load(str(CONTRACT))


def test_derived_addresses_match_rlp_for_every_nonce_size(reg):
    me = bytes.fromhex(reg.address[2:])
    for nonce in [1, 2, 127, 128, 255, 256, 65_535, 65_536, 2**24, 2**32 - 1, 2**40 + 5, 2**56, 2**64 - 1]:
        expected = to_checksum_address(keccak(rlp.encode([me, nonce]))[12:])
        assert reg.internal._create_address(nonce) == expected, nonce


def test_one_hundred_fifty_creates_keep_every_uri_and_value(reg):
    alice = boa.env.generate_address()
    uris: dict[int, str] = {}
    blobs: dict[int, bytes] = {}
    with boa.env.prank(alice):
        for i in range(90):
            if i % 3 == 0:
                agent_id = reg.register(f"ipfs://agent-{i}", [("blob", bytes([i % 256]) * 40)])
                blobs[agent_id] = bytes([i % 256]) * 40
            else:
                agent_id = reg.register(f"https://a.example/{i}")
            uris[agent_id] = f"ipfs://agent-{i}" if i % 3 == 0 else f"https://a.example/{i}"
            if i % 5 == 0:
                reg.setAgentURI(agent_id, f"https://updated.example/{i}")
                uris[agent_id] = f"https://updated.example/{i}"
            if i % 7 == 0:
                reg.setMetadata(agent_id, "blob", b"\xee" * 33)
                blobs[agent_id] = b"\xee" * 33
    assert reg.total_agents() == 90
    for agent_id, uri in uris.items():
        assert reg.tokenURI(agent_id) == uri
    for agent_id, blob in blobs.items():
        assert reg.getMetadata(agent_id, "blob") == blob
