"""Who could serve at a village, and which hard rules keep each candidate out.

The reasons for a short village (:mod:`optimizer.plans.reasons`) set rules aside one by one and ask
whether the village could then be completed alone. At city or province scale a village has
thousands of candidates, so they are counted in groups — cadres of one unit barred by the same
rules are alike here — built from each unit's rule signatures (computed once per instance)
and the few cadres with a history or a pin at the village.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.model.shape import unit_barred
from optimizer.rules.eligibility import rule_LV_REGION
from optimizer.rules.instance import MEM, SEC, Instance

Table = list[tuple[str, str, frozenset[str], frozenset[str]]]
"""(cadre, unit, rules barring the secretary post, rules barring a member post) at a village."""


# --------------------------------------------------------------------------- candidates


def blockers(
    inst: Instance, vid: str, cid: str, role: str, bar: str | bool | None = False
) -> list[str]:
    """Every hard rule that keeps cadre ``cid`` from ``role`` at ``vid`` (empty: may serve).
    ``bar``: the unit's :func:`~optimizer.model.shape.unit_barred` there, if known."""
    ds, need = inst.ds, inst.need[vid]
    c = ds.cadres[cid]
    u, v = ds.units[c.unit_id], ds.villages[vid]
    out = [] if rule_LV_REGION(u, v) else ["LV-REGION"]
    if u.level not in (need.secretary_levels if role == SEC else need.member_levels):
        out.append("LV-LEVEL")
    if cid in inst.busy:
        out.append("H-INCUMBENT")
    out += inst.failures[cid]
    if role == SEC:
        out += inst.sec_failures[cid]
    former = vid in inst.former.get(cid, ())
    if former:
        out.append("H-NOREPEAT")
    if (vid in inst.barred.get(cid, ()) and not former) or (cid, vid, role) in inst.barred_role:
        out.append("P-PIN")
    if bar is False:
        bar = unit_barred(inst, c.unit_id, vid)
    if bar:
        out.append(bar)
    return out


def table(inst: Instance, vid: str, cadres: list[str] | None = None) -> Table:
    """Every cadre's blocking rules at ``vid`` (of ``cadres`` only, if given): what
    :func:`blockers` gives, built from a cadre's rules (the same at every village, kept per
    instance) and the unit's rules at the village; at city scale a short village has
    thousands of candidates."""
    ids = inst.ds.cadres if cadres is None else cadres
    own = own_rules(inst)
    units: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    out = []
    for cid in ids:
        uid = inst.unit_of(cid)
        if uid not in units:
            units[uid] = _unit_rules(inst, uid, vid)
        sec_u, mem_u = units[uid]
        sec_c, mem_c = own[cid]
        former = vid in inst.former.get(cid, ())
        extra = ("H-NOREPEAT",) if former else ()
        pin = vid in inst.barred.get(cid, ()) and not former
        out.append(
            (
                cid,
                uid,
                _fz(sec_u + sec_c + extra + _pin(inst, cid, vid, SEC, pin)),
                _fz(mem_u + mem_c + extra + _pin(inst, cid, vid, MEM, pin)),
            )
        )
    return out


def _pin(inst: Instance, cid: str, vid: str, role: str, barred: bool) -> tuple[str, ...]:
    return ("P-PIN",) if barred or (cid, vid, role) in inst.barred_role else ()


def own_rules(inst: Instance) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Cadre → (rules barring them as first secretary, as member) anywhere: H-INCUMBENT and
    the eligibility rules (E-*, L-RANK); computed once per instance."""

    def build(inst: Instance) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        out = {}
        for cid in inst.ds.cadres:
            base = (("H-INCUMBENT",) if cid in inst.busy else ()) + tuple(inst.failures[cid])
            out[cid] = (base + tuple(inst.sec_failures[cid]), base)
        return out

    return _per_instance("own", inst, build)


Groups = dict[tuple[str, frozenset[str], frozenset[str]], int]
"""(unit, rules barring the secretary post, rules barring a member post) → cadres alike."""


def groups(tab: Table) -> Groups:
    """A cadre table counted in groups."""
    out: Groups = defaultdict(int)
    for _c, u, bs, bm in tab:
        out[(u, bs, bm)] += 1
    return dict(out)


def groups_at(inst: Instance, vid: str, units: list[str] | None = None) -> Groups:
    """:func:`groups` of :func:`table` at ``vid`` over the cadres of ``units`` (all, if None),
    without looking at each cadre: every unit's signatures, then the cadres with a history
    (H-NOREPEAT) or a forbid pin (P-PIN) at the village moved to their own group."""
    sigs, own = _signatures(inst), own_rules(inst)
    units = sorted(sigs) if units is None else units
    parts = {u: _unit_rules(inst, u, vid) for u in units}
    chunks = _per_instance("chunks", inst, lambda _inst: {})
    out: Groups = defaultdict(int)
    for u in units:
        # a unit's groups depend on the village only through its rules there, which take
        # few values: built once per (unit, rules), not per village
        chunk = chunks.get((u, parts[u]))
        if chunk is None:
            sec_u, mem_u = parts[u]
            chunk = chunks[(u, parts[u])] = [
                ((u, _fz(sec_u + sec_c), _fz(mem_u + mem_c)), k)
                for (sec_c, mem_c), k in sigs.get(u, {}).items()
            ]
        for key, k in chunk:
            out[key] += k
    for cid in sorted(_sparse(inst).get(vid, ())):
        u = inst.unit_of(cid)
        if u not in parts:
            continue
        (sec_u, mem_u), (sec_c, mem_c) = parts[u], own[cid]
        old = (u, _fz(sec_u + sec_c), _fz(mem_u + mem_c))
        out[old] -= 1
        if not out[old]:
            del out[old]
        former = vid in inst.former.get(cid, ())
        extra = ("H-NOREPEAT",) if former else ()
        pin = vid in inst.barred.get(cid, ()) and not former
        new = (u, _fz(sec_u + sec_c + extra + _pin(inst, cid, vid, SEC, pin)),
               _fz(mem_u + mem_c + extra + _pin(inst, cid, vid, MEM, pin)))  # fmt: skip
        out[new] += 1
    return dict(out)


def free_candidates(inst: Instance, vid: str, units: list[str] | None = None):
    """(cadre, unit) of those no hard rule keeps from the secretary post, and from a member
    post, at ``vid``: the people who could complete it (what ``table`` gives with empty rule
    sets, without building it)."""
    own, sparse = own_rules(inst), _sparse(inst).get(vid, set())
    sigs = _signatures(inst)
    secs, mems = [], []
    for u in sorted(sigs) if units is None else units:
        sec_u, mem_u = _unit_rules(inst, u, vid)
        if sec_u and mem_u:
            continue
        for cid in _people(inst).get(u, []):
            if cid in sparse and blockers(inst, vid, cid, SEC) and blockers(inst, vid, cid, MEM):
                continue
            sec_c, mem_c = own[cid]
            if not sec_u and not sec_c and (cid not in sparse or not blockers(inst, vid, cid, SEC)):
                secs.append((cid, u))
            if not mem_u and not mem_c and (cid not in sparse or not blockers(inst, vid, cid, MEM)):
                mems.append((cid, u))
    return secs, mems


def local_units(inst: Instance, vids: list[str]) -> dict[str, list[str]]:
    """Village (of ``vids``) → units its levels and region allow (LV-LEVEL, LV-REGION): at
    city or province scale most units are out of region anyway."""
    out: dict[str, list[str]] = {vid: [] for vid in vids}
    people = _people(inst)
    for uid, per_role in sorted(inst.unit_villages.items()):
        if uid not in people:
            continue
        serves = set(per_role.get(SEC, ())) | set(per_role.get(MEM, ()))
        for vid in vids:
            if vid in serves:
                out[vid].append(uid)
    return out


def _unit_rules(inst: Instance, uid: str, vid: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rules barring the unit's cadres as first secretary, as members) at ``vid``."""
    u, v, need = inst.ds.units[uid], inst.ds.villages[vid], inst.need[vid]
    base = () if rule_LV_REGION(u, v) else ("LV-REGION",)
    bar = unit_barred(inst, uid, vid)
    tail = (bar,) if bar else ()
    return (
        base + (() if u.level in need.secretary_levels else ("LV-LEVEL",)) + tail,
        base + (() if u.level in need.member_levels else ("LV-LEVEL",)) + tail,
    )


_FZ: dict[tuple[str, ...], frozenset[str]] = {}


def _fz(rules: tuple[str, ...]) -> frozenset[str]:
    """One frozenset per rule tuple (there are few): building them is most of the cost."""
    out = _FZ.get(rules)
    if out is None:
        out = _FZ[rules] = frozenset(rules)
    return out


def _per_instance(key: str, inst: Instance, build):
    """A value computed once per instance (the last instance's, kept in one tuple, so a
    thread never sees another instance's)."""
    seen, value = _CACHE.get(key, (None, None))
    if seen is not inst:
        value = build(inst)
        _CACHE[key] = (inst, value)
    return value


_CACHE: dict[str, tuple] = {}


def _people(inst: Instance) -> dict[str, list[str]]:
    def build(inst: Instance) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for cid, c in inst.ds.cadres.items():
            out[c.unit_id].append(cid)
        return dict(out)

    return _per_instance("people", inst, build)


def _signatures(inst: Instance) -> dict[str, dict[tuple[tuple[str, ...], tuple[str, ...]], int]]:
    """Unit → (its cadres' own rules as secretary, as member) → how many share them."""

    def build(inst: Instance):
        own, out = own_rules(inst), {}
        for u, cids in _people(inst).items():
            count: dict = defaultdict(int)
            for cid in cids:
                count[own[cid]] += 1
            out[u] = dict(count)
        return out

    return _per_instance("signatures", inst, build)


def _sparse(inst: Instance) -> dict[str, set[str]]:
    """Village → cadres with a history (H-NOREPEAT) or a forbid pin (P-PIN) there."""

    def build(inst: Instance) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        known = inst.ds.cadres  # history also names cadres who have left (not candidates)
        for cid, vids in [*inst.former.items(), *inst.barred.items()]:
            for vid in vids if cid in known else ():
                out[vid].add(cid)
        for cid, vid, _role in inst.barred_role:
            if cid in known:
                out[vid].add(cid)
        return dict(out)

    return _per_instance("sparse", inst, build)


__all__ = ["Groups", "Table", "blockers", "free_candidates", "groups", "groups_at",
           "local_units", "own_rules", "table"]  # fmt: skip
