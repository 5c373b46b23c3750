"""A plan folder as the posting ledger takes it: every row of ``plan.csv`` checked, the
postings a repair ends (``changes.csv``), and the manifest fields approval depends on.

Only what can be checked without the dataset is checked here; the dataset, the policy and
the independent verifier come in :mod:`optimizer.terms.check`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from optimizer.data import schema as s
from optimizer.data.domain import Posting
from optimizer.data.errors import InputError, Problem
from optimizer.data.parsing import BadValue, parse_date
from optimizer.plans.build import add_years
from optimizer.plans.formulas import read_output_csv
from optimizer.plans.workbook import WORKBOOK_ERRORS, plan_source, read_workbook

FUTURE_YEARS = 20
"""A plan date further than this after today is a typing error (2126 for 2026), not a plan."""


@dataclass(frozen=True)
class Entry:
    """One posting as the ledger holds it."""

    cadre_id: str
    unit_id: str
    village_id: str
    level: str
    role: str
    start: date
    end: date | None = None
    cadre_name: str = ""
    unit_name: str = ""
    village_name: str = ""

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.cadre_id, self.village_id, self.role, self.start)

    def overlaps(self, other: Entry) -> bool:
        """Same cadre, intervals [start, end) intersect; a handover on the same day does not."""
        if self.cadre_id != other.cadre_id:
            return False
        a_end, b_end = self.end or date.max, other.end or date.max
        return self.start < b_end and other.start < a_end

    def posting(self) -> Posting:
        return Posting(
            self.cadre_id,
            self.unit_id,
            self.village_id,
            self.level,
            self.role,
            self.start,
            self.end,
        )

    def describe(self) -> str:
        end = self.end.isoformat() if self.end else "open"
        name = f" ({self.cadre_name})" if self.cadre_name else ""
        return (
            f"{self.cadre_id}{name} {self.role} at {self.village_id} for {self.unit_id}, "
            f"{self.start}–{end}"
        )


# --------------------------------------------------------------------------- plan folders


@dataclass
class PlanRecord:
    """What ``approve`` takes from a plan folder, validated."""

    digest: str
    plan_date: date
    policy: str
    term_years: int
    entries: list[tuple[str, int | None, Entry]]
    close: list[tuple[Entry, date]]
    term_keys: set[tuple[str, str, str, date]] = field(default_factory=set)
    """Kept incumbents whose end this approval takes from the policy's term length."""
    open_left: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    repair_date: date | None = None
    """A repair's date (``zhucun replan``): its new postings start then, not on the plan date."""
    interrupted: bool = False
    """The solve was stopped by the user (manifest ``interrupted``), approved when told to."""
    file: str = "plan.csv"
    """The file the postings were read from (``plan.xlsx (选派名单)`` after an edit in Excel)."""
    source: str = "read plan.csv"
    """Which file was read, and why."""

    @property
    def repaired(self) -> set[str]:
        """Cadres a mid-term repair posts from its repair date to the plan's term end."""
        if self.repair_date is None or self.repair_date == self.plan_date:
            return set()
        term_end = add_years(self.plan_date, self.term_years)
        return {
            e.cadre_id
            for _, _, e in self.entries
            if e.start == self.repair_date and e.end == term_end
        }


def _date_cell(text: str, file: str, row: int, col: str, problems: list[Problem]) -> date | None:
    try:
        return parse_date(text)
    except BadValue as exc:
        problems.append(Problem(file, str(exc), row, col, text))
        return None


@dataclass
class _Head:
    """The manifest fields approval needs."""

    manifest: dict[str, Any]
    plan_date: date | None
    term: int | None
    policy: str


def _read_head(plan_dir: Path, allow_interrupted: bool, problems: list[Problem]) -> _Head:
    manifest = _manifest(plan_dir, problems)
    pol = manifest.get("policy") if isinstance(manifest.get("policy"), dict) else {}
    term = pol.get("term_years") if pol else None
    if manifest and not (isinstance(term, int) and not isinstance(term, bool) and term > 0):
        problems.append(
            Problem(
                "manifest.json",
                "expected the resolved policy with a whole number of term years",
                key="policy.term_years",
                value=str(term),
            )
        )
        term = None
    plan_date = None
    if manifest:
        raw = str(manifest.get("plan_date", ""))
        try:
            plan_date = parse_date(raw)
        except BadValue as exc:
            problems.append(Problem("manifest.json", str(exc), key="plan_date", value=raw))
    if plan_date and plan_date.year > date.today().year + FUTURE_YEARS:
        problems.append(
            Problem(
                "manifest.json",
                f"plan date is more than {FUTURE_YEARS} years ahead: a typing error?",
                key="plan_date",
                value=plan_date.isoformat(),
            )
        )
        plan_date = None
    if manifest.get("interrupted") is True and not allow_interrupted:
        problems.append(
            Problem(
                "manifest.json",
                "the solve that wrote this plan was interrupted: it may be far from the best "
                "plan; solve again, or approve it only when told explicitly to take it",
                key="interrupted",
                value="true",
            )
        )
    return _Head(manifest, plan_date, term, str(pol.get("name", "")) if pol else "")


def _manifest(plan_dir: Path, problems: list[Problem]) -> dict[str, Any]:
    """The plan folder's manifest.json as an object ({} with a problem when it is not one)."""
    mpath = plan_dir / "manifest.json"
    folder = "(a zhucun plan folder: docs/使用说明.md, 输出文件)"
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
    except FileNotFoundError:
        problems.append(Problem("manifest.json", f"missing file: expected {mpath} {folder}"))
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("manifest.json", f"is not valid JSON ({exc})"))
        return {}
    if not isinstance(manifest, dict):
        problems.append(Problem("manifest.json", f"expected a JSON object {folder}"))
        return {}
    return manifest


def _in_range(
    r: dict[str, str],
    row: int,
    head: _Head,
    dates: tuple[date | None, date | None],
    problems: list,
    file: str = "plan.csv",
) -> None:
    """No date more than two terms after the plan date (2128 typed for 2028)."""
    if head.plan_date and head.term:
        latest = add_years(head.plan_date, 2 * head.term)
        for col, day in zip(("start", "end"), dates, strict=True):
            if day and day > latest:
                problems.append(
                    Problem(
                        file,
                        f"date is more than two terms after the plan date {head.plan_date}",
                        row,
                        col,
                        r[col],
                    )
                )


def _row_entry(  # noqa: C901 - one check per column of a plan row
    r: dict[str, str], row: int, head: _Head, problems: list[Problem], file: str = "plan.csv"
) -> tuple[Entry | None, bool, bool]:
    """One ``plan.csv`` row as an entry (None when it has problems), whether its end came from
    the policy's term length, and whether it stays open (a full term served, no end)."""
    bad = len(problems)
    for col in ("village_id", "cadre_id", "unit_id"):
        if not r[col].strip():
            problems.append(Problem(file, "required value is empty", row, col, ""))
    level, role = s.LEVEL.lookup(r["level"]), s.ROLE.lookup(r["role"])
    if level is None:
        problems.append(
            Problem(file, f"expected one of {s.LEVEL.describe()}", row, "level", r["level"])
        )
    if role is None:
        problems.append(
            Problem(file, f"expected one of {s.ROLE.describe()}", row, "role", r["role"])
        )
    status = r["status"].strip().lower()
    if status not in ("new", "incumbent"):
        problems.append(
            Problem(file, "expected status new or incumbent", row, "status", r["status"])
        )
    start = _date_cell(r["start"], file, row, "start", problems)
    end = None
    if r["end"].strip():
        end = _date_cell(r["end"], file, row, "end", problems)
    elif status == "new":
        problems.append(Problem(file, "a new posting needs its term end", row, "end", ""))
    if start and end and end < start:
        problems.append(Problem(file, f"end is before start ({start})", row, "end", r["end"]))
    _in_range(r, row, head, (start, end), problems, file)
    if len(problems) > bad or start is None or head.plan_date is None or not head.term:
        return None, False, False
    from_term = open_left = False
    if status == "incumbent" and end is None:
        term_end = add_years(start, head.term)
        if term_end > head.plan_date:
            end, from_term = term_end, True
        else:
            open_left = True
    e = Entry(
        r["cadre_id"].strip(),
        r["unit_id"].strip(),
        r["village_id"].strip(),
        level,  # type: ignore[arg-type]
        role,  # type: ignore[arg-type]
        start,
        end,
        r.get("cadre_name", ""),
        r.get("unit_name", ""),
        r.get("village_name", ""),
    )
    return e, from_term, open_left


def read_plan_for_ledger(plan_dir: Path, allow_interrupted: bool = False) -> PlanRecord:
    """Validate a plan folder for approval; raises :class:`InputError` listing every problem."""
    problems: list[Problem] = []
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder")])
    head = _read_head(plan_dir, allow_interrupted, problems)
    path, source = plan_source(plan_dir)
    file, frame = _plan_frame(path, problems)
    entries: list[tuple[str, int | None, Entry]] = []
    open_left = 0
    term_keys: set[tuple[str, str, str, date]] = set()
    rows = [] if frame is None else zip(frame.index, frame.to_dict("records"), strict=True)
    for row, r in rows:
        e, from_term, left = _row_entry(r, int(row), head, problems, file)
        if e is not None:
            entries.append((file, int(row), e))
            open_left += left
            if from_term:
                term_keys.add(e.key)
    close, repair_date = _repair_closings(plan_dir, head.manifest, problems)
    if problems:
        raise InputError(problems)
    digest = "plan:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return PlanRecord(
        digest,
        head.plan_date,  # type: ignore[arg-type]
        head.policy,
        head.term,  # type: ignore[arg-type]
        entries,
        close,
        term_keys,
        open_left,
        head.manifest,
        repair_date,
        head.manifest.get("interrupted") is True,
        file,
        source,
    )


PLAN_NEEDED = ["village_id", "cadre_id", "unit_id", "level", "role", "status", "start", "end"]


def _plan_frame(path: Path, problems: list[Problem]) -> tuple[str, Any]:
    """The plan rows (indexed by the row the spreadsheet shows) from ``plan.csv`` or from the
    workbook a planner edited, and the name messages give that source."""
    if path.suffix != ".xlsx":
        frame = read_output_csv(path, PLAN_NEEDED, problems)
        if frame is not None:
            frame.index = range(2, len(frame) + 2)
        return path.name, frame
    try:
        book = read_workbook(path)
    except WORKBOOK_ERRORS as exc:
        problems.append(Problem(path.name, f"cannot be read as an Excel workbook ({exc})"))
        return path.name, None
    missing = [c for c in PLAN_NEEDED if c not in book.plan.columns]
    for c in missing:
        problems.append(Problem(book.file, f"missing required column {c}", row=1, column=c))
    return book.file, None if missing else book.plan


def _repair_closings(
    plan_dir: Path, manifest: dict[str, Any], problems: list[Problem]
) -> tuple[list[tuple[Entry, date]], date | None]:
    """A repaired plan's removed postings (``changes.csv``), to end at the repair date."""
    repair = manifest.get("replan") if isinstance(manifest, dict) else None
    if not repair:
        return [], None
    if not isinstance(repair, dict):
        problems.append(Problem("manifest.json", "expected an object", key="replan"))
        return [], None
    try:
        when = parse_date(str(repair.get("repair_date", "")))
    except BadValue as exc:
        problems.append(
            Problem(
                "manifest.json",
                str(exc),
                key="replan.repair_date",
                value=str(repair.get("repair_date")),
            )
        )
        return [], None
    needed = ["kind", "cadre_id", "unit_id", "old_village_id", "old_role", "old_start"]
    frame = read_output_csv(plan_dir / "changes.csv", needed, problems)
    out: list[tuple[Entry, date]] = []
    for i, r in enumerate([] if frame is None else frame.to_dict("records")):
        if r["kind"] not in ("removed", "moved", "role"):
            continue
        role = s.ROLE.lookup(r["old_role"])
        start = _date_cell(r["old_start"], "changes.csv", i + 2, "old_start", problems)
        if role is None:
            problems.append(
                Problem(
                    "changes.csv",
                    f"expected one of {s.ROLE.describe()}",
                    i + 2,
                    "old_role",
                    r["old_role"],
                )
            )
        if role is None or start is None:
            continue
        out.append((Entry(r["cadre_id"], r["unit_id"], r["old_village_id"], "", role, start), when))
    return out, when


__all__ = ["Entry", "PlanRecord", "read_plan_for_ledger"]
