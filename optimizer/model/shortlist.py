"""A county part's model on a shortlist of (unit, village) pairs.

A county part of a city or province holds, beside its own units, the province and city units'
people handed to it: a few people each of many units, and every one of those units has a pair
at every village (city-201 under hunan-2021: a county of 200 villages, 13,000 pairs, two
thirds of them wide units'). CP-SAT's presolve and root LP then took 7–15 s before the soft
stage's first plan — more than a part's share of a 60-s limit on two cores — and the part
kept its greedy start. Most of those pairs are nowhere near a good plan: a unit two hundred
kilometres away, a province unit at a village that is not ``key``.

So when a part's start is valid and fills every required post (only points are then at
stake), its shape is narrowed before the model's variables are made: per village the units
estimated best there (:func:`estimates`), per unit its best villages (at least
:data:`PER_UNIT`, one per person who may lead), and every pair of the start, of require pins
and of incumbents — the start stays a feasible plan of the narrowed model. A part short of
posts keeps its whole model, so coverage never depends on the shortlist. The part's plan is
optimal on the shortlist only; the decomposition's bounds are the whole problem's (flow and
LP), so the gap it states is honest. Measured on city-201, hunan-2021, its largest county
part (one search thread): whole model 53,638 points proven in 16–20 s; shortlist of 30,
53,449 (−0.35 %) proven in 7–10 s, first plan after 4 s.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.model.greedy import fits, greedy_coverage, greedy_is_valid
from optimizer.model.shape import Shape, cap
from optimizer.rules.instance import SEC
from optimizer.rules.scoring import cadre_points, rule_S_FIT, rule_S_TRAVEL, team_points

Pair = tuple[str, str]
PER_UNIT = 5
"""Each unit keeps at least this many villages (a must-send unit needs somewhere to go)..."""
PER_PERSON = 1
"""... and one per person of it who may lead a team (a big unit can spread its people)."""


def estimates(shape: Shape) -> dict[Pair, float]:
    """Points of a new team from unit ``u`` at village ``v``, as a ranking: the team's terms,
    travel and fit per posting, and the unit's best person's own terms per posting (the
    people are seated later, so a unit is judged by what it could send)."""
    inst = shape.inst
    per_km = inst.policy.weights.travel_per_10km
    best: dict[str, int] = {}
    size: dict[str, int] = {}
    out: dict[Pair, float] = {}
    for uid, vid in sorted(set(shape.sec_room) | set(shape.mem_room)):
        if uid not in best:
            people = inst.sec_eligible.get(uid) or inst.eligible.get(uid, ())
            best[uid] = max((sum(cadre_points(inst, c, SEC).values()) for c in people), default=0)
        if vid not in size:
            size[vid] = max(1, cap(shape, vid) - shape.inc(vid))
        d = inst.distance.get((uid, vid))
        post = rule_S_FIT(inst, uid, vid) + best[uid]
        post -= rule_S_TRAVEL(per_km, d) if d is not None else 0
        team = sum(team_points(inst, uid, vid).values()) if (uid, vid) in shape.sec_room else 0
        out[(uid, vid)] = team + size[vid] * post
    return out


def shortlist(shape: Shape, keep: set[Pair], per_village: int) -> set[Pair]:
    """The pairs kept: ``keep``, each village's ``per_village`` best units, each unit's best
    villages (at least :data:`PER_UNIT`, one per person who may lead a team)."""
    est = estimates(shape)
    by_village: dict[str, list[tuple[float, str]]] = defaultdict(list)
    by_unit: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (uid, vid), e in est.items():
        by_village[vid].append((-e, uid))
        by_unit[uid].append((-e, vid))
    out = set(keep)
    for vid, ranked in by_village.items():
        out.update((uid, vid) for _, uid in sorted(ranked)[:per_village])
    for uid, ranked in by_unit.items():
        many = max(PER_UNIT, PER_PERSON * len(shape.inst.sec_eligible.get(uid, ())))
        out.update((uid, vid) for _, vid in sorted(ranked)[:many])
    return out


def narrow_part(shape: Shape, start: dict | None, per_village: int) -> int:
    """Narrow a part's shape to its shortlist when its start is a valid plan filling every
    required post (then no pair left out could fill more: only points are at stake, and the
    start keeps the narrowed model feasible); else leave it whole. Returns the pairs dropped.
    (A realistic county split in two, hunan-2021, shortlist of 2: 272 posts against 273 when
    narrowed whatever the start fills.)"""
    if not start or not fills_every_post(shape, start):
        return 0
    keep = set(start["t"]) | {k for k, x in start["n"].items() if x}
    return narrow(shape, keep, per_village)


def fills_every_post(shape: Shape, start: dict) -> bool:
    """``start`` fits the shape's pairs, is valid and fills every required post."""
    if not fits(shape, start) or not greedy_is_valid(shape, start):
        return False
    need = sum(n.min for n in shape.inst.need.values())
    return sum(greedy_coverage(shape, start).values()) >= need


def narrow(shape: Shape, keep: set[Pair], per_village: int) -> int:
    """Drop every pair off the shortlist from ``shape`` (before the model's variables are
    made); ``keep`` (the part's start), require pins' and incumbents' pairs always stay.
    Returns how many pairs were dropped."""
    inst = shape.inst
    pinned = {
        (inst.unit_of(p.cadre_id), p.village_id)
        for p in inst.ds.pins
        if p.kind == "require" and p.cadre_id in inst.ds.cadres
    }
    incumbent = {(p.unit_id, p.village_id) for ps in inst.inc_by_village.values() for p in ps}
    pairs = set(shape.sec_room) | set(shape.mem_room)
    kept = shortlist(shape, keep | pinned | incumbent, per_village)
    gone = pairs - kept
    for key in gone:
        shape.sec_room.pop(key, None)
        shape.mem_room.pop(key, None)
        shape.sizes.pop(key, None)
    for vid in list(shape.units_at):
        shape.units_at[vid] = [u for u in shape.units_at[vid] if (u, vid) not in gone]
    for uid in list(shape.villages_of):
        shape.villages_of[uid] = [v for v in shape.villages_of[uid] if (uid, v) not in gone]
    return len(gone)


__all__ = ["estimates", "fills_every_post", "narrow", "narrow_part", "shortlist"]
