"""A relay + HashpriceIndex on a synthetic chain whose blocks' times the test chooses, with the
Python model (`IndexModel`) replaying every publication (valued, partial or void) beside the
contract."""

from __future__ import annotations

from dataclasses import dataclass, field

from btc_boa import PROOF_WINDOW, START_HEIGHT, anchor, deploy_index, deploy_relay, reward_proof

from hashtrust.bitcoin.consensus import target_from_bits
from hashtrust.bitcoin.hashprice import PERIOD_BLOCKS, IndexModel, hashprice_msat, min_samples, sample_heights
from hashtrust.bitcoin.miner import SyntheticChain

FIRST_PERIOD = START_HEIGHT // PERIOD_BLOCKS  # 1,400
DAY = 86_400
T0 = 19_700 * DAY + 3_600  # 01:00 UTC on day 19,700


def mine_periods(spacings: list[int], *, k: int = 2, seed: int = 0, t0: int = T0, last_time: dict[int, int] | None = None) -> SyntheticChain:
    """One period per spacing (seconds between blocks), then ``k`` confirmations; ``last_time``
    overrides the timestamp of a period's last block (to make closes go backwards)."""
    chain = SyntheticChain(start_height=START_HEIGHT, start_time=t0, seed=seed, retargeting=False)
    t = t0
    for i, sp in enumerate(spacings):
        for j in range(PERIOD_BLOCKS):
            if chain.blocks:
                t += sp
            tt = t
            if j == PERIOD_BLOCKS - 1 and last_time and i in last_time:
                tt = last_time[i]
            chain.mine(time=tt)
    for _ in range(k):
        t += 600
        chain.mine(time=t)
    return chain


@dataclass
class IndexEnv:
    """The relay and index under test, the model beside them, and the sample blocks counted so
    far (``counted[period]``: heights), from which `publish` predicts a valued or void period."""

    chain: SyntheticChain
    samples: int = 4
    k: int = 2
    proof_window: int = PROOF_WINDOW
    relay: object = None
    index: object = None
    model: IndexModel = field(default=None)
    counted: dict[int, set[int]] = field(default_factory=dict)

    def __post_init__(self):
        self.relay = deploy_relay(confirmations=self.k, retargeting=False)
        anchor(self.relay, self.chain)
        self.index = deploy_index(self.relay, FIRST_PERIOD, self.samples, self.proof_window)
        self.model = IndexModel(first_period=FIRST_PERIOD)

    def proof(self, height: int):
        return reward_proof(self.chain, height, self.k)

    def submit(self, height: int):
        self.index.submit(*self.proof(height).args())
        self.counted.setdefault(height // PERIOD_BLOCKS, set()).add(height)

    def prove_period(self, period: int, skip: tuple[int, ...] = ()):
        """Count the period's sample blocks, but those at the sample positions in ``skip``."""
        for j, h in enumerate(sample_heights(period, self.samples)):
            if j not in skip:
                self.submit(h)

    def expected_value(self, period: int, heights: set[int] | None = None) -> int:
        """The value over ``heights`` (default: the whole sample)."""
        hs = sorted(heights) if heights is not None else sample_heights(period, self.samples)
        target = target_from_bits(self.chain.block(period * PERIOD_BLOCKS).parsed.bits)
        return hashprice_msat(target, sum(self.chain.block(h).paid for h in hs), len(hs))

    def publish(self, period: int):
        """Publish on chain and in the model: valued over what was counted (its close the time of
        the highest counted sample), or void below a majority. Returns the model's day runs."""
        self.index.publish(period)
        got = self.counted.get(period, set())
        if len(got) < min_samples(self.samples):
            self.model.publish_void(period)
            return []
        return self.model.publish(period, self.expected_value(period, got), self.chain.block(max(got)).parsed.time)

    def days(self) -> range:
        lo = T0 // DAY - 2
        hi = (max(b.parsed.time for b in self.chain.blocks) // DAY) + 3
        return range(lo, hi)
