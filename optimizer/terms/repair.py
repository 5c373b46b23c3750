"""The repair model: every posting of the plan still in force frozen (kept postings, exactly
like incumbents), only the damaged villages solved.

1. *freeze*: the remaining members of a damaged team stay in their roles; the solver fills
   the gap (a new first secretary or member, from the team's unit: T-UNIT).
2. *promote*: only when that leaves a required post empty, the remaining new members of the
   damaged teams may change role (require pins to their village, role free).
3. *wide* (only with a threshold): the whole plan solved again with the recalls, and the
   repair re-evaluated in the same model (its postings as require pins), so both objectives
   count the same terms.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from optimizer.data.domain import Dataset, Pin, Posting
from optimizer.data.errors import InputError
from optimizer.data.parsing import parse_date
from optimizer.model.result import Assignment, Progress, SolveResult
from optimizer.model.solve import solve
from optimizer.policy import Policy
from optimizer.rules.instance import SEC, Instance, build_instance, class_order

NO_TEAM = frozenset({"relocation"})
"""Categories that carry no requirement under any preset (relocation with relocated_pop < 100,
SPEC §2): villages outside the repair get them in the repair's own solve, so it leaves them be."""

Posted = tuple[str, str, str]
"""(cadre, village, role) of a posting of the repaired plan."""


@dataclass
class Setup:
    """What every solve of one repair shares."""

    ds: Dataset
    ds_full: Dataset
    """The dataset with the repair's recalls added."""
    pol: Policy
    day: date
    posted: dict[str, dict[str, str]]
    """Cadre → their row of the base plan."""
    remaining: list[dict[str, str]]
    """New postings of the base plan not lost."""
    affected: list[str]
    run: dict[str, Any]
    """Solver settings: time_limit, seed, workers, progress."""


@dataclass
class Outcome:
    """The repaired plan's postings, and which step gave them."""

    mode: str
    final: list[Posted]
    covers: list[tuple[str, str]]
    status: str
    proven: bool
    objective: float | None = None
    obj_repair: float | None = None
    obj_wide: float | None = None


def posting_of(r: dict[str, str]) -> Posting:
    """A plan row as a kept posting."""
    return Posting(
        r["cadre_id"],
        r["unit_id"],
        r["village_id"],
        r["level"],
        r["role"],
        parse_date(r["start"]),
        parse_date(r["end"]) if r["end"] else None,
    )


def filled(res: SolveResult) -> tuple[int, int]:
    """Required posts filled, and required, in all."""
    return (sum(f for f, _ in res.coverage.values()), sum(r for _, r in res.coverage.values()))


def by_class(res: SolveResult) -> tuple[int, ...]:
    """Required posts filled per priority class, weak first: compared lexicographically."""
    return tuple(f for f, _ in res.coverage.values())


def frozen(setup: Setup, movable: set[str]) -> Dataset:
    """The repair's dataset: the plan's postings in force kept (``movable`` ones pinned to
    their village, role free), villages outside the repair asking for no team."""
    ds = setup.ds
    hist = list(ds.history)
    hist += [posting_of(r) for r in setup.remaining if r["cadre_id"] not in movable]
    villages = {
        vid: v if vid in setup.affected else replace(v, categories=NO_TEAM, relocated_pop=0)
        for vid, v in ds.villages.items()
    }
    pins = [
        p
        for p in ds.pins
        if p.kind == "forbid" or (p.village_id in setup.affected and p.cadre_id not in setup.posted)
    ]
    pins += [Pin(c, setup.posted[c]["village_id"], "require") for c in sorted(movable)]
    return replace(setup.ds_full, villages=villages, history=hist, pins=pins)


def solve_repair(
    setup: Setup, notes: list[str], say: Progress
) -> tuple[SolveResult, str, set[str]]:
    """Freeze, then promote only if a required post stays empty: the result, its mode and
    the members freed to change role."""
    res = solve(frozen(setup, set()), setup.pol, setup.day, **setup.run)
    if not res.has_plan:
        return res, "freeze", set()
    got, required = filled(res)
    candidates = {r["cadre_id"] for r in setup.remaining if r["village_id"] in setup.affected}
    if got < required and candidates:
        say(
            f"repair: {required - got} post(s) still empty; letting the damaged teams' "
            "members change role"
        )
        try:
            res2 = solve(frozen(setup, candidates), setup.pol, setup.day, **setup.run)
        except InputError as exc:
            notes.append(f"promotion not possible: {exc.problems[0].message}")
        else:
            if res2.has_plan and filled(res2)[0] > got:
                return res2, "promote", candidates
    return res, "freeze", set()


def _wide(
    setup: Setup, final: list[Posted], reasons: dict[str, str], threshold: float, notes: list[str]
) -> tuple[SolveResult, float, float, bool] | None:
    """Solve the whole plan again with the recalls, and the repair itself in the same model
    (its postings as require pins), so both objectives count the same terms."""
    ds, pol, day, run = setup.ds, setup.pol, setup.day, setup.run
    keep = [p for p in ds.pins if not (p.kind == "require" and p.cadre_id in reasons)]
    wide = solve(replace(setup.ds_full, pins=keep), pol, day, **run)
    pins = [p for p in ds.pins if p.kind == "forbid"]
    pins += [Pin(c, v, "require", r) for c, v, r in final]
    try:
        same = solve(replace(setup.ds_full, pins=pins), pol, day, **run)
    except InputError as exc:
        notes.append(
            f"wider change not compared: the repair cannot be re-evaluated at {day} "
            f"({exc.problems[0].message})"
        )
        return None
    if not (wide.has_plan and same.has_plan):
        notes.append("wider change not compared: a solve found no plan in time")
        return None
    obj_repair, obj_wide = same.objective or 0.0, wide.objective or 0.0
    cov_wide, cov_repair = by_class(wide), by_class(same)
    better = cov_wide > cov_repair or (cov_wide == cov_repair and obj_wide - obj_repair > threshold)
    return wide, obj_repair, obj_wide, better


def settle(
    setup: Setup,
    res: SolveResult,
    mode: str,
    movable: set[str],
    covers: list[tuple[str, str]],
    reasons: dict[str, str],
    threshold: float | None,
    notes: list[str],
) -> Outcome:
    """The repaired plan's postings: the kept ones plus the repair's, or, with a threshold,
    the whole plan solved again when that is better by coverage or by more than it."""
    final = [
        (r["cadre_id"], r["village_id"], r["role"])
        for r in setup.remaining
        if r["cadre_id"] not in movable
    ]
    final += [(a.cadre_id, a.village_id, a.role) for a in res.assignments]
    out = Outcome(mode, final, covers, res.status, res.coverage_proven)
    if threshold is None:
        return out
    compared = _wide(setup, final, reasons, threshold, notes)
    if compared is None:
        return out
    wide, out.obj_repair, out.obj_wide, better = compared
    if not better:
        out.objective = out.obj_repair
        return out
    out.mode, out.covers = "wide", wide.covers
    out.final = [(a.cadre_id, a.village_id, a.role) for a in wide.assignments]
    out.status, out.proven, out.objective = wide.status, wide.coverage_proven, out.obj_wide
    return out


def coverage(
    inst: Instance, final: list[Posted], covers: list[tuple[str, str]]
) -> dict[str, tuple[int, int]]:
    """Required posts filled per priority class, counted the way the solver counts them."""
    size = {v: len(inst.inc_by_village.get(v, [])) for v in inst.need}
    secs = {p.village_id for p in inst.incumbents if p.role == SEC}
    for _, v, r in final:
        if v in size:
            size[v] += 1
        if r == SEC:
            secs.add(v)
    covered = {w for _, w in covers}
    out = {k: (0, 0) for k in class_order(inst)}
    for v, k in inst.cls.items():
        need = inst.need[v].min
        got = need if v in covered else min(need if v in secs else need - 1, size[v])
        f, req = out[k]
        out[k] = (f + got, req + need)
    return out


def repaired_result(setup: Setup, out: Outcome, notes: list[str]) -> SolveResult:
    """The repaired plan as one solve result over the full dataset (joint cover kept only
    where its host still has a first secretary), ready for :func:`build_plan`."""
    inst = build_instance(setup.ds_full, setup.pol, setup.day)
    secs = {p.village_id for p in inst.incumbents if p.role == SEC}
    secs |= {v for _, v, r in out.final if r == SEC}
    covers = [(h, w) for h, w in out.covers if h in secs]
    return SolveResult(
        out.status,
        inst,
        assignments=[Assignment(*t) for t in out.final],
        covers=covers,
        coverage=coverage(inst, out.final, covers),
        objective=out.objective,
        coverage_proven=out.proven,
        seed=setup.run["seed"],
        workers=setup.run["workers"],
        time_limit=setup.run["time_limit"],
        notes=notes,
    )


__all__ = ["NO_TEAM", "Outcome", "Setup", "coverage", "frozen", "repaired_result", "settle"]
