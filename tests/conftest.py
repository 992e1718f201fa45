"""Shared fixtures: named actors, the devnet tokens and hypothesis profiles.

Actors (ape test accounts, funded with ETH on every local chain):
``deployer`` deploys everything, ``alice``/``bob``/``carol`` are users, ``mallory`` attacks.
"""

import functools
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine

# Bounded profile for `make test`; `make test-deep` selects "deep" (>= 1,000 state-machine steps).
settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
settings.register_profile(
    "deep",
    max_examples=60,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
# State machines pay for a fresh deployment per example, so they get fewer, longer examples than
# @given tests: `make test` runs 8 x 40 steps per machine, `make test-deep` 20 x 100 (>= 1,000
# rule steps each, checked below). A machine that sets its own numbers keeps them.
STATE_MACHINE_RUNS = {"ci": (8, 40), "deep": (20, 100)}
DEEP_MIN_STEPS = 1_000  # what `make test-deep` promises per state machine (checked at session end)


# ---------------------------------------------------------------- state-machine step counts
# Hypothesis calls `check_invariants` on every machine (whether or not it defines an @invariant)
# once right after building it and once after every step that completed, and it runs the
# @initialize rules first, as steps, until none is left. So a call on a machine already seen, made
# while the previous call still had initialize rules pending, follows an initialize step; any
# other such call follows a rule step. "steps" counts rule steps only, whatever the profile asked
# for (a run can stop early). The counts are printed at the end of the session, written to
# .build/state-machine-steps.json, and under HYPOTHESIS_PROFILE=deep a machine that ran fewer than
# DEEP_MIN_STEPS rule steps fails the session.
_sm_runs: Counter = Counter()
_sm_steps: Counter = Counter()
_sm_init_steps: Counter = Counter()
_sm_check = RuleBasedStateMachine.check_invariants


def _counting_check_invariants(self, *args, **kwargs):
    name = type(self).__name__
    seen = self.__dict__.get("_hashtrust_init_pending")
    if seen is None:
        _sm_runs[name] += 1
    elif seen:
        _sm_init_steps[name] += 1
    else:
        _sm_steps[name] += 1
    self.__dict__["_hashtrust_init_pending"] = bool(self._initialize_rules_to_run)
    return _sm_check(self, *args, **kwargs)


RuleBasedStateMachine.check_invariants = _counting_check_invariants


def _sm_shortfall() -> list[str]:
    if os.environ.get("HYPOTHESIS_PROFILE") != "deep":
        return []
    return [name for name in _sm_runs if _sm_steps[name] < DEEP_MIN_STEPS]


def pytest_sessionfinish(session, exitstatus):
    if not _sm_runs:
        return
    out = Path(__file__).resolve().parents[1] / ".build"
    out.mkdir(exist_ok=True)
    report = {"profile": os.environ.get("HYPOTHESIS_PROFILE", "ci"),
              "machines": {n: {"runs": _sm_runs[n], "steps": _sm_steps[n], "initialize_steps": _sm_init_steps[n]} for n in sorted(_sm_runs)}}
    (out / "state-machine-steps.json").write_text(json.dumps(report, indent=1))
    if _sm_shortfall() and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if not _sm_runs:
        return
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    terminalreporter.section(f"state-machine steps (hypothesis profile {profile})")
    for name in sorted(_sm_runs):
        terminalreporter.write_line(f"{name}: {_sm_steps[name]:,} steps in {_sm_runs[name]:,} runs")
    for name in _sm_shortfall():
        terminalreporter.write_line(f"FAILED: {name} ran {_sm_steps[name]:,} steps; the deep profile promises >= {DEEP_MIN_STEPS:,}", red=True)


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def mallory(accounts):
    return accounts[9]


@pytest.fixture(scope="session", autouse=True)
def _session_actors(deployer, alice, bob, carol, mallory):
    """Create the session fixtures before any per-test snapshot (ape pitfall P8)."""


@pytest.fixture(scope="session")
def w3(chain):
    """The web3 connection of the chain ape runs the tests on (for SDK clients)."""
    return chain.provider.web3


@pytest.fixture(scope="module")
def wbtc(project, deployer):
    """The devnet wBTC (8 decimals), the vault's reward token."""
    return project.DevToken.deploy("Wrapped BTC (devnet)", "WBTC", 8, sender=deployer)


@pytest.fixture(scope="module")
def usd(project, deployer):
    """The devnet USD stablecoin (6 decimals), the vault's payment token."""
    return project.DevToken.deploy("USD Stablecoin (devnet)", "USDC", 6, sender=deployer)


def _titanoboa_safe_storage_dump():
    """Work around a titanoboa 0.2.8 bug: when a call reverts, boa builds the contract's repr with a
    storage dump, and decoding a HashMap whose value is another HashMap keyed by an integer raises
    AttributeError ('IntegerT' object has no attribute 'key_type'), and one whose values it cannot
    decode ("unimplemented decoder for `HashMap[uint256, bytes32]`", a string it then indexes)
    raises TypeError; either replaces the revert the test expects. Only the diagnostic dump
    changes: that one variable is shown as undecodable."""
    try:
        from boa.contracts.vyper import vyper_contract as vc
    except ImportError:  # pragma: no cover - titanoboa is pinned in pyproject
        return

    def dump(self):
        ret = vc.FrameDetail("storage")
        for k, v in vars(self).items():
            try:
                t = v.get(truncate_limit=1024)
            except (AttributeError, TypeError):
                t = "<not decodable by titanoboa 0.2.8>"
            ret[k] = "<truncated>" if t is None else t
        return ret

    vc.StorageModel.dump = dump


_titanoboa_safe_storage_dump()


def _titanoboa_one_deployment_source_map_per_compilation():
    """Compute a contract's deployment source map once per compilation, not once per deployment.

    titanoboa 0.2.8 caches the init code's source map on each deployed contract object, so every
    `deploy()` of the same `load_partial` re-assembles the whole contract (~0.25 s for the vault,
    a quarter of the deployment; the state machines deploy a fresh set per example). The map
    depends only on the compiler data (its assembly and settings), which every deployment of a
    partial shares, and boa only reads it; the runtime source map is already cached there."""
    try:
        from boa.contracts.vyper import vyper_contract as vc
    except ImportError:  # pragma: no cover - titanoboa is pinned in pyproject
        return
    per_contract = vc.VyperContract.__dict__.get("_deployment_source_map")
    if not isinstance(per_contract, functools.cached_property):  # a titanoboa that changed it
        return

    def shared(self):
        cache = self.compiler_data.__dict__
        if "_hashtrust_deployment_source_map" not in cache:
            cache["_hashtrust_deployment_source_map"] = per_contract.func(self)
        return cache["_hashtrust_deployment_source_map"]

    vc.VyperContract._deployment_source_map = property(shared)


_titanoboa_one_deployment_source_map_per_compilation()


def pytest_collection_modifyitems(items):
    """Give every state machine that follows the profile the machine budget of the profile."""
    examples, steps = STATE_MACHINE_RUNS.get(PROFILE, (None, None))
    if examples is None:
        return
    default = settings.default
    for cls in {item.cls for item in items if getattr(item, "cls", None) is not None}:
        if not cls.__name__.endswith(".TestCase"):  # what RuleBasedStateMachine.TestCase builds
            continue
        own = getattr(cls, "settings", None)
        if own is None or (own.max_examples, own.stateful_step_count) != (
            default.max_examples,
            default.stateful_step_count,
        ):
            continue
        cls.settings = settings(own, max_examples=examples, stateful_step_count=steps)
