"""Independent plan verifier (SPEC §7 ``zhucun verify``).

Reads a plan folder (``plan.csv``, ``teams.csv``, ``unstaffed.csv``, ``manifest.json``, SPEC §6)
and checks it against every rule of SPEC §3 for a dataset and a policy. Each broken rule becomes
one :class:`Violation` naming the rule id, the village and cadre, the data values, and the
seed source of the rule.

Independence: this module shares nothing with the model builder beyond data loading and the
policy parameters. It deliberately does not import ``rules``, ``instance``, ``model``,
``greedy``, ``people``, ``solver``, ``plan`` or ``check``; every rule is re-derived here from the
SPEC, so a bug in the planner cannot hide itself by being shared with its checker.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from optimizer.data import schema as s
from optimizer.data.domain import (
    CATEGORIES,
    LEVELS,
    Cadre,
    Dataset,
    Posting,
    Unit,
    Village,
    completed_years,
)
from optimizer.data.domain import rank_index as _rank_index
from optimizer.data.errors import InputError, Problem
from optimizer.data.loading import load_dataset
from optimizer.glossary import rule_source
from optimizer.outputs import csv_starts_with, private_file, unescape_frame, write_csv
from optimizer.policy import Policy, load_policy
from optimizer.workbook import WORKBOOK_ERRORS, plan_source, read_workbook

# --------------------------------------------------------------------------- result records

STRUCTURAL = (
    "PLAN-DUPLICATE",
    "PLAN-UNKNOWN-ID",
    "PLAN-TEAM-MISMATCH",
    "PLAN-UNSTAFFED-MISMATCH",
    "PLAN-DATES",
)
FRAME_COLUMNS = ["rule", "village_id", "cadre_id", "detail", "source", "severity"]


@dataclass(frozen=True)
class Violation:
    """One broken rule in a plan."""

    rule: str
    """SPEC §3 rule id (``T-SIZE``) or a structural id (``PLAN-DUPLICATE``, …)."""
    village_id: str
    """Empty when the violation is not about one village."""
    cadre_id: str
    """Empty when the violation is not about one cadre."""
    detail_en: str
    detail_zh: str
    source: str
    """The policy documents by title and clause (:func:`optimizer.glossary.rule_source`);
    the plan folder format for structural ones."""
    severity: str = "hard"
    """``hard`` counts as a violation; ``soft`` is informational (a soft rule not met)."""

    def detail(self, lang: str = "en") -> str:
        return self.detail_zh if lang == "zh" else self.detail_en


def violations_frame(violations: list[Violation], lang: str = "en") -> pd.DataFrame:
    """The violations as a table: rule, village_id, cadre_id, detail, source, severity."""
    return pd.DataFrame(
        [
            {
                "rule": v.rule,
                "village_id": v.village_id,
                "cadre_id": v.cadre_id,
                "detail": v.detail(lang),
                "source": rule_source(v.rule, lang) or v.source,
                "severity": v.severity,
            }
            for v in violations
        ],
        columns=FRAME_COLUMNS,
    )


def write_verify_csv(violations: list[Violation], path: str | Path, lang: str = "en") -> None:
    """Private, atomic, formula-like text escaped; replaces only an earlier ``verify.csv``."""
    with private_file(path, ours=csv_starts_with(FRAME_COLUMNS)) as tmp:
        write_csv(violations_frame(violations, lang), tmp)


# --------------------------------------------------------------------------- plan files

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
ROLE_ZH = {"secretary": "第一书记", "member": "队员"}
STATUS_ZH = {"new": "新派", "incumbent": "留任"}
LEVEL_ZH = {"province": "省派", "city": "市派", "county": "县派", "township": "乡镇"}

_PLAN_COLS = {
    "village_id": ("村编码",),
    "village_name": ("村名",),
    "team_id": ("工作队编号",),
    "cadre_id": ("干部编号",),
    "cadre_name": ("姓名",),
    "unit_id": ("单位编码",),
    "unit_name": ("单位名称",),
    "level": ("层级",),
    "role": ("角色",),
    "status": ("状态",),
    "start": ("开始时间",),
    "end": ("结束时间",),
}
_PLAN_REQUIRED = ("village_id", "cadre_id", "unit_id", "role", "status", "start", "end")
_TEAM_COLS = {
    "team_id": ("工作队编号",),
    "host_village_id": ("驻点村编码",),
    "covered_village_ids": ("带动村编码",),
    "lead_unit_id": ("牵头单位编码",),
    "unit_ids": ("派出单位编码",),
    "size": ("人数",),
    "level": ("层级",),
}
_TEAM_REQUIRED = (
    "team_id",
    "host_village_id",
    "covered_village_ids",
    "lead_unit_id",
    "unit_ids",
    "size",
)
_UNSTAFFED_COLS = {
    "village_id": ("村编码",),
    "village_name": ("村名",),
    "categories": ("村类别",),
    "posts_missing": ("缺额",),
    "reason": ("原因",),
}
_UNSTAFFED_REQUIRED = ("village_id", "posts_missing")

_DATE_FORMS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})()$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$"),
]
_DATE_HELP = "expected a date like 2026-09-01"


def _to_date(text: str) -> date | None:
    t = text.strip().replace(" ", "") if "年" in text else text.strip()
    for pat in _DATE_FORMS:
        m = pat.match(t)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
            except ValueError:
                return None
    return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class _Row:
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


@dataclass
class _Team:
    rownum: int
    team_id: str
    host: str
    covered: list[str]
    lead_unit_id: str
    unit_ids: list[str]
    size: int
    level: str | None


@dataclass
class _Short:
    rownum: int
    village_id: str
    posts_missing: int


def _read_table(
    path: Path, cols: dict[str, tuple[str, ...]], required: tuple[str, ...], problems: list[Problem]
) -> list[tuple[int, dict[str, str]]] | None:
    """Rows of one plan CSV as {canonical column: trimmed text}; None when unreadable."""
    if not path.is_file():
        problems.append(
            Problem(
                path.name,
                f"missing file: expected {path} (a zhucun plan folder: docs/使用说明.md, 输出文件)",
            )
        )
        return None
    data = path.read_bytes()
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        problems.append(Problem(path.name, "cannot be read as text: expected UTF-8 or GBK"))
        return None
    if not text.strip():
        problems.append(
            Problem(
                path.name, f"the file is empty: expected a header row with {', '.join(required)}"
            )
        )
        return None
    try:
        frame = unescape_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    except (pd.errors.ParserError, ValueError) as exc:
        problems.append(Problem(path.name, f"is not a well-formed CSV file ({exc})"))
        return None
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return _table_rows(frame, path.name, cols, required, problems)


def _table_rows(
    frame: pd.DataFrame,
    file: str,
    cols: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    problems: list[Problem],
) -> list[tuple[int, dict[str, str]]] | None:
    """Rows of one plan table as {canonical column: trimmed text}, numbered by the frame's
    index (the row the spreadsheet shows); None when a required column is missing."""
    lookup: dict[str, str] = {}
    for name, aliases in cols.items():
        for a in (name, *aliases):
            lookup[a.lower()] = name
    index: dict[str, str] = {}
    for h in frame.columns:
        name = lookup.get(str(h).strip().lower())
        if name is not None and name not in index:
            index[name] = h
    missing = [c for c in required if c not in index]
    if missing:
        for c in missing:
            problems.append(Problem(file, f"missing required column {c}", row=1, column=c))
        return None
    out = []
    for rownum, rec in zip(frame.index, frame.to_dict("records"), strict=True):
        row = {name: str(rec[h]).strip() for name, h in index.items()}
        if any(row.values()):
            out.append((int(rownum), row))
    return out


def _raw_tables(plan_dir: Path, problems: list[Problem]) -> tuple[str, str, str, tuple]:
    """The plan, teams and short villages as rows, from ``plan.xlsx`` when a planner edited
    it (newer than ``plan.csv``, or the only one; see :func:`optimizer.workbook.plan_source`),
    else from the CSV files; with the names messages give each source."""
    path, _ = plan_source(plan_dir)
    if path.suffix == ".xlsx":
        try:
            book = read_workbook(path)
        except WORKBOOK_ERRORS as exc:  # damaged or not a workbook: one line, no traceback
            problems.append(Problem(path.name, f"cannot be read as an Excel workbook ({exc})"))
            return path.name, path.name, path.name, (None, None, [])
        teams_file, short_file = f"{path.name} (工作队)", f"{path.name} (未覆盖村)"
        raw_plan = _table_rows(book.plan, book.file, _PLAN_COLS, _PLAN_REQUIRED, problems)
        raw_teams = None
        if book.teams is None:
            problems.append(Problem(path.name, "missing sheet 工作队"))
        else:
            raw_teams = _table_rows(book.teams, teams_file, _TEAM_COLS, _TEAM_REQUIRED, problems)
        raw_short = []
        if book.unstaffed is not None and len(book.unstaffed):
            raw_short = _table_rows(
                book.unstaffed, short_file, _UNSTAFFED_COLS, _UNSTAFFED_REQUIRED, problems
            )
        return book.file, teams_file, short_file, (raw_plan, raw_teams, raw_short)
    raw_plan = _read_table(plan_dir / "plan.csv", _PLAN_COLS, _PLAN_REQUIRED, problems)
    raw_teams = _read_table(plan_dir / "teams.csv", _TEAM_COLS, _TEAM_REQUIRED, problems)
    us_path = plan_dir / "unstaffed.csv"
    if us_path.is_file() and not us_path.read_bytes().strip():
        raw_short: list[tuple[int, dict[str, str]]] | None = []
    else:
        raw_short = _read_table(us_path, _UNSTAFFED_COLS, _UNSTAFFED_REQUIRED, problems)
    return "plan.csv", "teams.csv", "unstaffed.csv", (raw_plan, raw_teams, raw_short)


def _read_plan(plan_dir: Path) -> tuple[list[_Row], list[_Team], list[_Short], date | None]:
    problems: list[Problem] = []
    if not plan_dir.is_dir():
        raise InputError([Problem(str(plan_dir), "no such plan folder (expected a `solve` --out)")])
    pfile, tfile, sfile, (raw_plan, raw_teams, raw_short) = _raw_tables(plan_dir, problems)
    rows: list[_Row] = []
    for rownum, r in raw_plan or []:
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
        start = _to_date(r["start"]) if r["start"] else None
        if start is None:
            problems.append(Problem(pfile, _DATE_HELP, rownum, "start", r["start"]))
            bad = True
        end = None
        if r["end"]:
            end = _to_date(r["end"])
            if end is None:
                problems.append(Problem(pfile, _DATE_HELP + " or empty", rownum, "end", r["end"]))
                bad = True
        level = (s.LEVEL.lookup(r["level"]) or r["level"]) if r.get("level") else ""
        if not bad:
            rows.append(
                _Row(
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
            )
    teams: list[_Team] = []
    for rownum, r in raw_teams or []:
        size = _whole(r["size"])
        if size is None:
            problems.append(Problem(tfile, "expected a whole number", rownum, "size", r["size"]))
            continue
        teams.append(
            _Team(
                rownum,
                r["team_id"],
                r["host_village_id"],
                _split(r["covered_village_ids"]),
                r["lead_unit_id"],
                _split(r["unit_ids"]),
                size,
                (s.LEVEL.lookup(r["level"]) or r["level"]) if r.get("level") else None,
            )
        )
    shorts: list[_Short] = []
    for rownum, r in raw_short or []:
        n = _whole(r["posts_missing"])
        if n is None:
            problems.append(
                Problem(
                    sfile,
                    "expected a whole number",
                    rownum,
                    "posts_missing",
                    r["posts_missing"],
                )
            )
            continue
        shorts.append(_Short(rownum, r["village_id"], n))
    manifest_date = None
    mpath = plan_dir / "manifest.json"
    if mpath.is_file():
        try:
            doc = json.loads(mpath.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem("manifest.json", f"is not valid JSON ({exc})"))
            doc = {}
        text = doc.get("plan_date") if isinstance(doc, dict) else None
        if text:
            manifest_date = _to_date(str(text))
            if manifest_date is None:
                problems.append(
                    Problem("manifest.json", _DATE_HELP, key="plan_date", value=str(text))
                )
    if problems:
        raise InputError(problems)
    return rows, teams, shorts, manifest_date


def _whole(text: str) -> int | None:
    try:
        f = float(text)
    except ValueError:
        return None
    return int(f) if f.is_integer() and f >= 0 else None


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;；,，]", text) if p.strip()]


# --------------------------------------------------------------------------- requirements


STALE = ("PLAN-TEAM-MISMATCH", "PLAN-UNSTAFFED-MISMATCH")
"""teams.csv / unstaffed.csv no longer matching plan.csv: follows from any edit of its rows."""
SHAPE = ("T-SIZE", "T-UNIT", "J-JOINT")
"""Team-shape findings that a row added, dropped or moved elsewhere brings with it."""


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


@dataclass(frozen=True)
class _Need:
    min: int
    max: int
    sec_levels: frozenset[str]
    mem_levels: frozenset[str]
    flags: tuple[str, ...]
    """Flags that carry a requirement, in priority order."""


def _requirement_key(flag: str, v: Village) -> str | None:
    if flag != "relocation":
        return flag
    pop = v.relocated_pop
    if pop is None or 100 <= pop < 500:
        return "relocation_small"
    return "relocation_large" if pop >= 500 else None


def _need(v: Village, pol: Policy) -> _Need | None:
    found = []
    for flag in CATEGORIES:  # priority order
        if flag not in v.categories:
            continue
        key = _requirement_key(flag, v)
        req = pol.requirements.get(key) if key else None
        if req is not None:
            found.append((flag, req))
    if not found:
        return None
    lo = max(r.min for _, r in found)
    above = [r.max for _, r in found if r.max >= lo]
    hi = min(above) if above else lo
    sec = set(LEVELS)
    mem = set(LEVELS)
    for _, r in found:
        sec &= set(r.secretary_levels or pol.secretary_levels)
        mem &= set(r.member_levels or pol.member_levels)
    for level, flags in pol.level_scope.items():
        if not (v.categories & set(flags)):
            sec.discard(level)
            mem.discard(level)
    return _Need(lo, hi, frozenset(sec), frozenset(mem), tuple(f for f, _ in found))


def _city_of(v: Village) -> str | None:
    if v.city:
        return v.city
    if len(v.county) == 6 and v.county.isdigit():
        return v.county[:4] + "00"
    return None


def _lv(levels: frozenset[str] | set[str]) -> str:
    return "/".join(lv for lv in LEVELS if lv in levels) or "none"


def _lv_zh(levels: frozenset[str] | set[str]) -> str:
    return "、".join(LEVEL_ZH[lv] for lv in LEVELS if lv in levels) or "无"


# --------------------------------------------------------------------------- the verifier


class _Verifier:
    def __init__(
        self,
        ds: Dataset,
        pol: Policy,
        day: date,
        rows: list[_Row],
        teams: list[_Team],
        shorts: list[_Short],
    ):
        self.ds, self.pol, self.day = ds, pol, day
        self.rows, self.teams, self.shorts = rows, teams, shorts
        self.out: list[Violation] = []
        self.need = {vid: _need(v, pol) for vid, v in ds.villages.items()}
        self.recalled = {r.cadre_id for r in ds.recall}
        self.current = [p for p in ds.history if p.start <= day and (p.end is None or p.end > day)]
        self.busy = {p.cadre_id for p in self.current} | self.recalled
        # a departed cadre (history row, not in the cadres table) leaves the post vacant
        self.kept = [
            p for p in self.current if p.cadre_id not in self.recalled and p.cadre_id in ds.cadres
        ]
        # previous period per village: ended rows with the latest end date
        last: dict[str, date] = {}
        for p in ds.history:
            if (
                p.end is not None
                and p.end <= day
                and (p.village_id not in last or p.end > last[p.village_id])
            ):
                last[p.village_id] = p.end
        self.prev_rows: dict[str, list[Posting]] = defaultdict(list)
        for p in ds.history:
            if p.end is not None and p.village_id in last and p.end == last[p.village_id]:
                self.prev_rows[p.village_id].append(p)
        # the team a village keeps (H-CONTINUITY): its current rows, recalled or not (the
        # recalled cadre's unit sends the replacement); the previous period only without one
        self.keep_rows: dict[str, list[Posting]] = defaultdict(list)
        for p in self.current:
            self.keep_rows[p.village_id].append(p)
        for vid, rows in self.prev_rows.items():
            if vid not in self.keep_rows:
                self.keep_rows[vid] = rows
        self.served: dict[str, list[Posting]] = defaultdict(list)
        for p in ds.history:
            self.served[p.cadre_id].append(p)
        self.term_end = _add_years(day, pol.term_years)
        # rows whose village is known, grouped by village
        self.by_village: dict[str, list[_Row]] = defaultdict(list)
        self.short_of: dict[str, list[_Short]] = defaultdict(list)
        for sh in shorts:
            self.short_of[sh.village_id].append(sh)
        self.covered_by: dict[str, list[str]] = defaultdict(list)

    # ------------------------------------------------------------------ helpers
    def add(self, rule: str, vid: str, cid: str, en: str, zh: str, severity: str = "hard") -> None:
        self.out.append(Violation(rule, vid, cid, en, zh, rule_source(rule, "zh"), severity))

    def vname(self, vid: str) -> str:
        v = self.ds.villages.get(vid)
        return f"{vid} ({v.name})" if v else vid

    def cname(self, cid: str) -> str:
        c = self.ds.cadres.get(cid)
        return f"{cid} ({c.name})" if c else cid

    def uname(self, uid: str) -> str:
        u = self.ds.units.get(uid)
        return f"{uid} ({u.name}, {u.level})" if u else uid

    def uname_zh(self, uid: str) -> str:
        u = self.ds.units.get(uid)
        return f"{uid}（{u.name}，{LEVEL_ZH[u.level]}）" if u else uid

    def need_text(self, vid: str) -> tuple[str, str]:
        n = self.need.get(vid)
        if n is None:
            return "no requirement", "无选派要求"
        flags = ";".join(n.flags)
        flags_zh = "、".join(s.CATEGORY.zh[f] for f in n.flags)
        return (
            f"{flags}: {n.min}–{n.max} people",
            f"{flags_zh}：{n.min}–{n.max}人",
        )

    # ------------------------------------------------------------------ run
    def run(self) -> list[Violation]:
        self.check_ids_and_duplicates()
        self.check_incumbents()
        self.check_new_rows()
        self.check_teams_file()
        self.check_clusters()
        self.check_team_rules()
        self.check_unstaffed()
        self.check_participation()
        self.check_pins()
        keyed = {(v.rule, v.village_id, v.cadre_id, v.detail_en, v.severity): v for v in self.out}
        seen: dict[str, set[str]] = defaultdict(set)
        for r in self.rows:
            seen[r.cadre_id].add(r.village_id)
        dups = {v for vs in seen.values() if len(vs) > 1 for v in vs}
        dups |= {r.village_id for r in self.rows
                 if sum(1 for x in self.rows if x.cadre_id == r.cadre_id) > 1}  # fmt: skip
        return sorted(_root_causes(list(keyed.values()), dups),
                      key=lambda v: (v.rule, v.village_id, v.cadre_id, v.detail_en))  # fmt: skip

    # ------------------------------------------------------------------ structural
    def check_ids_and_duplicates(self) -> None:
        ds = self.ds
        seen: dict[str, list[_Row]] = defaultdict(list)
        for r in self.rows:
            if r.village_id not in ds.villages:
                self.add(
                    "PLAN-UNKNOWN-ID",
                    r.village_id,
                    r.cadre_id,
                    f"plan.csv row {r.rownum}: village {r.village_id} is not in the dataset",
                    f"plan.csv 第{r.rownum}行：村 {r.village_id} 不在数据中",
                )
            else:
                self.by_village[r.village_id].append(r)
            if r.cadre_id not in ds.cadres:
                self.add(
                    "PLAN-UNKNOWN-ID",
                    r.village_id if r.village_id in ds.villages else "",
                    r.cadre_id,
                    f"plan.csv row {r.rownum}: cadre {r.cadre_id} is not in the dataset",
                    f"plan.csv 第{r.rownum}行：干部 {r.cadre_id} 不在数据中",
                )
            if r.unit_id not in ds.units:
                self.add(
                    "PLAN-UNKNOWN-ID",
                    r.village_id if r.village_id in ds.villages else "",
                    r.cadre_id,
                    f"plan.csv row {r.rownum}: unit {r.unit_id} is not in the dataset",
                    f"plan.csv 第{r.rownum}行：单位 {r.unit_id} 不在数据中",
                )
            seen[r.cadre_id].append(r)
        for cid, rs in seen.items():
            if len(rs) > 1:
                where = ", ".join(f"{r.village_id} as {r.role} (row {r.rownum})" for r in rs)
                where_zh = "、".join(
                    f"{r.village_id}{ROLE_ZH[r.role]}（第{r.rownum}行）" for r in rs
                )
                self.add(
                    "PLAN-DUPLICATE",
                    "",
                    cid,
                    f"cadre {self.cname(cid)} has {len(rs)} postings: {where}",
                    f"干部 {self.cname(cid)} 有{len(rs)}个派驻：{where_zh}",
                )
        for r in self.rows:
            if r.status != "new":
                continue
            if r.start != self.day or r.end != self.term_end:
                self.add(
                    "PLAN-DATES",
                    r.village_id,
                    r.cadre_id,
                    f"new posting runs {r.start}–{r.end or '(open)'}; expected "
                    f"{self.day}–{self.term_end} (plan date + {self.pol.term_years}-year term)",
                    f"新派任期为 {r.start}–{r.end or '（空）'}，应为 {self.day}–{self.term_end}"
                    f"（选派日期起{self.pol.term_years}年）",
                )

    # ------------------------------------------------------------------ H-INCUMBENT
    def check_incumbents(self) -> None:
        by_cadre: dict[str, list[_Row]] = defaultdict(list)
        for r in self.rows:
            by_cadre[r.cadre_id].append(r)
        for p in self.kept:
            rs = by_cadre.get(p.cadre_id, [])
            match = [
                r
                for r in rs
                if r.status == "incumbent" and r.village_id == p.village_id and r.role == p.role
            ]
            span = f"{p.start}–{p.end or 'open'}"
            span_zh = f"{p.start}–{p.end or '至今'}"
            if not match:
                if rs:
                    got = ", ".join(f"{r.village_id} as {r.status} {r.role}" for r in rs)
                    got_zh = "、".join(
                        f"{r.village_id}{STATUS_ZH[r.status]}{ROLE_ZH[r.role]}" for r in rs
                    )
                else:
                    got, got_zh = "nowhere in the plan", "计划中没有"
                self.add(
                    "H-INCUMBENT",
                    p.village_id,
                    p.cadre_id,
                    f"incumbent {p.role} {self.cname(p.cadre_id)} serves at {self.vname(p.village_id)} "
                    f"({span}, not recalled) and must stay there as an incumbent; the plan has: {got}",
                    f"在任{ROLE_ZH[p.role]} {self.cname(p.cadre_id)} 驻 {self.vname(p.village_id)}"
                    f"（{span_zh}，未召回），应留任；计划中为：{got_zh}",
                )
                continue
            for r in match:
                if r.start != p.start or r.end != p.end:
                    self.add(
                        "PLAN-DATES",
                        r.village_id,
                        r.cadre_id,
                        f"incumbent row runs {r.start}–{r.end or 'open'}; the history row runs {span}",
                        f"留任行任期 {r.start}–{r.end or '空'} 与历史记录 {span_zh} 不符",
                    )
        for r in self.rows:
            if r.cadre_id in self.recalled:
                self.add(
                    "H-INCUMBENT",
                    r.village_id,
                    r.cadre_id,
                    f"cadre {self.cname(r.cadre_id)} is in the recall list but is in the plan "
                    f"at {self.vname(r.village_id)} as {r.status} {r.role}",
                    f"干部 {self.cname(r.cadre_id)} 在召回名单中，但计划仍安排在 "
                    f"{self.vname(r.village_id)}（{STATUS_ZH[r.status]}{ROLE_ZH[r.role]}）",
                )
                continue
            if r.status == "incumbent" and not any(
                p.cadre_id == r.cadre_id and p.village_id == r.village_id and p.role == r.role
                for p in self.current
            ):
                self.add(
                    "H-INCUMBENT",
                    r.village_id,
                    r.cadre_id,
                    f"row marked incumbent, but {self.cname(r.cadre_id)} has no history "
                    f"posting as {r.role} at {self.vname(r.village_id)} in force at {self.day}",
                    f"标为留任，但 {self.cname(r.cadre_id)} 在 {self.day} 没有驻 "
                    f"{self.vname(r.village_id)} 任{ROLE_ZH[r.role]}的在任记录",
                )

    # ------------------------------------------------------------------ per new posting
    def check_new_rows(self) -> None:
        for r in self.rows:
            if r.status != "new" or r.cadre_id in self.recalled:
                continue
            c = self.ds.cadres.get(r.cadre_id)
            v = self.ds.villages.get(r.village_id)
            u = self.ds.units.get(r.unit_id)
            if c is None:
                continue
            own = self.ds.units.get(c.unit_id)
            if own is None:
                continue
            if r.unit_id != c.unit_id:
                self.add(
                    "U-NODELEGATE",
                    r.village_id,
                    r.cadre_id,
                    f"posted for unit {self.uname(r.unit_id)}, but the cadre belongs to "
                    f"{self.uname(c.unit_id)}",
                    f"以 {self.uname_zh(r.unit_id)} 名义派出，但干部属于 {self.uname_zh(c.unit_id)}",
                )
            self.check_general(r, c, own)
            if r.role == "secretary":
                self.check_secretary(r, c, own)
            if v is None:
                continue
            if any(p.village_id == v.village_id for p in self.served.get(c.cadre_id, [])):
                past = [p for p in self.served[c.cadre_id] if p.village_id == v.village_id]
                spans = ", ".join(f"{p.role} {p.start}–{p.end or 'open'}" for p in past)
                spans_zh = "、".join(
                    f"{ROLE_ZH.get(p.role, p.role)} {p.start}–{p.end or '至今'}" for p in past
                )
                self.add(
                    "H-NOREPEAT",
                    v.village_id,
                    c.cadre_id,
                    f"{self.cname(c.cadre_id)} served at {self.vname(v.village_id)} before ({spans})",
                    f"{self.cname(c.cadre_id)} 曾驻 {self.vname(v.village_id)}（{spans_zh}）",
                )
            need = self.need.get(v.village_id)
            if need is None:
                self.add(
                    "T-SIZE",
                    v.village_id,
                    c.cadre_id,
                    f"new {r.role} {self.cname(c.cadre_id)} posted to {self.vname(v.village_id)}, "
                    f"whose categories ({';'.join(sorted(v.categories))}) carry no requirement "
                    f"under {self.pol.name}: the village gets no team",
                    f"{self.vname(v.village_id)} 的村类别在 {self.pol.name} 下无选派要求，"
                    f"不应新派{ROLE_ZH[r.role]} {self.cname(c.cadre_id)}",
                )
            if u is None:
                continue
            if need is not None:
                allowed = need.sec_levels if r.role == "secretary" else need.mem_levels
                if u.level not in allowed:
                    self.add(
                        "LV-LEVEL",
                        v.village_id,
                        c.cadre_id,
                        f"{r.role} from a {u.level}-level unit {self.uname(u.unit_id)}; "
                        f"{self.vname(v.village_id)} ({';'.join(need.flags)}) takes {r.role}s "
                        f"from {_lv(allowed)} units",
                        f"{ROLE_ZH[r.role]}来自{LEVEL_ZH[u.level]}单位 {self.uname_zh(u.unit_id)}；"
                        f"{self.vname(v.village_id)} 的{ROLE_ZH[r.role]}只能由{_lv_zh(allowed)}单位选派",
                    )
            self.check_region(r, u, v)
            self.check_history_rules(r, u, v)

    def check_general(self, r: _Row, c: Cadre, unit: Unit) -> None:
        pol, vid, cid = self.pol, r.village_id, r.cadre_id
        if not c.available:
            self.add(
                "E-AVAIL",
                vid,
                cid,
                f"{self.cname(cid)} is marked unavailable (available = false)",
                f"{self.cname(cid)} 标记为不可派",
            )
        if c.employment != "staff":
            self.add(
                "E-SERVICE",
                vid,
                cid,
                f"{self.cname(cid)} employment is {c.employment}; only in-service staff may be posted",
                f"{self.cname(cid)} 编制状态为 {s.EMPLOYMENT.zh[c.employment]}，只能选派在编在岗人员",
            )
        if c.health == "poor":
            self.add(
                "E-HEALTH",
                vid,
                cid,
                f"{self.cname(cid)} health is poor",
                f"{self.cname(cid)} 健康状况较差",
            )
        if pol.eval_ban and c.eval_recent in ("basic", "incompetent"):
            self.add(
                "E-EVAL",
                vid,
                cid,
                f"{self.cname(cid)} worst rating of the last two years is {c.eval_recent}",
                f"{self.cname(cid)} 近两年考核为{s.EVAL.zh[c.eval_recent]}",
            )
        if pol.township_ban and (c.township_cadre or unit.level == "township"):
            why = (
                "is a township cadre"
                if c.township_cadre
                else f"belongs to township unit {unit.unit_id}"
            )
            self.add(
                "E-TOWNSHIP",
                vid,
                cid,
                f"{self.cname(cid)} {why}; township cadres may not be posted under {pol.name}",
                f"{self.cname(cid)} 为乡镇干部，{pol.name} 不得选派乡镇干部",
            )
        if pol.max_age is not None:
            age = completed_years(c.birth_date, self.day)
            if age > pol.max_age:
                self.add(
                    "E-AGE",
                    vid,
                    cid,
                    f"{self.cname(cid)} is {age} at {self.day} (born {c.birth_date}); max {pol.max_age}",
                    f"{self.cname(cid)} 在 {self.day} 为{age}周岁（{c.birth_date}出生），上限{pol.max_age}岁",
                )

    def check_secretary(self, r: _Row, c: Cadre, unit: Unit) -> None:
        pol, vid, cid, day = self.pol, r.village_id, r.cadre_id, self.day
        if c.political_status != "member":
            self.add(
                "E-SEC-PARTY",
                vid,
                cid,
                f"first secretary {self.cname(cid)} is {c.political_status}, not a full CPC member",
                f"第一书记 {self.cname(cid)} 政治面貌为{s.POLITICAL.zh[c.political_status]}，不是中共正式党员",
            )
        elif c.party_date is None:
            self.add(
                "E-SEC-PARTYYRS",
                vid,
                cid,
                f"first secretary {self.cname(cid)} has no party date; needs ≥ "
                f"{pol.sec_min_party_years} years of party standing at {day}",
                f"第一书记 {self.cname(cid)} 无入党时间；需党龄≥{pol.sec_min_party_years}年",
            )
        else:
            yrs = completed_years(c.party_date, day)
            if yrs < pol.sec_min_party_years:
                self.add(
                    "E-SEC-PARTYYRS",
                    vid,
                    cid,
                    f"party standing {yrs} years at {day} (joined {c.party_date}); needs ≥ "
                    f"{pol.sec_min_party_years}",
                    f"{day} 党龄{yrs}年（{c.party_date}入党），需≥{pol.sec_min_party_years}年",
                )
        work = completed_years(c.work_date, day)
        if work < pol.sec_min_work_years:
            self.add(
                "E-SEC-WORKYRS",
                vid,
                cid,
                f"work experience {work} years at {day} (started {c.work_date}); needs ≥ "
                f"{pol.sec_min_work_years}",
                f"{day} 工作年限{work}年（{c.work_date}参加工作），需≥{pol.sec_min_work_years}年",
            )
        lr = pol.leader_rank.get(unit.level)
        if lr is None or not (lr.min_rank or lr.middle_manager_kinds or lr.young_pool):
            return
        kind = unit.kind or "organ"
        if kind not in lr.applies_to:
            return
        if lr.min_rank and _rank_index(c.rank) >= _rank_index(lr.min_rank):
            return
        if c.middle_manager and kind in lr.middle_manager_kinds:
            return
        if lr.young_pool and c.young_pool:
            return
        alts = []
        alts_zh = []
        if lr.min_rank:
            alts.append(f"rank ≥ {lr.min_rank}")
            alts_zh.append(f"职级≥{s.RANK.zh[lr.min_rank]}")
        if lr.middle_manager_kinds and kind in lr.middle_manager_kinds:
            alts.append(f"a middle manager ({kind} unit)")
            alts_zh.append("中层以上")
        if lr.young_pool:
            alts.append("young-cadre pool")
            alts_zh.append("优秀年轻干部")
        rank = c.rank or "clerk"
        self.add(
            "L-RANK",
            vid,
            cid,
            f"first secretary {self.cname(cid)} from {unit.level}-level {kind} unit {unit.unit_id}: "
            f"rank {rank}{', not a middle manager' if not c.middle_manager else ''}"
            f"{', not in the young pool' if lr.young_pool else ''}; needs "
            f"{' or '.join(alts) or 'a qualifying rank'}",
            f"第一书记 {self.cname(cid)}（{LEVEL_ZH[unit.level]}单位 {unit.unit_id}）职级为"
            f"{s.RANK.zh[rank]}，需{'或'.join(alts_zh) or '相应职级'}",
        )

    def check_region(self, r: _Row, u: Unit, v: Village) -> None:
        if u.level == "province":
            return
        if u.level == "city":
            city = _city_of(v)
            if u.region is not None and u.region == city:
                return
            self.add(
                "LV-REGION",
                v.village_id,
                r.cadre_id,
                f"city-level unit {self.uname(u.unit_id)} of city {u.region} serves "
                f"{self.vname(v.village_id)} in city {city or 'unknown'}",
                f"市派单位 {self.uname_zh(u.unit_id)}（市 {u.region}）不能派往市 {city or '未知'} 的 "
                f"{self.vname(v.village_id)}",
            )
            return
        if u.region is not None and u.region == v.county:
            return
        self.add(
            "LV-REGION",
            v.village_id,
            r.cadre_id,
            f"{u.level}-level unit {self.uname(u.unit_id)} of county {u.region} serves "
            f"{self.vname(v.village_id)} in county {v.county}",
            f"{LEVEL_ZH[u.level]}单位 {self.uname_zh(u.unit_id)}（县 {u.region}）不能派往县 {v.county} 的 "
            f"{self.vname(v.village_id)}",
        )

    def check_history_rules(self, r: _Row, u: Unit, v: Village) -> None:
        pol, vid = self.pol, v.village_id
        self.check_provkey(r, u, v)
        self.check_continuity(r, u, v)
        prev = self.prev_rows.get(vid, [])
        if not prev:
            return
        prev_end = prev[0].end
        if pol.provvillage in ("hard", "soft") and r.role == "secretary" and u.level == "province":
            prov = sorted({p.unit_id for p in prev if p.level == "province"})
            if prov:
                self.add(
                    "H-PROVVILLAGE",
                    vid,
                    r.cadre_id,
                    f"province-level team from {self.uname(u.unit_id)} at {self.vname(vid)}, which "
                    f"had a province-level team ({';'.join(prov)}) in the previous period (ended {prev_end})",
                    f"省派工作队 {self.uname_zh(u.unit_id)} 派往 {self.vname(vid)}，该村上一周期"
                    f"（{prev_end}结束）已有省派工作队（{';'.join(prov)}）",
                    "hard" if pol.provvillage == "hard" else "soft",
                )

    def check_continuity(self, r: _Row, u: Unit, v: Village) -> None:
        pol, vid = self.pol, v.village_id
        keep = self.keep_rows.get(vid, [])
        if pol.continuity not in ("hard", "soft") or not keep:
            return
        leads = {p.unit_id for p in keep if p.role == "secretary"} or {p.unit_id for p in keep}
        judged = r.role == "secretary" or (
            pol.continuity == "hard" and pol.members_from == "lead_unit"
        )
        if not judged or u.unit_id in leads:
            return
        span = ", ".join(sorted({f"{p.start}–{p.end or 'open'}" for p in keep}))
        self.add(
            "H-CONTINUITY",
            vid,
            r.cadre_id,
            f"new {r.role} from {self.uname(u.unit_id)}; {self.vname(vid)} is assisted by "
            f"{';'.join(sorted(leads))} (team {span})",
            f"新派{ROLE_ZH[r.role]}来自 {self.uname_zh(u.unit_id)}；{self.vname(vid)} 由 "
            f"{';'.join(sorted(leads))} 帮扶（{span}）",
            "hard" if pol.continuity == "hard" else "soft",
        )

    def check_provkey(self, r: _Row, u: Unit, v: Village) -> None:
        """S-PROVKEY (soft): a new province-level first secretary at a village not ``key``."""
        if not self.pol.weights.provkey or r.role != "secretary" or u.level != "province":
            return
        if "key" in v.categories:
            return
        flags = ";".join(sorted(v.categories))
        self.add(
            "S-PROVKEY",
            v.village_id,
            r.cadre_id,
            f"province-level team from {self.uname(u.unit_id)} at {self.vname(v.village_id)} "
            f"({flags}), not a key village (省派工作队主要派往重点帮扶村)",
            f"省派工作队 {self.uname_zh(u.unit_id)} 派往非重点帮扶村 {self.vname(v.village_id)}（{flags}）",
            "soft",
        )

    # ------------------------------------------------------------------ teams.csv
    def check_teams_file(self) -> None:
        ds = self.ds
        by_host: dict[str, list[_Team]] = defaultdict(list)
        for t in self.teams:
            by_host[t.host].append(t)
        self.team_of: dict[str, _Team] = {}
        for host, ts in by_host.items():
            if host not in ds.villages:
                for t in ts:
                    self.add(
                        "PLAN-UNKNOWN-ID",
                        host,
                        "",
                        f"teams.csv row {t.rownum}: host village {host} is not in the dataset",
                        f"teams.csv 第{t.rownum}行：驻点村 {host} 不在数据中",
                    )
                continue
            if len(ts) > 1:
                self.add(
                    "PLAN-TEAM-MISMATCH",
                    host,
                    "",
                    f"teams.csv lists {self.vname(host)} as host {len(ts)} times (rows "
                    f"{', '.join(str(t.rownum) for t in ts)})",
                    f"teams.csv 中 {self.vname(host)} 作为驻点村出现{len(ts)}次",
                )
            self.team_of[host] = ts[0]
            for t in ts:
                for w in t.covered:
                    if w not in ds.villages:
                        self.add(
                            "PLAN-UNKNOWN-ID",
                            host,
                            "",
                            f"teams.csv row {t.rownum}: covered village {w} is not in the dataset",
                            f"teams.csv 第{t.rownum}行：带动村 {w} 不在数据中",
                        )
                    else:
                        self.covered_by[w].append(host)
        for vid, rs in self.by_village.items():
            t = self.team_of.get(vid)
            if t is None:
                self.add(
                    "PLAN-TEAM-MISMATCH",
                    vid,
                    "",
                    f"{self.vname(vid)} has {len(rs)} rows in plan.csv but no team in teams.csv",
                    f"{self.vname(vid)} 在 plan.csv 中有{len(rs)}人，但 teams.csv 中没有其工作队",
                )
                continue
            units = sorted({r.unit_id for r in rs})
            diffs, diffs_zh = [], []
            if t.size != len(rs):
                diffs.append(f"size {t.size} but plan.csv has {len(rs)} rows")
                diffs_zh.append(f"人数为{t.size}，plan.csv 中为{len(rs)}人")
            if sorted(set(t.unit_ids)) != units or len(t.unit_ids) != len(set(t.unit_ids)):
                diffs.append(
                    f"unit_ids {';'.join(t.unit_ids)} but the rows' units are {';'.join(units)}"
                )
                diffs_zh.append(
                    f"派出单位为 {';'.join(t.unit_ids)}，plan.csv 中为 {';'.join(units)}"
                )
            lead = ds.units.get(t.lead_unit_id)
            if t.level and lead is not None and t.level != lead.level:
                diffs.append(f"level {t.level} but lead unit {lead.unit_id} is {lead.level}-level")
                diffs_zh.append(
                    f"层级为{t.level}，牵头单位 {lead.unit_id} 为{LEVEL_ZH[lead.level]}"
                )
            ids = sorted({r.team_id for r in rs if r.team_id})
            if ids and ids != [t.team_id]:
                diffs.append(f"team_id {t.team_id} but plan.csv rows say {';'.join(ids)}")
                diffs_zh.append(f"工作队编号为 {t.team_id}，plan.csv 中为 {';'.join(ids)}")
            if diffs:
                self.add(
                    "PLAN-TEAM-MISMATCH",
                    vid,
                    "",
                    f"teams.csv row {t.rownum} for {self.vname(vid)}: " + "; ".join(diffs),
                    f"teams.csv 第{t.rownum}行（{self.vname(vid)}）：" + "；".join(diffs_zh),
                )
        for host, t in self.team_of.items():
            if host not in self.by_village:
                self.add(
                    "PLAN-TEAM-MISMATCH",
                    host,
                    "",
                    f"teams.csv row {t.rownum} lists a team at {self.vname(host)}, which has no "
                    "rows in plan.csv",
                    f"teams.csv 第{t.rownum}行列出 {self.vname(host)} 的工作队，但 plan.csv 中该村无人",
                )

    # ------------------------------------------------------------------ C-CLUSTER
    def adjacent(self, a: str, b: str) -> bool:
        ds = self.ds
        if ds.adjacency_given:
            pair = tuple(sorted((a, b)))
            return pair in self._adj_pairs()
        va, vb = ds.villages[a], ds.villages[b]
        if not (va.township and vb.township) or (va.county, va.township) != (
            vb.county,
            vb.township,
        ):
            return False
        if None in (va.x, va.y, vb.x, vb.y):
            return False
        return math.hypot(va.x - vb.x, va.y - vb.y) <= self.pol.cluster.adjacency_km  # type: ignore[operator]

    def _adj_pairs(self) -> set[tuple[str, ...]]:
        if not hasattr(self, "_adj"):
            self._adj = {tuple(sorted(p)) for p in self.ds.adjacency}
        return self._adj

    def check_clusters(self) -> None:
        ds, cl = self.ds, self.pol.cluster
        kept_at = {p.village_id for p in self.kept}
        for host, t in self.team_of.items():
            if not t.covered:
                continue
            hv = ds.villages[host]
            covered = [w for w in t.covered if w in ds.villages]
            if not cl.hosts:
                for w in covered:
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} is covered by the team at {self.vname(host)}, but "
                        f"{self.pol.name} allows no clusters (cluster hosts empty)",
                        f"{self.vname(w)} 由 {self.vname(host)} 的工作队带动，但 {self.pol.name} 不允许一队带多村",
                    )
                continue
            if not (hv.categories & set(cl.hosts)):
                self.add(
                    "C-CLUSTER",
                    host,
                    "",
                    f"host {self.vname(host)} ({';'.join(sorted(hv.categories))}) carries no host "
                    f"flag ({';'.join(cl.hosts)}) but covers {';'.join(t.covered)}",
                    f"驻点村 {self.vname(host)} 不是可带动村的类别（{';'.join(cl.hosts)}），却带动 "
                    f"{';'.join(t.covered)}",
                )
            if host not in self.by_village:
                self.add(
                    "C-CLUSTER",
                    host,
                    "",
                    f"host {self.vname(host)} has no team of its own but covers {';'.join(t.covered)}",
                    f"驻点村 {self.vname(host)} 本身无工作队，却带动 {';'.join(t.covered)}",
                )
            if len(set(t.covered)) > cl.max_extra:
                self.add(
                    "C-CLUSTER",
                    host,
                    "",
                    f"the team at {self.vname(host)} covers {len(set(t.covered))} villages "
                    f"({';'.join(t.covered)}); at most {cl.max_extra}",
                    f"{self.vname(host)} 的工作队带动{len(set(t.covered))}个村，最多{cl.max_extra}个",
                )
            for w in covered:
                wv = ds.villages[w]
                if w == host:
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} is listed as covering itself",
                        f"{self.vname(w)} 带动自身",
                    )
                    continue
                if not self.adjacent(host, w):
                    how = (
                        "not in the adjacency table"
                        if ds.adjacency_given
                        else f"not in the same township within {cl.adjacency_km:g} km"
                    )
                    dist = ""
                    if None not in (hv.x, hv.y, wv.x, wv.y):
                        dist = f", {math.hypot(hv.x - wv.x, hv.y - wv.y):.1f} km apart"  # type: ignore[operator]
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} is covered by the team at {self.vname(host)} but is not "
                        f"adjacent to it ({how}{dist})",
                        f"{self.vname(w)} 由 {self.vname(host)} 的工作队带动，但两村不相邻{dist.replace(', ', '，相距 ')}",
                    )
                bad_flags = sorted(wv.categories - set(cl.coverable))
                if bad_flags:
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} carries {';'.join(bad_flags)}, not coverable "
                        f"(coverable: {';'.join(cl.coverable) or 'none'}); it needs its own team",
                        f"{self.vname(w)} 的类别 {';'.join(bad_flags)} 不可被带动，需单独选派",
                    )
                if self.need.get(w) is None:
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} has no requirement under {self.pol.name}; nothing to cover",
                        f"{self.vname(w)} 在 {self.pol.name} 下无选派要求，无需带动",
                    )
                if w in self.by_village:
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} is covered by {self.vname(host)} yet has "
                        f"{len(self.by_village[w])} rows of its own in plan.csv",
                        f"{self.vname(w)} 被带动，但 plan.csv 中仍有本村{len(self.by_village[w])}人",
                    )
                elif w in kept_at:
                    self.add(
                        "C-CLUSTER",
                        w,
                        "",
                        f"{self.vname(w)} has a serving incumbent and cannot be covered by {self.vname(host)}",
                        f"{self.vname(w)} 有在任驻村干部，不能由 {self.vname(host)} 带动",
                    )
        for w, hosts in self.covered_by.items():
            if len(hosts) > 1:
                self.add(
                    "C-CLUSTER",
                    w,
                    "",
                    f"{self.vname(w)} is covered {len(hosts)} times (by {';'.join(sorted(hosts))})",
                    f"{self.vname(w)} 被带动{len(hosts)}次（{';'.join(sorted(hosts))}）",
                )

    # ------------------------------------------------------------------ team rules
    def listed_ok(self, vid: str, missing: int) -> bool:
        return any(sh.posts_missing == missing for sh in self.short_of.get(vid, []))

    def missing_posts(self, vid: str, need: _Need) -> int:
        """Required posts not filled: the minimum less the people there, and the first
        secretary's post whenever people serve without one (SPEC §3: it is a post of its own)."""
        rs = self.by_village.get(vid, [])
        no_sec = bool(rs) and not any(r.role == "secretary" for r in rs)
        return max(need.min - len(rs), 1 if no_sec else 0)

    def check_team_rules(self) -> None:
        ds = self.ds
        for vid, rs in sorted(self.by_village.items()):
            v = ds.villages[vid]
            need = self.need.get(vid)
            secs = [r for r in rs if r.role == "secretary"]
            new = [r for r in rs if r.status == "new"]
            inc = [r for r in rs if r.status == "incumbent"]
            # T-SEC
            if len(secs) > 1 and any(r.status == "new" for r in secs):
                self.add(
                    "T-SEC",
                    vid,
                    "",
                    f"{self.vname(vid)} has {len(secs)} first secretaries: "
                    f"{', '.join(r.cadre_id for r in secs)}",
                    f"{self.vname(vid)} 有{len(secs)}名第一书记：{'、'.join(r.cadre_id for r in secs)}",
                )
            elif not secs:
                # incumbents are kept as they are; a village they leave without a secretary is
                # listed as short, and no new member may join them there
                excused = not new and (vid in self.short_of or need is None)
                if not excused:
                    self.add(
                        "T-SEC",
                        vid,
                        "",
                        f"{self.vname(vid)} has {len(rs)} members but no first secretary",
                        f"{self.vname(vid)} 有{len(rs)}名队员，但没有第一书记",
                    )
            else:
                t = self.team_of.get(vid)
                if t is not None and t.lead_unit_id != secs[0].unit_id:
                    self.add(
                        "L-LEADER",
                        vid,
                        secs[0].cadre_id,
                        f"teams.csv names {t.lead_unit_id} as lead unit of {self.vname(vid)}, but the "
                        f"first secretary {self.cname(secs[0].cadre_id)} is from {secs[0].unit_id}",
                        f"teams.csv 中 {self.vname(vid)} 的牵头单位为 {t.lead_unit_id}，但第一书记 "
                        f"{self.cname(secs[0].cadre_id)} 来自 {secs[0].unit_id}",
                    )
            # T-SIZE (villages without a requirement: reported per new posting)
            if need is not None and vid not in self.covered_by:
                size = len(rs)
                want, want_zh = self.need_text(vid)
                if size > need.max and not (len(inc) > need.max and not new):
                    self.add(
                        "T-SIZE",
                        vid,
                        "",
                        f"{self.vname(vid)} ({want}) has {size} people ({len(inc)} incumbent, "
                        f"{len(new)} new); max {need.max}",
                        f"{self.vname(vid)}（{want_zh}）有{size}人（留任{len(inc)}，新派{len(new)}），"
                        f"上限{need.max}人",
                    )
                elif size < need.min and not self.listed_ok(vid, self.missing_posts(vid, need)):
                    self.add(
                        "T-SIZE",
                        vid,
                        "",
                        f"{self.vname(vid)} ({want}) has {size} people, below the minimum {need.min}, "
                        "and unstaffed.csv does not list it with posts_missing "
                        f"{self.missing_posts(vid, need)}",
                        f"{self.vname(vid)}（{want_zh}）只有{size}人，低于最低{need.min}人，"
                        f"且 unstaffed.csv 未列明缺{self.missing_posts(vid, need)}人",
                    )
            # T-UNIT / J-JOINT
            self.check_units(vid, v, rs, need)

    def check_units(self, vid: str, v: Village, rs: list[_Row], need: _Need | None) -> None:
        ds, pol = self.ds, self.pol
        inc_units = {r.unit_id for r in rs if r.status == "incumbent"}
        new_units = {r.unit_id for r in rs if r.status == "new"}
        if len(inc_units) > 1 and new_units <= inc_units:
            return  # the mix is the incumbents' own: kept as they are, not re-judged (SPEC §3)
        if pol.members_from == "county_townships":
            for r in rs:
                if r.status != "new":
                    continue
                u = ds.units.get(r.unit_id)
                if u is None:
                    continue
                if r.role == "member" and not (u.level == "township" and u.region == v.county):
                    self.add(
                        "T-UNIT",
                        vid,
                        r.cadre_id,
                        f"member from {self.uname(u.unit_id)} (region {u.region}); members of "
                        f"{self.vname(vid)} come from township units of county {v.county}",
                        f"队员来自 {self.uname_zh(u.unit_id)}；{self.vname(vid)} 的队员应由县 {v.county} 的乡镇选派",
                    )
                if r.role == "secretary" and u.level == "township":
                    self.add(
                        "T-UNIT",
                        vid,
                        r.cadre_id,
                        f"first secretary from township unit {self.uname(u.unit_id)}; the first "
                        "secretary comes from a county or higher unit",
                        f"第一书记来自乡镇单位 {self.uname_zh(u.unit_id)}，应由县级及以上单位选派",
                    )
            return
        units = sorted({r.unit_id for r in rs})
        if len(units) < 2:
            return
        counts = Counter(r.unit_id for r in rs)
        listing = ", ".join(f"{self.uname(u)} ×{counts[u]}" for u in units)
        listing_zh = "、".join(f"{self.uname_zh(u)}×{counts[u]}" for u in units)
        jt = pol.joint
        if not jt.enabled:
            self.add(
                "T-UNIT",
                vid,
                "",
                f"the team at {self.vname(vid)} mixes {len(units)} units ({listing}); all members "
                f"come from the lead unit and {pol.name} has no joint teams",
                f"{self.vname(vid)} 的工作队来自{len(units)}个单位（{listing_zh}），应全部来自牵头单位，"
                f"{pol.name} 不允许联合组队",
            )
            return
        reasons, reasons_zh = [], []
        known = [ds.units[u] for u in units if u in ds.units]
        for u in known:
            if u.staff is None or u.staff >= jt.staff_max:
                reasons.append(
                    f"{u.unit_id} staff {u.staff if u.staff is not None else 'unknown'} "
                    f"(needs < {jt.staff_max})"
                )
                reasons_zh.append(
                    f"{u.unit_id} 在编人数{u.staff if u.staff is not None else '未知'}（需<{jt.staff_max}）"
                )
            if u.level not in jt.levels:
                reasons.append(
                    f"{u.unit_id} is {u.level}-level (joint teams: {_lv(set(jt.levels))})"
                )
                reasons_zh.append(
                    f"{u.unit_id} 为{LEVEL_ZH[u.level]}（联合组队限{_lv_zh(set(jt.levels))}）"
                )
        if len({u.level for u in known}) > 1:
            reasons.append("levels differ: " + ";".join(sorted({u.level for u in known})))
            reasons_zh.append("层级不同")
        if len({u.region for u in known}) > 1:
            reasons.append("regions differ: " + ";".join(sorted({str(u.region) for u in known})))
            reasons_zh.append("所属地区不同")
        if len(units) > jt.max_units:
            reasons.append(f"{len(units)} units (at most {jt.max_units})")
            reasons_zh.append(f"{len(units)}个单位（最多{jt.max_units}个）")
        if reasons:
            self.add(
                "J-JOINT",
                vid,
                "",
                f"the team at {self.vname(vid)} is not a valid joint team ({listing}): "
                + "; ".join(reasons),
                f"{self.vname(vid)} 的工作队不是合规的联合组队（{listing_zh}）："
                + "；".join(reasons_zh),
            )

    # ------------------------------------------------------------------ unstaffed.csv
    def check_unstaffed(self) -> None:
        ds = self.ds
        for vid, need in sorted(self.need.items()):
            if need is None or vid in self.covered_by or vid in self.by_village:
                continue
            want, want_zh = self.need_text(vid)
            if not self.listed_ok(vid, need.min):
                self.add(
                    "T-SIZE",
                    vid,
                    "",
                    f"{self.vname(vid)} ({want}) has no team, is not covered by a cluster and "
                    f"unstaffed.csv does not list it with posts_missing {need.min}",
                    f"{self.vname(vid)}（{want_zh}）无工作队、未被带动，且 unstaffed.csv 未列明缺{need.min}人",
                )
        for vid, shs in sorted(self.short_of.items()):
            for sh in shs[1:]:
                self.add(
                    "PLAN-UNSTAFFED-MISMATCH",
                    vid,
                    "",
                    f"unstaffed.csv lists {self.vname(vid)} again on row {sh.rownum}",
                    f"unstaffed.csv 第{sh.rownum}行重复列出 {self.vname(vid)}",
                )
            sh = shs[0]
            if vid not in ds.villages:
                self.add(
                    "PLAN-UNKNOWN-ID",
                    vid,
                    "",
                    f"unstaffed.csv row {sh.rownum}: village {vid} is not in the dataset",
                    f"unstaffed.csv 第{sh.rownum}行：村 {vid} 不在数据中",
                )
                continue
            need = self.need.get(vid)
            size = len(self.by_village.get(vid, []))
            if need is None:
                self.add(
                    "PLAN-UNSTAFFED-MISMATCH",
                    vid,
                    "",
                    f"unstaffed.csv row {sh.rownum} lists {self.vname(vid)}, which has no requirement",
                    f"unstaffed.csv 第{sh.rownum}行列出 {self.vname(vid)}，但该村无选派要求",
                )
            elif vid in self.covered_by:
                self.add(
                    "PLAN-UNSTAFFED-MISMATCH",
                    vid,
                    "",
                    f"unstaffed.csv row {sh.rownum} lists {self.vname(vid)}, which is covered by "
                    f"the team at {';'.join(self.covered_by[vid])}",
                    f"unstaffed.csv 第{sh.rownum}行列出 {self.vname(vid)}，但该村已被带动",
                )
            elif self.missing_posts(vid, need) == 0:
                self.add(
                    "PLAN-UNSTAFFED-MISMATCH",
                    vid,
                    "",
                    f"unstaffed.csv row {sh.rownum} lists {self.vname(vid)} with {sh.posts_missing} "
                    f"posts missing, but its team is complete ({size} people, minimum {need.min})",
                    f"unstaffed.csv 第{sh.rownum}行列出 {self.vname(vid)} 缺{sh.posts_missing}人，"
                    f"但该村已有{size}人（最低{need.min}人）",
                )
            elif sh.posts_missing != self.missing_posts(vid, need):
                self.add(
                    "PLAN-UNSTAFFED-MISMATCH",
                    vid,
                    "",
                    f"unstaffed.csv row {sh.rownum}: {self.vname(vid)} posts_missing "
                    f"{sh.posts_missing}, but {self.missing_posts(vid, need)} required posts are "
                    f"unfilled (minimum {need.min}, {size} people)",
                    f"unstaffed.csv 第{sh.rownum}行：{self.vname(vid)} 缺额{sh.posts_missing}，"
                    f"应缺{self.missing_posts(vid, need)}个（最低{need.min}人，现有{size}人）",
                )

    # ------------------------------------------------------------------ U-PARTICIPATE
    def check_participation(self) -> None:
        limit = self.pol.must_send_staff_min
        if limit is None:
            return
        sending = {r.unit_id for r in self.rows}
        by_unit: dict[str, list[Cadre]] = defaultdict(list)
        for c in self.ds.cadres.values():
            by_unit[c.unit_id].append(c)
        for uid, u in self.ds.units.items():
            if u.level != "province" or u.staff is None or u.staff < limit or uid in sending:
                continue
            # nothing can be done for a unit none of whose eligible cadres may legally take
            # any post (level, region, former villages): skip it
            able = [c for c in by_unit.get(uid, []) if self.generally_eligible(c, u)
                    and c.cadre_id not in self.busy and self.could_serve_somewhere(c, u)]  # fmt: skip
            if not able:
                continue
            n = len(able)
            self.add(
                "U-PARTICIPATE",
                "",
                "",
                f"province-level unit {self.uname(uid)} has staff {u.staff} (≥ {limit}) and "
                f"{n} eligible cadres but sends nobody",
                f"省直单位 {self.uname_zh(uid)} 在编在岗{u.staff}人（≥{limit}），有{n}名符合条件的干部，"
                "但未选派任何人",
            )

    def could_serve_somewhere(self, c: Cadre, u: Unit) -> bool:
        """Some village with a requirement takes this unit's level for a role the cadre may
        hold, in the unit's region, and the cadre never served there."""
        former = {p.village_id for p in self.served.get(c.cadre_id, [])}
        for vid, need in self.need.items():
            v = self.ds.villages[vid]
            if need is None or vid in former or not self.region_allows(u, v):
                continue
            if u.level in need.mem_levels and need.max > 1:
                return True
            if u.level in need.sec_levels:
                return True
        return False

    def region_allows(self, u: Unit, v: Village) -> bool:
        if u.level == "province":
            return True
        if u.level == "city":
            return u.region is not None and u.region == _city_of(v)
        return u.region is not None and u.region == v.county

    def generally_eligible(self, c: Cadre, u: Unit) -> bool:
        pol = self.pol
        if not c.available or c.employment != "staff" or c.health == "poor":
            return False
        if pol.eval_ban and c.eval_recent in ("basic", "incompetent"):
            return False
        if pol.township_ban and (c.township_cadre or u.level == "township"):
            return False
        return not (
            pol.max_age is not None and completed_years(c.birth_date, self.day) > pol.max_age
        )

    # ------------------------------------------------------------------ P-PIN
    def check_pins(self) -> None:
        by_cadre: dict[str, list[_Row]] = defaultdict(list)
        for r in self.rows:
            by_cadre[r.cadre_id].append(r)
        for pin in self.ds.pins:
            rs = by_cadre.get(pin.cadre_id, [])
            role_en = f" as {pin.role}" if pin.role else ""
            role_zh = f"任{ROLE_ZH[pin.role]}" if pin.role else ""
            hits = [r for r in rs if r.village_id == pin.village_id and pin.role in (None, r.role)]
            if pin.kind == "require" and not hits:
                got = ", ".join(f"{r.village_id} as {r.role}" for r in rs) or "nowhere"
                got_zh = "、".join(f"{r.village_id}{ROLE_ZH[r.role]}" for r in rs) or "未安排"
                self.add(
                    "P-PIN",
                    pin.village_id,
                    pin.cadre_id,
                    f"require pin: {self.cname(pin.cadre_id)} at {self.vname(pin.village_id)}{role_en}; "
                    f"the plan has the cadre {got}",
                    f"指定：{self.cname(pin.cadre_id)} 派驻 {self.vname(pin.village_id)}{role_zh}；"
                    f"计划中为 {got_zh}",
                )
            if pin.kind == "forbid":
                for r in hits:
                    if r.status == "new":
                        self.add(
                            "P-PIN",
                            pin.village_id,
                            pin.cadre_id,
                            f"forbid pin: {self.cname(pin.cadre_id)} may not go to "
                            f"{self.vname(pin.village_id)}{role_en}; the plan posts them as {r.role}",
                            f"禁止：{self.cname(pin.cadre_id)} 不得派驻 {self.vname(pin.village_id)}{role_zh}；"
                            f"计划中新派为{ROLE_ZH[r.role]}",
                        )


# --------------------------------------------------------------------------- entry point


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    d = _to_date(str(value))
    if d is None:
        raise InputError([Problem("--date", _DATE_HELP, value=str(value))])
    return d


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
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    rows, teams, shorts, manifest_date = _read_plan(Path(plan_dir))
    day = _as_date(plan_date) or manifest_date
    if day is None:
        raise InputError(
            [
                Problem(
                    "manifest.json", "no plan date: give --date or keep manifest.json's plan_date"
                )
            ]
        )
    found = _Verifier(ds, pol, day, rows, teams, shorts).run()
    return _named_source(found, plan_source(Path(plan_dir))[0])


def _named_source(found: list[Violation], path: Path) -> list[Violation]:
    """Read from the workbook: its sheets, not the CSV files, are what the rows refer to."""
    if path.suffix != ".xlsx":
        return found
    names = {f"{csv}.csv": f"{path.name} ({sheet})"
             for csv, sheet in (("plan", "选派名单"), ("teams", "工作队"), ("unstaffed", "未覆盖村"))}  # fmt: skip
    pattern = re.compile(r"\b(plan|teams|unstaffed)\.csv\b")

    def fix(text: str) -> str:
        return pattern.sub(lambda m: names[m.group(0)], text)

    return [replace(v, detail_en=fix(v.detail_en), detail_zh=fix(v.detail_zh)) for v in found]


def hard_violations(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == "hard"]


__all__ = [
    "Violation",
    "hard_violations",
    "verify_plan",
    "violations_frame",
    "write_verify_csv",
]
