"""The master model's soft objective: every soft term of SPEC §3 as (points, expression, rule id).

The points come from :mod:`optimizer.rules.scoring`; this module only says which variable
each term multiplies.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer.model.constraints import link_pins
from optimizer.model.master import PlanModel
from optimizer.rules.scoring import cadre_points, rule_S_FIT, rule_S_TRAVEL, team_points


def soft_terms(pm: PlanModel) -> None:  # noqa: C901 - one branch per soft term
    """S-PARTY, S-YOUNG, S-EXPERT per posted cadre; S-TRAVEL per posting (unit → village);
    S-FIT per posting at the unit's average fit (:func:`rule_S_FIT`; seating in
    :mod:`optimizer.model.people` then maximises the needs actually met); soft H-CONTINUITY,
    H-PROVVILLAGE and S-PROVKEY per new team (:func:`team_points`). Every term is per posting
    or per secretary, so the flow relaxation in :mod:`optimizer.scale.flow` charges exactly the same
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
            pm.soft_terms.append(
                (-rule_S_TRAVEL(w.travel_per_10km, d), pm.new_at(uid, vid), "S-TRAVEL")
            )
        f = rule_S_FIT(inst, uid, vid)
        if f:
            pm.soft_terms.append((f, pm.new_at(uid, vid), "S-FIT"))
    for (uid, vid), var in pm.t.items():
        for rule, p in team_points(inst, uid, vid).items():
            if p:
                pm.soft_terms.append((p, var, rule))


def soft_objective(pm: PlanModel) -> cp_model.LinearExprT:
    return sum(p * e for p, e, _ in pm.soft_terms)
