"""More required posts for a greedy plan: short villages filled by swapping people in.

A greedy pass (:mod:`optimizer.model.greedy`) spends a unit's people in village order; a
village coming later may then find every person its unit could send already posted, though
some of them serve where a free colleague, or another unit's free team, could take their
place. Here each short village, in priority order, gets the people it lacks from a unit that
may lead it (T-UNIT; a joint team's partner as the greedy allows it): a free person of that
unit, else one of its posted people freed by

1. a free colleague of the same unit taking over their post (same village, same role), or
2. another unit's free people taking over their whole team (a village where the unit leads
   a new team alone, without incumbents: same size, a first secretary).

Either way no other village loses a post, and every hard rule holds as in the greedy (its
pools and pairs); require-pinned people stay. U-PARTICIPATE holds too: a freed person goes
to another village of the same unit.

Measured (every greedy order, before → after): city-201 under hunan-2021, the keeping-units-
first orders 2,451 → 2,453 required posts (the most any plan fills: a key village whose
incumbent member's unit had posted its only would-be secretary where another unit could
serve); city-201 under hebei-2018, 3,472–3,519 → 3,531–3,532.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.model.greedy import Greedy
from optimizer.model.shape import Shape
from optimizer.rules.instance import MEM, SEC


def augmented(pm: Shape, **options) -> dict[str, dict]:
    """:func:`~optimizer.model.greedy.greedy` with ``options``, then :func:`augment`."""
    g = Greedy(
        pm,
        options.get("prefer"),
        options.get("near_first", False),
        options.get("keep_first", True),
    )
    g.build()
    augment(g)
    return g.solution()


def augment(g: Greedy) -> int:
    """Fill ``g``'s short villages where a swap allows it; the required posts gained."""
    if not g.lead_mode:
        return 0
    swaps = Swaps(g)
    return sum(swaps.fill(vid) for vid in g.villages)


class Swaps:
    """Who serves where in the greedy plan, and the moves that free a unit's people."""

    def __init__(self, g: Greedy) -> None:
        self.g, self.inst, self.pm = g, g.inst, g.pm
        self.where: dict[str, tuple[str, str]] = {}
        self.team: dict[str, dict[str, str]] = defaultdict(dict)
        for c, v, r in g.at:
            self.where[c] = (v, r)
            self.team[v][c] = r
        self.pinned = {p.cadre_id for p in self.inst.ds.pins if p.kind == "require"}

    def take(self, uid: str, vid: str, cid: str, role: str) -> None:
        self.g.take(uid, vid, cid, role)
        self.where[cid] = (vid, role)
        self.team[vid][cid] = role

    def drop(self, uid: str, vid: str, cid: str, role: str) -> None:
        self.g.drop(uid, vid, cid, role)
        del self.where[cid]
        del self.team[vid][cid]

    def fill(self, vid: str) -> int:
        """The posts ``vid`` gains: a first secretary, then members, from its first unit
        that can give one."""
        g, inst, pm = self.g, self.inst, self.pm
        want_sec = 0 if vid in g.have_sec else 1
        want_mem = max(0, inst.need[vid].min - g.size[vid] - want_sec)
        if not want_sec and not want_mem:
            return 0
        cands = sorted(pm.units_at[vid], key=lambda u: (inst.distance.get((u, vid), 1e9), u))
        for uid in g.candidates(vid, cands, want_sec):
            gained = 0
            if want_sec:
                sec = self.obtain(uid, vid, SEC)
                if sec is None:
                    continue
                self.take(uid, vid, sec, SEC)
                gained = 1
            room = pm.mem_room.get((uid, vid), 0) - g.n.get((uid, vid), 0)
            for _ in range(min(want_mem, room)):
                mem = self.obtain(uid, vid, MEM)
                if mem is None:
                    break
                self.take(uid, vid, mem, MEM)
                gained += 1
            return gained
        return 0

    def obtain(self, uid: str, vid: str, role: str) -> str | None:
        """A free person of ``uid`` who may serve at ``vid`` in ``role``, freeing one by a
        colleague's takeover (1) or a whole team's (2) if need be."""
        g, sec = self.g, role == SEC
        free = g.free(uid, vid, sec)
        if free:
            return free[0]
        posted = [
            c
            for c in (self.pm.sec_pool(uid, vid) if sec else self.pm.pool(uid, vid))
            if c not in self.pinned and c in self.where and self.where[c][0] != vid
        ]
        for cid in posted:
            w, r = self.where[cid]
            other = next((c for c in g.free(uid, w, r == SEC) if c != cid), None)
            if other is not None:
                self.drop(uid, w, cid, r)
                self.take(uid, w, other, r)
                return cid
        for cid in posted:
            if self.hand_over(uid, self.where[cid][0]):
                return cid
        return None

    def hand_over(self, uid: str, w: str) -> bool:
        """Village ``w``'s new team, all of ``uid``, taken over whole by the nearest other unit
        with free people for it."""
        g, inst, pm = self.g, self.inst, self.pm
        if inst.inc_by_village.get(w) or g.lead.get(w) != uid:
            return False
        team = sorted(self.team[w].items(), key=lambda p: (p[1] == SEC, p[0]))
        if any(c in self.pinned or inst.unit_of(c) != uid for c, _ in team):
            return False
        k = len(team) - 1
        for x in sorted(pm.units_at[w], key=lambda u: (inst.distance.get((u, w), 1e9), u)):
            if x == uid or (x, w) not in pm.sec_room or (k and pm.mem_room.get((x, w), 0) < k):
                continue
            secs = g.free(x, w, True)
            mems = [c for c in g.free(x, w, False) if not secs or c != secs[0]][:k]
            if not secs or len(mems) < k:
                continue
            for c, r in team:  # members first, the secretary last
                self.drop(uid, w, c, r)
            self.take(x, w, secs[0], SEC)
            for c in mems:
                self.take(x, w, c, MEM)
            return True
        return False
