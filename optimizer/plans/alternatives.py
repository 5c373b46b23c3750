"""Who else could fill a post of a plan, and what it would cost: the ranked alternatives.

A planner looking at one posting asks whether someone else would do. The answer swaps one
person and keeps the rest of the plan as it is, so it is judged post by post, without a solve:
the candidates are the cadres every hard rule allows in that post next to the team that stays,
priced with :func:`optimizer.rules.scoring.posting_points` (soft points are defined there once)
against the current holder. The holder then leaves the plan; a candidate already posted
elsewhere leaves their own post open (a move, not a free swap), and the plan loses that
post's points too: free cadres come first, each group ranked by what the plan's soft points
change by.

Judged: E-* and E-SEC-*/L-RANK, LV-LEVEL, LV-REGION, H-NOREPEAT, H-INCUMBENT and forbid pins
(:meth:`Instance.roles`); T-UNIT and J-JOINT against the team that stays (one unit, or a joint
team of small units of one level and region, at most ``max_units``; in ``county_townships``
mode members from the village's county's townships, secretaries from above); hard
H-CONTINUITY and H-PROVVILLAGE (:func:`optimizer.model.shape.unit_barred`); require pins (a
pinned holder has no alternative, a pinned cadre is not moved); U-PARTICIPATE (a must-send
unit does not lose its only posting). The team's own people are not alternatives (they serve
there already). Not judged: the post a move opens stays empty (coverage, which the plan puts
before points, is shown, not priced; a moved first secretary leaves their team without one
until it is filled, T-SEC), and whether the freed holder could serve elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from optimizer.data.domain import Dataset
from optimizer.data.errors import InputError, Problem
from optimizer.model.shape import unit_barred
from optimizer.plans.alone import joint_partners
from optimizer.plans.explain import plan_context
from optimizer.plans.reasons import PlanView
from optimizer.policy import Policy
from optimizer.rules.instance import MEM, Instance
from optimizer.rules.scoring import posting_points


@dataclass(frozen=True)
class Alternative:
    """One cadre who could take the post instead of its holder."""

    cadre_id: str
    name: str
    unit_id: str
    unit_name: str
    points: dict[str, int] = field(default_factory=dict)
    """Soft points of this cadre at this post, by rule id (as ``posting_points`` gives them)."""
    total: int = 0
    delta: int = 0
    """``total`` minus the holder's points at this post."""
    now_at: str | None = None
    """Village this cadre holds in the plan (taking the post opens it), None when free."""
    now_role: str | None = None
    opens: int = 0
    """Points of the post a move opens, lost with it (0 when free)."""

    @property
    def change(self) -> int:
        """What the plan's soft points change by: ``delta`` less what a move loses."""
        return self.delta - self.opens

    @property
    def free(self) -> bool:
        return self.now_at is None


def post_alternatives(
    dataset: Dataset,
    policy: Policy,
    plan_date: date | None,
    plan_dir: Path,
    village_id: str,
    role: str,
    holder: str | None = None,
    limit: int = 10,
) -> list[Alternative]:
    """The ranked alternatives for the post (``village_id``, ``role``) of the plan folder
    ``plan_dir`` (read as ``explain`` reads it). ``holder`` names which member's post when the
    team has several; by default the post's only holder."""
    inst, view = plan_context(dataset, policy, plan_date, plan_dir=plan_dir)
    holders = [c for c, v, r in view.postings if v == village_id and r == role]
    if holder is None and len(holders) == 1:
        holder = holders[0]
    if holder not in holders:
        raise InputError([Problem("post", "no such holder of this post in the plan", value=holder)])
    return ranked(inst, view, holder, village_id, role, limit)


def ranked(
    inst: Instance, view: PlanView, holder: str, vid: str, role: str, limit: int = 10
) -> list[Alternative]:
    """The alternatives for ``holder``'s post: free cadres first (a move opens a post, and the
    plan fills posts before it counts points), then by the plan's change (the points
    difference here, less what a move's opened post held), ties by cadre id. An incumbent
    (H-INCUMBENT) or a pinned holder (P-PIN) keeps the post: none."""
    if holder in inst.busy or kept_by_pin(inst.ds, holder):
        return []
    where = {c: (v, r) for c, v, r in view.postings}
    team = {c for c, v, _ in view.postings if v == vid and c != holder}
    base = sum(posting_points(inst, holder, vid, role, person_fit=True).values())
    lonely = _only_posting(inst, view, holder)
    pinned = {p.cadre_id for p in inst.ds.pins if p.kind == "require"}
    out = []
    for uid in sorted(inst.ds.units):
        if lonely and uid != inst.unit_of(holder):
            continue  # U-PARTICIPATE: the holder's unit would send nobody
        if unit_barred(inst, uid, vid) is not None or not _units_fit(inst, vid, role, uid, team):
            continue
        for cid in inst.pool(uid, vid, role):  # E-*, LV-*, H-NOREPEAT, H-INCUMBENT, forbid pins
            if cid == holder or cid in team or cid in pinned:
                continue
            pts = posting_points(inst, cid, vid, role, person_fit=True)
            total, now = sum(pts.values()), where.get(cid)
            opens = (
                0 if now is None else sum(posting_points(inst, cid, *now, person_fit=True).values())
            )
            out.append(Alternative(cid, inst.ds.cadres[cid].name, uid, inst.ds.units[uid].name, pts,
                                   total, total - base, *(now or (None, None)), opens))  # fmt: skip
    out.sort(key=lambda a: (not a.free, -a.change, a.cadre_id))
    return out[:limit]


def kept_by_pin(ds: Dataset, cid: str) -> bool:
    """P-PIN: a require pin keeps the cadre where the plan put them."""
    return any(p.kind == "require" and p.cadre_id == cid for p in ds.pins)


def _only_posting(inst: Instance, view: PlanView, holder: str) -> bool:
    """U-PARTICIPATE: the holder is the only one a must-send unit sends."""
    uid = inst.unit_of(holder)
    if uid not in inst.must_send or any(p.unit_id == uid for p in inst.incumbents):
        return False
    return all(c == holder or inst.unit_of(c) != uid for c, _, _ in view.postings)


def _units_fit(inst: Instance, vid: str, role: str, uid: str, others: list[str]) -> bool:
    """T-UNIT and J-JOINT: a cadre of ``uid`` in ``role`` next to ``others`` (the team that
    stays) still makes a team the rules allow."""
    pol, u = inst.policy, inst.ds.units[uid]
    if pol.members_from == "county_townships":
        if role == MEM:
            return u.level == "township" and u.region == inst.ds.villages[vid].county
        return u.level != "township"
    inc_units = {p.unit_id for p in inst.inc_by_village.get(vid, [])}
    if len(inc_units) > 1:  # a mixed team of incumbents is kept; new posts from its units
        return uid in inc_units
    units = {inst.unit_of(c) for c in others} | {uid}
    if len(units) == 1:
        return True
    jt = pol.joint
    return jt.enabled and len(units) <= jt.max_units and units <= joint_partners(inst, uid)


__all__ = ["Alternative", "kept_by_pin", "post_alternatives", "ranked"]
