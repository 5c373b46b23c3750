"""再定人: seat people in the teams the master model decided.

For every unit, its new first-secretary seats and member seats per village are fixed by the
master. Here each seat gets a person: only the unit's own free, eligible cadres, never in a
village they served before (H-NOREPEAT), never against a forbid pin, always honouring require
pins. The objective keeps the master's choice of people (their S-PARTY/S-YOUNG/S-EXPERT points
come first) and then maximises S-FIT: village needs met by the skills of the person seated.
Units are independent here, so this is one flow network with a block per unit.
"""

from __future__ import annotations

from collections.abc import Callable

from ortools.graph.python import min_cost_flow

from optimizer.data.domain import SKILLS as SKILL_CODES
from optimizer.rules.instance import MEM, SEC, Instance
from optimizer.rules.scoring import cadre_points, fit


def seat_people(
    inst: Instance,
    seats: dict[tuple[str, str, str], int],
    pool: Callable[[str, str], list[str]],
    sec_pool: Callable[[str, str], list[str]],
    prefer: frozenset[tuple[str, str, str]] | None = None,
    first: bool = False,
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``seats``: (unit, village, role) → number of new posts. Returns (cadre, village, role)
    triples, and notes on any seat left empty (the master's per-pair capacities make that
    rare; a seat that cannot be filled is reported, never dropped silently).

    An exact min-cost max-flow: maximum flow fills every seat it can, and minimum cost then
    keeps the master's people (their S-PARTY/S-YOUNG/S-EXPERT points) before maximising S-FIT.
    ``prefer``: (cadre, village, role) of a reference plan, seated where it costs nothing: each
    seat's gain is scaled by more than the most a unit's seats can earn from the preference,
    so it only ever breaks ties (units are independent blocks of the network). ``first``: the
    preference comes before the points instead (a minimal-change re-solve): each seat's person
    from the reference in the same post, else someone the reference posted, else anyone.
    """
    seats = {k: v for k, v in seats.items() if v > 0}
    out, taken = _pinned(inst, seats, pool, sec_pool)
    got, err = _flow(inst, seats, pool, sec_pool, (prefer, first), taken)
    if err:
        return out, [err]
    out += got
    return sorted(out, key=lambda t: (t[1], t[2], t[0])), _shortfalls(inst, seats, out, taken)


def _pinned(inst: Instance, seats: dict[tuple[str, str, str], int], pool, sec_pool):
    """Require pins first: the master reserved a seat of the pinned role for each."""
    out: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for pin in inst.ds.pins:
        if pin.kind != "require":
            continue
        uid = inst.unit_of(pin.cadre_id)
        for role in [pin.role] if pin.role else [SEC, MEM]:
            key = (uid, pin.village_id, role)
            ok = pin.cadre_id in (sec_pool if role == SEC else pool)(uid, pin.village_id)
            if seats.get(key, 0) > 0 and ok and pin.cadre_id not in taken:
                seats[key] -= 1
                taken.add(pin.cadre_id)
                out.append((pin.cadre_id, pin.village_id, role))
                break
    return out, taken


def _flow(inst: Instance, seats, pool, sec_pool, preference, taken: set[str]):  # noqa: C901 - one network built in one pass (seats, people, preferences)
    """The seats' min-cost max-flow: (cadre, village, role) seated, or an error note."""
    prefer, first = preference
    flow = min_cost_flow.SimpleMinCostFlow()
    node: dict[object, int] = {}

    def nid(key: object) -> int:
        if key not in node:
            node[key] = len(node)
        return node[key]

    src, sink = nid("source"), nid("sink")
    arcs: list[tuple[int, str, str, str]] = []
    seat_arcs: list[tuple[int, int, bool]] = []
    fit_scale = 1 + 10 * len(SKILL_CODES)
    per_unit: dict[str, int] = {}
    for (uid, _v, _r), k in seats.items():
        per_unit[uid] = per_unit.get(uid, 0) + max(0, k)
    tie = 1 + max(per_unit.values(), default=0) if prefer and not first else 1
    pending: list[tuple[int, int, int, str, str, str]] = []
    for key in sorted(seats):
        k = seats[key]
        if k <= 0:
            continue
        uid, vid, role = key
        s = nid(("seat", key))
        seat_arcs.append((s, k, role == SEC))
        for cid in (sec_pool if role == SEC else pool)(uid, vid):
            if cid in taken:
                continue
            c = nid(("cadre", cid))
            gain = sum(cadre_points(inst, cid, role).values()) * fit_scale + fit(inst, cid, vid)
            if prefer and not first:
                gain = gain * tie + ((cid, vid, role) in prefer)
            pending.append((c, s, gain, cid, vid, role))
    # minimal change: kept posts (2) and people the reference posted (1) outweigh all points
    big = 1 + sum(abs(p[2]) for p in pending) if prefer and first else 0
    kept = {c for c, _v, _r in prefer} if prefer and first else set()
    for c, s, gain, cid, vid, role in pending:
        gain += big * (((cid, vid, role) in prefer) + (cid in kept)) if big else 0
        arcs.append((flow.add_arc_with_capacity_and_unit_cost(c, s, 1, -gain), cid, vid, role))
    # among maximum flows, first-secretary seats are filled first: members never serve
    # without a secretary (T-SEC), so an empty member seat costs less than an empty secretary's
    top = 1 + sum(abs(flow.unit_cost(a)) for a, *_ in arcs)
    for s, k, is_sec in seat_arcs:
        flow.add_arc_with_capacity_and_unit_cost(s, sink, k, -top if is_sec else 0)
    for key, idx in sorted(node.items(), key=lambda kv: kv[1]):
        if isinstance(key, tuple) and key[0] == "cadre":
            flow.add_arc_with_capacity_and_unit_cost(src, idx, 1, 0)
    if not arcs:
        return [], None
    total = sum(k for k in seats.values() if k > 0)
    flow.set_node_supply(src, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        return [], f"people stage: min-cost flow returned status {status}"
    return [(cid, vid, role) for a, cid, vid, role in arcs if flow.flow(a) > 0], None


def _shortfalls(inst: Instance, seats, out, taken: set[str]) -> list[str]:
    """A note for every seat left empty: never dropped silently."""
    notes: list[str] = []
    got: dict[tuple[str, str, str], int] = {}
    pinned: dict[tuple[str, str, str], int] = {}  # seats the pins took before the flow
    for cid, vid, role in out:
        key = (inst.unit_of(cid), vid, role)
        got[key] = got.get(key, 0) + 1
        if cid in taken:
            pinned[key] = pinned.get(key, 0) + 1
    for key, k in sorted(seats.items()):
        want = k + pinned.get(key, 0)
        if got.get(key, 0) < want:
            uid, vid, role = key
            notes.append(
                f"people stage: unit {uid} could seat only {got.get(key, 0)} of {want} "
                f"{role} post(s) at {vid} (H-NOREPEAT / pins leave too few people)"
            )
    return notes
