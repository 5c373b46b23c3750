"""`zhucun template`: an empty input workbook planners can fill in Excel or WPS.

One sheet per table with Chinese headers, drop-down lists on enum and yes/no columns, and a
说明 sheet describing every column. It is generated from :mod:`optimizer.schema`, so the
template and the loader can never disagree.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import schema as s
from .outputs import defuse_formulas

_TYPE_ZH = {
    "id": "编码(文本)",
    "text": "文本",
    "int": "整数",
    "float": "数字",
    "date": "日期",
    "bool": "是/否",
    "enum": "单选",
    "set": "多选(用;分隔)",
}
_ROWS = 2000
"""Rows that carry the drop-down lists."""


def _allowed(col: s.Column) -> str:
    if col.vocab is not None:
        return "、".join(col.vocab.zh[c] for c in col.vocab.codes)
    if col.kind == "bool":
        return "是、否"
    if col.kind == "date":
        return "2021-05-01、2021/5/1、2021.05、202105、2021年5月、2021年5月1日"
    return ""


def build_template() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    # list sources live on a hidden sheet: a literal list longer than 255 characters breaks Excel
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    list_ranges: dict[str, str] = {}
    vocabs = [c.vocab for t in s.TABLES for c in t.columns if c.vocab is not None]
    uniq = {v.name + str(v.codes): v for v in vocabs}
    for i, vocab in enumerate([*uniq.values(), None], start=1):
        letter = get_column_letter(i)
        values = [vocab.zh[c] for c in vocab.codes] if vocab else ["是", "否"]
        lists.cell(1, i, vocab.name if vocab else "bool")
        for j, v in enumerate(values, start=2):
            lists.cell(j, i, v)
        key = vocab.name + str(vocab.codes) if vocab else "bool"
        list_ranges[key] = f"选项!${letter}$2:${letter}${len(values) + 1}"

    for table in s.TABLES:
        ws = wb.create_sheet(table.zh)
        for j, col in enumerate(table.columns, start=1):
            cell = ws.cell(1, j, col.zh)
            cell.font = bold
            if col.required:
                cell.fill = required_fill
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(10, len(col.zh) * 2 + 4)
            key = None
            if col.kind == "enum" and col.vocab is not None:
                key = col.vocab.name + str(col.vocab.codes)
            elif col.kind == "bool":
                key = "bool"
            if key:
                dv = DataValidation(type="list", formula1=f"={list_ranges[key]}", allow_blank=True)
                dv.error = f"请从下拉列表中选择: {_allowed(col)}"
                dv.errorTitle = col.zh
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{_ROWS}")
            if col.kind == "date":
                for r in range(2, _ROWS + 1):
                    ws.cell(r, j).number_format = "yyyy-mm-dd"
            elif col.kind in ("id", "text", "set"):
                for r in range(2, _ROWS + 1):
                    ws.cell(r, j).number_format = "@"
        ws.freeze_panes = "A2"

    doc = wb.create_sheet("说明", 0)
    header = ["表(工作表)", "表 (English)", "列", "column", "必填", "类型", "可选值", "说明"]
    for j, h in enumerate(header, start=1):
        doc.cell(1, j, h).font = bold
    r = 2
    for table in s.TABLES:
        for col in table.columns:
            doc.append(
                [
                    table.zh,
                    table.name,
                    col.zh,
                    col.name,
                    "是" if col.required else "",
                    _TYPE_ZH[col.kind],
                    _allowed(col),
                    col.help,
                ]
            )
            r += 1
    doc.append([])
    doc.append(
        ["黄色表头为必填列。日期可写 2021-05-01、2021/5/1、2021年5月 等; 只写年月表示该月1日。"]
    )
    doc.append(
        ["单位、干部、村三张表必填; 相邻村、历史派驻、指定、召回可留空。英文表名与列名同样可用。"]
    )
    for j, w in enumerate((12, 12, 14, 18, 6, 14, 60, 60), start=1):
        doc.column_dimensions[get_column_letter(j)].width = w
    return wb


def write_template(path: Path) -> None:
    """Write atomically: a half-written workbook never appears at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        defuse_formulas(build_template()).save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
