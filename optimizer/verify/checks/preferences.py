"""Preferences (S-*): soft findings that never make a plan invalid.

S-PROVKEY: a new province-level team at a village not ``key`` (soft, unless a policy makes it
hard). The terms that only rank plans are checked for a better choice the plan passed over:
S-PARTY, S-YOUNG, S-EXPERT, S-FIT — a new person who could be exchanged for a free cadre of
the same unit, allowed in the post, strictly better on the term and no worse on any other
(:mod:`~optimizer.verify.checks.swaps`); S-TRAVEL — two new teams of one size that could
exchange villages, both still allowed, with less travel and no other preference lower
(:mod:`~optimizer.verify.checks.exchange`). At most :data:`SHOWN` findings per term, the
largest gains first, then one line counting the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.verify.checks.exchange import Exchange, best_exchanges
from optimizer.verify.checks.swaps import Swap, best_swaps
from optimizer.verify.points import TERMS_ZH
from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView
from optimizer.verify.words import ROLE_ZH

SHOWN = 20
"""Findings shown per preference; the rest are counted on one line."""
NOTE = "a preference, not a rule breach"
NOTE_ZH = "优化建议，非违规"


@check("S-PROVKEY")
def check_S_PROVKEY(view: PlanView) -> Iterator[Finding]:
    """A new province-level first secretary at a village not ``key``."""
    if not view.pol.weights.provkey:
        return
    for p in view.new_postings:
        r, u, v = p.row, p.unit, p.village
        if u is None or v is None or r.role != "secretary" or u.level != "province":
            continue
        if "key" in v.categories:
            continue
        flags = ";".join(sorted(v.categories))
        yield Finding(
            v.village_id,
            r.cadre_id,
            f"province-level team from {view.uname(u.unit_id)} at {view.vname(v.village_id)} "
            f"({flags}), not a key village (省派工作队主要派往重点帮扶村)",
            f"省派工作队 {view.uname_zh(u.unit_id)} 派往非重点帮扶村 {view.vname(v.village_id)}（{flags}）",
            "soft",
        )


@check("S-PARTY")
def check_S_PARTY(view: PlanView) -> Iterator[Finding]:
    """A new member who is not a party member, where a free party member of the same unit may
    serve."""
    yield from _swap_findings(view, "S-PARTY", lambda s: ("is a party member", "为中共党员"))


@check("S-YOUNG")
def check_S_YOUNG(view: PlanView) -> Iterator[Finding]:
    """A new person where a younger (young-pool, or by the preset's ages and grassroots
    years) free cadre of the same unit may serve."""
    yield from _swap_findings(view, "S-YOUNG", lambda s: ("counts as a young cadre", "属年轻干部"))


@check("S-EXPERT")
def check_S_EXPERT(view: PlanView) -> Iterator[Finding]:
    """A new person without rural experience or agriculture expertise, where a free cadre of
    the same unit with it may serve."""
    yield from _swap_findings(
        view,
        "S-EXPERT",
        lambda s: ("has rural experience or agriculture expertise", "有农村工作经验或涉农专长"),
    )


@check("S-FIT")
def check_S_FIT(view: PlanView) -> Iterator[Finding]:
    """A new person whose skills meet fewer of the village's needs than a free cadre of the
    same unit's would."""
    yield from _swap_findings(view, "S-FIT", _fit_text)


@check("S-TRAVEL")
def check_S_TRAVEL(view: PlanView) -> Iterator[Finding]:
    """Two new teams of one size that could exchange villages for less travel."""
    found = best_exchanges(view)
    for ex in found[:SHOWN]:
        yield _exchange_finding(view, ex)
    if len(found) > SHOWN:
        more = len(found) - SHOWN
        yield Finding(
            "",
            "",
            f"{NOTE}: {more} more pairs of new teams could exchange villages for less travel",
            f"{NOTE_ZH}：另有{more}对新派工作队互换驻村可缩短路程",
            "soft",
        )


def _fit_text(s: Swap) -> tuple[str, str]:
    needs = s.posting.village.needs if s.posting.village is not None else frozenset()
    now, then = len(s.posting.cadre.skills & needs), len(s.cadre.skills & needs)
    return (
        f"meets {then} of the village's needs ({now} now)",
        f"专长对口本村需求{then}项（现为{now}项）",
    )


def _swap_findings(view: PlanView, term: str, why) -> Iterator[Finding]:
    found = best_swaps(view)[term]
    for s in found[:SHOWN]:
        yield _swap_finding(view, term, s, *why(s))
    if len(found) > SHOWN:
        more = len(found) - SHOWN
        yield Finding(
            "",
            "",
            f"{NOTE}: {more} more new postings where a free cadre of the same unit does "
            f"better on {term}",
            f"{NOTE_ZH}：另有{more}处新派人员可换为同单位未派出干部以提高“{TERMS_ZH[term]}”",
            "soft",
        )


def _swap_finding(view: PlanView, term: str, s: Swap, why: str, why_zh: str) -> Finding:
    p, gain, total = s.posting, s.gains[term], sum(s.gains.values())
    role, vid, cid = p.row.role, p.row.village_id, p.row.cadre_id
    return Finding(
        vid,
        cid,
        f"{NOTE}: new {role} {view.cname(cid)} at {view.vname(vid)} could be exchanged for "
        f"{view.cname(s.cadre.cadre_id)} of the same unit {view.uname(p.own.unit_id)}, free and "
        f"allowed in this post, who {why} (+{gain} points on {term}, +{total} in all, no "
        "other preference lower)",
        f"{NOTE_ZH}：{view.vname(vid)} 新派{ROLE_ZH[role]} {view.cname(cid)} 可换为同单位"
        f"{view.uname_zh(p.own.unit_id)}未派出且符合条件的 {view.cname(s.cadre.cadre_id)}，"
        f"其{why_zh}（“{TERMS_ZH[term]}”+{gain}分，合计+{total}分，其他偏好不降低）",
        "soft",
    )


def _exchange_finding(view: PlanView, ex: Exchange) -> Finding:
    a, b = ex.a, ex.b
    va, vb = a.village.village_id, b.village.village_id
    ua, ub = a.lead.unit_id, b.lead.unit_id
    n = len(a.rows)
    return Finding(
        va,
        "",
        f"{NOTE}: the new teams at {view.vname(va)} (from {view.uname(ua)}) and "
        f"{view.vname(vb)} (from {view.uname(ub)}), {n} {'person' if n == 1 else 'people'} "
        "each, could exchange villages, "
        f"both still allowed: {ex.km_saved:.1f} km less travel in all (+{ex.gain} points on "
        "S-TRAVEL, no other preference lower)",
        f"{NOTE_ZH}：{view.vname(va)}（{view.uname_zh(ua)}）与 {view.vname(vb)}"
        f"（{view.uname_zh(ub)}）的新派工作队（各{n}人）互换驻村后均仍合规，合计路程缩短"
        f"{ex.km_saved:.1f}公里（“路程”+{ex.gain}分，其他偏好不降低）",
        "soft",
    )
