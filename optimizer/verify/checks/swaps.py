"""One-for-one exchanges of people the plan passed over (S-PARTY, S-YOUNG, S-EXPERT, S-FIT).

A new posting's person could be exchanged for a *free* cadre of the same unit — posted nowhere
in the plan, not serving, not recalled, not pinned elsewhere — whom the verifier's own hard
checks allow in that post (E-*, and as first secretary E-SEC-* and L-RANK; never at a former
village, H-NOREPEAT; no forbid pin). Same unit, same role: the team, its units, levels, region
and travel stay as they are. The exchange is reported under a term when it is strictly better
on that term and no worse on any other term a person brings (a Pareto improvement: better
under any weights), the best one per posting and term.

Free cadres are indexed by unit and grouped by what they bring (party, young, expert, skills,
may lead), so a posting looks at a few groups, never at every cadre.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.data.domain import Cadre
from optimizer.verify.checks.eligibility import may_be_secretary
from optimizer.verify.checks.levels import rank_fits
from optimizer.verify.checks.units import generally_eligible
from optimizer.verify.points import PERSON_TERMS, is_expert, person_points, young_count
from optimizer.verify.view import NewPosting, PlanView


@dataclass(frozen=True)
class Swap:
    """A new posting and the free cadre who would do better there."""

    posting: NewPosting
    cadre: Cadre
    gains: dict[str, int]
    """Points gained per person term (none negative)."""


Profile = tuple[bool, int, bool, frozenset[str], bool]
"""What a free cadre brings: party member, young points, expert, skills, may lead."""


def free_profiles(view: PlanView) -> dict[str, dict[Profile, list[Cadre]]]:
    """Unit → profile → the unit's free cadres with it, in id order."""
    ds = view.ds
    posted = set(view.by_cadre)
    pinned = {p.cadre_id for p in ds.pins if p.kind == "require"}
    out: dict[str, dict[Profile, list[Cadre]]] = defaultdict(lambda: defaultdict(list))
    for cid in sorted(ds.cadres):
        c = ds.cadres[cid]
        u = ds.units.get(c.unit_id)
        if u is None or cid in posted or cid in view.busy or cid in pinned:
            continue
        if not generally_eligible(view, c, u):
            continue
        lead = may_be_secretary(view, c) and rank_fits(view, c, u)
        key = (c.political_status == "member", young_count(view, c), is_expert(c), c.skills, lead)
        out[c.unit_id][key].append(c)
    return out


def _barred(view: PlanView) -> set[tuple[str, str, str | None]]:
    """(cadre, village, role or None) of every forbid pin."""
    return {(p.cadre_id, p.village_id, p.role) for p in view.ds.pins if p.kind == "forbid"}


def _allowed(view: PlanView, c: Cadre, vid: str, role: str, barred) -> bool:
    """No forbid pin and no former posting keeps ``c`` out of this post."""
    if (c.cadre_id, vid, None) in barred or (c.cadre_id, vid, role) in barred:
        return False
    return not any(q.village_id == vid for q in view.served.get(c.cadre_id, ()))


def _swappable(view: PlanView, pinned: set[str]) -> list[NewPosting]:
    """New postings whose person the planner may exchange: the village has a requirement, the
    row names the cadre's own unit, and no require pin holds the cadre."""
    return [
        p
        for p in view.new_postings
        if p.village is not None
        and view.need.get(p.village.village_id) is not None
        and p.row.unit_id == p.cadre.unit_id
        and p.cadre.cadre_id not in pinned
    ]


def best_swaps(view: PlanView) -> dict[str, list[Swap]]:
    """Term → the best exchange of each posting that has one for the term, the largest gain
    on the term first (kept in the view's memo)."""
    if "swaps" in view.memo:
        return view.memo["swaps"]  # type: ignore[return-value]
    free = free_profiles(view)
    barred = _barred(view)
    pinned = {p.cadre_id for p in view.ds.pins if p.kind == "require"}
    out: dict[str, list[Swap]] = {t: [] for t in PERSON_TERMS}
    for p in _swappable(view, pinned):
        for term, swap in _posting_swaps(view, p, free.get(p.cadre.unit_id, {}), barred).items():
            out[term].append(swap)
    for term, swaps in out.items():
        swaps.sort(key=lambda s: (-s.gains[term], -sum(s.gains.values()), s.posting.row.cadre_id))
    view.memo["swaps"] = out
    return out


def _posting_swaps(view: PlanView, p: NewPosting, groups, barred) -> dict[str, Swap]:
    """Per term, this posting's best Pareto-improving exchange (if any)."""
    role, v = p.row.role, p.village
    assert v is not None
    now = person_points(view, p.cadre, role, v)
    best: dict[str, Swap] = {}
    for (_, _, _, _, lead), cadres in groups.items():
        if role == "secretary" and not lead:
            continue
        pts = person_points(view, cadres[0], role, v)
        gains = {t: pts[t] - now[t] for t in PERSON_TERMS}
        if min(gains.values()) < 0 or max(gains.values()) <= 0:
            continue
        who = next((c for c in cadres if _allowed(view, c, v.village_id, role, barred)), None)
        if who is None:
            continue
        for term, g in gains.items():
            old = best.get(term)
            if g > 0 and (
                old is None or (g, sum(gains.values())) > (old.gains[term], sum(old.gains.values()))
            ):
                best[term] = Swap(p, who, gains)
    return best
