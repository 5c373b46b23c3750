"""`run()`: solve scenarios side by side, one run folder each (``zhucun run``).

Every scenario is validated and prepared (dataset loaded, edits applied, policy merged) in
this process before any solve starts, so bad input stops the whole run with every problem
listed and nothing written. The solves then go to local worker processes or to a Dask
cluster; each job carries its own data, so workers need no access to the input files. The
solver is deterministic for a given dataset, policy, seed and worker count, so a run gives
the same plans sequentially, in parallel or on Dask (unless a time limit cuts a solve short).

A run folder holds the ``zhucun solve`` outputs (SPEC §6) plus ``scenario.yaml`` (the resolved
scenario, re-runnable, with what each edit did as comments), ``policy.yaml`` (the merged
policy) and ``dataset/`` (the edited dataset that was solved), so
``zhucun verify RUN/dataset RUN --policy RUN/policy.yaml`` re-checks it on its own.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from optimizer.data.domain import Dataset
from optimizer.data.errors import InputError, Problem
from optimizer.plans.build import Plan, write_plan_files
from optimizer.plans.io import folder_problems, make_folder, private_file, staged_folder, write_text
from optimizer.plans.reference import read_reference, reference_from_frame
from optimizer.whatif.build import Prepared, prepare, write_dataset_files
from optimizer.whatif.dask_runner import solve_on_dask
from optimizer.whatif.files import baseline_of, check_distinct_names, load_scenarios
from optimizer.whatif.jobs import Job, Solved, solve_job
from optimizer.whatif.scenario import Scenario

Progress = Callable[[str], None]
INDEX = "runs.json"
"""In the output folder: run names in the order they were given (compare's default order)."""


@dataclass
class RunResult:
    """What one scenario's solve gave; ``path`` is its run folder (None without a plan)."""

    name: str
    path: Path | None
    status: str
    has_plan: bool
    all_filled: bool
    kpis: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    wall_time: float = 0.0


def as_scenarios(items: Scenario | str | Path | Iterable[Scenario | str | Path]) -> list[Scenario]:
    """Scenario objects and scenario files (each file may hold a sweep), in order."""
    if isinstance(items, Scenario | str | Path):
        items = [items]
    out: list[Scenario] = []
    problems: list[Problem] = []
    files: set[Path] = set()
    for item in items:
        if isinstance(item, Scenario):
            out.append(item)
            continue
        if Path(item).resolve() in files:  # `baseline.yaml *.yaml`: baseline first, once
            continue
        files.add(Path(item).resolve())
        try:
            out.extend(load_scenarios(item))
        except InputError as exc:
            problems.extend(exc.problems)
    if not problems:
        check_distinct_names(out, problems)
    if problems:
        raise InputError(problems)
    return out


def run(
    scenarios: Scenario | str | Path | Iterable[Scenario | str | Path],
    out: str | Path,
    *,
    jobs: int = 2,
    dask: Any = None,
    time_limit: float | None = None,
    progress: Progress | None = None,
    reference: str | Path | None = None,
) -> list[RunResult]:
    """Solve each scenario into ``out/<name>/``; results in the order given.

    ``jobs`` local processes solve side by side (1 = in this process); ``dask`` (a scheduler
    address or a ``distributed.Client``) sends the solves to a Dask cluster instead.
    ``time_limit`` replaces every scenario's own. ``reference``: a plan folder every solve
    breaks ties toward; by default each scenario's baseline (the scenario its file extends),
    solved first when it is in the same run, else read from ``out/<baseline>`` if there.
    Raises :class:`InputError` for bad input, before anything is solved or written, and when
    a run folder would replace a folder zhucun did not write."""
    scs = as_scenarios(scenarios)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), "expected an output folder, found a file")])
    prepared = _prepare_all(scs, out)
    taken = [
        p
        for prep in prepared
        for p in folder_problems(out / prep.scenario.name, [prep.scenario.dataset])
    ]
    if taken:  # before any solve: a run folder may only replace one zhucun wrote
        raise InputError(taken)
    parallel = dask is not None or (jobs > 1 and len(prepared) > 1)
    job_list = _jobs(prepared, time_limit, parallel)
    by_name = {p.scenario.name: p for p in prepared}
    results: dict[str, RunResult] = {}
    waiting = _references(job_list, prepared, out, reference)
    make_folder(out)
    _update_index(out, [p.scenario.name for p in prepared])

    problems: list[Problem] = []
    plans: dict[str, Plan] = {}

    def done(solved: Solved) -> None:
        if solved.problems:  # name the scenario: the data is its edited dataset
            problems.extend(
                replace(p, file=f"scenario {solved.name}: {p.file}") for p in solved.problems
            )
            return
        if solved.plan is not None:
            plans[solved.name] = solved.plan
        results[solved.name] = _finish(out, by_name[solved.name], solved, progress)

    _in_waves(job_list, waiting, plans, out, lambda js: _execute(js, jobs, dask, parallel, done))
    if problems:
        raise InputError(problems)
    return [results[p.scenario.name] for p in prepared]


def _jobs(prepared: list[Prepared], time_limit: float | None, parallel: bool) -> list[Job]:
    """One job per scenario; side by side, each solve gets one CP-SAT worker."""
    return [
        Job(
            p.scenario.name,
            p.dataset,
            p.policy,
            p.scenario.plan_date,  # type: ignore[arg-type]
            time_limit if time_limit is not None else p.scenario.time_limit,
            p.scenario.seed,
            1 if parallel else p.scenario.workers,
        )
        for p in prepared
    ]


def _in_waves(
    job_list: list[Job],
    waiting: dict[str, str],
    plans: dict[str, Plan],
    out: Path,
    execute: Callable[[list[Job]], None],
) -> None:
    """Run the jobs in waves: a scenario starts once the in-run baseline it breaks ties toward
    (``waiting``) is solved, its plan put in ``plans`` by ``execute``."""
    pending, finished = list(job_list), set()
    while pending:
        ready = [j for j in pending if waiting.get(j.name) in (None, *finished)] or pending
        for i, j in enumerate(ready):
            base = plans.get(waiting.get(j.name, ""))
            if base is not None:
                src = str((out / waiting[j.name]).resolve())
                ready[i] = replace(j, reference=reference_from_frame(base.plan, src))
        execute(ready)
        finished |= {j.name for j in ready}
        pending = [j for j in pending if j.name not in finished]


def _references(
    job_list: list[Job], prepared: list[Prepared], out: Path, reference: str | Path | None
) -> dict[str, str]:
    """Set each job's reference plan; returns job → in-run baseline it must wait for."""
    if reference is not None:
        ref = read_reference(reference)
        for j in job_list:
            j.reference = ref
        return {}
    names = {p.scenario.name for p in prepared}
    waiting = {}
    for j, p in zip(job_list, prepared, strict=True):
        if p.scenario.reference is not None:
            j.reference = read_reference(p.scenario.reference)
            continue
        base = baseline_of(p.scenario)
        if base is None:
            continue
        if base in names:
            waiting[j.name] = base
        elif (out / base / "plan.csv").is_file():
            j.reference = read_reference((out / base).resolve())
    return waiting


def _execute(job_list: list[Job], jobs: int, dask: Any, parallel: bool, done) -> None:
    if not job_list:
        return
    if dask is not None:
        solve_on_dask(job_list, dask, done)
    elif parallel and len(job_list) > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(job_list)), mp_context=ctx) as pool:
            futures = [pool.submit(solve_job, j) for j in job_list]
            for fut in as_completed(futures):
                done(fut.result())
    else:
        for j in job_list:
            done(solve_job(j))


def _prepare_all(scs: list[Scenario], out: Path) -> list[Prepared]:
    cache: dict[Path, Dataset] = {}
    prepared: list[Prepared] = []
    problems: list[Problem] = []
    for sc in scs:
        try:
            prepared.append(prepare(sc, cache, source=str((out / sc.name / "dataset").resolve())))
        except InputError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    if problems:
        raise InputError(problems)
    return prepared


def _finish(out: Path, prep: Prepared, solved: Solved, progress: Progress | None) -> RunResult:
    if solved.reference:  # scenario.yaml re-runs with the same tie-break
        prep = replace(prep, scenario=replace(prep.scenario, reference=Path(solved.reference)))
    sc = prep.scenario
    path = None
    if solved.plan is not None:
        path = out / sc.name
        write_run(path, prep, solved.plan)
    kpis = solved.plan.kpis if solved.plan is not None else {}
    if progress:
        posts = (
            f"{kpis['posts_filled']}/{kpis['posts_required']} required posts" if kpis else "no plan"
        )
        progress(
            f"{sc.name}: {solved.status}, {posts}, {solved.wall_time:.1f} s"
            + (f" → {path}" if path else "")
        )
    return RunResult(
        sc.name,
        path,
        solved.status,
        solved.has_plan,
        solved.all_filled,
        kpis,
        solved.notes,
        prep.effects,
        solved.wall_time,
    )


def scenario_yaml(prep: Prepared, folder: Path | None = None) -> str:
    """The resolved scenario, re-runnable as it stands; what each edit did as comments. A
    reference plan that is a run beside ``folder`` is written as ``../<run>``."""
    sc = prep.scenario
    head = [f"# zhucun run folder of scenario {sc.name}"]
    if sc.source:
        head.append(f"# from {sc.source}")
    if sc.variant:
        head.append("# sweep values: " + ", ".join(f"{k}={v}" for k, v in sc.variant.items()))
    head += [f"# {e}" for e in prep.effects]
    doc = sc.to_doc()
    ref = doc["solve"].get("reference")
    if folder is not None and ref and Path(ref).is_relative_to(folder.resolve().parent):
        doc["solve"]["reference"] = os.path.relpath(ref, folder.resolve())
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return "\n".join(head) + "\n" + body


def write_run(path: Path, prep: Prepared, plan: Plan) -> None:
    """Write a run folder as a private temporary sibling and move it into place in one rename
    (refused when ``path`` holds files zhucun did not write)."""
    with staged_folder(path) as tmp:
        write_plan_files(plan, tmp)
        write_text(tmp / "scenario.yaml", scenario_yaml(prep, path))
        write_text(
            tmp / "policy.yaml",
            yaml.safe_dump(prep.policy.to_dict(), allow_unicode=True, sort_keys=False),
        )
        write_dataset_files(prep.files, tmp / "dataset")


def _update_index(out: Path, names: list[str]) -> None:
    index = out / INDEX
    known: list[str] = []
    if index.is_file():
        try:
            known = [str(n) for n in json.loads(index.read_text("utf-8")).get("runs", [])]
        except (ValueError, AttributeError):
            known = []
    merged = list(dict.fromkeys([*known, *names]))
    with private_file(index) as tmp:
        write_text(tmp, json.dumps({"runs": merged}, ensure_ascii=False, indent=2) + "\n")
