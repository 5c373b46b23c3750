"""Rows, tables and ratios of a benchmark run: ``results.csv`` and ``results.md``.

Overshoot = whole-command wall − limit; it holds when ≤ max(2 s, 5 % of the limit) (issue
16 item 3). Posts are required posts filled as ``unstaffed.csv`` counts them, per priority
class. ``points`` is the product's soft objective of the plan's new postings
(``optimizer.rules.scoring.plan_points``), computed the same way for every solver; ``objective``,
``soft bound`` and ``soft gap`` are the solver's own figures (the product's manifest).
"""

from __future__ import annotations

import csv
import os
import platform
import statistics
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.runs import Run
from optimizer.data.domain import CATEGORIES

COLUMNS = [
    "instance", "policy", "solver", "limit_s", "status", "wall_s", "solver_wall_s",
    "overshoot_s", "time_ok", "posts", "posts_by_class", "coverage_bound", "posts_in_doubt",
    "points", "objective", "soft_bound", "soft_gap", "peak_rss_mb", "hard_violations",
    "verdict",
]  # fmt: skip


def slack(limit: float) -> float:
    """The overshoot the issue allows: max(2 s, 5 %)."""
    return max(2.0, 0.05 * limit)


def make_row(run: Run, judged: dict[str, Any]) -> dict[str, Any]:
    """One results row (a dict keyed by :data:`COLUMNS`, plus ``by_class`` for ratios)."""
    m, f = run.measured, run.solver_figures
    by_class: dict[str, tuple[int, int]] = judged.get("posts_by_class") or {}
    filled = sum(a for a, _ in by_class.values()) if by_class else None
    required = sum(b for _, b in by_class.values()) if by_class else None
    over = m.wall - run.limit if m else None
    time_ok = None
    if over is not None and run.solver == "product":
        time_ok = "yes" if over <= slack(run.limit) else "NO"
    verdict = judged.get("verdict", "FAIL")
    if verdict == "FAIL":
        verdict = f"**FAIL** ({judged.get('why', '')})"
    return {
        "instance": run.instance,
        "policy": run.policy,
        "solver": run.solver,
        "limit_s": run.limit,
        "status": f.get("status") or (f"exit {m.returncode}" if m else None),
        "wall_s": m.wall if m else None,
        "solver_wall_s": f.get("solver_wall"),
        "overshoot_s": over,
        "time_ok": time_ok,
        "posts": f"{filled}/{required}" if filled is not None else None,
        "posts_by_class": ", ".join(f"{k} {a}/{b}" for k, (a, b) in by_class.items()) or None,
        "coverage_bound": _compact(f.get("coverage_bound_by_class") or f.get("coverage_bound")),
        "posts_in_doubt": _compact(f.get("posts_in_doubt_by_class") or f.get("posts_in_doubt")),
        "points": judged.get("points"),
        "objective": f.get("objective"),
        "soft_bound": f.get("soft_bound"),
        "soft_gap": f.get("soft_gap"),
        "peak_rss_mb": m.peak_rss_mb if m else None,
        "hard_violations": judged.get("hard"),
        "verdict": verdict,
        "failed": judged.get("verdict") == "FAIL",
        "by_class": by_class,
        "filled": filled,
    }


def _compact(v: Any) -> Any:
    if isinstance(v, dict):
        return ", ".join(f"{k} {x}" for k, x in v.items())
    return v


def fmt(v: Any, col: str) -> str:
    if v is None or v == "":
        return "—"
    if col == "soft_gap" and isinstance(v, int | float):
        return f"{100 * v:.2f}%"
    if isinstance(v, float):
        if col in ("points", "objective", "soft_bound", "peak_rss_mb"):
            return f"{v:.0f}"
        return f"{v:+.1f}" if col == "overshoot_s" else f"{v:.1f}"
    return str(v)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append("| " + " | ".join(fmt(r.get(c), c) for c in COLUMNS) + " |")
    return "\n".join(lines)


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None  # a ratio to nothing or to negative points says nothing
    return a / b


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    """Per policy and baseline: product / baseline for posts filled (total and per class)
    and points, the median over instances (seeds) where several."""
    out = []
    by = {(r["instance"], r["policy"], r["solver"]): r for r in rows if not r["failed"]}
    for pol in dict.fromkeys(r["policy"] for r in rows):
        for base in ("careful", "naive"):
            keys = [
                (i, p) for (i, p, s) in by if p == pol and s == "product" and (i, p, base) in by
            ]
            if not keys:
                continue
            parts = []
            tot = [
                _ratio(by[(i, p, "product")]["filled"], by[(i, p, base)]["filled"]) for i, p in keys
            ]
            parts.append(f"posts {_median(tot)}")
            for k in CATEGORIES:
                rs = [
                    _ratio(
                        by[(i, p, "product")]["by_class"].get(k, (None,))[0],
                        by[(i, p, base)]["by_class"].get(k, (None,))[0],
                    )
                    for i, p in keys
                ]
                if any(x is not None for x in rs):
                    parts.append(f"{k} {_median(rs)}")
            pts = [
                _ratio(by[(i, p, "product")]["points"], by[(i, p, base)]["points"]) for i, p in keys
            ]
            parts.append(f"points {_median(pts)}")
            n = f"median of {len(keys)}" if len(keys) > 1 else keys[0][0]
            out.append(f"{pol}, product / {base} ({n}): " + "; ".join(parts))
    return out


def _median(xs: list[float | None]) -> str:
    vals = [x for x in xs if x is not None]
    return f"{statistics.median(vals):.4f}" if vals else "n/a"


def machine() -> str:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    try:
        import ortools

        ortools_version = ortools.__version__
    except (ImportError, AttributeError):
        ortools_version = "?"
    return (
        f"{os.cpu_count()} CPUs, {mem} memory, Python {platform.python_version()}, "
        f"OR-Tools {ortools_version}, {platform.system()} {platform.release()}"
    )


def write_tables(rows: list[dict[str, Any]], out: Path, workers: int) -> str:
    """``results.csv`` and ``results.md`` (one section per policy); returns the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c) for c in COLUMNS})
    md = [f"Run {date.today()}; machine: {machine()}; product with --workers {workers}.", ""]
    for pol in dict.fromkeys(r["policy"] for r in rows):
        sub = [r for r in rows if r["policy"] == pol]
        md += [f"### {pol}", "", markdown_table(sub), ""]
        md += [f"- {x}" for x in ratios(sub)] + [""]
    late = [r for r in rows if r["time_ok"] == "NO"]
    if late:
        md.append(
            f"**{len(late)} product run(s) over the time limit** (overshoot > max(2 s, 5 %))."
        )
    failed = [r for r in rows if r["failed"]]
    if failed:
        md.append(f"**{len(failed)} row(s) FAILED** (hard violations, no plan, crash or kill).")
    text = "\n".join(md) + "\n"
    (out / "results.md").write_text(text, encoding="utf-8")
    return text
