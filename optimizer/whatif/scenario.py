"""What-if scenarios: a base dataset, a policy with overrides, data edits and a plan date.

A scenario file is YAML (format in ``scenarios/README.md``)::

    name: age-57
    description: 年龄上限57岁
    extends: baseline.yaml          # optional: another scenario file, merged underneath
    dataset: ../sample-county       # relative paths resolve against this file's folder
    policy: hunan-2021              # preset name or policy YAML file
    overrides: {eligibility: {max_age: 57}}
    plan_date: 2026-09-01
    edits: [{scale_candidates: {factor: 0.9, seed: 1}}]
    solve: {time_limit: 60, seed: 0, workers: 1}
    sweep: {overrides.eligibility.max_age: [55, 57, 60]}   # optional: one scenario per value

This module holds the :class:`Scenario` itself; files are read by :mod:`files`, checked by
:mod:`validate`, sweeps expanded by :mod:`sweep`, edits applied by :mod:`edits`.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data.errors import InputError, Problem
from optimizer.policy import PRESETS, Policy, load_policy
from optimizer.whatif.edit_checks import normalise_params
from optimizer.whatif.validate import SOLVE_DEFAULTS, check_doc, to_date


@dataclass(frozen=True)
class Scenario:
    """One what-if: solve ``dataset`` under ``policy`` + ``overrides`` after ``edits``.

    Build one in Python or load files with :func:`load_scenarios`. Relative paths resolve
    against the scenario file's folder (``source``), or the working directory without one."""

    name: str
    dataset: str | Path
    policy: str | Path
    plan_date: date | str
    description: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    time_limit: float | None = 60.0
    seed: int = 0
    workers: int = 1
    source: Path | None = None
    """The scenario file this came from, if any."""
    variant: dict[str, Any] = field(default_factory=dict)
    """For a scenario expanded from a sweep: the swept keys and their values."""
    reference: str | Path | None = None
    """A plan folder to break ties toward (``solve.reference``); default: the baseline's run."""

    def __post_init__(self) -> None:
        file = str(self.source) if self.source else f"scenario {self.name}"
        base = self.source.parent if self.source else Path.cwd()
        doc = resolve_paths(self.to_doc(), base)
        problems: list[Problem] = []
        check_doc(doc, file, problems, complete=True)
        if problems:
            raise InputError(problems)
        set_ = object.__setattr__
        set_(self, "dataset", Path(doc["dataset"]))
        set_(self, "policy", doc["policy"])
        set_(self, "plan_date", to_date(doc["plan_date"]))
        set_(self, "overrides", copy.deepcopy(doc.get("overrides") or {}))
        set_(self, "edits", [_canonical_edit(e) for e in doc.get("edits") or []])
        ref = (doc.get("solve") or {}).get("reference")
        set_(self, "reference", None if ref is None else Path(ref))
        if self.source is not None:
            set_(self, "source", Path(self.source).resolve())

    @property
    def file(self) -> str:
        """How messages name this scenario."""
        return str(self.source) if self.source else f"scenario {self.name}"

    def to_doc(self) -> dict[str, Any]:
        """The scenario as a YAML-ready mapping (what ``scenario.yaml`` in a run folder holds)."""
        doc: dict[str, Any] = {"name": self.name}
        if self.description:
            doc["description"] = self.description
        doc["dataset"] = str(self.dataset)
        doc["policy"] = str(self.policy)
        if self.overrides:
            doc["overrides"] = copy.deepcopy(self.overrides)
        doc["plan_date"] = self.plan_date
        if self.edits:
            doc["edits"] = copy.deepcopy(self.edits)
        doc["solve"] = {"time_limit": self.time_limit, "seed": self.seed, "workers": self.workers}
        if self.reference is not None:
            doc["solve"]["reference"] = str(self.reference)
        return doc

    def load_policy(self) -> Policy:
        """The policy with overrides; errors in the overrides name this scenario's keys."""
        try:
            return load_policy(self.policy, self.overrides or None)
        except InputError as exc:
            raise InputError([_blame_overrides(p, self) for p in exc.problems]) from None


def _blame_overrides(p: Problem, sc: Scenario) -> Problem:
    if p.key and sc.overrides and _has_path(sc.overrides, p.key.split(".")):
        return dataclasses.replace(
            p,
            file=sc.file,
            key=f"overrides.{p.key}",
            message=f"{p.message} (merged into policy {sc.policy})",
        )
    return p


def _has_path(doc: Any, parts: list[str]) -> bool:
    for part in parts:
        if not isinstance(doc, dict) or part not in doc:
            return False
        doc = doc[part]
    return True


def _canonical_edit(item: dict[str, Any]) -> dict[str, Any]:
    ((kind, params),) = item.items()
    return {kind: copy.deepcopy(normalise_params(kind, params))}


def resolve_paths(doc: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make dataset, policy file and add_units paths absolute against ``base``."""
    doc = copy.deepcopy(doc)

    def absolute(p: Any) -> Any:
        if not isinstance(p, str | Path) or str(p) in PRESETS:
            return p
        path = Path(p).expanduser()
        return str(path if path.is_absolute() else (base / path).resolve())

    for k in ("dataset", "policy"):
        if k in doc:
            doc[k] = absolute(doc[k])
    sv = doc.get("solve")
    if isinstance(sv, dict) and isinstance(sv.get("reference"), str | Path):
        sv["reference"] = absolute(sv["reference"])
    for item in doc.get("edits") or []:
        if isinstance(item, dict) and len(item) == 1 and "add_units" in item:
            params = normalise_params("add_units", item["add_units"])
            if isinstance(params, dict) and "path" in params:
                params = {**params, "path": absolute(params["path"])}
            item["add_units"] = params
    return doc


def scenario_from_doc(
    doc: dict[str, Any], source: Path | None, variant: dict | None = None
) -> Scenario:
    """The Scenario of a merged document; solve settings default as a file's do."""
    sv = {**SOLVE_DEFAULTS, **(doc.get("solve") or {})}
    return Scenario(
        name=doc.get("name", ""),
        dataset=doc.get("dataset", ""),
        policy=doc.get("policy", ""),
        plan_date=doc.get("plan_date", ""),
        description=doc.get("description") or "",
        overrides=doc.get("overrides") or {},
        edits=doc.get("edits") or [],
        time_limit=sv["time_limit"],
        seed=sv["seed"],
        workers=sv["workers"],
        reference=sv["reference"],
        source=source.resolve() if source else None,
        variant=variant or {},
    )
