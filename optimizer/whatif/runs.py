"""Run folders read back (``zhucun run`` or ``zhucun solve`` output): what compare and the
charts work on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from optimizer.data.errors import InputError, Problem
from optimizer.plans.formulas import unescape_frame


@dataclass
class Run:
    """One run folder, read back: the SPEC §6 tables, KPIs, manifest and scenario."""

    name: str
    path: Path
    plan: pd.DataFrame
    teams: pd.DataFrame
    unstaffed: pd.DataFrame
    kpis: dict[str, Any]
    manifest: dict[str, Any]
    scenario: dict[str, Any] = field(default_factory=dict)

    @property
    def dataset_path(self) -> Path | None:
        """The dataset that was solved: the run's own ``dataset/``, else the manifest's."""
        own = self.path / "dataset"
        if own.is_dir():
            return own
        src = self.manifest.get("dataset")
        return Path(src) if src and Path(src).exists() else None


def _read_csv(path: Path) -> pd.DataFrame:
    return unescape_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def load_run(path: str | Path) -> Run:
    """Read a run folder; a folder without a plan is bad input, named as such."""
    path = Path(path)
    if not path.is_dir():
        raise InputError([Problem(str(path), "no such run folder")])
    missing = [n for n in ("plan.csv", "teams.csv", "kpis.json") if not (path / n).is_file()]
    if missing:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"not a run folder: missing {', '.join(missing)} "
                    "(expected the output of zhucun run or zhucun solve)",
                )
            ]
        )
    try:
        kpis = json.loads((path / "kpis.json").read_text("utf-8"))
        manifest = (
            json.loads((path / "manifest.json").read_text("utf-8"))
            if (path / "manifest.json").is_file()
            else {}
        )
    except ValueError as exc:
        raise InputError(
            [Problem(str(path), f"kpis.json or manifest.json is not JSON ({exc})")]
        ) from None
    scenario: dict[str, Any] = {}
    if (path / "scenario.yaml").is_file():
        scenario = yaml.safe_load((path / "scenario.yaml").read_text("utf-8")) or {}
    unstaffed = (
        _read_csv(path / "unstaffed.csv")
        if (path / "unstaffed.csv").is_file()
        else pd.DataFrame(columns=["village_id", "posts_missing"])
    )
    name = str(scenario.get("name") or path.resolve().name)
    return Run(
        name,
        path,
        _read_csv(path / "plan.csv"),
        _read_csv(path / "teams.csv"),
        unstaffed,
        kpis,
        manifest,
        scenario,
    )


def load_runs(items: Any) -> list[Run]:  # noqa: C901 - each way a run folder may be named
    """Runs from folders, :class:`Run` or ``RunResult`` objects. A folder holding run folders
    (a ``zhucun run --out``) stands for all of them, in the order they were run."""
    if isinstance(items, str | Path | Run) or hasattr(items, "has_plan"):
        items = [items]
    runs: list[Run] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Run):
            runs.append(item)
            continue
        if hasattr(item, "has_plan"):  # a RunResult
            if item.path is None:
                problems.append(Problem(item.name, f"no plan to compare ({item.status})"))
                continue
            item = item.path
        path = Path(item)
        try:
            if path.is_dir() and not (path / "plan.csv").exists() and _run_dirs(path):
                runs.extend(load_run(p) for p in _run_dirs(path))
            else:
                runs.append(load_run(path))
        except InputError as exc:
            problems.extend(exc.problems)
    names = [r.name for r in runs]
    for n in sorted({n for n in names if names.count(n) > 1}):
        paths = ", ".join(str(r.path) for r in runs if r.name == n)
        problems.append(
            Problem(paths, f"two runs are both named {n!r}: compare needs distinct names")
        )
    if problems:
        raise InputError(problems)
    if not runs:
        raise InputError([Problem("compare", "no run folders given")])
    return runs


def _run_dirs(folder: Path) -> list[Path]:
    found = {p.name: p for p in folder.iterdir() if p.is_dir() and (p / "plan.csv").is_file()}
    order: list[str] = []
    index = folder / "runs.json"
    if index.is_file():
        try:
            order = [n for n in json.loads(index.read_text("utf-8")).get("runs", []) if n in found]
        except (ValueError, AttributeError):
            order = []
    order += sorted(n for n in found if n not in order)
    return [found[n] for n in order]
