"""`zhucun template`: an empty input workbook planners can fill in Excel or WPS.

One sheet per table with Chinese headers; drop-down lists on enum and yes/no columns and number
checks on number columns, over every row a sheet can have, that refuse a wrong entry with a
Chinese message; and a 说明 sheet that explains every sheet and column in Chinese. It is
generated from :mod:`optimizer.data.schema`, so the template and the loader can never disagree.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.data import schema as s
from optimizer.plans.formulas import defuse_formulas
from optimizer.plans.io import private_file

_TYPE_ZH = {
    "id": "编码(文本)",
    "text": "文本",
    "int": "整数",
    "float": "数字",
    "date": "日期",
    "bool": "是/否",
    "enum": "单选(下拉)",
    "set": "多选(用;分隔)",
}
LAST_ROW = 1_048_576
"""Checks cover the whole column: the last row of an Excel sheet (a province has 25,000 cadres)."""
DATE_FORMS = "2021-05-01、2021/5/1、2021.05、2021-05、202105、2021年5月、2021年5月1日"
_MAX_MESSAGE = 250
"""Excel shows at most 255 characters of a validation message."""

# table → what the sheet holds; (table, column) → (explanation, example). Chinese only.
SHEET_ZH = {
    "units": "派出单位：每个可以选派干部的机关、国企、事业单位、中央驻地单位一行。",
    "cadres": "候选干部：每名可能选派的干部一行(含已在村的干部)。",
    "villages": "村：每个需要考虑选派的村一行。",
    "adjacency": "相邻村：每对相邻的村一行；不填则同一乡镇内相距5公里以内的村视为相邻。",
    "history": "历史派驻：以往和现在的驻村记录，用于留任、不重复派驻和原单位帮扶原村。",
    "pins": "指定：规划人员指定某干部必须派往某村，或不得派往某村。",
    "recall": "召回：需要现在召回、另派人接替的在任干部。",
}
COLUMN_ZH: dict[tuple[str, str], tuple[str, str]] = {
    ("units", "unit_id"): ("派出单位的唯一编码；干部表、历史派驻表用它指向单位", "U0001"),
    ("units", "name"): ("单位全称", "湖南省委宣传部"),
    ("units", "level"): ("单位所属层级", "县"),
    ("units", "region"): ("所属地区的行政区划代码：市级单位填所在市，县级和乡镇单位填所在县，"
                          "省级单位留空", "430121"),
    ("units", "kind"): ("单位类型；国企和事业单位的中层以上视为相应职级", "机关"),
    ("units", "staff"): ("在编在岗人数(不小于0的整数)；省直单位40人以上原则上应参与选派", "182"),
    ("units", "x"): ("东西向坐标，单位公里(平面坐标)；也可改填经度、纬度", "411.078"),
    ("units", "y"): ("南北向坐标，单位公里", "400.241"),
    ("units", "lon"): ("经度(度)，与纬度一起代替平面坐标", "112.98"),
    ("units", "lat"): ("纬度(度)", "28.19"),
    ("cadres", "cadre_id"): ("干部的唯一编号", "C000001"),
    ("cadres", "name"): ("姓名", "张三"),
    ("cadres", "unit_id"): ("所在派出单位的编码，须在“单位”表中", "U0001"),
    ("cadres", "gender"): ("性别", "男"),
    ("cadres", "birth_date"): ("出生日期，用于计算选派日期时的年龄", "1985-03-01"),
    ("cadres", "political_status"): ("政治面貌；第一书记须为中共正式党员", "中共党员"),
    ("cadres", "party_date"): ("入党(转正)时间，党员填写，用于计算党龄", "2010-07-01"),
    ("cadres", "work_date"): ("参加工作时间，用于计算工作年限", "2008-07-01"),
    ("cadres", "rank"): ("职级；留空按科员计", "副科"),
    ("cadres", "middle_manager"): ("是否单位中层以上干部", "否"),
    ("cadres", "employment"): ("编制状态；只有在编在岗人员可以选派，留空按在编在岗", "在编在岗"),
    ("cadres", "township_cadre"): ("是否乡镇干部", "否"),
    ("cadres", "health"): ("健康状况；“较差”不选派，留空按健康", "健康"),
    ("cadres", "eval_recent"): ("近两年年度考核中最差的等次", "称职"),
    ("cadres", "young_pool"): ("是否列入优秀年轻干部", "是"),
    ("cadres", "rural_years"): ("农村工作年限(年，可有小数)", "3"),
    ("cadres", "grassroots_years"): ("基层工作年限(年，可有小数)", "2"),
    ("cadres", "skills"): ("专业特长，可填多项，用分号;分隔", "农业;电商"),
    ("cadres", "available"): ("是否可派；家庭特殊困难、请假等填“否”，留空按可派", "是"),
    ("cadres", "x"): ("住址东西向坐标，单位公里；可留空", "405.2"),
    ("cadres", "y"): ("住址南北向坐标，单位公里", "398.7"),
    ("cadres", "lon"): ("住址经度(度)", "112.98"),
    ("cadres", "lat"): ("住址纬度(度)", "28.19"),
    ("villages", "village_id"): ("村的唯一编码，常用行政区划代码", "430121001"),
    ("villages", "name"): ("村名", "栗白冲村"),
    ("villages", "county"): ("所属县的行政区划代码", "430121"),
    ("villages", "township"): ("所属乡镇名称；相邻关系和地图按乡镇分组", "兰平镇"),
    ("villages", "city"): ("所属市的行政区划代码", "430100"),
    ("villages", "categories"): ("村类别，可填多项，用分号;分隔；决定工作队人数和优先顺序",
                                 "重点帮扶村;脱贫村"),
    ("villages", "relocated_pop"): ("搬迁人口；易地扶贫搬迁安置村填写，决定工作队人数", "650"),
    ("villages", "needs"): ("村的需求，与干部专业特长同一词表，用分号;分隔", "农业;电商"),
    ("villages", "x"): ("东西向坐标，单位公里；也可改填经度、纬度", "394.732"),
    ("villages", "y"): ("南北向坐标，单位公里", "430.46"),
    ("villages", "lon"): ("经度(度)", "112.98"),
    ("villages", "lat"): ("纬度(度)", "28.19"),
    ("villages", "remote"): ("是否艰苦边远地区", "否"),
    ("adjacency", "village_a"): ("相邻两村中一个村的编码", "430121001"),
    ("adjacency", "village_b"): ("另一个村的编码", "430121002"),
    ("history", "cadre_id"): ("曾经或正在驻村的干部编号", "C000001"),
    ("history", "unit_id"): ("当时的派出单位编码", "U0001"),
    ("history", "village_id"): ("所驻村的编码", "430121001"),
    ("history", "level"): ("派驻层级", "县"),
    ("history", "role"): ("驻村角色", "第一书记"),
    ("history", "start"): ("驻村开始时间", "2024-09-01"),
    ("history", "end"): ("驻村结束时间；仍在任的留空", "2026-09-01"),
    ("pins", "cadre_id"): ("被指定的干部编号", "C000001"),
    ("pins", "village_id"): ("指定的村编码", "430121001"),
    ("pins", "role"): ("指定的角色；留空表示任一角色", "第一书记"),
    ("pins", "kind"): ("指定=必须派往该村；禁止=不得派往该村", "指定"),
    ("recall", "cadre_id"): ("要召回的在任干部编号", "C000001"),
    ("recall", "reason"): ("召回原因", "提拔"),
}  # fmt: skip
NOTES = (
    "黄色表头为必填列；单位、干部、村三张表必填，相邻村、历史派驻、指定、召回可留空。",
    f"日期可写 {DATE_FORMS} 或直接填日期；只写年月表示该月1日。",
    "下拉列只能填列表中的值，数字列只能填数字，填错时表格会拒绝并提示。",
    "多选列(专业特长、村类别、需求)可填多项，用分号;分隔，每项须为“可填写的值”中的一个。",
    "表名和列名也可以用“英文列名”一栏中的名称；多出的列会被忽略。",
)
_BOUNDS = {"lon": (-180, 180), "lat": (-90, 90), "x": (-10_000_000, 10_000_000),
           "y": (-10_000_000, 10_000_000)}  # fmt: skip


def _allowed(col: s.Column) -> str:
    if col.vocab is not None:
        return "、".join(col.vocab.zh[c] for c in col.vocab.codes)
    if col.kind == "bool":
        return "是、否"
    if col.kind == "date":
        return DATE_FORMS
    if col.kind in ("id", "text"):
        return "任意文本" if col.kind == "text" else "文本编码(数字编码也按文本保存)"
    if col.kind == "int":
        return "不小于0的整数"
    if col.kind == "float":
        if col.name in ("x", "y"):
            return "数字(公里，可为负数)"
        lo, hi = _BOUNDS.get(col.name, (0, None))
        return f"{lo} 到 {hi} 之间的数" if hi is not None else "不小于0的数"
    return ""


def _validation(col: s.Column, list_ranges: dict[str, str]) -> DataValidation | None:
    """The check of one column: a drop-down list or a number range, refusing anything else."""
    if col.kind in ("enum", "bool"):
        key = "bool" if col.kind == "bool" else _vocab_key(col.vocab)
        dv = DataValidation(type="list", formula1=f"={list_ranges[key]}", allow_blank=True)
        dv.error = f"请从下拉列表中选择：{_allowed(col)}"
    elif col.kind == "int":
        dv = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        dv.error = "请填写不小于0的整数。"
    elif col.kind == "float":
        lo, hi = _BOUNDS.get(col.name, (0, None))
        if hi is None:
            dv = DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1=str(lo), allow_blank=True
            )
        else:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1=str(lo),
                formula2=str(hi),
                allow_blank=True,
            )
        dv.error = f"请填写{_allowed(col)}。"
    else:
        return None
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    dv.errorTitle = f"{col.zh}：填写的值无效"
    dv.error = dv.error[:_MAX_MESSAGE]
    return dv


def _vocab_key(vocab: s.Vocab | None) -> str:
    return "bool" if vocab is None else vocab.name + str(vocab.codes)


def _option_lists(wb: Workbook) -> dict[str, str]:
    """Drop-down values on a hidden sheet: a literal list over 255 characters breaks Excel."""
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    vocabs = [c.vocab for t in s.TABLES for c in t.columns if c.vocab is not None]
    uniq = {_vocab_key(v): v for v in vocabs}
    for i, vocab in enumerate([*uniq.values(), None], start=1):
        letter = get_column_letter(i)
        values = [vocab.zh[c] for c in vocab.codes] if vocab else ["是", "否"]
        lists.cell(1, i, vocab.name if vocab else "bool")
        for j, v in enumerate(values, start=2):
            lists.cell(j, i, v)
        ranges[_vocab_key(vocab)] = f"选项!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _table_sheet(wb: Workbook, table: s.Table, list_ranges: dict[str, str]) -> None:
    ws = wb.create_sheet(table.zh)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, col in enumerate(table.columns, start=1):
        cell = ws.cell(1, j, col.zh)
        cell.font = bold
        if col.required:
            cell.fill = required_fill
        letter = get_column_letter(j)
        dim = ws.column_dimensions[letter]
        dim.width = max(10, len(col.zh) * 2 + 4)
        # a column style, not 100,000 styled cells: new entries in the column take it
        if col.kind in ("id", "text", "set", "date"):
            # codes such as 430121001 or 0012 stay text; so does a typed date: Excel would turn
            # 2021.10 into the number 2021.1 (January?) or, in a date cell, a day in 1905
            dim.number_format = "@"
        dv = _validation(col, list_ranges)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
    ws.freeze_panes = "A2"


def _guide_sheet(wb: Workbook) -> None:
    """The 说明 sheet: sheets, then every column (meaning, required, values, example)."""
    doc: Worksheet = wb.create_sheet("说明", 0)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    doc.append(["工作表", "是否必须", "内容"])
    for table in s.TABLES:
        doc.append([table.zh, "必须" if table.required else "可选", SHEET_ZH[table.name]])
    doc.append([])
    header = ["工作表", "列名", "必填", "类型", "可填写的值", "说明", "示例", "英文列名"]
    doc.append(header)
    header_row = doc.max_row
    for table in s.TABLES:
        for col in table.columns:
            meaning, example = COLUMN_ZH[(table.name, col.name)]
            doc.append(
                [
                    table.zh,
                    col.zh,
                    "是" if col.required else "否",
                    _TYPE_ZH[col.kind],
                    _allowed(col),
                    meaning,
                    example,
                    col.name,
                ]
            )
    doc.append([])
    doc.append(["填写提示"])
    notes_row = doc.max_row
    for note in NOTES:
        doc.append([note])
    for row in (1, header_row, notes_row):
        for cell in doc[row]:
            cell.font = bold
    for j, w in enumerate((12, 14, 6, 14, 44, 50, 18, 16), start=1):
        doc.column_dimensions[get_column_letter(j)].width = w
    for row in doc.iter_rows(min_row=2, max_row=notes_row - 1):
        for cell in row:
            cell.alignment = wrap


def build_template() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    list_ranges = _option_lists(wb)
    for table in s.TABLES:
        _table_sheet(wb, table, list_ranges)
    _guide_sheet(wb)
    return wb


def write_template(path: Path) -> None:
    """Write atomically (a half-written workbook never appears at ``path``) and never over an
    existing file: a template a planner has filled in is their data."""
    with private_file(path, ours=lambda _existing: False) as tmp:
        defuse_formulas(build_template()).save(tmp)
