"""``plan.xlsx``, the planner's workbook: the plan as an organisation department files it
(Chinese values, date cells, fitted widths, frozen headers, filters, print setup), and the
plan read back from it when a planner edited it in Excel.

Sheets: 选派名单 (one row per posting; the sheet read back), 工作队, 未覆盖村, 指标, 单位派出,
按单位名单 and 按乡镇名单. The two 名单 views are one sheet each, sorted by unit (township),
with a printed page break before each group when there are at most :data:`MAX_BREAKS`
groups, rather than one sheet per unit: at province scale there are hundreds of units and
thousands of townships, which no tab bar can show, while a filter on the first column gives
one unit's list on screen and the page breaks give one printed list per unit. They are views:
edits are read back from 选派名单 only.

This module imports no planner module, so the independent verifier may read through it."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from optimizer.data import schema as s
from optimizer.data.errors import InputError, Problem
from optimizer.plans.xlsxwrite import Sheet, write_xlsx
from optimizer.rules.glossary import rule_ids, rule_label

PLAN_SHEET = "选派名单"
MAX_BREAKS = 1000
"""Excel keeps at most 1026 manual page breaks a sheet."""
MAX_WIDTH = 60
WORKBOOK_ERRORS = (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException)
"""What opening a damaged or foreign file as a workbook raises."""
LEVEL_ZH = {"province": "省派", "city": "市派", "county": "县派", "township": "乡镇派"}
ROLE_ZH = {"secretary": "第一书记", "member": "队员"}
STATUS_ZH = {"new": "新派", "incumbent": "留任"}
SOLVE_ZH = {"OPTIMAL": "最优", "FEASIBLE": "可行（未证明最优）", "INFEASIBLE": "无可行方案",
            "UNKNOWN": "未知", "MODEL_INVALID": "模型无效"}  # fmt: skip
PLAN_HEAD = [("village_id", "村编码"), ("village_name", "村名"), ("township", "乡镇"),
             ("county", "县"), ("team_id", "工作队编号"), ("cadre_id", "干部编号"),
             ("cadre_name", "姓名"), ("unit_id", "派出单位编码"), ("unit_name", "派出单位名称"),
             ("level", "层级"), ("role", "职务"), ("status", "状态"), ("start", "开始日期"),
             ("end", "结束日期")]  # fmt: skip
TEAM_HEAD = [("team_id", "工作队编号"), ("host_village_id", "驻点村"),
             ("covered_village_ids", "带动村"), ("lead_unit_id", "牵头单位"),
             ("unit_ids", "派出单位"), ("size", "人数"), ("level", "层级")]  # fmt: skip
SHORT_HEAD = [("village_id", "村编码"), ("village_name", "村名"), ("township", "乡镇"),
              ("county", "县"), ("categories", "村类别"), ("posts_missing", "缺额"),
              ("reason", "原因")]  # fmt: skip
KPI_ZH = {
    "plan_date": "规划日期", "policy": "政策", "status": "求解状态", "posts_required": "应派岗位数",
    "posts_filled": "已派岗位数", "posts_bound": "可派岗位上限（已证明）",
    "posts_in_doubt": "存疑岗位数（上限减已派）", "coverage_by_class": "按优先级", "coverage_by_category": "按村类别",
    "filled": "已派", "required": "应派", "villages": "村数", "staffed": "已组满村数",
    "covered": "一队多村带动村数", "short": "未组满村数", "villages_with_requirement": "有选派要求的村数",
    "villages_unstaffed_or_short": "未组满的村数", "villages_covered_by_cluster": "一队多村带动的村数",
    "postings": "派驻人数", "new_postings": "新派人数", "incumbents_kept": "留任人数",
    "fit_needs_met": "村需求已匹配项数", "fit_needs_total": "村需求总项数", "fit_share": "村需求匹配率",
    "travel_km_mean": "单位到村平均距离（公里）", "travel_km_max": "单位到村最远距离（公里）",
    "party_share_members": "队员中党员比例", "young_share": "年轻干部比例", "expert_share": "专业人才比例",
    "unit_load": "派出单位数（明细见“单位派出”）", "estimated_annual_cost_yuan": "预计年度经费（元）",
    "cost_living_yuan": "其中生活补助（元）", "cost_communication_yuan": "其中通讯补助（元）",
    "cost_travel_yuan": "其中交通费（元）", "soft_objective": "偏好目标值",
}  # fmt: skip


@dataclass
class BookInput:
    """What the workbook shows beyond SPEC §6's tables: places and names of villages
    (village → (name, township, county)) and each short village's Chinese reason."""

    plan: pd.DataFrame
    teams: pd.DataFrame
    unstaffed: pd.DataFrame
    kpis: dict[str, Any]
    villages: dict[str, tuple[str, str, str]]
    reasons_zh: dict[str, str]


# --------------------------------------------------------------------------- writing


def build_sheets(b: BookInput) -> list[Sheet]:
    """The workbook's sheets, in order."""
    rows = _plan_rows(b)
    load_head = [
        "派出单位编码",
        "派出单位名称",
        "层级",
        "派出人数",
        "第一书记",
        "队员",
        "新派",
        "留任",
    ]
    return [
        _table(PLAN_SHEET, [h for _, h in PLAN_HEAD], rows),
        _table("工作队", [h for _, h in TEAM_HEAD], _team_rows(b)),
        _table("未覆盖村", [h for _, h in SHORT_HEAD], _short_rows(b)),
        _table("指标", ["指标", "值"], _kpi_rows(b.kpis)),
        _table("单位派出", load_head, _load_rows(b.plan)),
        _grouped("按单位名单", rows, [7, 8, 9, 5, 6, 10, 11, 0, 1, 2, 3]),
        _grouped("按乡镇名单", rows, [3, 2, 0, 1, 10, 5, 6, 8, 9, 11]),
    ]


def write_workbook(b: BookInput, path: Path) -> None:
    """``plan.xlsx``: values only, every text an inline string, never a formula."""
    write_xlsx(build_sheets(b), path)


def _plan_rows(b: BookInput) -> list[list[Any]]:
    out = []
    for r in b.plan.itertuples(index=False):
        _, town, county = b.villages.get(r.village_id, ("", "", ""))
        out.append([r.village_id, r.village_name, town, county, r.team_id, r.cadre_id,
                    r.cadre_name, r.unit_id, r.unit_name, LEVEL_ZH.get(r.level, r.level),
                    ROLE_ZH.get(r.role, r.role), STATUS_ZH.get(r.status, r.status),
                    _day(r.start), _day(r.end)])  # fmt: skip
    return out


def _day(text: Any) -> date | str | None:
    if not text:
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return str(text)


def _named(ids: str, names: dict[str, str]) -> str:
    return "；".join(f"{i} {names[i]}" if names.get(i) else i for i in str(ids).split(";") if i)


def _team_rows(b: BookInput) -> list[list[Any]]:
    units = dict(zip(b.plan.unit_id, b.plan.unit_name, strict=True))
    villages = {v: n for v, (n, _, _) in b.villages.items()}
    return [[t.team_id, _named(t.host_village_id, villages),
             _named(t.covered_village_ids, villages), _named(t.lead_unit_id, units),
             _named(t.unit_ids, units), int(t.size), LEVEL_ZH.get(t.level, t.level)]
            for t in b.teams.itertuples(index=False)]  # fmt: skip


REASON_ZH = {"PRIORITY": "优先级：人员已派往同等或更高优先级的村", "PLAN": "本规划的取舍"}
"""The two reasons that are not rules (:mod:`optimizer.plans.reasons`)."""


def reason_zh(text: str) -> str:
    """A reason with each rule id followed by its Chinese name: ``T-UNIT(派出单位责任捆绑)``."""
    out = text
    for rid in sorted([*rule_ids(), *REASON_ZH], key=len, reverse=True):
        if rid in out and f"{rid}(" not in out:
            label = f"{rid}({REASON_ZH[rid]})" if rid in REASON_ZH else rule_label(rid)
            out = re.sub(rf"(?<![\w-]){re.escape(rid)}(?![\w-])", label, out)
    return out


def _short_rows(b: BookInput) -> list[list[Any]]:
    out = []
    for r in b.unstaffed.itertuples(index=False):
        _, town, county = b.villages.get(r.village_id, ("", "", ""))
        cats = "、".join(s.CATEGORY.zh.get(c, c) for c in str(r.categories).split(";") if c)
        reason = reason_zh(b.reasons_zh.get(r.village_id, "") or str(r.reason))
        out.append([r.village_id, r.village_name, town, county, cats, int(r.posts_missing),
                    reason])  # fmt: skip
    return out


def _kpi_rows(kpis: dict[str, Any], prefix: str = "") -> list[list[Any]]:
    out: list[list[Any]] = []
    for k, v in kpis.items():
        label = prefix + _kpi_label(k)
        if k == "unit_load" and isinstance(v, dict):
            out.append([label, len(v)])
        elif isinstance(v, dict):
            out += _kpi_rows(v, label + "／")
        elif k == "plan_date":
            out.append([label, _day(v)])
        elif k == "status":
            out.append([label, SOLVE_ZH.get(str(v), v)])
        else:
            out.append([label, "" if v is None else v])
    return out


def _kpi_label(key: str) -> str:
    if key in KPI_ZH:
        return KPI_ZH[key]
    return s.CATEGORY.zh.get(key) or LEVEL_ZH.get(key) or key


def _load_rows(plan: pd.DataFrame) -> list[list[Any]]:
    out = []
    for uid, g in plan.groupby("unit_id", sort=True):
        level = g.level.iloc[0]
        out.append([uid, g.unit_name.iloc[0], LEVEL_ZH.get(level, level), len(g),
                    int((g.role == "secretary").sum()), int((g.role == "member").sum()),
                    int((g.status == "new").sum()), int((g.status == "incumbent").sum())])  # fmt: skip
    return out


def _grouped(title: str, rows: list[list[Any]], cols: list[int], group: int = 2) -> Sheet:
    """A 名单 view: ``cols`` of 选派名单, sorted by the first of them (code, name, ...), a
    printed page break before each group of the first ``group`` columns."""
    head = [PLAN_HEAD[i][1] for i in cols]
    view = sorted(([r[i] for i in cols] for r in rows), key=lambda r: [str(x) for x in r[:4]])
    sheet = _table(title, head, view)
    starts = [i + 2 for i in range(1, len(view)) if view[i][:group] != view[i - 1][:group]]
    if len(starts) <= MAX_BREAKS:
        sheet.breaks = starts
    return sheet


def _table(title: str, head: list[str], rows: list[list[Any]]) -> Sheet:
    return Sheet(title, head, rows, _widths(head, rows))


def text_width(value: Any) -> int:
    """Display width: a CJK (wide) character counts two."""
    if isinstance(value, date):
        return 10
    text = "" if value is None else str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


def _widths(head: list[str], rows: list[list[Any]]) -> list[float]:
    out = []
    for i, h in enumerate(head):
        values = {r[i] for r in rows if i < len(r)}
        w = max([text_width(h), *(text_width(v) for v in values)])
        out.append(min(MAX_WIDTH, w + 2))
    return out


# --------------------------------------------------------------------------- reading


@dataclass
class PlanTables:
    """A plan folder's tables with SPEC §6 columns as text, indexed by the spreadsheet row
    number (header = row 1); ``teams``/``unstaffed`` None when the source has none."""

    plan: pd.DataFrame
    teams: pd.DataFrame | None
    unstaffed: pd.DataFrame | None
    file: str
    """Names the source in messages: ``plan.csv`` or ``plan.xlsx (选派名单)``."""
    note: str
    """Which file was read and why, e.g. ``read plan.xlsx (newer than plan.csv)``."""


def plan_source(plan_dir: Path, lang: str = "en") -> tuple[Path, str]:
    """``plan.xlsx`` when it is the only plan file or newer than ``plan.csv`` (a planner
    edited it in Excel), else ``plan.csv``; with the sentence saying so, in ``lang``."""
    csv, xlsx = plan_dir / "plan.csv", plan_dir / "plan.xlsx"
    zh = lang == "zh"
    if xlsx.is_file() and not csv.is_file():
        return xlsx, (
            "读取 plan.xlsx（没有 plan.csv）" if zh else "read plan.xlsx (there is no plan.csv)"
        )
    if xlsx.is_file() and os.stat(xlsx).st_mtime > os.stat(csv).st_mtime:
        return xlsx, (
            "读取 plan.xlsx（比 plan.csv 新）" if zh else "read plan.xlsx (newer than plan.csv)"
        )
    if xlsx.is_file():
        return csv, (
            "读取 plan.csv（plan.xlsx 不比它新）"
            if zh
            else "read plan.csv (plan.xlsx is not newer)"
        )
    return csv, ("读取 plan.csv" if zh else "read plan.csv")


def read_workbook(path: Path) -> PlanTables:
    """The plan, teams and short villages of a plan workbook, Chinese headers and values
    mapped back to SPEC §6 (第一书记 → secretary, date cells → 2026-09-01); values a planner
    typed that map to nothing are kept as typed, for the caller to report."""
    book = load_workbook(path, read_only=True)
    try:
        sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets
                  if ws.title in (PLAN_SHEET, "工作队", "未覆盖村")}  # fmt: skip
    finally:
        book.close()
    plan = _frame(sheets.get(PLAN_SHEET, []), PLAN_HEAD, _plan_value)
    teams = _frame(sheets["工作队"], TEAM_HEAD, _team_value) if "工作队" in sheets else None
    short = sheets.get("未覆盖村")
    unstaffed = _frame(short, SHORT_HEAD, _short_value) if short is not None else None
    return PlanTables(plan, teams, unstaffed, f"{path.name} ({PLAN_SHEET})", "")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _frame(rows: list[tuple], head: list[tuple[str, str]], value) -> pd.DataFrame:
    names = {zh: en for en, zh in head} | {en: en for en, _ in head}
    header = [names.get(_cell_text(h), _cell_text(h)) for h in (rows[0] if rows else [])]
    records, index = [], []
    for n, row in enumerate(rows[1:], start=2):
        texts = [_cell_text(v) for v in row]
        if not any(texts):
            continue
        records.append({h: value(h, t) for h, t in zip(header, texts, strict=False) if h})
        index.append(n)
    cols = [h for h in header if h] or [en for en, _ in head]
    return pd.DataFrame(records, columns=cols, index=pd.Index(index, dtype=int)).fillna("")


def _back(table: dict[str, str], vocab: s.Vocab, text: str) -> str:
    back = {zh: en for en, zh in table.items()}
    return back.get(text) or vocab.lookup(text) or text if text else ""


def _plan_value(col: str, text: str) -> str:
    if col == "level":
        return _back(LEVEL_ZH, s.LEVEL, text)
    if col == "role":
        return _back(ROLE_ZH, s.ROLE, text)
    if col == "status":
        return {zh: en for en, zh in STATUS_ZH.items()}.get(text, text)
    return text


def _codes(text: str) -> str:
    """``U0017 某某局；U0025 某某中心`` → ``U0017;U0025``."""
    return ";".join(p.split()[0] for p in re.split(r"[;；,，]", text) if p.strip())


def _team_value(col: str, text: str) -> str:
    if col in ("host_village_id", "covered_village_ids", "lead_unit_id", "unit_ids"):
        return _codes(text)
    return _back(LEVEL_ZH, s.LEVEL, text) if col == "level" else text


def _short_value(col: str, text: str) -> str:
    if col == "categories":
        return ";".join(s.CATEGORY.lookup(c) or c for c in re.split(r"[、;；]", text) if c)
    return text


def read_plan_tables(plan_dir: Path, read_csv) -> PlanTables:
    """The plan of a folder from the file :func:`plan_source` picks. ``read_csv(path)``
    reads one of its CSV files (the caller's reader, with its own checks) as a frame or
    None; a CSV plan's rows are numbered from 2 in file order. A workbook that cannot be
    opened is bad input (:class:`InputError`)."""
    path, note = plan_source(plan_dir)
    if path.suffix == ".xlsx":
        try:
            tables = read_workbook(path)
        except WORKBOOK_ERRORS as exc:
            problem = Problem(path.name, f"cannot be read as an Excel workbook ({exc})")
            raise InputError([problem]) from None
        tables.note = note
        return tables
    frames = [read_csv(plan_dir / n) for n in ("plan.csv", "teams.csv", "unstaffed.csv")]
    for f in frames:
        if f is not None:
            f.index = pd.RangeIndex(2, len(f) + 2)
    return PlanTables(frames[0], frames[1], frames[2], "plan.csv", note)  # type: ignore[arg-type]


__all__ = [
    "WORKBOOK_ERRORS",
    "BookInput",
    "PlanTables",
    "build_sheets",
    "plan_source",
    "read_plan_tables",
    "read_workbook",
    "reason_zh",
    "text_width",
    "write_workbook",
]
