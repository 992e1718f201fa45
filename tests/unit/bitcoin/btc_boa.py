"""Titanoboa set-up shared by the Bitcoin relay and index tests (not a pytest plugin).

`deploy_relay` / `deploy_index` compile each contract once per process; `mined_chain` gives a
synthetic chain (real proof of work at regtest's easy target) and `anchor` anchors a relay at its
first block; `retarget_args` / `prove_retarget` build a pinned retarget proof (and let its
challenge window pass); `fixture(name)` reads the real mainnet data in `examples/bitcoin/`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import boa

from hashtrust.bitcoin.consensus import MAINNET_POW_LIMIT, RETARGET_INTERVAL
from hashtrust.bitcoin.files import load_coinbase, load_headers
from hashtrust.bitcoin.miner import EASY_POW_LIMIT, SyntheticChain
from hashtrust.bitcoin.proofs import RewardProof

ROOT = Path(__file__).resolve().parents[3]
C = ROOT / "contracts"
EXAMPLES = ROOT / "examples" / "bitcoin"
DEPLOYER = boa.env.generate_address("deployer")
STRANGER = boa.env.generate_address("stranger")
START_EPOCH = 100  # synthetic chains start at height 201,600 (period 1,400)
START_HEIGHT = START_EPOCH * RETARGET_INTERVAL
WINDOW = 3_600  # the relay's challenge window in these tests (the contract's floor)

_PARTIALS: dict[str, object] = {}


def _partial(name: str):
    if name not in _PARTIALS:
        _PARTIALS[name] = boa.load_partial(str(C / f"{name}.vy"))
    return _PARTIALS[name]


def deploy_relay(pow_limit: int = EASY_POW_LIMIT, retargeting: bool = True, confirmations: int = 6, proof_length: int = 6, challenge_window: int = WINDOW):
    with boa.env.prank(DEPLOYER):
        return _partial("BitcoinRelay").deploy(pow_limit, retargeting, confirmations, proof_length, challenge_window)


def mainnet_relay(confirmations: int = 5, proof_length: int = 6, challenge_window: int = WINDOW):
    return deploy_relay(MAINNET_POW_LIMIT, True, confirmations, proof_length, challenge_window)


def retarget_args(chain: SyntheticChain, boundary: int, pre: int, post: int | None = None) -> tuple:
    """The arguments of `BitcoinRelay.retarget`: ``pre`` headers before ``boundary`` and ``post``
    (default ``pre``) from it, and the coinbase and branch of the first of them (the pin)."""
    post = pre if post is None else post
    blk = chain.block(boundary - pre)
    return chain.headers(boundary - pre, pre + post), blk.coinbase, list(blk.branch)


def finalize(relay):
    """Let the pending retarget's challenge window pass."""
    boa.env.time_travel(seconds=int(relay.CHALLENGE_WINDOW()))


def prove_retarget(relay, chain: SyntheticChain, boundary: int, pre: int, post: int | None = None):
    """Prove a retarget and let its window pass (the honest, unchallenged case)."""
    relay.retarget(*retarget_args(chain, boundary, pre, post))
    finalize(relay)


PROOF_WINDOW = 86_400  # the index's proof window in these tests (a day; the SDK's default is three)


def deploy_index(relay, first_period: int, samples: int, proof_window: int = PROOF_WINDOW):
    return _partial("HashpriceIndex").deploy(relay.address, first_period, samples, proof_window)


def now() -> int:
    """The block timestamp the next call sees."""
    return int(boa.env.evm.patch.timestamp)


def deploy_dev_index(chain_id: int | None = 31337):
    """Deploy DevHashpriceIndex with the chain id set to ``chain_id`` for the constructor (boa's own is 1)."""
    old = boa.env.evm.patch.chain_id
    try:
        if chain_id is not None:
            boa.env.evm.patch.chain_id = chain_id
        with boa.env.prank(DEPLOYER):
            return _partial("DevHashpriceIndex").deploy()
    finally:
        boa.env.evm.patch.chain_id = old


def fixture(name: str):
    path = EXAMPLES / name
    return load_coinbase(path) if name.startswith("coinbase") else load_headers(path)


@lru_cache(maxsize=8)
def mined_chain(blocks: int, seed: int = 1, spacing: int = 600) -> SyntheticChain:
    """A synthetic chain of ``blocks`` blocks from START_HEIGHT (cached: tests must not mutate it)."""
    chain = SyntheticChain(start_height=START_HEIGHT, seed=seed)
    chain.mine_to(START_HEIGHT + blocks - 1, spacing=spacing)
    return chain


def anchor(relay, chain: SyntheticChain):
    first = chain.block(chain.start_height)
    with boa.env.prank(DEPLOYER):
        relay.anchor(first.header, first.height)


def reward_proof(chain: SyntheticChain, height: int, confirmations: int) -> RewardProof:
    blk = chain.block(height)
    return RewardProof(height=height, headers=chain.headers(height, confirmations + 1), coinbase=blk.coinbase, branch=list(blk.branch))


def logs(contract, name: str) -> list:
    """Decoded events of ``name`` from the contract's last call."""
    return [e for e in contract.get_logs() if type(e).__name__ == name]
