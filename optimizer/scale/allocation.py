"""Which county part receives each province and city cadre, and where must-send units are homed.

Wide units (province and city) may serve in many counties; a county part holds only the
people handed to it. The greedy floor's postings come first, then the flow's counties; a
second round hands short counties the people no part used.
"""

from __future__ import annotations

import math
from collections import defaultdict

from optimizer.rules.instance import MEM, SEC, Instance
from optimizer.scale.floor import WIDE


def allocation(inst: Instance, flow: dict[str, str], fixed: dict[str, str]) -> dict[str, str]:
    """Wide-unit cadre → county part: ``fixed`` (the greedy floor's postings) first; the
    unit's other free cadres shared, in proportion, among the counties where the floor or the
    team-level ``flow`` sends the unit and those holding villages it keeps (H-CONTINUITY: a
    part can only keep a village's unit if it holds that unit's people); a part then
    chooses the unit's best people, not a guess. Require pins win. Must-send units are homed
    after this (:func:`must_send_homes`)."""
    ds = inst.ds
    alloc = dict(fixed)
    counties: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cid, k in [*fixed.items(), *flow.items()]:
        counties[inst.unit_of(cid)][k] += 1
    for uid, ks in continuity_counties(inst).items():
        for k, n in ks.items():
            counties[uid][k] += n
    for uid, ks in sorted(counties.items()):
        rest = [c for c in inst.eligible.get(uid, []) if c not in alloc]
        # those who may lead a team dealt first, so every county gets its share of them
        lead = set(inst.sec_eligible.get(uid, []))
        for group in ([c for c in rest if c in lead], [c for c in rest if c not in lead]):
            for c, k in zip(group, shares(ks, len(group)), strict=True):
                alloc[c] = k
    for pin in ds.pins:
        if pin.kind == "require" and pin.cadre_id in ds.cadres and pin.village_id in ds.villages:
            alloc[pin.cadre_id] = ds.villages[pin.village_id].county
    return alloc


def continuity_counties(inst: Instance) -> dict[str, dict[str, int]]:
    """Wide unit → county → villages there it keeps under H-CONTINUITY (hard: no other unit
    may staff them; soft: points for it) that need a new team (a village whose incumbent
    secretary stays is not counted)."""
    ds = inst.ds
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pol = inst.policy
    if pol.continuity != "hard" and not (pol.continuity == "soft" and pol.weights.continuity):
        return out
    for vid, units in sorted(inst.prev_units.items()):
        if vid not in inst.need or any(p.role == SEC for p in inst.inc_by_village.get(vid, [])):
            continue
        for uid in sorted(units):
            if uid in ds.units and ds.units[uid].level in WIDE:
                out[uid][ds.villages[vid].county] += 1
    return out


def shares(weights: dict[str, int], n: int) -> list[str]:
    """``n`` people dealt to the keys in proportion to ``weights``: largest share first,
    blocks of consecutive people (a unit's team needs several people in one part), ties by
    key."""
    order = sorted(weights, key=lambda k: (-weights[k], k))
    if not order or n <= 0:
        return []
    total = sum(weights[k] for k in order) or len(order)
    exact = {k: n * (weights[k] or 1) / total for k in order}
    got = {k: int(exact[k]) for k in order}
    for k in sorted(order, key=lambda k: (-(exact[k] - got[k]), order.index(k))):
        if sum(got.values()) >= n:
            break
        got[k] += 1
    return [k for k in order for _ in range(got[k])]


def must_send_homes(
    inst: Instance, alloc: dict[str, str], keep: set[str] | frozenset[str] = frozenset()
) -> dict[str, str]:
    """The county part that carries each must-send unit's U-PARTICIPATE obligation: one where
    the unit has a cadre handed in who may lead one of its villages (T-UNIT: a unit that
    sends anyone leads a team). A unit with no such county gets its cadre able to lead its
    nearest village handed to that village's county (``alloc`` is updated). A unit with a
    cadre serving on (an incumbent) meets it already: its home is that cadre's county, whose
    part holds the incumbent (elsewhere a part's plan would need the unit to send again)."""
    ds = inst.ds
    pinned = {p.cadre_id for p in ds.pins if p.kind == "require"} | set(keep)
    home: dict[str, str] = {}
    for p in sorted(inst.incumbents, key=lambda p: (p.unit_id, p.village_id)):
        if p.unit_id in inst.must_send:
            home.setdefault(p.unit_id, ds.villages[p.village_id].county)
    for uid in sorted(inst.must_send):
        if uid in home:
            continue
        secs = inst.sec_eligible.get(uid, [])
        by_county: dict[str, list[str]] = defaultdict(list)
        for v in inst.unit_villages.get(uid, {}).get(SEC, []):
            by_county[ds.villages[v].county].append(v)
        placed = sorted(
            {
                alloc[c]
                for c in secs
                if c in alloc and any(SEC in inst.roles(c, v) for v in by_county.get(alloc[c], ()))
            }
        )
        if placed:
            home[uid] = placed[0]
            continue
        near = sorted(
            (inst.distance.get((uid, v)) or 0.0, v) for vs in by_county.values() for v in vs
        )
        for _, v in near:
            c = next((c for c in secs if c not in pinned and SEC in inst.roles(c, v)), None)
            if c is not None:
                alloc[c] = home[uid] = ds.villages[v].county
                break
    return home


def spare_people(
    inst: Instance,
    results: dict,
    alloc: dict[str, str],
    short: list[str],
    keep: set[str],
    per_post: int,
) -> dict[str, str]:
    """Wide units' cadres no part posted, handed to short counties: a short county first gets
    the spare people of the units already serving in it (T-UNIT: a team's members come from
    its own unit), then any unit that reaches it; ``per_post`` people per missing post at most, nearest
    units first (every spare cadre of the province in one part makes a model too big to
    solve in its budget, measured)."""
    ds = inst.ds
    posted = {a.cadre_id for r in results.values() for a in r.assignments} | keep
    spare = [
        c
        for u in sorted(inst.eligible)
        if ds.units[u].level in WIDE
        for c in inst.eligible[u]
        if c not in posted
    ]
    present: dict[str, set[str]] = {k: set() for k in short}
    for c, k in alloc.items():
        if k in present:
            present[k].add(inst.unit_of(c))
    for k in short:
        present[k] |= {inst.unit_of(a.cadre_id) for a in results[k].assignments}
    missing = {k: sum(q - f for f, q in results[k].coverage.values()) for k in short}
    got = dict.fromkeys(short, 0)
    short_set = set(short)
    near = {
        u: min(
            (
                inst.distance.get((u, v)) or 0.0
                for v in inst.unit_villages[u][SEC]
                if ds.villages[v].county in short_set
            ),
            default=math.inf,
        )
        for u in {inst.unit_of(c) for c in spare}
    }
    spare.sort(key=lambda c: (near[inst.unit_of(c)], inst.unit_of(c), c))
    extra: dict[str, str] = {}
    turn = 0
    for c in spare:
        uid = inst.unit_of(c)
        options = [k for k in short if uid in present[k]]
        if not options:
            reach = {ds.villages[v].county for r in (MEM, SEC) for v in inst.unit_villages[uid][r]}
            options = [k for k in short if k in reach]
        options = [k for k in options if got[k] < per_post * missing[k]]
        if options:
            extra[c] = options[turn % len(options)]
            got[extra[c]] += 1
            turn += 1
    return extra
