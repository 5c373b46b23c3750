"""A baseline's postings as a plan folder the verifier reads, and what any plan folder holds.

The folder has the product's columns (``plan.csv``, ``teams.csv``, ``unstaffed.csv``,
``manifest.json`` with the plan date), so ``optimizer.verify.verify_plan`` judges a
baseline's plan exactly as it judges the product's. Posts by class are read back from
``unstaffed.csv`` the same way for every solver: a village's required posts less its
``posts_missing`` (which the verifier checks against the plan's rows).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from optimizer.data.domain import CATEGORIES, Dataset
from optimizer.plans.formulas import write_csv
from optimizer.policy import Policy
from optimizer.rules.eligibility import priority_class, rule_H_INCUMBENT, village_need

PLAN_COLUMNS = ["village_id", "village_name", "team_id", "cadre_id", "cadre_name", "unit_id",
                "unit_name", "level", "role", "status", "start", "end"]  # fmt: skip
TEAM_COLUMNS = ["team_id", "host_village_id", "covered_village_ids", "lead_unit_id", "unit_ids",
                "size", "level"]  # fmt: skip
UNSTAFFED_COLUMNS = ["village_id", "village_name", "categories", "posts_missing", "reason"]


def _plus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def write_folder(
    ds: Dataset,
    policy: Policy,
    plan_date: date,
    postings: list[tuple[str, str, str]],
    out: Path,
    solver: str,
) -> None:
    """``postings``: new (cadre, village, role); incumbents in force are added as kept."""
    out.mkdir(parents=True, exist_ok=True)
    end = _plus_years(plan_date, policy.term_years).isoformat()
    rows = [
        (
            p.village_id,
            p.cadre_id,
            p.unit_id,
            p.level,
            p.role,
            "incumbent",
            p.start.isoformat(),
            p.end.isoformat() if p.end else "",
        )
        for p in rule_H_INCUMBENT(ds, plan_date)
    ]
    for cid, vid, role in postings:
        u = ds.units[ds.cadres[cid].unit_id]
        rows.append((vid, cid, u.unit_id, u.level, role, "new", plan_date.isoformat(), end))
    order = {v: i for i, v in enumerate(ds.villages)}
    rows.sort(key=lambda r: (order[r[0]], r[4] != "secretary", r[5] != "incumbent", r[1]))
    plan = pd.DataFrame(
        [
            {
                "village_id": v,
                "village_name": ds.villages[v].name,
                "team_id": f"T-{v}",
                "cadre_id": c,
                "cadre_name": ds.cadres[c].name,
                "unit_id": u,
                "unit_name": ds.units[u].name,
                "level": lv,
                "role": r,
                "status": st,
                "start": s,
                "end": e,
            }
            for v, c, u, lv, r, st, s, e in rows
        ],
        columns=PLAN_COLUMNS,
    )
    by_v: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        by_v[r[0]].append(r)
    teams, short = [], []
    for vid, rs in by_v.items():
        lead = next((r[2] for r in rs if r[4] == "secretary"), rs[0][2])
        teams.append(
            {
                "team_id": f"T-{vid}",
                "host_village_id": vid,
                "covered_village_ids": "",
                "lead_unit_id": lead,
                "unit_ids": ";".join(sorted({r[2] for r in rs})),
                "size": len(rs),
                "level": ds.units[lead].level,
            }
        )
    for vid, v in ds.villages.items():
        need = village_need(v, policy)
        if need is None:
            continue
        rs = by_v.get(vid, [])
        no_sec = bool(rs) and not any(r[4] == "secretary" for r in rs)
        missing = max(need.min - len(rs), 1 if no_sec else 0)
        if missing > 0:
            short.append(
                {
                    "village_id": vid,
                    "village_name": v.name,
                    "categories": ";".join(c for c in CATEGORIES if c in v.categories),
                    "posts_missing": missing,
                    "reason": f"{solver}: not filled",
                }
            )
    write_csv(plan, out / "plan.csv")
    write_csv(pd.DataFrame(teams, columns=TEAM_COLUMNS), out / "teams.csv")
    write_csv(pd.DataFrame(short, columns=UNSTAFFED_COLUMNS), out / "unstaffed.csv")
    doc = {"tool": f"benchmarks.{solver}", "plan_date": plan_date.isoformat(),
           "policy": policy.name}  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@dataclass
class FolderFigures:
    """What a plan folder holds, counted one way for every solver."""

    posts_by_class: dict[str, tuple[int, int]]
    """Priority class → (required posts filled, required posts)."""
    new_postings: list[tuple[str, str, str]]
    hard: int
    """Hard violations found by the independent verifier."""
    violations: list[str]
    """The first few hard ones, ``RULE village cadre``."""


def posts_by_class(ds: Dataset, policy: Policy, folder: Path) -> dict[str, tuple[int, int]]:
    missing: Counter[str] = Counter()
    path = folder / "unstaffed.csv"
    if path.is_file() and path.read_bytes().strip():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for vid, n in zip(frame["village_id"], frame["posts_missing"], strict=True):
            missing[vid] += int(n or 0)
    out: dict[str, list[int]] = {}
    for vid, v in ds.villages.items():
        need = village_need(v, policy)
        if need is None:
            continue
        k = out.setdefault(priority_class(v), [0, 0])
        k[0] += need.min - min(need.min, missing[vid])
        k[1] += need.min
    return {c: (out[c][0], out[c][1]) for c in CATEGORIES if c in out}


def read_folder(ds: Dataset, policy: Policy, plan_date: date, folder: Path) -> FolderFigures:
    """Verify the folder (:func:`optimizer.verify.verify_plan`) and count its posts."""
    from optimizer.verify import verify_plan

    hard = [v for v in verify_plan(ds, folder, policy, plan_date) if v.severity == "hard"]
    plan = pd.read_csv(folder / "plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    new = plan[plan["status"] == "new"]
    postings = list(zip(new["cadre_id"], new["village_id"], new["role"], strict=True))
    return FolderFigures(
        posts_by_class(ds, policy, folder),
        postings,
        len(hard),
        [f"{v.rule} {v.village_id} {v.cadre_id}".strip() for v in hard[:5]],
    )
