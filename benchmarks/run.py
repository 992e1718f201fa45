"""`make bench`: every benchmark, each module on a fresh private Anvil; results to benchmarks/results/.

    python -m benchmarks.run                 # everything (about 2 minutes on 2 cores)
    python -m benchmarks.run gas             # only the sections named (gas, scaling, throughput, payments)
    HASHTRUST_BENCH_SCALE=1000 python -m benchmarks.run   # scaling curves up to 1,000 only

Each module exposes ``run(env) -> dict`` (see `benchmarks.harness`); the sections are merged into
``latest.json`` (every figure with its reference, ratio, floor), ``latest.md`` (the tables) and
PNG plots of the scaling curves.
"""

from __future__ import annotations

import importlib
import json
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.harness import RESULTS, bench_env

# (section, module); a module whose contract is not in contracts/ yet is skipped with a note
MODULES = [
    ("gas", "benchmarks.identity_gas"),
    ("gas", "benchmarks.reputation_gas"),
    ("gas", "benchmarks.validation_gas"),
    ("gas", "benchmarks.vault_gas"),
    ("gas", "benchmarks.bitcoin_gas"),
    ("scaling", "benchmarks.reputation_scaling"),
    ("scaling", "benchmarks.reputation_pages"),
    ("scaling", "benchmarks.vault_scaling"),
    ("throughput", "benchmarks.throughput"),
    ("payments", "benchmarks.payments"),
]


def merge(into: dict, new: dict) -> dict:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merge(into[k], v)
        else:
            into[k] = v
    return into


def _anvil_version() -> str:
    from hashtrust.chain.devnet import anvil_binary

    try:
        return subprocess.check_output([anvil_binary(), "--version"], text=True).splitlines()[0]
    except Exception as exc:  # noqa: BLE001
        return f"unknown ({exc})"


def collect(sections: set[str] | None = None, log=print) -> dict:
    """Run the modules of ``sections`` (all by default), each on a fresh Anvil.

    A fresh node per module: Anvil's work per block grows with the size of its state (it
    re-derives the state root), so a module run after the 20,000-feedback fill would be timed on
    a node several times slower, and the 1,000-epoch vault fill would crawl. Gas does not depend
    on it; timings and fill speed do.
    """
    results: dict = {"meta": {}, "timings_s": {}, "skipped": {}}
    t_all = time.perf_counter()
    ref: dict = {}
    for section, name in MODULES:
        if sections and section not in sections:
            continue
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            results["skipped"][name] = f"not importable: {exc}"
            log(f"skip {name}: {exc}")
            continue
        t0 = time.perf_counter()
        log(f"running {name} ...")
        with bench_env() as env:
            ref = env.ref
            merge(results, mod.run(env))
        results["timings_s"][name] = round(time.perf_counter() - t0, 1)
        log(f"  {name}: {results['timings_s'][name]} s")
    results["timings_s"]["total"] = round(time.perf_counter() - t_all, 1)
    results["meta"] = {
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "anvil": _anvil_version(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cpu",
        "units": "gas: receipt gasUsed for writes, eth_estimateGas for reads; both include 21,000 + calldata",
        "reference": ref.get("source", ""),
    }
    return results


# ---------------------------------------------------------------------------- markdown
def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def markdown(res: dict) -> str:
    out = ["# hashtrust benchmarks", ""]
    m = res.get("meta", {})
    out += [f"Run {m.get('date_utc', '?')} UTC, {m.get('anvil', '?')}, {m.get('machine', '?')}.", f"Units: {m.get('units', '')}.", ""]
    for contract, rows in res.get("gas", {}).items():
        out += [f"## Gas: {contract}", "", "| row | ours | reference | ratio | floor | over floor |", "|---|---:|---:|---:|---:|---:|"]
        for name, r in rows.items():
            out.append(f"| {name} | {_fmt(r.get('ours'))} | {_fmt(r.get('reference'))} | {_fmt(r.get('ratio'))} | {_fmt(r.get('floor'))} | {_fmt(r.get('over_floor'))} |")
        out.append("")
    for contract, series in res.get("scaling", {}).items():
        out += [f"## Scaling: {contract}", ""]
        for label, reads in series.items():
            xs = sorted({p[_xkey(p)] for pts in reads.values() for p in pts})
            key = _xkey(next(iter(next(iter(reads.values())))))
            out += [f"### {label} (by {key})", "", "| read | " + " | ".join(f"{x:,}" for x in xs) + " |", "|---|" + "---:|" * len(xs)]
            for read, pts in reads.items():
                by = {p[key]: p.get("gas") for p in pts}
                out.append(f"| {read} | " + " | ".join(_fmt(by.get(x)) if x in by else "" for x in xs) + " |")
            out.append("")
        notes = {p["note"] for reads in series.values() for pts in reads.values() for p in pts if p.get("note")}
        if notes:
            out += ["— = the node refused the call: " + "; ".join(sorted(notes))[:400], ""]
    tp = res.get("throughput", {}).get("bulk_registration")
    if tp:
        rows = [("script (`hashtrust.agents.register_agents`, window 32)", tp["script"])]
        rows += [(label, tp[k]) for k, label in (("raw_one_per_request", "raw pre-signed, one `eth_sendRawTransaction` per request"),
                                                 ("raw_batched", "raw pre-signed, JSON-RPC batches of 32")) if k in tp]
        out += ["## Throughput: bulk registration", "", "| path | agents | seconds | agents/s | blocks |", "|---|---:|---:|---:|---:|"]
        out += [f"| {label} | {r['agents']:,} | {r['seconds']} | {r['agents_per_s']} | {_fmt(r.get('blocks'))} |" for label, r in rows]
        out += ["", f"Ratio script / fastest raw ({tp['raw']['agents_per_s']} agents/s): **{tp['ratio']}** (aim >= {tp['aim']}).", ""]
    xp = res.get("throughput", {}).get("x402_calls")
    if xp:
        out += ["## Throughput: x402 calls (one client, sequential)", "", "| calls | n | seconds | calls/s | ms/call |", "|---|---:|---:|---:|---:|"]
        for k, label in (("paid", "paid: 402, sign, verify, serve, settle, attest, client checks"), ("unpaid", "the same handler, unpaid"),
                         ("quote_402", "the paid route answering 402 only")):
            r = xp[k]
            out.append(f"| {label} | {r['calls']:,} | {r['seconds']} | {r['calls_per_s']} | {r['ms_per_call']} |")
        out += ["", f"Paid / unpaid calls per second: **{xp['paid_over_unpaid']}**.", ""]
    if res.get("skipped"):
        out += ["## Skipped", ""] + [f"- {k}: {v}" for k, v in res["skipped"].items()] + [""]
    out += ["## Timings (s)", "", "| part | seconds |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in res.get("timings_s", {}).items()] + [""]
    return "\n".join(out)


def _xkey(point: dict) -> str:
    for k in ("n", "epochs", "holders", "clients"):
        if k in point:
            return k
    raise KeyError(point)


# ---------------------------------------------------------------------------- plots
def plots(res: dict, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for contract, series in res.get("scaling", {}).items():
        for label, reads in series.items():
            fig, ax = plt.subplots(figsize=(7, 4.5))
            key = "n"
            for read, pts in reads.items():
                key = _xkey(pts[0])
                xy = [(p[key], p["gas"]) for p in pts if p.get("gas") is not None]
                if xy:
                    ax.plot(*zip(*xy), marker="o", label=read)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel({"n": "feedbacks", "epochs": "epochs", "holders": "holders", "clients": "clients"}[key])
            ax.set_ylabel("gas")
            ax.set_title(f"{contract}: {label}")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
            fig.tight_layout()
            path = folder / f"scaling_{contract}_{label}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            written.append(path.name)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sections = set(argv) or None
    res = collect(sections, log=lambda s: print(s, file=sys.stderr, flush=True))
    RESULTS.mkdir(parents=True, exist_ok=True)
    res["plots"] = plots(res, RESULTS)
    (RESULTS / "latest.json").write_text(json.dumps(res, indent=1) + "\n")
    (RESULTS / "latest.md").write_text(markdown(res))
    print(markdown(res))
    print(f"written: {RESULTS / 'latest.json'}, {RESULTS / 'latest.md'}, {', '.join(res['plots'])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
