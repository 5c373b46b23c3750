"""Chinese words for the codes the library speaks (roles, levels, categories, statuses), as
Jinja filters; and tables turned into rows a template can loop over."""

from __future__ import annotations

from typing import Any

import pandas as pd
from jinja2 import Environment

from optimizer.data.schema import CATEGORY, LEVEL, ROLE
from optimizer.rules.glossary import rule_label

JOB_STATUS = {
    "queued": "排队中",
    "running": "求解中",
    "done": "已完成",
    "stopped": "已停止",
    "interrupted": "已中断",
    "failed": "失败",
}
POSTING_STATUS = {"new": "新派", "incumbent": "留任"}
PLACE = {"local": "本机", "cluster": "集群"}
"""Where a solve runs: a process on this machine, or the Dask cluster."""
SEVERITY = {"hard": "硬性", "soft": "软性"}


def zh_categories(text: Any) -> str:
    return "、".join(CATEGORY.zh.get(c, c) for c in str(text or "").split(";") if c)


def zh_level(text: Any) -> str:
    return LEVEL.zh.get(str(text), str(text))


def zh_role(text: Any) -> str:
    return ROLE.zh.get(str(text), str(text))


def percent(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{100 * float(value):.2f}%"


def install_filters(env: Environment) -> None:
    env.filters.update(
        cats=zh_categories,
        level=zh_level,
        role=zh_role,
        rule=rule_label,
        jobstatus=lambda s: JOB_STATUS.get(str(s), str(s)),
        place=lambda s: PLACE.get(str(s), str(s)),
        posting=lambda s: POSTING_STATUS.get(str(s), str(s)),
        severity=lambda s: SEVERITY.get(str(s), str(s)),
        pct=percent,
    )


def frame_rows(frame: pd.DataFrame, limit: int | None = None) -> dict[str, Any]:
    """A DataFrame as headers and rows of strings for a plain table template."""
    shown = frame if limit is None else frame.head(limit)
    shown = shown.reset_index() if not isinstance(shown.index, pd.RangeIndex) else shown
    rows = [["" if pd.isna(v) else str(v) for v in r] for r in shown.itertuples(index=False)]
    return {
        "headers": [str(c) for c in shown.columns],
        "rows": rows,
        "more": max(0, len(frame) - len(shown)),
    }


DIFF_COLUMNS = {
    "cadre_id": "干部编号", "cadre_name": "姓名", "unit_id": "派出单位", "change": "变化",
    "village_before": "原村", "role_before": "原职务", "village_after": "现村", "role_after": "现职务",
    "village_id": "村编码", "village_name": "村名", "secretary_before": "原第一书记",
    "secretary_after": "现第一书记", "size_before": "原人数", "size_after": "现人数",
    "covered_by_before": "原带动方", "covered_by_after": "现带动方", "unit_name": "派出单位",
}  # fmt: skip
CHANGE = {
    "moved": "换村", "added": "新派", "removed": "撤回", "role": "换职务",
    "secretary_replaced": "换第一书记", "resized": "人数变化", "loses_team": "失去工作队",
    "gains_team": "新增工作队", "loses_secretary": "失去第一书记", "gains_secretary": "新增第一书记",
    "loses_cover": "失去带动", "gains_cover": "新增带动",
}  # fmt: skip


def zh_diff(frame: pd.DataFrame) -> pd.DataFrame:
    """A plan or village diff with Chinese headers and change words; roles in Chinese."""
    out = frame.drop(columns=[c for c in ("scenario",) if c in frame.columns]).copy()
    if "change" in out.columns:
        out["change"] = out["change"].map(
            lambda s: "、".join(CHANGE.get(p, p) for p in str(s).split(";") if p)
        )
    for col in ("role_before", "role_after"):
        if col in out.columns:
            out[col] = out[col].map(lambda r: zh_role(r) if r else "")
    return out.rename(columns=DIFF_COLUMNS)
