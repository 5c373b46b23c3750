"""Where an exact solve starts: the best valid greedy plan, or the greedy plan alone when
there is no time to build the model."""

from __future__ import annotations

from optimizer.model.greedy import fits, greedy, greedy_coverage, greedy_is_valid
from optimizer.model.improve import improve
from optimizer.model.master import PlanModel
from optimizer.model.result import Assignment, SolveResult, Status, filled_by_class
from optimizer.model.shape import Shape
from optimizer.rules.instance import Instance, class_order
from optimizer.rules.scoring import posting_points


def greedy_only(
    inst: Instance, shape: Shape, seed: int, workers: int, time_limit: float | None
) -> SolveResult | None:
    """The greedy plan as the result, when there is no time to build the model; None when
    it is not valid (pins or U-PARTICIPATE unmet): the model must then be built."""
    sol = greedy(shape)
    if not greedy_is_valid(shape, sol):
        return None
    res = SolveResult(Status.FEASIBLE, inst, seed=seed, workers=workers, time_limit=time_limit)
    res.assignments = [Assignment(c, v, r) for c, v, r in sorted(sol["at"])]
    got = filled_by_class(inst, res.assignments, [])
    classes = class_order(inst)
    need = {k: sum(inst.need[v].min for v, c in inst.cls.items() if c == k) for k in classes}
    res.coverage = {k: (got.get(k, 0), need[k]) for k in classes}
    res.coverage_proven = all(f >= q for f, q in res.coverage.values())
    res.notes.append(
        "time limit: no time to build the model; the plan is the greedy plan, "
        "valid but not optimised"
    )
    return res


def best_start(pm: PlanModel, classes: list[str], given: dict | None, seconds: float) -> dict:
    """The start that fills most in priority order, then scores most: the greedy that
    spares scarce units, the greedy that takes the nearest unit, or ``given`` (if it fits),
    each improved for points within ``seconds`` (:mod:`optimizer.model.improve`). When the
    time runs out before the soft stage finds a plan, this start is the plan."""
    own = greedy(pm)
    options = [own, greedy(pm, near_first=True)]
    if given is not None and better_start(pm, given, own, classes):
        options.append(given)

    def score(sol: dict) -> tuple:
        cov = greedy_coverage(pm, sol)
        people = [Assignment(c, v, r) for c, v, r in sorted(sol["at"])]
        points = sum(
            sum(posting_points(pm.inst, a.cadre_id, a.village_id, a.role).values()) for a in people
        )
        return [cov.get(k, 0) for k in classes], float(points)

    valid = [o for o in options if o is own or o is given or better_start(pm, o, own, classes)]
    valid = [improve(pm, o, seconds / len(valid))[0] for o in valid]
    return max(valid, key=score)


def better_start(pm: PlanModel, given: dict, own: dict, classes: list[str]) -> bool:
    """Whether ``given`` fits the model's variables, meets pins and U-PARTICIPATE, and fills
    at least as much as ``own`` in priority order."""
    if not fits(pm, given) or not greedy_is_valid(pm, given):
        return False
    a, b = greedy_coverage(pm, given), greedy_coverage(pm, own)
    return [a.get(k, 0) for k in classes] >= [b.get(k, 0) for k in classes]
