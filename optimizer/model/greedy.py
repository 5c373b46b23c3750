"""A fast constructive plan, used as CP-SAT's starting point (a complete solution hint).

It fills villages in priority order (weak first; within a class, villages with the fewest
possible units first), giving each the nearest unit that can still field a whole minimum
team from people who may serve there. It respects every hard rule the master model has, so
when it fills every required post the coverage tier is proven optimal without a search (the
required posts are their own upper bound). It never decides the final plan on its own.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.model.master import PlanModel
from optimizer.model.shape import Shape
from optimizer.rules.eligibility import joint_pair
from optimizer.rules.history import rule_H_CONTINUITY
from optimizer.rules.instance import MEM, SEC

CLASS_ORDER = ("weak", "key", "relocation", "problem", "exited", "red", "heavy", "demo", "other")


def greedy(
    pm: Shape,
    prefer: dict[str, set[str]] | None = None,
    near_first: bool = False,
    keep_first: bool = True,
) -> dict[str, dict]:
    """Values for t, n, a, cover: {"t": {(u,v): 1}, "n": {(u,v): k}, "a": {(c,r): 1},
    "at": {(c,v,r): 1}}. Works on a bare :class:`~optimizer.model.shape.Shape` (no CP-SAT) as on
    the master model. ``prefer``: unit → counties where it should be tried first (the flow's
    placement of wide units), before the most-spare-people order. ``keep_first``: the units
    that keep a village (soft H-CONTINUITY) are tried there before all others."""
    g = Greedy(pm, prefer, near_first, keep_first)
    g.build()
    return g.solution()


class Greedy:
    """The greedy plan being built: who is used, each village's team so far."""

    def __init__(
        self, pm: Shape, prefer: dict[str, set[str]] | None, near_first: bool, keep_first: bool
    ) -> None:
        self.pm, self.inst, self.prefer, self.near_first = pm, pm.inst, prefer, near_first
        self.keep_first = keep_first
        inst = pm.inst
        self.used: set[str] = set()
        self.used_by: dict[str, int] = defaultdict(int)
        self.t: dict[tuple[str, str], int] = {}
        self.n: dict[tuple[str, str], int] = defaultdict(int)
        self.a: dict[tuple[str, str], int] = {}
        self.at: dict[tuple[str, str, str], int] = {}
        self.lead_mode = inst.policy.members_from == "lead_unit"
        order = {k: i for i, k in enumerate(CLASS_ORDER)}
        self.unit_people = {u: len(inst.eligible.get(u, ())) for u in pm.villages_of}
        if not pm.greedy_order:
            pm.greedy_order = sorted(
                inst.need, key=lambda v: (order[inst.cls[v]], _able(pm, v), -inst.need[v].min, v)
            )
        self.villages = pm.greedy_order
        self.have_sec: set[str] = {v for v in inst.need if pm.inc(v, SEC)}
        self.size: dict[str, int] = {v: pm.inc(v) for v in inst.need}
        self.lead: dict[str, str] = {}

    def build(self) -> None:
        """The plan, phase by phase: require pins, must-send units, every village."""
        self.pins()
        self.must_send()
        self.everyone()

    def solution(self) -> dict[str, dict]:
        return {"t": dict(self.t), "n": dict(self.n), "a": dict(self.a), "at": dict(self.at)}

    def free(self, uid: str, vid: str, sec: bool) -> list[str]:
        src = self.pm.sec_pool if sec else self.pm.pool
        people = [c for c in src(uid, vid) if c not in self.used]
        if not sec:  # keep would-be secretaries for secretary posts
            people.sort(key=lambda c: not self.inst.sec_failures[c])
        return people

    def take(self, uid: str, vid: str, cid: str, role: str) -> None:
        self.used.add(cid)
        self.used_by[uid] += 1
        self.a[(cid, role)] = 1
        self.at[(cid, vid, role)] = 1
        if role == SEC:
            self.t[(uid, vid)] = 1
            self.have_sec.add(vid)
            self.lead[vid] = uid
        else:
            self.n[(uid, vid)] += 1
        self.size[vid] += 1

    def drop(self, uid: str, vid: str, cid: str, role: str) -> None:
        """Undo :meth:`take` (the augmenting moves of :mod:`optimizer.model.augment`)."""
        self.used.discard(cid)
        self.used_by[uid] -= 1
        del self.a[(cid, role)]
        del self.at[(cid, vid, role)]
        if role == SEC:
            del self.t[(uid, vid)]
            self.have_sec.discard(vid)
            del self.lead[vid]
        else:
            self.n[(uid, vid)] -= 1
            if not self.n[(uid, vid)]:
                del self.n[(uid, vid)]
        self.size[vid] -= 1

    def pins(self) -> None:
        """1. Require pins (P-PIN)."""
        pm = self.pm
        for pin in self.inst.ds.pins:
            if pin.kind != "require" or pin.cadre_id in self.used:
                continue
            uid, vid = self.inst.unit_of(pin.cadre_id), pin.village_id
            for role in [pin.role] if pin.role else [SEC, MEM]:
                key = (uid, vid)
                if (
                    role == SEC
                    and key in pm.sec_room
                    and vid not in self.have_sec
                    and pin.cadre_id in pm.sec_pool(uid, vid)
                ):
                    self.take(uid, vid, pin.cadre_id, SEC)
                elif role == MEM and key in pm.mem_room and pin.cadre_id in pm.pool(uid, vid):
                    self.take(uid, vid, pin.cadre_id, MEM)
                else:
                    continue
                break

    def must_send(self) -> None:
        """2. U-PARTICIPATE: every must-send unit leads one village first."""
        inst = self.inst
        if not inst.must_send:
            return
        serving = {p.unit_id for p in inst.incumbents}
        for uid in [u for u in inst.ds.units if u in inst.must_send]:
            if uid in serving:
                continue
            if any(k[0] == uid for k in self.t) or any(k[0] == uid for k in self.n):
                continue
            for vid in self.villages:
                if vid not in self.have_sec and self.staff(vid, [uid]):
                    break

    def everyone(self) -> None:
        """3. Every village in priority order, the unit with the most people to spare first
        (scarce units stay free for the villages that have no other option), or with
        ``prefer`` the flow's counties first, or with ``near_first`` the nearest unit."""
        inst = self.inst
        for vid in self.villages:
            cands = list(self.pm.units_at[vid])
            county = inst.ds.villages[vid].county
            if self.near_first:
                key = {u: (inst.distance.get((u, vid), 1e9),) for u in cands}
            else:
                key = {
                    u: (self.prefer is not None and county not in self.prefer.get(u, ()),
                        self.used_by[u] - self.unit_people.get(u, 0))
                    for u in cands
                }  # fmt: skip
            cands.sort(key=lambda u: (key[u], u))
            # nearer units first among the leading equals, the ones staff() tries (a distance
            # for every unit that could serve would cost seconds at province scale)
            if cands:
                lead = key[cands[0]]
                head = [u for u in cands if key[u] == lead]
                head.sort(key=lambda u: (inst.distance.get((u, vid), 1e9), u))
                cands[: len(head)] = head
            # the units that keep the village (soft H-CONTINUITY's points) before all, as a
            # careful planner does: else a unit's people are spent elsewhere before its own
            # villages come up (city-201 under hunan-2021: 186 kept villages lost); only the
            # village's previous units can earn them
            keep = inst.prev_units.get(vid)
            if self.keep_first and keep:
                cands.sort(
                    key=lambda u: u not in keep or (rule_H_CONTINUITY(inst, u, vid) or 0) <= 0
                )
            self.staff(vid, cands)

    def candidates(self, vid: str, cands: list[str], want_sec: int) -> list[str]:
        """The units that may lead (or, without a lead-unit rule, add to) ``vid``'s team."""
        inst = self.inst
        inc_units = sorted({p.unit_id for p in inst.inc_by_village.get(vid, [])})
        fixed = inc_units + ([self.lead[vid]] if vid in self.lead else [])
        if self.lead_mode and fixed:
            # incumbent members of one small unit may be led by a small partner unit's new
            # secretary: a joint team (J-JOINT), as the master allows
            joint = want_sec and len(fixed) == 1 and inst.policy.joint.max_units >= 2
            cands = [
                u
                for u in cands
                if u in fixed
                or (joint and joint_pair(inst.ds.units[fixed[0]], inst.ds.units[u], inst.policy))
            ]
        if want_sec:
            return [u for u in cands if (u, vid) in self.pm.sec_room]
        return cands if self.lead_mode else []

    def staff(self, vid: str, cands: list[str]) -> bool:  # noqa: C901 - the cases of fielding one team (secretary, members, lead mode)
        """Give ``vid`` a team from the first unit in ``cands`` that can lead it."""
        want_sec = 0 if vid in self.have_sec else 1
        want_mem = max(0, self.inst.need[vid].min - self.size[vid] - want_sec)
        if want_sec == 0 and want_mem == 0:
            return False
        best = None
        for uid in self.candidates(vid, cands, want_sec):
            secs = self.free(uid, vid, True) if want_sec else []
            if want_sec and not secs:
                continue
            if not self.lead_mode:
                best = (uid, secs[0], 0, [])
                break
            mems = [c for c in self.free(uid, vid, False) if not secs or c != secs[0]]
            k = min(want_mem, len(mems)) if (uid, vid) in self.pm.mem_room else 0
            if best is None or k > best[2]:
                best = (uid, secs[0] if secs else None, k, mems)
            if k == want_mem:
                break
        if best is None:
            return False
        uid, sec, k, mems = best
        if sec:
            self.take(uid, vid, sec, SEC)
        for c in mems[:k]:
            self.take(uid, vid, c, MEM)
        if not self.lead_mode and sec:
            self.other_members(vid, want_mem)
        return True

    def other_members(self, vid: str, missing: int) -> None:
        """Without a lead-unit rule, members from any unit that may send them."""
        for tu in self.pm.units_at[vid]:
            if missing == 0 or (tu, vid) not in self.pm.mem_room:
                continue
            for c in self.free(tu, vid, False)[:missing]:
                self.take(tu, vid, c, MEM)
                missing -= 1


def _able(pm: Shape, vid: str) -> int:
    """How many units could field the village's whole minimum team (fewest first: the
    hardest villages are staffed first, as a careful planner does)."""
    need = pm.inst.need[vid].min
    if pm.inst.policy.members_from != "lead_unit":
        return sum(1 for u in pm.units_at[vid] if (u, vid) in pm.sec_room)
    return sum(
        1 for u in pm.units_at[vid] if (u, vid) in pm.sec_room and pm.sizes[(u, vid)][0] >= need
    )


def add_hint(pm: PlanModel, sol: dict[str, dict]) -> None:
    """A complete hint: every decision variable gets a value consistent with ``sol``."""
    m = pm.m
    m.clear_hints()
    t, n = sol["t"], sol["n"]
    for k, var in pm.t.items():
        m.add_hint(var, t.get(k, 0))
    for k, var in pm.n.items():
        m.add_hint(var, n.get(k, 0))
    common = {(c, r) for (c, v, r) in sol["at"] if (pm.inst.unit_of(c), v, r) not in pm.own}
    for k, var in pm.a.items():
        m.add_hint(var, 1 if k in common else 0)
    for k, var in pm.y.items():
        m.add_hint(var, sol["at"].get(k, 0))
    for (u, v), var in pm.z.items():
        inc = any(p.unit_id == u for p in pm.inst.inc_by_village.get(v, []))
        m.add_hint(var, 1 if inc or t.get((u, v)) or n.get((u, v)) else 0)
    for v, var in pm.team.items():
        has = pm.inc(v, SEC) or any(t.get((u, v)) for u in pm.units_at[v])
        m.add_hint(var, 1 if has else 0)
    for var in pm.cover.values():
        m.add_hint(var, 0)
    # the rest follows from the above; a complete hint lets CP-SAT start from it directly
    for v, var in pm.filled.items():
        size = pm.inc(v) + sum(t.get((u, v), 0) + n.get((u, v), 0) for u in pm.units_at[v])
        m.add_hint(var, min(size, pm.inst.need[v].min))
    for v, var in pm.joint.items():
        parts = [u for u in pm.units_at[v] if t.get((u, v)) or n.get((u, v))]
        m.add_hint(var, 1 if len(parts) > 1 else 0)
    hint_rest(pm, sol)


def hint_rest(pm: PlanModel, sol: dict[str, dict]) -> None:
    """The require pins' role choices and the constants: with one value missing CP-SAT does
    not start from the hint (a realistic county of seed 31 under hebei-2018)."""
    m, roles = pm.m, {(c, r) for (c, _v, r) in sol["at"]}
    for cid, choice in pm.pin_role.items():
        for r, var in choice.items():
            m.add_hint(var, 1 if (cid, r) in roles else 0)
    proto, hinted = m.proto, set(m.proto.solution_hint.vars)
    for i, var in enumerate(proto.variables):
        if i not in hinted and len(var.domain) == 2 and var.domain[0] == var.domain[1]:
            m.add_hint(m.get_int_var_from_proto_index(i), var.domain[0])


def greedy_coverage(pm: Shape, sol: dict[str, dict]) -> dict[str, int]:
    """Required posts the greedy plan fills, per priority class."""
    inst = pm.inst
    size = {v: pm.inc(v) for v in inst.need}
    for (_, v), k in sol["t"].items():
        size[v] += k
    for (_, v), k in sol["n"].items():
        size[v] += k
    secs = {v for (_, v), k in sol["t"].items() if k} | {v for v in inst.need if pm.inc(v, SEC)}
    out: dict[str, int] = defaultdict(int)
    for v, k in inst.cls.items():
        need = inst.need[v].min
        out[k] += min(size[v], need if v in secs else need - 1)
    return dict(out)


def fits(shape: Shape, sol: dict[str, dict]) -> bool:
    """Whether a plan's teams are on the shape's pairs, within their rooms, and its people
    ones the shape may post there, in that role (a start made on another shape)."""
    if any(k not in shape.sec_room for k in sol["t"]):
        return False
    if any(x and x > shape.mem_room.get(k, 0) for k, x in sol["n"].items()):
        return False
    inst = shape.inst
    pools = {SEC: shape.sec_pool, MEM: shape.pool}
    return all(c in inst.ds.cadres and c in pools[r](inst.unit_of(c), v) for c, v, r in sol["at"])


def greedy_is_valid(pm: Shape, sol: dict[str, dict]) -> bool:
    """The greedy plan respects every rule by construction except require pins and
    U-PARTICIPATE; only a plan meeting those too may stand in as a proven incumbent."""
    inst = pm.inst
    for pin in inst.ds.pins:
        if pin.kind != "require":
            continue
        uid = inst.unit_of(pin.cadre_id)
        roles = [pin.role] if pin.role else [SEC, MEM]
        if not any(sol["a"].get((pin.cadre_id, r)) for r in roles):
            return False
        if not any(sol["t" if r == SEC else "n"].get((uid, pin.village_id)) for r in roles):
            return False
    if inst.must_send:
        sending = {u for (u, _), k in [*sol["t"].items(), *sol["n"].items()] if k}
        sending |= {p.unit_id for p in inst.incumbents}
        for uid in inst.must_send:
            if pm.villages_of.get(uid) and uid not in sending:
                return False
    return True
