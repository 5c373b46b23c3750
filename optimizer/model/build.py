"""The master model assembled: the shape's variables, each rule id's builder, the objective."""

from __future__ import annotations

from optimizer.model.constraints import (
    rule_C_CLUSTER,
    rule_H_NOREPEAT,
    rule_J_JOINT,
    rule_L_LEADER,
    rule_P_PIN,
    rule_T_SEC,
    rule_T_SIZE,
    rule_T_UNIT,
    rule_U_NODELEGATE,
    rule_U_PARTICIPATE,
)
from optimizer.model.master import PlanModel, variables
from optimizer.model.objective import soft_terms
from optimizer.model.shape import build_shape
from optimizer.model.shortlist import narrow_part
from optimizer.rules.instance import Instance


def build_model(
    inst: Instance, shortlist: int | None = None, start: dict | None = None
) -> PlanModel:
    """The whole master model: the shape's variables, each rule id's builder, the objective.
    ``shortlist``: a county part whose ``start`` fills every post keeps only that many units
    per village (:func:`~optimizer.model.shortlist.narrow_part`)."""
    pm = PlanModel(inst)
    build_shape(inst, pm)
    if shortlist:
        narrow_part(pm, start, shortlist)
    variables(pm)
    rule_T_SEC(pm)
    rule_L_LEADER(pm)
    rule_C_CLUSTER(pm)
    rule_T_SIZE(pm)
    rule_T_UNIT(pm)
    rule_J_JOINT(pm)
    rule_U_PARTICIPATE(pm)
    rule_P_PIN(pm)
    rule_H_NOREPEAT(pm)
    rule_U_NODELEGATE(pm)
    soft_terms(pm)
    return pm
