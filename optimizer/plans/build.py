"""Turn a solve result into SPEC §6's tables, KPIs and manifest, and write them atomically."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.data.domain import CATEGORIES
from optimizer.plans.formulas import write_csv
from optimizer.plans.io import staged_folder, write_text
from optimizer.plans.reasons import view_of, village_reasons
from optimizer.plans.workbook import BookInput, write_workbook
from optimizer.rules.instance import MEM, SEC
from optimizer.rules.scoring import expert, young

if TYPE_CHECKING:  # the solver builds its result's tables here (SolveResult.tables)
    from optimizer.model.result import SolveResult

PLAN_COLUMNS = ["village_id", "village_name", "team_id", "cadre_id", "cadre_name", "unit_id",
                "unit_name", "level", "role", "status", "start", "end"]  # fmt: skip
TEAM_COLUMNS = ["team_id", "host_village_id", "covered_village_ids", "lead_unit_id", "unit_ids",
                "size", "level"]  # fmt: skip
UNSTAFFED_COLUMNS = ["village_id", "village_name", "categories", "posts_missing", "reason"]

# Estimated annual cost per posting in force (seed 000 五(二)): 每人每个工作日100元生活补助 (250
# working days a year), 每人每月100元通讯补助, and 每月可报销2次 round trips unit ↔ village, costed
# at 0.8 yuan per km (the seeds set no rate: a car's fuel and tolls, 同等数额的油费). Distances
# are straight lines between unit and village coordinates; postings without them add no travel.
ALLOWANCE_PER_DAY = 100
WORKING_DAYS = 250
COMMUNICATION_PER_MONTH = 100
TRIPS_PER_MONTH = 2
YUAN_PER_KM = 0.8


@dataclass
class Plan:
    """SPEC §6 tables of one solve, plus KPIs and manifest fields."""

    plan: pd.DataFrame
    teams: pd.DataFrame
    unstaffed: pd.DataFrame
    kpis: dict[str, Any]
    manifest: dict[str, Any]
    villages: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Village → (name, township, county), for the workbook."""
    reasons_zh: dict[str, str] = field(default_factory=dict)
    """Short village → its reason in Chinese, for the workbook."""


def add_years(d: date, years: int) -> date:
    """``d`` moved ``years`` on (28 February for a 29 February that year lacks)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def build_plan(res: SolveResult) -> Plan:
    inst = res.instance
    ds, pol, day = inst.ds, inst.policy, inst.plan_date
    end = add_years(day, pol.term_years)
    order = {vid: i for i, vid in enumerate(ds.villages)}
    rows = []
    for p in inst.incumbents:
        rows.append((p.village_id, p.cadre_id, p.unit_id, p.level, p.role, "incumbent",
                     p.start.isoformat(), p.end.isoformat() if p.end else ""))  # fmt: skip
    for a in res.assignments:
        unit = ds.units[ds.cadres[a.cadre_id].unit_id]
        rows.append((a.village_id, a.cadre_id, unit.unit_id, unit.level, a.role, "new",
                     day.isoformat(), end.isoformat()))  # fmt: skip
    rows.sort(key=lambda r: (order[r[0]], r[4] != SEC, r[5] != "incumbent", r[1]))
    plan = pd.DataFrame(
        [{"village_id": v, "village_name": ds.villages[v].name, "team_id": f"T-{v}",
          "cadre_id": c, "cadre_name": ds.cadres[c].name, "unit_id": u,
          "unit_name": ds.units[u].name, "level": lv, "role": r, "status": st, "start": s, "end": e}
         for v, c, u, lv, r, st, s, e in rows],
        columns=PLAN_COLUMNS,
    )  # fmt: skip
    covered_by: dict[str, list[str]] = defaultdict(list)
    for h, w in res.covers:
        covered_by[h].append(w)
    team_rows: dict[str, list[tuple]] = defaultdict(list)  # plain grouping: pandas' groupby
    for row in rows:  # costs seconds over thousands of villages
        team_rows[row[0]].append(row)
    teams = []
    for vid, grp in team_rows.items():
        secs = [r[2] for r in grp if r[4] == SEC]
        lead = secs[0] if secs else grp[0][2]
        teams.append({"team_id": f"T-{vid}", "host_village_id": vid,
                      "covered_village_ids": ";".join(sorted(covered_by.get(vid, []))),
                      "lead_unit_id": lead, "unit_ids": ";".join(sorted({r[2] for r in grp})),
                      "size": len(grp), "level": ds.units[lead].level})  # fmt: skip
    teams_df = pd.DataFrame(teams, columns=TEAM_COLUMNS)
    unstaffed, reasons_zh = _unstaffed(res, plan)
    kpis = _kpis(res, plan, unstaffed)
    places = {vid: (v.name, v.township or "", v.county) for vid, v in ds.villages.items()}
    return Plan(plan, teams_df, unstaffed, kpis, _manifest(res), places, reasons_zh)


# --------------------------------------------------------------------------- reasons


def _unstaffed(res: SolveResult, plan: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Short villages and their reasons (and each reason in Chinese), from the one
    derivation :mod:`optimizer.plans.reasons` that ``explain`` renders too."""
    del plan
    inst = res.instance
    view = view_of(res)
    if not res.has_plan:
        view.postings = [(p.cadre_id, p.village_id, p.role) for p in inst.incumbents]
        view.covers = []
    rows, zh = [], {}
    for vid, r in village_reasons(inst, view).items():
        v = inst.ds.villages[vid]
        reason = r.en if res.has_plan else f"no plan was found ({res.status}); " + r.en
        zh[vid] = r.zh if res.has_plan else f"未找到方案（{res.status}）；" + r.zh
        rows.append({"village_id": vid, "village_name": v.name,
                     "categories": ";".join(c for c in _cat_order(v.categories)),
                     "posts_missing": r.missing, "reason": reason})  # fmt: skip
    return pd.DataFrame(rows, columns=UNSTAFFED_COLUMNS), zh


def _cat_order(cats) -> list[str]:
    return [c for c in CATEGORIES if c in cats]


# --------------------------------------------------------------------------- KPIs


def _per_category(
    res: SolveResult, unstaffed: pd.DataFrame, covered: set[str]
) -> dict[str, dict[str, int]]:
    """Per village flag: villages staffed, covered by a cluster or short, and posts."""
    inst = res.instance
    ds = inst.ds
    short = dict(zip(unstaffed.village_id, unstaffed.posts_missing, strict=True))
    per_cat: dict[str, dict[str, int]] = {}
    for vid, need in inst.need.items():
        for flag in ds.villages[vid].categories:
            d = per_cat.setdefault(flag, {"villages": 0, "staffed": 0, "covered": 0, "short": 0,
                                          "posts_required": 0, "posts_filled": 0})  # fmt: skip
            d["villages"] += 1
            d["posts_required"] += need.min
            d["posts_filled"] += need.min - short.get(vid, 0)
            if vid in covered:
                d["covered"] += 1
            elif vid in short:
                d["short"] += 1
            else:
                d["staffed"] += 1
    return per_cat


def _kpis(res: SolveResult, plan: pd.DataFrame, unstaffed: pd.DataFrame) -> dict[str, Any]:
    inst = res.instance
    ds = inst.ds
    new = plan[plan.status == "new"]
    covered = {w for _, w in res.covers}
    per_cat = _per_category(res, unstaffed, covered)
    required = sum(n.min for n in inst.need.values())
    missing = int(unstaffed.posts_missing.sum()) if len(unstaffed) else 0
    dists = [inst.distance.get((u, v)) for u, v in zip(plan.unit_id, plan.village_id, strict=True)]
    dists = [d for d in dists if d is not None]
    members = plan[plan.role == MEM]
    party = sum(ds.cadres[c].political_status == "member" for c in members.cadre_id)
    needs_total = sum(len(ds.villages[v].needs) for v in set(plan.village_id))
    needs_met = 0
    skills: dict[str, set[str]] = defaultdict(set)
    for vid, cid in zip(plan.village_id, plan.cadre_id, strict=True):
        skills[vid] |= ds.cadres[cid].skills
    for vid, have in skills.items():
        needs_met += len(ds.villages[vid].needs & have)
    living = ALLOWANCE_PER_DAY * WORKING_DAYS * len(plan)
    communication = COMMUNICATION_PER_MONTH * 12 * len(plan)
    travel = sum(d * 2 * TRIPS_PER_MONTH * 12 * YUAN_PER_KM for d in dists)
    return {
        "plan_date": inst.plan_date.isoformat(),
        "policy": inst.policy.name,
        "status": res.status,
        "posts_required": required,
        "posts_filled": required - missing,
        "coverage_by_class": {k: {"filled": f, "required": r} for k, (f, r) in res.coverage.items()},
        "posts_bound": quality(res)["posts_bound"],
        "posts_in_doubt": quality(res)["posts_in_doubt"],
        "coverage_by_category": per_cat,
        "villages_with_requirement": len(inst.need),
        "villages_unstaffed_or_short": len(unstaffed),
        "villages_covered_by_cluster": len(covered),
        "postings": len(plan),
        "new_postings": len(new),
        "incumbents_kept": int((plan.status == "incumbent").sum()),
        "fit_needs_met": needs_met,
        "fit_needs_total": needs_total,
        "fit_share": round(needs_met / needs_total, 4) if needs_total else None,
        "travel_km_mean": round(sum(dists) / len(dists), 2) if dists else None,
        "travel_km_max": round(max(dists), 2) if dists else None,
        "party_share_members": round(party / len(members), 4) if len(members) else None,
        "young_share": round(sum(young(inst, c) for c in plan.cadre_id) / len(plan), 4) if len(plan) else None,
        "expert_share": round(sum(expert(inst, c) for c in plan.cadre_id) / len(plan), 4) if len(plan) else None,
        "unit_load": {u: int(n) for u, n in sorted(Counter(plan.unit_id).items())},
        "estimated_annual_cost_yuan": round(living + communication + travel),
        "cost_living_yuan": living,
        "cost_communication_yuan": communication,
        "cost_travel_yuan": round(travel),
        "soft_objective": res.objective,
    }  # fmt: skip


def quality(res: SolveResult) -> dict[str, Any]:
    """How good the plan is, always with an answer: required posts filled against a proven
    bound, per class and in all (the coverage gap: posts in doubt), and soft points against
    a proven bound for that coverage (the soft gap)."""
    bound = res.coverage_bound or {c: f for c, (f, _q) in res.coverage.items()}
    filled = sum(f for f, _q in res.coverage.values())
    most = res.posts_bound if res.posts_bound is not None else sum(bound.values())
    return {
        "coverage_by_class": {c: {"filled": f, "required": q, "bound": bound.get(c, f),
                                  "in_doubt": max(0, bound.get(c, f) - f)}
                              for c, (f, q) in res.coverage.items()},
        "posts_filled": filled,
        "posts_bound": max(filled, most),
        "posts_in_doubt": max(0, most - filled),
        "coverage_proven": res.coverage_proven,
        "soft_points": res.objective,
        "soft_bound": res.bound,
        "soft_gap": res.gap,
    }  # fmt: skip


def _manifest(res: SolveResult) -> dict[str, Any]:
    from ortools import __version__ as ortools_version

    from optimizer import __version__

    inst = res.instance
    return {
        "tool": "zhucun",
        "tool_version": __version__,
        "ortools_version": ortools_version,
        "dataset": inst.ds.source,
        "input_files": dict(sorted(inst.ds.file_hashes.items())),
        "policy": inst.policy.to_dict(),
        "plan_date": inst.plan_date.isoformat(),
        "seed": res.seed,
        "workers": res.workers,
        "time_limit": res.time_limit,
        "status": res.status,
        "interrupted": res.interrupted,
        "coverage_proven_optimal": res.coverage_proven,
        "objective": res.objective,
        "best_bound": res.bound,
        "gap": res.gap,
        "quality": quality(res),
        "wall_time": round(res.wall_time, 3),
        "notes": res.notes,
        "phases": [{k: v for k, v in ph.items() if k != "trace"} for ph in res.phases],
    }


# --------------------------------------------------------------------------- writing


def _json(obj: Any) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, float) and math.isnan(o):
            return None
        return str(o)

    return json.dumps(obj, ensure_ascii=False, indent=2, default=default) + "\n"


def write_plan(
    plan: Plan,
    out: Path,
    extra: dict[str, pd.DataFrame] | None = None,
    inputs: Iterable[str | Path | None] = (),
) -> None:
    """Write every output into a private temporary sibling folder, then move it into place.
    ``extra``: more CSV files for the same folder (``changes.csv`` of a repair). Refuses
    (:class:`InputError`) an ``out`` that zhucun did not write or that is, or holds, one of
    the ``inputs`` (see :func:`optimizer.plans.io.folder_problems`)."""
    with staged_folder(out, inputs) as tmp:
        write_plan_files(plan, tmp, extra)


def write_plan_files(
    plan: Plan, folder: Path, extra: dict[str, pd.DataFrame] | None = None
) -> None:
    """The SPEC §6 files into an existing (temporary) folder, formula-like text escaped.
    ``plan.xlsx`` first: one newer than ``plan.csv`` was edited after (:mod:`.workbook`)."""
    _write_xlsx(plan, folder / "plan.xlsx")
    write_csv(plan.plan, folder / "plan.csv")
    write_csv(plan.teams, folder / "teams.csv")
    write_csv(plan.unstaffed, folder / "unstaffed.csv")
    write_text(folder / "kpis.json", _json(plan.kpis))
    write_text(folder / "manifest.json", _json(plan.manifest))
    for name, frame in (extra or {}).items():
        write_csv(frame, folder / name)


def _write_xlsx(plan: Plan, path: Path) -> None:
    """The planner's workbook (:mod:`optimizer.plans.workbook`): values only, never a formula."""
    write_workbook(BookInput(plan.plan, plan.teams, plan.unstaffed, plan.kpis,
                             plan.villages, plan.reasons_zh), path)  # fmt: skip
