"""KPIs of runs side by side (``compare``) and postings per sending unit."""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.data.domain import CATEGORIES
from optimizer.data.schema import CATEGORY
from optimizer.whatif.runs import Run, load_runs
from optimizer.whatif.tables_zh import VALUES_ZH

# KPI rows: key → (English label, Chinese label)
LABELS: dict[str, tuple[str, str]] = {
    "status": ("status", "求解状态"),
    "posts_required": ("required posts", "应派岗位"),
    "posts_filled": ("required posts filled", "已派岗位"),
    "posts_filled_pct": ("required posts filled %", "岗位满足率 %"),
    "villages_short": ("villages short or unstaffed", "缺额村"),
    **{
        f"served_{c}": (f"villages served: {c} %", f"覆盖率：{CATEGORY.zh[c]} %")
        for c in CATEGORIES
    },
    "postings": ("postings in force", "在岗人数"),
    "new_postings": ("new postings", "新派人数"),
    "incumbents_kept": ("incumbents kept", "留任人数"),
    "teams": ("teams", "工作队数"),
    "clusters": ("villages covered by a cluster", "一队带多村覆盖村"),
    "fit_pct": ("village needs met by skills %", "需求匹配率 %"),
    "travel_km_mean": ("travel mean km", "平均距离 公里"),
    "travel_km_max": ("travel max km", "最远距离 公里"),
    "party_pct": ("party members among members %", "队员党员比例 %"),
    "young_pct": ("young-cadre share %", "年轻干部比例 %"),
    "units_sending": ("units sending", "派出单位数"),
    "unit_load_mean": ("postings per sending unit, mean", "单位平均派出"),
    "unit_load_max": ("postings per sending unit, max", "单位最多派出"),
    "cost_wan_yuan": ("estimated annual cost, 10k yuan", "年度估算费用 万元"),
    "gap_pct": ("soft-objective gap %", "目标间隙 %"),
    "wall_time_s": ("solve time s", "求解用时 秒"),
}


def _pct(x: Any) -> float | None:
    return None if x is None else round(100 * float(x), 1)


def kpi_values(run: Run) -> dict[str, Any]:
    """The comparison's KPI values of one run (keys of :data:`LABELS`)."""
    k = run.kpis
    req, filled = k.get("posts_required", 0), k.get("posts_filled", 0)
    load = k.get("unit_load") or {}
    vals: dict[str, Any] = {
        "status": k.get("status"),
        "posts_required": req,
        "posts_filled": filled,
        "posts_filled_pct": _pct(filled / req) if req else None,
        "villages_short": k.get("villages_unstaffed_or_short"),
    }
    for cat, d in (k.get("coverage_by_category") or {}).items():
        served = d.get("staffed", 0) + d.get("covered", 0)
        vals[f"served_{cat}"] = _pct(served / d["villages"]) if d.get("villages") else None
    cost = k.get("estimated_annual_cost_yuan")
    gap = run.manifest.get("gap")
    vals.update(
        {
            "postings": k.get("postings"),
            "new_postings": k.get("new_postings"),
            "incumbents_kept": k.get("incumbents_kept"),
            "teams": len(run.teams),
            "clusters": k.get("villages_covered_by_cluster"),
            "fit_pct": _pct(k.get("fit_share")),
            "travel_km_mean": k.get("travel_km_mean"),
            "travel_km_max": k.get("travel_km_max"),
            "party_pct": _pct(k.get("party_share_members")),
            "young_pct": _pct(k.get("young_share")),
            "units_sending": len(load),
            "unit_load_mean": round(sum(load.values()) / len(load), 2) if load else None,
            "unit_load_max": max(load.values()) if load else None,
            "cost_wan_yuan": round(cost / 10_000, 1) if cost is not None else None,
            "gap_pct": _pct(gap) if gap is not None else None,
            "wall_time_s": run.manifest.get("wall_time"),
        }
    )
    return vals


def compare(runs: Any, lang: str = "en") -> pd.DataFrame:
    """KPIs side by side: one row per KPI, one column per run (the first is the reference).

    Category rows appear for the categories any run has, in priority order."""
    runs = load_runs(runs)
    values = [kpi_values(r) for r in runs]
    keys = [k for k in LABELS if any(k in v for v in values)]
    col = 1 if lang == "zh" else 0
    if lang == "zh":
        values = [{**v, "status": VALUES_ZH.get(v.get("status"), v.get("status"))} for v in values]
    frame = pd.DataFrame(
        {r.name: [v.get(k) for k in keys] for r, v in zip(runs, values, strict=True)},
        index=pd.Index([LABELS[k][col] for k in keys], name="指标" if lang == "zh" else "kpi"),
    )
    return frame.astype(object).where(frame.notna(), None)


def unit_load(runs: Any) -> pd.DataFrame:
    """Postings in force per sending unit (rows) and run (columns)."""
    runs = load_runs(runs)
    names: dict[str, str] = {}
    cols = {}
    for r in runs:
        names.update(zip(r.plan.unit_id, r.plan.unit_name, strict=True))
        cols[r.name] = r.plan.groupby("unit_id").size()
    frame = pd.DataFrame(cols).fillna(0).astype(int).sort_index()
    frame.insert(0, "unit_name", [names[u] for u in frame.index])
    frame.index.name = "unit_id"
    return frame
