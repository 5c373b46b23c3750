"""The CP-SAT master model: one builder function per SPEC §3 rule family, named by rule id.

The seeds' own order is 先定村、再定人 — villages and units first, then people (002 二.3). The
master decides, per village, which unit leads the team (``t[u,v]``: it sends the first
secretary), how many members each unit sends there (``n[u,v]``) and which of a unit's cadres it
uses in which role (``a[c,r]``); :mod:`optimizer.people` then seats those cadres in villages.
That keeps the model at units × villages instead of cadres × villages (a 20–50× smaller model)
while staying exact for coverage and for every soft term that does not depend on the pairing of
a person with a village. Person-level rules (H-NOREPEAT, forbid pins) are exact in the master
too: where some of a unit's cadres may not serve at a village, that pair's posts are filled by
explicit (cadre, village, role) choices (``y``), not from the unit's common pool, so the
master's points are the points of a plan the people stage can seat.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.data.errors import InputError, Problem
from optimizer.instance import MEM, SEC, Instance
from optimizer.rules import joint_small, off_key
from optimizer.shape import Shape, build_shape, cap

SOFT_SCALE = 10
"""Soft weights are multiplied by this so travel can be charged per km in whole points."""


@dataclass
class PlanModel(Shape):
    """The CP-SAT model on its :class:`~optimizer.shape.Shape` (pairs, pools, rooms)."""

    m: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    t: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(unit, village) → the unit sends the village's new first secretary."""
    n: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(unit, village) → new members the unit sends there."""
    z: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(unit, village) → the unit takes part in the village's team (T-UNIT, J-JOINT)."""
    a: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """(cadre, role) → the cadre is posted in that role at one of the unit's common-pool
    pairs (every pair not in ``own``)."""
    y: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)
    """(cadre, village, role) → the cadre takes that post, at the pairs in ``own``."""
    own: set[tuple[str, str, str]] = field(default_factory=set)
    """(unit, village, role) filled by named people: some of the unit's cadres may not serve
    there (H-NOREPEAT, forbid pins)."""
    team: dict[str, cp_model.IntVar] = field(default_factory=dict)
    cover: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    covered: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    filled: dict[str, cp_model.IntVar] = field(default_factory=dict)
    joint: dict[str, cp_model.IntVar] = field(default_factory=dict)
    soft_terms: list[tuple[int, cp_model.LinearExprT, str]] = field(default_factory=list)
    """(points, expression, rule id) summed into the soft objective."""
    notes: list[str] = field(default_factory=list)
    pin_role: dict[str, dict[str, cp_model.IntVar]] = field(default_factory=dict)
    """Require-pinned cadre → role choice (one of them is 1)."""
    sends: dict[str, cp_model.IntVar] = field(default_factory=dict)
    """Must-send unit → it sends someone (U-PARTICIPATE)."""
    mixed_incumbents: set[str] = field(default_factory=set)
    """Villages whose serving incumbents come from several units (not re-judged)."""

    def size(self, vid: str) -> cp_model.LinearExprT:
        return self.inc(vid) + sum(self.new_at(u, vid) for u in self.units_at[vid])

    def new_at(self, uid: str, vid: str) -> cp_model.LinearExprT:
        return self.t.get((uid, vid), 0) + self.n.get((uid, vid), 0)

    def class_coverage(self, cls: str) -> cp_model.LinearExprT:
        return sum(self.filled[v] for v, k in self.inst.cls.items() if k == cls)


def build_model(inst: Instance) -> PlanModel:
    pm = PlanModel(inst)
    build_shape(inst, pm)
    variables(pm)
    rule_T_SEC(pm)
    rule_C_CLUSTER(pm)
    rule_T_SIZE(pm)
    rule_T_UNIT(pm)
    rule_J_JOINT(pm)
    rule_U_PARTICIPATE(pm)
    rule_P_PIN(pm)
    rule_H_NOREPEAT(pm)
    cadre_roles(pm)
    soft_terms(pm)
    return pm


# --------------------------------------------------------------------------- variables


def variables(pm: PlanModel) -> None:
    """One variable per pair of the shape: ``t`` where the unit may send the secretary, ``n``
    (0..room) where it may send members; in (village, unit) order."""
    for (uid, vid), (k_any, _k_sec) in sorted(
        pm.sizes.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        if (uid, vid) in pm.sec_room:
            pm.t[(uid, vid)] = pm.m.new_bool_var(f"t[{uid},{vid}]")
        if (uid, vid) in pm.mem_room:
            pm.n[(uid, vid)] = pm.m.new_int_var(0, pm.mem_room[(uid, vid)], f"n[{uid},{vid}]")
        # H-NOREPEAT and forbid pins: never more posts than people who may serve here
        if ((uid, vid) in pm.t or (uid, vid) in pm.n) and k_any < cap(pm, vid) - pm.inc(vid):
            pm.m.add(pm.new_at(uid, vid) <= k_any)


def rule_H_NOREPEAT(pm: PlanModel) -> None:
    """No one returns to a village they served (and no one goes where a forbid pin says not):
    at a pair where some of the unit's cadres are barred, the posts are named people (``y``),
    so the barred ones cannot be counted there."""
    inst = pm.inst
    for uid in sorted(pm.villages_of):
        for vid in pm.villages_of[uid]:
            mem_common = vid in inst.unit_villages.get(uid, {}).get(MEM, ())
            for role, var in ((SEC, pm.t.get((uid, vid))), (MEM, pm.n.get((uid, vid)))):
                if var is None:
                    continue
                if (uid, vid) not in inst.barred_at and (role == SEC or mem_common):
                    continue
                people = pm.sec_pool(uid, vid) if role == SEC else pm.pool(uid, vid)
                ys = []
                for c in people:
                    pm.y[(c, vid, role)] = pm.m.new_bool_var(f"y[{c},{vid},{role[0]}]")
                    ys.append(pm.y[(c, vid, role)])
                pm.m.add(var == sum(ys))
                pm.own.add((uid, vid, role))


def cadre_roles(pm: PlanModel) -> None:
    """Each unit's posts are filled by its own cadres (U-NODELEGATE), one post per cadre:
    the common-pool posts by as many of its cadres in that role, the others by name."""
    inst = pm.inst
    named: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (c, _v, _r), var in pm.y.items():
        named[c].append(var)
    for uid in sorted(pm.villages_of):
        vids = pm.villages_of[uid]
        t_vids = [v for v in vids if (uid, v) in pm.t and (uid, v, SEC) not in pm.own]
        n_vids = [v for v in vids if (uid, v) in pm.n and (uid, v, MEM) not in pm.own]
        secs, mems = [], []
        for c in inst.eligible.get(uid, []):
            roles = list(named.get(c, []))
            if t_vids and not inst.sec_failures[c]:
                pm.a[(c, SEC)] = pm.m.new_bool_var(f"a[{c},s]")
                secs.append(pm.a[(c, SEC)])
                roles.append(pm.a[(c, SEC)])
            if n_vids:
                pm.a[(c, MEM)] = pm.m.new_bool_var(f"a[{c},m]")
                mems.append(pm.a[(c, MEM)])
                roles.append(pm.a[(c, MEM)])
            if len(roles) > 1:
                pm.m.add_at_most_one(roles)
        pm.m.add(sum(pm.t[(uid, v)] for v in t_vids) == sum(secs))
        pm.m.add(sum(pm.n[(uid, v)] for v in n_vids) == sum(mems))


# --------------------------------------------------------------------------- rules


def rule_T_SEC(pm: PlanModel) -> None:
    """Exactly one first secretary where a team stands, never two; the secretary leads the
    team (L-LEADER); members never serve without one."""
    inst = pm.inst
    for vid in inst.need:
        team = pm.m.new_bool_var(f"team[{vid}]")
        pm.team[vid] = team
        secs = [pm.t[(u, vid)] for u in pm.units_at[vid] if (u, vid) in pm.t]
        if pm.inc(vid, SEC):
            pm.m.add(team == 1)
        else:
            pm.m.add(sum(secs) == team)
        mems = [pm.n[(u, vid)] for u in pm.units_at[vid] if (u, vid) in pm.n]
        if mems:
            pm.m.add(sum(mems) <= max(cap(pm, vid), pm.inc(vid)) * team)


def rule_C_CLUSTER(pm: PlanModel) -> None:
    """A team at a host village may also cover up to ``max_extra`` adjacent villages whose
    flags are all coverable; a covered village needs no team of its own."""
    inst, cl = pm.inst, pm.inst.policy.cluster
    covering: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    if cl.hosts and cl.max_extra > 0:
        for h in inst.need:
            if not inst.ds.villages[h].categories & set(cl.hosts):
                continue
            options = []
            for w in sorted(inst.adjacency.get(h, ())):
                if w not in inst.need or pm.inc(w):
                    continue
                if not inst.ds.villages[w].categories <= set(cl.coverable):
                    continue
                var = pm.m.new_bool_var(f"cover[{h},{w}]")
                pm.cover[(h, w)] = var
                pm.m.add_implication(var, pm.team[h])
                options.append(var)
                covering[w].append(var)
            if options:
                pm.m.add(sum(options) <= cl.max_extra)
    for vid, opts in covering.items():
        pm.m.add(sum(opts) + pm.team[vid] <= 1)
        pm.covered[vid] = sum(opts)


def rule_T_SIZE(pm: PlanModel) -> None:
    """Team size within [min, max]; below min only as a shortfall. ``filled[v]`` counts the
    required posts filled: min(size, min), or all of them when covered by a cluster.
    Incumbents alone may exceed the maximum; new postings may not add to that."""
    inst = pm.inst
    for vid, need in inst.need.items():
        size = pm.size(vid)
        if pm.units_at[vid]:
            pm.m.add(size <= max(cap(pm, vid), pm.inc(vid)))
        f = pm.m.new_int_var(0, need.min, f"filled[{vid}]")
        pm.m.add(f <= size + need.min * pm.covered.get(vid, 0))
        # T-SEC: without a first secretary (incumbent members whose secretary was recalled)
        # at most the member posts count as filled
        pm.m.add(f <= need.min - 1 + pm.team[vid] + need.min * pm.covered.get(vid, 0))
        pm.filled[vid] = f


def rule_T_UNIT(pm: PlanModel) -> None:
    """All members come from the lead unit (the secretary's) unless the team is joint
    (J-JOINT). In ``county_townships`` mode the lead unit sends only the secretary and the
    members come from township units of the village's county."""
    inst = pm.inst
    lead_mode = inst.policy.members_from == "lead_unit"
    for vid, need in inst.need.items():
        inc_units = {p.unit_id for p in inst.inc_by_village.get(vid, [])}
        for uid in pm.units_at[vid]:
            z = pm.m.new_bool_var(f"z[{uid},{vid}]")
            pm.z[(uid, vid)] = z
            if uid in inc_units:
                pm.m.add(z == 1)
            else:
                pm.m.add(z <= pm.new_at(uid, vid))  # taking part means sending someone
            if (uid, vid) in pm.t:
                pm.m.add_implication(pm.t[(uid, vid)], z)
            if (uid, vid) in pm.n:
                pm.m.add(pm.n[(uid, vid)] <= (need.max - 1) * z)
        if lead_mode and len(inc_units) > 1:
            # incumbents from several units already serve here (kept as they are, SPEC §3):
            # new posts may only come from those units, and the unit count is not judged
            for u in pm.units_at[vid]:
                if u not in inc_units:
                    pm.m.add(pm.z[(u, vid)] == 0)
            pm.mixed_incumbents.add(vid)
        elif lead_mode and not inst.policy.joint.enabled:
            pm.m.add(sum(pm.z[(u, vid)] for u in pm.units_at[vid]) <= 1)
        if not lead_mode:
            # the secretary comes from exactly one (non-township) unit; townships add members
            leads = [pm.z[(u, vid)] for u in pm.units_at[vid]
                     if inst.ds.units[u].level not in inst.need[vid].member_levels]  # fmt: skip
            inc_leads = {u for u in inc_units
                         if inst.ds.units[u].level not in inst.need[vid].member_levels}  # fmt: skip
            if len(leads) > 1:
                pm.m.add(sum(leads) <= max(1, len(inc_leads)))


def _small(pm: PlanModel, uid: str) -> bool:
    return joint_small(pm.inst.ds.units[uid], pm.inst.policy)


def rule_J_JOINT(pm: PlanModel) -> None:
    """Joint teams: only units with staff < staff_max, of the same level and region, at most
    max_units of them; every other team is a single-unit team (T-UNIT)."""
    inst, jt = pm.inst, pm.inst.policy.joint
    if not jt.enabled or inst.policy.members_from != "lead_unit":
        return
    for vid in inst.need:
        if vid in pm.mixed_incumbents:
            continue
        units = pm.units_at[vid]
        zs = [pm.z[(u, vid)] for u in units]
        small = [u for u in units if _small(pm, u)]
        if len(small) < 2:
            if len(zs) > 1:
                pm.m.add(sum(zs) <= 1)
            continue
        j = pm.m.new_bool_var(f"joint[{vid}]")
        pm.joint[vid] = j
        pm.m.add(sum(zs) <= 1 + (jt.max_units - 1) * j)
        for u in units:
            if u not in small:
                pm.m.add_implication(pm.z[(u, vid)], j.Not())
        groups: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        for u in small:
            unit = inst.ds.units[u]
            groups[(unit.level, unit.region)].append(u)
        if len(groups) > 1:
            g = {k: pm.m.new_bool_var(f"jg[{vid},{k[0]},{k[1]}]") for k in sorted(groups, key=str)}
            pm.m.add(sum(g.values()) <= 1)
            for k, members in groups.items():
                for u in members:
                    pm.m.add(pm.z[(u, vid)] <= g[k] + 1 - j)


def rule_U_PARTICIPATE(pm: PlanModel) -> None:
    """Province units with staff ≥ must_send_staff_min send at least one cadre."""
    inst = pm.inst
    serving = {p.unit_id for p in inst.incumbents}
    for uid in [u for u in inst.ds.units if u in inst.must_send]:
        u = inst.ds.units[uid]
        if uid in serving:
            continue
        posts = [pm.new_at(uid, v) for v in pm.villages_of.get(uid, [])]
        if posts:
            # hard, but as a tier the solver maximises first (every unit that can send does):
            # a conflict between must-send units then names the units, not a failed plan
            send = pm.m.new_bool_var(f"send[{uid}]")
            pm.m.add(sum(posts) >= send)
            pm.sends[uid] = send
        else:
            pm.notes.append(f"U-PARTICIPATE: unit {uid} ({u.name}) must send but has no "
                            "eligible candidate for any village")  # fmt: skip


def rule_P_PIN(pm: PlanModel) -> None:
    """``require`` pins post the cadre there (in the role, if given); ``forbid`` pins were
    pruned. A require pin no rule allows is bad input and is said plainly."""
    inst = pm.inst
    problems = []
    demand: dict[tuple[str, str, str], list] = defaultdict(list)
    for pin in inst.ds.pins:
        if pin.kind != "require":
            continue
        cid, vid = pin.cadre_id, pin.village_id
        if any(p.cadre_id == cid and pin.role in (None, p.role)
               for p in inst.inc_by_village.get(vid, [])):  # fmt: skip
            continue  # the cadre's own current posting: already met
        uid = inst.unit_of(cid)
        ok_pool = cid in pm.pool(uid, vid)
        roles = [pin.role] if pin.role else [SEC, MEM]
        roles = [r for r in roles if ok_pool and ((uid, vid) in (pm.t if r == SEC else pm.n))
                 and (r == MEM or cid in pm.sec_pool(uid, vid))]  # fmt: skip
        if not roles:
            problems.append(Problem("pins", f"require pin cannot be met: {_why_not(inst, pin)}",
                                    column="cadre_id", value=f"{pin.cadre_id}→{pin.village_id}"))  # fmt: skip
            continue
        choice = {r: pm.m.new_bool_var(f"pin[{cid},{vid},{r[0]}]") for r in roles}
        pm.m.add(sum(choice.values()) == 1)
        for r, var in choice.items():
            demand[(uid, vid, r)].append(var)
        pm.pin_role[cid] = choice
    if problems:
        raise InputError(problems)
    for (uid, vid, r), vars_ in demand.items():
        target = pm.t[(uid, vid)] if r == SEC else pm.n[(uid, vid)]
        pm.m.add(target >= sum(vars_))


def _why_not(inst: Instance, pin) -> str:
    cid, vid = pin.cadre_id, pin.village_id
    if vid not in inst.need:
        return "the village has no team requirement under this policy (T-SIZE)"
    if cid in inst.busy:
        return "the cadre is a serving incumbent or recalled (H-INCUMBENT)"
    if inst.failures[cid]:
        return "the cadre fails " + ", ".join(inst.failures[cid])
    if vid in inst.former.get(cid, ()):
        return "the cadre served in this village before (H-NOREPEAT)"
    if pin.role == SEC and inst.sec_failures[cid]:
        return "the cadre may not be first secretary: fails " + ", ".join(inst.sec_failures[cid])
    if pin.role == SEC and any(p.role == SEC for p in inst.inc_by_village.get(vid, [])):
        return "the village keeps its incumbent first secretary (T-SEC)"
    return ("the cadre's unit may not send this role here (LV-LEVEL, LV-REGION, H-CONTINUITY, "
            "H-PROVVILLAGE) or a forbid pin excludes it")  # fmt: skip


def link_pins(pm: PlanModel) -> None:
    """A pinned cadre takes the pinned role (so the people stage can seat them there)."""
    for cid, choice in pm.pin_role.items():
        uid = pm.inst.unit_of(cid)
        for r, var in choice.items():
            vid = next(p.village_id for p in pm.inst.ds.pins
                       if p.kind == "require" and p.cadre_id == cid)  # fmt: skip
            if (uid, vid, r) in pm.own:
                pm.m.add_implication(var, pm.y[(cid, vid, r)])
            elif (cid, r) in pm.a:
                pm.m.add_implication(var, pm.a[(cid, r)])


# --------------------------------------------------------------------------- soft terms


def young(inst: Instance, cid: str) -> bool:
    """S-YOUNG: the young-cadre pool, or the preset's age-by-rank rule (Yantai)."""
    c, y = inst.ds.cadres[cid], inst.policy.young
    if y.pool and c.young_pool:
        return True
    age = c.age(inst.plan_date)
    if y.section_max_age is not None and c.rank == "section" and age <= y.section_max_age:
        return True
    return bool(y.deputy_section_max_age is not None and c.rank == "deputy_section"
                and age <= y.deputy_section_max_age)  # fmt: skip


def green(inst: Instance, cid: str) -> bool:
    """S-YOUNG (Yantai): grassroots experience below the threshold."""
    limit = inst.policy.young.grassroots_years_below
    return limit is not None and inst.ds.cadres[cid].grassroots_years < limit


def expert(inst: Instance, cid: str) -> bool:
    """S-EXPERT: rural work experience or agriculture expertise."""
    c = inst.ds.cadres[cid]
    return c.rural_years >= 1 or "agriculture" in c.skills


def fit(inst: Instance, cid: str, vid: str) -> int:
    """S-FIT: village needs this cadre's skills meet."""
    return len(inst.ds.cadres[cid].skills & inst.ds.villages[vid].needs)


def cadre_points(inst: Instance, cid: str, role: str) -> dict[str, int]:
    """Village-independent soft points of posting a cadre in a role (scaled)."""
    w, c = inst.policy.weights, inst.ds.cadres[cid]
    return {
        "S-PARTY": w.party * SOFT_SCALE if role == MEM and c.political_status == "member" else 0,
        "S-YOUNG": w.young * SOFT_SCALE * (young(inst, cid) + green(inst, cid)),
        "S-EXPERT": w.expert * SOFT_SCALE if expert(inst, cid) else 0,
    }


def fit_points(inst: Instance, uid: str, vid: str) -> int:
    """S-FIT points per posting from unit ``uid`` at ``vid``: the village needs one of the
    unit's people meets on average. The people stage then seats the best-fitting people, so
    the plan's real fit is at least this; a share rather than the union of skills keeps a big
    unit from looking like a perfect fit everywhere."""
    w = inst.policy.weights.fit
    needs = inst.ds.villages[vid].needs
    if not w or not needs:
        return 0
    rates = inst.skill_rates.get(uid, {})
    return round(w * SOFT_SCALE * sum(rates.get(s, 0.0) for s in needs))


def soft_terms(pm: PlanModel) -> None:
    """S-PARTY, S-YOUNG, S-EXPERT per posted cadre; S-TRAVEL per posting (unit → village);
    S-FIT per posting at the unit's average fit (:func:`fit_points`; seating in
    :mod:`optimizer.people` then maximises the needs actually met); soft H-CONTINUITY,
    H-PROVVILLAGE and S-PROVKEY per new team (:func:`team_points`). Every term is per posting
    or per secretary, so the flow relaxation in :mod:`optimizer.relax` charges exactly the same
    points."""
    inst, w = pm.inst, pm.inst.policy.weights
    link_pins(pm)
    for key, var in [*pm.a.items(), *pm.y.items()]:
        cid, role = key[0], key[-1]
        for rule, p in cadre_points(inst, cid, role).items():
            if p:
                pm.soft_terms.append((p, var, rule))
    for uid, vid in pm.z:
        if (uid, vid) not in pm.t and (uid, vid) not in pm.n:
            continue
        d = inst.distance.get((uid, vid))
        if d is not None and w.travel_per_10km:
            pm.soft_terms.append((-travel_points(w.travel_per_10km, d), pm.new_at(uid, vid),
                                  "S-TRAVEL"))  # fmt: skip
        f = fit_points(inst, uid, vid)
        if f:
            pm.soft_terms.append((f, pm.new_at(uid, vid), "S-FIT"))
    for (uid, vid), var in pm.t.items():
        for rule, p in team_points(inst, uid, vid).items():
            if p:
                pm.soft_terms.append((p, var, rule))


def team_points(inst: Instance, uid: str, vid: str) -> dict[str, int]:
    """Soft points of a new first secretary from ``uid`` at ``vid``, charged once per team
    (scaled): H-CONTINUITY soft (the unit keeps its village), H-PROVVILLAGE soft and S-PROVKEY
    (a province-level team where the previous period had one / at a village not ``key``).
    The master, the flow relaxation, the decomposition and ``explain`` all use this."""
    pol, w = inst.policy, inst.policy.weights
    u, v = inst.ds.units[uid], inst.ds.villages[vid]
    out = {}
    if pol.continuity == "soft" and w.continuity and uid in inst.prev_units.get(vid, ()):
        out["H-CONTINUITY"] = w.continuity * SOFT_SCALE
    if pol.provvillage == "soft" and w.provvillage and u.level == "province" \
            and vid in inst.prev_province:  # fmt: skip
        out["H-PROVVILLAGE"] = -w.provvillage * SOFT_SCALE
    if w.provkey and off_key(u, v):
        out["S-PROVKEY"] = -w.provkey * SOFT_SCALE
    return out


def travel_points(per_10km: float, km: float) -> int:
    """S-TRAVEL points one posting costs (SOFT_SCALE points per weight unit per 10 km)."""
    return round(per_10km * km)


def soft_objective(pm: PlanModel) -> cp_model.LinearExprT:
    return sum(p * e for p, e, _ in pm.soft_terms)
