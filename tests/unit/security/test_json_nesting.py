"""The one loader for untrusted JSON (`hashtrust.chain.jsonsafe`): nesting is bounded before the
standard decoder recurses (150 KB of ``[`` killed every `hashtrust` process by SIGSEGV: the
review of the Python side, finding 1), and otherwise it parses exactly as ``json.loads``.

Pure Python (no chain): ``python -m pytest tests/unit/security/test_json_nesting.py -p no:ape_test``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashtrust.chain import jsonsafe
from hashtrust.chain.jsonsafe import MAX_DEPTH, loads, nesting_error

SRC = Path(__file__).resolve().parents[3] / "src" / "hashtrust"

# Where the standard decoder may still be called directly: text the project itself wrote, or
# the test-only fault proxy's view of the SDK's own requests.
STDLIB_JSON_ALLOWED = {
    "chain/artifacts.py",  # the compiler-output cache this process wrote
    "chain/devnet.py",  # the devnet's clock file, written by `hashtrust devnet`
    "chain/faults.py",  # the fault-injection proxy parsing the SDK's own requests (tests)
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@pytest.fixture(scope="session", autouse=True)
def _session_actors(request):
    """No chain here; under ``ape test`` the session actors are created as everywhere else."""
    if request.config.pluginmanager.has_plugin("ape_test"):
        for name in ("deployer", "alice", "bob", "carol", "mallory"):
            request.getfixturevalue(name)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_loads_parses_as_the_standard_decoder(value):
    text = json.dumps(value)
    assert loads(text) == json.loads(text)
    assert loads(text.encode("utf-16")) == json.loads(text.encode("utf-16"))  # bytes: the same encoding detection


@pytest.mark.parametrize(
    "bomb",
    [
        "[" * 150_000,
        '{"a":' * 150_000,
        "[" * 100_000 + "]" * 100_000,  # well formed, just deep
        '[{"k":[' * 50_000,
        " [ \n" * 150_000,
    ],
    ids=["open-arrays", "open-objects", "closed-arrays", "mixed", "whitespace"],
)
def test_deep_nesting_is_a_json_decode_error_not_a_crash(bomb):
    with pytest.raises(json.JSONDecodeError, match=f"nested deeper than {MAX_DEPTH} levels") as err:
        loads(bomb)
    assert isinstance(err.value, ValueError)  # every caller's "is not valid JSON" path catches it
    assert err.value.pos == [m.start() for m in re.finditer(r"[\[{]", bomb)][MAX_DEPTH]  # the first bracket too deep


def test_the_limit_is_exact_and_counts_only_brackets_outside_strings():
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(json.JSONDecodeError):
        loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    in_string = json.dumps({"name": "[" * 10_000 + "{" * 10_000, "esc": '\\"[[[' * 1_000})
    assert loads(in_string) == json.loads(in_string)
    assert nesting_error(in_string) is None
    assert loads("[1, 2]", max_depth=1) == [1, 2]
    with pytest.raises(json.JSONDecodeError):
        loads("[[1]]", max_depth=1)


def test_malformed_text_still_gets_the_standard_decoder_errors():
    for text in ["", "[1,", '{"a"', '"' + '\\"' * 200_000, "]" * 10_000 + "[" * 100]:
        with pytest.raises(json.JSONDecodeError):
            loads(text)
    with pytest.raises(UnicodeDecodeError):
        loads(b"\x80[1]")  # bytes that are not UTF-8 (as json.loads)
    with pytest.raises(TypeError):
        loads(42)  # type: ignore[arg-type]


def test_the_scan_is_linear():
    """Twice the text costs about twice the CPU time (a quadratic scan costs four times): the
    ratio of this process's CPU time, not a wall-clock limit, so a loaded machine cannot fail it."""
    import gc
    import time

    def cost(text: str) -> float:  # the best of 3 runs, the garbage collector off (its passes are not the scan's)
        best = float("inf")
        gc.disable()
        try:
            for _ in range(3):
                t = time.process_time()
                try:
                    loads(text)
                except ValueError:
                    pass
                best = min(best, time.process_time() - t)
        finally:
            gc.enable()
        return best

    patterns = [lambda n: "[" * n, lambda n: '"' + '\\"' * (n // 2), lambda n: '"[' * (n // 2), lambda n: json.dumps([{"a": [1, {"b": "[["}]}] * (n // 25))]
    for make in patterns:
        small, large = cost(make(200_000)), cost(make(400_000))
        assert large < 3 * max(small, 0.005), f"{large:.3f} s of CPU for 400,000 characters against {small:.3f} s for 200,000: not linear"


def test_every_reader_of_untrusted_json_uses_the_one_loader():
    """No ``json.loads``/``json.load`` in the SDK outside the few files that read their own text."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "chain/jsonsafe.py" or rel in STDLIB_JSON_ALLOWED:
            continue
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"\bjson\.load[s]?\(|model_validate_json\(|\.json\(\)", line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "parse untrusted JSON with hashtrust.chain.jsonsafe.loads:\n" + "\n".join(offenders)
    assert jsonsafe.loads.__module__ == "hashtrust.chain.jsonsafe"
