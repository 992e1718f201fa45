"""M2 (SDK + terms): `hashtrust.hashrate.vault.check_index`, the one guard between a trust and a
look-alike index, only asks whether the code at the address is hashtrust's `HashpriceIndex`. It
never compares it with the address book's HashpriceIndex, nor looks at the relay behind it, although
docs/design/vault-reads-the-index.md section 8 says "off a devnet the SDK refuses an index that is
not the book's HashpriceIndex" (and `operator deploy-trust --index` takes any address). A
HashpriceIndex is only as good as its relay, and a relay's pow limit (constructor) and checkpoint
(`anchor`, or `anchor_epoch`'s nBits and start time) are its deployer's word: an operator deploys
its own relay with regtest's pow limit, anchors it at a block of its own chain, CPU-mines a chain whose coinbases pay 0 sats, proves it into its own
HashpriceIndex (same code, passes `check_index`, and the demo prints "HashpriceIndex (Bitcoin
relay)") and fixes it as the term's INDEX. Every day of the term is then FINAL at value 0, the late
rule's binding floor never applies, and every default owes 0: the bond protects nothing.

Fixed: off a devnet `check_index` accepts only the address book's HashpriceIndex, over a
BitcoinRelay with mainnet parameters (tests/e2e/user16: the relay checks on a real node).
Correct behaviour asserted: `check_index` refuses that index off a devnet (chain id 1)."""

import boa
import pytest
from btc_boa import DEPLOYER, START_HEIGHT, deploy_index, deploy_relay, reward_proof
from trust_kit import CAPACITY, DAY, GRACE, N_EPOCHS, PARAMS, SUPPLY, UNREPORTED, load

from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS
from hashtrust.bitcoin.miner import SyntheticChain
from hashtrust.errors import InputError


class _Eth:
    chain_id = 1  # mainnet: only the Bitcoin-proven HashpriceIndex may price a term

    @staticmethod
    def get_code(address):
        return boa.env.get_code(address)


class _W3:
    eth = _Eth()


class _Book:
    """An address book recording ``address`` as its HashpriceIndex (None: none)."""

    def __init__(self, address):
        self.address = address

    def get(self, name):
        from types import SimpleNamespace

        return SimpleNamespace(address=self.address) if name == "HashpriceIndex" and self.address else None


def _rogue_index():
    """The operator's own relay (easy pow limit, anchored at the first block of its own chain) and a
    real HashpriceIndex on it, fed blocks whose coinbases pay nothing."""
    relay = deploy_relay(confirmations=2, retargeting=False)
    t0 = (boa.env.timestamp // DAY - 6) * DAY + 3_600
    chain = SyntheticChain(start_height=START_HEIGHT, start_time=t0, seed=7, retargeting=False)
    t = t0
    for _ in range(3 * PERIOD_BLOCKS + 2):  # three periods a day apart, then k confirmations
        chain.mine(time=t, paid=0, outputs=[(0, b"\x6a")])
        t += 600
    first = chain.block(START_HEIGHT)
    with boa.env.prank(DEPLOYER):
        relay.anchor(first.header, first.height)
    index = deploy_index(relay, START_HEIGHT // PERIOD_BLOCKS, 1)  # one sample a period
    for p in range(3):
        h = (START_HEIGHT // PERIOD_BLOCKS + p) * PERIOD_BLOCKS + PERIOD_BLOCKS - 1
        index.submit(*reward_proof(chain, h, 2).args())
        index.publish(START_HEIGHT // PERIOD_BLOCKS + p)
    return relay, index, chain


def test_m2_check_index_refuses_a_hashprice_index_on_the_operators_own_relay(kit):
    from hashtrust.hashrate.vault import check_index

    relay, index, chain = _rogue_index()
    day, value = index.latest()
    assert value == 0 and index.hashprice(day) == (0, True)  # a FINAL day at 0 msat per TH/s per day

    # the money side: a term priced on it owes nothing for an unreported epoch
    term_start = day * DAY
    vault = load("mocks/MockTrustVault", kit.wbtc.address, term_start, N_EPOCHS, GRACE, CAPACITY, (*PARAMS, kit.fee_recipient))
    vault.set_roles(kit.admin, kit.guardian, kit.treasury)
    kit.vault, kit.index = vault, index
    vault.set_deadline_shift(30 * DAY)  # the bond is posted before the term (the mock's clock is the index's)
    t = kit.open()
    vault.set_deadline_shift(0)
    assert t.epoch_value(0) == (day, 0, 0, True)
    assert vault.do_settle(0, True) == 0 and t.record(0).kind == UNREPORTED  # a default, free
    assert SUPPLY and t.bond() > 0

    # the guard: does the SDK let this index be a term off a devnet?
    # fixed: off a devnet only the index the user's address book records prices a term (a relay's
    # checkpoint is its deployer's word), and its relay must follow Bitcoin mainnet
    with pytest.raises(InputError, match="is not the HashpriceIndex this address book records"):
        check_index(_W3(), index.address, _Book(None))
    with pytest.raises(InputError, match="is not the HashpriceIndex this address book records"):
        check_index(_W3(), index.address, _Book("0x" + "11" * 20))
