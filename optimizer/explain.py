"""`zhucun explain`: why a village is short, why a cadre is where they are (or nowhere).

A village is short for one of two kinds of reason, and the answer is minimal in both:
- *intrinsic*: even with no other village in the plan its team cannot be completed. The rules
  that bind are found by a deletion filter over the rule families that remove candidates
  (relaxing a rule never removes supply, so the filter returns an irreducible set: drop any
  one of the named rules and the others alone still leave the village short);
- *competitive*: the people it could take are needed by other villages of higher or equal
  priority. CP-SAT assumption literals ("village W keeps the posts it has") give a core of
  villages that cannot all keep their posts if this one is completed; a deletion pass makes the
  core minimal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from .domain import Dataset, completed_years
from .instance import MEM, SEC, Instance
from .model import SOFT_SCALE, build_model, cadre_points, fit, team_points
from .policy import Policy
from .rules import region_ok
from .solver import SolveResult, solve

# rule families that only remove candidates, in the order reasons are reported
FILTERS = ("LV-REGION", "LV-LEVEL", "H-INCUMBENT", "E-AVAIL", "E-SERVICE", "E-HEALTH", "E-EVAL",
           "E-TOWNSHIP", "E-AGE", "E-SEC-PARTY", "E-SEC-PARTYYRS", "E-SEC-WORKYRS", "L-RANK",
           "H-NOREPEAT", "H-CONTINUITY", "H-PROVVILLAGE", "P-PIN", "T-UNIT")  # fmt: skip


@dataclass
class VillageExplanation:
    village_id: str
    status: str
    """full, covered, short, no-requirement."""
    required: int
    filled: int
    rules: list[str] = field(default_factory=list)
    """The binding rule ids (minimal)."""
    competitors: list[str] = field(default_factory=list)
    """Villages whose posts conflict with completing this one (minimal), when competitive."""
    lines_en: list[str] = field(default_factory=list)
    lines_zh: list[str] = field(default_factory=list)

    def render(self, lang: str = "en") -> str:
        return "\n".join(self.lines_zh if lang == "zh" else self.lines_en)


@dataclass
class CadreExplanation:
    cadre_id: str
    posted: str | None
    """Village the cadre serves in (new or incumbent), else None."""
    role: str | None
    scores: dict[str, int] = field(default_factory=dict)
    """Soft points of the posting per rule id (S-PARTY, S-YOUNG, S-EXPERT, S-FIT, S-TRAVEL)."""
    alternative: str | None = None
    alternative_delta: int | None = None
    failures: list[str] = field(default_factory=list)
    lines_en: list[str] = field(default_factory=list)
    lines_zh: list[str] = field(default_factory=list)

    def render(self, lang: str = "en") -> str:
        return "\n".join(self.lines_zh if lang == "zh" else self.lines_en)


# --------------------------------------------------------------------------- villages


def _cands(inst: Instance, vid: str, role: str, relaxed: set[str]) -> list[str]:
    """Cadres who could take ``role`` at ``vid`` with the ``relaxed`` rule families off."""
    ds, pol, need = inst.ds, inst.policy, inst.need[vid]
    v = ds.villages[vid]
    levels = need.secretary_levels if role == SEC else need.member_levels
    forbid = {(p.cadre_id, p.role) for p in ds.pins if p.kind == "forbid" and p.village_id == vid}
    prev = inst.prev_units.get(vid)
    out = []
    for cid, c in ds.cadres.items():
        u = ds.units[c.unit_id]
        if "LV-REGION" not in relaxed and not region_ok(u, v):
            continue
        if "LV-LEVEL" not in relaxed and u.level not in levels:
            continue
        if "H-INCUMBENT" not in relaxed and cid in inst.busy:
            continue
        failed = set(inst.failures[cid]) | (set(inst.sec_failures[cid]) if role == SEC else set())
        if failed - relaxed:
            continue
        if "H-NOREPEAT" not in relaxed and vid in inst.former.get(cid, ()):
            continue
        if "P-PIN" not in relaxed and ((cid, None) in forbid or (cid, role) in forbid):
            continue
        continuity = "H-CONTINUITY" not in relaxed and pol.continuity == "hard"
        if (
            continuity
            and prev
            and c.unit_id not in prev
            and (role == SEC or pol.members_from == "lead_unit")
        ):
            continue
        if ("H-PROVVILLAGE" not in relaxed and pol.provvillage == "hard"
                and vid in inst.prev_province and u.level == "province"):  # fmt: skip
            continue
        out.append(cid)
    return out


def _alone(inst: Instance, vid: str, relaxed: set[str]) -> int:
    """Required posts the village could fill with nobody else in the plan."""
    need = inst.need[vid]
    inc = inst.inc_by_village.get(vid, [])
    has_sec = any(p.role == SEC for p in inc)
    inc_units = {p.unit_id for p in inc}
    secs = [] if has_sec else _cands(inst, vid, SEC, relaxed)
    mems = _cands(inst, vid, MEM, relaxed)
    if not has_sec and not secs:
        return min(len(inc), need.min - 1)
    unit_of = inst.unit_of
    lead_mode = inst.policy.members_from == "lead_unit" and "T-UNIT" not in relaxed
    best = 0
    leads = [None] if has_sec else sorted({unit_of(c) for c in secs})
    for lead in leads:
        if lead_mode and inc_units and lead is not None and lead not in inc_units:
            continue
        units = {lead} if lead is not None else set(inc_units)
        if lead_mode and inst.policy.joint.enabled:
            units |= _joint_partners(inst, lead or next(iter(inc_units), None))
        sec = [c for c in secs if unit_of(c) == lead][:1]
        pool = [c for c in mems if c not in sec and (not lead_mode or unit_of(c) in units)]
        got = len(inc) + len(sec) + len(pool)
        best = max(best, min(need.min, got))
    return best


def _joint_partners(inst: Instance, uid: str | None) -> set[str]:
    jt = inst.policy.joint
    if uid is None:
        return set()
    u = inst.ds.units[uid]
    small = lambda x: x.level in jt.levels and x.staff is not None and x.staff < jt.staff_max  # noqa: E731
    if not small(u):
        return set()
    group = sorted(k for k, x in inst.ds.units.items()
                   if small(x) and x.level == u.level and x.region == u.region)  # fmt: skip
    return set(group)


def _minimal_rules(inst: Instance, vid: str) -> list[str] | None:
    need = inst.need[vid].min
    relaxed = set(FILTERS)
    if _alone(inst, vid, relaxed) < need:
        return None  # not enough people in the whole dataset
    for rule in FILTERS:
        if _alone(inst, vid, relaxed - {rule}) >= need:
            relaxed.discard(rule)
    return [r for r in FILTERS if r in relaxed]


def _competitors(inst: Instance, res: SolveResult, vid: str, seconds: float) -> list[str]:
    """A minimal set of villages that cannot all keep their posts if ``vid`` is completed."""
    filled: dict[str, int] = defaultdict(int)
    secs = {p.village_id for p in inst.incumbents if p.role == SEC}
    for p in inst.incumbents:
        filled[p.village_id] += 1
    for a in res.assignments:
        filled[a.village_id] += 1
        if a.role == SEC:
            secs.add(a.village_id)
    covered = {w for _, w in res.covers}

    def keeps(w: str) -> int:
        need = inst.need[w].min
        return need if w in covered else min(filled[w], need if w in secs else need - 1)

    others = [w for w in inst.need if w != vid and keeps(w) > 0]

    def infeasible(subset: list[str]) -> tuple[bool, list[str]]:
        pm = build_model(inst)
        m = pm.m
        m.add(pm.filled[vid] >= inst.need[vid].min)
        lits = {}
        for w in subset:
            lit = m.new_bool_var(f"keep[{w}]")
            m.add(pm.filled[w] >= keeps(w)).only_enforce_if(lit)
            lits[lit.index] = w
        m.add_assumptions([m.get_bool_var_from_proto_index(i) for i in lits])
        s = cp_model.CpSolver()
        s.parameters.num_workers = 1
        s.parameters.max_time_in_seconds = seconds
        status = s.solve(m)
        if status != cp_model.INFEASIBLE:
            return False, []
        return True, [lits[i] for i in s.sufficient_assumptions_for_infeasibility() if i in lits]

    bad, core = infeasible(others)
    if not bad:
        return []
    core = sorted(core or others, key=lambda w: list(inst.need).index(w))
    for w in list(core):
        trial = [x for x in core if x != w]
        if trial and infeasible(trial)[0]:
            core = trial
    return core


def explain_village(dataset: Dataset, policy: Policy, village_id: str, plan_date: date,
                    result: SolveResult | None = None, time_limit: float = 60.0) -> VillageExplanation:  # fmt: skip
    """Why ``village_id`` is short (or that it is not): the binding rules, minimal."""
    res = result or solve(dataset, policy, plan_date, time_limit=time_limit)
    inst = res.instance
    v = dataset.villages.get(village_id)
    if v is None:
        from .errors import InputError, Problem

        raise InputError([Problem("--village", "no such village in the dataset", value=village_id)])
    name = f"{village_id} ({v.name})"
    need = inst.need.get(village_id)
    if need is None:
        en = f"{name} has no team requirement under {policy.name} (flags: {', '.join(sorted(v.categories))}): no team is sent (T-SIZE)."
        zh = f"{name} 在 {policy.name} 下无选派要求（类别：{'、'.join(sorted(v.categories))}），不派工作队（T-SIZE）。"
        return VillageExplanation(village_id, "no-requirement", 0, 0, ["T-SIZE"], [], [en], [zh])
    tables = res.tables
    team = tables.plan[tables.plan.village_id == village_id]
    covered_by = [h for h, w in res.covers if w == village_id]
    short = tables.unstaffed[tables.unstaffed.village_id == village_id]
    missing = int(short.posts_missing.iloc[0]) if len(short) else 0
    filled = need.min - missing
    if covered_by:
        en = [f"{name} is covered by the team at {covered_by[0]} (C-CLUSTER): nothing is missing."]
        zh = [f"{name} 由 {covered_by[0]} 的工作队一队带多村覆盖（C-CLUSTER），无缺额。"]
        return VillageExplanation(village_id, "covered", need.min, need.min, [], [], en, zh)
    if missing == 0:
        people = ", ".join(
            f"{r.cadre_id} {r.cadre_name} ({r.role}, {r.unit_id})" for r in team.itertuples()
        )
        en = [f"{name} has its full team ({len(team)} of minimum {need.min}): {people}."]
        zh = [f"{name} 工作队已满（{len(team)}人，最低{need.min}人）：{people}。"]
        return VillageExplanation(village_id, "full", need.min, need.min, [], [], en, zh)
    rules = _minimal_rules(inst, village_id)
    head_en = (
        f"{name} is short {missing} of {need.min} required posts (class {inst.cls[village_id]})."
    )
    head_zh = f"{name} 缺{missing}个岗位（最低{need.min}人，优先级类别 {inst.cls[village_id]}）。"
    if rules is None:
        en = [head_en, "Even with every eligibility and level rule set aside there are not enough "
              "people in the dataset to staff it."]  # fmt: skip
        zh = [head_zh, "即使不考虑任何资格和层级规定，数据中的人员也不足以组队。"]
        return VillageExplanation(village_id, "short", need.min, filled, [], [], en, zh)
    if rules:
        en, zh = [head_en, "Binding rules (with no other village in the plan, the team still "
                  "cannot be completed unless all of these are set aside):"], [head_zh, "约束规则（即使不考虑其他村，也须同时放宽以下全部规定才能组满）："]  # fmt: skip
        for r in rules:
            e, z = _rule_sentence(inst, village_id, r, rules)
            en.append(f"  - {r}: {e}")
            zh.append(f"  - {r}：{z}")
        return VillageExplanation(village_id, "short", need.min, filled, rules, [], en, zh)
    comp = _competitors(inst, res, village_id, min(30.0, time_limit))
    en = [head_en, f"Alone it could be staffed: {_supply_text(inst, village_id)}."]
    zh = [head_zh, f"单独看可以组队：{_supply_text(inst, village_id, 'zh')}。"]
    if comp:
        cls = {inst.cls[w] for w in comp}
        en.append("It is short because these villages of equal or higher priority need the same "
                  f"people (one post per cadre, T-UNIT, coverage order weak > key > …): {', '.join(comp)} "
                  f"(classes {', '.join(sorted(cls))}). Completing it would leave one of them short.")  # fmt: skip
        zh.append(f"同等或更高优先级的村 {'、'.join(comp)} 需要同一批人员（每人一个岗位、T-UNIT、覆盖优先顺序），"
                  "组满本村会使其中之一缺员。")  # fmt: skip
        rules_out = ["T-UNIT", "coverage-order"]
    else:
        en.append("Completing it would not cost another village a post; the plan left it short "
                  "within the time limit (see manifest gap).")  # fmt: skip
        zh.append("组满本村不会使其他村缺员；规划在时限内未组满（见 manifest 中的 gap）。")
        rules_out = []
    return VillageExplanation(village_id, "short", need.min, filled, rules_out, comp, en, zh)


def _supply_text(inst: Instance, vid: str, lang: str = "en") -> str:
    inc = inst.inc_by_village.get(vid, [])
    m = _cands(inst, vid, MEM, set())
    if inst.policy.members_from == "lead_unit" and inc:
        units = {p.unit_id for p in inc}
        m = [c for c in m if inst.unit_of(c) in units]
    if any(p.role == SEC for p in inc):
        return (f"its incumbent first secretary stays and {len(m)} free people could join as members"
                if lang == "en" else f"现任第一书记留任，另有 {len(m)} 人可任队员")  # fmt: skip
    s = len(_cands(inst, vid, SEC, set()))
    return (f"{s} possible first secretaries, {len(m)} possible members" if lang == "en"
            else f"可任第一书记 {s} 人，可任队员 {len(m)} 人")  # fmt: skip


def _rule_sentence(inst: Instance, vid: str, rule: str, binding: list[str]) -> tuple[str, str]:
    """How many candidates the rule removes, given the other binding rules are set aside."""
    others = set(binding) - {rule}
    before_s = set(_cands(inst, vid, SEC, others | {rule}))
    after_s = set(_cands(inst, vid, SEC, others))
    before_m = set(_cands(inst, vid, MEM, others | {rule}))
    after_m = set(_cands(inst, vid, MEM, others))
    gone_s, gone_m = len(before_s - after_s), len(before_m - after_m)
    en = (
        f"removes {gone_s} of {len(before_s)} possible first secretaries and {gone_m} of "
        f"{len(before_m)} possible members"
    )
    zh = f"排除可任第一书记 {gone_s}/{len(before_s)} 人、可任队员 {gone_m}/{len(before_m)} 人"
    if rule == "T-UNIT":
        en = "members must come from the first secretary's unit, and no unit that can lead has enough"
        zh = "队员须来自第一书记所在单位，而能出第一书记的单位人数都不够"
    return en, zh


# --------------------------------------------------------------------------- cadres


def _failure_text(inst: Instance, cid: str, rule: str) -> tuple[str, str]:
    c, pol, day = inst.ds.cadres[cid], inst.policy, inst.plan_date
    u = inst.ds.units[c.unit_id]
    texts = {
        "E-AVAIL": ("marked unavailable (available = false)", "标记为不可派"),
        "E-SERVICE": (f"employment is {c.employment}, not in-service staff", f"编制状态为 {c.employment}，非在编在岗"),
        "E-HEALTH": ("health is poor", "健康状况较差"),
        "E-EVAL": (f"worst recent rating {c.eval_recent}", f"近两年考核 {c.eval_recent}"),
        "E-TOWNSHIP": ("a township cadre", "乡镇干部"),
        "E-AGE": (f"age {c.age(day)} at {day} > {pol.max_age}", f"{day} 时 {c.age(day)} 岁，超过 {pol.max_age} 岁"),
        "E-SEC-PARTY": (f"political status {c.political_status}, not a full CPC member", f"政治面貌 {c.political_status}，非中共正式党员"),
        "E-SEC-PARTYYRS": (f"party standing {completed_years(c.party_date, day) if c.party_date else 0} year(s) at {day} "
                           f"(joined {c.party_date}); needs ≥ {pol.sec_min_party_years}",
                           f"党龄 {completed_years(c.party_date, day) if c.party_date else 0} 年（入党 {c.party_date}），需 ≥ {pol.sec_min_party_years} 年"),
        "E-SEC-WORKYRS": (f"work experience {completed_years(c.work_date, day)} year(s) (since {c.work_date}); needs ≥ {pol.sec_min_work_years}",
                          f"工作年限 {completed_years(c.work_date, day)} 年（{c.work_date} 参加工作），需 ≥ {pol.sec_min_work_years} 年"),
        "L-RANK": (f"rank {c.rank or 'clerk'}, middle manager {c.middle_manager}, young pool {c.young_pool} "
                   f"do not meet the {u.level}-level leader rule", f"职级 {c.rank or '科员'}、中层 {c.middle_manager}、年轻干部 {c.young_pool} 不符合{u.level}级队长要求"),
    }  # fmt: skip
    return texts[rule]


def explain_cadre(dataset: Dataset, policy: Policy, cadre_id: str, plan_date: date,
                  result: SolveResult | None = None, time_limit: float = 60.0) -> CadreExplanation:  # fmt: skip
    """Where the cadre is and why (score by soft term, best alternative), or why nowhere."""
    c = dataset.cadres.get(cadre_id)
    if c is None:
        from .errors import InputError, Problem

        raise InputError([Problem("--cadre", "no such cadre in the dataset", value=cadre_id)])
    res = result or solve(dataset, policy, plan_date, time_limit=time_limit)
    inst = res.instance
    name = f"{cadre_id} ({c.name}, {c.unit_id})"
    inc = next((p for p in inst.incumbents if p.cadre_id == cadre_id), None)
    if inc is not None:
        en = [f"{name} is a serving incumbent at {inc.village_id} as {inc.role} since {inc.start} "
              "and stays (H-INCUMBENT)."]  # fmt: skip
        zh = [
            f"{name} 自 {inc.start} 起在 {inc.village_id} 任{inc.role}，任期未满，留任（H-INCUMBENT）。"
        ]
        return CadreExplanation(cadre_id, inc.village_id, inc.role, lines_en=en, lines_zh=zh)
    if any(r.cadre_id == cadre_id for r in dataset.recall):
        en = [f"{name} is recalled (召回) and appears nowhere in the plan (H-INCUMBENT)."]
        zh = [f"{name} 已召回，不出现在规划中（H-INCUMBENT）。"]
        return CadreExplanation(
            cadre_id, None, None, failures=["H-INCUMBENT"], lines_en=en, lines_zh=zh
        )
    post = next((a for a in res.assignments if a.cadre_id == cadre_id), None)
    if post is not None:
        scores = _posting_scores(inst, cadre_id, post.village_id, post.role)
        total = sum(scores.values())
        alt, alt_total = None, None
        for vid, roles in inst.options(cadre_id):
            if vid == post.village_id or post.role not in roles:
                continue
            t = sum(_posting_scores(inst, cadre_id, vid, post.role).values())
            if alt_total is None or t > alt_total or (t == alt_total and vid < alt):
                alt, alt_total = vid, t
        parts = ", ".join(f"{k} {v:+d}" for k, v in scores.items() if v)
        en = [f"{name} serves at {post.village_id} ({dataset.villages[post.village_id].name}) as {post.role}.",
              f"Score of this posting: {total:+d} points ({parts or 'no soft term applies'})."]  # fmt: skip
        zh = [f"{name} 派往 {post.village_id}（{dataset.villages[post.village_id].name}）任{post.role}。",
              f"该岗位得分 {total:+d}（{parts or '无软约束项'}）。"]  # fmt: skip
        if alt is not None:
            d = total - alt_total
            en.append(f"Best alternative: {alt} ({dataset.villages[alt].name}) at {alt_total:+d} points "
                      f"({d:+d} for the chosen village). The plan is optimised as a whole: coverage "
                      "first, then the sum of all postings' points.")  # fmt: skip
            zh.append(f"最佳备选：{alt}（{dataset.villages[alt].name}），得分 {alt_total:+d}（所选村 {d:+d}）。"
                      "规划整体优化：先覆盖，再总分。")  # fmt: skip
        return CadreExplanation(cadre_id, post.village_id, post.role, scores, alt,
                                None if alt_total is None else total - alt_total, [], en, zh)  # fmt: skip
    fails = list(inst.failures[cadre_id])
    en, zh = [f"{name} is not posted."], [f"{name} 未被选派。"]
    if fails:
        for r in fails:
            e, z = _failure_text(inst, cadre_id, r)
            en.append(f"  - {r}: {e}")
            zh.append(f"  - {r}：{z}")
        return CadreExplanation(cadre_id, None, None, failures=fails, lines_en=en, lines_zh=zh)
    options = [vid for vid, _ in inst.options(cadre_id)]
    sec_fails = inst.sec_failures[cadre_id]
    if not options:
        en.append("  - no village with a requirement accepts this unit's level and region, or the "
                  "cadre served in each before (LV-LEVEL, LV-REGION, H-NOREPEAT).")  # fmt: skip
        zh.append(
            "  - 没有村接受该单位的层级和地区，或均为其曾驻村（LV-LEVEL、LV-REGION、H-NOREPEAT）。"
        )
        return CadreExplanation(cadre_id, None, None, failures=["LV-LEVEL", "LV-REGION", "H-NOREPEAT"],
                                lines_en=en, lines_zh=zh)  # fmt: skip
    for r in sec_fails:
        e, z = _failure_text(inst, cadre_id, r)
        en.append(f"  - may serve only as a member: {r}: {e}")
        zh.append(f"  - 只能任队员：{r}：{z}")
    en.append(f"  - eligible but not needed: {len(options)} village(s) could take them "
              f"(e.g. {', '.join(options[:5])}), and every post there is filled by people who "
              "score better or keep higher-priority posts filled.")  # fmt: skip
    zh.append(f"  - 符合条件但未被需要：可派往 {len(options)} 个村（如 {'、'.join(options[:5])}），"
              "这些岗位已由得分更高或保障更高优先级的人员填补。")  # fmt: skip
    return CadreExplanation(cadre_id, None, None, failures=sec_fails, lines_en=en, lines_zh=zh)


def _posting_scores(inst: Instance, cid: str, vid: str, role: str) -> dict[str, int]:
    pts = dict(cadre_points(inst, cid, role))
    w = inst.policy.weights
    pts["S-FIT"] = w.fit * SOFT_SCALE * fit(inst, cid, vid)
    d = inst.distance.get((inst.unit_of(cid), vid))
    pts["S-TRAVEL"] = -round(w.travel_per_10km * d) if d is not None else 0
    if role == SEC:
        pts.update(team_points(inst, inst.unit_of(cid), vid))
    return pts


__all__ = ["CadreExplanation", "VillageExplanation", "explain_cadre", "explain_village"]
