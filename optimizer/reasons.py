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

import numpy as np

from optimizer.candidates import (
    Groups,
    Table,
    blockers,
    free_candidates,
    groups,
    groups_at,
    local_units,
)
from optimizer.data.domain import CATEGORIES
from optimizer.instance import SEC, Instance

ENFORCE = ("LV-LEVEL", "LV-REGION", "T-UNIT", "H-INCUMBENT", "E-AVAIL", "E-SERVICE", "E-HEALTH",
           "E-EVAL", "E-TOWNSHIP", "E-AGE", "E-SEC-PARTY", "E-SEC-PARTYYRS", "E-SEC-WORKYRS",
           "L-RANK", "H-NOREPEAT", "P-PIN", "H-PROVVILLAGE", "H-CONTINUITY")  # fmt: skip
"""Rule families that only remove candidates, in the order the deletion filter enforces them."""
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


def _teams(inst: Instance, vid: str, secs: list[tuple[str, str]], mems: list[tuple[str, str]],
           lead_mode: bool) -> list[tuple[str | None, list[str], list[str]]]:  # fmt: skip
    """Per possible lead unit: (lead, its first-secretary candidates, members it may take).
    ``secs``/``mems``: (cadre, unit) of the candidates. Incumbents fix the lead (and in
    ``lead_unit`` mode the units); joint partners join small units (J-JOINT)."""
    inc = inst.inc_by_village.get(vid, [])
    inc_units = {p.unit_id for p in inc}
    if any(p.role == SEC for p in inc):
        leads: list[str | None] = [None]
    else:
        leads = sorted({u for _, u in secs})
        if lead_mode and inc_units:
            leads = [u for u in leads if u in inc_units]
    sec_of: dict[str, list[str]] = {}
    mem_of: dict[str, list[str]] = {}
    for c, u in secs:
        sec_of.setdefault(u, []).append(c)
    for c, u in mems:
        mem_of.setdefault(u, []).append(c)
    all_mem = [c for c, _ in mems]
    out = []
    for lead in leads:
        units = {lead} if lead is not None else set(inc_units)
        if lead_mode and inst.policy.joint.enabled:
            units |= joint_partners(inst, lead or min(inc_units, default=None))
        sec = sec_of.get(lead, []) if lead is not None else []
        mem = all_mem if not lead_mode else [c for u in sorted(units) for c in mem_of.get(u, ())]
        out.append((lead, sec, mem))
    return out


def _fill(inst: Instance, vid: str, sec: list[str], mem: list[str], lead: str | None,
          mem_set: set[str] | None = None) -> int:  # fmt: skip
    """Required posts a team can fill with these people (incumbents included); its first
    secretary is one not also among ``mem`` where there is one (as :func:`alone` counts).
    ``mem_set``: ``mem`` as a set, if one is at hand."""
    need, inc = inst.need[vid].min, len(inst.inc_by_village.get(vid, []))
    if lead is None:
        return min(need, inc + len(mem))
    if not sec:
        return min(inc, need - 1)
    members = mem_set if mem_set is not None else set(mem)
    both = all(c in members for c in sec)
    return min(need, inc + 1 + len(mem) - both)


def alone(inst: Instance, vid: str, cands: Table | Groups, relaxed: set[str]) -> int:
    """Required posts the village could fill with nobody else in the plan, ``relaxed`` off.
    ``cands``: the candidates' table or its groups (cadres of a unit barred by the same rules
    are alike here, so the many calls of :func:`minimal_rules` stay cheap); a team's first
    secretary is one who is not also counted as a member, where the lead unit has one."""
    lead_mode = inst.policy.members_from == "lead_unit" and "T-UNIT" not in relaxed
    inc = inst.inc_by_village.get(vid, [])
    need = inst.need[vid].min
    off = np.int64(~_mask(relaxed))
    names, unit, bs, bm, k = _masks(cands if isinstance(cands, dict) else groups(cands))
    s, m = (bs & off) == 0, (bm & off) == 0
    count = lambda w: np.bincount(unit, weights=k * w, minlength=len(names))  # noqa: E731
    n_sec = dict(zip(names, count(s).astype(int).tolist(), strict=True))
    n_mem = dict(zip(names, count(m).astype(int).tolist(), strict=True))
    n_both = dict(zip(names, count(s & m).astype(int).tolist(), strict=True))
    inc_units = {p.unit_id for p in inc}
    best = min(len(inc), need - 1)
    if any(p.role == SEC for p in inc):
        leads: list[str | None] = [None]
    else:
        leads = sorted(u for u, k in n_sec.items() if k)
        if lead_mode and inc_units:
            leads = [u for u in leads if u in inc_units]
    total_mem = sum(n_mem.values())
    for lead in leads:
        units = {lead} if lead is not None else set(inc_units)
        if lead_mode and inst.policy.joint.enabled:
            units |= joint_partners(inst, lead or min(inc_units, default=None))
        mem = sum(n_mem.get(u, 0) for u in units) if lead_mode else total_mem
        if lead is None:
            fill = min(need, len(inc) + mem)
        else:
            both = 1 if n_both[lead] == n_sec[lead] else 0
            fill = min(need, len(inc) + 1 + mem - both)
        best = max(best, fill)
        if best >= need:
            break
    return best


_BIT: dict[str, int] = {}


def _mask(rules) -> int:
    """Rule ids as bits of one int: subset tests become one ``&`` (a frozenset's ``<=`` made
    :func:`alone` the slow part of a province's reasons)."""
    out = 0
    for r in rules:
        bit = _BIT.get(r)
        if bit is None:
            bit = _BIT.setdefault(r, 1 << len(_BIT))
        out |= bit
    return out


_MASKS: tuple = (None, None)


def _masks(g: Groups):
    """The groups as arrays — unit names, unit index, secretary rules and member rules as
    bits, cadres — kept for the last groups seen (:func:`minimal_rules` asks ~20 times)."""
    global _MASKS
    seen, out = _MASKS
    if seen is not g:
        names = sorted({u for u, _, _ in g})
        index = {u: i for i, u in enumerate(names)}
        rows = [(index[u], _mask(a), _mask(b), k) for (u, a, b), k in g.items()]
        cols = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
        out = (names, np.asarray(cols[0], dtype=np.int64), np.asarray(cols[1], dtype=np.int64),
               np.asarray(cols[2], dtype=np.int64), np.asarray(cols[3], dtype=np.int64))  # fmt: skip
        _MASKS = (g, out)
    return out


def joint_partners(inst: Instance, uid: str | None) -> set[str]:
    """Units a small unit may form a joint team with (J-JOINT), itself included."""
    jt = inst.policy.joint
    if uid is None:
        return set()
    if _JOINT[0] is not inst:
        small = lambda x: x.level in jt.levels and x.staff is not None and x.staff < jt.staff_max  # noqa: E731
        groups: dict[tuple, set[str]] = {}
        for k, x in inst.ds.units.items():
            if small(x):
                groups.setdefault((x.level, x.region), set()).add(k)
        _JOINT[:] = [inst, {k: g for g in groups.values() for k in g}]
    return set(_JOINT[1].get(uid, ()))


_JOINT: list = [None, {}]
"""The last instance's J-JOINT groups (unit → its group): looked up per lead unit."""


def minimal_rules(inst: Instance, vid: str, tab: Table | Groups) -> list[str] | None:
    """A minimal set of rules whose setting aside lets the village be completed alone, the
    binding one first; [] when it can be; None when no setting aside is enough."""
    need = inst.need[vid].min
    relaxed = set(ENFORCE)
    if alone(inst, vid, tab, relaxed) < need:
        return None
    for rule in ENFORCE:
        if alone(inst, vid, tab, relaxed - {rule}) >= need:
            relaxed.discard(rule)
    return [r for r in reversed(ENFORCE) if r in relaxed]


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


def village_reason(inst: Instance, vid: str, missing: int, where: dict[str, str],
                   local: list[str] | None = None) -> Reason:  # fmt: skip
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
        en = (f"T-SIZE: the team needs {inst.need[vid].min} people: not enough people in the "
              f"dataset ({n}) even with every eligibility, level and unit rule set aside")  # fmt: skip
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
        en = (f"removes {gone[0]} of {before[0]} possible first secretaries and {gone[1]} of "
              f"{before[1]} possible members")  # fmt: skip
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
    return Reason(vid, missing, list(rules), [], values,
                  "; ".join(en_parts) + tail_en, "；".join(zh_parts) + tail_zh)  # fmt: skip


def _continuity_text(inst: Instance, vid: str, tab: Groups, relaxed: set[str],
                     values: dict[str, Any]) -> tuple[str, str]:  # fmt: skip
    """H-CONTINUITY with its data: the unit that must stay, and the serving team's unit or
    how few people the staying unit has."""
    keep = sorted(inst.prev_units.get(vid, ()))
    serving = sorted({p.unit_id for p in inst.inc_by_village.get(vid, [])} - set(keep))
    k = sum(n for (u, _, bm), n in tab.items() if u in keep and bm - {"H-CONTINUITY"} <= relaxed)
    ks = sum(n for (u, bs, _), n in tab.items() if u in keep and bs - {"H-CONTINUITY"} <= relaxed)
    values.update(lead_unit=";".join(keep), serving_units=serving, members_of_lead_unit=k,
                  secretaries_of_lead_unit=ks)  # fmt: skip
    if serving:
        return (f"the team's unit must stay {';'.join(keep)}, but the serving team is from "
                f"{';'.join(serving)}, which may then send no one more",
                f"须由 {';'.join(keep)} 继续派驻，而现任队员来自 {';'.join(serving)}，不能再增派")  # fmt: skip
    need = inst.need[vid].min
    return (f"the team's unit must stay {';'.join(keep)}, which has {ks} possible first "
            f"secretaries and {k} possible members for a team of {need}",
            f"须由 {';'.join(keep)} 继续派驻，而该单位可任第一书记 {ks} 人、可任队员 {k} 人（需 {need} 人）")  # fmt: skip


def _counts(tab: Groups, relaxed: set[str]) -> tuple[int, int]:
    return (sum(n for (_, bs, _), n in tab.items() if bs <= relaxed),
            sum(n for (_, _, bm), n in tab.items() if bm <= relaxed))  # fmt: skip


def rank(inst: Instance, vid: str) -> tuple[int, int]:
    """Priority of a village: class order (weak first), then dataset order."""
    return CATEGORIES.index(inst.cls[vid]), list(inst.need).index(vid)


def _competitive(inst: Instance, vid: str, missing: int, free: tuple[list, list],
                 where: dict[str, str]) -> Reason:  # fmt: skip
    """Alone it could be completed: with free people (PLAN), or only with people the plan
    posts elsewhere (PRIORITY), for the lead unit that needs the fewest of them."""
    secs, mems = free
    lead_mode = inst.policy.members_from == "lead_unit"
    posts = inst.need[vid].min
    usable = lambda c: where.get(c, vid) == vid  # noqa: E731  free, or already here
    best = None
    for lead, sec, mem in _teams(inst, vid, secs, mems, lead_mode):
        if _fill(inst, vid, sec, mem, lead) < posts:
            continue
        free_sec, free_mem = [c for c in sec if usable(c)], [c for c in mem if usable(c)]
        got = _fill(inst, vid, free_sec, free_mem, lead)
        taken = sorted({c for c in sec + mem if not usable(c)})
        key = (posts - got, lead or "")
        if best is None or key < best[0]:
            best = (key, lead, taken, free_sec[:1] + [c for c in free_mem if c not in free_sec[:1]])
    (short, _), lead, taken, free = best  # type: ignore[misc]
    unit = lead or ";".join(sorted({p.unit_id for p in inst.inc_by_village.get(vid, [])}))
    if short <= 0:
        people = ", ".join(free[:SHOW])
        en = (f"PLAN: free people could complete it without moving anyone (lead unit {unit}: "
              f"{people}); the plan leaves it short")  # fmt: skip
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
        en = (f"PLAN: completing it needs {short} more of {source}'s people, who serve at {names}"
              f"{more}, some at villages of lower priority: a plan filling more posts of its "
              "class may exist")  # fmt: skip
        zh = f"PLAN：组满需再从 {unit} 调 {short} 人，其人员在 {names}{zmore} 任职，其中有优先级更低的村：可能存在本类别岗位更多的规划"
        return Reason(vid, missing, ["PLAN"], comp, values, en, zh)
    en = (f"PRIORITY: completing it needs {short} more of {source}'s people (T-UNIT), and the "
          f"{len(taken)} who could go serve at villages of equal or higher priority: {names}{more}")  # fmt: skip
    zh = (f"PRIORITY：组满需再从 {unit} 调 {short} 人（T-UNIT），而可派的 {len(taken)} 人已在同等或更高"
          f"优先级的村任职：{names}{zmore}")  # fmt: skip
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
    """The plan of a :class:`~optimizer.solver.SolveResult` (incumbents and new postings)."""
    inst = res.instance
    postings = [(p.cadre_id, p.village_id, p.role) for p in inst.incumbents]
    postings += [(a.cadre_id, a.village_id, a.role) for a in res.assignments]
    return PlanView(postings, list(res.covers), res.has_plan, res.status)
