"""``verify_plan``: read a plan folder, run the structural checks and every registered rule
check on one :class:`PlanView`, and fold the consequences of a hand edit into its root cause."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from optimizer.data.domain import Dataset
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_dataset
from optimizer.plans.workbook import plan_source
from optimizer.policy import Policy, load_policy
from optimizer.verify import checks  # noqa: F401  (registers every rule's check)
from optimizer.verify.planfiles import DATE_HELP, read_plan, to_date
from optimizer.verify.points import plan_points, weighed_terms
from optimizer.verify.registry import CHECKS, run_check
from optimizer.verify.structure import STRUCTURE
from optimizer.verify.view import PlanView
from optimizer.verify.violation import Violation

STALE = ("PLAN-TEAM-MISMATCH", "PLAN-UNSTAFFED-MISMATCH")
"""teams.csv / unstaffed.csv no longer matching plan.csv: follows from any edit of its rows."""
SHAPE = ("T-SIZE", "T-UNIT", "J-JOINT")
"""Team-shape findings that a row added, dropped or moved elsewhere brings with it."""


@dataclass(frozen=True)
class VerifyReport:
    """What ``zhucun verify`` reports: the violations, and the plan's soft points per term."""

    violations: list[Violation]
    points: dict[str, int]
    """Soft term → the plan's points on it (the terms the policy weighs), re-derived from the
    people and units the plan posts (:func:`optimizer.verify.points.plan_points`)."""


def verify_plan(
    dataset: Dataset | str | Path,
    plan_dir: str | Path,
    policy: Policy | str | Path,
    plan_date: date | str | None = None,
) -> list[Violation]:
    """Check a plan folder against every SPEC §3 rule; returns the violations, sorted by
    (rule, village, cadre, detail). Hard ones make a plan invalid; soft ones inform.

    Raises :class:`InputError` when the plan folder cannot be read (missing ``plan.csv``,
    missing columns, unparseable dates or values)."""
    return verify_report(dataset, plan_dir, policy, plan_date).violations


def verify_report(
    dataset: Dataset | str | Path,
    plan_dir: str | Path,
    policy: Policy | str | Path,
    plan_date: date | str | None = None,
) -> VerifyReport:
    """:func:`verify_plan`'s violations with the plan's soft points per term."""
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    files = read_plan(Path(plan_dir))
    day = _as_date(plan_date) or files.manifest_date
    if day is None:
        raise InputError(
            [
                Problem(
                    "manifest.json", "no plan date: give --date or keep manifest.json's plan_date"
                )
            ]
        )
    view = PlanView(ds, pol, day, files.rows, files.teams, files.shorts)
    found = _named_source(run_checks(view), plan_source(Path(plan_dir))[0])
    points = plan_points(view)
    return VerifyReport(found, {t: points[t] for t in weighed_terms(view)})


def run_checks(view: PlanView) -> list[Violation]:
    """Every check's violations, each once, root causes only, sorted."""
    found = [v for fn in STRUCTURE for v in fn(view)]
    found += [v for rule in CHECKS for v in run_check(rule, view)]
    keyed = {(v.rule, v.village_id, v.cadre_id, v.detail_en, v.severity): v for v in found}
    dups = {r.village_id for r in view.rows if len(view.by_cadre[r.cadre_id]) > 1}
    return sorted(
        _root_causes(list(keyed.values()), dups),
        key=lambda v: (v.rule, v.village_id, v.cadre_id, v.detail_en),
    )


def _root_causes(found: list[Violation], dup_villages: set[str]) -> list[Violation]:
    """One line per root cause when a plan was edited by hand. At a village with another hard
    violation the stale-file findings are folded into it; T-SIZE is folded into a rule that
    explains the size (anything but the team-shape rules); and at villages where a cadre posted
    twice appears, the team shape follows from PLAN-DUPLICATE. Alone, each is still reported."""
    hard = [v for v in found if v.severity == "hard" and v.village_id]
    any_other = {v.village_id for v in hard if v.rule not in STALE}
    root = {v.village_id for v in hard if v.rule not in STALE + SHAPE}

    def folded(v: Violation) -> bool:
        if v.rule in STALE:
            return v.village_id in any_other or v.village_id in dup_villages
        if v.rule == "T-SIZE":
            return v.village_id in root or v.village_id in dup_villages
        return v.rule in SHAPE and v.village_id in dup_villages

    return [v for v in found if not folded(v)]


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    d = to_date(str(value))
    if d is None:
        raise InputError([Problem("date", DATE_HELP, value=str(value))])
    return d


def _named_source(found: list[Violation], path: Path) -> list[Violation]:
    """Read from the workbook: its sheets, not the CSV files, are what the rows refer to."""
    if path.suffix != ".xlsx":
        return found
    names = {
        f"{csv}.csv": f"{path.name} ({sheet})"
        for csv, sheet in (("plan", "选派名单"), ("teams", "工作队"), ("unstaffed", "未覆盖村"))
    }
    pattern = re.compile(r"\b(plan|teams|unstaffed)\.csv\b")

    def fix(text: str) -> str:
        return pattern.sub(lambda m: names[m.group(0)], text)

    return [replace(v, detail_en=fix(v.detail_en), detail_zh=fix(v.detail_zh)) for v in found]
