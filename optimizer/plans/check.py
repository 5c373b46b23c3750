"""`zhucun check`: the supply-and-demand picture a planner needs before solving.

Demand comes from the village categories under the policy; supply from the candidates that pass
each eligibility rule. Where demand exceeds supply is found with a max-flow over (unit level,
region) groups and (county, permitted levels) village groups, so it accounts for LV-LEVEL and
LV-REGION: a true upper bound on fillable posts, before team-building rules tighten it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import networkx as nx
import pandas as pd

from optimizer.data.domain import CATEGORIES, LEVELS, Dataset
from optimizer.data.schema import CATEGORY, ROLE
from optimizer.policy import Policy
from optimizer.rules.eligibility import (
    GENERAL_RULES,
    SECRETARY_RULES,
    general_failures,
    priority_class,
    rule_H_INCUMBENT,
    rule_LV_REGION,
    secretary_failures,
    village_need,
)
from optimizer.rules.glossary import rule_label
from optimizer.rules.pins import check_pins


@dataclass
class CheckReport:
    """Tables for notebooks; :meth:`render` prints them for the command line."""

    plan_date: date
    policy: str
    categories: pd.DataFrame
    """Per flag: villages carrying it, villages whose priority class it is, required posts."""
    demand: pd.DataFrame
    """Per county: villages with a team requirement, posts and secretaries required, kept by incumbents."""
    demand_levels: pd.DataFrame
    """Per permitted sending levels (LV-LEVEL): villages, secretaries and members required."""
    supply: pd.DataFrame
    """Per sending level: candidates, eligible as member / as secretary."""
    failures: pd.DataFrame
    """Per rule id: candidates failing it (a candidate may fail several)."""
    shortfall: pd.DataFrame
    """Per county and role: open posts, max fillable by flow, shortfall (only where > 0)."""
    incumbents: int

    def render(self, lang: str = "en") -> str:
        """The report as text; ``lang="zh"``: titles, headers and values in Chinese."""
        zh = lang == "zh"
        t = _ZH_TEXT if zh else {k: k for k in _ZH_TEXT}
        head = (
            f"{self.plan_date} 选派日期、{self.policy} 政策下的供需"
            if zh
            else f"Supply and demand at {self.plan_date} under {self.policy}"
        )
        lines = [head, ""]
        for title, frame in (
            ("Villages per category", self.categories),
            ("Demand per county (new posts exclude incumbents kept)", self.demand),
            ("Demand by permitted sending level (LV-LEVEL)", self.demand_levels),
            ("Eligible candidates per sending level", self.supply),
            ("Candidates failing each eligibility rule", self.failures),
        ):
            lines += [t[title], (_in_chinese(frame) if zh else frame).to_string(index=False), ""]
        lines.append(f"{t['Incumbents staying']}: {self.incumbents}")
        if self.shortfall.empty:
            lines.append(
                t["Supply covers demand in every county (LV-LEVEL and LV-REGION considered)."]
            )
        else:
            shown = _in_chinese(self.shortfall) if zh else self.shortfall
            lines += [t["Where demand exceeds supply:"], shown.to_string(index=False)]
        return "\n".join(lines)


_ZH_TEXT = {
    "Villages per category": "各类别村数",
    "Demand per county (new posts exclude incumbents kept)": "各县需求(新派岗位不含留任在岗人员)",
    "Demand by permitted sending level (LV-LEVEL)": "按允许的派出层级统计的需求(LV-LEVEL)",
    "Eligible candidates per sending level": "各派出层级的合格人选",
    "Candidates failing each eligibility rule": "不符合各项资格条件的人数",
    "Incumbents staying": "留任在岗人员",
    "Supply covers demand in every county (LV-LEVEL and LV-REGION considered).": "各县供给均满足需求(已考虑 LV-LEVEL 派出层级和 LV-REGION 地域范围)。",
    "Where demand exceeds supply:": "需求超过供给之处：",
}
ZH_COLUMNS = {
    "category": "类别", "villages": "村数", "priority_class": "按最高类别计", "required_posts": "需配岗位",
    "county": "县", "posts_required": "需配岗位", "secretaries_required": "需第一书记",
    "kept_by_incumbents": "留任占用", "open_secretary_posts": "待派第一书记",
    "open_member_posts": "待派队员", "secretary_levels": "第一书记可来自",
    "member_levels": "队员可来自", "members_required": "需队员", "level": "层级",
    "candidates": "人选", "serving_incumbents": "在岗留任", "eligible_member": "可任队员",
    "eligible_secretary": "可任第一书记", "rule": "规则", "candidates_failing": "不符合人数",
    "role": "职务", "open_posts": "待派岗位", "max_fillable": "最多可派", "shortfall": "缺口",
}  # fmt: skip
_ZH_LEVEL = {"province": "省派", "city": "市派", "county": "县派", "township": "乡镇派"}


def _in_chinese(frame: pd.DataFrame) -> pd.DataFrame:
    """Headers and coded values (categories, levels, roles, rule ids) in Chinese."""
    out = frame.copy()
    for col in out.columns:
        if col == "category":
            out[col] = out[col].map(lambda c: CATEGORY.zh.get(c, c))
        elif col in ("level", "secretary_levels", "member_levels"):
            out[col] = out[col].map(
                lambda v: "/".join(_ZH_LEVEL.get(x, x) for x in str(v).split("/"))
            )
        elif col == "role":
            out[col] = out[col].map(lambda r: ROLE.zh.get(r, r))
        elif col == "rule":
            out[col] = out[col].map(rule_label)
    return out.rename(columns=ZH_COLUMNS)


def check(ds: Dataset, policy: Policy, plan_date: date) -> CheckReport:
    """Raises :class:`InputError` first if a hard rule forbids a require pin (P-PIN)."""
    check_pins(ds, policy, plan_date)
    needs = {vid: village_need(v, policy) for vid, v in ds.villages.items()}
    incumbents = rule_H_INCUMBENT(ds, plan_date)
    inc_by_village: dict[str, Counter[str]] = defaultdict(Counter)
    busy = set()
    for p in incumbents:
        inc_by_village[p.village_id][p.role] += 1
        busy.add(p.cadre_id)
    demand, open_sec, open_mem = _demand(ds, needs, inc_by_village)
    supply, failures, eligible_member, eligible_sec = _supply(ds, policy, plan_date, busy)
    shortfall = _shortfall(ds, needs, open_sec, open_mem, eligible_member, eligible_sec)
    return CheckReport(
        plan_date,
        policy.name,
        _categories(ds, needs),
        demand,
        _demand_levels(needs),
        supply,
        failures,
        shortfall,
        len(incumbents),
    )


def _categories(ds: Dataset, needs: dict) -> pd.DataFrame:
    """Per flag: villages carrying it, villages whose priority class it is, required posts."""
    cat_rows = []
    for flag in CATEGORIES:
        with_flag = [v for v in ds.villages.values() if flag in v.categories]
        cls = [v for v in with_flag if priority_class(v) == flag]
        cat_rows.append(
            {
                "category": flag,
                "villages": len(with_flag),
                "priority_class": len(cls),
                "required_posts": sum(needs[v.village_id].min for v in cls if needs[v.village_id]),
            }
        )
    return pd.DataFrame(cat_rows)


def _demand(
    ds: Dataset, needs: dict, inc_by_village: dict[str, Counter[str]]
) -> tuple[pd.DataFrame, dict[str, int], dict[str, int]]:
    """Demand per county, and open posts per village: required minus incumbents kept (a
    covered village is not known yet)."""
    open_sec: dict[str, int] = {}
    open_mem: dict[str, int] = {}
    dem: dict[str, Counter[str]] = defaultdict(Counter)
    for vid, need in needs.items():
        county = ds.villages[vid].county
        if need is None:
            continue
        inc = inc_by_village.get(vid, Counter())
        open_sec[vid] = max(0, 1 - inc["secretary"])
        open_mem[vid] = max(0, need.min - 1 - inc["member"])
        dem[county].update(
            {
                "villages": 1,
                "posts_required": need.min,
                "secretaries_required": 1,
                "kept_by_incumbents": min(need.min, inc.total()),
                "open_secretary_posts": open_sec[vid],
                "open_member_posts": open_mem[vid],
            }
        )
    demand = pd.DataFrame([{"county": c, **dem[c]} for c in sorted(dem)])
    return demand, open_sec, open_mem


def _demand_levels(needs: dict) -> pd.DataFrame:
    """Per permitted sending levels (LV-LEVEL): villages, secretaries and members required."""
    by_levels: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for need in needs.values():
        if need is None:
            continue
        key = ("/".join(need.secretary_levels) or "none", "/".join(need.member_levels) or "none")
        by_levels[key].update(
            {"villages": 1, "secretaries_required": 1, "members_required": need.min - 1}
        )
    return pd.DataFrame(
        [
            {"secretary_levels": s, "member_levels": m, **by_levels[(s, m)]}
            for s, m in sorted(by_levels)
        ]
    )


_SUPPLY_COLUMNS = ("candidates", "serving_incumbents", "eligible_member", "eligible_secretary")


def _supply(
    ds: Dataset, policy: Policy, plan_date: date, busy: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], set[str]]:
    """Candidates per sending level and failures per rule; the cadres eligible as members,
    and as secretaries."""
    fail_count: Counter[str] = Counter()
    sup: dict[str, Counter[str]] = {lv: Counter() for lv in LEVELS}
    eligible_member: list[str] = []
    eligible_sec: set[str] = set()
    for cid, cadre in ds.cadres.items():
        unit = ds.units[cadre.unit_id]
        s = sup[unit.level]
        s["candidates"] += 1
        if cid in busy:
            s["serving_incumbents"] += 1
            continue
        gen = general_failures(cadre, unit, policy, plan_date)
        sec = secretary_failures(cadre, unit, policy, plan_date)
        fail_count.update(gen)
        if gen:
            continue
        fail_count.update(sec)
        s["eligible_member"] += 1
        eligible_member.append(cid)
        if not sec:
            s["eligible_secretary"] += 1
            eligible_sec.add(cid)
    supply = pd.DataFrame(
        [
            {"level": lv, **{k: sup[lv][k] for k in _SUPPLY_COLUMNS}}
            for lv in LEVELS
            if sup[lv]["candidates"]
        ]
    )
    failures = pd.DataFrame(
        [
            {"rule": r, "candidates_failing": fail_count[r]}
            for r in (*GENERAL_RULES, *SECRETARY_RULES)
        ]
    )
    return supply, failures, eligible_member, eligible_sec


def _supply_groups(
    ds: Dataset, eligible_member: list[str], eligible_sec: set[str]
) -> tuple[Counter, dict]:
    """Eligible cadres per (level, region, may lead) with a unit standing for each group:
    units collapse so the graph stays small at province scale."""
    groups: Counter[tuple[str, str, bool]] = Counter()
    for cid in eligible_member:
        c = ds.cadres[cid]
        groups[(c.unit_id, ds.units[c.unit_id].level, cid in eligible_sec)] += 1
    sup: Counter[tuple[str, str | None, bool]] = Counter()
    rep: dict[tuple[str, str | None, bool], str] = {}
    for (uid, level, is_sec), n in groups.items():
        key = (level, ds.units[uid].region, is_sec)
        sup[key] += n
        rep.setdefault(key, uid)
    return sup, rep


def _open_posts(ds: Dataset, needs: dict, open_sec: dict, open_mem: dict) -> tuple[Counter, dict]:
    """Open posts per (county, permitted levels, role), with a village standing for each."""
    posts: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    pvillage: dict[tuple[str, tuple[str, ...], str], str] = {}
    for vid, need in needs.items():
        if need is None:
            continue
        county = ds.villages[vid].county
        for role, n, levels in (
            ("secretary", open_sec[vid], need.secretary_levels),
            ("member", open_mem[vid], need.member_levels),
        ):
            if n:
                posts[(county, levels, role)] += n
                pvillage.setdefault((county, levels, role), vid)
    return posts, pvillage


def _shortfall(
    ds: Dataset, needs, open_sec, open_mem, eligible_member, eligible_sec
) -> pd.DataFrame:
    """Max-flow relaxation: a cadre fills at most one post of a permitted level and region."""
    g = nx.DiGraph()
    sup, rep = _supply_groups(ds, eligible_member, eligible_sec)
    posts, pvillage = _open_posts(ds, needs, open_sec, open_mem)
    for key, n in sup.items():
        g.add_edge("S", ("c", key), capacity=n)
    for key, n in posts.items():
        g.add_edge(("p", key), "T", capacity=n)
        county, levels, role = key
        village = ds.villages[pvillage[key]]
        for ckey in sup:
            level, _, is_sec = ckey
            if (
                level in levels
                and (is_sec or role == "member")
                and rule_LV_REGION(ds.units[rep[ckey]], village)
            ):
                g.add_edge(("c", ckey), ("p", key), capacity=n)
    if not posts:
        return pd.DataFrame(columns=["county", "role", "open_posts", "max_fillable", "shortfall"])
    _, flow = nx.maximum_flow(g, "S", "T") if sup else (0, {})
    got: Counter[tuple[str, str]] = Counter()
    need_c: Counter[tuple[str, str]] = Counter()
    for key, n in posts.items():
        county, _, role = key
        need_c[(county, role)] += n
        got[(county, role)] += flow.get(("p", key), {}).get("T", 0) if flow else 0
    rows = [
        {
            "county": c,
            "role": r,
            "open_posts": need_c[(c, r)],
            "max_fillable": got[(c, r)],
            "shortfall": need_c[(c, r)] - got[(c, r)],
        }
        for (c, r) in sorted(need_c)
        if got[(c, r)] < need_c[(c, r)]
    ]
    return pd.DataFrame(rows, columns=["county", "role", "open_posts", "max_fillable", "shortfall"])
