"""``zhucun verify``'s table as the user sees it: printed, and written as ``verify.xlsx``
(headers, rule names and severities in Chinese with ``lang="zh"``), beside ``verify.csv``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.plans.io import private_file
from optimizer.plans.workbook import WORKBOOK_ERRORS
from optimizer.plans.xlsxwrite import Sheet, write_xlsx
from optimizer.rules.glossary import rule_label
from optimizer.verify.points import TERMS_ZH
from optimizer.verify.violation import Violation, violations_frame

HEAD_ZH = {"rule": "规则", "village_id": "村编码", "cadre_id": "干部编号", "detail": "说明",
           "source": "依据", "severity": "性质"}  # fmt: skip
SEVERITY_ZH = {"hard": "硬性", "soft": "软性"}
SHEET = {"zh": "核查结果", "en": "verify"}
WIDTHS = {"rule": 24, "village_id": 12, "cadre_id": 12, "detail": 80, "source": 40, "severity": 8}


def verify_table(found: list[Violation], lang: str = "en") -> pd.DataFrame:
    """The violations, one row each; Chinese headers, rule names and severities for ``zh``."""
    frame = violations_frame(found, lang)
    if lang != "zh":
        return frame
    return frame.assign(
        severity=frame.severity.map(lambda x: SEVERITY_ZH.get(x, x)),
        rule=frame.rule.map(rule_label),
    ).rename(columns=HEAD_ZH)


def points_line(points: dict[str, int], lang: str = "en") -> str:
    """The plan's soft points per term, on one line (``zhucun verify`` prints it)."""
    total = sum(points.values())
    if lang == "zh":
        terms = "，".join(f"{TERMS_ZH[t]} {p}" for t, p in points.items())
        return f"软性得分（按方案人员重算）：{terms}，合计 {total}"
    terms = ", ".join(f"{t} {p}" for t, p in points.items())
    return f"soft points (recomputed from the plan's people): {terms}; total {total}"


def _is_ours(path: Path) -> bool:
    """An existing workbook zhucun verify wrote (its one sheet's name says so)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except (*WORKBOOK_ERRORS, OSError):  # not a workbook we can read: not ours
        return False
    try:
        return book.sheetnames in ([SHEET["zh"]], [SHEET["en"]])
    finally:
        book.close()


def write_verify_xlsx(found: list[Violation], path: str | Path, lang: str = "en") -> Path:
    """``verify.xlsx``: the table as text cells (a detail like ``=1+1`` stays text), frozen
    header, filter; private, written then renamed; replaces only an earlier one of ours."""
    frame = verify_table(found, lang)
    keys = list(violations_frame([], lang).columns)
    sheet = Sheet(
        SHEET["zh" if lang == "zh" else "en"],
        [str(c) for c in frame.columns],
        frame.astype(str).values.tolist(),
        [WIDTHS[k] for k in keys],
    )
    with private_file(path, ours=_is_ours) as tmp:
        write_xlsx([sheet], tmp)
    return Path(path)
