"""PNG plots of the demo report (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path.name)


def reputation_ranking(report: dict, out: Path) -> str | None:
    rankings = report.get("reputation", {}).get("rankings", {})
    if not rankings:
        return None
    fig, axes = plt.subplots(1, len(rankings), figsize=(5.5 * len(rankings), 3.6), squeeze=False)
    for ax, (cap, rows) in zip(axes[0], rankings.items()):
        rows = [r for r in rows if r["count"] > 0]
        names = [f"{r['name'][:22]} (#{r['agent_id']})" for r in rows][::-1]
        scores = [float(r["score"]) for r in rows][::-1]
        ax.barh(names, scores, color="#3b7dd8")
        for y, (sc, r) in enumerate(zip(scores, rows[::-1])):
            ax.text(sc + 0.5, y, f"{sc:.1f}  (n={r['count']})", va="center", fontsize=8)
        ax.set_xlim(0, 115)
        ax.set_title(f"agents for '{cap}': reputation over trusted clients", fontsize=9)
        ax.set_xlabel("average feedback (getSummary)")
    return _save(fig, out / "reputation_ranking.png")


def hashprice_difficulty(report: dict, out: Path) -> str | None:
    epochs = report.get("vault", {}).get("epochs") or []
    if not epochs:
        return None
    x = [e["epoch"] for e in epochs]
    fig, ax1 = plt.subplots(figsize=(8, 3.6))
    ax1.plot(x, [e["hashprice_usd_per_ph_day"] for e in epochs], color="#d8883b", marker="o", ms=3, label="hashprice ($/PH/day)")
    ax1.set_xlabel("epoch (day)")
    ax1.set_ylabel("hashprice, $/PH/day", color="#d8883b")
    ax2 = ax1.twinx()
    ax2.plot(x, [e["difficulty"] / 1e12 for e in epochs], color="#3b7dd8", label="difficulty (T)")
    ax2.set_ylabel("difficulty, T", color="#3b7dd8")
    ax1.set_title("hashprice and difficulty over the vault term", fontsize=10)
    return _save(fig, out / "hashprice_difficulty.png")


def cumulative_rewards(report: dict, out: Path) -> str | None:
    series = report.get("vault", {}).get("cumulative_rewards") or {}
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for holder, pts in series.items():
        ax.plot([p[0] for p in pts], [p[1] / 1e8 for p in pts], label=holder[:10] + "…")
    ax.set_xlabel("epoch (day)")
    ax.set_ylabel("earned, BTC")
    ax.set_title("cumulative rewards per holder (claimed + claimable)", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, out / "cumulative_rewards.png")


def draw(report: dict, out: Path) -> list[str]:
    """Draw every plot the report has data for; returns the file names."""
    out.mkdir(parents=True, exist_ok=True)
    made = [f(report, out) for f in (hashprice_difficulty, cumulative_rewards, reputation_ranking)]
    return [m for m in made if m]
