"""Chinese headers and codes of compare's tables (the ``--lang zh`` output and the workbook)."""

from __future__ import annotations

from typing import Any

import pandas as pd

ZH = {
    "scenario": "情景",
    "cadre_id": "干部编号",
    "cadre_name": "姓名",
    "unit_id": "单位编码",
    "unit_name": "单位名称",
    "change": "变动",
    "village_before": "原村",
    "role_before": "原角色",
    "village_after": "新村",
    "role_after": "新角色",
    "village_id": "村编码",
    "village_name": "村名",
    "secretary_before": "原第一书记",
    "secretary_after": "新第一书记",
    "size_before": "原人数",
    "size_after": "新人数",
    "covered_by_before": "原带动队",
    "covered_by_after": "新带动队",
    "kpi": "指标",
}

VALUES_ZH = {
    "moved": "调动", "added": "新增", "removed": "撤出", "secretary": "第一书记", "member": "队员",
    "gains_team": "新增工作队", "loses_team": "撤出工作队", "gains_secretary": "新配第一书记",
    "loses_secretary": "失去第一书记", "secretary_replaced": "更换第一书记", "resized": "人数变化",
    "gains_cover": "新由邻村工作队带动", "loses_cover": "不再由邻村工作队带动",
    "OPTIMAL": "最优", "FEASIBLE": "可行", "INFEASIBLE": "无可行方案", "UNKNOWN": "未知",
}  # fmt: skip
"""Codes in compare's tables (changes, village events, roles, solve statuses) in Chinese."""
VALUE_COLUMNS = ("change", "role_before", "role_after")


def values_zh(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its codes in Chinese (a ';'-joined list of village events too)."""

    def one(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return "；".join(VALUES_ZH.get(part, part) for part in text.split(";"))

    cols = [c for c in frame.columns if c in VALUE_COLUMNS]
    return frame.assign(**{c: frame[c].map(one) for c in cols}) if cols else frame
