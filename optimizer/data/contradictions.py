"""Input rows that contradict each other, found before any model is built.

Left to the solver, a cadre in two current postings gives a plan its own verify rejects, and two
require pins for one cadre give a solve that runs its whole time limit and then says nothing
useful. Each contradiction here is one line naming both rows and the one rule they break.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from optimizer.data import domain as d
from optimizer.data.rawtable import Collector, RawTable

Rows = list[tuple[int, dict[str, Any]]]
BOTH_ROLES = frozenset(("secretary", "member"))


def _linked(rows: Rows, ds: d.Dataset) -> Rows:
    """Rows whose village (and unit) exist: the others were reported already."""
    return [
        (n, r) for n, r in rows if r["village_id"] in ds.villages and r.get("unit_id") in ds.units
    ]


def current_rows(raw_rows: Rows, ds: d.Dataset, at: date) -> Rows:
    """History rows in force at ``at`` (SPEC §3, incumbents)."""
    return [
        (n, r)
        for n, r in _linked(raw_rows, ds)
        if r["start"] <= at and (r["end"] is None or r["end"] > at)
    ]


def check_history(raw: RawTable, rows: Rows, ds: d.Dataset, at: date, out: Collector) -> None:
    """H-INCUMBENT: one current posting per cadre, one current first secretary per village;
    no posting starting after the plan date."""
    col = raw.table.column
    for n, r in _linked(rows, ds):
        if r["start"] > at:
            out.add(
                raw,
                f"start is after the plan date {at}: the history holds earlier and "
                "current postings; check the year, or use a later plan date",
                n,
                col("start"),
                str(r["start"]),
                kind="future",
            )
    recalled = {r.cadre_id for r in ds.recall}
    by_cadre: dict[str, tuple[int, dict[str, Any]]] = {}
    sec_by_village: dict[str, tuple[int, str]] = {}
    for n, r in current_rows(rows, ds, at):
        cid, vid = r["cadre_id"], r["village_id"]
        if cid in by_cadre:
            m, first = by_cadre[cid]
            what = (
                f"as both {first['role']} and {r['role']} of village {vid}"
                if first["village_id"] == vid
                else f"in villages {first['village_id']} and {vid}"
            )
            out.add(
                raw,
                f"cadre {cid} has two postings current at {at} (rows {m} and {n}), "
                f"{what}: a cadre holds one post at a time (H-INCUMBENT); give the "
                "earlier posting its end date or delete the duplicate",
                n,
                col("cadre_id"),
                cid,
                kind="two-current",
            )
            continue
        by_cadre[cid] = (n, r)
        if r["role"] != "secretary" or cid in recalled:
            continue
        if vid in sec_by_village:
            m, other = sec_by_village[vid]
            out.add(
                raw,
                f"village {vid} has two current first secretaries at {at}: {other} "
                f"(row {m}) and {cid} (row {n}): a village has one first secretary "
                "(H-INCUMBENT); end one posting, make one a member, or recall one",
                n,
                col("role"),
                r["role"],
                kind="two-secretaries",
            )
        else:
            sec_by_village[vid] = (n, cid)


def _roles(role: str | None) -> frozenset[str]:
    return frozenset((role,)) if role else BOTH_ROLES


def _two_posts(
    raw: RawTable,
    earlier: tuple[int, dict[str, Any]],
    later: tuple[int, dict[str, Any]],
    out: Collector,
) -> None:
    """A cadre required twice: fine when it is the same post, else P-PIN is broken."""
    (m, first), (n, r) = earlier, later
    cid, vid = r["cadre_id"], r["village_id"]
    if first["village_id"] != vid or not (_roles(first["role"]) & _roles(r["role"])):
        where = (
            f"as {first['role']} and as {r['role']} of village {vid}"
            if first["village_id"] == vid
            else f"in villages {first['village_id']} and {vid}"
        )
        out.add(
            raw,
            f"cadre {cid} is required {where} (rows {m} and {n}): a cadre "
            "takes one post (P-PIN); keep one require pin",
            n,
            raw.table.column("cadre_id"),
            cid,
            kind="pin-two",
        )


def check_pins(raw: RawTable, rows: Rows, ds: d.Dataset, out: Collector) -> None:  # noqa: C901 - one test per kind of contradiction between pins
    """P-PIN among the pin rows themselves: a cadre required in one post only, one required
    first secretary per village, no pin forbidding what another requires."""
    col = raw.table.column
    live = [
        (n, r) for n, r in rows if r["cadre_id"] in ds.cadres and r["village_id"] in ds.villages
    ]
    recalled = {r.cadre_id for r in ds.recall}
    req_by_cadre: dict[str, tuple[int, dict[str, Any]]] = {}
    sec_by_village: dict[str, tuple[int, str]] = {}
    forbid: dict[tuple[str, str], list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for n, r in live:
        if r["kind"] == "forbid":
            forbid[(r["cadre_id"], r["village_id"])].append((n, _roles(r["role"])))
    for n, r in live:
        if r["kind"] != "require":
            continue
        cid, vid = r["cadre_id"], r["village_id"]
        if cid in recalled:
            out.add(
                raw,
                f"require pin for cadre {cid}, who is in the recall table: a recalled "
                "cadre appears nowhere in the plan (P-PIN); delete the pin or the recall",
                n,
                col("cadre_id"),
                cid,
                kind="pin-recalled",
            )
            continue
        for m, banned in forbid.get((cid, vid), []):
            if _roles(r["role"]) <= banned:
                out.add(
                    raw,
                    f"require pin contradicts the forbid pin on row {m} for cadre {cid} "
                    f"in village {vid} (P-PIN): delete one of the two",
                    n,
                    col("kind"),
                    r["kind"],
                    kind="pin-forbid",
                )
        if cid in req_by_cadre:
            _two_posts(raw, req_by_cadre[cid], (n, r), out)
            continue
        req_by_cadre[cid] = (n, r)
        if r["role"] == "secretary":
            if vid in sec_by_village:
                m, other = sec_by_village[vid]
                out.add(
                    raw,
                    f"two cadres required as first secretary of village {vid}: {other} "
                    f"(row {m}) and {cid} (row {n}): a village has one first secretary "
                    "(P-PIN); make one a member or delete one pin",
                    n,
                    col("role"),
                    r["role"],
                    kind="pin-two-secretaries",
                )
            else:
                sec_by_village[vid] = (n, cid)


def check_pins_at(
    raw: RawTable, rows: Rows, ds: d.Dataset, history: Rows, at: date, out: Collector
) -> None:
    """Pins against serving incumbents: they keep their village and role (H-INCUMBENT)
    unless recalled, so a pin that moves one contradicts the history."""
    col = raw.table.column
    recalled = {r.cadre_id for r in ds.recall}
    serving = {r["cadre_id"]: (n, r) for n, r in current_rows(history, ds, at)}
    for n, r in rows:
        cid, vid = r["cadre_id"], r["village_id"]
        if cid not in serving or cid in recalled or cid not in ds.cadres:
            continue
        hn, h = serving[cid]
        here = h["village_id"] == vid
        if r["kind"] == "require" and (not here or (r["role"] and r["role"] != h["role"])):
            msg = (
                f"require pin moves cadre {cid}, who serves as {h['role']} of village "
                f"{h['village_id']} (history row {hn}): incumbents keep their village and "
                "role (H-INCUMBENT); add the cadre to the recall table or delete the pin"
            )
        elif r["kind"] == "forbid" and here and h["role"] in _roles(r["role"]):
            msg = (
                f"forbid pin for cadre {cid}, who serves as {h['role']} of village {vid} "
                f"(history row {hn}): incumbents keep their post (H-INCUMBENT); add the "
                "cadre to the recall table or delete the pin"
            )
        else:
            continue
        out.add(raw, msg, n, col("cadre_id"), cid, kind="pin-incumbent")


def check_recall(
    raw: RawTable, rows: Rows, ds: d.Dataset, history: Rows, at: date, out: Collector
) -> None:
    """A recall replaces a serving incumbent. Recalling someone who is not serving is refused,
    not ignored: it silently takes a candidate out of the plan and is most often a wrong id."""
    serving = {r["cadre_id"] for _, r in current_rows(history, ds, at)}
    seen: dict[str, int] = {}
    for n, r in rows:
        cid = r["cadre_id"]
        if cid not in ds.cadres:
            continue
        if cid in seen:
            out.add(
                raw,
                f"cadre {cid} is recalled twice (also row {seen[cid]}): delete one row",
                n,
                raw.table.column("cadre_id"),
                cid,
                kind="recall-twice",
                warn=True,
            )
            continue
        seen[cid] = n
        if cid not in serving:
            out.add(
                raw,
                f"cadre {cid} is not serving at {at} (no current posting in the history "
                "table): a recall replaces a serving incumbent; check the id and the plan "
                "date, or set 可派/available to no to keep the cadre out of the plan",
                n,
                raw.table.column("cadre_id"),
                cid,
                kind="recall-not-serving",
            )
