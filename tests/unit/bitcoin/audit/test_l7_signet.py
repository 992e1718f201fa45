"""L7 (fixed): `hashtrust relay deploy --network signet` offered a relay whose header work proves
nothing: signet blocks are valid by the signet challenge's signature, which the relay never
checks, and signet's pow limit takes ~4.8 million hashes a header. The vector below is a FORGED
block paying 21 million BTC with 6 confirmations, mined for the audit in pure Python on one core.

The fix is in the SDK and the CLI (a contract cannot tell which network a pow limit belongs to):
signet is refused, with the reason, before any transaction; so are testnet3/4. The contract
deployed by hand with signet's parameters still accepts the vector, which is why it must not be.
"""

import boa
import pytest
from btc_boa import DEPLOYER, deploy_relay

from hashtrust.bitcoin.consensus import MAX_MONEY, RETARGET_INTERVAL, sha256d, target_from_bits
from hashtrust.bitcoin.relay import NETWORKS, UNSUPPORTED, deploy_relay as sdk_deploy_relay
from hashtrust.errors import InputError

SIGNET_BITS = 0x1E0377AE
SIGNET_POW_LIMIT = 0x0377AE << 216  # signet's powLimit (Bitcoin Core chainparams), its nBits 0x1e0377ae
HEIGHT = 201745
COINBASE = bytes.fromhex("01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff18031114032f666f72676564206f6e2061206c6170746f702fffffffff010040075af0750700160014000000000000000000000000000000000000000000000000")
HEADERS = [
    "00000020000000000000000000000000000000000000000000000000000000000000000023e38d07bb14b611492c9b37a2856c8a4c7535c7b00a1cb0c858a782d4161d1b00f15365ae77031e95986100",
    "000000200fd0cb2d9f255ec94bc116b6d5b1bd33792e40eb4ad6ab09d423353c970000004bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a58f35365ae77031e7403ce00",
    "0000002094d0e983bc23d6802c668d53b15083ae030ea7b1ef83b9ed80cdee8dbb010000dbc1b4c900ffe48d575b5da5c638040125f65db0fe3e24494b76ea986457d986b0f55365ae77031e78342c00",
    "000000200c1cff0c5cab995ac6c9d03c4f909e1b69912af7986b6b8826ecc3d038000000084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c508f85365ae77031ec8952200",
    "00000020f3fd9d9cff9a66a4c3c30e8036b35734a6c0b5d1bf06e22e834104b689000000e52d9c508c502347344d8c07ad91cbd6068afc75ff6292f062a09ca381c89e7160fa5365ae77031e6e9c6e00",
    "000000206ff9cef07a6aad566a1313211c5406cb60777757ad16deb78b98f94dc9000000e77b9a9ae9e30b0dbdb6f510a264ef9de781501d7b6b92ae89eb059c5ab743dbb8fc5365ae77031eb509c601",
    "0000002065ae5a006b0151d53f9d49859d045a47e9f84888d7ae181b66d9dbc40401000067586e98fad27da0b9968bc039a1ef34c939b9b8e523a8bef89d478608c5ecf610ff5365ae77031ec888b900",
]


@pytest.mark.parametrize("network", ["signet", "testnet", "testnet3", "testnet4"])
def test_l7_the_sdk_refuses_signet_and_testnets_before_any_transaction(network):
    assert network not in NETWORKS
    with pytest.raises(InputError, match="not supported") as why:
        sdk_deploy_relay(None, None, None, network=network)  # refused before the connection is touched
    assert UNSUPPORTED[network] in str(why.value)
    assert "signature" in UNSUPPORTED["signet"] and "minimum-difficulty" in UNSUPPORTED["testnet4"]


def test_l7_why_a_signet_relay_must_not_exist():
    assert target_from_bits(SIGNET_BITS) == SIGNET_POW_LIMIT
    relay = deploy_relay(pow_limit=SIGNET_POW_LIMIT, retargeting=True, confirmations=6, proof_length=20)
    with boa.env.prank(DEPLOYER):
        relay.anchor_epoch(HEIGHT // RETARGET_INTERVAL, SIGNET_BITS, 1_600_000_000)
    headers = b"".join(bytes.fromhex(h) for h in HEADERS)
    assert headers[36:68] == sha256d(COINBASE)  # a one-transaction block: the root is the coinbase's txid
    r = relay.verify_reward(headers, COINBASE, [])
    assert (r.height, r.paid, r.confirmations) == (HEIGHT, MAX_MONEY, 6)  # a forged 21M BTC "paid"
    assert (1 << 256) // (SIGNET_POW_LIMIT + 1) < 5_000_000  # expected hashes per signet header
