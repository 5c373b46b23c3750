"""Why a village is short: one derivation behind ``unstaffed.csv``, ``explain --village`` and
``explain --cadre``, so the three always give the same reason, binding rule first.

It works on any plan: a solve result, or a plan folder read from disk (hand-edited too). Each
short village gets one :class:`Reason` of one of three kinds:

- *intrinsic*: with no other village in the plan the team still cannot be completed. The
  binding rules are a minimal set found by a deletion filter over the rule families that remove
  candidates. Structural rules (levels, regions, T-UNIT, incumbents) are enforced first and the
  specific ones last, so the set names the rule that really bites (H-CONTINUITY, not T-UNIT,
  when the serving team's unit may not add members);
- ``PRIORITY``: alone it could be completed, but the people who could complete it serve at
  villages of equal or higher priority (SPEC §3, posts and shortfall), named;
- ``PLAN``: free people could complete it without moving anyone: the plan (stopped by the
  clock, or edited by hand) leaves it short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimizer.data.domain import CATEGORIES
from optimizer.model.candidates import (
    Groups,
    blockers,
    free_candidates,
    groups_at,
    local_units,
)
from optimizer.plans.alone import ENFORCE, alone, lead_teams, minimal_rules, team_fill
from optimizer.rules.instance import SEC, Instance

SHOW = 6
"""Villages or people named in one sentence; the rest are counted."""


@dataclass
class PlanView:
    """A plan as the reasons see it: every posting (cadre, village, role), incumbents included,
    and the cluster covers (host, covered village)."""

    postings: list[tuple[str, str, str]]
    covers: list[tuple[str, str]] = field(default_factory=list)
    has_plan: bool = True
    status: str = "OPTIMAL"


@dataclass
class Reason:
    """Why one village is short: ``rules[0]`` is the binding rule."""

    village_id: str
    missing: int
    rules: list[str]
    competitors: list[str] = field(default_factory=list)
    """Villages holding the people who could complete this one (``PRIORITY``, ``PLAN``)."""
    values: dict[str, Any] = field(default_factory=dict)
    en: str = ""
    zh: str = ""

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


# --------------------------------------------------------------------------- villages


def shortfall(inst: Instance, view: PlanView) -> dict[str, int]:
    """Village → required posts missing, counted as the master does (T-SIZE, T-SEC)."""
    size: dict[str, int] = {}
    secs: set[str] = set()
    for _, vid, role in view.postings:
        size[vid] = size.get(vid, 0) + 1
        if role == SEC:
            secs.add(vid)
    covered = {w for _, w in view.covers}
    out = {}
    for vid, need in inst.need.items():
        people = size.get(vid, 0)
        missing = max(0, need.min - people, 0 if vid in secs or not people else 1)
        if missing and vid not in covered:
            out[vid] = missing
    return out


def village_reasons(
    inst: Instance, view: PlanView, only: set[str] | None = None
) -> dict[str, Reason]:
    """The reason of every short village of the plan (of ``only`` those), in dataset order."""
    where = {c: v for c, v, _ in view.postings}
    short = {v: k for v, k in shortfall(inst, view).items() if only is None or v in only}
    local = local_units(inst, list(short)) if short else {}
    return {vid: village_reason(inst, vid, k, where, local.get(vid)) for vid, k in short.items()}


def village_reason(
    inst: Instance, vid: str, missing: int, where: dict[str, str], local: list[str] | None = None
) -> Reason:
    """``where``: cadre → the village the plan posts them to. ``local``: the units the
    village's levels and region allow; when their cadres could complete it with every other
    rule set aside, LV-LEVEL and LV-REGION bind nothing and the others need not be looked
    at."""
    tab = groups_at(inst, vid, local)
    if (
        local is None
        or alone(inst, vid, tab, set(ENFORCE) - {"LV-LEVEL", "LV-REGION"}) < inst.need[vid].min
    ):
        local, tab = None, groups_at(inst, vid)
    rules = minimal_rules(inst, vid, tab)
    if rules is None:
        n = len(inst.ds.cadres)
        en = (
            f"T-SIZE: the team needs {inst.need[vid].min} people: not enough people in the "
            f"dataset ({n}) even with every eligibility, level and unit rule set aside"
        )
        zh = f"T-SIZE：工作队需 {inst.need[vid].min} 人，即使不考虑任何资格、层级和单位规定，人员也不足（{n} 人）"
        return Reason(vid, missing, ["T-SIZE"], [], {"cadres": n}, en, zh)
    if rules:
        return _intrinsic(inst, vid, missing, tab, rules)
    return _competitive(inst, vid, missing, free_candidates(inst, vid, local), where)


def _intrinsic(inst: Instance, vid: str, missing: int, tab: Groups, rules: list[str]) -> Reason:
    en_parts, zh_parts, values = [], [], {}
    for r in rules:
        others = set(rules) - {r}
        before = _counts(tab, others | {r})
        after = _counts(tab, others)
        gone = (before[0] - after[0], before[1] - after[1])
        values[r] = {"secretaries_removed": gone[0], "secretaries": before[0],
                     "members_removed": gone[1], "members": before[1]}  # fmt: skip
        en = (
            f"removes {gone[0]} of {before[0]} possible first secretaries and {gone[1]} of "
            f"{before[1]} possible members"
        )
        zh = f"排除可任第一书记 {gone[0]}/{before[0]} 人、可任队员 {gone[1]}/{before[1]} 人"
        if r == "H-CONTINUITY":
            en, zh = _continuity_text(inst, vid, tab, others, values[r])
        elif r == "T-UNIT":
            en = "members must come from the first secretary's unit, and no unit that can lead has enough people"
            zh = "队员须来自第一书记所在单位，而能出第一书记的单位人数都不够"
        en_parts.append(f"{r}: {en}")
        zh_parts.append(f"{r}：{zh}")
    tail_en = " (even with no other village in the plan the team cannot be completed)"
    tail_zh = "（即使不考虑其他村，也无法组满）"
    return Reason(
        vid,
        missing,
        list(rules),
        [],
        values,
        "; ".join(en_parts) + tail_en,
        "；".join(zh_parts) + tail_zh,
    )


def _continuity_text(
    inst: Instance, vid: str, tab: Groups, relaxed: set[str], values: dict[str, Any]
) -> tuple[str, str]:
    """H-CONTINUITY with its data: the unit that must stay, and the serving team's unit or
    how few people the staying unit has."""
    keep = sorted(inst.prev_units.get(vid, ()))
    serving = sorted({p.unit_id for p in inst.inc_by_village.get(vid, [])} - set(keep))
    k = sum(n for (u, _, bm), n in tab.items() if u in keep and bm - {"H-CONTINUITY"} <= relaxed)
    ks = sum(n for (u, bs, _), n in tab.items() if u in keep and bs - {"H-CONTINUITY"} <= relaxed)
    values.update(
        lead_unit=";".join(keep),
        serving_units=serving,
        members_of_lead_unit=k,
        secretaries_of_lead_unit=ks,
    )
    if serving:
        return (
            f"the team's unit must stay {';'.join(keep)}, but the serving team is from "
            f"{';'.join(serving)}, which may then send no one more",
            f"须由 {';'.join(keep)} 继续派驻，而现任队员来自 {';'.join(serving)}，不能再增派",
        )
    need = inst.need[vid].min
    return (
        f"the team's unit must stay {';'.join(keep)}, which has {ks} possible first "
        f"secretaries and {k} possible members for a team of {need}",
        f"须由 {';'.join(keep)} 继续派驻，而该单位可任第一书记 {ks} 人、可任队员 {k} 人（需 {need} 人）",
    )


def _counts(tab: Groups, relaxed: set[str]) -> tuple[int, int]:
    return (
        sum(n for (_, bs, _), n in tab.items() if bs <= relaxed),
        sum(n for (_, _, bm), n in tab.items() if bm <= relaxed),
    )


def rank(inst: Instance, vid: str) -> tuple[int, int]:
    """Priority of a village: class order (weak first), then dataset order."""
    if _ORDER[0] is not inst:  # the dataset order looked up, not searched, per village
        _ORDER[:] = [inst, {v: i for i, v in enumerate(inst.need)}]
    return CATEGORIES.index(inst.cls[vid]), _ORDER[1][vid]


_ORDER: list = [None, {}]
"""The last instance's villages to staff → their dataset position."""


def _competitive(
    inst: Instance, vid: str, missing: int, free: tuple[list, list], where: dict[str, str]
) -> Reason:
    """Alone it could be completed: with free people (PLAN), or only with people the plan
    posts elsewhere (PRIORITY), for the lead unit that needs the fewest of them."""
    secs, mems = free
    lead_mode = inst.policy.members_from == "lead_unit"
    posts = inst.need[vid].min
    usable = lambda c: where.get(c, vid) == vid  # noqa: E731  free, or already here
    best = None
    for lead, sec, mem in lead_teams(inst, vid, secs, mems, lead_mode):
        if team_fill(inst, vid, sec, mem, lead) < posts:
            continue
        free_sec, free_mem = [c for c in sec if usable(c)], [c for c in mem if usable(c)]
        got = team_fill(inst, vid, free_sec, free_mem, lead)
        taken = sorted({c for c in sec + mem if not usable(c)})
        key = (posts - got, lead or "")
        if best is None or key < best[0]:
            best = (key, lead, taken, free_sec[:1] + [c for c in free_mem if c not in free_sec[:1]])
    (short, _), lead, taken, free = best  # type: ignore[misc]
    unit = lead or ";".join(sorted({p.unit_id for p in inst.inc_by_village.get(vid, [])}))
    if short <= 0:
        people = ", ".join(free[:SHOW])
        en = (
            f"PLAN: free people could complete it without moving anyone (lead unit {unit}: "
            f"{people}); the plan leaves it short"
        )
        zh = f"PLAN：有空闲人员可组满且无需调动他人（牵头单位 {unit}：{people}），本规划未组满"
        return Reason(vid, missing, ["PLAN"], [], {"lead_unit": unit, "free": free}, en, zh)
    comp = sorted({where[c] for c in taken}, key=lambda w: rank(inst, w))
    lower = [w for w in comp if rank(inst, w)[0] > rank(inst, vid)[0]]
    names = ", ".join(f"{w} ({inst.cls[w]})" for w in comp[:SHOW])
    more = f" and {len(comp) - SHOW} more" if len(comp) > SHOW else ""
    zmore = f" 等 {len(comp)} 个村" if len(comp) > SHOW else ""
    source = f"unit {unit}" if lead_mode else "the eligible units"
    rules = ["PRIORITY"] + (["T-UNIT"] if lead_mode else [])
    values = {"lead_unit": unit, "needed": short, "posted_elsewhere": taken, "lower": lower}
    if lower:
        en = (
            f"PLAN: completing it needs {short} more of {source}'s people, who serve at {names}"
            f"{more}, some at villages of lower priority: a plan filling more posts of its "
            "class may exist"
        )
        zh = f"PLAN：组满需再从 {unit} 调 {short} 人，其人员在 {names}{zmore} 任职，其中有优先级更低的村：可能存在本类别岗位更多的规划"
        return Reason(vid, missing, ["PLAN"], comp, values, en, zh)
    en = (
        f"PRIORITY: completing it needs {short} more of {source}'s people (T-UNIT), and the "
        f"{len(taken)} who could go serve at villages of equal or higher priority: {names}{more}"
    )
    zh = (
        f"PRIORITY：组满需再从 {unit} 调 {short} 人（T-UNIT），而可派的 {len(taken)} 人已在同等或更高"
        f"优先级的村任职：{names}{zmore}"
    )
    if not lead_mode:
        en, zh = en.replace(" (T-UNIT)", ""), zh.replace("（T-UNIT）", "")
    return Reason(vid, missing, rules, comp, values, en, zh)


# --------------------------------------------------------------------------- cadres


def cadre_reasons(
    inst: Instance, cid: str, reasons: dict[str, Reason]
) -> list[tuple[str, str, str]]:
    """For a free cadre: (village, en, zh) per short village they may serve by person (E-*,
    levels, regions, H-NOREPEAT, pins), best priority first. The sentence is the village's own
    reason; where a rule of the cadre's unit keeps them out as well, that rule follows it."""
    out = []
    for vid, roles in inst.options(cid):
        if vid not in reasons:
            continue
        r = reasons[vid]
        bar = min((blockers(inst, vid, cid, role) for role in roles), key=len)
        en, zh = r.en, r.zh
        if bar and bar[0] not in r.rules:
            keep = ";".join(sorted(inst.prev_units.get(vid, ())))
            why = f" (the team's unit must stay {keep})" if bar[0] == "H-CONTINUITY" else ""
            zwhy = f"（须由 {keep} 继续派驻）" if bar[0] == "H-CONTINUITY" else ""
            en += f"; and {bar[0]}: unit {inst.unit_of(cid)} may not join this team{why}"
            zh += f"；另 {bar[0]}：{inst.unit_of(cid)} 不能参加该村工作队{zwhy}"
        out.append((vid, en, zh))
    return sorted(out, key=lambda t: rank(inst, t[0]))


def view_of(res: Any) -> PlanView:
    """The plan of a :class:`~optimizer.model.result.SolveResult` (incumbents and new postings)."""
    inst = res.instance
    postings = [(p.cadre_id, p.village_id, p.role) for p in inst.incumbents]
    postings += [(a.cadre_id, a.village_id, a.role) for a in res.assignments]
    return PlanView(postings, list(res.covers), res.has_plan, res.status)
