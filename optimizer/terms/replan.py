"""Recall repair (召回补派): mend an existing plan when cadres are recalled, with minimal
disruption.

SPEC §3 H-INCUMBENT keeps every posting in force; a recalled cadre appears nowhere. A repair
therefore freezes every posting of the plan that is still in force (the plan's new postings
become kept postings, exactly like incumbents) and solves only the villages whose team lost a
member. Everything else is left byte-for-byte as it was. In order:

1. *freeze*: the remaining members of a damaged team stay in their roles; the solver fills
   the gap (a new first secretary or member, from the team's unit: T-UNIT).
2. *promote*: only when that leaves a required post empty, the remaining new members of the
   damaged teams may change role (a member becomes first secretary) — the one change beyond
   the lost posting a planner accepts without discussion ("the replacement's former role").
3. *wide* (only with a threshold): a full re-solve with the recalls, taken only when it fills
   more required posts or beats the repair's soft objective by more than the threshold.

Every difference from the base plan is listed in ``changes.csv``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data.domain import Dataset, Recall
from optimizer.data.loading import load_dataset
from optimizer.model.result import Progress
from optimizer.plans.build import Plan, build_plan, write_plan
from optimizer.policy import Policy, load_policy
from optimizer.terms.changes import CHANGE_COLUMNS, changes, keep_unchanged, patch_rows
from optimizer.terms.recall import BasePlan, Loss, find_loss, read_base_plan, read_recall
from optimizer.terms.repair import Outcome, Setup, repaired_result, settle, solve_repair


@dataclass
class Repair:
    """A repaired plan: SPEC §6 tables plus the change list."""

    plan: Plan | None
    changes: pd.DataFrame
    recall: list[Recall]
    mode: str
    """``freeze``, ``promote`` or ``wide``: which step produced the plan."""
    status: str
    affected: list[str]
    """Villages whose team lost a member."""
    notes: list[str] = field(default_factory=list)
    wall_time: float = 0.0
    objective_repair: float | None = None
    objective_wide: float | None = None

    @property
    def has_plan(self) -> bool:
        return self.plan is not None

    @property
    def all_filled(self) -> bool:
        k = self.plan.kpis if self.plan is not None else {}
        return bool(k) and k["posts_filled"] == k["posts_required"] and self.plan.unstaffed.empty


def replan(
    dataset: Dataset | str | Path,
    plan_dir: str | Path,
    policy: Policy | str | Path,
    recall: Iterable[Recall] = (),
    at: date | None = None,
    *,
    threshold: float | None = None,
    time_limit: float | None = 60.0,
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
    recall_file: str = "recall",
) -> Repair:
    """Repair the plan in ``plan_dir`` after ``recall`` (and cadres of the plan's new postings
    now marked unavailable, and postings whose term has ended by ``at``).

    ``at`` is the repair date (default: the plan's date): eligibility is judged then and
    replacements start then, ending with the team they join. Raises only
    :class:`InputError` (a bad date is filed under ``date``); a failed solve comes back as
    a status."""
    t0 = time.monotonic()
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    base = read_base_plan(plan_dir, ds)
    day = at or base.plan_date
    say = progress or (lambda _text: None)
    loss = find_loss(ds, base, list(recall), day, recall_file)
    run = dict(time_limit=time_limit, seed=seed, workers=workers, progress=progress)
    setup, extra_recall = _setup(ds, pol, base, loss, day, run)
    notes = [
        f"require pin {p.cadre_id}→{p.village_id} dropped: the cadre is {loss.reasons[p.cadre_id]}"
        for p in ds.pins
        if p.kind == "require" and p.cadre_id in loss.lost
    ]
    say(f"repair: {len(loss.lost)} posting(s) lost in {len(loss.affected)} village(s)")
    res, mode, movable = solve_repair(setup, notes, say)
    if not res.has_plan:
        return Repair(None, pd.DataFrame(columns=CHANGE_COLUMNS), extra_recall, mode,
                      res.status, loss.affected, [*notes, *res.notes], time.monotonic() - t0)  # fmt: skip
    out = settle(setup, res, mode, movable, base.covers, loss.reasons, threshold, notes)
    full = repaired_result(setup, out, [*notes, *res.notes])
    full.wall_time = time.monotonic() - t0
    plan, change_list = _repaired_plan(full, base, loss, setup, out, threshold)
    return Repair(plan, change_list, extra_recall, out.mode, out.status, loss.affected,
                  full.notes, time.monotonic() - t0, out.obj_repair, out.obj_wide)  # fmt: skip


def _setup(
    ds: Dataset, pol: Policy, base: BasePlan, loss: Loss, day: date, run: dict[str, Any]
) -> tuple[Setup, list[Recall]]:
    """What the repair's solves share, and the recalls the repair adds to the dataset's."""
    known = {r.cadre_id for r in ds.recall}
    extra_recall = [Recall(c, loss.reasons[c]) for c in loss.recalled if c not in known]
    setup = Setup(
        ds,
        replace(ds, recall=[*ds.recall, *extra_recall]),
        pol,
        day,
        {r["cadre_id"]: r for r in base.rows},
        [r for r in base.rows if r["status"] == "new" and r["cadre_id"] not in loss.lost],
        loss.affected,
        run,
    )
    return setup, extra_recall


def _repaired_plan(
    full: Any, base: BasePlan, loss: Loss, setup: Setup, out: Outcome, threshold: float | None
) -> tuple[Plan, pd.DataFrame]:
    """SPEC §6 tables of the repaired plan, rows of the base plan kept to the byte, dated as
    the base plan, and the change list."""
    tables = build_plan(full)
    plan_rows = patch_rows(tables.plan, base, loss.lost, setup.day, setup.pol.term_years)
    change_list = changes(base, plan_rows, loss.reasons, setup.ds, out.mode)
    changed = set(change_list.village_id)
    changed |= set(change_list.old_village_id) | set(change_list.new_village_id)
    changed |= {w for h, w in base.covers if h in changed}
    unstaffed = keep_unchanged(tables.unstaffed, base.unstaffed, changed)
    manifest = dict(tables.manifest)
    manifest["plan_date"] = base.plan_date.isoformat()
    manifest["replan"] = {
        "base_plan": str(base.path),
        "base_plan_sha256": base.digest,
        "repair_date": setup.day.isoformat(),
        "recalled": [{"cadre_id": c, "reason": loss.reasons[c]} for c in loss.recalled],
        "lost": [
            {
                "cadre_id": c,
                "village_id": r["village_id"],
                "role": r["role"],
                "reason": loss.reasons[c],
            }
            for c, r in loss.lost.items()
        ],
        "affected_villages": loss.affected,
        "mode": out.mode,
        "threshold": threshold,
        "objective_repair": out.obj_repair,
        "objective_wide": out.obj_wide,
        "changes": len(change_list),
    }
    kpis = dict(tables.kpis)
    kpis["plan_date"] = base.plan_date.isoformat()
    plan = Plan(
        plan_rows, tables.teams, unstaffed, kpis, manifest, tables.villages, tables.reasons_zh
    )
    return plan, change_list


def write_repair(rep: Repair, out: str | Path) -> None:
    """The repaired plan folder: SPEC §6 outputs plus ``changes.csv`` and ``recall.csv`` (put
    the latter into the dataset to re-verify the plan with ``zhucun verify``)."""
    if rep.plan is None:
        raise ValueError("no plan to write")
    recall = pd.DataFrame(
        [{"cadre_id": r.cadre_id, "reason": r.reason} for r in rep.recall],
        columns=["cadre_id", "reason"],
    )
    write_plan(rep.plan, Path(out), extra={"changes.csv": rep.changes, "recall.csv": recall})


__all__ = ["CHANGE_COLUMNS", "Repair", "read_base_plan", "read_recall", "replan", "write_repair"]
