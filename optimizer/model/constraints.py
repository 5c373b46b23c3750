"""The master model's hard rules: one builder per SPEC §3 rule id, named by it.

Each ``rule_<ID>`` adds that rule's constraints to a :class:`~optimizer.model.master.PlanModel`
whose variables exist; ``rule_U_NODELEGATE`` and ``link_pins`` tie the unit-level variables to the
people they stand for (P-PIN's require pins, forbid pins and H-NOREPEAT are per person).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from optimizer.data.errors import InputError, Problem
from optimizer.model.master import PlanModel
from optimizer.model.shape import cap
from optimizer.rules.eligibility import joint_small
from optimizer.rules.instance import MEM, SEC, Instance


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


def rule_U_NODELEGATE(pm: PlanModel) -> None:
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


def rule_T_SEC(pm: PlanModel) -> None:
    """Exactly one first secretary where a team stands, never two."""
    inst = pm.inst
    for vid in inst.need:
        team = pm.m.new_bool_var(f"team[{vid}]")
        pm.team[vid] = team
        secs = [pm.t[(u, vid)] for u in pm.units_at[vid] if (u, vid) in pm.t]
        if pm.inc(vid, SEC):
            pm.m.add(team == 1)
        else:
            pm.m.add(sum(secs) == team)


def rule_L_LEADER(pm: PlanModel) -> None:
    """The first secretary leads the team: members never serve without one (after
    :func:`rule_T_SEC`, which says where a team stands)."""
    for vid in pm.inst.need:
        mems = [pm.n[(u, vid)] for u in pm.units_at[vid] if (u, vid) in pm.n]
        if mems:
            pm.m.add(sum(mems) <= max(cap(pm, vid), pm.inc(vid)) * pm.team[vid])


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


def rule_T_UNIT(pm: PlanModel) -> None:  # noqa: C901 - the rule's cases as SPEC states them (lead unit, incumbents, partners)
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
            leads = [
                pm.z[(u, vid)]
                for u in pm.units_at[vid]
                if inst.ds.units[u].level not in inst.need[vid].member_levels
            ]
            inc_leads = {
                u for u in inc_units if inst.ds.units[u].level not in inst.need[vid].member_levels
            }
            if len(leads) > 1:
                pm.m.add(sum(leads) <= max(1, len(inc_leads)))


def _small(pm: PlanModel, uid: str) -> bool:
    return joint_small(pm.inst.ds.units[uid], pm.inst.policy)


def rule_J_JOINT(pm: PlanModel) -> None:  # noqa: C901 - the rule's cases as SPEC states them (levels, size, partners, incumbents)
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
            pm.notes.append(
                f"U-PARTICIPATE: unit {uid} ({u.name}) must send but has no "
                "eligible candidate for any village"
            )


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
        if any(
            p.cadre_id == cid and pin.role in (None, p.role)
            for p in inst.inc_by_village.get(vid, [])
        ):
            continue  # the cadre's own current posting: already met
        uid = inst.unit_of(cid)
        ok_pool = cid in pm.pool(uid, vid)
        roles = [pin.role] if pin.role else [SEC, MEM]
        roles = [
            r
            for r in roles
            if ok_pool
            and ((uid, vid) in (pm.t if r == SEC else pm.n))
            and (r == MEM or cid in pm.sec_pool(uid, vid))
        ]
        if not roles:
            problems.append(
                Problem(
                    "pins",
                    f"require pin cannot be met: {_why_not(inst, pin)}",
                    column="cadre_id",
                    value=f"{pin.cadre_id}→{pin.village_id}",
                )
            )
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
    return (
        "the cadre's unit may not send this role here (LV-LEVEL, LV-REGION, H-CONTINUITY, "
        "H-PROVVILLAGE) or a forbid pin excludes it"
    )


def link_pins(pm: PlanModel) -> None:
    """A pinned cadre takes the pinned role (so the people stage can seat them there)."""
    for cid, choice in pm.pin_role.items():
        uid = pm.inst.unit_of(cid)
        for r, var in choice.items():
            vid = next(
                p.village_id for p in pm.inst.ds.pins if p.kind == "require" and p.cadre_id == cid
            )
            if (uid, vid, r) in pm.own:
                pm.m.add_implication(var, pm.y[(cid, vid, r)])
            elif (cid, r) in pm.a:
                pm.m.add_implication(var, pm.a[(cid, r)])
