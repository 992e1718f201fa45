"""Gas goals of the Bitcoin relay, asserted on a real Anvil (issue 16) so a regression fails CI:
a retarget proven with 50 headers each side (and pinned by its first header's coinbase) below tBTC
LightRelay's ~456k, and each extra header below its ~3.7k. The figures come from
`benchmarks/bitcoin_gas.py` (what `make bench` reports)."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path[:1]:
    sys.path.insert(0, _ROOT)
if "benchmarks" in sys.modules and not str(getattr(sys.modules["benchmarks"], "__file__", "")).startswith(_ROOT):
    del sys.modules["benchmarks"]

from benchmarks import bitcoin_gas  # noqa: E402
from benchmarks.harness import BenchEnv, reference  # noqa: E402


def test_relay_and_index_gas_goals(chain, w3):
    env = BenchEnv(w3=w3, book=None, rpc=chain.provider.uri, ref=reference())
    rows = bitcoin_gas.run(env)["gas"]["bitcoin"]
    assert rows["retarget_50_headers_each_side"]["ours"] < 456_000
    assert rows["retarget_per_extra_header"]["ours"] < 3_700
    assert rows["retarget_challenge_50_plus_60"]["ours"] < 456_000  # a challenge with 60 headers after the boundary, too
    for name in ("retarget_50_headers_each_side", "retarget_challenge_50_plus_60", "reward_proof_k6_branch12_first_of_period", "reward_proof_k6_branch12_later",
                 "publish_period_one_day", "publish_period_partial_after_window"):
        assert rows[name]["ours"] >= rows[name]["floor"], name  # the floor is a floor
    # regression guards (measured: retarget 407,475 with its pin, reward proof 120,873 first / 100,706
    # later with 32,768-byte coinbases, publication 73,188, partial publication 49,258)
    assert rows["retarget_50_headers_each_side"]["ours"] < 420_000
    assert rows["reward_proof_k6_branch12_first_of_period"]["ours"] < 128_000
    assert rows["reward_proof_k6_branch12_later"]["ours"] < 108_000
    assert rows["publish_period_one_day"]["ours"] < 80_000
    assert rows["publish_period_partial_after_window"]["ours"] < 56_000
