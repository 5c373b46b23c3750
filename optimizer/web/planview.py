"""A finished plan, read back for the page: its Chinese workbook's sheets, the KPIs, and the
map drawn from village coordinates (no tiles: everything is in the SVG)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import optimizer
from optimizer import Dataset
from optimizer.web.labels import frame_rows
from optimizer.web.paging import Paged, matches, paged

KPI_ROWS = ("求解状态", "应派岗位", "已派岗位", "岗位满足率 %", "缺额村", "在岗人数", "新派人数",
            "留任人数", "工作队数", "一队带多村覆盖村", "需求匹配率 %", "平均距离 km",
            "队员党员比例 %", "年轻干部比例 %", "年度估算费用 万元", "目标间隙 %", "求解用时 秒")  # fmt: skip
SHEETS = ("选派名单", "未覆盖村", "单位派出")
_cache: dict[tuple[str, float], dict[str, pd.DataFrame]] = {}
_texts: dict[tuple[str, str, float], list[str]] = {}
_ids: dict[int, tuple[Dataset, list[str], dict[str, int]]] = {}
_lock = threading.Lock()


def sheets(plan_dir: Path) -> dict[str, pd.DataFrame]:
    """The plan workbook's roster, short villages and unit load (cached by file time)."""
    book = plan_dir / "plan.xlsx"
    key = (str(book), book.stat().st_mtime)
    with _lock:
        if key in _cache:
            return _cache[key]
    frames = pd.read_excel(book, sheet_name=list(SHEETS), dtype=str, keep_default_na=False)
    for frame in frames.values():  # date cells come back as "2026-09-01 00:00:00"
        for col in frame.columns:
            if "日期" in str(col):
                frame[col] = frame[col].str.replace(" 00:00:00", "", regex=False)
    with _lock:
        if len(_cache) > 8:
            _cache.clear()
        _cache[key] = frames
    return frames


def kpis(plan_dir: Path) -> list[tuple[str, str]]:
    """The KPIs a planner reads first, as ``compare`` words them in Chinese."""
    table = optimizer.compare([optimizer.load_run(plan_dir)], "zh")
    col = table.columns[0]
    shown = {"OPTIMAL": "最优", "FEASIBLE": "可行（未证明最优）", "None": "—", "nan": "—"}
    return [
        (k, shown.get(str(table.at[k, col]), str(table.at[k, col])))
        for k in KPI_ROWS
        if k in table.index
    ]


def row_texts(plan_dir: Path, sheet: str) -> list[str]:
    """Each row of a sheet as one line of text, for the search box (cached with the sheets)."""
    frame = sheets(plan_dir)[sheet]
    book = plan_dir / "plan.xlsx"
    key = (str(book), sheet, book.stat().st_mtime)
    with _lock:
        if key in _texts:
            return _texts[key]
    texts = frame.astype(str).agg(" ".join, axis=1).tolist() if len(frame) else []
    with _lock:
        if len(_texts) > 16:
            _texts.clear()
        _texts[key] = texts
    return texts


def plan_rows(plan_dir: Path, ds: Dataset, words: str = "", role: str = "", page: int = 1,
              link=lambda n: f"?page={n}") -> dict[str, Any]:  # fmt: skip
    """One page of the roster rows that match ``words`` and ``role``, with each cadre's
    opaque number (their place in the dataset), for links."""
    roster = sheets(plan_dir)["选派名单"]
    roles, texts = roster["职务"].tolist(), row_texts(plan_dir, "选派名单")
    keep = [i for i, text in enumerate(texts)
            if (not role or roles[i] == role) and (not words or matches(text, words))]  # fmt: skip
    at = paged(keep, page, link)
    shown = roster.iloc[at.items]
    index = cadre_index(ds)
    out = frame_rows(shown.reset_index(drop=True))
    out["refs"] = [index.get(c, -1) for c in shown["干部编号"]]
    out["cadres"] = list(shown["干部编号"])
    out["villages"] = list(shown["村编码"])
    out["page"] = at
    return out


def short_rows(plan_dir: Path, words: str, page: int, link) -> Paged:
    """One page of the short villages (rows as dicts) that match ``words``."""
    short = sheets(plan_dir)["未覆盖村"]
    texts = row_texts(plan_dir, "未覆盖村")
    keep = [i for i, text in enumerate(texts) if not words or matches(text, words)]
    at = paged(keep, page, link)
    at.items = short.iloc[at.items].to_dict("records")
    return at


def cadre_rows(ds: Dataset, plan_dir: Path, words: str, state: str, page: int, link) -> Paged:
    """One page of the dataset's cadres (all of them, posted or not) matching ``words`` by id,
    name or unit; ``state``: ``posted``, ``free`` or empty for both."""
    roster = sheets(plan_dir)["选派名单"]
    where = dict(zip(roster["干部编号"], zip(roster["村名"], roster["职务"], strict=True),
                     strict=True))  # fmt: skip
    units = {u: x.name for u, x in ds.units.items()}
    keep = []
    for i, cid in enumerate(cadre_ids(ds)):
        if state and (state == "posted") != (cid in where):
            continue
        c = ds.cadres[cid]
        if words and not matches(f"{cid} {c.name} {units.get(c.unit_id, '')}", words):
            continue
        keep.append(i)
    at = paged(keep, page, link)
    ids = cadre_ids(ds)
    at.items = [
        {"number": i, "id": ids[i], "name": ds.cadres[ids[i]].name,
         "unit": units.get(ds.cadres[ids[i]].unit_id, ""), "post": where.get(ids[i])}
        for i in at.items
    ]  # fmt: skip
    return at


def cadre_ids(ds: Dataset) -> list[str]:
    """The dataset's cadre ids, sorted (cached per dataset: 60,000 in a province)."""
    with _lock:
        hit = _ids.get(id(ds))
        if hit is not None and hit[0] is ds:
            return hit[1]
    ids = sorted(ds.cadres)
    with _lock:
        if len(_ids) > 16:
            _ids.clear()
        _ids[id(ds)] = (ds, ids, {c: i for i, c in enumerate(ids)})
    return ids


def cadre_index(ds: Dataset) -> dict[str, int]:
    """Cadre id → a number used in URLs instead of the id (URLs are logged; ids are personal)."""
    cadre_ids(ds)
    with _lock:
        return _ids[id(ds)][2]


def cadre_at(ds: Dataset, number: int) -> str | None:
    ids = cadre_ids(ds)
    return ids[number] if 0 <= number < len(ids) else None


@dataclass
class Dot:
    x: float
    y: float
    kind: str
    village_id: str
    name: str
    township: str


def village_map(ds: Dataset, plan_dir: Path, width: int = 760, height: int = 560) -> dict:
    """Dots per village (staffed, short, covered by a neighbour's team, no team needed), lines
    from each cluster host to the villages it covers, township names at their centres."""
    run = optimizer.load_run(plan_dir)
    staffed = set(run.plan.village_id)
    short = set(run.unstaffed.village_id)
    covered: dict[str, str] = {}
    for t in run.teams.itertuples():
        for v in str(t.covered_village_ids or "").split(";"):
            if v:
                covered[v] = t.host_village_id
    pts = [v for v in ds.villages.values() if v.x is not None and v.y is not None]
    if not pts:
        return {"dots": [], "lines": [], "towns": [], "width": width, "height": height}
    xs, ys = [v.x for v in pts], [v.y for v in pts]
    x0, y0 = min(xs), min(ys)
    span = max(max(xs) - x0, max(ys) - y0) or 1.0
    scale = min(width, height) * 0.92 / span
    at = {v.village_id: (12 + (v.x - x0) * scale, height - 12 - (v.y - y0) * scale) for v in pts}
    dots = []
    for v in pts:
        kind = (
            "short"
            if v.village_id in short
            else "covered"
            if v.village_id in covered
            else "staffed"
            if v.village_id in staffed
            else "none"
        )
        x, y = at[v.village_id]
        dots.append(Dot(round(x, 1), round(y, 1), kind, v.village_id, v.name, v.township or ""))
    lines = [(*at[w], *at[h]) for w, h in covered.items() if w in at and h in at]
    towns: dict[str, list[tuple[float, float]]] = {}
    for d in dots:
        towns.setdefault(d.township, []).append((d.x, d.y))
    centres = [
        (name, sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps))
        for name, ps in towns.items()
        if name
    ]
    return {"dots": dots, "lines": lines, "towns": centres, "width": width, "height": height}
