"""Compare run folders (``zhucun compare``): KPIs side by side and the plan diff against the first.

Works on any folder holding a plan (``zhucun run`` or ``zhucun solve`` output). The diff is
by person and by village:

- moves (by ``cadre_id``): ``moved`` (village or role changed), ``added`` (posted only in the
  other plan), ``removed`` (posted only in the first);
- villages: ``gains_team``/``loses_team`` (hosts a team, a ``teams.csv`` row, in one plan
  only), ``gains_secretary``/``loses_secretary`` (has a first secretary in one plan only),
  ``secretary_replaced`` (another person), ``resized`` (team size changed),
  ``gains_cover``/``loses_cover`` (covered by a neighbour's cluster team in one plan only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.data.domain import CATEGORIES
from optimizer.data.errors import InputError, Problem
from optimizer.data.schema import CATEGORY
from optimizer.outputs import defuse_formulas, make_folder, private_file, unescape_frame, write_csv

MOVE_COLUMNS = [
    "scenario",
    "cadre_id",
    "cadre_name",
    "unit_id",
    "change",
    "village_before",
    "role_before",
    "village_after",
    "role_after",
]
VILLAGE_COLUMNS = [
    "scenario",
    "village_id",
    "village_name",
    "change",
    "secretary_before",
    "secretary_after",
    "size_before",
    "size_after",
    "covered_by_before",
    "covered_by_after",
]
MOVE_ORDER = ("moved", "added", "removed")
VILLAGE_EVENTS = (
    "gains_team",
    "loses_team",
    "gains_secretary",
    "loses_secretary",
    "secretary_replaced",
    "resized",
    "gains_cover",
    "loses_cover",
)
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


@dataclass
class Run:
    """One run folder, read back: the SPEC §6 tables, KPIs, manifest and scenario."""

    name: str
    path: Path
    plan: pd.DataFrame
    teams: pd.DataFrame
    unstaffed: pd.DataFrame
    kpis: dict[str, Any]
    manifest: dict[str, Any]
    scenario: dict[str, Any] = field(default_factory=dict)

    @property
    def dataset_path(self) -> Path | None:
        """The dataset that was solved: the run's own ``dataset/``, else the manifest's."""
        own = self.path / "dataset"
        if own.is_dir():
            return own
        src = self.manifest.get("dataset")
        return Path(src) if src and Path(src).exists() else None


def _read_csv(path: Path) -> pd.DataFrame:
    return unescape_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def load_run(path: str | Path) -> Run:
    """Read a run folder; a folder without a plan is bad input, named as such."""
    path = Path(path)
    if not path.is_dir():
        raise InputError([Problem(str(path), "no such run folder")])
    missing = [n for n in ("plan.csv", "teams.csv", "kpis.json") if not (path / n).is_file()]
    if missing:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"not a run folder: missing {', '.join(missing)} "
                    "(expected the output of zhucun run or zhucun solve)",
                )
            ]
        )
    try:
        kpis = json.loads((path / "kpis.json").read_text("utf-8"))
        manifest = (
            json.loads((path / "manifest.json").read_text("utf-8"))
            if (path / "manifest.json").is_file()
            else {}
        )
    except ValueError as exc:
        raise InputError(
            [Problem(str(path), f"kpis.json or manifest.json is not JSON ({exc})")]
        ) from None
    scenario: dict[str, Any] = {}
    if (path / "scenario.yaml").is_file():
        import yaml

        scenario = yaml.safe_load((path / "scenario.yaml").read_text("utf-8")) or {}
    unstaffed = (
        _read_csv(path / "unstaffed.csv")
        if (path / "unstaffed.csv").is_file()
        else pd.DataFrame(columns=["village_id", "posts_missing"])
    )
    name = str(scenario.get("name") or path.resolve().name)
    return Run(
        name,
        path,
        _read_csv(path / "plan.csv"),
        _read_csv(path / "teams.csv"),
        unstaffed,
        kpis,
        manifest,
        scenario,
    )


def load_runs(items: Any) -> list[Run]:
    """Runs from folders, :class:`Run` or ``RunResult`` objects. A folder holding run folders
    (a ``zhucun run --out``) stands for all of them, in the order they were run."""
    if isinstance(items, str | Path | Run) or hasattr(items, "has_plan"):
        items = [items]
    runs: list[Run] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Run):
            runs.append(item)
            continue
        if hasattr(item, "has_plan"):  # a RunResult
            if item.path is None:
                problems.append(Problem(item.name, f"no plan to compare ({item.status})"))
                continue
            item = item.path
        path = Path(item)
        try:
            if path.is_dir() and not (path / "plan.csv").exists() and _run_dirs(path):
                runs.extend(load_run(p) for p in _run_dirs(path))
            else:
                runs.append(load_run(path))
        except InputError as exc:
            problems.extend(exc.problems)
    names = [r.name for r in runs]
    for n in sorted({n for n in names if names.count(n) > 1}):
        paths = ", ".join(str(r.path) for r in runs if r.name == n)
        problems.append(
            Problem(paths, f"two runs are both named {n!r}: compare needs distinct names")
        )
    if problems:
        raise InputError(problems)
    if not runs:
        raise InputError([Problem("compare", "no run folders given")])
    return runs


def _run_dirs(folder: Path) -> list[Path]:
    found = {p.name: p for p in folder.iterdir() if p.is_dir() and (p / "plan.csv").is_file()}
    order: list[str] = []
    index = folder / "runs.json"
    if index.is_file():
        try:
            order = [n for n in json.loads(index.read_text("utf-8")).get("runs", []) if n in found]
        except (ValueError, AttributeError):
            order = []
    order += sorted(n for n in found if n not in order)
    return [found[n] for n in order]


# --------------------------------------------------------------------------- KPIs


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


# --------------------------------------------------------------------------- diff


def plan_diff(base: Any, other: Any) -> pd.DataFrame:
    """Who moves from ``base`` to ``other``: one row per cadre whose posting differs."""
    a, b = load_runs(base)[0], load_runs(other)[0]
    before = {r.cadre_id: r for r in a.plan.itertuples(index=False)}
    after = {r.cadre_id: r for r in b.plan.itertuples(index=False)}
    rows = []
    for cid in sorted(before.keys() | after.keys()):
        x, y = before.get(cid), after.get(cid)
        if x is not None and y is not None:
            if (x.village_id, x.role) == (y.village_id, y.role):
                continue
            change = "moved"
        else:
            change = "added" if x is None else "removed"
        who = y if y is not None else x
        rows.append(
            {
                "scenario": b.name,
                "cadre_id": cid,
                "cadre_name": who.cadre_name,
                "unit_id": who.unit_id,
                "change": change,
                "village_before": x.village_id if x is not None else "",
                "role_before": x.role if x is not None else "",
                "village_after": y.village_id if y is not None else "",
                "role_after": y.role if y is not None else "",
            }
        )
    rows.sort(key=lambda r: (MOVE_ORDER.index(r["change"]), r["cadre_id"]))
    return pd.DataFrame(rows, columns=MOVE_COLUMNS)


def _village_state(run: Run) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    for t in run.teams.itertuples(index=False):
        state.setdefault(t.host_village_id, {})["size"] = int(t.size)
        for w in filter(None, str(t.covered_village_ids).split(";")):
            state.setdefault(w, {})["covered_by"] = t.team_id
    for r in run.plan.itertuples(index=False):
        st = state.setdefault(r.village_id, {})
        st["name"] = r.village_name
        if r.role == "secretary":
            st["secretary"] = r.cadre_id
    return state


def village_diff(base: Any, other: Any) -> pd.DataFrame:
    """Villages whose team, first secretary, size or cluster cover differ from ``base``."""
    a, b = load_runs(base)[0], load_runs(other)[0]
    sa, sb = _village_state(a), _village_state(b)
    names = {**_names(a), **_names(b)}
    rows = []
    for vid in sorted(sa.keys() | sb.keys()):
        x, y = sa.get(vid, {}), sb.get(vid, {})
        ev = []
        if ("size" in x) != ("size" in y):
            ev.append("gains_team" if "size" in y else "loses_team")
        if ("secretary" in x) != ("secretary" in y):
            ev.append("gains_secretary" if "secretary" in y else "loses_secretary")
        elif x.get("secretary") != y.get("secretary"):
            ev.append("secretary_replaced")
        if "size" in x and "size" in y and x["size"] != y["size"]:
            ev.append("resized")
        if ("covered_by" in x) != ("covered_by" in y):
            ev.append("gains_cover" if "covered_by" in y else "loses_cover")
        if not ev:
            continue
        rows.append(
            {
                "scenario": b.name,
                "village_id": vid,
                "village_name": names.get(vid, ""),
                "change": ";".join(ev),
                "secretary_before": x.get("secretary", ""),
                "secretary_after": y.get("secretary", ""),
                "size_before": x.get("size", 0),
                "size_after": y.get("size", 0),
                "covered_by_before": x.get("covered_by", ""),
                "covered_by_after": y.get("covered_by", ""),
            }
        )
    return pd.DataFrame(rows, columns=VILLAGE_COLUMNS)


def _names(run: Run) -> dict[str, str]:
    names = dict(zip(run.plan.village_id, run.plan.village_name, strict=True))
    if "village_id" in run.unstaffed and "village_name" in run.unstaffed:
        names.update(zip(run.unstaffed.village_id, run.unstaffed.village_name, strict=True))
    return names


@dataclass
class Comparison:
    """Everything ``zhucun compare`` shows and exports."""

    runs: list[Run]
    kpis: pd.DataFrame
    moves: pd.DataFrame
    villages: pd.DataFrame
    units: pd.DataFrame
    lang: str = "en"

    def summary(self) -> list[str]:
        """One line per run after the first: counts of each kind of change."""
        lines = []
        base = self.runs[0].name
        zh = self.lang == "zh"
        for r in self.runs[1:]:
            mv = self.moves[self.moves.scenario == r.name].change.value_counts()
            vs = self.villages[self.villages.scenario == r.name].change.str.split(";").explode()
            vc = vs.value_counts()
            if zh:
                people = "，".join(f"{VALUES_ZH[c]} {int(mv.get(c, 0))} 人" for c in MOVE_ORDER)
                places = "，".join(f"{VALUES_ZH[e]} {int(vc[e])} 个" for e in VILLAGE_EVENTS
                                  if e in vc) or "无"  # fmt: skip
                lines.append(f"{r.name} 对比 {base}：干部 {people}；村 {places}")
                continue
            people = ", ".join(f"{int(mv.get(c, 0))} {c}" for c in MOVE_ORDER)
            places = ", ".join(f"{int(vc[e])} {e}" for e in VILLAGE_EVENTS if e in vc) or "none"
            lines.append(f"{r.name} vs {base}: cadres {people}; villages {places}")
        return lines


def comparison(runs: Any, lang: str = "en") -> Comparison:
    """KPI table, moves and village changes of every run against the first, unit load."""
    runs = load_runs(runs)
    moves = [plan_diff(runs[0], r) for r in runs[1:]]
    villages = [village_diff(runs[0], r) for r in runs[1:]]
    return Comparison(
        runs,
        compare(runs, lang),
        pd.concat(moves, ignore_index=True) if moves else pd.DataFrame(columns=MOVE_COLUMNS),
        (
            pd.concat(villages, ignore_index=True)
            if villages
            else pd.DataFrame(columns=VILLAGE_COLUMNS)
        ),
        unit_load(runs),
        lang,
    )


def write_comparison(cmp: Comparison, out: str | Path, prefix: str = "compare") -> list[Path]:
    """``<prefix>-kpis.csv``, ``-moves.csv``, ``-villages.csv``, ``-units.csv`` and
    ``<prefix>.xlsx`` (Chinese sheet names and headers); each file private, written then
    renamed, formula-like text kept as text."""
    out = Path(out)
    make_folder(out)
    written: list[Path] = []

    def put(name: str, write) -> None:
        with private_file(out / name) as tmp:
            write(tmp)
        written.append(out / name)

    for part, frame, index in (
        ("kpis", cmp.kpis, True),
        ("moves", cmp.moves, False),
        ("villages", cmp.villages, False),
        ("units", cmp.units, True),
    ):
        put(
            f"{prefix}-{part}.csv",
            lambda p, f=frame, i=index: write_csv(f, p, index=i),
        )

    def xlsx(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            cmp.kpis.rename_axis("指标").to_excel(xw, sheet_name="指标对比")
            moves, villages = cmp.moves, cmp.villages
            if cmp.lang == "zh":
                moves, villages = values_zh(moves), values_zh(villages)
            moves.rename(columns=ZH).to_excel(xw, sheet_name="人员变动", index=False)
            villages.rename(columns=ZH).to_excel(xw, sheet_name="村变动", index=False)
            cmp.units.rename(columns=ZH).rename_axis("单位编码").to_excel(xw, sheet_name="单位负担")
            defuse_formulas(xw.book)

    put(f"{prefix}.xlsx", xlsx)
    return written
