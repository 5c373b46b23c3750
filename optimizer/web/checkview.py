"""``check``'s answer as tables in Chinese: problems with sheet, row, column, value and fix;
supply and demand per level, role and category."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

import optimizer
from optimizer import InputError, Problem
from optimizer.plans.check import ZH_COLUMNS
from optimizer.rules.glossary import rule_label
from optimizer.web.labels import frame_rows, zh_categories, zh_level, zh_role

CHECK_COLUMNS = ZH_COLUMNS
"""Check's table headers in Chinese: the command line's own (one place)."""
SECTIONS = (
    ("categories", "各类别村数"),
    ("demand", "各县需求（新派岗位不含留任在岗人员）"),
    ("demand_levels", "按允许的派出层级统计的需求"),
    ("supply", "各派出层级的合格人选"),
    ("failures", "不符合各项资格条件的人数"),
    ("shortfall", "需求超过供给之处"),
)


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    """One row per problem: the file, sheet, row, column, value, and the message (the fix)."""
    return [
        {
            "file": p.file,
            "sheet": p.sheet or "",
            "row": "" if p.row is None else p.row,
            "column": p.column or p.key or "",
            "value": p.value or "",
            "message": p.message,
        }
        for p in problems
    ]


def in_chinese(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if col == "category":
            out[col] = out[col].map(zh_categories)
        elif col in ("level", "secretary_levels", "member_levels"):
            out[col] = out[col].map(lambda v: "/".join(zh_level(x) for x in str(v).split("/")))
        elif col == "role":
            out[col] = out[col].map(zh_role)
        elif col == "rule":
            out[col] = out[col].map(rule_label)
    return out.rename(columns=CHECK_COLUMNS)


def check_view(desk, dataset_id: str, preset: str, day: date) -> dict[str, Any]:
    """Problems (nothing else) when the data cannot be read; else warnings and the tables."""
    try:
        policy = optimizer.load_policy(preset)
        ds = desk.load(dataset_id, day)
        report = optimizer.check(ds, policy, day)
    except InputError as exc:
        return {"problems": problem_rows(exc.problems), "tables": [], "warnings": []}
    tables = [
        {"title": title, **frame_rows(in_chinese(getattr(report, name)))}
        for name, title in SECTIONS
        if not getattr(report, name).empty
    ]
    summary = {"villages": len(ds.villages), "cadres": len(ds.cadres), "units": len(ds.units),
               "incumbents": report.incumbents, "covered": report.shortfall.empty}  # fmt: skip
    return {"problems": [], "tables": tables, "warnings": list(ds.warnings), "summary": summary}
