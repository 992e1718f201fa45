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
matches nothing is an error, never a silent "survived"). Each is (file, function, regex,
replacement): the regex is applied only inside the body of that `def` of `contracts/<file>.vy`
(from `def name(` to the next top-level decorator or def), so one mutation cannot hit a
look-alike line elsewhere. Retargeted to the trust split (docs/design/vault-trust-split.md §9):

- `none`: the contracts as they are.
- `credit-via-notify`: `_credit` streams a settlement over a fresh day with `_notify_reward`
  instead of one `reward_per_share` step (F13: restarts the running stream; F11: the credit goes
  to whoever holds during the next day, not to the holders at R(e)).
- `price-from-latest`: `_round_price` reads `latestRoundData()` and drops the "round at the epoch
  end" checks: the price is the one at report time, chosen by the operator (§3).
- `params-now`: `_params_of` returns the newest version whatever the epoch (F5: a change applied
  after an epoch ended reprices it).
- `move-skips-settle`: `_move` no longer settles due epochs first nor refuses a backlog (F11: a
  transfer between R(e) and the settling call moves the epoch's credit to the buyer).
- `supply-now-in-expected`: the trust's `settle` prices at `totalSupply` instead of
  `term_supply` (defect 1; equivalent while the sale closes before the term: survives alone).
- `uptime-at-supply-now`: the trust's `finalize_epoch` divides by `totalSupply` (defect 2;
  equivalent for the same reason).
- `floor-in-checkpoint`: `_checkpoint` floors the accrual to whole sats (defect 3).
- `mint-into-stream`: `buy` and `_max_buy` stop checking the sale window (defect 4); combine
  with the two equivalent mutants by `+`.

Measured on the split (vault a95dcad, trust f739fea; seed 1, 10 examples x 40 steps, no shrinking):
`move-skips-settle` killed after 183 steps (F3, bond differs from the rules' 52,162 vs 55,050),
`credit-via-notify` after 87 steps (F5, a late batch settlement credits 287 sats less by the same
moment), `params-now` after 141 steps (F3, bond 49,629 vs the rules' 50,011), `price-from-latest`
after 175 steps (the report's split differs from the model's round at the end).
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

V, T = "HashrateVault", "VaultTrust"
MUTANTS: dict[str, list[tuple[str, str, str, str]]] = {
    "none": [],
    "credit-via-notify": [
        (V, "_credit", r"self\.reward_per_share \+= paid \* ACC // supply\n\s+self\.total_notified \+= paid", "self._notify_reward(paid)"),
    ],
    "price-from-latest": [
        (V, "_round_price", r"staticcall PRICE_FEED\.getRoundData\(round_id\)", "staticcall PRICE_FEED.latestRoundData()"),
        (V, "_round_price", r"(self\._req\(|assert )updated != 0 and updated <= end_e[^\n]*", "pass"),
        (V, "_round_price", r"(self\._req\(|assert )nxt > end_e[^\n]*", "pass"),
        (V, "_round_price", r"end_e - updated > self\.MAX_PRICE_AGE", "updated + self.MAX_PRICE_AGE < end_e"),
    ],
    "params-now": [
        (V, "_params_of", r"return self\.params_hist\[v\]", "return self.params_hist[self.params_version]"),
    ],
    "move-skips-settle": [
        (V, "_move", r"calls, due = self\._settle_due\(AUTO_SETTLE, False, False\)\n\s+(self\._req\(|assert )not due[^\n]*", "pass"),
    ],
    "supply-now-in-expected": [
        (T, "settle", r"(supply: uint256 = )staticcall IHashrateVault\(VAULT\)\.term_supply\(\)", r"\1staticcall IHashrateVault(VAULT).totalSupply()"),
    ],
    "uptime-at-supply-now": [
        (T, "finalize_epoch", r"(supply: uint256 = )staticcall IHashrateVault\(VAULT\)\.term_supply\(\)", r"\1staticcall IHashrateVault(VAULT).totalSupply()"),
    ],
    "floor-in-checkpoint": [
        (V, "_checkpoint", r"(self\.accrued(?:_scaled)?\[account\] \+= )([^\n]+)", r"\1(\2) // ACC * ACC"),
    ],
    "mint-into-stream": [
        (V, "buy", r"(self\._req\(|assert )block\.timestamp < (SALE_END|TERM_START)[^\n]*", "pass"),
        (V, "_max_buy", r"or block\.timestamp >= (SALE_END|TERM_START) ", ""),
    ],
}


def _function_span(src: str, name: str) -> tuple[int, int]:
    m = re.search(rf"^def {re.escape(name)}\(", src, re.M)
    if not m:
        raise SystemExit(f"Error: no `def {name}(` in the contract (adjust MUTANTS)")
    nxt = re.compile(r"^(@|def )", re.M).search(src, m.end())
    return m.start(), nxt.start() if nxt else len(src)


def mutate(sources: dict[str, str], name: str) -> dict[str, str]:
    """Applies mutant `name` to {file: source}; "a+b" applies a, then b."""
    out = dict(sources)
    for file, fn, pattern, repl in [x for part in name.split("+") for x in MUTANTS[part]]:
        src = out[file]
        a, b = _function_span(src, fn)
        body, n = re.subn(pattern, repl, src[a:b])
        if n == 0:
            raise SystemExit(f"Error: mutant {name}: pattern {pattern!r} matches nothing in {file}.{fn} (adjust MUTANTS)")
        out[file] = src[:a] + body + src[b:]
    return out


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
            print(k, *(f"  {f}.{fn}: {p!r} -> {r!r}" for f, fn, p, r in v), sep="\n")
        return 0
    if not all(part in MUTANTS for part in args.mutant.split("+")):
        print(f"Error: unknown mutant {args.mutant!r} (try --list)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="vault-mutant-"))
    shutil.copytree(ROOT / "contracts", work / "contracts")
    files = {f: work / "contracts" / f"{f}.vy" for f in (V, T)}
    original = {f: p.read_text() for f, p in files.items()}
    mutated = mutate(original, args.mutant)
    for f, p in files.items():
        p.write_text(mutated[f])
    if args.show:
        import difflib

        for f in files:
            sys.stdout.writelines(difflib.unified_diff(original[f].splitlines(True), mutated[f].splitlines(True), f"{f}.vy", args.mutant))
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
