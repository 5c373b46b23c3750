"""A plan folder (SPEC §6) parsed into rows: :class:`PlanRow` per posting, :class:`TeamRow` per
team, :class:`ShortRow` per village listed short, and the plan date of ``manifest.json``.

Every value that cannot be parsed is reported as a :class:`Problem` naming file, row and column;
any problem at all raises one :class:`InputError`, so the checks only ever see clean rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from optimizer.data import schema as s
from optimizer.data.errors import InputError, Problem
from optimizer.verify.tables import TextRows, raw_tables

ROLES = ("secretary", "member")
STATUS_ALIASES = {
    "new": "new",
    "新派": "new",
    "新选派": "new",
    "新": "new",
    "incumbent": "incumbent",
    "留任": "incumbent",
    "在任": "incumbent",
    "续任": "incumbent",
}

_DATE_FORMS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})()$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$"),
]
DATE_HELP = "expected a date like 2026-09-01"


def to_date(text: str) -> date | None:
    t = text.strip().replace(" ", "") if "年" in text else text.strip()
    for pat in _DATE_FORMS:
        m = pat.match(t)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class PlanRow:
    """One plan.csv row, parsed."""

    rownum: int
    village_id: str
    team_id: str | None
    cadre_id: str
    unit_id: str
    level: str
    role: str
    status: str
    start: date
    end: date | None


@dataclass(frozen=True)
class TeamRow:
    """One teams.csv row, parsed."""

    rownum: int
    team_id: str
    host: str
    covered: tuple[str, ...]
    lead_unit_id: str
    unit_ids: tuple[str, ...]
    size: int
    level: str | None


@dataclass(frozen=True)
class ShortRow:
    """One unstaffed.csv row, parsed."""

    rownum: int
    village_id: str
    posts_missing: int


@dataclass(frozen=True)
class PlanFiles:
    """Everything a plan folder says."""

    rows: tuple[PlanRow, ...]
    teams: tuple[TeamRow, ...]
    shorts: tuple[ShortRow, ...]
    manifest_date: date | None


def read_plan(plan_dir: Path) -> PlanFiles:
    """The plan folder's rows; :class:`InputError` listing every unreadable value."""
    problems: list[Problem] = []
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder (expected a `solve` --out)")])
    pfile, tfile, sfile, (raw_plan, raw_teams, raw_short) = raw_tables(plan_dir, problems)
    rows = [row for rownum, r in raw_plan or [] if (row := _plan_row(pfile, rownum, r, problems))]
    teams = _team_rows(tfile, raw_teams or [], problems)
    shorts = _short_rows(sfile, raw_short or [], problems)
    manifest_date = _manifest_date(plan_dir / "manifest.json", problems)
    if problems:
        raise InputError(problems)
    return PlanFiles(tuple(rows), tuple(teams), tuple(shorts), manifest_date)


def _plan_row(
    pfile: str, rownum: int, r: dict[str, str], problems: list[Problem]
) -> PlanRow | None:
    bad = False
    for col in ("village_id", "cadre_id", "unit_id"):
        if not r[col]:
            problems.append(Problem(pfile, f"required value is empty ({col})", rownum, col, ""))
            bad = True
    role = s.ROLE.lookup(r["role"]) if r["role"] else None
    if role not in ROLES:
        problems.append(
            Problem(pfile, "expected role secretary or member", rownum, "role", r["role"])
        )
        bad = True
    status = STATUS_ALIASES.get(r["status"].strip().lower())
    if status is None:
        problems.append(
            Problem(pfile, "expected status new or incumbent", rownum, "status", r["status"])
        )
        bad = True
    start = to_date(r["start"]) if r["start"] else None
    if start is None:
        problems.append(Problem(pfile, DATE_HELP, rownum, "start", r["start"]))
        bad = True
    end = None
    if r["end"]:
        end = to_date(r["end"])
        if end is None:
            problems.append(Problem(pfile, DATE_HELP + " or empty", rownum, "end", r["end"]))
            bad = True
    if bad:
        return None
    level = (s.LEVEL.lookup(r["level"]) or r["level"]) if r.get("level") else ""
    return PlanRow(
        rownum,
        r["village_id"],
        r.get("team_id") or None,
        r["cadre_id"],
        r["unit_id"],
        level,
        role,
        status,
        start,
        end,
    )  # type: ignore[arg-type]


def _team_rows(tfile: str, raw: TextRows, problems: list[Problem]) -> list[TeamRow]:
    teams = []
    for rownum, r in raw:
        size = _whole(r["size"])
        if size is None:
            problems.append(Problem(tfile, "expected a whole number", rownum, "size", r["size"]))
            continue
        level = (s.LEVEL.lookup(r["level"]) or r["level"]) if r.get("level") else None
        teams.append(
            TeamRow(
                rownum,
                r["team_id"],
                r["host_village_id"],
                _split(r["covered_village_ids"]),
                r["lead_unit_id"],
                _split(r["unit_ids"]),
                size,
                level,
            )
        )
    return teams


def _short_rows(sfile: str, raw: TextRows, problems: list[Problem]) -> list[ShortRow]:
    shorts = []
    for rownum, r in raw:
        n = _whole(r["posts_missing"])
        if n is None:
            problems.append(
                Problem(
                    sfile, "expected a whole number", rownum, "posts_missing", r["posts_missing"]
                )
            )
            continue
        shorts.append(ShortRow(rownum, r["village_id"], n))
    return shorts


def _manifest_date(mpath: Path, problems: list[Problem]) -> date | None:
    if not mpath.is_file():
        return None
    try:
        doc = json.loads(mpath.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("manifest.json", f"is not valid JSON ({exc})"))
        doc = {}
    text = doc.get("plan_date") if isinstance(doc, dict) else None
    if not text:
        return None
    day = to_date(str(text))
    if day is None:
        problems.append(Problem("manifest.json", DATE_HELP, key="plan_date", value=str(text)))
    return day


def _whole(text: str) -> int | None:
    try:
        f = float(text)
    except ValueError:
        return None
    return int(f) if f.is_integer() and f >= 0 else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;；,，]", text) if p.strip())
