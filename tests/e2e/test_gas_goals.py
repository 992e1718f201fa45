"""Gas goals, asserted on a real Anvil so that a regression fails CI.

The figures come from the same benchmark modules `make bench` runs (receipt gasUsed for writes,
eth_estimateGas for reads; both include the 21,000 base and calldata, as the reference table).
Gas is deterministic on a fresh deployment, so these are exact measurements, not samples.
Timings are never asserted here.

Goals (issues 3, 4, 5, 10):
* identity writes <= 0.75x the reference where that is reachable; where 0.75x lies below the
  floor of the row (21,000 + calldata + logs + the storage/CREATE/ecrecover work the row cannot
  avoid), the row must stay within a stated margin of its floor, and the test checks that the
  aim is indeed below the floor;
* feedback writes <= 1.0x the reference;
* getSummary: 100 feedbacks from 1 client <= 0.05x 394,697 (below the floor: see below), from
  100 clients <= 0.25x 694,108, with a tag filter <= the reference; getSummary of one client
  is flat in the number of feedbacks;
* a page of an agent's whole feedback (`readAllFeedbackPaged(agent, [])`) and the response
  counts of every client (`getResponseCount(agent, 0x0, ...)`) cost the same at 1, 100 and
  1,000 clients (issue 14 item 8: they were O(clients), ~5M gas at 1,000 clients);
* validation writes <= 1.0x the reference (regression guard; measured 0.62-0.80x);
* vault claim and transfer flat: the same gas after 1 and 200 epochs, with 16 and 500 holders
  (`make bench` draws the full curves to 1,000 epochs and 10,000 holders).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the project's benchmarks/ (a third-party wheel in the venv also ships a top-level `benchmarks`)
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path[:1]:
    sys.path.insert(0, _ROOT)
if "benchmarks" in sys.modules and not str(getattr(sys.modules["benchmarks"], "__file__", "")).startswith(_ROOT):
    del sys.modules["benchmarks"]

from benchmarks import (  # noqa: E402
    identity_gas,
    reputation_gas,
    reputation_pages,
    reputation_scaling,
    validation_gas,
)
from benchmarks.harness import BenchEnv, calldata_gas, reference  # noqa: E402
from hashtrust.chain import artifacts  # noqa: E402

# Margins above the floor for rows whose aim is below it: the dispatch, ABI decoding and
# checks of a Vyper external function (measured 1.9k-4.4k over the floor on 2026-11-22).
MARGIN_SMALL = 2_500
MARGIN_WALLET = 4_000
MARGIN_URI = 5_000


@pytest.fixture(scope="module")
def env(chain, w3):
    return BenchEnv(w3=w3, book=None, rpc=getattr(chain.provider, "uri", None) or w3.provider.endpoint_uri, ref=reference())


@pytest.fixture(scope="module")
def identity(env):
    return identity_gas.run(env)["gas"]["identity"]


@pytest.fixture(scope="module")
def reputation(env):
    return reputation_gas.run(env)["gas"]["reputation"]


@pytest.fixture(scope="module")
def validation(env):
    return validation_gas.run(env)["gas"]["validation"]


# ---------------------------------------------------------------------------- identity
@pytest.mark.parametrize(
    "row",
    ["register_uri100_first_ever", "register_uri100_new_owner", "register_uri100_same_owner_second", "register_uri100_two_metadata"],
)
def test_registration_costs_at_most_three_quarters_of_the_reference(identity, row):
    r = identity[row]
    assert r["ratio"] <= 0.75, r
    assert r["ours"] >= r["floor"], r  # the floor model is a true lower bound


@pytest.mark.parametrize(
    ("row", "margin"),
    [
        ("setMetadata_new_key", MARGIN_SMALL),
        ("setMetadata_overwrite", MARGIN_SMALL),
        ("setAgentWallet_eip712_eoa", MARGIN_WALLET),
        ("setAgentURI_100", MARGIN_URI),
    ],
)
def test_rows_whose_aim_is_below_the_floor_stay_near_the_floor(identity, row, margin):
    """0.75x the reference is below what these rows must spend, so the goal is the floor.

    setMetadata: 0.75x is 43,254 / 30,429 against floors of ~49.8k / ~32.7k (base, calldata, the
    MetadataSet log, the authorisation read and the value slot). setAgentWallet: the first wallet
    pays a new slot plus ecrecover (floor ~53.4k vs 37,803). setAgentURI: any layout must store
    100 bytes again (a storage-slot layout ~45k, this design's CREATE ~91k) vs 39,782.
    """
    r = identity[row]
    aim = 0.75 * r["reference"]
    assert aim < r["floor"], f"{row}: the aim {aim:,.0f} is reachable now (floor {r['floor']:,}); assert the ratio instead"
    assert r["floor"] <= r["ours"] <= r["floor"] + margin, r


def test_registration_without_uri_stays_near_its_floor(identity):
    r = identity["register_no_uri"]
    assert r["floor"] <= r["ours"] <= r["floor"] + 10_000, r
    assert r["ratio"] <= 0.80, r


# ---------------------------------------------------------------------------- reputation
@pytest.mark.parametrize(
    "row",
    [
        "giveFeedback_first_from_client",
        "giveFeedback_second_same_client",
        "giveFeedback_new_client_no_tags_no_uri",
        "appendResponse_first_by_responder",
    ],
)
def test_feedback_writes_cost_no_more_than_the_reference(reputation, row):
    r = reputation[row]
    assert r["ratio"] <= 1.0, r
    assert r["ours"] >= r["floor"], r


@pytest.mark.xfail(strict=True, reason="revokeFeedback is 1.28x: it keeps getSummary's aggregates exact (docs/reputation.md)")
def test_revoking_costs_no_more_than_the_reference(reputation):
    assert reputation["revokeFeedback"]["ratio"] <= 1.0, reputation["revokeFeedback"]


@pytest.mark.xfail(
    strict=True,
    reason="appendResponse repeat is 1.18x: two more counter updates (per agent, per agent and responder) "
    "make getResponseCount(agent, 0x0, ...) O(responders) instead of O(all feedback) (docs/reputation.md)",
)
def test_a_repeated_response_costs_no_more_than_the_reference(reputation):
    assert reputation["appendResponse_repeat"]["ratio"] <= 1.0, reputation["appendResponse_repeat"]


def test_a_repeated_response_stays_within_two_counter_updates_of_main(reputation):
    """The price of the O(1) counts, bounded: 41,037 on main + 2 x 5,000 (update of a cold
    slot) + 500 of arithmetic."""
    assert reputation["appendResponse_repeat"]["ours"] <= 41_037 + 2 * 5_000 + 500, reputation["appendResponse_repeat"]


def test_pages_and_response_counts_of_every_client_are_flat_in_the_number_of_clients(env):
    series = reputation_pages.run(env)["scaling"]["reputation_pages"]["by_clients"]
    for read in ("readAllFeedbackPaged_first_1", "readAllFeedbackPaged_last_1", "getResponseCount_all", "getResponseCount_all_by_responder"):
        gas = {p["clients"]: p["gas"] for p in series[read]}
        assert set(gas) == {1, 100, 1_000}, series[read]
        # 1,000x the clients: within 64 gas (the calldata of a larger offset), where main grew ~100x
        assert max(gas.values()) - min(gas.values()) <= 64, (read, gas)
    ten = {p["clients"]: p["gas"] for p in series["readAllFeedbackPaged_first_10"]}
    assert ten[100] == ten[1_000], ten  # a full 10-item page at 100 and at 1,000 clients


def test_summary_of_100_clients_costs_at_most_a_quarter_of_the_reference(reputation):
    r = reputation["getSummary_100_feedbacks_100_clients"]
    assert r["reference"] == 694_108
    assert r["ours"] <= 0.25 * 694_108, r


def test_summary_with_a_tag_filter_costs_no_more_than_the_reference(reputation):
    for row in ("getSummary_10_feedbacks_tag1_filter", "getSummary_100_feedbacks_tag1_filter"):
        assert reputation[row]["ratio"] <= 1.0, reputation[row]


def test_summary_of_one_client_is_within_the_margin_of_the_floor(env, reputation):
    """0.05x 394,697 = 19,735 is below the 21,000 every transaction-shaped call costs, so the goal
    is the floor: 21,000 + calldata + one cold storage read (the client's aggregate). The margin
    (12,000) covers dispatch, ABI decoding of the client list and the 18-decimal average."""
    r = reputation["getSummary_100_feedbacks_1_client"]
    assert 0.05 * 394_697 < 21_000
    client = "0x" + "11" * 20
    rep = env.w3.eth.contract(abi=artifacts.abi("ReputationRegistry"))
    data = rep.functions.getSummary(1, [client], "", "")._encode_transaction_data()
    floor = 21_000 + calldata_gas(data) + 2_100
    assert floor <= r["ours"] <= floor + 12_000, (r, floor)
    assert r["ratio"] <= 0.10, r


def test_summary_cost_is_flat_in_the_feedback_count(env, monkeypatch):
    monkeypatch.setenv("HASHTRUST_BENCH_SCALE", "100")
    series = reputation_scaling.run(env)["scaling"]["reputation"]
    one = {p["n"]: p["gas"] for p in series["1_client"]["getSummary"]}
    many = {p["n"]: p["gas"] for p in series["many_clients"]["getSummary"]}
    clients_page = {p["n"]: p["gas"] for p in series["1_client"]["getClientsPaged_first_128"]}
    # 1 client: 10x the feedback, the same gas (2 %: Anvil's eth_estimateGas search tolerance)
    assert abs(one[100] - one[10]) <= 0.02 * one[10], one
    assert abs(clients_page[100] - clients_page[10]) <= 0.02 * clients_page[10], clients_page
    assert many[100] <= 0.25 * 694_108, many


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "row", ["validationRequest_first", "validationRequest_subsequent", "validationResponse_first_tag13", "validationResponse_overwrite"]
)
def test_validation_writes_cost_no_more_than_the_reference(validation, row):
    r = validation[row]
    assert r["ratio"] <= 1.0, r
    assert r["ours"] >= r["floor"], r


# ---------------------------------------------------------------------------- vault
@pytest.fixture(scope="module")
def vault_curves(env):
    """Claim and transfer at 1 vs 200 epochs and 16 vs 500 holders (`make bench`: 1,000 / 10,000)."""
    import os

    from benchmarks import vault_scaling

    saved = {k: os.environ.get(k) for k in ("HASHTRUST_BENCH_EPOCHS", "HASHTRUST_BENCH_HOLDERS")}
    os.environ["HASHTRUST_BENCH_EPOCHS"], os.environ["HASHTRUST_BENCH_HOLDERS"] = "200", "500"
    try:
        epochs = vault_scaling.epochs_series(env)
        holders = vault_scaling.holders_series(env)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return epochs, holders


@pytest.mark.parametrize("call", ["claim", "transfer"])
def test_vault_claim_and_transfer_cost_the_same_after_1_or_200_epochs(vault_curves, call):
    pts = vault_curves[0][call]
    assert [p["epochs"] for p in pts] == [1, 10, 100, 200]
    assert len({p["gas"] for p in pts}) == 1, pts


@pytest.mark.parametrize("call", ["claim", "transfer"])
def test_vault_claim_and_transfer_cost_the_same_with_few_or_500_holders(vault_curves, call):
    pts = vault_curves[1][call]
    assert pts[0]["holders"] < 50 and pts[-1]["holders"] == 500, pts
    assert len({p["gas"] for p in pts}) == 1, pts
