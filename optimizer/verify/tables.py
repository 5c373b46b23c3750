"""The plan folder's three tables as text rows: ``plan.csv``, ``teams.csv`` and
``unstaffed.csv``, or the sheets of ``plan.xlsx`` when a planner edited the workbook.

Each row is ``{canonical column: trimmed text}``, numbered as the spreadsheet shows it; what is
unreadable becomes a :class:`Problem`, never an exception here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from optimizer.data.errors import Problem
from optimizer.plans.formulas import unescape_frame
from optimizer.plans.workbook import WORKBOOK_ERRORS, plan_source, read_workbook

TextRows = list[tuple[int, dict[str, str]]]

PLAN_COLS = {
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
PLAN_REQUIRED = ("village_id", "cadre_id", "unit_id", "role", "status", "start", "end")
TEAM_COLS = {
    "team_id": ("工作队编号",),
    "host_village_id": ("驻点村编码",),
    "covered_village_ids": ("带动村编码",),
    "lead_unit_id": ("牵头单位编码",),
    "unit_ids": ("派出单位编码",),
    "size": ("人数",),
    "level": ("层级",),
}
TEAM_REQUIRED = (
    "team_id",
    "host_village_id",
    "covered_village_ids",
    "lead_unit_id",
    "unit_ids",
    "size",
)
UNSTAFFED_COLS = {
    "village_id": ("村编码",),
    "village_name": ("村名",),
    "categories": ("村类别",),
    "posts_missing": ("缺额",),
    "reason": ("原因",),
}
UNSTAFFED_REQUIRED = ("village_id", "posts_missing")


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


def raw_tables(plan_dir: Path, problems: list[Problem]) -> tuple[str, str, str, tuple]:
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
        raw_plan = _table_rows(book.plan, book.file, PLAN_COLS, PLAN_REQUIRED, problems)
        raw_teams = None
        if book.teams is None:
            problems.append(Problem(path.name, "missing sheet 工作队"))
        else:
            raw_teams = _table_rows(book.teams, teams_file, TEAM_COLS, TEAM_REQUIRED, problems)
        raw_short = []
        if book.unstaffed is not None and len(book.unstaffed):
            raw_short = _table_rows(
                book.unstaffed, short_file, UNSTAFFED_COLS, UNSTAFFED_REQUIRED, problems
            )
        return book.file, teams_file, short_file, (raw_plan, raw_teams, raw_short)
    raw_plan = _read_table(plan_dir / "plan.csv", PLAN_COLS, PLAN_REQUIRED, problems)
    raw_teams = _read_table(plan_dir / "teams.csv", TEAM_COLS, TEAM_REQUIRED, problems)
    us_path = plan_dir / "unstaffed.csv"
    if us_path.is_file() and not us_path.read_bytes().strip():
        raw_short: list[tuple[int, dict[str, str]]] | None = []
    else:
        raw_short = _read_table(us_path, UNSTAFFED_COLS, UNSTAFFED_REQUIRED, problems)
    return "plan.csv", "teams.csv", "unstaffed.csv", (raw_plan, raw_teams, raw_short)
