"""C-CLUSTER: a team hosted at a flagged village may also cover a few adjacent, coverable
villages, which then have no team of their own."""

from __future__ import annotations

import math
from collections.abc import Iterator

from optimizer.verify.planfiles import TeamRow
from optimizer.verify.registry import Finding, check
from optimizer.verify.view import PlanView


@check("C-CLUSTER")
def check_C_CLUSTER(view: PlanView) -> Iterator[Finding]:
    for host, t in view.team_of.items():
        if not t.covered:
            continue
        if not view.pol.cluster.hosts:
            yield from _no_clusters(view, host, t)
            continue
        yield from _host_faults(view, host, t)
        for w in t.covered:
            if w in view.ds.villages:
                yield from _covered_faults(view, host, w)
    for w, hosts in view.covered_by.items():
        if len(hosts) > 1:
            yield Finding(
                w,
                "",
                f"{view.vname(w)} is covered {len(hosts)} times (by {';'.join(sorted(hosts))})",
                f"{view.vname(w)} 被带动{len(hosts)}次（{';'.join(sorted(hosts))}）",
            )


def _no_clusters(view: PlanView, host: str, t: TeamRow) -> Iterator[Finding]:
    for w in t.covered:
        if w in view.ds.villages:
            yield Finding(
                w,
                "",
                f"{view.vname(w)} is covered by the team at {view.vname(host)}, but "
                f"{view.pol.name} allows no clusters (cluster hosts empty)",
                f"{view.vname(w)} 由 {view.vname(host)} 的工作队带动，但 {view.pol.name} 不允许一队带多村",
            )


def _host_faults(view: PlanView, host: str, t: TeamRow) -> Iterator[Finding]:
    cl, hv = view.pol.cluster, view.ds.villages[host]
    covers = ";".join(t.covered)
    if not (hv.categories & set(cl.hosts)):
        yield Finding(
            host,
            "",
            f"host {view.vname(host)} ({';'.join(sorted(hv.categories))}) carries no host "
            f"flag ({';'.join(cl.hosts)}) but covers {covers}",
            f"驻点村 {view.vname(host)} 不是可带动村的类别（{';'.join(cl.hosts)}），却带动 {covers}",
        )
    if host not in view.by_village:
        yield Finding(
            host,
            "",
            f"host {view.vname(host)} has no team of its own but covers {covers}",
            f"驻点村 {view.vname(host)} 本身无工作队，却带动 {covers}",
        )
    if len(set(t.covered)) > cl.max_extra:
        yield Finding(
            host,
            "",
            f"the team at {view.vname(host)} covers {len(set(t.covered))} villages "
            f"({covers}); at most {cl.max_extra}",
            f"{view.vname(host)} 的工作队带动{len(set(t.covered))}个村，最多{cl.max_extra}个",
        )


def adjacent(view: PlanView, a: str, b: str) -> bool:
    """Adjacent by the adjacency table when given, else same township within the distance."""
    if view.ds.adjacency_given:
        return tuple(sorted((a, b))) in view.adjacency_pairs
    va, vb = view.ds.villages[a], view.ds.villages[b]
    if not (va.township and vb.township) or (va.county, va.township) != (vb.county, vb.township):
        return False
    if None in (va.x, va.y, vb.x, vb.y):
        return False
    return math.hypot(va.x - vb.x, va.y - vb.y) <= view.pol.cluster.adjacency_km  # type: ignore[operator]


def _covered_faults(view: PlanView, host: str, w: str) -> Iterator[Finding]:
    if w == host:
        yield Finding(
            w, "", f"{view.vname(w)} is listed as covering itself", f"{view.vname(w)} 带动自身"
        )
        return
    cl, wv = view.pol.cluster, view.ds.villages[w]
    if not adjacent(view, host, w):
        yield _not_adjacent(view, host, w)
    bad_flags = sorted(wv.categories - set(cl.coverable))
    if bad_flags:
        yield Finding(
            w,
            "",
            f"{view.vname(w)} carries {';'.join(bad_flags)}, not coverable "
            f"(coverable: {';'.join(cl.coverable) or 'none'}); it needs its own team",
            f"{view.vname(w)} 的类别 {';'.join(bad_flags)} 不可被带动，需单独选派",
        )
    if view.need.get(w) is None:
        yield Finding(
            w,
            "",
            f"{view.vname(w)} has no requirement under {view.pol.name}; nothing to cover",
            f"{view.vname(w)} 在 {view.pol.name} 下无选派要求，无需带动",
        )
    if w in view.by_village:
        n = len(view.by_village[w])
        yield Finding(
            w,
            "",
            f"{view.vname(w)} is covered by {view.vname(host)} yet has {n} rows of its own in plan.csv",
            f"{view.vname(w)} 被带动，但 plan.csv 中仍有本村{n}人",
        )
    elif w in view.kept_at:
        yield Finding(
            w,
            "",
            f"{view.vname(w)} has a serving incumbent and cannot be covered by {view.vname(host)}",
            f"{view.vname(w)} 有在任驻村干部，不能由 {view.vname(host)} 带动",
        )


def _not_adjacent(view: PlanView, host: str, w: str) -> Finding:
    hv, wv = view.ds.villages[host], view.ds.villages[w]
    how = (
        "not in the adjacency table"
        if view.ds.adjacency_given
        else f"not in the same township within {view.pol.cluster.adjacency_km:g} km"
    )
    dist = ""
    if None not in (hv.x, hv.y, wv.x, wv.y):
        dist = f", {math.hypot(hv.x - wv.x, hv.y - wv.y):.1f} km apart"  # type: ignore[operator]
    return Finding(
        w,
        "",
        f"{view.vname(w)} is covered by the team at {view.vname(host)} but is not "
        f"adjacent to it ({how}{dist})",
        f"{view.vname(w)} 由 {view.vname(host)} 的工作队带动，但两村不相邻{dist.replace(', ', '，相距 ')}",
    )
