"""Mutation runner for the vault's fairness machine (issue 14).

Copies `contracts/` to a temporary directory, applies one textual mutation to the copy of
`HashrateVault.vy`, points the boa deployment helper at the copy (`VAULT_CONTRACTS`, read by
`boa_vault.py`) and runs `test_fairness_model_boa.FairnessMachine` against it with a fixed seed,
without shrinking. It prints whether the mutant was killed and after how many rule steps (and in
which example). `--survey` does not stop at the first violation: it records the first violation
of every invariant (F1 split into rounding / late mint / default priced now, see `_classify`) and
prints one line each, which is how the defect table of the test module was measured.

    PYTHONPATH=src .venv/bin/python tests/unit/vault/mutants/run.py --list
    PYTHONPATH=src .venv/bin/python tests/unit/vault/mutants/run.py floor-in-checkpoint --seed 1
    PYTHONPATH=src .venv/bin/python tests/unit/vault/mutants/run.py none --survey --seeds 1 2 3

Mutations (`MUTANTS` below; adjust a pattern when the contract's text changes -- a pattern that
matches nothing is an error, never a silent "survived"). Each is (function, regex, replacement):
the regex is applied only inside the body of that `def` (from `def name(` to the next top-level
decorator or def), so one mutation cannot hit a look-alike line elsewhere.

- `none`: the contract as it is (on main before the issue-14 fixes this is where the known
  defects show up).
- `supply-now-in-expected`: `_expected` prices a default at `erc20.totalSupply` instead of the
  epoch's recorded `e.supply` (defect 1).
- `uptime-at-supply-now`: `finalize_epoch` divides delivered by `erc20.totalSupply` (defect 2).
- `floor-in-checkpoint`: `_checkpoint` floors the accrual to whole sats (defect 3). Written for
  an accrual kept in ACC-scaled units (`accrued_scaled[account] += bal * (rps - paid)`): it appends
  `// ACC * ACC`. On the pre-fix contract (which already floors with `// ACC`) it would zero
  every accrual; there use `none`.
- `mint-into-stream`: `buy` stops checking the sale window (`block.timestamp < SALE_END` and a
  sale closed before TERM_START become always true), so primary mints land in running streams
  (defect 4).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VAULT_TESTS = HERE.parent
ROOT = HERE.parents[3]

MUTANTS: dict[str, list[tuple[str, str, str]]] = {
    "none": [],
    "supply-now-in-expected": [
        ("_expected", r"(supply(?:: uint256)? = )e\.supply", r"\1erc20.totalSupply"),
    ],
    "uptime-at-supply-now": [
        ("finalize_epoch", r"(uptime = e\.delivered \* MAX_BPS // )[^\n]+", r"\1erc20.totalSupply"),
    ],
    "floor-in-checkpoint": [
        ("_checkpoint", r"(self\.accrued(?:_scaled)?\[account\] \+= )([^\n]+)", r"\1(\2) // ACC * ACC"),
    ],
    "mint-into-stream": [
        ("buy", r"assert block\.timestamp < (SALE_END|TERM_START)[^\n]*", "pass"),
        ("_max_buy", r"or block\.timestamp >= (SALE_END|TERM_START) ", ""),
    ],
}


def _function_span(src: str, name: str) -> tuple[int, int]:
    m = re.search(rf"^def {re.escape(name)}\(", src, re.M)
    if not m:
        raise SystemExit(f"Error: no `def {name}(` in the contract (adjust MUTANTS)")
    nxt = re.compile(r"^(@|def )", re.M).search(src, m.end())
    return m.start(), nxt.start() if nxt else len(src)


def mutate(src: str, name: str) -> str:
    """Applies mutant `name`; "a+b" applies a, then b."""
    for fn, pattern, repl in [x for part in name.split("+") for x in MUTANTS[part]]:
        a, b = _function_span(src, fn)
        body, n = re.subn(pattern, repl, src[a:b])
        if n == 0:
            raise SystemExit(f"Error: mutant {name}: pattern {pattern!r} matches nothing in {fn} (adjust MUTANTS)")
        src = src[:a] + body + src[b:]
    return src


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mutant", nargs="?", default="none")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, nargs="*", help="several seeds, one line each")
    ap.add_argument("--examples", type=int, default=20)
    ap.add_argument("--steps", type=int, default=40, help="rule steps per example")
    ap.add_argument("--survey", action="store_true", help="record every invariant's first violation")
    ap.add_argument("--show", action="store_true", help="print the mutated functions' diff and exit")
    args = ap.parse_args(argv)
    if args.list:
        for k, v in MUTANTS.items():
            print(k, *(f"  {fn}: {p!r} -> {r!r}" for fn, p, r in v), sep="\n")
        return 0
    if not all(part in MUTANTS for part in args.mutant.split("+")):
        print(f"Error: unknown mutant {args.mutant!r} (try --list)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="vault-mutant-"))
    shutil.copytree(ROOT / "contracts", work / "contracts")
    vault = work / "contracts" / "HashrateVault.vy"
    original = vault.read_text()
    mutated = mutate(original, args.mutant)
    vault.write_text(mutated)
    if args.show:
        import difflib

        sys.stdout.writelines(difflib.unified_diff(original.splitlines(True), mutated.splitlines(True), "HashrateVault.vy", args.mutant))
        return 0
    os.environ["VAULT_CONTRACTS"] = str(work / "contracts")
    sys.path[:0] = [str(VAULT_TESTS), str(ROOT / "src")]
    spec = importlib.util.spec_from_file_location("_root_conftest", ROOT / "tests" / "conftest.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # titanoboa storage-dump fix

    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    import test_fairness_model_boa as fm

    cfg = settings(
        max_examples=args.examples,
        stateful_step_count=args.steps,
        phases=[Phase.generate],
        derandomize=False,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    killed_any = False
    for seed in args.seeds or [args.seed]:
        fm.STATS.update(steps=0, examples=0)
        fm.SURVEY = {} if args.survey else None
        fm.FIRST = None
        fm.FairnessMachine._hypothesis_internal_use_seed = seed
        t0 = time.monotonic()
        outcome = "survived"
        try:
            run_state_machine_as_test(fm.FairnessMachine, settings=cfg)
        except AssertionError as exc:
            killed_any = True
            first = str(exc).splitlines()[0]
            at = fm.FIRST or fm.STATS
            outcome = f"KILLED after {at['steps']} steps (example {at['example'] if 'example' in at else at['examples']}): {first}"
        except Exception as exc:  # noqa: BLE001 - an unexpected revert is reported, not hidden
            import traceback

            traceback.print_exc(limit=-4)
            outcome = f"ERROR after {fm.STATS['steps']} steps: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        secs = time.monotonic() - t0
        if args.survey:
            print(f"mutant {args.mutant} seed {seed}: {fm.STATS['steps']} steps in {fm.STATS['examples']} examples, {secs:.1f} s; {outcome if outcome.startswith('ERROR') else ''}")
            for kind in sorted(fm.SURVEY):
                r = fm.SURVEY[kind]
                killed_any = True
                print(f"  {kind}: first at step {r['steps']} (example {r['example']}, step {r['step_in_example']} of it): {r['detail']}")
            if not fm.SURVEY:
                print("  no violation")
        else:
            print(f"mutant {args.mutant} seed {seed}: {outcome} [{secs:.1f} s]")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if killed_any else 0


if __name__ == "__main__":
    sys.exit(main())
