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

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, Pin, Posting, Recall
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_dataset, load_table
from optimizer.data.parsing import BadValue, parse_date
from optimizer.instance import SEC, Instance, build_instance, class_order
from optimizer.plan import PLAN_COLUMNS, Plan, build_plan, read_output_csv, write_plan
from optimizer.policy import Policy, load_policy
from optimizer.solver import Assignment, Progress, SolveResult, solve

CHANGE_COLUMNS = [
    "kind",
    "village_id",
    "cadre_id",
    "cadre_name",
    "unit_id",
    "old_village_id",
    "old_role",
    "old_start",
    "new_village_id",
    "new_role",
    "new_start",
    "new_end",
    "reason",
]
NO_TEAM = frozenset({"relocation"})
"""Categories that carry no requirement under any preset (relocation with relocated_pop < 100,
SPEC §2): villages outside the repair get them in the repair's own solve, so it leaves them be."""


@dataclass
class BasePlan:
    """A plan folder as written by ``solve`` (or an earlier ``replan``), rows kept as text."""

    path: Path
    rows: list[dict[str, str]]
    unstaffed: list[dict[str, str]]
    covers: list[tuple[str, str]]
    manifest: dict[str, Any]
    plan_date: date
    digest: str


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


# --------------------------------------------------------------------------- reading


def read_recall(path: str | Path) -> list[Recall]:
    """A recall list (SPEC §5 ``recall`` columns: cadre_id, reason) from a CSV file."""
    return [Recall(r["cadre_id"], r["reason"] or "") for _, r in load_table(path, s.RECALL)]


def _csv(path: Path, required: list[str], problems: list[Problem]) -> list[dict[str, str]] | None:
    frame = read_output_csv(path, required, problems)
    return None if frame is None else frame.to_dict("records")


def read_base_plan(plan_dir: str | Path, ds: Dataset) -> BasePlan:
    """Read and check a plan folder against the dataset; every problem at once."""
    plan_dir = Path(plan_dir)
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder")])
    problems: list[Problem] = []
    rows = _csv(plan_dir / "plan.csv", PLAN_COLUMNS, problems)
    teams = _csv(plan_dir / "teams.csv", ["host_village_id", "covered_village_ids"], problems)
    unstaffed = _csv(plan_dir / "unstaffed.csv", ["village_id", "posts_missing"], problems)
    manifest: dict[str, Any] = {}
    plan_date = None
    try:
        manifest = json.loads((plan_dir / "manifest.json").read_text("utf-8"))
        plan_date = parse_date(str(manifest.get("plan_date", "")))
    except FileNotFoundError:
        problems.append(Problem("manifest.json", "missing file: the plan date is read from it"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("manifest.json", f"is not valid JSON ({exc})"))
    except BadValue as exc:
        problems.append(
            Problem(
                "manifest.json", str(exc), key="plan_date", value=str(manifest.get("plan_date"))
            )
        )
    current = {(p.cadre_id, p.village_id, p.role, p.start.isoformat()) for p in ds.history}
    seen: dict[str, int] = {}
    for i, r in enumerate(rows or []):
        row = i + 2
        for col, pool in (
            ("cadre_id", ds.cadres),
            ("village_id", ds.villages),
            ("unit_id", ds.units),
        ):
            if r[col] not in pool:
                problems.append(
                    Problem(
                        "plan.csv",
                        f"not in the dataset {ds.source}: the plan was made from other data",
                        row,
                        col,
                        r[col],
                    )
                )
        if r["role"] not in ("secretary", "member"):
            problems.append(
                Problem("plan.csv", "expected secretary or member", row, "role", r["role"])
            )
        if r["status"] not in ("new", "incumbent"):
            problems.append(
                Problem("plan.csv", "expected new or incumbent", row, "status", r["status"])
            )
        for col in ("start", "end"):
            if r[col] or col == "start" or r["status"] == "new":
                try:
                    parse_date(r[col])
                except BadValue as exc:
                    problems.append(Problem("plan.csv", str(exc), row, col, r[col]))
        if (
            r["status"] == "incumbent"
            and (r["cadre_id"], r["village_id"], r["role"], r["start"]) not in current
        ):
            problems.append(
                Problem(
                    "plan.csv",
                    "incumbent row without a matching history row in the dataset",
                    row,
                    "cadre_id",
                    r["cadre_id"],
                )
            )
        if r["cadre_id"] in seen:
            problems.append(
                Problem(
                    "plan.csv",
                    f"cadre posted twice (also row {seen[r['cadre_id']]})",
                    row,
                    "cadre_id",
                    r["cadre_id"],
                )
            )
        seen[r["cadre_id"]] = row
    if problems:
        raise InputError(problems)
    covers = [
        (t["host_village_id"], w)
        for t in teams or []
        for w in t["covered_village_ids"].split(";")
        if w
    ]
    digest = hashlib.sha256((plan_dir / "plan.csv").read_bytes()).hexdigest()
    return BasePlan(plan_dir, rows or [], unstaffed or [], covers, manifest, plan_date, digest)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- repair


def _posting(r: dict[str, str]) -> Posting:
    return Posting(
        r["cadre_id"],
        r["unit_id"],
        r["village_id"],
        r["level"],
        r["role"],
        parse_date(r["start"]),
        parse_date(r["end"]) if r["end"] else None,
    )


def _filled(res: SolveResult) -> tuple[int, int]:
    return (sum(f for f, _ in res.coverage.values()), sum(r for _, r in res.coverage.values()))


def _by_class(res: SolveResult) -> tuple[int, ...]:
    """Required posts filled per priority class, weak first: compared lexicographically."""
    return tuple(f for f, _ in res.coverage.values())


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


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
    :class:`InputError`; a failed solve comes back as a status."""
    t0 = time.monotonic()
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    base = read_base_plan(plan_dir, ds)
    day = at or base.plan_date
    say = progress or (lambda _text: None)
    problems: list[Problem] = []
    if day < base.plan_date:
        problems.append(
            Problem(
                "--date",
                f"the repair date is before the plan's date {base.plan_date}",
                value=day.isoformat(),
            )
        )
    new_ends = [parse_date(r["end"]) for r in base.rows if r["status"] == "new"]
    if new_ends and min(new_ends) <= day:
        problems.append(
            Problem(
                "--date",
                f"the plan's postings end on {min(new_ends)}: that is a "
                "changeover, plan it with zhucun solve",
                value=day.isoformat(),
            )
        )
    posted = {r["cadre_id"]: r for r in base.rows}
    reasons: dict[str, str] = {}
    recall = list(recall)
    for rec in recall:
        if rec.cadre_id not in ds.cadres:
            problems.append(
                Problem(
                    recall_file,
                    "unknown cadre: expected a cadre_id of the cadres table",
                    column="cadre_id",
                    value=rec.cadre_id,
                )
            )
        elif rec.cadre_id not in posted:
            problems.append(
                Problem(
                    recall_file,
                    f"cadre {rec.cadre_id} "
                    f"({ds.cadres[rec.cadre_id].name}) is not posted in the plan "
                    f"{base.path}: nothing to recall",
                    column="cadre_id",
                    value=rec.cadre_id,
                )
            )
        else:
            reasons[rec.cadre_id] = f"recalled{': ' + rec.reason if rec.reason else ''}"
    for rec in ds.recall:
        if rec.cadre_id in posted and rec.cadre_id not in reasons:
            reasons[rec.cadre_id] = f"recalled (dataset){': ' + rec.reason if rec.reason else ''}"
    for cid, r in posted.items():
        if cid not in reasons and r["status"] == "new" and not ds.cadres[cid].available:
            reasons[cid] = "marked unavailable (E-AVAIL)"
    recalled = dict(reasons)
    for cid, r in posted.items():
        if cid not in reasons and r["end"] and parse_date(r["end"]) <= day:
            reasons[cid] = f"term ended {r['end']}"
    if not problems and not reasons:
        problems.append(
            Problem(
                recall_file,
                "nothing to repair: no cadre of the plan is "
                "recalled, newly unavailable or at the end of a term",
            )
        )
    if problems:
        raise InputError(problems)

    lost = {cid: posted[cid] for cid in reasons}
    affected = sorted({r["village_id"] for r in lost.values()}, key=list(ds.villages).index)
    extra_recall = [
        Recall(c, reasons[c]) for c in recalled if c not in {r.cadre_id for r in ds.recall}
    ]
    ds_full = replace(ds, recall=[*ds.recall, *extra_recall])
    remaining = [r for r in base.rows if r["status"] == "new" and r["cadre_id"] not in lost]
    notes: list[str] = []
    dropped = [p for p in ds.pins if p.kind == "require" and p.cadre_id in lost]
    for p in dropped:
        notes.append(
            f"require pin {p.cadre_id}→{p.village_id} dropped: the cadre is {reasons[p.cadre_id]}"
        )

    def frozen(movable: set[str]) -> Dataset:
        hist = list(ds.history) + [_posting(r) for r in remaining if r["cadre_id"] not in movable]
        villages = {
            vid: v if vid in affected else replace(v, categories=NO_TEAM, relocated_pop=0)
            for vid, v in ds.villages.items()
        }
        pins = [
            p
            for p in ds.pins
            if p.kind == "forbid" or (p.village_id in affected and p.cadre_id not in posted)
        ]
        pins += [Pin(c, posted[c]["village_id"], "require") for c in sorted(movable)]
        return replace(ds_full, villages=villages, history=hist, pins=pins)

    run = dict(time_limit=time_limit, seed=seed, workers=workers, progress=progress)
    say(f"repair: {len(lost)} posting(s) lost in {len(affected)} village(s)")
    res = solve(frozen(set()), pol, day, **run)  # type: ignore[arg-type]
    mode, movable = "freeze", set()
    if not res.has_plan:
        return Repair(
            None,
            pd.DataFrame(columns=CHANGE_COLUMNS),
            extra_recall,
            mode,
            res.status,
            affected,
            [*notes, *res.notes],
            time.monotonic() - t0,
        )
    filled, required = _filled(res)
    candidates = {r["cadre_id"] for r in remaining if r["village_id"] in affected}
    if filled < required and candidates:
        say(
            f"repair: {required - filled} post(s) still empty; letting the damaged teams' "
            "members change role"
        )
        try:
            res2 = solve(frozen(candidates), pol, day, **run)  # type: ignore[arg-type]
        except InputError as exc:
            notes.append(f"promotion not possible: {exc.problems[0].message}")
        else:
            if res2.has_plan and _filled(res2)[0] > filled:
                res, mode, movable = res2, "promote", candidates
    final = [
        (r["cadre_id"], r["village_id"], r["role"])
        for r in remaining
        if r["cadre_id"] not in movable
    ]
    final += [(a.cadre_id, a.village_id, a.role) for a in res.assignments]
    covers = base.covers
    status, proven, objective = res.status, res.coverage_proven, None
    obj_repair = obj_wide = None
    if threshold is not None:
        outcome = _wide(ds, ds_full, pol, day, final, reasons, run, threshold, notes)
        if outcome is not None:
            wide, obj_repair, obj_wide, better = outcome
            if better:
                mode, final, covers = (
                    "wide",
                    [(a.cadre_id, a.village_id, a.role) for a in wide.assignments],
                    wide.covers,
                )
                status, proven, objective = wide.status, wide.coverage_proven, obj_wide
            else:
                objective = obj_repair
    inst = build_instance(ds_full, pol, day)
    secs = {p.village_id for p in inst.incumbents if p.role == SEC}
    secs |= {v for _, v, r in final if r == SEC}
    covers = [(h, w) for h, w in covers if h in secs]
    full = SolveResult(
        status,
        inst,
        assignments=[Assignment(*t) for t in final],
        covers=covers,
        coverage=_coverage(inst, final, covers),
        objective=objective,
        coverage_proven=proven,
        seed=seed,
        workers=workers,
        time_limit=time_limit,
        notes=[*notes, *res.notes],
    )
    full.wall_time = time.monotonic() - t0
    tables = build_plan(full)
    plan_rows = _patch_rows(tables.plan, base, lost, day, pol.term_years)
    changes = _changes(base, plan_rows, lost, reasons, ds, mode)
    changed = set(changes.village_id) | set(changes.old_village_id) | set(changes.new_village_id)
    changed |= {w for h, w in base.covers if h in changed}
    unstaffed = _keep_unchanged(tables.unstaffed, base.unstaffed, changed)
    manifest = dict(tables.manifest)
    manifest["plan_date"] = base.plan_date.isoformat()
    manifest["replan"] = {
        "base_plan": str(base.path),
        "base_plan_sha256": base.digest,
        "repair_date": day.isoformat(),
        "recalled": [{"cadre_id": c, "reason": reasons[c]} for c in recalled],
        "lost": [
            {"cadre_id": c, "village_id": r["village_id"], "role": r["role"], "reason": reasons[c]}
            for c, r in lost.items()
        ],
        "affected_villages": affected,
        "mode": mode,
        "threshold": threshold,
        "objective_repair": obj_repair,
        "objective_wide": obj_wide,
        "changes": len(changes),
    }
    kpis = dict(tables.kpis)
    kpis["plan_date"] = base.plan_date.isoformat()
    plan = Plan(
        plan_rows, tables.teams, unstaffed, kpis, manifest, tables.villages, tables.reasons_zh
    )
    return Repair(
        plan,
        changes,
        extra_recall,
        mode,
        status,
        affected,
        full.notes,
        time.monotonic() - t0,
        obj_repair,
        obj_wide,
    )


def _wide(
    ds: Dataset,
    ds_full: Dataset,
    pol: Policy,
    day: date,
    final: list[tuple[str, str, str]],
    reasons: dict[str, str],
    run: dict[str, Any],
    threshold: float,
    notes: list[str],
) -> tuple[SolveResult, float, float, bool] | None:
    """Solve the whole plan again with the recalls, and the repair itself in the same model
    (its postings as require pins), so both objectives count the same terms."""
    keep = [p for p in ds.pins if not (p.kind == "require" and p.cadre_id in reasons)]
    wide = solve(replace(ds_full, pins=keep), pol, day, **run)
    pins = [p for p in ds.pins if p.kind == "forbid"]
    pins += [Pin(c, v, "require", r) for c, v, r in final]
    try:
        same = solve(replace(ds_full, pins=pins), pol, day, **run)
    except InputError as exc:
        notes.append(
            f"wider change not compared: the repair cannot be re-evaluated at {day} "
            f"({exc.problems[0].message})"
        )
        return None
    if not (wide.has_plan and same.has_plan):
        notes.append("wider change not compared: a solve found no plan in time")
        return None
    obj_repair, obj_wide = same.objective or 0.0, wide.objective or 0.0
    cov_wide, cov_repair = _by_class(wide), _by_class(same)
    better = cov_wide > cov_repair or (cov_wide == cov_repair and obj_wide - obj_repair > threshold)
    return wide, obj_repair, obj_wide, better


def _coverage(
    inst: Instance, final: list[tuple[str, str, str]], covers: list[tuple[str, str]]
) -> dict[str, tuple[int, int]]:
    """Required posts filled per priority class, counted the way the solver counts them."""
    size = {v: len(inst.inc_by_village.get(v, [])) for v in inst.need}
    secs = {p.village_id for p in inst.incumbents if p.role == SEC}
    for _, v, r in final:
        if v in size:
            size[v] += 1
        if r == SEC:
            secs.add(v)
    covered = {w for _, w in covers}
    out = {k: (0, 0) for k in class_order(inst)}
    for v, k in inst.cls.items():
        need = inst.need[v].min
        got = need if v in covered else min(need if v in secs else need - 1, size[v])
        f, req = out[k]
        out[k] = (f + got, req + need)
    return out


def _patch_rows(
    fresh: pd.DataFrame, base: BasePlan, lost: dict[str, dict[str, str]], day: date, term: int
) -> pd.DataFrame:
    """The repaired plan's rows: a posting the base plan had is its row, unchanged to the
    byte; a new one starts on the repair date and ends with the team it joins."""
    orig = {(r["cadre_id"], r["village_id"], r["role"], r["status"]): r for r in base.rows}
    team_end: dict[str, str] = {}
    for r in lost.values():
        if r["end"] and parse_date(r["end"]) > day:
            team_end.setdefault(r["village_id"], r["end"])
    default_end = _add_years(day, term).isoformat()
    rows = []
    for rec in fresh.to_dict("records"):
        key = (rec["cadre_id"], rec["village_id"], rec["role"], rec["status"])
        if key in orig:
            rows.append(dict(orig[key]))
            continue
        rec = {k: str(v) for k, v in rec.items()}
        if rec["status"] == "new":
            rec["start"] = day.isoformat()
            rec["end"] = team_end.get(rec["village_id"], default_end)
        rows.append(rec)
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def _changes(
    base: BasePlan,
    plan: pd.DataFrame,
    lost: dict[str, dict[str, str]],
    reasons: dict[str, str],
    ds: Dataset,
    mode: str,
) -> pd.DataFrame:
    """One row per difference: removed, added, role (same village, other role), moved."""
    old = {r["cadre_id"]: r for r in base.rows}
    new = {r["cadre_id"]: r for r in plan.to_dict("records")}
    gone: dict[str, list[str]] = {}
    for cid, r in old.items():
        if cid not in new or new[cid]["village_id"] != r["village_id"]:
            gone.setdefault(r["village_id"], []).append(f"{cid} ({r['role']})")
    order = {vid: i for i, vid in enumerate(ds.villages)}
    out = []

    def row(kind: str, cid: str, o: dict | None, n: dict | None, reason: str) -> None:
        src = n or o
        out.append(
            {
                "kind": kind,
                "village_id": src["village_id"],
                "cadre_id": cid,  # type: ignore[index]
                "cadre_name": ds.cadres[cid].name,
                "unit_id": src["unit_id"],  # type: ignore[index]
                "old_village_id": o["village_id"] if o else "",
                "old_role": o["role"] if o else "",
                "old_start": o["start"] if o else "",
                "new_village_id": n["village_id"] if n else "",
                "new_role": n["role"] if n else "",
                "new_start": n["start"] if n else "",
                "new_end": n["end"] if n else "",
                "reason": reason,
            }
        )

    why = "wider change: a better plan overall" if mode == "wide" else ""
    for cid, o in old.items():
        n = new.get(cid)
        if n is None:
            row("removed", cid, o, None, reasons.get(cid, why))
        elif n["village_id"] != o["village_id"]:
            row("moved", cid, o, n, why or "moved")
        elif n["role"] != o["role"]:
            left = "; ".join(gone.get(n["village_id"], []))
            row(
                "role",
                cid,
                o,
                n,
                f"{o['role']} → {n['role']}" + (f", replaces {left}" if left else ""),
            )
    for cid, n in new.items():
        if cid not in old:
            left = "; ".join(gone.get(n["village_id"], []))
            row("added", cid, None, n, f"replaces {left}" if left else (why or "joins the team"))
    rank = {"removed": 0, "role": 1, "moved": 2, "added": 3}
    out.sort(key=lambda r: (order.get(r["village_id"], 0), rank[r["kind"]], r["cadre_id"]))
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)


def _keep_unchanged(
    fresh: pd.DataFrame, base_rows: list[dict[str, str]], changed: set[str]
) -> pd.DataFrame:
    """Unstaffed rows of villages the repair did not touch stay as the base plan wrote them."""
    orig = {r["village_id"]: r for r in base_rows}
    rows = []
    for rec in fresh.to_dict("records"):
        vid = rec["village_id"]
        keep = vid not in changed and vid in orig
        rows.append(dict(orig[vid]) if keep else {k: str(v) for k, v in rec.items()})
    return pd.DataFrame(rows, columns=list(fresh.columns))


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
