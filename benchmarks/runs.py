"""One run = one subprocess, measured from outside; then its plan folder judged.

The product runs as the whole command a user types (``python -m optimizer.cli solve ...
--quiet``): its wall time includes start-up, imports, loading and writing. The baselines run
as ``python -m benchmarks --child SOLVER ...``, which writes a plan folder the same way.
Each subprocess is reaped with ``os.wait4``, whose resource usage is that process's alone
(peak RSS of this run, not of the harness or of earlier runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    """What the outside sees of one subprocess."""

    returncode: int | None
    wall: float
    peak_rss_mb: float | None
    killed: bool = False
    stderr_tail: str = ""


@dataclass
class Run:
    """One (instance, policy, solver) run and its plan folder."""

    instance: str
    data: Path
    policy: str
    plan_date: date
    solver: str
    limit: float
    folder: Path
    measured: Measured | None = None
    solver_figures: dict[str, Any] = field(default_factory=dict)


def measure(cmd: list[str], timeout: float, log: Path) -> Measured:
    """Run ``cmd``, kill it after ``timeout`` s; wall time and the child's own peak RSS."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            p.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    return Measured(p.returncode, wall, usage.ru_maxrss / 1024, killed.is_set(), " | ".join(tail))


def product_command(run: Run, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "optimizer.cli",
        "solve",
        str(run.data),
        "--policy",
        run.policy,
        "--date",
        run.plan_date.isoformat(),
        "--time-limit",
        f"{run.limit:g}",
        "--workers",
        str(workers),
        "--out",
        str(run.folder),
        "--quiet",
    ]


def child_command(run: Run) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks",
        "--child",
        run.solver,
        str(run.data),
        run.policy,
        run.plan_date.isoformat(),
        f"{run.limit:g}",
        str(run.folder),
    ]


MANIFEST_EXTRA = ("coverage_bound", "posts_in_doubt", "coverage_gap", "soft_bound", "soft_gap",
                  "coverage_bound_by_class", "posts_in_doubt_by_class", "coverage_proven_optimal")  # fmt: skip
"""Manifest keys shown when present at its top level (older manifests); the ``quality`` block
is read below."""


def product_figures(folder: Path) -> dict[str, Any]:
    """The solver's own figures from ``manifest.json`` and ``kpis.json``, read defensively."""
    out: dict[str, Any] = {}
    try:
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return out
    out["status"] = man.get("status")
    out["solver_wall"] = man.get("wall_time")
    out["objective"] = man.get("objective")
    out["soft_bound"] = man.get("best_bound")
    out["soft_gap"] = man.get("gap")
    for k in MANIFEST_EXTRA:
        if k in man:
            out[k] = man[k]
    q = man.get("quality") if isinstance(man.get("quality"), dict) else {}
    if q:  # the manifest's answer to "how good is it"
        out["coverage_bound"] = q.get("posts_bound")
        out["posts_in_doubt"] = q.get("posts_in_doubt")
        by = q.get("coverage_by_class") or {}
        out["coverage_bound_by_class"] = {c: v.get("bound") for c, v in by.items()}
        out["posts_in_doubt_by_class"] = {
            c: v.get("in_doubt") for c, v in by.items() if v.get("in_doubt")
        }
        out["soft_bound"], out["soft_gap"] = q.get("soft_bound"), q.get("soft_gap")
    out["notes"] = man.get("notes") or []
    return out


def run_one(run: Run, workers: int, kill_after: float | None) -> Run:
    """Run the solver; fill ``run.measured`` and ``run.solver_figures``."""
    timeout = kill_after or 3 * run.limit + 300
    cmd = product_command(run, workers) if run.solver == "product" else child_command(run)
    run.measured = measure(cmd, timeout, run.folder.with_name(run.folder.name + ".log"))
    if run.solver == "product":
        run.solver_figures = product_figures(run.folder)
    else:
        path = run.folder / "run.json"
        if path.is_file():
            run.solver_figures = json.loads(path.read_text(encoding="utf-8"))
    return run


# --------------------------------------------------------------------------- child side


def child(
    solver: str, data: Path, policy: str, plan_date: date, limit: float, folder: Path
) -> None:
    """Plan with a baseline and write its plan folder plus ``run.json`` (solver figures)."""
    from benchmarks.planfolder import write_folder
    from optimizer.data.loading import load_dataset
    from optimizer.policy import load_policy

    t0 = time.monotonic()
    ds = load_dataset(data)
    pol = load_policy(policy)
    figures: dict[str, Any] = {}
    if solver == "careful":
        from benchmarks.careful import plan_careful

        plan = plan_careful(ds, pol, plan_date)
        postings = plan.postings
        figures["status"] = "GREEDY"
        if plan.pins_unplaced:
            figures["notes"] = [f"require pins not placed: {', '.join(plan.pins_unplaced[:5])}"]
    elif solver == "naive":
        from benchmarks.baseline import solve_baseline

        r = solve_baseline(ds, pol, plan_date, limit)
        postings = r.pop("assignments")
        figures = {"status": r["status"]}  # its own objective and bound use other weights
        if r["status"] not in ("OPTIMAL", "FEASIBLE"):
            figures["no_plan"] = True
    else:
        raise ValueError(f"unknown solver {solver!r}")
    figures["solver_wall"] = time.monotonic() - t0
    write_folder(ds, pol, plan_date, postings, folder, solver)
    (folder / "run.json").write_text(json.dumps(figures), encoding="utf-8")


# --------------------------------------------------------------------------- judging


class Judge:
    """Verifies plan folders and scores them; datasets and instances loaded once each."""

    def __init__(self) -> None:
        self._ds: dict[Path, Any] = {}
        self._inst: dict[tuple[Path, str, date], Any] = {}

    def dataset(self, data: Path) -> Any:
        from optimizer.data.loading import load_dataset

        if data not in self._ds:
            self._ds[data] = load_dataset(data)
        return self._ds[data]

    def points(self, run: Run, postings: list[tuple[str, str, str]]) -> float | None:
        """The product's soft objective of these new postings (``plan_points``), the same
        yardstick for every solver; ``None`` where the function is not available."""
        try:
            from optimizer.model.result import Assignment
            from optimizer.policy import load_policy
            from optimizer.rules.instance import build_instance
            from optimizer.rules.scoring import plan_points
        except ImportError:
            return None
        key = (run.data, run.policy, run.plan_date)
        if key not in self._inst:
            self._inst[key] = build_instance(
                self.dataset(run.data), load_policy(run.policy), run.plan_date
            )
        return plan_points(self._inst[key], [Assignment(c, v, r) for c, v, r in postings])

    def judge(self, run: Run) -> dict[str, Any]:
        """Verdict and figures of a finished run's plan folder."""
        from benchmarks.planfolder import read_folder
        from optimizer.data.errors import InputError
        from optimizer.policy import load_policy

        m, f = run.measured, run.solver_figures
        out: dict[str, Any] = {"verdict": "ok", "why": ""}
        if m is None or m.killed or (m.returncode not in (0, 3) and not f):
            why = (
                "killed"
                if m and m.killed
                else f"exit {m.returncode if m else '?'}: {m.stderr_tail if m else ''}"
            )
            return {"verdict": "FAIL", "why": why}
        if f.get("no_plan") or f.get("status") in ("UNKNOWN", "INFEASIBLE", "MODEL_INVALID"):
            bad = run.solver != "naive"  # the naive model failing to plan is its known limit
            return {"verdict": "FAIL" if bad else "no plan", "why": f"no plan ({f.get('status')})"}
        pol = load_policy(run.policy)
        try:
            figs = read_folder(self.dataset(run.data), pol, run.plan_date, run.folder)
        except InputError as exc:
            return {"verdict": "FAIL", "why": f"plan folder unreadable: {exc}"}
        out["posts_by_class"] = figs.posts_by_class
        out["hard"] = figs.hard
        out["points"] = self.points(run, figs.new_postings)
        if figs.hard:
            out["verdict"] = "FAIL"
            out["why"] = f"{figs.hard} hard violations: " + "; ".join(figs.violations)
        return out
