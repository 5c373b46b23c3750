"""Can a village be completed with nobody else in the plan, some rules set aside? The test
behind every reason (:mod:`optimizer.plans.reasons`): a deletion filter over the rule families
that remove candidates finds the minimal set that keeps a village short.

Cadres of a unit barred by the same rules are alike here, so candidates are counted by group
(unit, secretary rules, member rules) with numpy, the rules as bits of one int: the filter
asks ~20 times per village, a province's reasons thousands of times.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.candidates import Groups, Table, groups
from optimizer.rules.instance import Instance
from optimizer.rules.teams import joint_groups, members_follow_lead, team_leads, team_units

ENFORCE = ("LV-LEVEL", "LV-REGION", "T-UNIT", "H-INCUMBENT", "E-AVAIL", "E-SERVICE", "E-HEALTH",
           "E-EVAL", "E-TOWNSHIP", "E-AGE", "E-SEC-PARTY", "E-SEC-PARTYYRS", "E-SEC-WORKYRS",
           "L-RANK", "H-NOREPEAT", "P-PIN", "H-PROVVILLAGE", "H-CONTINUITY")  # fmt: skip
"""Rule families that only remove candidates, in the order the deletion filter enforces them."""


def lead_teams(
    inst: Instance,
    vid: str,
    secs: list[tuple[str, str]],
    mems: list[tuple[str, str]],
    lead_mode: bool,
) -> list[tuple[str | None, list[str], list[str]]]:
    """Per possible lead unit: (lead, its first-secretary candidates, members it may take).
    ``secs``/``mems``: (cadre, unit) of the candidates. Incumbents fix the lead (and in
    ``lead_unit`` mode the units); joint partners join small units (J-JOINT)."""
    inc = inst.inc_by_village.get(vid, [])
    sec_of: dict[str, list[str]] = {}
    mem_of: dict[str, list[str]] = {}
    for c, u in secs:
        sec_of.setdefault(u, []).append(c)
    for c, u in mems:
        mem_of.setdefault(u, []).append(c)
    all_mem = [c for c, _ in mems]
    partners = _partners(inst)
    out = []
    for lead in team_leads(inc, sec_of, lead_mode):
        units = team_units(lead, inc, lead_mode, partners)
        sec = sec_of.get(lead, []) if lead is not None else []
        mem = all_mem if not lead_mode else [c for u in sorted(units) for c in mem_of.get(u, ())]
        out.append((lead, sec, mem))
    return out


def team_fill(
    inst: Instance,
    vid: str,
    sec: list[str],
    mem: list[str],
    lead: str | None,
    mem_set: set[str] | None = None,
) -> int:
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
    lead_mode = members_follow_lead(inst.policy) and "T-UNIT" not in relaxed
    inc = inst.inc_by_village.get(vid, [])
    need = inst.need[vid].min
    off = np.int64(~_mask(relaxed))
    names, unit, bs, bm, k = _masks(cands if isinstance(cands, dict) else groups(cands))
    s, m = (bs & off) == 0, (bm & off) == 0
    count = lambda w: np.bincount(unit, weights=k * w, minlength=len(names))  # noqa: E731
    n_sec = dict(zip(names, count(s).astype(int).tolist(), strict=True))
    n_mem = dict(zip(names, count(m).astype(int).tolist(), strict=True))
    n_both = dict(zip(names, count(s & m).astype(int).tolist(), strict=True))
    best = min(len(inc), need - 1)
    leads = team_leads(inc, (u for u, k in n_sec.items() if k), lead_mode)
    partners = _partners(inst)
    total_mem = sum(n_mem.values())
    for lead in leads:
        units = team_units(lead, inc, lead_mode, partners)
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


_FROZEN: dict[frozenset[str], int] = {}


def _fmask(rules: frozenset[str]) -> int:
    """:func:`_mask` of a frozen set of rules, remembered: a province's groups repeat a few
    hundred rule sets millions of times (province-201 under hebei-2018: 6.5 M calls, 31 s of
    the plan's 78 s of reasons)."""
    out = _FROZEN.get(rules)
    if out is None:
        out = _FROZEN[rules] = _mask(rules)
    return out


_MASKS: tuple = (None, None)


def _masks(g: Groups):
    """The groups as arrays — unit names, unit index, secretary rules and member rules as
    bits, cadres — kept for the last groups seen (:func:`minimal_rules` asks ~20 times)."""
    global _MASKS
    seen, out = _MASKS
    if seen is not g:
        names = sorted({u for u, _, _ in g})
        index, n = {u: i for i, u in enumerate(names)}, len(g)
        out = (names, np.fromiter((index[u] for u, _, _ in g), np.int64, n),
               np.fromiter((_fmask(a) for _, a, _ in g), np.int64, n),
               np.fromiter((_fmask(b) for _, _, b in g), np.int64, n),
               np.fromiter(g.values(), np.int64, n))  # fmt: skip
        _MASKS = (g, out)
    return out


def joint_partners(inst: Instance, uid: str | None) -> set[str]:
    """Units a small unit may form a joint team with (J-JOINT), itself included."""
    if uid is None:
        return set()
    return set(_groups(inst).get(uid, ()))


def _partners(inst: Instance) -> dict[str, frozenset[str]] | None:
    """The J-JOINT groups of the instance's policy, ``None`` without joint teams."""
    return _groups(inst) if inst.policy.joint.enabled else None


def _groups(inst: Instance) -> dict[str, frozenset[str]]:
    if _JOINT[0] is not inst:
        _JOINT[:] = [inst, joint_groups(inst.ds.units, inst.policy)]
    return _JOINT[1]


_JOINT: list = [None, {}]
"""The last instance's J-JOINT groups (unit → its group): looked up per lead unit."""


def minimal_rules(inst: Instance, vid: str, tab: Table | Groups) -> list[str] | None:
    """A minimal set of rules whose setting aside lets the village be completed alone, the
    binding one first; [] when it can be; None when no setting aside is enough."""
    need = inst.need[vid].min
    relaxed = set(ENFORCE)
    if alone(inst, vid, tab, relaxed) < need:
        return None
    # a rule that bars no candidate here changes nothing: set aside without asking (the
    # same reasons; province-201 under hebei-2018: 17,239 asks instead of 25,194)
    _names, _unit, bs, bm, _k = _masks(tab if isinstance(tab, dict) else groups(tab))
    present = int(np.bitwise_or.reduce(bs | bm)) if len(bs) else 0
    for rule in ENFORCE:
        idle = rule != "T-UNIT" and not present & _mask((rule,))
        if idle or alone(inst, vid, tab, relaxed - {rule}) >= need:
            relaxed.discard(rule)
    return [r for r in reversed(ENFORCE) if r in relaxed]


__all__ = ["ENFORCE", "alone", "joint_partners", "lead_teams", "minimal_rules", "team_fill"]
