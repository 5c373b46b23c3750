"""``python -m benchmarks``: the product against two baselines, every plan verified.

For each instance (dataset folders given with ``--instances``, or datasets generated per
``--scale`` and ``--seeds``, made realistic with ``--realistic``), each policy and each
solver, one subprocess: the product as the whole ``solve`` command a user runs, the
"careful planner by hand" greedy (``careful``) and the naive CP-SAT model (``naive``) through
``python -m benchmarks --child``. Every plan folder is checked by the independent verifier;
a row with a hard violation, no plan (product, careful), a crash or a kill FAILS, and the
harness then exits 1. Outputs in ``--out``: ``results.csv``, ``results.md`` and each run's
plan folder under ``plans/``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path

from benchmarks.runs import Judge, Run, run_one

PRESETS = ("central-2021", "hunan-2021", "hebei-2018")
SOLVERS = ("product", "careful", "naive")
LIMITS = {"county": 10.0, "city": 60.0, "province": 300.0}
"""Default time limit per scale: the issue's targets (county ≤ 10 s, city 60 s, province
300 s). Instances under 1,000 villages count as county scale, under 4,000 as city."""
DATASET_DATE = date(2025, 9, 1)
"""Plan date of the shared dataset folders."""
GENERATED_DATE = date(2026, 9, 1)
"""Plan date the generator's datasets are made for."""


def _limits(text: str) -> dict[str, float]:
    """``--limit``: one number for every scale, or ``county=10,city=60``."""
    out = dict(LIMITS)
    try:
        if "=" not in text:
            return dict.fromkeys(LIMITS, float(text))
        for part in text.split(","):
            k, v = part.split("=")
            if k.strip() not in LIMITS:
                raise ValueError
            out[k.strip()] = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected seconds or scale=seconds pairs (county=10,city=60), got {text!r}"
        ) from None
    return out


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2025-09-01, got {text!r}") from None


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--policy",
        nargs="+",
        default=list(PRESETS),
        metavar="P",
        help="presets or policy files (default: %(default)s)",
    )
    ap.add_argument(
        "--instances",
        nargs="+",
        type=Path,
        default=[],
        metavar="DIR",
        help="dataset folders, e.g. ../shared/instances/city-201",
    )
    ap.add_argument(
        "--date",
        type=_date,
        default=None,
        help="plan date (default 2025-09-01 for --instances, 2026-09-01 for generated datasets)",
    )
    ap.add_argument(
        "--scale", default="county", help="generated datasets: comma-separated county,city,province"
    )
    ap.add_argument("--seeds", default="1", help="generated datasets: comma-separated seeds")
    ap.add_argument(
        "--realistic",
        action="store_true",
        help="make generated datasets like the shared instances (shortage, "
        "mid-term replacements, must-send units, recalls, pins)",
    )
    ap.add_argument(
        "--limit",
        type=_limits,
        default=dict(LIMITS),
        help="seconds per run: one number, or county=10,city=60,province=300",
    )
    ap.add_argument(
        "--solvers",
        default=",".join(SOLVERS),
        help="comma-separated: product,careful,naive (default: all)",
    )
    ap.add_argument("--workers", type=int, default=2, help="the product's --workers (2)")
    ap.add_argument(
        "--kill-after",
        type=float,
        default=None,
        help="kill a run after this many seconds (default 3 × limit + 300)",
    )
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    return ap


def scale_of(data: Path) -> str:
    n = len((data / "villages.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
    return "county" if n < 1000 else "city" if n < 4000 else "province"


def instances(args: argparse.Namespace) -> list[tuple[str, Path, date]] | str:
    """(name, folder, plan date) per instance; a string is the reason to stop (exit 2)."""
    missing = [str(p) for p in args.instances if not (p / "villages.csv").is_file()]
    if missing:
        return "--instances: not a dataset folder (no villages.csv): " + ", ".join(missing)
    if args.instances:
        return [(p.name, p, args.date or DATASET_DATE) for p in args.instances]
    from benchmarks.realistic import make_realistic
    from optimizer.data.generate import generate, write_dataset

    day = args.date or GENERATED_DATE
    out = []
    for scale in args.scale.split(","):
        if scale not in LIMITS:
            return f"--scale: expected county, city or province, got {scale!r}"
        for seed in (int(s) for s in args.seeds.split(",")):
            name = f"{scale}-{seed}" + ("-realistic" if args.realistic else "")
            data = args.out / "data" / name
            if not data.exists():
                tables = generate(scale, seed, day)
                if args.realistic:
                    tables = make_realistic(tables, seed, day)
                write_dataset(tables, data)
            out.append((name, data, day))
    return out


def fresh(folder: Path) -> None:
    """Clear a run folder of an earlier run (the harness's own, under ``--out/plans``)."""
    if folder.exists():
        shutil.rmtree(folder)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        from benchmarks.runs import child

        solver, data, policy, day, limit, folder = argv[1:7]
        child(solver, Path(data), policy, date.fromisoformat(day), float(limit), Path(folder))
        return 0
    args = parser().parse_args(argv)
    solvers = args.solvers.split(",")
    bad = [s for s in solvers if s not in SOLVERS]
    if bad:
        print(
            f"--solvers: unknown {', '.join(bad)}; expected {', '.join(SOLVERS)}", file=sys.stderr
        )
        return 2
    jobs = instances(args)
    if isinstance(jobs, str):
        print(jobs, file=sys.stderr)
        return 2
    from benchmarks.report import make_row, write_tables

    judge, rows = Judge(), []
    for name, data, day in jobs:
        limit = args.limit[scale_of(data)]
        for pol in args.policy:
            for solver in solvers:
                folder = args.out / "plans" / f"{name}-{Path(pol).stem}-{solver}"
                fresh(folder)
                print(f"running {solver} on {name} under {pol} ({limit:g} s)…", file=sys.stderr)
                run = run_one(
                    Run(name, data, pol, day, solver, limit, folder), args.workers, args.kill_after
                )
                row = make_row(run, judge.judge(run))
                rows.append(row)
                if row["failed"]:
                    print(f"  FAILED: {row['verdict']}", file=sys.stderr)
    md = write_tables(rows, args.out, args.workers)
    print(md)
    failed = sum(r["failed"] for r in rows)
    if failed:
        print(f"{failed} row(s) FAILED", file=sys.stderr)
    return 1 if failed else 0
