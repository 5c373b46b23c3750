"""``python -m benchmarks``: the product against the naive baseline, one subprocess per run.

For each scale and seed a dataset is generated (:func:`optimizer.generate.generate`) and
written to ``OUT/<scale>-<seed>/``; then each solver runs in its own Python subprocess with
the same time limit, policy ``central-2021`` and plan date 2026-09-01. The subprocess reports
its own peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``), so every run is measured alone.

Time to first feasible: for the baseline, the first CP-SAT solution (callback), counted from
the start of the model build. For the product, the earliest entry of any phase's CP-SAT trace
(counted from the start of ``solve()``); when no phase has a trace, the wall time of the
coverage phases. The product's greedy start is ready before that, so this over-estimates it.

Outputs in OUT: ``results.csv``, ``results.md``, ``traces.json`` and ``objective.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

PLAN_DATE = date(2026, 9, 1)
POLICY = "central-2021"
TARGET_LIMIT = {"county": 10.0, "city": 60.0, "province": 300.0}
"""Default time limit per scale: the issue's targets (county optimal ≤ 10 s, city ≤ 60 s,
province ≤ 300 s)."""
SOLVERS = ("product", "baseline")
COLUMNS = [
    "instance", "solver", "limit_s", "status", "first_feasible_s", "wall_s", "posts_filled",
    "posts_required", "objective", "bound", "gap", "peak_rss_mb", "hard_violations",
    "clock_decided",
]  # fmt: skip


# --------------------------------------------------------------------------- child side


def _product(data: Path, time_limit: float, seed: int) -> dict[str, Any]:
    import optimizer
    from optimizer.loading import load_dataset

    ds = load_dataset(data)
    res = optimizer.solve(ds, POLICY, PLAN_DATE, time_limit=time_limit, seed=seed)
    traces = [tuple(e) for ph in res.phases for e in ph.get("trace", [])]
    cov_wall = sum(ph.get("wall", 0.0) for ph in res.phases if ph.get("phase") == "coverage")
    first = min((t for t, _, _ in traces), default=None)
    if first is None and res.has_plan:
        first = cov_wall
    if any("part" in ph for ph in res.phases):
        first = res.wall_time if res.has_plan else None  # the merged plan exists at the end
    soft = [list(e) for ph in res.phases if ph.get("phase") == "soft"
            for e in ph.get("trace", [])]  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the solve's peak
    hard = None
    if res.has_plan:  # every plan the product reports must pass the independent verifier
        import tempfile

        from optimizer.plan import write_plan
        from optimizer.verify import verify_plan

        with tempfile.TemporaryDirectory() as tmp:
            write_plan(res.tables, Path(tmp) / "plan")
            found = verify_plan(ds, Path(tmp) / "plan", POLICY, PLAN_DATE)
            hard = sum(1 for v in found if v.severity == "hard")
    return {
        "status": res.status,
        "hard_violations": hard,
        "solve_rss_mb": rss,
        "posts_filled": sum(f for f, _ in res.coverage.values()),
        "posts_required": sum(r for _, r in res.coverage.values()),
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "wall": res.wall_time,
        "first_feasible": first,
        # the time limit, not a deterministic budget, stopped something: a rerun may differ
        "clock": "yes" if any("time limit" in n for n in res.notes) else "no",
        "trace": soft,
    }


def _baseline(data: Path, time_limit: float, seed: int) -> dict[str, Any]:
    from optimizer.loading import load_dataset
    from optimizer.policy import load_policy

    from .baseline import solve_baseline

    r = solve_baseline(load_dataset(data), load_policy(POLICY), PLAN_DATE, time_limit, seed)
    obj, bound = r["objective"], r["bound"]
    r["gap"] = None if obj is None else abs(bound - obj) / max(1.0, abs(obj))
    r["trace"] = [list(e) for e in r["trace"]]
    return r


def child(solver: str, data: Path, time_limit: float, seed: int, out: Path,
          mem_gb: float | None = None) -> None:  # fmt: skip
    if mem_gb:
        # the naive model's memory grows with cadres × villages: cap it so a run that would
        # exhaust the machine fails alone, as "out of memory"
        cap = int(mem_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    t0 = time.monotonic()
    r = (_product if solver == "product" else _baseline)(data, time_limit, seed)
    r["process_wall"] = time.monotonic() - t0
    # KiB on Linux; the product reports its peak at the end of the solve, before verifying
    r["peak_rss_mb"] = r.pop("solve_rss_mb", None) or resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024  # fmt: skip
    out.write_text(json.dumps(r))


# --------------------------------------------------------------------------- parent side


def run_one(solver: str, data: Path, time_limit: float, seed: int, out: Path,
            kill_after: float | None = None, mem_gb: float | None = None) -> dict[str, Any]:  # fmt: skip
    cmd = [sys.executable, "-m", "benchmarks", "--child", solver, str(data), str(time_limit),
           str(seed), str(out), str(mem_gb or 0)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    try:
        subprocess.run(cmd, check=True, timeout=kill_after or 3 * time_limit + 300,
                       env=env)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"status": f"KILLED after {kill_after or 3 * time_limit + 300:g} s", "trace": []}
    except subprocess.CalledProcessError as e:
        why = f", memory cap {mem_gb:g} GB" if mem_gb else ""
        return {"status": f"CRASHED (exit {e.returncode}{why})", "trace": []}
    return json.loads(out.read_text())


def row(instance: str, solver: str, r: dict[str, Any]) -> dict[str, Any]:
    """One results row, in :data:`COLUMNS` order."""
    return {
        "instance": instance,
        "solver": solver,
        "limit_s": r.get("limit"),
        "status": r.get("status"),
        "first_feasible_s": r.get("first_feasible"),
        "wall_s": r.get("wall"),
        "posts_filled": r.get("posts_filled"),
        "posts_required": r.get("posts_required"),
        "objective": r.get("objective"),
        "bound": r.get("bound"),
        "gap": r.get("gap"),
        "peak_rss_mb": r.get("peak_rss_mb"),
        "hard_violations": r.get("hard_violations"),
        "clock_decided": r.get("clock"),
    }


def _fmt(v: Any, col: str) -> str:
    if v is None:
        return "—"
    if col == "gap":
        return f"{100 * v:.2f}%"
    if isinstance(v, float):
        return f"{v:.0f}" if col in ("objective", "bound", "peak_rss_mb") else f"{v:.1f}"
    return str(v)


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
    return (f"{os.cpu_count()} CPUs, {mem} memory, Python {platform.python_version()}, "
            f"OR-Tools {ortools_version}, {platform.system()} {platform.release()}")  # fmt: skip


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(c), c) for c in COLUMNS) + " |")
    return "\n".join(lines)


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    by = {(r["instance"], r["solver"]): r for r in rows}
    for inst in dict.fromkeys(r["instance"] for r in rows):
        p, b = by.get((inst, "product")), by.get((inst, "baseline"))
        if not p or not b:
            continue
        pw, bw = p.get("wall_s"), b.get("wall_s")
        wall = f"{pw / bw:.2f}×" if pw and bw else "n/a"
        out.append(f"{inst}: product/baseline wall time {wall}; gap product "
                   f"{_fmt(p.get('gap'), 'gap')} vs baseline {_fmt(b.get('gap'), 'gap')}; posts "
                   f"{p.get('posts_filled')} vs {b.get('posts_filled')} of "
                   f"{p.get('posts_required')}")  # fmt: skip
    return out


def write_tables(rows: list[dict[str, Any]], out: Path) -> str:
    """``results.csv`` and ``results.md``; returns the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c) for c in COLUMNS})
    md = "\n".join([
        f"Machine: {machine()}.", "",
        f"Policy {POLICY}, plan date {PLAN_DATE}; time limit per run in `limit_s`.", "",
        markdown_table(rows), "", *[f"- {x}" for x in ratios(rows)], "",
    ])  # fmt: skip
    (out / "results.md").write_text(md, encoding="utf-8")
    return md


def plot(traces: dict[str, list], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    objs = [o for tr in traces.values() for _, o, _ in tr]
    top = 3 * max((abs(o) for o in objs), default=1.0)
    for i, (label, tr) in enumerate(traces.items()):
        if not tr:
            continue
        color = f"C{i}"
        ax.plot([t for t, _, _ in tr], [o for _, o, _ in tr], color=color, marker=".",
                label=f"{label} objective")  # fmt: skip
        bt = [(t, b) for t, _, b in tr if abs(b) <= top]
        if bt:
            ax.plot(*zip(*bt, strict=True), color=color, ls="--", label=f"{label} bound")
    ax.set_xlabel("seconds since start of run")
    ax.set_ylabel("soft objective (points)")
    ax.set_title("Soft objective and bound over time")
    if ax.lines:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "objective.png", dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        solver, data, limit, seed, out, mem = argv[1:7]
        try:
            child(solver, Path(data), float(limit), int(seed), Path(out), float(mem) or None)
        except MemoryError:
            Path(out).write_text(json.dumps({"status": f"OUT OF MEMORY (cap {mem} GB)",
                                             "trace": []}))  # fmt: skip
        return 0
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--scales", default="county", help="comma-separated: county,city,province")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per run (default per scale: county 10, city 60, province 300)",
    )
    ap.add_argument(
        "--data",
        nargs="*",
        type=Path,
        default=[],
        help="existing dataset folders to run instead of generated ones",
    )
    ap.add_argument(
        "--baseline-mem-gb",
        type=float,
        default=12.0,
        help="address-space cap for the baseline's process (default 12)",
    )
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    ap.add_argument("--seeds", default="1", help="comma-separated dataset seeds")
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument(
        "--kill-after",
        type=float,
        default=None,
        help="kill a run after this many seconds (default 3 × limit + 300)",
    )
    args = ap.parse_args(argv)
    from optimizer.generate import generate, write_dataset

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rows, traces = [], {}
    jobs: list[tuple[str, Path, float]] = []
    missing = [str(p) for p in args.data if not (p / "villages.csv").is_file()]
    if missing:
        print("--data: not a dataset folder (no villages.csv): " + ", ".join(missing),
              file=sys.stderr)  # fmt: skip
        return 2
    for path in args.data:
        n = len((path / "villages.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
        scale = "county" if n < 1000 else "city" if n < 4000 else "province"
        jobs.append((path.name, path, args.time_limit or TARGET_LIMIT[scale]))
    for scale in [] if args.data else args.scales.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            name = f"{scale}-{seed}"
            data = out / name
            if not data.exists():
                write_dataset(generate(scale, seed), data)
            jobs.append((name, data, args.time_limit or TARGET_LIMIT[scale]))
    for name, data, limit in jobs:
        for solver in args.solvers.split(","):
            print(f"running {solver} on {name} ({limit:g} s)…", file=sys.stderr)
            mem = args.baseline_mem_gb if solver == "baseline" else None
            r = run_one(solver, data, limit, 0, out / f"{name}-{solver}.json", args.kill_after, mem)
            r["limit"] = limit
            rows.append(row(name, solver, r))
            traces[f"{name} {solver}"] = r.get("trace", [])
    md = write_tables(rows, out)
    (out / "traces.json").write_text(json.dumps(traces))
    plot(traces, out)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
