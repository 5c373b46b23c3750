"""Reading a recall: the recall list, the plan folder it applies to (checked against the
dataset), and what the recall takes from that plan — the postings lost and why. Every problem
is found before any solve."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Dataset, Recall
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_table
from optimizer.data.parsing import BadValue, parse_date
from optimizer.plans.build import PLAN_COLUMNS
from optimizer.plans.formulas import read_output_csv


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
class Loss:
    """What a recall takes from the base plan."""

    reasons: dict[str, str]
    """Every cadre whose posting is lost → why (recalled, unavailable, term ended)."""
    recalled: dict[str, str]
    """The recalled and newly unavailable among them (not those whose term ended) → why."""
    lost: dict[str, dict[str, str]]
    """Cadre → their row of the base plan."""
    affected: list[str]
    """Villages whose team lost a member, in dataset order."""


def read_recall(path: str | Path) -> list[Recall]:
    """A recall list (SPEC §5 ``recall`` columns: cadre_id, reason) from a CSV file."""
    return [Recall(r["cadre_id"], r["reason"] or "") for _, r in load_table(path, s.RECALL)]


def _csv(path: Path, required: list[str], problems: list[Problem]) -> list[dict[str, str]] | None:
    frame = read_output_csv(path, required, problems)
    return None if frame is None else frame.to_dict("records")


def _read_manifest(plan_dir: Path, problems: list[Problem]) -> tuple[dict[str, Any], date | None]:
    """The plan folder's manifest and the plan date it records."""
    manifest: dict[str, Any] = {}
    try:
        manifest = json.loads((plan_dir / "manifest.json").read_text("utf-8"))
        return manifest, parse_date(str(manifest.get("plan_date", "")))
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
    return manifest, None


def _row_problems(r: dict[str, str], row: int, ds: Dataset, current: set[tuple]) -> list[Problem]:
    """What is wrong with one row of ``plan.csv`` given the dataset (``current``: its history
    as (cadre, village, role, start) keys)."""
    problems = []
    for col, pool in (("cadre_id", ds.cadres), ("village_id", ds.villages), ("unit_id", ds.units)):
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
        problems.append(Problem("plan.csv", "expected secretary or member", row, "role", r["role"]))
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
    key = (r["cadre_id"], r["village_id"], r["role"], r["start"])
    if r["status"] == "incumbent" and key not in current:
        problems.append(
            Problem(
                "plan.csv",
                "incumbent row without a matching history row in the dataset",
                row,
                "cadre_id",
                r["cadre_id"],
            )
        )
    return problems


def read_base_plan(plan_dir: str | Path, ds: Dataset) -> BasePlan:
    """Read and check a plan folder against the dataset; every problem at once."""
    plan_dir = Path(plan_dir)
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder")])
    problems: list[Problem] = []
    rows = _csv(plan_dir / "plan.csv", PLAN_COLUMNS, problems)
    teams = _csv(plan_dir / "teams.csv", ["host_village_id", "covered_village_ids"], problems)
    unstaffed = _csv(plan_dir / "unstaffed.csv", ["village_id", "posts_missing"], problems)
    manifest, plan_date = _read_manifest(plan_dir, problems)
    current = {(p.cadre_id, p.village_id, p.role, p.start.isoformat()) for p in ds.history}
    seen: dict[str, int] = {}
    for row, r in enumerate(rows or [], start=2):
        problems += _row_problems(r, row, ds, current)
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


def _date_problems(base: BasePlan, day: date) -> list[Problem]:
    """A repair date before the plan's, or at the end of its term (a changeover), is refused."""
    problems = []
    if day < base.plan_date:
        problems.append(
            Problem(
                "date",
                f"the repair date is before the plan's date {base.plan_date}",
                value=day.isoformat(),
            )
        )
    new_ends = [parse_date(r["end"]) for r in base.rows if r["status"] == "new"]
    if new_ends and min(new_ends) <= day:
        problems.append(
            Problem(
                "date",
                f"the plan's postings end on {min(new_ends)}: that is a "
                "changeover, plan it with zhucun solve",
                value=day.isoformat(),
            )
        )
    return problems


def _recalled(
    ds: Dataset, base: BasePlan, recall: list[Recall], recall_file: str, problems: list[Problem]
) -> dict[str, str]:
    """Cadres of the plan recalled (by the request, then by the dataset) or newly unavailable
    → why; a request naming an unknown or unposted cadre is a problem."""
    posted = {r["cadre_id"]: r for r in base.rows}
    reasons: dict[str, str] = {}
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
    return reasons


def find_loss(
    ds: Dataset, base: BasePlan, recall: list[Recall], day: date, recall_file: str
) -> Loss:
    """What the recall (and the dataset's recalls, unavailable cadres and ended terms at
    ``day``) takes from the plan; raises :class:`InputError` with every problem, or when
    nothing is lost."""
    problems = _date_problems(base, day)
    recalled = _recalled(ds, base, recall, recall_file, problems)
    reasons = dict(recalled)
    posted = {r["cadre_id"]: r for r in base.rows}
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
    return Loss(reasons, recalled, lost, affected)


__all__ = ["BasePlan", "Loss", "find_loss", "read_base_plan", "read_recall"]
